"""Index generations published to a shared folder and followed by replicas: both
replicas serve a new summary soon after it is published, a publication is checked
before it is served, and a replica never serves half a copy."""

from __future__ import annotations

import json
import shutil
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build import CURRENT, build_index, current_generation
from indexer.publish import CHECKSUMS, Follower, PublishError, publish, pull
from searchapp import create_app
from searchapp.cli import cli
from synonyms import load
from tests.conftest import DATA

NEW = """---
id: follow-new-summary
title: Hovercraft lessons for wheelchair users
journal: Example Journal
year: 2024
categories: [Rehabilitation]
evidence_level: Expert Opinion
---

## Simple Explanation

People who use wheelchairs tried hovercraft lessons on a lake.
"""


@pytest.fixture
def publisher(tmp_path: Path) -> tuple[Path, Path]:
    summaries = tmp_path / "summaries"
    shutil.copytree(DATA / "web", summaries)
    index_dir = tmp_path / "publisher"
    assert build_index([summaries], index_dir, thesaurus=load(DATA / "thesaurus")).ok
    return summaries, index_dir


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _found(client: object, query: str) -> int:
    total: int = client.get("/api/v1/search", query_string={"q": query}).get_json()["total"]  # type: ignore[attr-defined]
    return total


def test_two_followers_serve_a_new_summary_soon_after_it_is_published(
        publisher: tuple[Path, Path], tmp_path: Path) -> None:
    summaries, index_dir = publisher
    share = tmp_path / "share"
    publish(index_dir, share)
    replicas = [tmp_path / "replica-1", tmp_path / "replica-2"]
    followers = [Follower(share, local, 0.2) for local in replicas]
    for follower in followers:
        follower.pull()
        follower.start()
    sites = [create_app({"INDEX_DIR": local, "TESTING": True, "RELOAD_SECONDS": 0.5,
                         "RELOAD_STAGGER_SECONDS": 1, "QUERY_LOG": "off"}).test_client()
             for local in replicas]
    try:
        assert [_found(site, "hovercraft") for site in sites] == [0, 0]
        (summaries / "new.md").write_text(NEW, encoding="utf-8")
        assert build_index([summaries], index_dir, thesaurus=load(DATA / "thesaurus")).added
        published = time.monotonic()
        ident = publish(index_dir, share)
        # Documented: within --follow-seconds plus SCISEARCH_RELOAD_SECONDS plus
        # SCISEARCH_RELOAD_STAGGER_SECONDS (here 1.7 s), and the time to open it.
        while [_found(site, "hovercraft") for site in sites] != [1, 1]:
            assert time.monotonic() - published < 10, "the replicas did not follow"
            time.sleep(0.1)
        for site, local in zip(sites, replicas, strict=True):
            health = site.get("/healthz").get_json()
            assert health["generation"] == ident and health["summaries"] == 13
            assert health["published_from"] == str(share)
            assert len(list(local.glob("gen-*"))) == 2  # the one served, the one before
    finally:
        for follower in followers:
            follower.stop()


def test_a_publication_whose_checksum_fails_is_never_served(
        publisher: tuple[Path, Path], tmp_path: Path) -> None:
    _, index_dir = publisher
    share, local = tmp_path / "share", tmp_path / "replica"
    first = publish(index_dir, share)
    pull(share, local)
    # A new publication, then one of its files changed after its checksum was taken.
    build_index([DATA / "web"], index_dir, rebuild=True, thesaurus=load(DATA / "thesaurus"))
    second = publish(index_dir, share)
    segment = next((share / second).glob("*.seg"))
    segment.write_bytes(segment.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(PublishError, match=f"checksum .* not switching to {second}"):
        pull(share, local)
    with pytest.raises(PublishError, match="checksum"):
        pull(share, tmp_path / "new-replica")
    assert not (tmp_path / "new-replica").exists()
    assert current_generation(local) == local / first  # still the last good one
    assert not list(local.glob(".incoming-*"))  # the half copy is gone
    assert create_app({"INDEX_DIR": local, "TESTING": True}).test_client().get(
        "/healthz").get_json()["generation"] == first


def test_publish_and_pull_on_the_command_line(publisher: tuple[Path, Path],
                                              tmp_path: Path) -> None:
    _, index_dir = publisher
    share, local = tmp_path / "share", tmp_path / "replica"
    runner = CliRunner()
    published = runner.invoke(cli, ["publish", "--index-dir", str(index_dir),
                                    f"file://{share}"])
    assert published.exit_code == 0, published.output
    ident = (share / CURRENT).read_text(encoding="utf-8")
    assert f"Published {ident} to file://{share}" in published.output
    sums = json.loads((share / ident / CHECKSUMS).read_text(encoding="utf-8"))
    assert "manifest.json" in sums["files"] and len(sums["files"]) >= 5
    first = runner.invoke(cli, ["pull", str(share), str(local)])
    assert first.exit_code == 0 and f"Pulled {ident}: " in first.output
    again = runner.invoke(cli, ["pull", str(share), str(local)])
    assert again.output.strip() == f"Up to date: {ident}."
    nothing = runner.invoke(cli, ["pull", str(tmp_path / "empty"), str(local)])
    assert nothing.exit_code == 1 and "nothing published there" in nothing.output
    # Wrong folders make nothing: no lock file in a missing index, no empty DEST or replica.
    missing = runner.invoke(cli, ["publish", "--index-dir", str(tmp_path / "no-index"),
                                  str(tmp_path / "dest")])
    assert missing.exit_code == 1 and "no search index in" in missing.output
    assert not (tmp_path / "no-index").exists() and not (tmp_path / "dest").exists()
    web = runner.invoke(cli, ["publish", "--index-dir", str(index_dir), "https://example.org/x"])
    assert web.exit_code == 1 and "folders, file:// URLs or s3://bucket/prefix URLs" \
        in web.output


def test_serve_follow_pulls_before_serving_and_builds_nothing(
        publisher: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, index_dir = publisher
    share, local = tmp_path / "share", tmp_path / "replica"
    ident = publish(index_dir, share)
    served: list[object] = []
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda *a, **kw: served.append(a))
    monkeypatch.setattr(Follower, "start", lambda self: None)  # no thread left behind
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--port", str(_free_port()), "--index-dir", str(local),
                                 "--follow", str(share)])
    assert result.exit_code == 0, result.output
    assert f"Following {share}: serving {ident}" in result.output
    assert "Serving 12 summaries" in result.output and served
    both = runner.invoke(cli, ["serve", "--port", str(_free_port()), "--index-dir", str(local),
                               "--follow", str(share), "--summaries", str(DATA / "web")])
    assert both.exit_code == 2 and "give --follow or --summaries, not both" in both.output
