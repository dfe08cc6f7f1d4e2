"""The pages as readers meet them: announced counts, without JavaScript, zoomed in
or on a small phone, with reduced motion, and with a visible focus."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.helpers import focused, open_third_party_page, scrolls_sideways, tab_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

SUMMARY = "/summaries/cardenas-2011-hydrophilic-catheter-uti"


def test_result_count_is_announced_politely(page: Page) -> None:
    page.goto("/?q=bladder")
    count = page.locator("#result-count")
    assert count.get_attribute("role") == "status"
    page.wait_for_function("() => document.getElementById('result-count').textContent.trim()")
    assert re.fullmatch(r"\d+ summaries found; showing 1–10\.", count.inner_text())
    assert page.get_by_role("status").filter(has_text="summaries found").count() == 1


def test_result_count_is_written_into_its_live_region_after_load(page: Page) -> None:
    # Screen readers read out changes of a live region, not the text it has at load.
    page.add_init_script("""
        window.countChanges = [];
        new MutationObserver(() => {
            const region = document.getElementById("result-count");
            if (region) window.countChanges.push(region.textContent.trim());
        }).observe(document, {subtree: true, childList: true, characterData: true});
    """)
    page.goto("/?q=bladder")
    page.wait_for_function("""() => {
        const changes = window.countChanges;
        const emptied = changes.lastIndexOf("");
        return emptied >= 0 && changes.slice(emptied).some(t => t.includes("found"));
    }""")  # emptied after load, then written again
    assert page.locator("#result-count").inner_text().endswith(
        "summaries found; showing 1\u201310.")


def test_search_and_facets_work_without_javascript(new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/")
    assert page.locator("#q").get_attribute("role") is None  # not enhanced
    page.locator("#q").fill("walking again")
    page.locator("#q").press("Enter")
    page.wait_for_url("**/?q=walking+again")
    assert page.locator("h1").inner_text() == "Results for walking again"

    facet = page.locator(".facet a[href*='category=']").first
    facet.click()
    page.wait_for_url(re.compile(r"category="))
    assert page.locator(".facet a.selected").count() == 1
    assert page.locator(".result").count() > 0


def test_on_a_phone_results_come_first_and_filters_open_without_javascript(
        new_page: Callable[..., Page]) -> None:
    page = new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page.goto("/?q=bladder&category=Urology")
    first = page.locator(".result").first.bounding_box()
    assert first is not None and first["y"] + 40 < 844  # on the first screen
    facet = page.locator(".facet a[href*='evidence_level=']").first
    assert not facet.is_visible()
    page.get_by_text("Filter results").click()
    assert facet.is_visible()
    # The filter in force is a chip above the results that removes it.
    chip = page.locator(".in-force a", has_text="Category: Urology")
    assert chip.bounding_box()["y"] < first["y"]  # type: ignore[index]
    chip.click()
    page.wait_for_url("**/?q=bladder")
    assert page.locator(".in-force").count() == 0


def test_on_a_desktop_the_filters_are_open_beside_the_results(page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/?q=bladder")
    assert not page.get_by_text("Filter results").is_visible()
    assert page.locator(".facet a[href*='category=']").first.is_visible()


def test_widget_fallback_form_searches_the_site_without_javascript(
        new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/widget-demo")
    page.get_by_label("Search spinal cord injury research").fill("pressure sores")
    page.get_by_label("Search spinal cord injury research").press("Enter")
    page.wait_for_url("**/?q=pressure+sores")
    assert page.locator(".result").count() > 0


@pytest.mark.parametrize("width", [320, 640], ids=["320px-phone", "200%-zoom"])
@pytest.mark.parametrize("path", ["/", "/?q=bladder&category=Urology", SUMMARY, "/widget-demo"])
def test_page_reflows_without_scrolling_sideways(new_page: Callable[..., Page], path: str,
                                                width: int) -> None:
    """A 1280 px window at 200% zoom lays out like a 640 px one (WCAG 1.4.10 Reflow
    asks for 320 px, which is 1280 px at 400%)."""
    page = new_page(viewport={"width": width, "height": 640})
    page.goto(path)
    if path == "/widget-demo":
        page.locator(".scisearch-widget input").fill("spinal cord stimulation walking")
        page.locator(".scisearch-widget input").press("Enter")
        page.wait_for_selector(".scisearch-card")
    else:
        page.locator("input[type=search]").first.fill("bladder")
        page.wait_for_selector(".scisearch-listbox:not([hidden])")
    assert not scrolls_sideways(page)


MOVING = """() => [...document.querySelectorAll('*')].filter(e => {
  const s = getComputedStyle(e);
  return s.animationName !== 'none' || s.transitionDuration.split(',').some(d => parseFloat(d) > 0);
}).map(e => e.className)"""


@pytest.mark.parametrize("where", ["our page", "another site"])
@pytest.mark.parametrize(("motion", "moves"), [("no-preference", True), ("reduce", False)])
def test_suggestions_move_only_when_motion_is_not_reduced(
        new_page: Callable[..., Page], site: str, where: str, motion: str, moves: bool) -> None:
    page = new_page(reduced_motion=motion)
    if where == "our page":
        page.goto("/")
    else:  # without our style.css: widget.css alone must stop the motion
        open_third_party_page(page, site)
    page.locator("input[type=search]").first.fill("bed so")
    page.wait_for_selector("[role=option]")
    assert bool(page.evaluate(MOVING)) is moves


@pytest.mark.parametrize(("path", "target"), [
    ("/", ".skip-link"),
    ("/", ".chips a"),
    ("/?q=bladder", ".facet a"),
    ("/?q=bladder", ".result-title a"),
    ("/?q=bladder", ".sort a"),
    (SUMMARY, ".summary a"),
    ("/widget-demo", ".site-footer a"),
])
def test_focused_link_has_a_visible_outline(page: Page, path: str, target: str) -> None:
    page.goto(path)
    tab_until(page, target)
    style = focused(page, "e => { const s = getComputedStyle(e); "
                          "return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert isinstance(style, list)
    outline_style, width = style
    assert outline_style == "solid" and width >= 2


def test_focused_widget_controls_have_a_visible_outline(page: Page) -> None:
    page.goto("/widget-demo")
    tab_until(page, ".scisearch-widget input")
    page.keyboard.type("bladder")
    page.keyboard.press("Enter")
    page.wait_for_selector(".scisearch-card")
    for target in (".scisearch-button", ".scisearch-card a", ".scisearch-all a"):
        tab_until(page, target)
        assert focused(page, "e => getComputedStyle(e).outlineStyle") == "solid"
