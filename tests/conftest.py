from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
REPO = TESTS.parent
SHARED = REPO.parent / "shared"
SEED_PAGE = SHARED / "seed" / "example_summary_page.txt"


@pytest.fixture(autouse=True, scope="session")
def no_query_log() -> Iterator[None]:
    """Apps made by fixtures shared by a module or the session log no searches either:
    the default log is the checkout's own (index_data/), which the site started from
    the README reports to its editors."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCISEARCH_QUERY_LOG", "off")
        yield


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


# The query log's databases: every test taking `log_setting` runs on SQLite and on
# PostgreSQL. PostgreSQL needs a server: SCISEARCH_TEST_POSTGRESQL names one
# (`.ci/postgres start` runs a throwaway one); without it those runs are skipped,
# unless SCISEARCH_REQUIRE_POSTGRESQL=1 (CI), where they fail.
DATABASES = ["sqlite", "postgresql"]


@contextmanager
def log_database(kind: str, folder: Path) -> Iterator[str]:
    """A new, empty query log: a SQLite file in `folder`, or a PostgreSQL database of
    its own (dropped afterwards). Yields its SCISEARCH_QUERY_LOG value."""
    if kind == "sqlite":
        yield str(folder / "log.sqlite3")
        return
    server = os.environ.get("SCISEARCH_TEST_POSTGRESQL", "")
    if not server:
        if os.environ.get("SCISEARCH_REQUIRE_POSTGRESQL") == "1":
            pytest.fail("SCISEARCH_TEST_POSTGRESQL is not set (see .ci/postgres)")
        pytest.skip("no PostgreSQL server: set SCISEARCH_TEST_POSTGRESQL (.ci/postgres start)")
    import sqlalchemy as sa

    name = f"scisearch_test_{secrets.token_hex(6)}"
    admin = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        from searchapp.editorial.database import close_all

        close_all()
        with admin.connect() as db:
            db.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=DATABASES)
def log_setting(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with log_database(request.param, tmp_path) as setting:
        yield setting
