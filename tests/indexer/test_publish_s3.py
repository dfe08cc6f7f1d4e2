"""Publications in an S3 bucket (moto's S3, in process: no network): published and
pulled as from a folder, checked before they are served, the last three kept, and
clear words for a missing bucket or a missing boto3."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer.build import CURRENT, build_index, current_generation
from indexer.publish import CHECKSUMS, KEEP_PUBLISHED, PublishError, publish, pull
from searchapp.search import SearchIndex, SearchRequest
from synonyms import load
from tests.conftest import DATA

moto = pytest.importorskip("moto")
BUCKET = "scisearch-test"
URL = f"s3://{BUCKET}/site/index"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        import boto3

        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    summaries = tmp_path / "summaries"
    shutil.copytree(DATA / "web", summaries)
    assert build_index([summaries], tmp_path / "publisher", thesaurus=load(DATA / "thesaurus"),
                       embed=False).ok
    return tmp_path / "publisher"


def _keys(client: Any) -> list[str]:
    return [item["Key"] for item in
            client.list_objects_v2(Bucket=BUCKET).get("Contents", ())]


def _rebuild(index_dir: Path) -> None:
    build_index([index_dir.parent / "summaries"], index_dir, rebuild=True,
                thesaurus=load(DATA / "thesaurus"), embed=False)


def test_a_replica_serves_what_is_published_to_a_bucket(
        s3: Any, index_dir: Path, tmp_path: Path) -> None:
    ident = publish(index_dir, URL)
    assert s3.get_object(Bucket=BUCKET, Key=f"site/index/{CURRENT}")["Body"].read() \
        == ident.encode()
    published = _keys(s3)
    assert f"site/index/{ident}/{CHECKSUMS}" in published
    assert publish(index_dir, URL) == ident and _keys(s3) == published  # no second copy
    pulled = pull(URL, tmp_path / "replica")
    assert pulled.changed and pulled.generation == ident and pulled.files >= 5
    assert current_generation(tmp_path / "replica") == tmp_path / "replica" / ident
    with SearchIndex(tmp_path / "replica", semantic=False) as replica, \
            SearchIndex(index_dir, semantic=False) as original:
        question = SearchRequest(q="bed sores")
        assert [h.id for h in replica.search(question).results] == \
            [h.id for h in original.search(question).results] != []
    assert not pull(URL, tmp_path / "replica").changed


def test_a_tampered_object_is_never_served(s3: Any, index_dir: Path, tmp_path: Path) -> None:
    first = publish(index_dir, URL)
    pull(URL, tmp_path / "replica")
    _rebuild(index_dir)
    second = publish(index_dir, URL)
    segment = next(k for k in _keys(s3) if k.startswith(f"site/index/{second}/")
                   and k.endswith(".seg"))
    s3.put_object(Bucket=BUCKET, Key=segment, Body=b"not what was published")
    with pytest.raises(PublishError, match=f"{URL}/{second}/.*checksum .* not switching"):
        pull(URL, tmp_path / "replica")
    assert current_generation(tmp_path / "replica") == tmp_path / "replica" / first


def test_the_last_three_publications_are_kept(s3: Any, index_dir: Path) -> None:
    idents = [publish(index_dir, URL)]
    for _ in range(KEEP_PUBLISHED):
        _rebuild(index_dir)
        idents.append(publish(index_dir, URL))
    kept = {key.split("/")[2] for key in _keys(s3) if key.count("/") == 3}
    assert kept == set(idents[-KEEP_PUBLISHED:])


def test_a_missing_bucket_or_publication_is_said_plainly(
        s3: Any, index_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="s3://no-such-bucket/x/.*NoSuchBucket"):
        publish(index_dir, "s3://no-such-bucket/x")
    with pytest.raises(PublishError, match=f"{URL}: nothing published there"):
        pull(URL, tmp_path / "replica")
    assert not (tmp_path / "replica").exists()


def test_without_boto3_it_says_what_to_install(index_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if it were not installed
    with pytest.raises(PublishError, match=r"needs boto3: run `pip install -e '\.\[s3\]'`"):
        publish(index_dir, URL)
