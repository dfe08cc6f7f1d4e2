"""Snippets, second time round: each shown summary's body analysed once, kept compact.

Building a snippet analyses the summary's body (every word's index term and
the concept mentions in it): on long trial records that was most of a search,
and the `synonyms.Prepared` form holds a few hundred bytes per word, so few
could be kept. `Analysed` keeps what the snippets use: the body text, each
word's offsets and index term as NumPy arrays (12 bytes a word) and the
concept mentions, found once. `PassageCache.snippet` gives exactly what
`snippets.snippet` gives on the prepared body.

`Analyses` holds a generation's analysed titles and bodies. Under gunicorn the
master analyses them before it forks the workers (`analyse_ahead`, then
`hand_down`): the workers' indexes of that generation start from them (their
arrays shared between the processes, never written), so a worker's first
readers do not wait for the analysis of each summary they are shown.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from searchapp.search import snippets
from searchapp.search.postings import IntArray
from synonyms import Matcher
from synonyms.matcher import Prepared

# Analysed summary texts kept for snippets: analysing them again for every search
# was a third of the time of a search. Titles are kept as `Prepared` (short), bodies
# compact (about 12 bytes a word plus the text): up to this many titles and this
# many words of bodies, the whole trials corpus (~1.5 million words) fits.
TITLES = 5000
BODY_WORDS = 3_000_000
# Snippets are cut from a summary's first this many characters: analysing a long
# trial's whole text on its first showing was most of a first search's time.
SNIPPET_CHARS = 6000
# Titles are marked up to this many characters (a longer one is cut with "…"): the
# work a result card costs stays bounded whatever an index holds.
TITLE_CHARS = 500


@dataclass(frozen=True)
class Analysed:
    text: str
    starts: IntArray
    ends: IntArray
    stems: IntArray  # ids in PassageCache's stem table
    mentions: tuple[snippets.Span, ...]  # (start, end, concept id)


class PassageCache:
    """Analysed bodies by summary id, least recently shown dropped past `max_words`."""

    def __init__(self, matcher: Matcher, max_words: int) -> None:
        self.matcher = matcher
        self.max_words = max_words
        self._stem_ids: dict[str, int] = {}
        self._stems: list[str] = []
        self._cache: OrderedDict[str, Analysed] = OrderedDict()
        self._words = 0

    def analysed(self, key: str, body: str) -> Analysed:
        cached = self._cache.get(key)
        if cached is not None and cached.text == body:
            self._cache.move_to_end(key)
            return cached
        prepared = self.matcher.prepare(body)
        ids = [self._stem_id(stem) for _, _, stem in prepared.stems()]
        analysed = Analysed(
            body,
            np.fromiter((t.start for t in prepared.tokens), dtype=np.int32),
            np.fromiter((t.end for t in prepared.tokens), dtype=np.int32),
            np.asarray(ids, dtype=np.int32),
            tuple((m.start, m.end, m.concept.id) for m in self.matcher.find_prepared(prepared)))
        self._cache[key] = analysed
        self._words += len(ids)
        while self._words > self.max_words and len(self._cache) > 1:
            _, dropped = self._cache.popitem(last=False)
            self._words -= len(dropped.stems)
        return analysed

    @property
    def full(self) -> bool:
        return self._words >= self.max_words

    def snippet(self, analysed: Analysed, terms: Collection[str],
                concepts: Collection[str] = ()) -> str:
        """`snippets.snippet` of the body, from its analysis."""
        wanted = [self._stem_ids[t] for t in terms if t in self._stem_ids]
        found: list[snippets.Span] = []
        if wanted:
            at = np.flatnonzero(np.isin(analysed.stems, wanted))
            found = [(int(analysed.starts[i]), int(analysed.ends[i]),
                      self._stems[analysed.stems[i]]) for i in at]
        if concepts:
            found.extend(m for m in analysed.mentions if m[2] in concepts)
        return snippets.passage(analysed.text, snippets.merge(found))

    def _stem_id(self, stem: str) -> int:
        known = self._stem_ids.get(stem)
        if known is None:
            known = self._stem_ids[stem] = len(self._stems)
            self._stems.append(stem)
        return known


def shown_title(title: str) -> str:
    """The part of a title a result card marks and shows."""
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS].rstrip() + "\u2026"


class Analyses:
    """A generation's summaries analysed for their result cards: the title (to mark
    the words found in it) and the body (for the snippet), each once."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._titles: OrderedDict[str, Prepared] = OrderedDict()
        self._bodies = PassageCache(matcher, BODY_WORDS)
        # Each index term's document frequency in the text field that has it most,
        # when the master read them all ahead (a first search looked hundreds up).
        self.frequency: dict[str, int] | None = None

    def of(self, record: dict[str, Any]) -> tuple[Prepared, Analysed]:
        """A summary's title and body, analysed (cached: summaries do not change)."""
        body = " ".join([
            record["simple_explanation"], *record["key_findings"], record["research_summary"],
            *(f"{i['heading']}: {i['text']}" if i["heading"] else i["text"]
              for i in record["practical_implications"]),
            *record["limitations"],
        ])[:SNIPPET_CHARS]
        shown = shown_title(record["title"])
        title = self._titles.get(record["id"])
        if title is not None and title.text == shown:
            self._titles.move_to_end(record["id"])
        else:
            title = self._titles[record["id"]] = self.matcher.prepare(shown)
            if len(self._titles) > TITLES:
                self._titles.popitem(last=False)
        return title, self._bodies.analysed(record["id"], body)

    def snippet(self, body: Analysed, terms: Collection[str],
                concepts: Collection[str] = ()) -> str:
        return self._bodies.snippet(body, terms, concepts)

    def ahead(self, records: Iterable[dict[str, Any]], seconds: float) -> int:
        """Analyse `records` before they are shown, for at most `seconds` and as many
        as the caches hold; returns how many were."""
        deadline = time.monotonic() + seconds
        done = 0
        for record in records:
            if done >= TITLES or time.monotonic() > deadline:
                break
            self.of(record)
            done += 1
            if self._bodies.full:
                break
        return done


_HANDED_DOWN: dict[str, Analyses] = {}


def hand_down(generation: Path, version: int, analyses: Analyses) -> None:
    """Keep `analyses` for the next index of `generation` at `version` (whoosh's table
    of contents: an update in place raises it) opened in this process or in a
    process forked from it (a gunicorn worker)."""
    _HANDED_DOWN.clear()  # one generation at a time
    _HANDED_DOWN[f"{generation}@{version}"] = analyses


def handed_down(generation: Path | None, version: int) -> Analyses | None:
    """The analyses handed down for `generation` at `version`, taken (an index opened
    later starts afresh), or None."""
    return _HANDED_DOWN.pop(f"{generation}@{version}", None) if generation is not None \
        else None
