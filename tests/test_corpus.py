"""The bundled sample corpus: every file reads cleanly, and it spreads as promised."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from indexer.formats import FileResult, read_file
from indexer.record import Summary, is_valid_doi
from tests.conftest import REPO

SUMMARIES = REPO / "index_data" / "summaries"


@cache
def _results() -> tuple[FileResult, ...]:
    return tuple(read_file(path) for path in sorted(SUMMARIES.iterdir()))


def _summaries() -> list[Summary]:
    return [s for result in _results() for s in result.summaries]


def test_every_file_parses_without_an_error_or_a_warning() -> None:
    problems = {r.path.name: [*map(str, r.errors), *r.warnings]
                for r in _results() if r.errors or r.warnings}
    assert problems == {}
    assert all(len(r.summaries) == 1 for r in _results())


def test_at_least_160_summaries_mostly_page_text_some_markdown() -> None:
    suffixes = Counter(path.suffix for path in SUMMARIES.iterdir())
    assert sum(suffixes.values()) >= 160
    assert suffixes[".txt"] >= 140
    assert suffixes[".md"] >= 10
    assert set(suffixes) == {".txt", ".md"}


def test_spread_over_categories_with_thin_and_rich_topics() -> None:
    counts = Counter(s.category for s in _summaries())
    assert len(counts) >= 14
    assert min(counts.values()) == 1  # a deliberately thin topic for the coverage report
    assert max(counts.values()) >= 12
    assert sum(1 for s in _summaries() if len(s.categories) > 1) >= 20


def test_spread_over_evidence_levels_years_and_study_sizes() -> None:
    summaries = _summaries()
    assert len({s.evidence_level for s in summaries}) >= 6
    assert "Not specified" not in {s.evidence_level for s in summaries}
    years = [s.year for s in summaries]
    assert None not in years
    assert max(y for y in years if y) - min(y for y in years if y) >= 25
    sizes = [int(m.group().replace(",", "")) for s in summaries
             if (m := re.search(r"\d[\d,]*", s.participants))]
    assert min(sizes) <= 5 and max(sizes) >= 1000
    assert sum(1 for n in sizes if n < 50) >= 20 and sum(1 for n in sizes if n >= 500) >= 10


def test_every_summary_has_the_sites_sections() -> None:
    for s in _summaries():
        assert s.simple_explanation and s.research_summary, s.id
        assert 2 <= len(s.key_findings) <= 4, s.id
        assert 2 <= len(s.practical_implications) <= 3, s.id
        assert all(i.heading and i.text for i in s.practical_implications), s.id
        assert 2 <= len(s.limitations) <= 3, s.id
        assert s.journal and s.category, s.id


def test_ids_and_titles_are_unique_and_dois_well_formed() -> None:
    summaries = _summaries()
    assert len({s.id for s in summaries}) == len(summaries)
    titles = Counter(s.title.casefold() for s in summaries)
    assert [t for t, n in titles.items() if n > 1] == []
    dois = [s.doi for s in summaries if s.doi]
    assert all(is_valid_doi(d) for d in dois)
    assert len(set(dois)) == len(dois)


def test_file_names_follow_the_convention() -> None:
    for path in SUMMARIES.iterdir():
        assert re.fullmatch(r"[a-z][a-z0-9-]*-(19|20)\d\d-[a-z0-9-]+\.(txt|md)", path.name), path


def test_provenance_table_lists_every_file_with_its_doi() -> None:
    readme = (REPO / "index_data" / "README.md").read_text(encoding="utf-8")
    assert "not medical advice" in readme.lower()
    rows = {m.group(1): m.group(2) for m in re.finditer(
        r"^\| `([^`]+)` \|.*\| (`[^`]+`|no DOI given) \|$", readme, re.MULTILINE)}
    for result in _results():
        [summary] = result.summaries
        assert result.path.name in rows, f"{result.path.name} is missing from the table"
        expected = f"`{summary.doi}`" if summary.doi else "no DOI given"
        assert rows[result.path.name] == expected, result.path.name
    assert len(rows) == len(_results())
