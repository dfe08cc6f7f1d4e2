"""Adapters for the public corpora used to evaluate and benchmark sci-search.

Neither corpus is in the site's format, so each is turned into canonical
records (dicts with `indexer.record.FIELDS` names) that the JSON Lines reader
indexes like any site's export:

- ClinicalTrials.gov records (`nct_id`, `title`, `brief_summary`,
  `detailed_description`) need only a field map: TRIALS_FIELD_MAP.
- MedQuAD question-answer pairs are grouped into one document per source page
  (`collection/doc_id`), titled by its focus, holding all its answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

TRIALS_FIELD_MAP = {"nct_id": "id", "brief_summary": "simple_explanation",
                    "detailed_description": "research_summary"}


def medquad_records(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One record per MedQuAD source document, in the order first seen."""
    documents: dict[str, dict[str, Any]] = {}
    for line in lines:
        if not line.strip():
            continue
        pair = json.loads(line)
        key = f"{pair['collection']}/{pair['doc_id']}"
        doc = documents.setdefault(key, {
            "id": key, "title": pair.get("focus") or key, "url": pair.get("url") or "",
            "category": pair.get("source") or pair["collection"], "answers": [],
            "synonyms": pair.get("focus_synonyms") or [],
        })
        answer = (pair.get("answer") or "").strip()
        if answer and answer not in doc["answers"]:
            doc["answers"].append(answer)
    for doc in documents.values():
        answers = doc.pop("answers")
        synonyms = doc.pop("synonyms")
        doc["simple_explanation"] = answers[0] if answers else ""
        doc["research_summary"] = "\n\n".join(answers[1:])
        doc["key_findings"] = [f"Also called {s}" for s in synonyms]
        yield doc


def write_medquad_jsonl(source: Path, target: Path) -> int:
    """Convert MedQuAD's JSON Lines into canonical records; return how many documents."""
    count = 0
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for record in medquad_records(lines):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
