"""create_app: layered settings, a worker picking up a rebuilt index, site integration."""

from __future__ import annotations

import json
import shutil
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.build import build_index, current_generation
from searchapp import config, create_app
from searchapp.search import SearchIndex
from searchapp.web import state

DATA = Path(__file__).resolve().parent.parent.parent / "data"


def test_settings_come_from_defaults_then_environment_then_the_mapping() -> None:
    environ = {"SCISEARCH_INDEX_DIR": "/env/index", "SCISEARCH_CORS_ORIGINS":
               "https://a.example, https://b.example/", "SCISEARCH_CACHE_SECONDS": "5"}
    loaded = config.load({"CACHE_SECONDS": 9}, environ)
    assert loaded["INDEX_DIR"] == Path("/env/index")
    assert loaded["CORS_ORIGINS"] == ("https://a.example", "https://b.example")
    assert loaded["CACHE_SECONDS"] == 9  # the mapping wins
    assert loaded["SITE_NAME"] == "SCI Research Search"  # the default


@pytest.mark.parametrize(("name", "value"), [
    ("SCISEARCH_CACHE_SECONDS", "soon"), ("SCISEARCH_RELOAD_SECONDS", "-1"),
    ("SCISEARCH_CORS_ORIGINS", "partner.example"), ("SCISEARCH_HSTS", "maybe"),
    ("SCISEARCH_EDITOR_PASSWORD", "x"), ("SCISEARCH_EDITOR_PASSWORD", "secret123"),
])
def test_a_bad_environment_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(config.ConfigError, match=name):
        config.load(None, {name: value})


def test_create_app_reads_the_environment(monkeypatch: pytest.MonkeyPatch,
                                          web_index: Path) -> None:
    monkeypatch.setenv("SCISEARCH_INDEX_DIR", str(web_index))
    monkeypatch.setenv("SCISEARCH_SITE_NAME", "Spine Answers")
    html = create_app().test_client().get("/").get_data(as_text=True)
    assert "<title>Spine Answers</title>" in html


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (DATA.parent.parent / "README.md").read_text(encoding="utf-8")
    for setting in config.SETTINGS:
        assert f"`SCISEARCH_{setting.name}`" in readme, setting.name


def test_a_running_app_picks_up_a_rebuilt_index(tmp_path: Path) -> None:
    corpus, client = _served_corpus(tmp_path)
    assert client.get("/healthz").get_json()["summaries"] == 12
    assert client.get("/api/v1/search?q=hydrotherapy").get_json()["total"] == 0

    (corpus / "new.json").write_text(json.dumps([{
        "id": "pool", "title": "Hydrotherapy in a warm pool", "year": 2023}]), "utf-8")
    build_index([corpus], tmp_path / "index")  # an update, as `scisearch index` does
    eventually(lambda: client.get("/api/v1/search?q=hydrotherapy").get_json()["total"], 1)
    build_index([corpus], tmp_path / "index", rebuild=True)  # a new generation
    eventually(lambda: client.get("/healthz").get_json()["summaries"], 13)


def _served_corpus(tmp_path: Path) -> tuple[Path, FlaskClient]:
    """A summaries folder with the web fixtures, indexed, and a site serving it that
    checks for a rebuilt index at every request and opens it at once."""
    corpus = tmp_path / "summaries"
    corpus.mkdir()
    shutil.copy(DATA / "web" / "summaries.json", corpus / "summaries.json")
    build_index([corpus], tmp_path / "index")
    return corpus, create_app({"INDEX_DIR": tmp_path / "index", "RELOAD_SECONDS": 0,
                               "RELOAD_STAGGER_SECONDS": 0}).test_client()


