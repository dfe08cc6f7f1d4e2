"""axe-core finds no WCAG 2.2 AA violation on any kind of page, nor in the widget."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.helpers import axe_violations

if TYPE_CHECKING:
    from playwright.sync_api import Page

FACETED = "/?q=bladder&category=Urology&evidence_level=Randomized+Controlled+Trial"
SUMMARY = "/summaries/cardenas-2011-hydrophilic-catheter-uti"


@pytest.mark.parametrize(("path", "ready"), [
    ("/", "h1"),
    (FACETED, ".facet a.selected >> nth=1"),
    ("/?q=%22zzqx+walking%22", ".no-results"),
    (SUMMARY, "#summary-title"),
    ("/summaries/no-such-summary", "text=Page not found"),
    ("/widget-demo", ".scisearch-widget"),
], ids=["home", "results-with-facets", "no-results", "summary", "not-found", "widget-demo"])
def test_page_has_no_wcag_violations(page: Page, path: str, ready: str) -> None:
    page.goto(path)
    page.wait_for_selector(ready)
    assert axe_violations(page) == ""


@pytest.mark.parametrize("opened", [False, True], ids=["filters-closed", "filters-open"])
def test_results_on_a_phone_have_no_wcag_violations(new_page: Callable[..., Page],
                                                    opened: bool) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(FACETED)
    if opened:
        page.get_by_text("Filter results").click()
    assert axe_violations(page) == ""


def test_results_page_with_suggestions_open_has_no_wcag_violations(page: Page) -> None:
    page.goto("/?q=bladder")
    page.locator("#header-q").fill("bed so")
    page.wait_for_selector("#header-q-listbox [role=option]")
    page.keyboard.press("ArrowDown")
    assert axe_violations(page) == ""


def test_widget_with_results_and_suggestions_open_has_no_wcag_violations(page: Page) -> None:
    page.goto("/widget-demo")
    box = page.locator(".scisearch-widget input")
    box.fill("bladdr infection")
    box.press("Enter")
    page.wait_for_selector(".scisearch-card mark")
    page.wait_for_selector(".scisearch-corrected")
    box.fill("walk")
    page.wait_for_selector(".scisearch-widget [role=option]")
    page.keyboard.press("ArrowDown")
    assert page.locator(".scisearch-widget [aria-selected=true]").count() == 1
    assert axe_violations(page) == ""
