"""Lay words to clinical concepts: the thesaurus, its validator and the concept matcher.

Pipeline place: `loader` reads the thesaurus (YAML files in `synonyms/data/`,
one per topic group) into a `Thesaurus`; `Matcher` finds concept mentions in
text, used by the indexer to tag summaries and by the search to expand queries;
`solr` exports and imports the Solr/Elasticsearch synonyms format. This package
imports nothing else from sci-search: the matcher is handed the analysis chain.
"""

from __future__ import annotations

from synonyms.errors import Problem, ThesaurusError
from synonyms.loader import check, default_dir, load
from synonyms.matcher import Analysis, Match, Matcher
from synonyms.model import Concept, Term, Thesaurus

__all__ = [
    "Analysis",
    "Concept",
    "Match",
    "Matcher",
    "Problem",
    "Term",
    "Thesaurus",
    "ThesaurusError",
    "check",
    "default_dir",
    "load",
]
