"""What the browser tests check on a page: axe-core results, focus, scrolling."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Another site's origin, for the widget embedded elsewhere: Playwright answers for it,
# nothing listens there. A loopback name, as Chromium lets only those (with the
# local-network-access permission) load scripts from our server on 127.0.0.1.
THIRD_PARTY = "http://localhost:9"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Page) -> str:
    """The page's WCAG 2.2 AA violations found by axe-core, one per line ("" if none)."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                        "resultTypes": ["violations"]})
    lines = []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        lines.append(f"{violation['id']}: {violation['help']} at {', '.join(targets[:5])}")
    return "\n".join(lines)


def tab_until(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector` (fails after `limit`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def focused(page: Page, script: str = "e => e.outerHTML.slice(0, 120)") -> object:
    """`script` applied to the focused element."""
    return page.evaluate(f"({script})(document.activeElement)")


def scrolls_sideways(page: Page) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def open_third_party_page(page: Page, site: str) -> None:
    """Open a page of another site that embeds the widget (with a fallback form)."""
    from playwright.sync_api import Error as PlaywrightError

    html = (f'<!doctype html><html lang="en"><title>Clinic</title><main><h1>Clinic</h1>'
            f'<div data-scisearch><form action="{site}/"><label for="f">Find research</label>'
            f'<input id="f" name="q"><button>Go</button></form></div>'
            f'<script src="{site}/widget.js"></script></main></html>')
    try:
        page.context.grant_permissions(["local-network-access"])
    except PlaywrightError:  # a Chromium from before Local Network Access: not needed
        pass
    page.route(f"{THIRD_PARTY}/", lambda route: route.fulfill(
        status=200, content_type="text/html", body=html))
    page.goto(f"{THIRD_PARTY}/")
    page.locator(".scisearch-widget").wait_for()
