"""Meaning at index time: passages, vectors stored with the generation, never embedded twice."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest

from indexer import vectors
from indexer.build import build_index, current_generation
from indexer.embedding import MAX_TOKENS, wordpiece


def _stored(index_dir: Path) -> vectors.Vectors:
    generation = current_generation(index_dir)
    assert generation is not None
    found = vectors.load(generation)
    assert found is not None
    return found


def test_every_summary_is_embedded_and_the_manifest_names_the_model(built_index: Path) -> None:
    stored = _stored(built_index)
    manifest = json.loads((built_index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedding"]["model_sha256"] == stored.model_sha256
    assert "all-MiniLM-L6-v2" in manifest["embedding"]["model"]
    assert manifest["embedding"]["summaries"] == manifest["documents"] == len(stored.summaries)
    assert stored.matrix.shape == (len(stored.passages), 384)
    assert stored.name_matrix.shape == (len(stored.names), 384)


def test_an_unchanged_summary_is_never_embedded_again(corpus: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = build_index([corpus], index_dir)
    assert first.embedding is not None and first.embedding.embedded > 0
    # A full rebuild (a new generation) reuses the vectors of the live one.
    again = build_index([corpus], index_dir, rebuild=True)
    assert again.embedding is not None
    assert again.embedding.embedded == 0 and again.embedding.reused > 0
    # One changed summary: only its passages are embedded.
    page = corpus / "page_full.txt"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "Simple Explanation\n", "Simple Explanation\nA sentence added by an editor.\n", 1),
        encoding="utf-8")
    changed = build_index([corpus], index_dir)
    assert changed.updated == 1
    assert changed.embedding is not None and 1 <= changed.embedding.embedded <= 2
    nothing = build_index([corpus], index_dir)
    assert nothing.embedding is None  # nothing changed: the vectors are not touched


def test_another_model_means_embedding_everything_again(
        corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir)
    generation = current_generation(index_dir)
    assert generation is not None
    stored = _stored(index_dir)
    vectors.save(generation, dataclasses.replace(stored, model="an older model",
                                                 model_sha256="0" * 64))
    with caplog.at_level(logging.WARNING):
        report = build_index([corpus], index_dir, rebuild=True)
    assert report.embedding is not None and report.embedding.model_changed
    assert report.embedding.reused == 0
    assert "the embedding model changed (an older model ->" in caplog.text
    assert _stored(index_dir).model_sha256 == stored.model_sha256


def test_switched_off_the_index_has_no_vectors(corpus: Path, tmp_path: Path) -> None:
    report = build_index([corpus], tmp_path / "index", embed=False)
    assert report.embedding is None and report.embedding_off == "switched off"
    generation = current_generation(tmp_path / "index")
    assert generation is not None and vectors.load(generation) is None
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedding"] is None


def test_passages_start_with_the_title_and_cut_long_texts_at_sentences() -> None:
    tokenizer = wordpiece()
    sentence = "Walking training on a treadmill improved speed in most of the participants."
    record = {"title": "Treadmill training", "simple_explanation": " ".join([sentence] * 30),
              "key_findings": ["Speed rose."], "research_summary": "Not embedded."}
    parts = vectors.passages(record, tokenizer)
    assert len(parts) == vectors.MAX_PASSAGES
    assert parts[0].startswith("Treadmill training " + sentence)
    assert all(p.endswith(".") and tokenizer.count(p) <= MAX_TOKENS - 2 for p in parts)
    short = vectors.passages({"title": "T", "simple_explanation": "One.",
                              "key_findings": ["Two."]}, tokenizer)
    assert short == ["T One. Two."]
    # Trials and other exports without a simple explanation: the research summary.
    assert vectors.passages({"title": "T", "research_summary": "Details."}, tokenizer) \
        == ["T Details."]


def test_a_damaged_vectors_file_is_read_as_none(built_index: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    generation = current_generation(built_index)
    assert generation is not None
    (generation / vectors.VECTORS).write_bytes(b"garbage")
    with caplog.at_level(logging.WARNING):
        assert vectors.load(generation) is None
    assert "cannot be read" in caplog.text


def test_vectors_missing_a_summary_are_completed_by_the_next_build(built_index: Path,
                                                                  corpus: Path) -> None:
    # As after a build killed between the index's commit and its vectors' write.
    generation = current_generation(built_index)
    assert generation is not None
    stored = _stored(built_index)
    dropped = sorted(stored.summaries)[0]
    vectors.save(generation, dataclasses.replace(
        stored, summaries={k: v for k, v in stored.summaries.items() if k != dropped},
        versions={k: v for k, v in stored.versions.items() if k != dropped}))
    report = build_index([corpus], built_index)
    assert report.added == report.updated == 0
    assert report.embedding is not None
    assert dropped in _stored(built_index).summaries
