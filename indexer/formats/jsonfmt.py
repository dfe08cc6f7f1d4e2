"""JSON (`.json`: one object or a list of them) and JSON Lines (`.jsonl`) summaries.

Records use the canonical field names of `indexer.record.FIELDS`. A field map
renames another site's fields first (`{"nct_id": "id", "brief_summary":
"simple_explanation"}`), so any export can be read without a converter. A bad
record is reported and skipped; the file's other records are still indexed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from indexer.errors import ParseError
from indexer.formats import FileResult, decode
from indexer.record import build_summary


def parse(path: Path, data: bytes, result: FileResult, field_map: Mapping[str, str]) -> None:
    text = decode(path, data, result.warnings)
    records: list[tuple[str, int | None, Any]] = []
    if path.suffix.lower() == ".jsonl":
        for number, text_line in enumerate(text.split("\n"), start=1):
            if not text_line.strip():
                continue
            try:
                records.append((f"record on line {number}", number, json.loads(text_line)))
            except json.JSONDecodeError as exc:
                result.errors.append(ParseError(path, f"not valid JSON ({exc.msg})",
                                                line=number))
    else:
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(path, f"not valid JSON ({exc.msg}, column {exc.colno})",
                             line=exc.lineno) from None
        if isinstance(loaded, list):
            records = [(f"record {i}", None, item) for i, item in enumerate(loaded, start=1)]
        else:
            records = [("", None, loaded)]
    single = len(records) == 1 and not result.errors
    seen: dict[str, str] = {}
    for label, line, item in records:
        where = label or None
        if not isinstance(item, dict):
            result.errors.append(ParseError(path, "expected an object with fields such as "
                                            f"'title', got {type(item).__name__}",
                                            line=line, record=where if line is None else None))
            continue
        raw = {field_map.get(k, k): v for k, v in item.items()}
        try:
            summary, warnings = build_summary(
                raw, path=path, default_id=path.stem if single else None,
                record=where if line is None else None,
                line=line, digest=result.digest)
        except ParseError as exc:
            result.errors.append(exc)
            continue
        if summary.id in seen:
            result.errors.append(ParseError(
                path, f"id '{summary.id}' is used twice in this file (also {seen[summary.id]})",
                line=line, field="id", record=where if line is None else None))
            continue
        seen[summary.id] = label or "the file"
        result.summaries.append(summary)
        prefix = f"{label}: " if label else ""
        result.warnings.extend(prefix + w for w in warnings)
