"""Text analysis: the one chain that turns text into index and query terms.

    text -> tokens (with character offsets) -> lowercase + accent folding
         -> contractions ("can't" -> "can", "not") -> stop words (negations kept)
         -> irregular plurals ("metastases" -> "metastasis") -> Snowball stem

`analyze` gives stemmed terms (what the index scores); `words` gives the same
tokens unstemmed (the vocabulary behind spelling correction and autocomplete).
Pure Python with NLTK's Snowball stemmer, which needs no downloaded data. The
whoosh adapter lives in `indexer.schema`; this module does not import whoosh.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from nltk.stem.snowball import SnowballStemmer

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SPECIAL_FOLDS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l",
                                "đ": "d", "ð": "d", "þ": "th", "ı": "i", "’": "'"})
_CONTRACTIONS = {"can't": ("can", "not"), "won't": ("will", "not"),
                 "shan't": ("shall", "not"), "ain't": ("is", "not")}
# Negations typed without the apostrophe ("bed sores wont heal", "cant pee").
_BARE_NEGATIONS = {"cannot": ("can", "not"), "cant": ("can", "not"), "wont": ("will", "not"),
                   "dont": ("do", "not"),
                   "doesnt": ("does", "not"), "didnt": ("did", "not"), "isnt": ("is", "not"),
                   "arent": ("are", "not"), "wasnt": ("was", "not"), "werent": ("were", "not"),
                   "couldnt": ("could", "not"), "wouldnt": ("would", "not"),
                   "shouldnt": ("should", "not"), "havent": ("have", "not"),
                   "hasnt": ("has", "not"), "hadnt": ("had", "not"), "aint": ("is", "not")}
NEGATIONS = frozenset({"no", "not", "nor", "without", "never", "none", "against", "neither"})


def _data_lines(name: str) -> list[str]:
    text = resources.files("indexer").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


STOP_WORDS: frozenset[str] = frozenset(_data_lines("stopwords.txt")) - NEGATIONS
IRREGULAR: dict[str, str] = dict(
    tuple(line.split("\t", 1)) for line in _data_lines("irregular_forms.txt")  # type: ignore[misc]
)
# Words the stemmer would merge with unrelated ones ("mindfulness" -> "mind"): kept whole.
KEEP: frozenset[str] = frozenset(_data_lines("keep_words.txt"))
_stemmer = SnowballStemmer("english")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case English words (SCOWL, shipped in indexer/data): a real word a reader
    types is not respelled into another. Loaded on first use (~64,000 words)."""
    return frozenset(_data_lines("english_words.txt"))


class Token(NamedTuple):
    """One word: a tuple, because indexing and snippets make hundreds of thousands."""

    text: str  # the normalised (folded, unstemmed) word
    start: int  # character offsets in the original text
    end: int


def fold(word: str) -> str:
    """Lowercase and strip accents: "Guillain–Barré" -> "guillain–barre"."""
    word = word.lower().translate(_SPECIAL_FOLDS)
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> Iterator[Token]:
    """Folded word tokens with their offsets; contractions split, possessives dropped."""
    for match in _TOKEN.finditer(text):
        raw = match.group()
        # Plain ASCII words (nearly all) need only lower case: folding changes nothing.
        word = raw.lower() if raw.isascii() else fold(raw)
        start, end = match.span()
        if "'" in word:
            if word in _CONTRACTIONS:
                for part in _CONTRACTIONS[word]:
                    yield Token(part, start, end)
                continue
            if word.endswith("n't"):
                yield Token(word[:-3], start, end)
                yield Token("not", start, end)
                continue
            if word.endswith("'s"):
                word = word[:-2]
            word = word.replace("'", "")
        if word in _BARE_NEGATIONS:
            for part in _BARE_NEGATIONS[word]:
                yield Token(part, start, end)
            continue
        yield Token(word, start, end)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The index term for one folded word."""
    word = IRREGULAR.get(word, word)
    if word.isdigit() or len(word) <= 2 or word in KEEP:
        return word
    return str(_stemmer.stem(word))


def is_stop(word: str) -> bool:
    return word in STOP_WORDS


def analyze(text: str) -> list[str]:
    """Index terms of `text`: folded, stop words removed, stemmed."""
    return [stem(t.text) for t in tokens(text) if not is_stop(t.text)]


def words(text: str) -> list[str]:
    """Folded words of `text` with stop words removed, unstemmed."""
    return [t.text for t in tokens(text) if not is_stop(t.text)]
