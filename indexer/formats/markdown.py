"""Markdown summaries (`.md`): YAML front matter for the metadata, `##` sections for the rest.

    ---
    title: "..."
    journal: "Spinal Cord"
    year: 2019
    category: "Rehabilitation"
    evidence_level: "Randomized controlled trial"
    ---
    ## Simple Explanation
    ...
    ## Key Findings
    - ...
    ## Practical Implications
    ### A heading
    Its text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from indexer.errors import ParseError
from indexer.formats import FileResult, decode, unreadable
from indexer.formats.page import SECTIONS
from indexer.record import build_summary

_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def parse(path: Path, data: bytes, result: FileResult) -> None:
    text = decode(path, data, result.warnings)
    front = _FRONT.match(text)
    meta: dict[str, Any] = {}
    body_offset = 0
    if front:
        try:
            loaded = yaml.safe_load(front.group(1))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else None
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise ParseError(path, f"front matter is not valid YAML ({problem})",
                             line=line) from None
        except ValueError as exc:  # "published: 2020-02-30", a 5,000-digit number
            raise ParseError(path, "front matter holds a value that cannot be read "
                             f"({unreadable(exc)})") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ParseError(path, "front matter must be 'key: value' lines", line=2)
        meta = {str(k): v for k, v in (loaded or {}).items()}
        body_offset = text[: front.end()].count("\n")
    where = {key: _front_line(text, key) for key in meta}
    body = text[front.end():] if front else text

    raw: dict[str, Any] = dict(meta)
    current: str | None = None
    blocks: dict[str, list[str]] = {}
    fenced = False
    warned = len(result.warnings)
    for number, line in enumerate(body.split("\n"), start=body_offset + 1):
        if _FENCE.match(line):
            fenced = not fenced
        # A '#' line in a fenced code block is code, not a heading.
        heading = None if fenced else re.match(r"^(#{1,3})\s+(.*?)\s*#*\s*$", line)
        if heading and len(heading.group(1)) == 1 and "title" not in raw:
            raw["title"] = heading.group(2)
            where["title"] = number
            continue
        if heading and len(heading.group(1)) == 2:
            name = heading.group(2).strip().lower()
            current = SECTIONS.get(name)
            if current is None:
                result.warnings.append(f"line {number}: unknown section '{heading.group(2)}' "
                                       "ignored")
            elif current in raw and current not in blocks:
                result.warnings.append(f"line {number}: '{heading.group(2)}' is also in the "
                                       "front matter; the section wins")
            if current is not None:
                blocks[current] = []
                where[current] = number
            continue
        if current is not None:
            blocks[current].append(line)

    if not front and not blocks:
        del result.warnings[warned:]  # its headings are not a summary's: no noise about them
        raise ParseError(path, "no front matter and no section such as '## Simple "
                         "Explanation': is this a summary?")
    for key, lines in blocks.items():
        if key in ("key_findings", "limitations"):
            raw[key] = _items(lines)
        elif key == "practical_implications":
            raw[key] = _implications(lines)
        else:
            raw[key] = "\n".join(lines).strip()
    summary, warnings = build_summary(raw, path=path, default_id=path.stem, lines=where,
                                      digest=result.digest)
    result.summaries.append(summary)
    result.warnings.extend(warnings)


def _front_line(text: str, key: str) -> int:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text[: match.start()].count("\n") + 1 if match else 1


def _items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        match = _ITEM.match(line)
        if match:
            items.append(match.group(1).strip())
        elif line.strip() and items:
            items[-1] += " " + line.strip()
        elif line.strip():
            items.append(line.strip())
    return items


def _implications(lines: list[str]) -> list[dict[str, str]]:
    result: list[dict[str, str]] = []
    for line in lines:
        heading = re.match(r"^###\s+(.*?)\s*#*\s*$", line)
        item = _ITEM.match(line)
        if heading:
            result.append({"heading": heading.group(1), "text": ""})
        elif item:
            result.append({"heading": "", "text": item.group(1).strip()})
        elif line.strip():
            if not result:
                result.append({"heading": "", "text": ""})
            last = result[-1]
            last["text"] = (last["text"] + " " + line.strip()).strip()
    return result
