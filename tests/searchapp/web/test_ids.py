"""Ids are kept as given: a site links to /summaries/NCT00771238 because that is its id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.build import build_index
from searchapp import create_app
from searchapp.search import SearchIndex, SearchRequest
from synonyms import load

DATA = Path(__file__).resolve().parent.parent.parent / "data"
RECORDS = [
    {"id": "NCT00771238", "title": "Walking training with a robot after spinal cord injury",
     "simple_explanation": "People practised walking on a treadmill with a robot."},
    {"id": "Trial 12/3 (pilot)", "title": "Arm cycling for heart health",
     "simple_explanation": "People with tetraplegia pedalled with their arms."},
    {"doi": "10.1038/sc.2012.39", "title": "Bladder training after injury",
     "simple_explanation": "A bladder routine reduced leaks."},
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ids")
    (folder / "records.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    report = build_index([folder / "records.jsonl"], folder / "index",
                         thesaurus=load(DATA / "thesaurus"), embed=False)
    assert report.ok, report.errors
    return folder / "index"


@pytest.fixture
def client(index_dir: Path) -> FlaskClient:
    return create_app({"INDEX_DIR": index_dir, "TESTING": True}).test_client()


def test_an_id_given_as_a_plain_code_is_kept_as_given(index_dir: Path) -> None:
    with SearchIndex(index_dir, semantic=False) as index:
        ids = {hit.id for hit in index.search(SearchRequest(q="")).results}
    # Ids made from a DOI, or given with spaces and slashes, stay slugs.
    assert ids == {"NCT00771238", "trial-12-3-pilot", "10-1038-sc-2012-39"}


def test_the_page_and_the_api_answer_at_the_id_as_given(client: FlaskClient) -> None:
    assert client.get("/summaries/NCT00771238").status_code == 200
    answer = client.get("/api/v1/summaries/NCT00771238")
    assert answer.status_code == 200 and answer.get_json()["summary"]["id"] == "NCT00771238"
    found = client.get("/api/v1/search?q=robot").get_json()["results"]
    assert [r["id"] for r in found] == ["NCT00771238"]


def test_an_address_differing_only_in_case_leads_to_the_summary(client: FlaskClient) -> None:
    page = client.get("/summaries/nct00771238?q=robot")
    assert page.status_code == 301
    assert page.headers["Location"] == "/summaries/NCT00771238?q=robot"
    api = client.get("/api/v1/summaries/Nct00771238")
    assert api.status_code == 301 and api.headers["Location"] == "/api/v1/summaries/NCT00771238"
    assert client.get("/summaries/NCT0077123").status_code == 404


def test_ids_differing_only_in_case_clash(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps(RECORDS[0]) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({**RECORDS[1], "id": "nct00771238"}) + "\n",
                                      encoding="utf-8")
    report = build_index([tmp_path / "a.jsonl", tmp_path / "b.jsonl"], tmp_path / "index",
                         thesaurus=load(DATA / "thesaurus"), embed=False)
    assert "id 'nct00771238' is already used by" in str(report.errors[0])
