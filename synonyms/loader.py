"""Loading and checking the thesaurus files (YAML, one file per topic group).

    group: Skin & Pressure Injuries
    concepts:
      - id: pressure-injury
        preferred: pressure injury
        clinical: [pressure ulcer [MeSH:D003668], decubitus ulcer]
        abbreviations: [PI]
        lay: [bed sore, sores from sitting]
        misspellings: [bed soar]

A term may end with ` [SOURCE]`, naming the vocabulary it came from. `check`
reports every problem with its file and line; `load` raises ThesaurusError
when there is any error (warnings do not stop it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from synonyms.errors import Problem, ThesaurusError
from synonyms.model import Concept, Term, Thesaurus

LISTS = {"clinical": "clinical", "abbreviations": "abbreviation", "lay": "lay",
         "misspellings": "misspelling"}
CONCEPT_KEYS = {"id", "preferred", *LISTS}
_SOURCE = re.compile(r"^(?P<text>.*?)\s*\[(?P<source>[^\[\]]+)\]\s*$")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def default_dir() -> Path:
    """The thesaurus in use: SCISEARCH_THESAURUS if set, else the one shipped (package data)."""
    configured = os.environ.get("SCISEARCH_THESAURUS")
    if configured:
        return Path(configured)
    return shipped_dir()


def shipped_dir() -> Path:
    return Path(str(resources.files("synonyms").joinpath("data")))


def thesaurus_files(where: Path) -> list[Path]:
    if where.is_file():
        return [where]
    return sorted(p for p in where.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load(where: Path | None = None) -> Thesaurus:
    """Load the thesaurus in `where` (a folder of YAML files, or one file)."""
    thesaurus, problems = check(where)
    if any(p.severity == "error" for p in problems):
        raise ThesaurusError(problems)
    return thesaurus


def check(where: Path | None = None) -> tuple[Thesaurus, list[Problem]]:
    """Read every file and report each problem (file, line); never raises for bad content."""
    where = where or default_dir()
    problems: list[Problem] = []
    files = thesaurus_files(where)
    if not files:
        problems.append(Problem(where, None, "no thesaurus files (*.yaml) found"))
    concepts: list[Concept] = []
    for path in files:
        concepts.extend(_read_file(path, problems))
    _check_uniqueness(concepts, problems)
    return Thesaurus(tuple(concepts)), problems


def _node_line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _read_file(path: Path, problems: list[Problem]) -> list[Concept]:
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(path, mark.line + 1 if mark else None,
                                f"not valid YAML ({getattr(exc, 'problem', exc)})"))
        return []
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(path, None, f"cannot read the file ({exc})"))
        return []
    if not isinstance(root, yaml.MappingNode):
        problems.append(Problem(path, 1, "expected 'group:' and 'concepts:' at the top"))
        return []
    top = {k.value: v for k, v in root.value}
    group_node = top.get("group")
    group = group_node.value if isinstance(group_node, yaml.ScalarNode) else ""
    if not group:
        problems.append(Problem(path, 1, "missing 'group:' (the topic group's name)"))
    concepts_node = top.get("concepts")
    if not isinstance(concepts_node, yaml.SequenceNode):
        problems.append(Problem(path, _node_line(concepts_node) if concepts_node else 1,
                                "'concepts:' must be a list of concepts"))
        return []
    result = []
    for node in concepts_node.value:
        concept = _read_concept(path, node, group, problems)
        if concept is not None:
            result.append(concept)
    return result


def _read_concept(path: Path, node: yaml.Node, group: str,
                  problems: list[Problem]) -> Concept | None:
    line = _node_line(node)
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, line, "a concept must be a mapping with 'id' and "
                                            "'preferred'"))
        return None
    fields: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if key.value not in CONCEPT_KEYS:
            problems.append(Problem(path, _node_line(key), f"unknown key '{key.value}' "
                                    f"(use: {', '.join(sorted(CONCEPT_KEYS))})"))
        fields[key.value] = value
    concept_id = _scalar(fields.get("id"))
    preferred = _scalar(fields.get("preferred"))
    if not concept_id:
        problems.append(Problem(path, line, "concept without an 'id'"))
        return None
    if not _ID.match(concept_id):
        problems.append(Problem(path, line, f"id '{concept_id}' should be lower-case words "
                                            "joined by hyphens"))
    if not preferred:
        problems.append(Problem(path, line, f"concept '{concept_id}' has no 'preferred' term"))
        return None
    terms = [Term(preferred, "preferred", "", _node_line(fields["preferred"]))]
    for key, kind in LISTS.items():
        value = fields.get(key)
        if value is None or (isinstance(value, yaml.ScalarNode) and value.value == ""):
            continue  # absent, or the key written with nothing after it
        if not isinstance(value, yaml.SequenceNode):
            problems.append(Problem(path, _node_line(value), f"'{key}' must be a list"))
            continue
        for item in value.value:
            text = _scalar(item)
            if not text:
                problems.append(Problem(path, _node_line(item), f"empty or non-text term in "
                                                                f"'{key}' of '{concept_id}'"))
                continue
            source = ""
            match = _SOURCE.match(text)
            if match:
                text, source = match.group("text"), match.group("source").strip()
            terms.append(Term(text.strip(), kind, source, _node_line(item)))
    if len(terms) == 1:
        problems.append(Problem(path, line, f"concept '{concept_id}' has no terms besides its "
                                            "preferred one"))
    return Concept(concept_id, preferred, group, tuple(terms), str(path), line)


def _scalar(node: yaml.Node | None) -> str:
    if isinstance(node, yaml.ScalarNode):
        return str(node.value).strip()
    return ""


def _check_uniqueness(concepts: Iterable[Concept], problems: list[Problem]) -> None:
    ids: dict[str, Concept] = {}
    owners: dict[str, tuple[Concept, Term]] = {}
    for concept in concepts:
        path = Path(concept.file)
        if concept.id in ids:
            other = ids[concept.id]
            problems.append(Problem(path, concept.line, f"id '{concept.id}' is also used at "
                                    f"{other.file}:{other.line}"))
        ids[concept.id] = concept
        for term in concept.terms:
            key = term_key(term.text)
            if not key:
                continue
            if key in owners:
                other_concept, other_term = owners[key]
                if other_concept is concept:
                    problems.append(Problem(path, term.line, f"'{term.text}' is listed twice in "
                                            f"'{concept.id}' (also line {other_term.line})",
                                            "warning"))
                else:
                    problems.append(Problem(
                        path, term.line, f"'{term.text}' is claimed by '{concept.id}' and by "
                        f"'{other_concept.id}' ({other_concept.file}:{other_term.line})"))
                continue
            owners[key] = (concept, term)


def term_key(text: str) -> str:
    """Terms compare case-insensitively, ignoring punctuation and spacing."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def dump_concepts(concepts: Iterable[Concept], group: str) -> str:
    """YAML text for `concepts` in the thesaurus format (used by the Solr import)."""
    data: dict[str, Any] = {"group": group, "concepts": []}
    for concept in concepts:
        entry: dict[str, Any] = {"id": concept.id, "preferred": concept.preferred}
        for key, kind in LISTS.items():
            items = [t.text + (f" [{t.source}]" if t.source else "")
                     for t in concept.of_kind(kind)]
            if items:
                entry[key] = items
        data["concepts"].append(entry)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
