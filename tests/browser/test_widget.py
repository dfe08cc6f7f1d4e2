"""The embeddable widget: on the demo page, on another site, and against a hostile API."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.helpers import open_third_party_page

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

HOSTILE = ('<img src=x onerror="window.pwned=1">bad <script>window.pwned=2</script>'
           '<mark onclick="window.pwned=3" class="evil">marked</mark>'
           '<a href="javascript:window.pwned=4">link</a><style>body{display:none}</style>')
CSP_VIOLATIONS = """window.cspViolations = [];
document.addEventListener('securitypolicyviolation',
  e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"""


def search(page: Page, text: str) -> None:
    box = page.locator(".scisearch-widget input")
    box.fill(text)
    box.press("Enter")
    page.locator(".scisearch-count:not(:empty)").wait_for()


def test_widget_replaces_the_fallback_form_with_a_labelled_combobox(page: Page) -> None:
    page.goto("/widget-demo")
    widget = page.locator(".scisearch-widget")
    widget.wait_for()
    assert page.locator("#scisearch-fallback-q").count() == 0
    assert widget.locator("input").count() == 1
    box = page.get_by_role("combobox", name="Search spinal cord injury research")
    assert box.get_attribute("aria-autocomplete") == "list"
    assert box.get_attribute("aria-expanded") == "false"


def test_typing_in_the_widget_shows_suggestions(page: Page) -> None:
    page.goto("/widget-demo")
    box = page.locator(".scisearch-widget input")
    box.fill("bladder")
    options = page.locator(".scisearch-widget [role=option]")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    assert listbox.get_attribute("role") == "listbox"
    assert options.count() > 1
    status = page.locator(".scisearch-form [role=status]")
    assert status.inner_text() == f"{options.count()} suggestions: use the up and down arrow keys."


def test_widget_search_shows_marked_results_a_link_to_all_and_the_notice(
        page: Page, site: str) -> None:
    page.goto("/widget-demo")
    search(page, "bladdr infection")
    count = page.locator(".scisearch-count")
    assert count.get_attribute("role") == "status"
    counted = re.fullmatch(r"(\d+) summaries found; showing the best 5\.", count.inner_text())
    assert counted is not None
    total = int(counted.group(1))
    cards = page.locator(".scisearch-card")
    assert cards.count() == 5
    assert page.locator(".scisearch-snippet mark").count() > 0
    first = cards.first.locator("a")
    # The API's link: it carries the words typed, so the click counts for this search.
    assert re.fullmatch(re.escape(site) + r"/summaries/[^/?#]+\?q=bladdr\+infection",
                        first.get_attribute("href") or "")
    assert page.locator(".scisearch-corrected").inner_text().startswith(
        "Showing results for bladder infection.")
    see_all = page.get_by_role("link", name=f"See all {total} results")
    assert see_all.get_attribute("href") == f"{site}/?q=bladdr%20infection"
    assert "not medical advice" in page.locator(".scisearch-notice").inner_text()

    first_title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/summaries/"))
    assert page.locator("h1").inner_text() == first_title


def test_widget_says_when_nothing_was_found(page: Page) -> None:
    page.goto("/widget-demo")
    search(page, '"zzqx walking"')
    assert page.locator(".scisearch-count").inner_text() == (
        "No summaries found for \u201c\"zzqx walking\"\u201d.")
    assert page.locator(".scisearch-card").count() == 0
    assert page.get_by_role("link", name="Try this search on the full site").count() == 1


def test_hostile_api_content_cannot_add_elements_to_the_page(page: Page) -> None:
    hit = {"id": "x\"><img src=x>", "title": "t", "title_html": HOSTILE, "snippet": HOSTILE,
           "evidence_label": "<b>label</b>", "year": 2020,
           "link": "/summaries/../../evil.example/x"}
    answer = {"ok": True, "total": 1, "results": [hit], "corrected": "<i>c</i>",
              "disclaimer": "<img src=x onerror=\"window.pwned=5\">"}
    suggestion = {"text": "<img src=x onerror=\"window.pwned=6\">", "kind": "term",
                  "label": "<b>x</b>", "preferred": "<script>window.pwned=7</script>",
                  "concept": "c", "summary": None, "count": 1}

    def fulfil(body: object) -> Callable[[Route], None]:
        return lambda route: route.fulfill(status=200, content_type="application/json",
                                           body=json.dumps(body))

    page.route("**/api/v1/search?*", fulfil(answer))
    page.route("**/api/v1/suggest?*", fulfil({"ok": True, "suggestions": [suggestion]}))
    page.goto("/widget-demo")
    page.locator(".scisearch-widget input").fill("anything")
    page.locator(".scisearch-widget [role=option]").wait_for()
    search(page, "anything")

    widget = page.locator(".scisearch-widget")
    assert widget.locator("img, script, style, b, i, a[href^='javascript']").count() == 0
    assert widget.locator("[onerror], [onclick], mark[class]").count() == 0
    assert widget.locator(".scisearch-snippet mark").inner_text() == "marked"
    assert widget.locator(".scisearch-snippet").inner_text() == "bad markedlink"
    assert page.evaluate("window.pwned") is None
    href = widget.locator(".scisearch-card a").get_attribute("href") or ""
    assert href.endswith("/summaries/x%22%3E%3Cimg%20src%3Dx%3E?q=anything")


@pytest.mark.parametrize("link, expected", [
    ("/summaries/x?q=anything&c=1d2-abc", "/summaries/x?q=anything&c=1d2-abc"),
    ("//evil.example/summaries/x", "/summaries/x?q=anything"),
    ("https://evil.example/summaries/x", "/summaries/x?q=anything"),
    ("javascript:alert(1)//summaries/", "/summaries/x?q=anything"),
])
def test_a_result_links_to_the_page_the_api_gave_on_its_own_site_only(
        page: Page, site: str, link: str, expected: str) -> None:
    hit = {"id": "x", "title": "t", "title_html": "t", "snippet": "", "link": link,
           "evidence_label": "Review", "year": 2020}
    page.route("**/api/v1/search?*", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"ok": True, "total": 1, "results": [hit], "disclaimer": "d"})))
    page.goto("/widget-demo")
    search(page, "anything")
    assert page.locator(".scisearch-card a").get_attribute("href") == site + expected


def test_submitting_closes_suggestions_still_on_their_way(page: Page) -> None:
    page.clock.install()  # the debounce timer runs only when the test says so
    page.goto("/widget-demo")
    search(page, "bladder")  # typed, then Enter before the debounce ran out
    page.clock.run_for(2000)
    assert page.locator(".scisearch-widget .scisearch-listbox").is_hidden()
    assert page.locator(".scisearch-widget input").get_attribute("aria-expanded") == "false"


def test_widget_runs_under_the_sites_content_security_policy(page: Page) -> None:
    page.add_init_script(CSP_VIOLATIONS)
    page.goto("/widget-demo")
    assert "script-src 'self'" in (page.context.request.get(page.url).headers
                                   .get("content-security-policy") or "")
    page.locator(".scisearch-widget input").fill("walking")
    page.locator(".scisearch-widget [role=option]").first.wait_for()
    search(page, "walking")
    page.locator(".scisearch-card").first.wait_for()
    assert page.evaluate("window.cspViolations") == []


def test_widget_on_another_site_uses_the_scripts_origin(page: Page, site: str) -> None:
    open_third_party_page(page, site)
    assert page.locator(f"link[rel=stylesheet][href='{site}/widget.css']").count() == 1
    assert page.get_by_role("combobox", name="Find research").count() == 1
    search(page, "pressure sores")
    link = page.locator(".scisearch-card a").first.get_attribute("href") or ""
    assert link.startswith(f"{site}/summaries/")
    assert page.locator(".scisearch-widget").evaluate(
        "e => getComputedStyle(e).borderTopStyle") == "solid"  # widget.css applied


def test_on_an_origin_not_allowed_the_widget_form_opens_the_site(page: Page, site: str) -> None:
    # The API answers only the origins in SCISEARCH_CORS_ORIGINS: elsewhere the
    # widget's form stays a plain form to the site, and says why, once, in the console.
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.route("http://localhost:7/", lambda route: route.fulfill(
        status=200, content_type="text/html", body=(
            '<!doctype html><html lang="en"><title>Other</title><main><h1>Other</h1>'
            f'<div data-scisearch></div><script src="{site}/widget.js"></script>'
            "</main></html>")))
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.context.grant_permissions(["local-network-access"])
    except PlaywrightError:  # a Chromium from before Local Network Access: not needed
        pass
    page.goto("http://localhost:7/")
    box = page.locator(".scisearch-widget input")
    box.fill("pressure sores")
    box.press("Enter")
    page.wait_for_url(f"{site}/?q=pressure+sores")
    assert page.locator(".result").count() > 0
    named = [m for m in messages if "SCISEARCH_CORS_ORIGINS" in m]
    assert len(named) == 1 and "http://localhost:7" in named[0]
