"""The site's page text (`.txt`): what a browser's "save as text" gives of a summary page.

Layout, top to bottom: site chrome (menus, footer), a numbered breadcrumb
(Home, Research, <category>, <title>), the title, the journal line
(`Journal, 2023 · DOI: … · Published: July 3, 2023`, parts split by `·`, `|` or
`•`; a page may have none: the title and the id, from the file name, are enough),
the categories run together (`SurgeryAcute Care`), then labelled sections.
Chrome before the breadcrumb and after the last section (feedback box, "Back to
…") is dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from indexer.errors import ParseError
from indexer.formats import FileResult, decode
from indexer.record import build_summary

KNOWN_CATEGORIES = (
    "Acute Care", "Surgery", "Oncology", "Regenerative Medicine", "Neuromodulation",
    "Rehabilitation", "Assistive Technology", "Pain", "Spasticity", "Urology", "Bowel",
    "Sexual Health & Fertility", "Skin & Pressure Injuries", "Cardiovascular & Autonomic",
    "Respiratory", "Bone Health", "Mental Health", "Pediatrics", "Quality of Life",
    "Caregivers & Family",
)

SECTIONS = {
    "simple explanation": "simple_explanation",
    "study duration": "study_duration",
    "duration": "study_duration",
    "participants": "participants",
    "evidence level": "evidence_level",
    "level of evidence": "evidence_level",
    "key findings": "key_findings",
    "research summary": "research_summary",
    "practical implications": "practical_implications",
    "study limitations": "limitations",
    "limitations": "limitations",
}
# Lines that start the site's chrome after the content: parsing stops there.
END_MARKERS = re.compile(
    r"^(your feedback|was this summary helpful\??|back to .+|related (research|summaries)"
    r"|share this (summary|page)|quick links|© .*|\(c\) .*)$",
    re.IGNORECASE,
)
_CRUMB = re.compile(r"^\s*(\d+)\.\s+(.+?)\s*$")
_BULLET = re.compile(r"^\s*(?:[•\u2022*\-–]\s*(?:\d+[.)]?)?|\d+[.)])\s*(.*)$")
# What splits the journal line's parts ('|' only between spaces, to find the line).
_PART = "[·|•]"
_SEPARATOR = re.compile(rf"\s{_PART}\s|[·•]")
_JOURNAL_LINE = re.compile(rf"^(?P<journal>.+?),\s*(?P<year>\d{{4}})\s*(?:{_PART}|$)")
_NCT = re.compile(r"\bNCT\d{8}\b")

Line = tuple[int, str]  # (line number, text)


def parse(path: Path, data: bytes, result: FileResult) -> None:
    text = decode(path, data, result.warnings)
    lines: list[Line] = [(n, raw.rstrip()) for n, raw in enumerate(text.split("\n"), start=1)]
    raw: dict[str, Any] = {}
    where: dict[str, int] = {}

    crumbs, after_crumbs = _breadcrumb(lines)
    body = lines[after_crumbs:]
    content = [(n, t.strip()) for n, t in body if t.strip()]
    journal_at = _find_journal_line(content)
    # Without a journal line, the title is the line above the first section.
    first_at = next((i for i, (_, t) in enumerate(content) if t.lower() in SECTIONS), None)
    if journal_at is None and first_at is None:
        raise ParseError(path, "no journal line such as 'Spinal Cord, 2021 · DOI: …' and no "
                         "section such as 'Simple Explanation': is this a summary page?")
    title_at = journal_at if journal_at is not None else first_at
    assert title_at is not None
    category = crumbs[-2][1] if len(crumbs) >= 3 else ""
    categories: list[str] = []
    if journal_at is None and title_at >= 2 and _is_categories(content[title_at - 1][1],
                                                               category):
        title_at -= 1  # the categories run between the title and the first section
        categories = split_categories(content[title_at][1], category)
        where["categories"] = content[title_at][0]
    if title_at == 0:
        what = "journal line" if journal_at is not None else "first section"
        raise ParseError(path, f"no title above the {what}", line=content[0][0],
                         field="title")
    title_line, title = content[title_at - 1]
    if crumbs and len(crumbs[-1][1]) > len(title):
        title = crumbs[-1][1]  # the heading was cut short; the breadcrumb has it whole
    raw["title"], where["title"] = title, title_line
    if journal_at is not None:
        _read_journal_line(content[journal_at], raw, where)

    rest = content[journal_at + 1:] if journal_at is not None else []
    if rest and rest[0][1].lower() not in SECTIONS:
        categories = split_categories(rest[0][1], category)
        where["categories"] = rest[0][0]
        rest = rest[1:]
    raw["category"] = category or (categories[0] if categories else "")
    raw["categories"] = categories

    first_section = next((n for n, t in body if t.strip().lower() in SECTIONS), None)
    sections = _sections([(n, t) for n, t in body if first_section and n >= first_section])
    for key, (start, section_lines) in sections.items():
        where[key] = start
        if key in ("key_findings", "limitations"):
            raw[key] = _list_items(section_lines)
        elif key == "practical_implications":
            raw[key] = _implications(section_lines)
        else:
            raw[key] = "\n\n".join(_paragraphs(section_lines))
    for heading in ("simple explanation", "key findings", "research summary"):
        if SECTIONS[heading] not in sections:
            result.warnings.append(f"no '{heading.title()}' section")

    summary, warnings = build_summary(raw, path=path, default_id=path.stem, lines=where,
                                      digest=result.digest)
    result.summaries.append(summary)
    result.warnings.extend(warnings)


def _breadcrumb(lines: list[Line]) -> tuple[list[Line], int]:
    """The numbered breadcrumb starting at "1. Home", and the index just after it."""
    for i, (_, text) in enumerate(lines):
        match = _CRUMB.match(text)
        if match and match.group(1) == "1" and match.group(2).lower() == "home":
            crumbs: list[Line] = []
            j = i
            while j < len(lines):
                m = _CRUMB.match(lines[j][1])
                if m and int(m.group(1)) == len(crumbs) + 1:
                    crumbs.append((lines[j][0], m.group(2)))
                elif lines[j][1].strip():
                    break
                j += 1
            return crumbs, j
    return [], 0


def _find_journal_line(content: list[Line]) -> int | None:
    for i, (_, text) in enumerate(content[:40]):
        if text.lower() in SECTIONS:
            return None
        if _JOURNAL_LINE.match(text) and (_SEPARATOR.search(text) or i > 0):
            return i
    return None


def _read_journal_line(line: Line, raw: dict[str, Any], where: dict[str, int]) -> None:
    number, text = line
    head, *parts = [p.strip() for p in re.split(_PART, text)]
    match = _JOURNAL_LINE.match(head + " ·")
    if match:
        raw["journal"] = journal_name(match.group("journal"))
        raw["year"] = match.group("year")
    for part in parts:
        label, _, value = part.partition(":")
        label = label.strip().lower()
        if label == "doi":
            raw["doi"] = value.strip()
        elif label in ("published", "publication date", "date"):
            raw["published"] = value.strip()
    trial = _NCT.search(text)
    if trial and "doi" not in raw:
        raw.setdefault("id", trial.group(0))
        raw.setdefault("url", f"https://clinicaltrials.gov/study/{trial.group(0)}")
    for key in ("journal", "year", "doi", "published"):
        where[key] = number


def journal_name(name: str) -> str:
    """Journal names given in capitals ("SPINAL CORD SERIES AND CASES") get title case."""
    name = re.sub(r"\s+", " ", name).strip()
    words = name.split()
    if name.isupper() and len(words) >= 3:
        small = {"of", "and", "the", "in", "for", "on", "&"}
        return " ".join(w.lower() if i and w.lower() in small else w.capitalize()
                        for i, w in enumerate(words))
    return name


def _is_categories(text: str, primary: str) -> bool:
    """Whether a line is the run of the site's categories ("UrologyQuality of Life")."""
    known = {c.lower() for c in (*KNOWN_CATEGORIES, primary) if c}
    return all(c.lower() in known for c in split_categories(text, primary))


