"""Errors of the thesaurus.

    ThesaurusError          the thesaurus cannot be loaded; `problems` lists each one
    Problem                 one finding of the validator: file, line, message, severity
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str
    severity: str = "error"  # "error" stops loading; "warning" does not

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.severity}: {self.message}"


class ThesaurusError(Exception):
    """The thesaurus files have errors; each is in `problems` with its file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"the thesaurus has {len(errors)} error(s):\n{shown}{more}")
