"""The Solr / Elasticsearch synonyms text format, out and in.

Export writes two lines per concept, after a comment naming it:

    # pressure-injury | Skin & Pressure Injuries
    pressure injury, pressure ulcer, decubitus ulcer, PI
    bed sore, bedsore, sores from sitting, bed soar => pressure injury, pressure ulcer, ...

The first line makes the clinical names equivalent; the second maps lay words
and misspellings onto them one way, so that a search for "pressure ulcer" is
not widened to "bed soar". Import reads such files back (and plain files from
other projects: `a, b, c` or `a, b => c`), one concept per line or pair.
"""

from __future__ import annotations

import re
from pathlib import Path

from synonyms.errors import Problem, ThesaurusError
from synonyms.model import Concept, Term, Thesaurus

_COMMENT = re.compile(r"^#\s*(?P<id>[a-z0-9-]+)\s*\|\s*(?P<group>.+?)\s*$")


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace(",", "\\,").replace("=>", "=\\>")


def _split(side: str) -> list[str]:
    parts = re.split(r"(?<!\\),", side)
    return [p.strip().replace("\\,", ",").replace("=\\>", "=>").replace("\\\\", "\\")
            for p in parts if p.strip()]


def export(thesaurus: Thesaurus) -> str:
    lines = ["# sci-search thesaurus, Solr/Elasticsearch synonyms format.",
             "# Per concept: clinical names (equivalent), then lay words => clinical names.", ""]
    for concept in thesaurus:
        clinical = [_escape(t) for t in concept.clinical_terms]
        lay = [_escape(t.text) for t in concept.of_kind("lay", "misspelling")]
        lines.append(f"# {concept.id} | {concept.group}")
        lines.append(", ".join(clinical))
        if lay:
            lines.append(", ".join(lay) + " => " + ", ".join(clinical))
        lines.append("")
    return "\n".join(lines)


def import_text(text: str, path: Path, group: str = "Imported") -> list[Concept]:
    """Concepts from a synonyms file. Raises ThesaurusError naming bad lines."""
    concepts: list[Concept] = []
    problems: list[Problem] = []
    pending: tuple[str, str, int] | None = None  # (id, group, line) from our comment
    current: Concept | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        comment = _COMMENT.match(line)
        if comment:
            pending = (comment.group("id"), comment.group("group"), number)
            current = None
            continue
        if line.startswith("#"):
            continue
        if "=>" in line.replace("=\\>", ""):
            left, right = re.split(r"(?<!\\)=>", line, maxsplit=1)
            lay, clinical = _split(left), _split(right)
        else:
            lay, clinical = [], _split(line)
        if not clinical:
            problems.append(Problem(path, number, "no terms on the right of '=>'"))
            continue
        if current is not None and pending is None and current.preferred == clinical[0]:
            # The lay line of the concept started on the line before.
            extra = tuple(Term(t, "lay", "", number) for t in lay)
            concepts[-1] = current = Concept(current.id, current.preferred, current.group,
                                             current.terms + extra, current.file, current.line)
            continue
        concept_id, concept_group, start = pending or (_slug(clinical[0]), group, number)
        pending = None
        terms = [Term(clinical[0], "preferred", "", number)]
        terms += [Term(t, "clinical", "", number) for t in clinical[1:]]
        terms += [Term(t, "lay", "", number) for t in lay]
        current = Concept(concept_id, clinical[0], concept_group, tuple(terms), str(path), start)
        concepts.append(current)
    if problems:
        raise ThesaurusError(problems)
    return concepts


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "concept"