def eventually(answer: Callable[[], object], expected: object, seconds: float = 10) -> None:
    """Ask until `answer()` is `expected` (a background reopen), for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while (got := answer()) != expected:
        assert time.monotonic() < deadline, f"still {got!r}, not {expected!r}"
        time.sleep(0.05)


def test_a_rebuilt_index_is_opened_in_the_background_while_the_old_one_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, client = _served_corpus(tmp_path)
    assert client.get("/api/v1/search?q=hydrotherapy").get_json()["total"] == 0
    opening, may_finish = threading.Event(), threading.Event()
    opened_by: list[str] = []
    slow_open = state.LiveIndex._open

    def held_open(live: state.LiveIndex) -> SearchIndex:
        opened_by.append(threading.current_thread().name)
        opening.set()
        may_finish.wait(5)  # a request waiting for this would see the new index
        return slow_open(live)

    monkeypatch.setattr(state.LiveIndex, "_open", held_open)
    (corpus / "new.json").write_text(json.dumps([{
        "id": "pool", "title": "Hydrotherapy in a warm pool", "year": 2023}]), "utf-8")
    build_index([corpus], tmp_path / "index", rebuild=True)
    assert client.get("/api/v1/search?q=hydrotherapy").get_json()["total"] == 0
    assert opening.wait(5)
    for _ in range(3):  # answered from the old index while the new one opens
        assert client.get("/api/v1/search?q=hydrotherapy").get_json()["total"] == 0
    may_finish.set()
    eventually(lambda: client.get("/api/v1/search?q=hydrotherapy").get_json()["total"], 1)
    assert opened_by == ["scisearch-reopen"]


def test_opensearch_description_is_linked_from_every_page(client: FlaskClient) -> None:
    for url in ("/", "/?q=sores", "/summaries/web-caregivers", "/missing"):
        html = client.get(url).get_data(as_text=True)
        assert ('<link rel="search" type="application/opensearchdescription+xml"'
                ' title="SCI Research Search" href="/opensearch.xml">') in html
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    templates = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert templates["text/html"] == "http://localhost/?q={searchTerms}"
    assert templates["application/x-suggestions+json"] == (
        "http://localhost/api/v1/suggest?format=opensearch&q={searchTerms}")


def test_site_address_comes_from_the_setting_or_stays_out_of_shared_caches(
        web_index: Path) -> None:
    forged = {"Host": "evil.example"}
    plain = create_app({"INDEX_DIR": web_index}).test_client()
    for url in ("/opensearch.xml", "/widget-demo"):
        answer = plain.get(url, headers=forged)
        assert "evil.example" in answer.get_data(as_text=True)  # it came from the request:
        assert answer.headers["Cache-Control"] == "private, max-age=3600"  # not shared
    fixed = create_app({"INDEX_DIR": web_index,
                        "SITE_URL": "https://search.example.org/"}).test_client()
    for url in ("/opensearch.xml", "/widget-demo"):
        answer = fixed.get(url, headers=forged)
        text = answer.get_data(as_text=True)
        assert "evil.example" not in text and "https://search.example.org/" in text
        assert answer.headers["Cache-Control"].startswith("public, max-age=")


def test_static_files_and_the_widget_are_cached_for_an_hour(client: FlaskClient) -> None:
    for url in ("/widget.js", "/widget.css", "/static/style.css"):
        with client.get(url) as answer:
            assert answer.headers["Cache-Control"] == "public, max-age=3600", url


def test_widget_files_and_demo_are_served(client: FlaskClient) -> None:
    with client.get("/widget.js", headers={"Origin": "https://partner.example"}) as script:
        assert script.status_code == 200 and script.mimetype == "text/javascript"
        assert script.headers["Access-Control-Allow-Origin"] == "https://partner.example"
        assert len(script.data) < 16_000  # 15.9 KB: with the fallbacks (origin, API link)
    with client.get("/widget.css") as style:
        assert style.mimetype == "text/css"
    demo = client.get("/widget-demo").get_data(as_text=True)
    assert "data-scisearch" in demo and "&lt;script src=" in demo


def test_health_check_counts_the_summaries_and_names_the_generation(
        client: FlaskClient, web_index: Path) -> None:
    health = client.get("/healthz").get_json()
    assert (health["ok"], health["summaries"]) == (True, 12)
    assert health["generation"] == current_generation(web_index).name  # type: ignore[union-attr]
    assert health["version"] >= 1 and health["published_from"] is None
    assert 0 <= health["age_seconds"] < 3600 and health["built_at"].startswith("20")
