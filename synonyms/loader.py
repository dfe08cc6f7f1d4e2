"""Loading and checking the thesaurus files (YAML, one file per topic group).

    group: Skin & Pressure Injuries
    concepts:
      - id: pressure-injury
        preferred: pressure injury
        clinical: [pressure ulcer [MeSH:D003668], decubitus ulcer]
        abbreviations: [PI]
        lay: [bed sore, sores from sitting]
        misspellings: [bed soar]

Senses, for words that also mean something else (each optional):

        query_only: [sex]                 # lay terms read in a person's question only:
                                          # they never tag a summary
        exact: [driving]                  # terms of the concept matched in summaries only
                                          # as written ("driving", not "drive", "drives")
        after: {have kids: [have, had]}   # the term counts only right after one of these
                                          # words (stop words count here)
        not_near: {depression: [respiratory]}  # the term does not count when one of these
                                          # words is next to it (stop words between skipped)

A term may end with ` [SOURCE]`, naming the vocabulary it came from. `check`
reports every problem with its file and line; `load` raises ThesaurusError
when there is any error (warnings do not stop it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from synonyms.errors import Problem, ThesaurusError
from synonyms.model import Concept, Term, Thesaurus

LISTS = {"clinical": "clinical", "abbreviations": "abbreviation", "lay": "lay",
         "misspellings": "misspelling"}
SENSE_LISTS = ("query_only", "exact")
SENSE_MAPS = ("after", "not_near")
CONCEPT_KEYS = {"id", "preferred", *LISTS, *SENSE_LISTS, *SENSE_MAPS}
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


# libyaml's parser where PyYAML has it (its wheels do): the thesaurus loads 7 times
# faster; the nodes and their line numbers are the same.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _node_line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _read_file(path: Path, problems: list[Problem]) -> list[Concept]:
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
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
    for item in _items(path, fields.get("query_only"), "query_only", concept_id, problems):
        text = _scalar(item)
        terms.append(Term(text, "lay", "", _node_line(item), query_only=True))
    terms = _apply_senses(path, fields, concept_id, terms, problems)
    if len(terms) == 1:
        problems.append(Problem(path, line, f"concept '{concept_id}' has no terms besides its "
                                            "preferred one"))
    return Concept(concept_id, preferred, group, tuple(terms), str(path), line)


def _items(path: Path, value: yaml.Node | None, key: str, concept_id: str,
           problems: list[Problem]) -> list[yaml.Node]:
    """The text items of a list field (problems reported for the rest)."""
    if value is None or (isinstance(value, yaml.ScalarNode) and value.value == ""):
        return []
    if not isinstance(value, yaml.SequenceNode):
        problems.append(Problem(path, _node_line(value), f"'{key}' of '{concept_id}' must be "
                                                         "a list of terms"))
        return []
    good = []
    for item in value.value:
        if _scalar(item):
            good.append(item)
        else:
            problems.append(Problem(path, _node_line(item), f"empty or non-text term in "
                                                            f"'{key}' of '{concept_id}'"))
    return good


def _apply_senses(path: Path, fields: dict[str, yaml.Node], concept_id: str,
                  terms: list[Term], problems: list[Problem]) -> list[Term]:
    """Mark the terms named by `exact`, `after` and `not_near` (each must be the concept's)."""
    changes: dict[str, dict[str, Any]] = {}
    named: list[tuple[str, yaml.Node, str, Any]] = []
    for item in _items(path, fields.get("exact"), "exact", concept_id, problems):
        named.append(("exact", item, _scalar(item), True))
    for key in SENSE_MAPS:
        value = fields.get(key)
        if value is None or (isinstance(value, yaml.ScalarNode) and value.value == ""):
            continue
        if not isinstance(value, yaml.MappingNode):
            problems.append(Problem(path, _node_line(value), f"'{key}' of '{concept_id}' must "
                                    "map terms to lists of words ({term: [word, ...]})"))
            continue
        for term_node, words_node in value.value:
            words = [term_key(_scalar(w)) for w in getattr(words_node, "value", ())
                     if isinstance(w, yaml.ScalarNode)]
            if not isinstance(words_node, yaml.SequenceNode) or not all(words) \
                    or any(" " in w for w in words) or not words:
                problems.append(Problem(path, _node_line(words_node), f"'{key}' of "
                                        f"'{concept_id}': give '{_scalar(term_node)}' a list "
                                        "of single words"))
                continue
            named.append((key, term_node, _scalar(term_node), tuple(words)))
    keys = {term_key(t.text) for t in terms}
    for key, node, text, value in named:
        if term_key(text) not in keys:
            problems.append(Problem(path, _node_line(node), f"'{text}' in '{key}' is not a term "
                                    f"of '{concept_id}': list it under 'preferred', 'clinical', "
                                    "'abbreviations', 'lay', 'misspellings' or 'query_only' "
                                    "first"))
            continue
        changes.setdefault(term_key(text), {})[key] = value
    return [replace(t, **changes[term_key(t.text)]) if term_key(t.text) in changes else t
            for t in terms]


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
            continue  # its terms would each be "claimed by" the same id twice
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
                     for t in concept.of_kind(kind) if not t.query_only]
            if items:
                entry[key] = items
        query_only = [t.text for t in concept.terms if t.query_only]
        if query_only:
            entry["query_only"] = query_only
        exact = [t.text for t in concept.terms if t.exact]
        if exact:
            entry["exact"] = exact
        for key in SENSE_MAPS:
            rules = {t.text: list(getattr(t, key)) for t in concept.terms if getattr(t, key)}
            if rules:
                entry[key] = rules
        data["concepts"].append(entry)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
