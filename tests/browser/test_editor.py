"""The editor pages in a browser: signing in with the keyboard alone, and a report
(with a query log full of searches) that axe finds no WCAG 2.2 AA violation in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import page_maker, serve
from tests.browser.helpers import axe_violations, focused, scrolls_sideways, tab_until

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PASSWORD = "an editor's password"
SEARCHES = {"walking again": 6, "bladder infection": 4, "multiple sclerosis": 3,
            "zzqx flarb": 2, "zzqx flarbs": 1, "pressure sores": 5, "hair loss": 2}


@pytest.fixture(scope="module")
def editor_site(site_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site with its editor pages on, and readers' searches in its query log."""
    from searchapp import create_app

    folder = tmp_path_factory.mktemp("editor")
    app = create_app({"INDEX_DIR": site_index, "QUERY_LOG": str(folder / "log.sqlite3"),
                      "EDITOR_PASSWORD": PASSWORD, "SECURE_COOKIES": False})
    client = app.test_client()
    for words, times in SEARCHES.items():
        for _ in range(times):
            client.get("/api/v1/search", query_string={"q": words})
    with serve(app) as url:
        yield url


@pytest.fixture
def editor_page(browser: Browser, editor_site: str) -> Iterator[Callable[..., Page]]:
    with page_maker(browser, editor_site) as make:
        yield make


def sign_in(page: Page) -> None:
    page.goto("/editor/login")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/editor")


def test_login_form_is_usable_by_keyboard_alone(editor_page: Callable[..., Page]) -> None:
    page = editor_page()
    page.goto("/editor?days=30")
    page.wait_for_url(re.compile(r"/editor/login\?next="))
    tab_until(page, "#password")
    page.keyboard.type("not it")
    page.keyboard.press("Enter")
    page.wait_for_selector("#login-error")
    assert page.get_by_role("alert").inner_text() == (
        "That password is not right. Please try again.")
    tab_until(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert focused(page, "e => e.textContent") == "Sign in"
    assert focused(page, "e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/editor\?days=30$"))
    assert page.locator("h1").inner_text() == "Coverage report"

    tab_until(page, ".editor-nav button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/editor/login\?signed_out=1$"))
    assert page.get_by_role("status").inner_text() == "You are signed out."


def test_report_has_no_wcag_violations(editor_page: Callable[..., Page]) -> None:
    page = editor_page()
    sign_in(page)
    assert page.locator("#chart-demand-title").count() == 1
    assert page.get_by_role("img", name="Searches and summaries per topic").count() == 1
    assert page.locator("#unknown-heading + p + .table-scroll").inner_text().count("zzqx") == 2
    assert axe_violations(page) == ""


@pytest.mark.parametrize("width", [320, 640], ids=["320px-phone", "200%-zoom"])
def test_report_reflows_without_scrolling_sideways(editor_page: Callable[..., Page],
                                                    width: int) -> None:
    page = editor_page(viewport={"width": width, "height": 640})
    sign_in(page)
    assert not scrolls_sideways(page)