def split_categories(text: str, primary: str = "") -> list[str]:
    """Split the site's run-together categories: 'SurgeryAcute Care' -> Surgery, Acute Care."""
    known = sorted({*KNOWN_CATEGORIES, *([primary] if primary else [])}, key=len, reverse=True)
    found: list[str] = []
    rest = text.strip()
    while rest:
        for name in known:
            if rest.lower().startswith(name.lower()):
                found.append(name)
                rest = rest[len(name):].lstrip(" ,;|/")
                break
        else:
            # An unknown category: it ends where a lower-case letter meets a capital.
            match = re.match(r"(.+?[a-z)])(?=[A-Z])", rest)
            piece = match.group(1) if match else rest
            found.append(piece.strip(" ,;|/"))
            rest = rest[len(piece):].lstrip(" ,;|/")
    return [c for c in dict.fromkeys(found) if c]


def _sections(body: list[Line]) -> dict[str, tuple[int, list[Line]]]:
    sections: dict[str, tuple[int, list[Line]]] = {}
    current: list[Line] | None = None
    for number, text in body:
        stripped = text.strip()
        key = SECTIONS.get(stripped.lower())
        if key is not None and key not in sections:
            current = []
            sections[key] = (number, current)
        elif END_MARKERS.match(stripped):
            break
        elif current is not None:
            current.append((number, text))
    return sections


def _paragraphs(lines: list[Line]) -> list[str]:
    paragraphs: list[str] = []
    block: list[str] = []
    for _, text in [*lines, (0, "")]:
        if text.strip():
            block.append(text.strip())
        elif block:
            paragraphs.append(" ".join(block))
            block = []
    return paragraphs


def _list_items(lines: list[Line]) -> list[str]:
    """Items of a list written as '• 1' then the text, or '• text', '1. text', '- text'."""
    items: list[list[str]] = []
    for _, text in lines:
        if not text.strip():
            continue
        bullet = _BULLET.match(text)
        if bullet:
            items.append([bullet.group(1)] if bullet.group(1) else [])
        elif items:
            items[-1].append(text.strip())
        else:
            items.append([text.strip()])
    return [" ".join(part for part in item if part) for item in items if any(item)]


def _implications(lines: list[Line]) -> list[dict[str, str]]:
    """Heading / text pairs: a short line with no closing stop is a heading."""
    if any(_BULLET.match(text) for _, text in lines if text.strip()):
        return [{"heading": "", "text": item} for item in _list_items(lines)]
    result: list[dict[str, str]] = []
    heading = ""
    for paragraph in _paragraphs(lines):
        if len(paragraph) <= 90 and not paragraph.endswith((".", "!", "?", ":", ";")):
            if heading:
                result.append({"heading": heading, "text": ""})
            heading = paragraph
        else:
            result.append({"heading": heading, "text": paragraph})
            heading = ""
    if heading:
        result.append({"heading": heading, "text": ""})
    return result
