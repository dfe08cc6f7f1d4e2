"""Input formats: each turns one file into `Summary` records.

The format is chosen by the file's extension: `.txt` is the site's page text
(`page`), `.md` Markdown with YAML front matter (`markdown`), `.json` and
`.jsonl` the canonical field names (`jsonfmt`). `read_file` is the one entry
point; the build stage hands its `FileResult` to the index writer.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from indexer.errors import ParseError
from indexer.record import Summary, content_hash

SUFFIXES = (".txt", ".md", ".json", ".jsonl")
# A value nested deeper than Python's parsers recurse (about 1,000 levels).
TOO_DEEP = "nested too deeply to be read (a summary is a flat record of fields, lists and texts)"


def whole_number(digits: str) -> int | str:
    """A JSON integer as int; one too long for Python to read (over
    sys.get_int_max_str_digits(), 4,300 by default) stays text, for the field's check
    to refuse with a clear message (json.loads would raise ValueError)."""
    most = sys.get_int_max_str_digits()
    return int(digits) if not most or len(digits) <= most else digits


def unreadable(exc: ValueError) -> str:
    """What a value YAML could not make into a Python value says: an impossible date, a
    number too long."""
    if "integer string conversion" in str(exc):
        return f"a number of more than {sys.get_int_max_str_digits():,} digits"
    return str(exc)


@dataclass
class FileResult:
    """What one file yielded: its records, and the problems found on the way."""

    path: Path
    digest: str
    summaries: list[Summary] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


def decode(path: Path, data: bytes, warnings: list[str]) -> str:
    """UTF-8 (with or without a BOM); a UTF-8 file with a few bad bytes keeps its
    UTF-8, the bad bytes replaced; Windows-1252 as a fallback. Both with a warning."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        lenient = data.decode("utf-8-sig", errors="replace")
        bad = lenient.count("\ufffd") - data.count("\ufffd".encode())
        if any(ord(c) > 127 and c != "\ufffd" for c in lenient):
            # Other characters read as UTF-8 ("é" as two bytes): it is UTF-8 but for
            # the bad bytes; as Windows-1252, each of those characters would be garbled.
            warnings.append(f"not UTF-8 at {bad} place(s), the first at byte {exc.start}: "
                            "read as UTF-8, each bad byte shown as \ufffd")
            text = lenient
        else:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise ParseError(path, f"not UTF-8 text (bad byte at position {exc.start})"
                                 ) from None
            warnings.append(f"not UTF-8 (bad byte at position {exc.start}); read as "
                            "Windows-1252")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")


def read_file(
    path: Path, field_map: Mapping[str, str] | None = None, data: bytes | None = None
) -> FileResult:
    """Parse one summary file (its bytes, when already read). Problems land in `errors`."""
    # Imported here: each format module imports this package for `decode`.
    from indexer.formats import jsonfmt, markdown, page

    suffix = path.suffix.lower()
    try:
        data = path.read_bytes() if data is None else data
    except OSError as exc:
        result = FileResult(path, "")
        result.errors.append(ParseError(path, f"cannot read the file ({exc.strerror})"))
        return result
    result = FileResult(path, content_hash(data))
    try:
        if suffix == ".txt":
            page.parse(path, data, result)
        elif suffix == ".md":
            markdown.parse(path, data, result)
        elif suffix in (".json", ".jsonl"):
            jsonfmt.parse(path, data, result, field_map or {})
        else:
            raise ParseError(path, f"unknown file type '{suffix}': use one of "
                             + ", ".join(SUFFIXES))
    except ParseError as exc:
        result.summaries.clear()
        result.errors.append(exc)
    except RecursionError:  # json, YAML and our readers recurse into nested values
        result.summaries.clear()
        result.errors.append(ParseError(path, TOO_DEEP))
    return result
