"""The site's page text: the seed page, and the ways real pages vary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.formats import read_file
from indexer.record import Summary

CHROME = ("Was this summary helpful", "Your Feedback", "Back to", "Quick Links", "Subscribe",
          "All rights reserved", "Contact Us")


def _one(path: Path) -> Summary:
    result = read_file(path)
    assert not result.errors, [str(e) for e in result.errors]
    assert len(result.summaries) == 1
    return result.summaries[0]


def _all_text(summary: Summary) -> str:
    return repr(summary.to_dict())


def test_seed_page_gives_every_field_the_brief_names(seed_page: Path) -> None:
    summary = _one(seed_page)
    assert summary.title == ("Treatment progress of spinal metastatic cancer: a powerful tool "
                             "for improving the quality of life of the patients")
    assert summary.journal == "Journal of Orthopaedic Surgery and Research"
    assert summary.year == 2023
    assert summary.doi == "10.1186/s13018-023-03975-3"
    assert summary.published == dt.date(2023, 7, 3)
    assert summary.category == "Oncology"
    assert summary.categories == ("Oncology",)
    assert summary.evidence_level == "Systematic Review"
    assert summary.study_duration == ""
    assert summary.participants == ""
    assert len(summary.key_findings) == 3
    assert [i.heading for i in summary.practical_implications] == [
        "Personalized Treatment Plans", "Improved Surgical Techniques", "Enhanced Radiotherapy"]
    assert all(i.text for i in summary.practical_implications)
    assert len(summary.limitations) == 3
    assert summary.simple_explanation.startswith("Spinal metastasis is a common condition")
    assert summary.research_summary.endswith("safety and efficacy.")


def test_seed_page_has_no_site_chrome_in_any_field(seed_page: Path) -> None:
    text = _all_text(_one(seed_page))
    for chrome in CHROME:
        assert chrome not in text


def test_fixture_page_reads_sections_and_two_run_together_categories(data_dir: Path) -> None:
    summary = _one(data_dir / "page_full.txt")
    assert summary.categories == ("Urology", "Quality of Life")
    assert summary.category == "Urology"
    assert summary.evidence_level == "Randomized Controlled Trial"
    assert summary.participants == "24 adults with neurogenic detrusor overactivity"
    assert summary.study_duration == "8 weeks"
    assert summary.key_findings[1] == ("Intermittent catheterisation schedules were followed "
                                       "more closely.")
    assert summary.id == "10-5555-test-0001"
    for chrome in CHROME:
        assert chrome not in _all_text(summary)


def _replace(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new)


VARIANTS: list[tuple[str, Callable[[str], str], Callable[[Summary], bool]]] = [
    ("crlf line ends", lambda t: t.replace("\n", "\r\n"),
     lambda s: s.limitations[-1] == "Nobody was followed after the eight weeks."),
    ("byte order mark", lambda t: "\ufeff" + t, lambda s: s.year == 2021),
    ("extra blank lines", lambda t: t.replace("\n\n", "\n\n\n\n"),
     lambda s: len(s.practical_implications) == 2 and len(s.key_findings) == 2),
    ("doi without url prefix", _replace("https://doi.org/10.5555", "10.5555"),
     lambda s: s.doi == "10.5555/test.0001"),
    ("journal in capitals",
     _replace("Test Journal of Neurourology", "TEST JOURNAL OF NEUROUROLOGY"),
     lambda s: s.journal == "Test Journal of Neurourology"),
    ("participants as free text", _replace("24 adults with neurogenic detrusor overactivity",
                                           "39 studies selected for review"),
     lambda s: s.participants == "39 studies selected for review"),
    ("free-text evidence level", _replace("Randomised controlled trial",
                                          "Level III, for retrospective cohort study"),
     lambda s: s.evidence_level == "Cohort Study"
     and s.evidence_note == "Level III, for retrospective cohort study"),
    ("no limitations section", lambda t: t[: t.index("Study Limitations")] + "Your Feedback\n",
     lambda s: s.limitations == () and len(s.key_findings) == 2),
    ("three categories", _replace("UrologyQuality of Life", "UrologySurgeryAcute Care"),
     lambda s: s.categories == ("Urology", "Surgery", "Acute Care")),
    ("an unknown category", _replace("UrologyQuality of Life", "UrologyTelehealth Services"),
     lambda s: s.categories == ("Urology", "Telehealth Services")),
    ("a third key finding", _replace("  • 2\n    Intermittent",
                                     "  • 2\n    A new finding.\n  • 3\n    Intermittent"),
     lambda s: len(s.key_findings) == 3 and s.key_findings[1] == "A new finding."),
    ("no published date", _replace(" · Published: March 9, 2021", ""),
     lambda s: s.published is None and s.year == 2021),
    ("not specified duration", _replace("8 weeks", "Not specified"),
     lambda s: s.study_duration == ""),
    ("no chrome at all", lambda t: t[t.index("  1. Home"): t.index("Your Feedback")],
     lambda s: s.title.startswith("Bladder training") and len(s.limitations) == 2),
    ("no breadcrumb", lambda t: t[t.index("Bladder training with a phone app after spinal cord "
                                          "injury: a made-up test study\n\nTest"):],
     lambda s: s.category == "Urology" and s.categories == ("Urology", "Quality of Life")),
    ("no journal line: the title and the file name are enough",
     _replace("Test Journal of Neurourology, 2021 · DOI: https://doi.org/10.5555/test.0001 · "
              "Published: March 9, 2021\n", ""),
     lambda s: s.title.startswith("Bladder training") and s.id == "variant"
     and s.journal == "" and s.year is None and s.key_findings
     and s.categories == ("Urology", "Quality of Life")),
    ("a journal line split by bars",
     _replace("Test Journal of Neurourology, 2021 · DOI: https://doi.org/10.5555/test.0001 · "
              "Published: March 9, 2021", "Test Journal of Neurourology, 2021 | DOI: "
              "10.5555/test.0001 | Published: March 9, 2021"),
     lambda s: (s.journal, s.year, s.doi, str(s.published))
     == ("Test Journal of Neurourology", 2021, "10.5555/test.0001", "2021-03-09")),
    ("bullets with the text on the same line",
     _replace("  • 1\n    Only twenty-four", "  • Only twenty-four"),
     lambda s: s.limitations[0] == "Only twenty-four people took part."),
]


@pytest.mark.parametrize(("name", "change", "check"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_real_page_variations_are_tolerated(
    tmp_path: Path, data_dir: Path, name: str, change: Callable[[str], str],
    check: Callable[[Summary], bool],
) -> None:
    text = change((data_dir / "page_full.txt").read_text(encoding="utf-8"))
    path = tmp_path / "variant.txt"
    path.write_bytes(text.encode("utf-8"))
    summary = _one(path)
    assert check(summary), summary.to_dict()


@pytest.mark.parametrize(("name", "change", "message"), [
    ("not a summary page", lambda t: "Notes from the meeting\n\nWe talked about the "
     "garden and the weather.\n", "no journal line such as 'Spinal Cord, 2021 · DOI: …' and "
     "no section such as 'Simple Explanation': is this a summary page?"),
    ("a date that is not a date", _replace("March 9, 2021", "Marchember 40, 2021"),
     "field 'published': cannot read the date"),
    ("a DOI that is not a DOI", _replace("https://doi.org/10.5555/test.0001", "see website"),
     "field 'doi'"),
])
def test_broken_pages_name_the_file_the_field_and_the_problem(
    tmp_path: Path, data_dir: Path, name: str, change: Callable[[str], str], message: str
) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(change((data_dir / "page_full.txt").read_text(encoding="utf-8")),
                    encoding="utf-8")
    result = read_file(path)
    assert result.summaries == []
    [error] = result.errors
    assert str(path) in str(error)
    assert message in str(error)


def test_date_error_names_the_line_of_the_journal_line(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "page_full.txt").read_text(encoding="utf-8")
    path = tmp_path / "bad-date.txt"
    path.write_text(text.replace("March 9, 2021", "sometime"), encoding="utf-8")
    [error] = read_file(path).errors
    expected_line = text[: text.index("Test Journal of Neurourology")].count("\n") + 1
    assert error.line == expected_line
    assert f"line {expected_line}" in str(error)


def test_missing_main_sections_are_warnings_not_errors(tmp_path: Path, data_dir: Path) -> None:
    text = (data_dir / "page_full.txt").read_text(encoding="utf-8")
    start, end = text.index("Key Findings"), text.index("Research Summary")
    path = tmp_path / "no-findings.txt"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    result = read_file(path)
    assert len(result.summaries) == 1
    assert result.warnings == ["no 'Key Findings' section"]
