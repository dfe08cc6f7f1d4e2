"""The `Summary` record: what every input format is turned into.

Formats hand `build_summary` a plain mapping of canonical field names (and the
line each came from, when they know it); this module validates and coerces the
values, derives the id and normalises the evidence level. The result is a frozen
`Summary` that the index, the search results and `scisearch inspect` all share.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer import evidence
from indexer.errors import ParseError, SettingError

FIELDS: tuple[str, ...] = (
    "id", "title", "url", "journal", "year", "published", "doi", "category", "categories",
    "evidence_level", "evidence_note", "study_duration", "participants", "simple_explanation",
    "key_findings", "research_summary", "practical_implications", "limitations",
)
REQUIRED: tuple[str, ...] = ("title",)
EMPTY_VALUES = {"not specified", "not stated", "not reported", "n/a", "na", "none", "unknown",
                "-", "--", "\u2014"}

_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}
_MONTHS.update({name[:3]: num for name, num in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")


@dataclass(frozen=True)
class Implication:
    heading: str
    text: str


@dataclass(frozen=True)
class Summary:
    """One research summary, as read from a file. Lists are tuples: the record is frozen."""

    id: str
    title: str
    url: str = ""
    journal: str = ""
    year: int | None = None
    published: dt.date | None = None
    doi: str = ""
    category: str = ""
    categories: tuple[str, ...] = ()
    evidence_level: str = evidence.NOT_SPECIFIED.name
    evidence_note: str = ""
    study_duration: str = ""
    participants: str = ""
    simple_explanation: str = ""
    key_findings: tuple[str, ...] = ()
    research_summary: str = ""
    practical_implications: tuple[Implication, ...] = ()
    limitations: tuple[str, ...] = ()
    # Where it came from: not part of the canonical record.
    source: str = field(default="", compare=False)
    content_hash: str = field(default="", compare=False)

    @property
    def evidence(self) -> evidence.EvidenceLevel:
        return evidence.by_name(self.evidence_level)

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON form (the same names `.json` input accepts)."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "journal": self.journal,
            "year": self.year,
            "published": self.published.isoformat() if self.published else "",
            "doi": self.doi,
            "category": self.category,
            "categories": list(self.categories),
            "evidence_level": self.evidence_level,
            "evidence_note": self.evidence_note,
            "study_duration": self.study_duration,
            "participants": self.participants,
            "simple_explanation": self.simple_explanation,
            "key_findings": list(self.key_findings),
            "research_summary": self.research_summary,
            "practical_implications": [
                {"heading": i.heading, "text": i.text} for i in self.practical_implications
            ],
            "limitations": list(self.limitations),
        }

    def text_fields(self) -> dict[str, str]:
        """The searchable text, grouped the way the index weights it."""
        details = [f"{i.heading}. {i.text}" if i.heading else i.text
                   for i in self.practical_implications]
        details.extend(self.limitations)
        return {
            "title": self.title,
            "key_findings": "\n".join(self.key_findings),
            "simple_explanation": self.simple_explanation,
            "research_summary": self.research_summary,
            "details": "\n".join(details),
            "meta": " ".join(filter(None, [self.journal, self.participants,
                                           self.study_duration, self.evidence_note])),
        }


# An id given in this form is kept as it is ("NCT00771238"); any other is made a slug.
ID_AS_GIVEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9])?")


def slugify(text: str, max_length: int = 80) -> str:
    """A stable, URL-safe id: lowercase ASCII words joined by hyphens."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def normalise_doi(value: str) -> str:
    return _DOI_PREFIX.sub("", value.strip()).strip().rstrip(".")


def is_valid_doi(value: str) -> bool:
    return bool(_DOI_SHAPE.match(value))


def parse_date(value: str) -> dt.date | None:
    """Read ISO dates and the site's "July 3, 2023" (also "3 July 2023", "Jul 3 2023")."""
    text = value.strip().rstrip(".")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    words = re.findall(r"[A-Za-z]+|\d+", text)
    months = [w for w in words if w.lower() in _MONTHS]
    numbers = [int(w) for w in words if w.isdigit()]
    if len(months) == 1 and len(numbers) == 2 and len(words) == 3:
        day, year = sorted(numbers)
        try:
            return dt.date(year, _MONTHS[months[0].lower()], day)
        except ValueError:
            return None
    return None


