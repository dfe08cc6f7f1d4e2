"""No word crashes a search: random words of the indexed vocabulary (as the
"amenorrhea" IndexError did, once in about 9,000 such queries), random Unicode and
random parameters, through the search function, the search page and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.build import build_index
from searchapp import create_app
from searchapp.search import SearchIndex
from searchapp.search.results import SORTS, SearchRequest, SearchRequestError
from synonyms import load
from tests.conftest import REPO

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample: 164 summaries, the largest vocabulary the tests have."""
    index_dir = tmp_path_factory.mktemp("property") / "index"
    from synonyms.loader import shipped_dir

    assert build_index([REPO / "index_data" / "summaries"], index_dir,
                       thesaurus=load(shipped_dir())).ok
    return index_dir


@pytest.fixture(scope="module")
def index(bundled: Path) -> Any:
    with SearchIndex(bundled) as opened:
        yield opened


@pytest.fixture(scope="module")
def client(bundled: Path) -> FlaskClient:
    return create_app({"INDEX_DIR": bundled, "TESTING": True}).test_client()


def _questions(index: SearchIndex) -> st.SearchStrategy[str]:
    vocabulary = sorted(index.vocabulary.words)
    word = st.sampled_from(vocabulary) | st.text(min_size=1, max_size=12)
    joiner = st.sampled_from([" ", " ", "  ", "-", "\"", " OR ", "'", ", "])
    return st.lists(st.tuples(word, joiner), min_size=0, max_size=8).map(
        lambda parts: "".join(w + j for w, j in parts))


def _parameters() -> st.SearchStrategy[dict[str, str]]:
    small = st.integers(-3, 60).map(str) | st.text(max_size=5)
    return st.fixed_dictionaries({}, optional={
        "page": small, "per_page": small,
        "sort": st.sampled_from([*SORTS, "", "oldest", "relevance "]),
        "category": st.text(max_size=12), "evidence": st.text(max_size=12),
        "topic": st.text(max_size=12), "year": small, "exact": st.sampled_from(["0", "1", "x"]),
    })


def test_any_question_through_the_search_function(index: SearchIndex) -> None:
    @SETTINGS
    @given(q=_questions(index), page=st.integers(1, 3), per_page=st.integers(1, 50),
           sort=st.sampled_from(SORTS), expand=st.booleans(), correct=st.booleans())
    def search(q: str, page: int, per_page: int, sort: str, expand: bool,
               correct: bool) -> None:
        try:
            request = SearchRequest(q=q, page=page, per_page=per_page, sort=sort,
                                    expand=expand, correct=correct)
        except SearchRequestError:
            return
        answer = index.search(request)
        assert answer.total >= len(answer.results)
        for hit in answer.results:
            assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>")

    search()


@pytest.mark.parametrize("route", ["/", "/api/v1/search"])
def test_any_question_and_parameters_through_the_web(index: SearchIndex, client: FlaskClient,
                                                     route: str) -> None:
    @SETTINGS
    @given(q=_questions(index), parameters=_parameters())
    def get(q: str, parameters: dict[str, str]) -> None:
        answer = client.get(route, query_string={"q": q, **parameters})
        assert answer.status_code in (200, 400), (q, parameters, answer.status_code)

    get()
