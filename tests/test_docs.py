"""The README is the newcomer's manual: its commands must be the ones that work."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_commands() -> None:
    run_site, run_tests = _quick_start_commands()
    assert "scisearch" in run_site
    assert "pytest" in run_tests and "[test]" in run_tests


def test_ci_runs_the_readmes_test_command() -> None:
    _, run_tests = _quick_start_commands()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert run_tests in ci.splitlines()
