"""Deterministic synthetic summaries, for benchmarks and tests of scale.

`generate(n, seed)` gives `n` canonical records (dicts); `render_page` writes
one as the site's page text, so benchmarks exercise the same reader as real
pages. Words are drawn with Zipf's law (frequency ~ 1/rank) from a vocabulary
of SCI terms spread over the ranks among 6,000 made-up words, so that, as in
real text, a few words are in nearly every summary and most are in few. The
text is word salad with the right shape and statistics, not content: never
ship it as a sample summary.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from indexer.formats.page import KNOWN_CATEGORIES

_WORDS = (
    "spinal cord injury stem cell transplantation walking gait epidural stimulation bladder "
    "bowel catheter infection pressure injury skin ulcer wound healing spasticity baclofen "
    "botulinum toxin neuropathic pain pregabalin gabapentin depression anxiety quality life "
    "wheelchair exoskeleton robotic training rehabilitation therapy tetraplegia paraplegia "
    "cervical thoracic lumbar vertebra fracture decompression surgery fusion metastasis tumor "
    "radiotherapy autonomic dysreflexia blood pressure orthostatic hypotension respiratory "
    "ventilation diaphragm pneumonia bone density osteoporosis fertility sexual function "
    "children adolescents caregivers employment community participation outcomes trial "
    "patients participants weeks months years improved reduced increased compared control "
    "group randomized cohort review evidence safety feasibility recovery motor sensory "
    "function hand grasp upper limb lower limb muscle strength fatigue sleep nutrition"
).split()
_LEVELS = ("Systematic Review", "Randomized Controlled Trial", "Prospective cohort study",
           "Case series", "Animal study", "Cross-sectional study", "Expert opinion")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pre", "dor", "lin", "tes",
              "mar", "qui", "bel", "fon", "gra", "hus", "jen", "zor")


@cache
def _vocabulary() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Words in rank order, with their cumulative Zipf weights."""
    made_up = ["".join(p) for p in itertools.product(_SYLLABLES, repeat=3)]
    random.Random(0).shuffle(made_up)
    made_up = made_up[:6000]
    words: list[str] = []
    sci = iter(_WORDS)
    for rank, word in enumerate(made_up):
        # One SCI term every 40 ranks: some are common words, most are rare.
        if rank % 40 == 7:
            words.append(next(sci, word))
        words.append(word)
    weights = list(itertools.accumulate(1.0 / (rank + 1) ** 1.07 for rank in range(len(words))))
    return tuple(words), tuple(weights)


def _sentence(rng: random.Random, low: int = 10, high: int = 22) -> str:
    vocabulary, weights = _vocabulary()
    words = rng.choices(vocabulary, cum_weights=weights, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, words: int) -> str:
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(_sentence(rng))
    return " ".join(sentences)


def generate(n: int, seed: int = 1, words: int = 500) -> Iterator[dict[str, Any]]:
    """`n` records of about `words` words each; the same `seed` gives the same records."""
    rng = random.Random(seed)
    for number in range(1, n + 1):
        year = rng.randint(1995, 2025)
        category = rng.choice(KNOWN_CATEGORIES)
        categories = [category]
        if rng.random() < 0.2:
            categories.append(rng.choice([c for c in KNOWN_CATEGORIES if c != category]))
        yield {
            "id": f"synthetic-{seed}-{number:06d}",
            "title": _sentence(rng, 6, 12).rstrip("."),
            "journal": rng.choice(["Spinal Cord", "Journal of Neurotrauma",
                                   "Archives of Physical Medicine and Rehabilitation"]),
            "year": year,
            "published": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "doi": "",
            "category": category,
            "categories": categories,
            "evidence_level": rng.choice(_LEVELS),
            "study_duration": f"{rng.randint(4, 104)} weeks",
            "participants": f"{rng.randint(8, 2000)} adults with spinal cord injury",
            "simple_explanation": _paragraph(rng, words // 6),
            "key_findings": [_sentence(rng) for _ in range(rng.randint(2, 4))],
            "research_summary": _paragraph(rng, words // 3),
            "practical_implications": [
                {"heading": _sentence(rng, 2, 4).rstrip("."), "text": _sentence(rng)}
                for _ in range(rng.randint(2, 3))
            ],
            "limitations": [_sentence(rng) for _ in range(rng.randint(2, 3))],
        }


def render_page(record: dict[str, Any]) -> str:
    """A record as the site's page text (breadcrumb, journal line, labelled sections)."""
    year, month, day = (int(x) for x in record["published"].split("-"))
    doi = f" · DOI: https://doi.org/{record['doi']}" if record.get("doi") else ""
    lines = [
        "  1. Home", "  2. Research", f"  3. {record['category']}", f"  4. {record['title']}",
        "", record["title"], "",
        f"{record['journal']}, {record['year']}{doi} · Published: {_MONTHS[month - 1]} {day}, "
        f"{year}",
        "", "".join(record["categories"]), "", "Simple Explanation", "",
        record["simple_explanation"], "", "Study Duration", record["study_duration"] or
        "Not specified", "Participants", record["participants"] or "Not specified",
        "Evidence Level", record["evidence_level"], "", "Key Findings", "",
    ]
    for number, finding in enumerate(record["key_findings"], start=1):
        lines += [f"  • {number}", f"    {finding}"]
    lines += ["", "Research Summary", "", record["research_summary"], "",
              "Practical Implications", ""]
    for item in record["practical_implications"]:
        lines += [item["heading"], "", item["text"], ""]
    lines += ["Study Limitations", ""]
    for number, limitation in enumerate(record["limitations"], start=1):
        lines += [f"  • {number}", f"    {limitation}"]
    lines += ["", "Your Feedback", "", "Was this summary helpful?", "",
              f"Back to {record['category']}", ""]
    return "\n".join(lines)


def write_corpus(folder: Path, n: int, seed: int = 1, words: int = 500) -> list[Path]:
    """Write `n` synthetic pages into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for record in generate(n, seed, words):
        path = folder / f"{record['id']}.txt"
        path.write_text(render_page(record), encoding="utf-8")
        paths.append(path)
    return paths
