"""The search function: ranking, facets, snippets, paging, and hostile input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.build import build_index
from searchapp.search import SearchIndex, SearchRequest, SearchRequestError
from synonyms import load
from tests.conftest import DATA


@pytest.fixture
def index(built_index: Path) -> Iterator[SearchIndex]:
    with SearchIndex(built_index) as opened:
        yield opened


def _ids(index: SearchIndex, q: str, **kwargs: object) -> list[str]:
    return [hit.id for hit in index.search(SearchRequest(q=q, **kwargs)).results]  # type: ignore[arg-type]


def test_finds_the_summary_by_a_word_in_its_body(index: SearchIndex) -> None:
    assert _ids(index, "catheterisation") == ["10-5555-test-0001"]


def test_different_word_forms_find_each_other(index: SearchIndex) -> None:
    assert _ids(index, "catheterization reminder") == _ids(index, "catheterisation reminders")


def test_title_match_ranks_above_a_body_match(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    body = "x " * 5
    (folder / "a.json").write_text(json.dumps([
        {"id": "body", "title": "Arm exercise study",
         "research_summary": f"Hand cycling was used. {body}"},
        {"id": "title", "title": "Hand cycling for fitness",
         "research_summary": f"Arm exercise was used. {body}"},
    ]), encoding="utf-8")
    build_index([folder], tmp_path / "ix")
    with SearchIndex(tmp_path / "ix") as index:
        assert _ids(index, "hand cycling") == ["title", "body"]


def test_quoted_phrase_must_appear_as_typed(index: SearchIndex) -> None:
    assert _ids(index, '"phone app"') == ["10-5555-test-0001"]
    assert _ids(index, '"app phone"') == []


def test_snippet_marks_the_matched_words_and_escapes_the_rest(index: SearchIndex) -> None:
    [hit] = index.search(SearchRequest(q="leaks")).results
    assert "<mark>leaks</mark>" in hit.snippet
    assert hit.title_html.startswith("Bladder training")


def test_facets_count_categories_and_evidence_levels(index: SearchIndex) -> None:
    response = index.search(SearchRequest(q=""))
    assert response.total == 4
    categories = {v.value: v.count for v in response.facets["category"]}
    assert categories["Urology"] == 1 and categories["Rehabilitation"] == 1
    levels = [v.value for v in response.facets["evidence_level"]]
    assert levels == ["Randomized Controlled Trial", "Cohort Study",
                      "Case Series or Case Report"]  # strongest first


def test_facet_filters_are_or_within_and_and_across(index: SearchIndex) -> None:
    both = index.search(SearchRequest(q="", filters={"category": ("Urology", "Acute Care")}))
    assert both.total == 2
    # The category facet still counts the other categories (disjunctive)...
    assert {v.value for v in both.facets["category"]} >= {"Rehabilitation", "Urology"}
    narrowed = index.search(SearchRequest(q="", filters={
        "category": ("Urology", "Acute Care"), "evidence_level": ("Case Series or Case Report",)}))
    assert [h.id for h in narrowed.results] == ["test-json-one"]
    # ...and each facet's counts respect the other facet's selection; a selected
    # value stays listed (with 0) so that it can be unselected.
    assert {v.value: v.count for v in narrowed.facets["category"]} == {
        "Acute Care": 1, "Urology": 0}


def test_year_facet_offers_spans_and_filters_by_any_range(index: SearchIndex) -> None:
    spans = index.search(SearchRequest(q="")).facets["year"]
    assert [(v.label, v.count) for v in spans] == [("2020\u20132024", 1), ("2015\u20132019", 3)]
    assert sorted(h.year or 0 for h in index.search(SearchRequest(
        q="", filters={"year": ("2018-2019",)})).results) == [2018, 2019]
    typed = index.search(SearchRequest(q="", filters={"year": ("2015",), "category": ()}))
    assert [h.id for h in typed.results] == ["test-json-one"]
    # The typed range is listed, selected, so that it can be unselected.
    assert ("2015", True) in [(v.value, v.selected) for v in typed.facets["year"]]
    assert [h.year for h in index.search(SearchRequest(
        q="", filters={"year": ("2020-",)})).results] == [2021]


def test_long_facets_list_the_most_frequent_values_and_every_selected_one(
        tmp_path: Path) -> None:
    records = [{"id": f"s{n}", "title": f"Study {n}", "category": f"Category {n:02d}",
                "year": 2000 + n % 20} for n in range(45)]
    records += [{"id": "extra", "title": "Study extra", "category": "Category 00"}]
    (tmp_path / "s.json").write_text(json.dumps(records), encoding="utf-8")
    build_index([tmp_path / "s.json"], tmp_path / "ix")
    with SearchIndex(tmp_path / "ix") as index:
        shown = index.search(SearchRequest(q="")).facets["category"]
        assert len(shown) == 40 and shown[0].value == "Category 00"
        chosen = index.search(SearchRequest(q="", filters={"category": ("Category 44",)}))
        assert [v.value for v in chosen.facets["category"]][-1] == "Category 44"


def test_newest_first_goes_by_year_when_only_some_have_a_date(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps([
        {"id": "dated", "title": "Dated", "year": 2019, "published": "2019-03-01"},
        {"id": "newer", "title": "Newer", "year": 2023},
        {"id": "same-year", "title": "Same year", "year": 2019, "published": "2019-11-20"},
    ]), encoding="utf-8")
    build_index([tmp_path / "s.json"], tmp_path / "ix")
    with SearchIndex(tmp_path / "ix") as index:
        assert _ids(index, "", sort="newest") == ["newer", "same-year", "dated"]


@pytest.mark.parametrize("request_", [
    SearchRequest(q="", filters={"year": ("1900-1905",)}),
    SearchRequest(q="cooling", sort="newest", filters={"category": ("Urology",)}),
    SearchRequest(q="zzqx", sort="newest"),
])
def test_a_filter_or_search_that_matches_nothing_shows_nothing(
        index: SearchIndex, request_: SearchRequest) -> None:
    response = index.search(request_)
    assert (response.total, response.results) == (0, ())


def test_a_selected_level_no_summary_has_stays_listed_so_it_can_be_removed(
        index: SearchIndex) -> None:
    # By its plain label, as the pages show it.
    response = index.search(SearchRequest(
        q="", filters={"evidence_level": ("Interviews about people's experiences",)}))
    assert response.total == 0
    assert ("Qualitative Study", 0, True) in [
        (v.value, v.count, v.selected) for v in response.facets["evidence_level"]]


@pytest.mark.parametrize(("name", "value"), [
    ("topic", "no-such-topic"), ("evidence_level", "Made up"), ("category", "urology")])
def test_an_unknown_filter_value_is_refused_naming_the_filter(
        index: SearchIndex, name: str, value: str) -> None:
    with pytest.raises(SearchRequestError, match=f"{name} '{value}' is not a value of this "
                       "filter: use one of") as refused:
        index.search(SearchRequest(q="", filters={name: (value,)}))
    assert refused.value.parameter == name


def test_sort_by_newest_and_by_evidence(index: SearchIndex) -> None:
    newest = [h.year for h in index.search(SearchRequest(q="", sort="newest")).results]
    assert newest == sorted(newest, reverse=True)
    strongest = index.search(SearchRequest(q="", sort="evidence")).results
    assert strongest[0].evidence_level == "Randomized Controlled Trial"


def test_paging(index: SearchIndex) -> None:
    pages = [_ids(index, "", per_page=3, page=p) for p in (1, 2)]
    assert len(pages[0]) == 3 and len(pages[1]) == 1
    assert not set(pages[0]) & set(pages[1])


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"per_page": 0}, "per_page"), ({"per_page": 51}, "per_page"), ({"page": 0}, "page"),
    ({"page": 200, "per_page": 10}, "page"), ({"sort": "random"}, "sort"),
    ({"filters": {"colour": ("red",)}}, "colour"),
    ({"filters": {"year": ("last year",)}}, "year"),
    ({"filters": {"year": ("2020-2010",)}}, "year"),
])
def test_out_of_range_parameters_name_the_parameter(kwargs: dict[str, object],
                                                    parameter: str) -> None:
    with pytest.raises(SearchRequestError) as caught:
        SearchRequest(q="x", **kwargs)  # type: ignore[arg-type]
    assert caught.value.parameter == parameter


def test_hostile_summary_content_is_escaped_in_snippets_and_titles(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "evil.json").write_text(json.dumps({
        "id": "evil", "title": "<script>alert(1)</script> walking",
        "simple_explanation": 'Walking </mark><img src=x onerror="alert(2)"> again & again',
    }), encoding="utf-8")
    build_index([folder], tmp_path / "ix")
    with SearchIndex(tmp_path / "ix") as index:
        [hit] = index.search(SearchRequest(q="walking")).results
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<img" not in hit.snippet and "&lt;/mark&gt;&lt;img" in hit.snippet
    assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>") == 1


@pytest.mark.parametrize("q", [
    '"', '"unbalanced quote', "AND", "OR NOT", "*", "~", ":", "title:walking", "(((", "[]{}",
    "wheel* chair~2", "🦽 wheelchair 🙂", "a" * 5000, "walking " * 700, "\x00\x1f", "-", "%s",
    "the and of", "<script>alert(1)</script>",
])
def test_anything_a_person_might_type_gets_an_answer(index: SearchIndex, q: str) -> None:
    response = index.search(SearchRequest(q=q))
    assert response.total >= 0
    json.dumps(response.to_dict())


def test_a_question_of_only_stop_words_says_so(index: SearchIndex) -> None:
    response = index.search(SearchRequest(q="what is the"))
    assert response.total == 0 and "no words we can look for" in response.notices[0]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=300))
def test_random_text_never_breaks_search(index: SearchIndex, q: str) -> None:
    response = index.search(SearchRequest(q=q))
    assert response.total == len(response.results) or response.total > len(response.results)



def test_the_topic_filter_lists_the_question_s_topics_first_and_common_ones_last(
        tmp_path: Path) -> None:
    def record(n: int, text: str) -> dict[str, str]:
        return {"id": f"t{n}", "title": f"Study {n}", "simple_explanation": text}

    records = [record(n, "Pressure ulcers and spasticity were followed.") for n in (1, 2)]
    records += [record(3, "Pressure ulcers healed."), record(4, "Pressure ulcers came back."),
                record(5, "Pressure ulcers again."),
                record(6, "Spinal metastases and spasticity were treated.")]
    records += [record(n, "Walking was trained.") for n in range(7, 11)]
    (tmp_path / "s.json").write_text(json.dumps(records), encoding="utf-8")
    build_index([tmp_path / "s.json"], tmp_path / "ix", thesaurus=load(DATA / "thesaurus"),
                embed=False)
    with SearchIndex(tmp_path / "ix", semantic=False) as index:
        topics = index.search(SearchRequest(q="spasticity")).facets["topic"]
    # By count alone: spasticity 3, pressure injury 2, spinal metastasis 1. Pressure
    # injury is on half the collection, so it says little: it goes last.
    assert [(t.value, t.count) for t in topics] == [
        ("spasticity", 3), ("spinal-metastasis", 1), ("pressure-injury", 2)]