def _text(value: Any, name: str, fail: _Fail) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(name, f"expected text, got {type(value).__name__}")
    text = re.sub(r"[ \t]+", " ", str(value)).strip()
    return "" if text.lower().rstrip(".") in EMPTY_VALUES else text


def _text_list(value: Any, name: str, fail: _Fail) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence):
        raise fail(name, f"expected a list of texts, got {type(value).__name__}")
    items = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, str):
            raise fail(name, f"item {number} should be text, got {type(item).__name__}")
        if item.strip():
            items.append(re.sub(r"\s+", " ", item).strip())
    return tuple(items)


def _implications(value: Any, fail: _Fail) -> tuple[Implication, ...]:
    name = "practical_implications"
    if value is None or value == "":
        return ()
    if isinstance(value, (str, Mapping)):
        value = [value]
    if not isinstance(value, Sequence):
        raise fail(name, f"expected a list of {{heading, text}}, got {type(value).__name__}")
    result = []
    for number, item in enumerate(value, start=1):
        if isinstance(item, str):
            item = {"heading": "", "text": item}
        if not isinstance(item, Mapping):
            raise fail(name, f"item {number} should be {{heading, text}}, "
                             f"got {type(item).__name__}")
        unknown = set(item) - {"heading", "text"}
        if unknown:
            raise fail(name, f"item {number} has unknown keys {sorted(unknown)}; "
                             "use 'heading' and 'text'")
        heading = _text(item.get("heading"), name, fail)
        text = _text(item.get("text"), name, fail)
        if heading or text:
            result.append(Implication(heading, text))
    return tuple(result)


def quoted(text: str, limit: int = 60) -> str:
    """A value as a message quotes it: its start only, when it is long."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}\u2026 ({len(text):,} characters)"


def _year(value: Any, fail: _Fail) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise fail("year", "expected a year such as 2021")
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise fail("year", f"expected a four-digit year such as 2021, got {quoted(text)}")
    year = int(text)
    if not 1900 <= year <= dt.date.today().year + 1:
        raise fail("year", f"{year} is not a plausible publication year")
    return year


def _published(value: Any, fail: _Fail) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise fail("published", f"expected a date, got {type(value).__name__}")
    date = parse_date(value)
    if date is None:
        raise fail("published", f"cannot read the date {quoted(value.strip())}; "
                                "write it as 2023-07-03 or July 3, 2023")
    return date


class _Fail:
    """Builds ParseErrors that name the file, record and the field's line."""

    def __init__(self, path: Path, record: str | None, lines: Mapping[str, int],
                 line: int | None) -> None:
        self.path, self.record, self.lines, self.line = path, record, lines, line

    def __call__(self, name: str, reason: str) -> ParseError:
        return ParseError(self.path, reason, line=self.lines.get(name, self.line), field=name,
                          record=self.record)


MAX_FIELD_CHARS = "SCISEARCH_MAX_FIELD_CHARS"
MAX_FILE_MB = "SCISEARCH_MAX_FILE_MB"
# Limits on what one summary may hold, and one file: a 50 MB summary took 131 s and
# 1.5 GB to index, and then every search that showed it ran past gunicorn's timeout.
# The longest field of the 2,940 registered trials is 27,245 characters; the trials'
# file is 10 MB.
_LIMITS = {MAX_FIELD_CHARS: 100_000, MAX_FILE_MB: 100}


