"""sci-search's indexer: summary files in, search index out.

Pipeline: `formats` reads files into `Summary` records, `analysis` turns text
into index terms, `build` writes them into a whoosh index (incremental,
atomic, locked) with a manifest beside it.
"""

from __future__ import annotations

from indexer.errors import (
    IndexDamagedError,
    IndexerError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    ParseError,
)
from indexer.formats import FileResult, read_file
from indexer.record import FIELDS, Implication, Summary

__all__ = [
    "FIELDS",
    "FileResult",
    "Implication",
    "IndexLockedError",
    "IndexDamagedError",
    "IndexNotFoundError",
    "IndexVersionError",
    "IndexerError",
    "ParseError",
    "Summary",
    "read_file",
]
