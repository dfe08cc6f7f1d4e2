"""The web app over a small index of invented summaries (tests/data/web)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.build import build_index
from searchapp import create_app
from synonyms import load

DATA = Path(__file__).resolve().parent.parent.parent / "data"
PARTNER = "https://partner.example"


@pytest.fixture(scope="package")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("web") / "index"
    report = build_index([DATA / "web"], index_dir, thesaurus=load(DATA / "thesaurus"))
    assert report.ok, report.errors
    return index_dir


@pytest.fixture
def app(web_index: Path) -> Flask:
    return create_app({"INDEX_DIR": web_index, "TESTING": True, "CORS_ORIGINS": PARTNER})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
