"""Errors raised by the indexer.

    IndexerError                 base class; `str()` is a message fit for a person
     ├── ParseError              one summary file (or record in it) cannot be read
     ├── IndexNotFoundError      there is no index where one was expected
     ├── IndexDamagedError       the live generation's files cannot be read
     ├── IndexLockedError        another build holds the index's write lock
     ├── IndexVersionError       the index was built by an incompatible schema
     ├── SettingError            an environment setting has a value that cannot be used
     └── ModelUnavailableError   the embedding model is not installed or not the pinned
                                 file (indexer.embedding)

Every message names the file, line, field or directory concerned and, where
there is one, what to do next.
"""

from __future__ import annotations

from pathlib import Path


class IndexerError(Exception):
    """Base class of every error the indexer raises on purpose."""


class ParseError(IndexerError):
    """A summary file, or one record in it, cannot be turned into a `Summary`."""

    def __init__(
        self,
        path: Path | str,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
        record: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        self.field = field
        self.record = record
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [str(self.path)]
        place = [self.record] if self.record is not None else []
        if self.line is not None:
            place.append(f"line {self.line}")
        if place:
            where.append(", ".join(place))
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return ": ".join(where) + f": {self.reason}"


class IndexNotFoundError(IndexerError):
    """No index exists in the given directory."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        super().__init__(
            f"no search index in {index_dir}: build one with `scisearch index`"
            f" (or pass --index-dir to point at an existing index)"
        )


class IndexDamagedError(IndexerError):
    """The live generation's files cannot be read: truncated, garbled or missing."""

    def __init__(self, index_dir: Path, generation: str, detail: str) -> None:
        self.index_dir = index_dir
        self.generation = generation
        super().__init__(
            f"the search index in {index_dir} is damaged (generation {generation}: "
            f"{detail}); `scisearch index --rebuild` builds it anew from the summaries"
        )


def damage(error: BaseException) -> str:
    """A reading error as the damage it shows ("EOFError: ..." for a truncated file)."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class IndexLockedError(IndexerError):
    """Another process is building the same index."""

    def __init__(self, index_dir: Path, holder: str | None = None) -> None:
        self.index_dir = index_dir
        who = f" ({holder})" if holder else ""
        super().__init__(
            f"another build{who} is writing the index in {index_dir}; "
            "the index was left untouched. Wait for that build to finish, then run again."
        )


class IndexVersionError(IndexerError):
    """The index on disk was written with a schema this version cannot read."""

    def __init__(self, index_dir: Path, found: object, expected: object) -> None:
        super().__init__(
            f"the index in {index_dir} has schema version {found}, this sci-search "
            f"needs {expected}: rebuild it with `scisearch index --rebuild`"
        )


class SettingError(IndexerError):
    """An environment setting the indexer reads has a value it cannot use."""
