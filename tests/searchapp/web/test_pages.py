"""The search page and summary pages, as a reader without JavaScript uses them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask.testing import FlaskClient

from searchapp.search.results import DISCLAIMER


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def _links(html: str) -> dict[str, str]:
    """Link text (tags stripped, whitespace squeezed) -> href."""
    return {" ".join(re.sub(r"<[^>]+>", "", text).split()): unescape(href)
            for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)}


def _result_ids(html: str) -> list[str]:
    return re.findall(r'<h3 id="r-([^"]+)"', html)


@pytest.mark.parametrize("url", ["/", "/?q=bed+sores", "/?q=zzqx", "/summaries/web-caregivers",
                                 "/no-such-page", "/widget-demo"])
def test_every_page_says_it_is_not_medical_advice(client: FlaskClient, url: str) -> None:
    html = client.get(url).get_data(as_text=True)
    assert "Not medical advice" in html and DISCLAIMER in html


def test_home_page_offers_search_categories_and_newest(client: FlaskClient) -> None:
    html = _page(client, "/")
    assert 'role="search"' in html and '<label for="q">' in html
    links = _links(html)
    assert links["Urology (2 summaries)"] == "/?category=Urology"
    assert _result_ids(html)[0] == "web-mice-cells"  # 2022, the newest


def test_lay_words_find_clinical_summaries_with_marked_snippets(client: FlaskClient) -> None:
    html = _page(client, "/?q=bed+sores")
    assert _result_ids(html)[0].startswith("web-sores-")
    assert re.search(r'role="status">\s*3 summaries found', html)
    assert "<mark>" in html
    assert ("Shown because it is about pressure injury, the term researchers use for "
            "\u2018bed sores\u2019") in html
    assert "<title>bed sores \u2013 3 results" in html


def test_facets_are_links_that_toggle_one_filter(client: FlaskClient) -> None:
    html = _page(client, "/?q=bladder+OR+sores")
    link = _links(html)["Urology (2)"]
    assert link == "/?q=bladder+OR+sores&category=Urology"
    narrowed = _page(client, link)
    assert sorted(_result_ids(narrowed)) == ["web-bladder-botox", "web-bladder-catheter"]
    # The chosen value is marked and its link removes it; other categories keep
    # their counts (disjunctive within a facet).
    links = _links(narrowed)
    assert links["Remove filter: Urology (2)"] == "/?q=bladder+OR+sores"
    assert "Skin (2)" in links and "Skin (2)" in _links(html)
    assert links["Clear all filters"] == "/?q=bladder+OR+sores"


def test_facets_across_groups_narrow_each_other(client: FlaskClient) -> None:
    html = _page(client, "/?q=&category=Skin&evidence_level=Expert+Opinion")
    assert _result_ids(html) == ["web-sores-turning"]
    links = _links(html)
    assert "Remove filter: Skin (1)" in links  # counted within the evidence filter
    assert "2005\u20132009 (1)" in links and "Before 2000 (0)" not in links


def test_a_selected_topic_is_never_hidden_in_the_closed_more_topics(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchapp.web import pages

    monkeypatch.setattr(pages, "TOPICS_SHOWN", 1)  # pressure injury, then "More topics"
    closed = _page(client, "/?q=")
    assert "<details>" in closed
    chosen = _page(client, "/?q=&topic=spasticity")
    opening = chosen.split("<summary>More topics", 1)[0].rsplit("<details", 1)[1]
    more = chosen.split("<summary>More topics", 1)[1].split("</details>", 1)[0]
    assert 'class="selected"' in more and opening.startswith(" open>")


def test_facets_offer_a_skip_link_to_the_results(client: FlaskClient) -> None:
    html = _page(client, "/?q=sores")
    assert _links(html)["Skip to the results"] == "#results-heading"
    assert 'id="results-heading" class="visually-hidden" tabindex="-1"' in html


def test_year_ranges_are_a_facet(client: FlaskClient) -> None:
    html = _page(client, "/?q=&year=2015-2019")
    assert sorted(_result_ids(html)) == ["web-bladder-botox", "web-metastasis-surgery",
                                         "web-sores-healing"]
    assert "Remove filter: 2015\u20132019 (3)" in _links(html)


def test_sort_links_and_newest_first(client: FlaskClient) -> None:
    html = _page(client, "/?q=ulcers&sort=newest")
    assert _result_ids(html) == ["web-sores-cushions", "web-sores-healing", "web-sores-turning"]
    assert re.search(r'aria-current="true">Newest<', html)
    assert _links(html)["Strongest evidence"] == "/?q=ulcers&sort=evidence"


def test_pagination_links_and_current_page(client: FlaskClient) -> None:
    html = _page(client, "/?q=&per_page=5&page=2")
    assert re.search(r'role="status">\s*12 summaries found; showing 6\u201310', html)
    links = _links(html)
    assert links["Previous page"] == "/?q=&per_page=5&page=1" or \
        links["Previous page"] == "/?q=&per_page=5"
    assert links["Next page"] == "/?q=&per_page=5&page=3"
    assert re.search(r'aria-current="page"><span class="visually-hidden">Page </span>2<', html)


@pytest.mark.parametrize(("url", "notice"), [
    ("/?q=sores&page=abc", "is not a page number"),
    ("/?q=sores&page=0", "Pages are numbered from 1"),
    ("/?q=sores&per_page=500", "At most 50 results"),
    ("/?q=sores&page=5000", "Only the first 1000 results"),
    ("/?q=sores&sort=cheapest", "sorted by best match"),
    ("/?q=sores&year=lately", "year filter was not understood"),
    ("/?q=&per_page=5&page=7", "only 3 pages of results: showing the last"),
])
def test_bad_parameters_give_a_page_with_a_notice_not_an_error(
        client: FlaskClient, url: str, notice: str) -> None:
    html = _page(client, url)
    assert notice in html


def test_a_page_past_the_last_shows_the_last(client: FlaskClient) -> None:
    html = _page(client, "/?q=&per_page=5&page=7")
    assert re.search(r'role="status">\s*12 summaries found; showing 11\u201312', html)
    assert re.search(r'aria-current="page"><span class="visually-hidden">Page </span>3<', html)
    assert "Page </span>2<" in html


def test_corrected_query_offers_to_search_as_typed(client: FlaskClient) -> None:
    html = _page(client, "/?q=spastisity")
    assert "Showing results for <strong>spasticity</strong>" in html
    assert _links(html)["spastisity"] == "/?q=spastisity&exact=1"
    exact = _page(client, "/?q=spastisity&exact=1")
    assert "Showing results for" not in exact


def test_nothing_found_is_not_a_dead_end(client: FlaskClient) -> None:
    html = _page(client, "/?q=%22stiff+muscles+at+night%22&category=Urology")
    assert "No summaries found." in html
    links = _links(html)
    # Only ways out that find something: here neither dropping the quotes (no Urology
    # summary is on stiff muscles) nor dropping the filter (none has the phrase).
    assert "Search for the words without quotes" not in links
    assert "Search again without the filters" not in links
    quoted = _links(_page(client, "/?q=%22stiff+muscles+at+night%22"))
    assert quoted["Search for the words without quotes"].startswith("/?q=stiff+muscles+at+night")
    filtered = _links(_page(client, "/?q=stiff+muscles&category=Urology"))
    assert filtered["Search again without the filters"] == "/?q=stiff+muscles"
    assert links["spasticity"] == "/?topic=spasticity"  # the nearest topic
    assert "Browse all summaries" in links


def test_summary_page_has_all_sections_topics_and_related(client: FlaskClient) -> None:
    html = _page(client, "/summaries/web-sores-cushions?q=bed+sores")
    assert "<h1 id=\"summary-title\">Seat cushions and pressure ulcers" in html
    for heading in ("In plain words", "Key findings", "About the research", "Topics",
                    "Related summaries"):
        assert f">{heading}</h2>" in html
    links = _links(html)
    assert links["pressure injury (3 summaries)"] == "/?topic=pressure-injury"
    assert links["Back to results for bed sores"] == "/?q=bed+sores"
    assert "Electrical stimulation to heal pressure ulcers" in links


def test_an_unknown_filter_value_is_removed_with_a_notice(client: FlaskClient) -> None:
    html = _page(client, "/?q=sores&evidence_level=RCT&evidence_level=Trial+in+people")
    assert "Type of evidence \u2018RCT\u2019 is not a filter here: it was removed." in html
    assert "Seat cushions and pressure ulcers" in html  # the known value still filters


def test_summary_page_shows_the_evidence_once_in_plain_words(client: FlaskClient) -> None:
    # The page's own wording is shown beside the plain label only when it says more.
    html = _page(client, "/summaries/web-metastasis-radio")
    evidence = html.split("<dt>Type of evidence</dt>", 1)[1].split("</dd>", 1)[0]
    assert '<span class="badge">Trial in people</span>' in evidence
    assert "described as \u201cRandomized Controlled Trial, phase 2/3, open-label\u201d" in evidence
    assert "not randomised" not in evidence and "(Randomized Controlled Trial)" not in evidence
    plain = _page(client, "/summaries/web-sores-cushions")
    evidence = plain.split("<dt>Type of evidence</dt>", 1)[1].split("</dd>", 1)[0]
    assert evidence.strip() == '<dd><span class="badge">Trial in people</span>'


def test_unknown_summary_is_a_404_page_with_a_search_box(client: FlaskClient) -> None:
    response = client.get("/summaries/nothing-here")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and 'role="search"' in html


def test_long_spoken_query_is_answered(client: FlaskClient) -> None:
    spoken = "my husband has had bed sores on his bottom for months " * 40
    html = _page(client, "/?q=" + spoken.replace(" ", "+"))
    assert _result_ids(html)[0].startswith("web-sores-")
