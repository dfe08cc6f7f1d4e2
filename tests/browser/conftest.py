"""Browser tests: the site and the widget in Chromium, driven by Playwright.

One browser and one server per session: the server is the real app on the
bundled corpus (`index_data/summaries`, indexed once into a temporary folder)
on a free port (the editor pages' tests start another, with a password and a
query log, on the same index). Each test gets a fresh browser context (no
shared cookies, history or settings). Without Chromium at CHROMIUM (default /usr/bin/chromium)
the tests are skipped, unless SCISEARCH_REQUIRE_BROWSER=1 (as in CI): then
they fail, so that CI never passes without running them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.helpers import THIRD_PARTY
from tests.conftest import REPO

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("SCISEARCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("SCISEARCH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SCISEARCH_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"browser tests need Chromium: {reason} "
                "(apt-get install chromium, or set SCISEARCH_CHROMIUM)")


@pytest.fixture(scope="session")
def site_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled corpus, built once for the session."""
    import synonyms
    from indexer.build import build_index
    from synonyms.loader import shipped_dir

    index_dir = tmp_path_factory.mktemp("browser") / "index"
    # The shipped thesaurus, as on the real site (other tests use the small test one).
    thesaurus = synonyms.load(shipped_dir())
    report = build_index([REPO / "index_data" / "summaries"], index_dir, thesaurus=thesaurus)
    assert report.ok, report.errors
    return index_dir


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """`app` served on a free port of 127.0.0.1 while the block runs; its URL."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture(scope="session")
def site(site_index: Path) -> Iterator[str]:
    """The URL of the site, serving an index of the bundled corpus."""
    from searchapp import create_app

    app = create_app({"INDEX_DIR": site_index, "CORS_ORIGINS": (THIRD_PARTY,),
                      "QUERY_LOG": "off"})
    with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} does not exist")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def page_maker(browser: Browser, site: str) -> Iterator[Callable[..., Page]]:
    """Call the maker with browser context options (viewport, java_script_enabled, ...)
    for a page whose relative URLs go to `site`; its contexts are closed at the end."""
    contexts = []

    def make(**options: Any) -> Page:
        context = browser.new_context(base_url=site, **options)
        context.set_default_timeout(5000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(browser: Browser, site: str) -> Iterator[Callable[..., Page]]:
    with page_maker(browser, site) as make:
        yield make


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()
