"""Search: one function answers the page, the API and the CLI.

`SearchIndex.search(SearchRequest)` runs the parsed query on the live index,
applies facet filters (disjunctive within a facet, conjunctive across facets),
counts facet values over the matching documents, sorts, pages and builds a
snippet per hit. It returns a `SearchResponse`, which the callers only render.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import pickle
import struct
import time
import weakref
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from whoosh import query as wq
from whoosh import scoring, sorting
from whoosh.reading import CorruptIndexError

from indexer import IndexerError, analysis, evidence
from indexer.build import (
    current_generation,
    damage_named,
    index_thesaurus,
    open_index,
)
from indexer.embedding import ModelUnavailableError, enabled, query_model
from indexer.errors import damage
from indexer.schema import TEXT_FIELDS
from indexer.vectors import VECTORS
from searchapp.search import facets as facets_mod
from searchapp.search import meaning as meaning_mod
from searchapp.search import passages, respell, snippets, understood
from searchapp.search import query as query_mod
from searchapp.search.bonuses import BonusScorer
from searchapp.search.postings import PostingsCache
from searchapp.search.results import (
    Document,
    FacetValue,
    Hit,
    Related,
    SearchRequest,
    SearchResponse,
)
from searchapp.search.scoring import Matches, MatchScorer
from searchapp.search.suggest import Suggester, Suggestion
from synonyms import Matcher
from synonyms.fuzzy import Speller, WordIndex

log = logging.getLogger(__name__)
# What reading an open index's damaged files raises (whoosh reads them lazily, so
# damage can show at any search): the site answers it as a damaged index.
READING_DAMAGE = (EOFError, OSError, struct.error, zlib.error, pickle.UnpicklingError,
                  zipfile.BadZipFile, CorruptIndexError)

# A concept is searched for by at most this many of its clinical names (those most
# frequent in the index); its concept tag already finds every summary naming it.
MAX_NAMES_PER_CONCEPT = 4
# A concept named in more than this share of the summaries (spinal cord injury, on an
# SCI site) tells them apart no better than its words do: it is searched by its words.
# A word in more than this share only adds to summaries the rest of the query matches.
GENERIC_CONCEPT_SHARE = 0.3
# Candidates whose phrase bonuses are checked (see SearchIndex._rank).
RESCORE = 50
# What "why it matched" says of a summary close in meaning to the question.
CLOSE_IN_MEANING = "it is close in meaning to your question"
# Related summaries shown on a summary's page, and nearest topics offered when a
# search finds nothing.
RELATED = 5
NEAREST_TOPICS = 5
# Suggestion texts whose search totals are kept (the thesaurus has ~14,000 names).
FOUND_CACHE_SIZE = 20_000


class SearchIndex:
    """An open index, ready to answer searches. Close it (or use `with`) when done."""

    def __init__(self, index_dir: Path, *, semantic: bool | None = None) -> None:
        """Open the live index in `index_dir`; `semantic` (default: unless
        SCISEARCH_SEMANTIC=off) matches by meaning too, when the model and the
        index's vectors are there."""
        self.index_dir = index_dir
        self.generation = current_generation(index_dir)
        self._files = self._file_stamps()  # as opened (the vectors' among them)
        try:
            with damage_named(index_dir, self.generation):
                self._open(index_dir, semantic)
        except IndexerError:
            closer = getattr(self, "_closer", None)
            if closer is not None:  # opened before the damage showed: its files too
                closer()
            raise

    def _open(self, index_dir: Path, semantic: bool | None) -> None:
        self._index = open_index(index_dir)
        storage = self._index.storage
        try:
            self._searcher = self._index.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2))
        except BaseException:
            storage.close_files()  # those of a segment it failed to read
            raise
        # The index's files are open (read, not memory-mapped): closed by close(), or
        # when the index is dropped without it.
        self._closer = weakref.finalize(self, _close, self._searcher, storage)
        self.facets = facets_mod.Facets(self._searcher.reader())
        self._facet_docs = self.facets.docs
        self.thesaurus = index_thesaurus(index_dir)
        self.concepts = self.thesaurus.by_id()
        # Under gunicorn, what the master analysed of this generation (its matcher
        # included: the same thesaurus), shared with its workers.
        handed = passages.handed_down(self.generation, self.version)
        self.matcher = handed.matcher if handed else Matcher(self.thesaurus, analysis)
        self._analyses = handed or passages.Analyses(self.matcher)
        self.vocabulary = self._vocabulary()
        # Corrections: the thesaurus's words first at equal cost, then the index's.
        self.speller = Speller(self.matcher.words, self.vocabulary,
                               frequency=self.vocabulary.frequency)
        self._name_frequency: dict[tuple[str, ...], int] = {}
        # Ranking from cached postings (NumPy): whoosh stores, NumPy scores.
        postings = PostingsCache(self._searcher)
        self._scorer = MatchScorer(postings)
        self._bonuses = BonusScorer(postings)
        self._suggester: Suggester | None = None
        self._found: dict[str, int] = {}  # a suggestion's text -> what searching it finds
        semantic = enabled() if semantic is None else semantic
        self.meaning = self._open_meaning() if semantic else None
        if not semantic:
            log.info("matching by meaning is switched off: words and concepts only")

    def changed(self) -> bool:
        """Whether a file of the generation as it was opened has changed on disk since,
        or gone: builds add files (a new segment, a new generation), never rewrite one,
        so this is damage (or an old generation being removed)."""
        now = self._file_stamps()
        return any(now.get(name) != stamp for name, stamp in self._files.items())

    def _file_stamps(self) -> dict[str, tuple[int, int, int]]:
        try:
            paths = list(self.generation.iterdir()) if self.generation else []
        except OSError:  # the generation's folder is gone
            return {}
        return {path.name: stamp for path in paths if (stamp := _stamp(path)) is not None}

    def _open_meaning(self) -> meaning_mod.MeaningIndex | None:
        try:
            model = query_model()
        except ModelUnavailableError as error:
            log.warning("matching by meaning is off, words and concepts only: %s", error)
            return None
        docnums = {stored["id"]: docnum for docnum, stored in self._searcher.reader().iter_docs()}
        try:
            return meaning_mod.MeaningIndex.open(self.generation, model, docnums,
                                                 self._searcher.doc_count_all())
        except Exception as error:  # noqa: BLE001 - a damaged file: serve what can be served
            log.error("matching by meaning is off, words and concepts only: the index's "
                      "vectors in %s are damaged (%s); `scisearch index --rebuild` makes them "
                      "anew", self.generation, damage(error))
            return None

    def _frequency(self, stems: tuple[str, ...]) -> int:
        """About how many summaries contain all of `stems` (in one field at least)."""
        cached = self._name_frequency.get(stems)
        if cached is None:
            known = self._analyses.frequency
            reader = self._searcher.reader()
            cached = min(known.get(stem, 0) if known is not None else
                         max(reader.doc_frequency(name, stem) for name in TEXT_FIELDS)
                         for stem in stems)
            self._name_frequency[stems] = cached
        return cached

    def _generic(self, concept_id: str) -> bool:
        tagged = len(self._facet_docs["topic"].get(concept_id, ()))
        return tagged > GENERIC_CONCEPT_SHARE * max(self.doc_count, 1)

    def _prune(self, expansion: query_mod.Expansion) -> query_mod.Expansion:
        present = [s for s in expansion.stems if self._frequency(s)]
        present.sort(key=self._frequency, reverse=True)
        return dataclasses.replace(expansion, stems=tuple(present[:MAX_NAMES_PER_CONCEPT]))

    def _vocabulary(self) -> WordIndex:
        """The index's unstemmed words with their document frequencies (for spelling)."""
        reader = self._searcher.reader()
        frequency = {}
        for raw, info in reader.iter_field("words"):
            word = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
            if word.isalpha():
                frequency[word] = info.doc_frequency()
        return WordIndex(frequency, frequency)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closer()

    @property
    def version(self) -> int:
        """The whoosh table of contents number: an update in place raises it."""
        return int(self._index.latest_generation())

    def is_current(self) -> bool:
        """False once the index on disk has been rebuilt or updated since it was opened."""
        up_to_date: bool = self._searcher.up_to_date()
        return (up_to_date and current_generation(self.index_dir) == self.generation
                and self._files.get(VECTORS) == (_stamp(self.generation / VECTORS)
                                                 if self.generation else None))

    @property
    def doc_count(self) -> int:
        count: int = self._searcher.doc_count()
        return count

    def search(self, request: SearchRequest) -> SearchResponse:
        """The answer to `request`. A real word no summary has is searched as typed;
        when that finds nothing, and its respelling finds summaries and is much closer
        in meaning to them ("leeks of urine"), the respelled search is the answer,
        shown as a correction; one such word at most, in a question of two words
        or more ("stock market news" is not three typos). Without meaning, real
        words are never respelled. A filter value the index does not know raises
        SearchRequestError naming the filter and the values it accepts."""
        self.facets.check(request)
        try:
            return self._answer(request, self.meaning)
        except ModelUnavailableError as error:  # the model process of a site is down
            log.warning("searching by words and concepts only: %s", error)
            return self._answer(request, None)

    def _answer(self, request: SearchRequest,
                meaning: meaning_mod.MeaningIndex | None) -> SearchResponse:
        response = self._search(request, meaning)
        if response.total or not request.correct or not response.unfound:
            return response
        fixed = respell.real_word_fix(query_mod.bounded(request.q), response.unfound,
                                      self.vocabulary, self.speller, meaning)
        if fixed is None:
            return response
        respelled, fix = fixed
        second = self._search(dataclasses.replace(request, q=respelled), meaning)
        if not second.total or second.parsed is None:
            return response
        parsed = dataclasses.replace(second.parsed, text=request.q,
                                     corrections=(fix, *second.parsed.corrections))
        return dataclasses.replace(second, request=request, parsed=parsed,
                                   took_ms=response.took_ms + second.took_ms)

    def _search(self, request: SearchRequest,
                available: meaning_mod.MeaningIndex | None) -> SearchResponse:
        started = time.perf_counter()
        parsed = query_mod.understand(request.q, self.matcher, self.speller,
                                      expand=request.expand, correct=request.correct,
                                      generic=self._generic)
        parsed = dataclasses.replace(
            parsed, expansions=tuple(self._prune(e) for e in parsed.expansions))
        # Searching exactly as typed (no spelling correction) is by the words alone.
        meaning = available if request.meaning and request.correct and request.q.strip() \
            else None
        if meaning is not None and request.expand and request.words:
            parsed = understood.by_meaning(parsed, meaning, self.concepts, self._tagged,
                                           self._generic, self._known)
        reach = understood.reach(parsed, self._known, self._tagged) if request.expand \
            else None
        notices: list[str] = []
        if parsed.truncated:
            notices.append(query_mod.cut_notice())
        if parsed.is_empty and request.q.strip():
            notices.append("Your search has no words we can look for: try other words.")
            return SearchResponse(request, 0, (), self._counts(set(), request), _ms(started),
                                  tuple(notices), parsed)
        vector = similarity = None
        if meaning is not None:
            # The question as corrected: a typo is other word pieces to the model too.
            vector = meaning.embed(parsed.corrected_text or parsed.text)
            similarity = meaning.similarities(vector)
        if reach is not None and reach.nothing_about(
                None if similarity is None else float(similarity.max()),
                lambda words: not words or self._holding_all(" ".join(words)) > 0,
                lambda word: self._frequency((analysis.stem(word),)), self.doc_count):
            return SearchResponse(request, 0, (), self._counts(set(), request), _ms(started),
                                  tuple(notices), parsed, unfound=reach.unfound,
                                  nothing_about=True, about=reach.unfound or reach.loose
                                  or reach.words, meaning=meaning is not None)
        whoosh_query = wq.Every() if parsed.is_empty else self.match_query(parsed)

        allowed = self.facets.allowed(request)
        offset = (request.page - 1) * request.per_page
        limit = offset + request.per_page
        sortedby = self._sort(request.sort, parsed.is_empty)
        filtered = _intersect(allowed.values())
        ranking = self._rank(parsed, whoosh_query, limit, filtered, similarity,
                             words=request.words)
        matched = ranking.matched
        if sortedby is not None or parsed.is_empty:
            shown = matched if filtered is None else matched & filtered
            # Summaries found by meaning alone have no word to score: sorted after.
            sorting_query = wq.Or([whoosh_query, wq.Every()]) if ranking.by_meaning_only \
                else whoosh_query
            # whoosh reads an empty filter as no filter at all: nothing is nothing here.
            results = self._searcher.search(sorting_query, limit=limit, sortedby=sortedby,
                                            filter=shown) if shown else []
            ranked = [(hit.docnum, hit.score if isinstance(hit.score, float) else 0.0)
                      for hit in results]
        else:
            ranked = ranking.ranked
        selected = matched if filtered is None else matched & filtered
        facets = {name: facets_mod.shown(facets_mod.topics_first(
                      values, [e.concept_id for e in parsed.expansions], self._generic)
                      if name == "topic" else values)
                  for name, values in self._counts(matched, request, allowed).items()}
        hits = [self._hit(self._searcher.stored_fields(docnum), score, parsed, docnum,
                          vector if similarity is not None
                          and similarity[docnum] >= meaning_mod.MATCH_SIMILARITY else None)
                for docnum, score in ranked[offset:limit]]
        did_you_mean = ""
        if request.correct and not parsed.corrections and not parsed.is_empty:
            did_you_mean = respell.did_you_mean(parsed.text, parsed, self.vocabulary,
                                                self.speller, available, self._holding_all)
        nearest = self.nearest_topics(parsed.text) if not selected and request.q.strip() else ()
        unfound = reach.unfound if reach is not None else ()
        if unfound:
            notices.append("No summary mentions " + ", ".join(f"\u2018{w}\u2019"
                                                               for w in unfound) + ".")
        page = [docnum for docnum, _ in ranked[offset:limit]]
        return SearchResponse(request, len(selected), tuple(hits), facets, _ms(started),
                              tuple(notices), parsed, did_you_mean, nearest, unfound=unfound,
                              meaning=meaning is not None,
                              words=len(reach.words) if reach is not None else 0,
                              held=self._held(reach, parsed, page) if reach and page else 0)

    def _held(self, reach: understood.Reach, parsed: query_mod.ParsedQuery,
              docnums: list[int]) -> int:
        """The most content words of the question that one of `docnums` holds: the word
        (or its correction) in its text, or a topic it is tagged with named by the word."""
        fixed = {c.typed: c.corrected for c in parsed.corrections}
        holds = np.zeros((len(reach.words), len(docnums)), dtype=np.bool_)
        for row, word in enumerate(reach.words):
            stems = {analysis.stem(word), analysis.stem(fixed.get(word, word))}
            mask = self._scorer.evaluate(wq.Or([query_mod.any_field((s,)) for s in stems])).mask
            concepts = {e.concept_id for e in parsed.expansions
                        if word in analysis.words(e.matched)}
            for column, docnum in enumerate(docnums):
                holds[row, column] = mask[docnum] or bool(
                    concepts & set(self._searcher.stored_fields(docnum).get("concept_ids")
                                   or ()))
        return int(holds.sum(axis=0).max())

    def _known(self, word: str) -> bool:
        """The word, or another with its stem, is in some summary."""
        return word in self.vocabulary or self._frequency((analysis.stem(word),)) > 0

    def _tagged(self, concept_id: str) -> bool:
        return bool(self._facet_docs["topic"].get(concept_id))

    def match_query(self, parsed: query_mod.ParsedQuery) -> Any:
        """The whoosh query deciding which summaries match (and their first score)."""
        common = {word for word in query_mod.words_of(parsed)
                  if self._frequency((word,)) > GENERIC_CONCEPT_SHARE * self.doc_count}
        return query_mod.to_whoosh(parsed, common)

    def _rank(self, parsed: query_mod.ParsedQuery, match: Any, limit: int,
              allowed: set[int] | None, similarity: np.ndarray | None,
              words: bool = True) -> _Ranking:
        """The best `limit` (docnum, score) by relevance, and every matching docnum.

        Two stages, as search engines rescore: `match` (the words and concept tags,
        from `match_query`) finds and scores every match (cheap term look-ups); the
        phrase bonuses (clinical names and closeness of the typed words, costly
        position checks) are then added for the best RESCORE candidates only. With
        `similarity` (meaning), the result is fused with the meaning ranking, and
        summaries close enough in meaning match too (`words=False`: they alone).
        """
        size = self._searcher.doc_count_all()
        allowed_mask = None
        if allowed is not None:
            allowed_mask = np.zeros(size, dtype=np.bool_)
            allowed_mask[np.fromiter(allowed, dtype=np.int64, count=len(allowed))] = True
        if parsed.is_empty:
            word_mask = np.ones(size, dtype=np.bool_)
            scores = np.zeros(size)
        else:
            evaluation = self._scorer.evaluate(match)
            word_mask = evaluation.mask if words else np.zeros(size, dtype=np.bool_)
            scores = evaluation.score.astype(np.float64, copy=True)
            bonus = query_mod.bonus_query(parsed)
            candidates = dict(evaluation.top(max(limit, RESCORE), allowed_mask)) if words \
                else {}
            if bonus is not None and candidates:
                for docnum, extra in self._bonuses.scores(bonus, candidates).items():
                    scores[docnum] += extra
        if similarity is None:
            final, mask, by_meaning_only = scores, word_mask, False
        else:
            # A quoted phrase must appear: then meaning only reorders the matches.
            close = similarity >= meaning_mod.MATCH_SIMILARITY
            if parsed.phrases:
                close &= word_mask
            mask = word_mask | close
            by_meaning_only = bool((close & ~word_mask).any())
            final = meaning_mod.fuse(scores, word_mask, similarity) if words \
                else similarity.astype(np.float64)
        keep = mask if allowed_mask is None else mask & allowed_mask
        ids = np.flatnonzero(keep)
        if len(ids) > limit:
            cut = np.partition(final[ids], len(ids) - limit)[len(ids) - limit]
            ids = ids[final[ids] >= cut]
        order = ids[np.lexsort((ids, -final[ids]))][:limit]
        ranked = [(int(d), float(final[d])) for d in order]
        return _Ranking(ranked, Matches(np.flatnonzero(mask), mask), by_meaning_only)

    def _holding_all(self, text: str) -> int:
        """How many summaries contain every searchable word of `text`."""
        stems = list(dict.fromkeys(analysis.analyze(text)))
        if not stems:
            return 0
        query = wq.And([query_mod.any_field((stem,)) for stem in stems])
        return int(self._scorer.evaluate(query).mask.sum())

    def get(self, summary_id: str) -> Document | None:
        """The summary with this id, with its topics and related summaries; None if absent."""
        docnum = self._searcher.document_number(id=summary_id)
        if docnum is None:
            return None
        stored = self._searcher.stored_fields(docnum)
        record = json.loads(stored["record"])
        topic_ids = [c for c in stored.get("concept_ids") or () if c in self.concepts]
        topics = sorted(
            (FacetValue(c, len(self._facet_docs["topic"].get(c, ())), self.concepts[c].preferred)
             for c in topic_ids), key=lambda t: t.label.lower())
        return Document(record, evidence.by_name(record["evidence_level"]).label,
                        tuple(topics), self._related(docnum, topic_ids))

    def canonical_id(self, summary_id: str) -> str | None:
        """The id of the summary whose id is `summary_id` but for case, else None."""
        wanted = summary_id.lower()
        return next((found for found in (term.decode("utf-8") for term in
                                         self._searcher.reader().lexicon("id"))
                     if found.lower() == wanted), None)

    def _related(self, docnum: int, topic_ids: list[str]) -> tuple[Related, ...]:
        """Summaries sharing the most distinctive topics with summary `docnum`."""
        # A topic most summaries share (spinal cord injury) relates them only when
        # the summary has no other.
        specific = [c for c in topic_ids if not self._generic(c)] or topic_ids
        if not specific:
            return ()
        query = wq.Or([wq.Term("concepts", c) for c in specific])
        results = self._searcher.search(query, limit=RELATED + 1, mask={docnum})
        related = []
        for hit in results[:RELATED]:
            record = json.loads(hit.fields()["record"])
            related.append(Related(record["id"], record["title"],
                                   evidence.by_name(record["evidence_level"]).label,
                                   record["year"]))
        return tuple(related)

    def documents(self) -> Iterator[dict[str, Any]]:
        """Every summary's facet fields (id, year, evidence, categories, concept_ids),
        for reports on the collection."""
        for _, stored in self._searcher.reader().iter_docs():
            yield {name: stored.get(name) for name in
                   ("id", "year", "evidence", "categories", "concept_ids")}

    def nearest_topics(self, text: str) -> tuple[FacetValue, ...]:
        """Topics whose names are closest to `text`: where to go when nothing was found."""
        names = self.suggester.names
        if not text.strip() or not names:
            return ()
        words = " ".join(analysis.words(text[:200]))
        found = process.extract(words, names, scorer=fuzz.token_set_ratio, score_cutoff=70,
                                limit=NEAREST_TOPICS * 4)
        topics: dict[str, FacetValue] = {}
        for _, _, number in found:
            concept = self.suggester.name_concepts[number]
            if concept not in topics and len(topics) < NEAREST_TOPICS:
                topics[concept] = FacetValue(concept, len(self._facet_docs["topic"][concept]),
                                             self.concepts[concept].preferred)
        return tuple(topics.values())

    @property
    def suggester(self) -> Suggester:
        """Autocomplete for this index (built on first use)."""
        if self._suggester is None:
            reader = self._searcher.reader()
            titles = ((stored["id"], json.loads(stored["record"])["title"])
                      for _, stored in reader.iter_docs())
            counts = {c: len(docs) for c, docs in self._facet_docs["topic"].items()}
            self._suggester = Suggester(self.thesaurus, counts, titles)
        return self._suggester

    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        """Suggestions for what is typed; a topic's count is what searching its text
        then finds (its words and meaning find more than the summaries tagged)."""
        return [dataclasses.replace(s, count=self._found_for(s.text)) if s.count else s
                for s in self.suggester.suggest(text, limit)]

    def _found_for(self, text: str) -> int:
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= FOUND_CACHE_SIZE:
                self._found.clear()
            found = self._found[text] = self.search(SearchRequest(q=text, per_page=1)).total
        return found

    def _counts(self, matched: set[int], request: SearchRequest,
                allowed: Mapping[str, set[int]] | None = None,
                ) -> dict[str, tuple[FacetValue, ...]]:
        """Every facet's values with their counts over `matched` (see facets.Facets)."""
        return self.facets.counts(matched, request, self._topic_name, allowed)

    def _topic_name(self, concept_id: str) -> str:
        concept = self.concepts.get(concept_id)
        return concept.preferred if concept else concept_id

    @staticmethod
    def _sort(sort: str, browsing: bool) -> Any:
        if sort == "newest" or (sort == "relevance" and browsing):
            # By year first: many summaries give a year but no publication date.
            return sorting.MultiFacet([sorting.FieldFacet("year", reverse=True),
                                       sorting.FieldFacet("published", reverse=True)])
        if sort == "evidence":
            return sorting.MultiFacet([sorting.FieldFacet("evidence_rank"),
                                       sorting.ScoreFacet()])
        return None

    def _hit(self, stored: dict[str, Any], score: float, parsed: query_mod.ParsedQuery,
             docnum: int, vector: np.ndarray | None = None) -> Hit:
        """One result card; `vector` (the query's) when the summary is close in meaning."""
        record = json.loads(stored["record"])
        topics = tuple(stored.get("concept_ids") or ())
        terms = parsed.highlight_terms
        expanded = {e.concept_id for e in parsed.expansions} & set(topics)
        title, body = self._analyses.of(record)
        snippet = self._analyses.snippet(body, terms, expanded)
        if not snippet and vector is not None and self.meaning is not None:
            closest = self.meaning.closest_passage(vector, docnum)
            snippet = snippets.lead(closest.removeprefix(record["title"]).strip())
        snippet = snippet or snippets.lead(record["simple_explanation"] or body.text)
        title_marks = snippets.spans(title, terms, self.matcher, expanded)
        why = tuple(
            f"it is about {e.preferred}, the term researchers use for \u2018{e.matched}\u2019"
            for e in parsed.expansions
            if e.concept_id in expanded and e.typed_stems not in e.stems)
        if vector is not None:
            why += (CLOSE_IN_MEANING,)
        level = evidence.by_name(record["evidence_level"])
        return Hit(
            id=record["id"], title=record["title"],
            title_html=snippets.render(title.text, title_marks),
            topics=topics, why=why,
            score=score, snippet=snippet,
            category=record["category"], categories=tuple(record["categories"]),
            evidence_level=level.name, evidence_label=level.label, year=record["year"],
            journal=record["journal"], doi=record["doi"], url=record["url"],
        )

    def analyse_ahead(self, seconds: float) -> int:
        """Analyse the summaries' titles and bodies for their result cards before
        they are first shown (for at most `seconds`), and read every index term's
        document frequency; then keep them for the next index of this generation and
        version opened here or in a forked worker. Returns how many summaries."""
        reader = self._searcher.reader()
        frequency: dict[str, int] = {}
        for name in TEXT_FIELDS:
            for raw, info in reader.iter_field(name):
                stem = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                frequency[stem] = max(frequency.get(stem, 0), info.doc_frequency())
        self._analyses.frequency = frequency
        records = (json.loads(stored["record"]) for _, stored in reader.iter_docs())
        done = self._analyses.ahead(records, seconds)
        if self.generation is not None:
            passages.hand_down(self.generation, self.version, self._analyses)
        return done


@dataclasses.dataclass(frozen=True)
class _Ranking:
    ranked: list[tuple[int, float]]  # the best, as (docnum, score)
    matched: Matches  # every match
    by_meaning_only: bool  # some summaries match by meaning alone


def _intersect(sets: Any) -> set[int] | None:
    result: set[int] | None = None
    for docs in sets:
        result = set(docs) if result is None else result & docs
    return result


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """A file as it is on disk (inode, size, modified), or None when it is gone."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns)


def _close(searcher: Any, storage: Any) -> None:
    """Close an index's searcher, then any file its storage opened that whoosh left
    open (one it failed to read while searching)."""
    try:
        searcher.close()
    finally:
        storage.close_files()
