"""The `scisearch` command (see `base`); importing the modules registers their commands."""

from searchapp.cli import coverage, evaluate, indexing, searching, thesaurus
from searchapp.cli.base import cli, main

__all__ = ["cli", "main", "coverage", "evaluate", "indexing", "searching", "thesaurus"]
