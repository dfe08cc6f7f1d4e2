"""Hostile summaries, hostile queries and failures: nothing runs, nothing leaks."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.build import build_index
from searchapp import create_app
from searchapp.search import SearchIndex

HOSTILE = {
    "id": "hostile",
    "title": "<script>alert(1)</script> Bladder </mark><img src=x onerror=alert(2)> study",
    "url": "javascript:alert(5)",
    "category": "<b>Urology</b>",
    "year": 2020,
    "evidence_level": "Cohort Study",
    "simple_explanation": "\"><svg onload=alert(3)> bladder leaks '\" onmouseover=\"alert(4)",
    "key_findings": ["</mark><mark>bladder</mark>", "<a href='javascript:x'>bladder</a>"],
}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _injected(html: str) -> list[str]:
    """Elements or attributes in a page's body that no template of ours writes:
    scripts, images, SVG, bold text, event handlers, javascript: links."""
    parser = _Elements()
    parser.feed(html.split("<body>", 1)[1])
    problems = [tag for tag, _ in parser.found if tag in ("script", "img", "svg", "b")]
    for tag, attrs in parser.found:
        problems += [f"{tag} {name}" for name in attrs if name.startswith("on")]
        problems += [f"{tag} {value}" for value in attrs.values()
                     if value and value.strip().lower().startswith("javascript:")]
    return problems


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.json").write_text(json.dumps([HOSTILE]), encoding="utf-8")
    build_index([folder], folder / "index")
    return create_app({"INDEX_DIR": folder / "index", "TESTING": True,
                       "QUERY_LOG": "off"}).test_client()


@pytest.mark.parametrize("url", ["/?q=bladder", "/summaries/hostile",
                                 "/?q=&category=%3Cb%3EUrology%3C%2Fb%3E"])
def test_hostile_summary_content_is_shown_as_text(hostile_client: FlaskClient, url: str) -> None:
    html = hostile_client.get(url).get_data(as_text=True)
    assert _injected(html) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "category" in url


def test_hostile_content_in_api_snippets_keeps_only_mark_tags(
        hostile_client: FlaskClient) -> None:
    body = hostile_client.get("/api/v1/search?q=bladder").get_json()
    [hit] = body["results"]
    for html in (hit["title_html"], hit["snippet"]):
        assert re.findall(r"<[^>]*>", html) and \
            set(re.findall(r"<[^>]*>", html)) <= {"<mark>", "</mark>"}


@pytest.mark.parametrize("query", [
    '"><script>alert(1)</script>', "</mark><img src=x onerror=alert(1)>",
    "' onfocus='alert(1)' x='", "{{ 7*7 }} {% raw %}", "\u202e\u0000 null",
])
def test_hostile_queries_are_echoed_as_text(client: FlaskClient, query: str) -> None:
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _injected(html) == []
    assert "49" not in html  # not evaluated as a template
    api = client.get("/api/v1/search", query_string={"q": query})
    assert api.status_code == 200 and api.get_json()["query"] == query


@pytest.mark.parametrize("url", ["/", "/?q=bed+sores", "/summaries/web-caregivers",
                                 "/nope", "/widget-demo", "/api/v1/search?q=x"])
def test_pages_have_a_strict_csp_and_no_inline_script_or_style(
        client: FlaskClient, url: str) -> None:
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html and "<style" not in html


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom in /srv/secret/path.py")
    monkeypatch.setattr(SearchIndex, "search", fail)


@pytest.mark.usefixtures("broken")
def test_a_crash_is_a_plain_500_page_without_a_trace(client: FlaskClient) -> None:
    response = client.get("/?q=sores")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html and 'role="search"' in html
    assert "Traceback" not in html and "secret" not in html and "boom" not in html


@pytest.mark.usefixtures("broken")
def test_a_crash_in_the_api_is_the_error_shape(client: FlaskClient) -> None:
    response = client.get("/api/v1/search?q=sores")
    assert response.status_code == 500
    assert response.get_json() == {"ok": False, "error": {
        "code": "internal_error", "message": "something went wrong on our side",
        "parameter": None}}


def test_no_index_yet_is_a_503_saying_so(tmp_path: Path) -> None:
    client = create_app({"INDEX_DIR": tmp_path / "missing"}).test_client()
    page = client.get("/?q=sores")
    assert page.status_code == 503 and page.headers["Retry-After"] == "60"
    assert "Search is not ready yet" in page.get_data(as_text=True)
    api = client.get("/api/v1/search?q=sores")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "index_unavailable"
    assert str(tmp_path) not in api.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/?q=walking", "/summaries/web-sores-cushions",
                                  "/api/v1/search?q=walking", "/healthz"])
def test_a_host_header_no_address_can_be_made_for_is_a_bad_request(
        client: FlaskClient, path: str) -> None:
    answer = client.get(path, headers={"Host": "a" * 64 + ".example.org"})
    assert answer.status_code == 400
    if answer.is_json:
        assert answer.get_json()["error"]["code"] == "bad_request"
    else:
        page = answer.get_data(as_text=True)
        assert "<h1>That request could not be understood</h1>" in page
        assert "site name this request was sent to is not a valid one" in page
