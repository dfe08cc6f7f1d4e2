"""Lay words to clinical concepts: the thesaurus, its validator and the concept matcher.

Depends on nothing else in sci-search (the indexer hands the matcher its token
normaliser). The thesaurus data and matcher are built in a later stage of the
project; until then the index holds no concept tags.
"""

from __future__ import annotations