def limit(name: str) -> int:
    """The limit `name` (MAX_FIELD_CHARS, MAX_FILE_MB): its environment variable, else
    the default. Raises SettingError for a value that is not a positive whole number."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return _LIMITS[name]
    if not raw.isdigit() or int(raw) < 1:
        raise SettingError(f"{name}={raw!r}: must be a whole number of at least 1")
    return int(raw)


def _check_sizes(raw: Mapping[str, Any], fail: _Fail, most: int) -> None:
    for name, value in raw.items():
        size = sum(len(str(v)) for v in value) if isinstance(value, list) else \
            len(str(value)) if value is not None else 0
        if size > most:
            raise fail(name, f"{size:,} characters, over the limit of {most:,} "
                             f"({MAX_FIELD_CHARS}): the summary is skipped")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read a megabyte at a time (model files, index files)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def unknown_field_warning(name: str) -> str:
    close = difflib.get_close_matches(name, FIELDS, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown field '{name}' ignored{hint}"


def build_summary(
    raw: Mapping[str, Any],
    *,
    path: Path,
    default_id: str | None,
    record: str | None = None,
    lines: Mapping[str, int] | None = None,
    line: int | None = None,
    digest: str = "",
) -> tuple[Summary, list[str]]:
    """Validate `raw` (canonical field names) into a Summary; return it with its warnings.

    `default_id` is used when the record has neither an id nor a DOI (the file
    name, for files holding one record). Errors name the field and its line
    (from `lines`, else `line`, the record's own). Raises ParseError.
    """
    fail = _Fail(path, record, lines or {}, line)
    _check_sizes(raw, fail, limit(MAX_FIELD_CHARS))
    warnings = [unknown_field_warning(k) for k in raw if k not in FIELDS]

    title = _text(raw.get("title"), "title", fail)
    if not title:
        raise fail("title", "a title is required")
    doi = normalise_doi(_text(raw.get("doi"), "doi", fail))
    if doi and not is_valid_doi(doi):
        raise fail("doi", f"{quoted(doi)} is not a DOI (expected something like "
                          "10.1186/s13018-023-1)")
    given_id = _text(raw.get("id"), "id", fail)
    if given_id:
        summary_id = given_id if ID_AS_GIVEN.fullmatch(given_id) else slugify(given_id)
        if not summary_id:
            raise fail("id", f"{quoted(given_id)} has no letters or digits to make an id from")
    elif doi:
        summary_id = slugify(doi)
    elif default_id:
        summary_id = slugify(default_id)
    else:
        raise fail("id", "no id, and no DOI to derive one from: give each record an 'id'")

    published = _published(raw.get("published"), fail)
    year = _year(raw.get("year"), fail)
    if year is None and published is not None:
        year = published.year

    category = _text(raw.get("category"), "category", fail)
    categories = list(_text_list(raw.get("categories"), "categories", fail))
    if category and category not in categories:
        categories.insert(0, category)
    if not category and categories:
        category = categories[0]

    level_text = _text(raw.get("evidence_level"), "evidence_level", fail)
    level, note = evidence.normalise(level_text)
    note = _text(raw.get("evidence_note"), "evidence_note", fail) or note
    if level is evidence.OTHER:
        warnings.append(f"evidence level {quoted(level_text)} is not one the site knows; "
                        "filed under 'Other'")

    summary = Summary(
        id=summary_id,
        title=title,
        url=_text(raw.get("url"), "url", fail),
        journal=_text(raw.get("journal"), "journal", fail),
        year=year,
        published=published,
        doi=doi,
        category=category,
        categories=tuple(dict.fromkeys(categories)),
        evidence_level=level.name,
        evidence_note=note,
        study_duration=_text(raw.get("study_duration"), "study_duration", fail),
        participants=_text(raw.get("participants"), "participants", fail),
        simple_explanation=_paragraphs(raw.get("simple_explanation"), "simple_explanation",
                                       fail),
        key_findings=_text_list(raw.get("key_findings"), "key_findings", fail),
        research_summary=_paragraphs(raw.get("research_summary"), "research_summary", fail),
        practical_implications=_implications(raw.get("practical_implications"), fail),
        limitations=_text_list(raw.get("limitations"), "limitations", fail),
        source=str(path),
        content_hash=digest,
    )
    return summary, warnings


def _paragraphs(value: Any, name: str, fail: _Fail) -> str:
    """Text that may hold paragraphs: keep blank-line breaks, fold other whitespace."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return _text(value, name, fail)
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", value)]
    text = "\n\n".join(p for p in paragraphs if p)
    return "" if text.lower().rstrip(".") in EMPTY_VALUES else text
