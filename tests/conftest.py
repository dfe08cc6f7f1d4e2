from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
REPO = TESTS.parent
SHARED = REPO.parent / "shared"
SEED_PAGE = SHARED / "seed" / "example_summary_page.txt"


@pytest.fixture(autouse=True)
def small_thesaurus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests use the small test thesaurus unless they ask for the shipped one, and log no
    searches unless they give a query log of their own."""
    monkeypatch.setenv("SCISEARCH_THESAURUS", str(DATA / "thesaurus"))
    monkeypatch.setenv("SCISEARCH_QUERY_LOG", "off")


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def seed_page() -> Path:
    if not SEED_PAGE.exists():
        pytest.skip(f"the shared seed page is not beside the repo ({SEED_PAGE})")
    return SEED_PAGE


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder with one summary of each format (copies: tests may change them)."""
    folder = tmp_path / "summaries"
    folder.mkdir()
    for name in ("page_full.txt", "summary.md", "summaries.json"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    return folder


@pytest.fixture
def built_index(corpus: Path, tmp_path: Path) -> Iterator[Path]:
    from indexer.build import build_index

    index_dir = tmp_path / "index"
    report = build_index([corpus], index_dir)
    assert report.ok, report.errors
    yield index_dir
