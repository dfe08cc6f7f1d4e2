"""JSON (`.json`: one object or a list of them) and JSON Lines (`.jsonl`) summaries.

Records use the canonical field names of `indexer.record.FIELDS`. A field map
renames another site's fields first (`{"nct_id": "id", "brief_summary":
"simple_explanation"}`), so any export can be read without a converter. A bad
record is reported and skipped; the file's other records are still indexed.
Errors name the line: of a JSON Lines record, or of the field (else the record's
first line) in a `.json` file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from indexer.errors import ParseError
from indexer.formats import TOO_DEEP, FileResult, decode, whole_number
from indexer.record import build_summary


def parse(path: Path, data: bytes, result: FileResult, field_map: Mapping[str, str]) -> None:
    text = decode(path, data, result.warnings)
    records: list[tuple[str, int | None, Any]] = []
    spans: list[tuple[int, int]] = []  # of each record in a .json file's text
    if path.suffix.lower() == ".jsonl":
        for number, text_line in enumerate(text.split("\n"), start=1):
            if not text_line.strip():
                continue
            try:
                records.append(("", number, json.loads(text_line, parse_int=whole_number)))
            except json.JSONDecodeError as exc:
                result.errors.append(ParseError(path, f"not valid JSON ({exc.msg})",
                                                line=number))
            except RecursionError:  # the other lines are still read
                result.errors.append(ParseError(path, TOO_DEEP, line=number))
    else:
        try:
            loaded = json.loads(text, parse_int=whole_number)
        except json.JSONDecodeError as exc:
            raise ParseError(path, f"not valid JSON ({exc.msg}, column {exc.colno})",
                             line=exc.lineno) from None
        spans = _spans(text, isinstance(loaded, list))
        items = loaded if isinstance(loaded, list) else [loaded]
        records = [(f"record {i}" if isinstance(loaded, list) else "", _line(text, start),
                    item) for i, (item, (start, _)) in enumerate(zip(items, spans, strict=True),
                                                                 start=1)]
    single = len(records) == 1 and not result.errors
    seen: dict[str, str] = {}
    keys = {canonical: [k for k, v in field_map.items() if v == canonical] + [canonical]
            for canonical in set(field_map.values())}
    for number, (label, line, item) in enumerate(records):
        where = label or None
        if not isinstance(item, dict):
            result.errors.append(ParseError(path, "expected an object with fields such as "
                                            f"'title', got {type(item).__name__}",
                                            line=line, record=where))
            continue
        raw = {field_map.get(k, k): v for k, v in item.items()}
        try:
            summary, warnings = build_summary(
                raw, path=path, default_id=path.stem if single else None,
                record=where, line=line, digest=result.digest)
        except ParseError as exc:
            if spans and exc.field:  # the field's own line, when it is there
                exc = ParseError(path, exc.reason, record=exc.record, field=exc.field,
                                 line=_field_line(text, spans[number],
                                                  keys.get(exc.field, [exc.field])) or line)
            result.errors.append(exc)
            continue
        if summary.id in seen:
            result.errors.append(ParseError(
                path, f"id '{summary.id}' is used twice in this file (also {seen[summary.id]})",
                line=line, field="id", record=where))
            continue
        place = ", ".join(p for p in (label, f"line {line}" if len(records) > 1 else "") if p)
        seen[summary.id] = place or "the file"
        result.summaries.append(summary)
        result.warnings.extend(f"{place}: {w}" if place else w for w in warnings)


def _spans(text: str, is_list: bool) -> list[tuple[int, int]]:
    """Where each record of a valid .json file's text starts and ends."""
    decoder = json.JSONDecoder(parse_int=whole_number)
    space = re.compile(r"[ \t\n\r]*")
    position = space.match(text, 0).end()  # type: ignore[union-attr]
    if not is_list:
        return [(position, len(text))]
    spans = []
    position = space.match(text, position + 1).end()  # type: ignore[union-attr]
    while text[position] != "]":
        _, end = decoder.raw_decode(text, position)
        spans.append((position, end))
        position = space.match(text, end).end()  # type: ignore[union-attr]
        if text[position] == ",":
            position = space.match(text, position + 1).end()  # type: ignore[union-attr]
    return spans


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _field_line(text: str, span: tuple[int, int], keys: list[str]) -> int | None:
    """The line of the first of `keys` written as a field of the record at `span`."""
    found = [m.start() for key in keys
             if (m := re.compile(re.escape(json.dumps(key)) + r"\s*:").search(text, *span))]
    return _line(text, min(found)) if found else None
