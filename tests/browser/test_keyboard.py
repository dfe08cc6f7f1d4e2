"""A reader using only the keyboard can search, use suggestions, filter and read."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.browser.helpers import focused, tab_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

URL_PATH = re.compile(r"^https?://[^/]+")


def path_of(page: Page) -> str:
    return URL_PATH.sub("", page.url)


def test_keyboard_alone_searches_filters_and_opens_a_result(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert focused(page, "e => e.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page, "e => e.id") == "q"

    page.keyboard.type("bladder infection")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=bladder+infection")
    assert page.locator("h1").inner_text() == "Results for bladder infection"

    tab_until(page, ".facet a[href*='category=Urology']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"category=Urology"))
    selected = page.get_by_role("link", name=re.compile(r"^Remove filter: Urology \(\d+\)$"))
    assert selected.get_attribute("aria-current") == "true"

    tab_until(page, ".result-title a")
    title = focused(page, "e => e.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/summaries/"))
    assert page.locator("h1").inner_text() == title


def test_suggestion_chosen_with_arrow_keys_and_enter_is_searched_for(page: Page) -> None:
    page.goto("/")
    box = page.locator("#q")
    box.fill("bed so")  # one input event, so one answer: no list of "be" to outrun
    options = page.locator("#q-listbox [role=option]")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == "q-listbox"
    assert page.locator("#q-listbox").get_attribute("role") == "listbox"

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = options.nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    assert options.first.get_attribute("aria-selected") is None
    chosen = second.locator(".scisearch-option-text").inner_text()

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?q="))
    assert page.locator("h1").inner_text() == f"Results for {chosen}"
    assert page.locator("#header-q").input_value() == chosen


def test_suggestion_keys_follow_the_combobox_pattern(page: Page) -> None:
    page.goto("/")
    box = page.locator("#q")
    box.fill("walk")
    options = page.locator("#q-listbox [role=option]")
    options.first.wait_for()
    count = options.count()
    assert count > 2

    page.keyboard.press("ArrowUp")  # from the box: the last option
    assert box.get_attribute("aria-activedescendant") == options.nth(count - 1).get_attribute("id")
    page.keyboard.press("ArrowDown")  # wraps to the first
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")

    page.keyboard.press("Home")  # back to the text box, cursor at the start
    assert box.get_attribute("aria-activedescendant") is None
    assert box.evaluate("e => e.selectionStart") == 0

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")  # closes, keeps what was typed
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "walk"
    assert page.locator("#q-listbox").is_hidden()

    page.keyboard.press("ArrowDown")  # opens again on the first option
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")

    page.keyboard.press("Tab")  # closes and moves on, without choosing
    assert box.get_attribute("aria-expanded") == "false"
    assert focused(page, "e => e.textContent") == "Search"
    assert page.url.endswith("/")


def test_title_suggestion_opens_its_summary_when_clicked(page: Page) -> None:
    page.goto("/")
    page.locator("#q").fill("hydrophilic")
    title = page.locator("#q-listbox [role=option]", has_text="Summary:")
    title.click()
    page.wait_for_url("**/summaries/cardenas-2011-hydrophilic-catheter-uti")
    assert "hydrophilic-coated catheter" in page.locator("h1").inner_text()


def test_lay_term_suggestion_shows_the_clinical_name_beside_it(page: Page) -> None:
    page.goto("/")
    page.locator("#q").fill("bed sore")
    option = page.locator("#q-listbox [role=option]").first
    assert option.inner_text().startswith("bed sore \u2014 ")
    assert "pressure injury" in option.inner_text()


def test_arrow_key_on_suggestions_for_older_text_fetches_the_current_ones(page: Page) -> None:
    page.clock.install()  # the debounce timer runs only when the test says so
    page.goto("/")
    box = page.locator("#q")
    box.focus()
    page.keyboard.type("wa")
    page.clock.run_for(200)
    page.locator("#q-listbox [role=option]").first.wait_for()
    page.keyboard.type("lking fr")  # the list still shows the suggestions for "wa"
    page.keyboard.press("ArrowDown")
    page.get_by_role("option", name=re.compile("walking frame")).first.wait_for()
    active = page.locator(f"#{box.get_attribute('aria-activedescendant')}")
    assert active.get_attribute("aria-selected") == "true"
    assert "walking fr" in active.inner_text()
