"""Matching by meaning: readers' own words reach summaries the thesaurus cannot."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer import embedding
from indexer.build import build_index
from indexer.model_service import RemoteModel
from searchapp import create_app
from searchapp.search import SearchIndex, SearchRequest, engine
from searchapp.search.meaning import MATCH_SIMILARITY
from synonyms import load
from tests.conftest import DATA

MEANING = DATA / "meaning"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("meaning")
    shutil.copy(MEANING / "summaries.json", folder / "summaries.json")
    report = build_index([folder / "summaries.json"], folder / "ix",
                         thesaurus=load(MEANING / "thesaurus.yaml"))
    assert report.ok and report.embedding is not None
    return folder / "ix"


@pytest.fixture(scope="module")
def index(index_dir: Path) -> Iterator[SearchIndex]:
    with SearchIndex(index_dir, semantic=True) as opened:
        yield opened


def _ids(index: SearchIndex, q: str, **options: bool) -> list[str]:
    return [h.id for h in index.search(SearchRequest(q=q, **options)).results]  # type: ignore[arg-type]


def test_a_phrase_the_thesaurus_lacks_reaches_its_concept_by_meaning(index: SearchIndex) -> None:
    response = index.search(SearchRequest(q="feeling really down since my accident"))
    [expansion] = [e for e in response.parsed.expansions if e.by_meaning]  # type: ignore[union-attr]
    assert (expansion.concept_id, expansion.matched) == ("depression", "feeling really down")
    assert expansion.to_dict()["found_by"] == "meaning"
    assert response.results[0].id == "meaning-mood"
    assert ("it is about depression, the term researchers use for \u2018feeling really "
            "down\u2019") in response.results[0].why


def test_one_word_is_not_linked_to_a_longer_name_it_is_part_of(index: SearchIndex) -> None:
    # "dumps" is close in meaning to "feeling down in the dumps", a name of depression
    # (as "meds" is to "ED meds"), but alone it names nothing.
    response = index.search(SearchRequest(q="dumps"))
    assert [e.concept_id for e in response.parsed.expansions] == []  # type: ignore[union-attr]
    assert response.unfound == ("dumps",)


def test_a_summary_with_none_of_the_words_is_found_by_meaning(index: SearchIndex) -> None:
    response = index.search(SearchRequest(q="getting behind the wheel after paralysis"))
    [hit] = response.results
    assert hit.id == "meaning-driving" and response.total == 1
    assert hit.why == (engine.CLOSE_IN_MEANING,)
    # No word of the question is in it: the snippet is its passage closest in meaning.
    assert "<mark>" not in hit.snippet and hit.snippet.startswith("People with paraplegia")
    # Words and concepts alone find nothing.
    assert _ids(index, "getting behind the wheel after paralysis", meaning=False) == []


def test_totals_and_facets_count_what_can_be_shown(index: SearchIndex) -> None:
    for q in ("bladder infection", "sore on my bottom from sitting", "arm exercise"):
        response = index.search(SearchRequest(q=q, per_page=1))
        shown = set()
        for page in range(1, response.total + 1):
            shown.update(_ids(index, q, page=page, per_page=1))  # type: ignore[arg-type]
        assert len(shown) == response.total
        assert sum(v.count for v in response.facets["category"]) == response.total


def test_meaning_only_counts_summaries_above_the_threshold(index: SearchIndex) -> None:
    meaning = index.meaning
    assert meaning is not None
    similarity = meaning.similarities(meaning.embed("trouble with my waterworks"))
    response = index.search(SearchRequest(q="trouble with my waterworks", words=False))
    assert response.total == int((similarity >= MATCH_SIMILARITY).sum())


def test_a_quoted_phrase_must_still_appear(index: SearchIndex) -> None:
    assert _ids(index, '"hand controls"') == ["meaning-driving"]
    assert _ids(index, '"behind the wheel"') == []


def test_switched_off_words_and_concepts_only(index_dir: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO), SearchIndex(index_dir, semantic=False) as off:
        response = off.search(SearchRequest(q="getting behind the wheel after paralysis"))
    assert response.results == () and not response.meaning
    assert "matching by meaning is switched off" in caplog.text


def test_the_environment_switch_turns_it_off(index_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCISEARCH_SEMANTIC", "off")
    with SearchIndex(index_dir) as off:
        assert off.meaning is None


def test_without_the_model_words_and_concepts_still_work(
        index_dir: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def missing() -> embedding.Model:
        raise embedding.ModelUnavailableError("the model is not installed here")

    monkeypatch.setattr(engine, "query_model", missing)
    with caplog.at_level(logging.WARNING), SearchIndex(index_dir) as without:
        assert without.meaning is None
        assert _ids(without, "bladder infection") == ["meaning-catheter"]
    assert caplog.text.count("matching by meaning is off") == 1
    assert "the model is not installed here" in caplog.text


def test_a_site_whose_model_process_is_gone_still_answers_by_words(
        index_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A gunicorn worker embeds through the site's model process; here it is gone.
    embedding.embed_queries_with(RemoteModel(str(tmp_path / "gone.sock"), b"key"))
    try:
        with caplog.at_level(logging.WARNING), SearchIndex(index_dir) as worker:
            assert worker.meaning is not None  # the index has vectors of this model
            answer = worker.search(SearchRequest(q="bladder infection"))
    finally:
        embedding.embed_queries_with(None)
    assert [h.id for h in answer.results] == ["meaning-catheter"]
    assert not answer.meaning
    assert "searching by words and concepts only" in caplog.text
    assert "does not answer" in caplog.text


@pytest.mark.parametrize(("q", "unfound"), [
    ("best lasagne recipe", ("lasagne", "recipe")),
    ("premier league scores today", ("premier", "league", "today")),
])
def test_nothing_about_a_question_the_collection_does_not_cover(
        index: SearchIndex, q: str, unfound: tuple[str, ...]) -> None:
    response = index.search(SearchRequest(q=q))
    assert response.total == 0 and response.results == ()
    assert response.nothing_about and set(unfound) <= set(response.unfound)
    data = response.to_dict()
    assert data["nothing_about"] and data["words_not_found"] == list(response.unfound)


def test_nothing_about_words_the_collection_has_only_apart(index: SearchIndex,
                                                           client: FlaskClient) -> None:
    # Every word is in some summary (weight: cushions; drive: driving), none holds
    # them together and none is close in meaning: nothing is not eight loose matches.
    assert _ids(index, "weight of people who drive", meaning=False)
    response = index.search(SearchRequest(q="weight of people who drive"))
    assert response.total == 0 and response.nothing_about and response.unfound == ()
    answer = client.get("/api/v1/search?q=weight+of+people+who+drive").get_json()
    assert answer["nothing_about"] == "weight people drive"
    assert answer["words_not_found"] == []
    html = client.get("/?q=weight+of+people+who+drive").get_data(as_text=True)
    assert "Nothing about <q>weight people drive</q>" in html
    assert "only apart" in html and "Search only for" not in html


def test_words_not_found_are_listed_beside_results(index: SearchIndex) -> None:
    response = index.search(SearchRequest(q="bladder infection and grumpiness"))
    assert [h.id for h in response.results][0] == "meaning-catheter"
    assert response.unfound == ("grumpiness",) and not response.nothing_about
    assert any("grumpiness" in notice for notice in response.notices)


@pytest.fixture
def client(index_dir: Path) -> FlaskClient:
    return create_app({"INDEX_DIR": index_dir, "TESTING": True}).test_client()


def test_the_page_says_nothing_about_and_offers_the_words_found(client: FlaskClient) -> None:
    html = client.get("/?q=best+lasagne+recipe").get_data(as_text=True)
    assert "Nothing about <q>lasagne recipe</q>" in html
    assert 'href="/?q=best"' in html and "Search only for <q>best</q>" in html
    answer = client.get("/api/v1/search?q=best+lasagne+recipe").get_json()
    assert answer["total"] == 0 and answer["nothing_about"] == "lasagne recipe"
    assert answer["words_not_found"] == ["lasagne", "recipe"] and answer["meaning"] is True


def test_a_nothing_about_search_is_logged_as_finding_nothing(index_dir: Path,
                                                             tmp_path: Path) -> None:
    from datetime import date

    from searchapp.editorial.querylog import QueryLog

    log_path = tmp_path / "log.sqlite3"
    app = create_app({"INDEX_DIR": index_dir, "TESTING": True, "QUERY_LOG": str(log_path)})
    assert app.test_client().get("/?q=best+lasagne+recipe").status_code == 200
    [logged] = QueryLog(log_path).searches(date(2000, 1, 1))
    assert (logged.query, logged.results) == ("best lasagne recipe", 0)
