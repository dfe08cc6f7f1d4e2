from __future__ import annotations

import pytest

from indexer import evidence
from indexer.formats import read_file
from tests.conftest import REPO


@pytest.mark.parametrize(("text", "name", "keeps_note"), [
    ("Systematic Review", "Systematic Review", False),
    ("Systematic review and meta-analysis", "Systematic Review", False),
    ("Meta-analysis of 12 trials", "Systematic Review", True),
    ("RCT", "Randomized Controlled Trial", False),
    ("Randomised controlled trial", "Randomized Controlled Trial", False),
    ("Randomized Controlled Trial, double-blind", "Randomized Controlled Trial", True),
    ("Non-randomized controlled trial", "Non-randomized Trial", False),
    ("Open-label phase 2 trial", "Non-randomized Trial", True),
    ("Prospective cohort study", "Cohort Study", True),
    ("Level III, for retrospective cohort study", "Cohort Study", True),
    ("Level IV", "Case Series or Case Report", True),
    ("Case-control study", "Case-Control Study", False),
    ("Cross-sectional survey", "Cross-Sectional Study", True),
    ("Qualitative study", "Qualitative Study", False),
    ("Retrospective case series", "Case Series or Case Report", True),
    ("Animal study", "Animal or Laboratory Study", False),
    ("Randomized controlled trial in rats", "Animal or Laboratory Study", True),
    ("Narrative review", "Expert Opinion", True),
    ("Clinical practice guideline", "Expert Opinion", True),
    ("Not specified", "Not specified", False),
    ("", "Not specified", False),
    ("Diagnostic accuracy study", "Other", True),
])
def test_usual_spellings_map_to_one_level(text: str, name: str, keeps_note: bool) -> None:
    level, note = evidence.normalise(text)
    assert level.name == name
    assert bool(note) is keeps_note
    assert note in ("", text)


def test_levels_are_ordered_strongest_first_with_other_and_unspecified_last() -> None:
    names = [level.name for level in evidence.LEVELS]
    assert names[0] == "Systematic Review"
    assert names[-3:] == ["Expert Opinion", "Other", "Not specified"]
    assert [level.rank for level in evidence.LEVELS] == list(range(len(names)))


def test_every_level_has_a_distinct_plain_language_label() -> None:
    labels = [level.label for level in evidence.LEVELS]
    assert len(set(labels)) == len(labels)
    assert evidence.BY_KEY["rct"].label == "Trial in people"
    assert evidence.BY_KEY["systematic_review"].label == "Review of many studies"


# Every wording of the bundled corpus, then the site's own variants, with the level
# each must get: the design the wording names wins over what qualifies it
# ("open-label", "multicentre", "phase 2/3", "with a non-randomised comparison
# group"), and the animal-or-lab level is for animals, cells or tissue, not for
# people measured in a laboratory.
WORDINGS: list[tuple[str, str]] = [
    ('Animal or Laboratory Study', 'Animal or Laboratory Study'),
    ('Animal study, with supporting human experiments', 'Animal or Laboratory Study'),
    ('Case Series or Case Report', 'Case Series or Case Report'),
    ('Case report, pilot clinical trial', 'Case Series or Case Report'),
    ('Case series, consecutive patients', 'Case Series or Case Report'),
    ('Case series, open-label and non-comparative', 'Case Series or Case Report'),
    ('Case series, open-label phase I dose-escalation study', 'Case Series or Case Report'),
    ('Case series, phase I open-label dose-escalation trial', 'Case Series or Case Report'),
    ('Case series, prospective single-arm clinical trial', 'Case Series or Case Report'),
    ('Case series, prospective, single centre', 'Case Series or Case Report'),
    ('Case series, retrospective chart analysis', 'Case Series or Case Report'),
    ('Case series, retrospective chart review', 'Case Series or Case Report'),
    ('Case series, retrospective multicenter review', 'Case Series or Case Report'),
    ('Case-control study, laboratory semen analysis', 'Case-Control Study'),
    ('Case-control study, retrospective with age- and injury-matched comparison group',
     'Case-Control Study'),
    ('Clinical practice guideline', 'Expert Opinion'),
    ('Clinical practice guideline, GRADE methodology', 'Expert Opinion'),
    ('Clinical practice guideline, evidence-graded (AANS/CNS)', 'Expert Opinion'),
    ('Cross-Sectional Study', 'Cross-Sectional Study'),
    ('Cross-sectional study, clinician survey', 'Cross-Sectional Study'),
    ('Cross-sectional study, descriptive', 'Cross-Sectional Study'),
    ('Cross-sectional study, multicentre survey', 'Cross-Sectional Study'),
    ('Cross-sectional study, reliability and validity analysis', 'Cross-Sectional Study'),
    ('Cross-sectional study, scale development and reliability testing', 'Cross-Sectional Study'),
    ('Cross-sectional study, score development and validation', 'Cross-Sectional Study'),
    ('Cross-sectional study, survey', 'Cross-Sectional Study'),
    ('Expert opinion, international consensus', 'Expert Opinion'),
    ('Expert opinion, international consensus classification', 'Expert Opinion'),
    ('Expert opinion, systematic reviews combined with a modified Delphi consensus',
     'Expert Opinion'),
    ('Laboratory study, repeated-measures design', 'Non-randomized Trial'),
    ('Meta-analysis, pooled individual patient data', 'Systematic Review'),
    ('Narrative review', 'Expert Opinion'),
    ('Narrative review, decision framework', 'Expert Opinion'),
    ('Non-randomized Trial', 'Non-randomized Trial'),
    ('Non-randomized controlled trial, phase I/IIa', 'Non-randomized Trial'),
    ('Non-randomized controlled trial, single-arm multicentre with within-participant comparison',
     'Non-randomized Trial'),
    ('Prospective cohort study', 'Cohort Study'),
    ('Prospective cohort study, explorative pre-post design', 'Cohort Study'),
    ('Prospective cohort study, inception cohort', 'Cohort Study'),
    ('Prospective cohort study, inception cohort from the National SCI Database', 'Cohort Study'),
    ('Prospective cohort study, longitudinal panel design', 'Cohort Study'),
    ('Prospective cohort study, measurement validation', 'Cohort Study'),
    ('Prospective cohort study, multicenter', 'Cohort Study'),
    ('Prospective cohort study, multicenter (five Model SCI Care Systems)', 'Cohort Study'),
    ('Prospective cohort study, multicenter pre-post design', 'Cohort Study'),
    ('Prospective cohort study, multicenter, observational', 'Cohort Study'),
    ('Prospective cohort study, multicentre, observational', 'Cohort Study'),
    ('Prospective cohort study, national registry data', 'Cohort Study'),
    ('Prospective cohort study, observational', 'Cohort Study'),
    ('Prospective cohort study, quasi-experimental pre-post design', 'Cohort Study'),
    ('Prospective cohort study, secondary analysis of trial data', 'Cohort Study'),
    ('Prospective cohort study, single-arm', 'Cohort Study'),
    ('Prospective cohort study, single-group pre-post design', 'Cohort Study'),
    ('Prospective cohort study, two epidemiological analyses', 'Cohort Study'),
    ('Randomized Controlled Trial', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, assessor-blinded', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, assessor-blinded, within-participant',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, delayed-treatment design', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, double-blind', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, double-blind crossover', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, double-blind placebo-controlled crossover',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, double-blind, factorial design', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, double-blind, multicentre', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, double-blind, placebo-controlled',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, double-blind, placebo-controlled crossover',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, double-blind, triple crossover', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, four-arm, blinded outcome assessment',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, multi-institutional, non-blinded',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, multicenter', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, multicenter, open-label', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, multicentre, open-label', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, multicentre, parallel-group', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, multicentre, waiting-list control',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, multisite', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, multisite, with an observational comparison arm',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, noninferiority design', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, open-label', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, phase 2/3, open-label', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, phase II, double-blind, placebo-controlled',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, placebo-controlled, multicentre', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, sham-controlled phase II', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, single-blind', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, single-blinded outcome assessment',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, single-blinded, multicenter', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, single-centre, single-blinded data analysis',
     'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, single-site', 'Randomized Controlled Trial'),
    ('Randomized Controlled Trial, with an added non-randomized comparison group',
     'Randomized Controlled Trial'),
    ('Retrospective cohort study', 'Cohort Study'),
    ('Retrospective cohort study with cross-sectional evaluation', 'Cohort Study'),
    ('Retrospective cohort study, analysis of stored high-frequency monitoring data',
     'Cohort Study'),
    ('Retrospective cohort study, chart review', 'Cohort Study'),
    ('Retrospective cohort study, historical cohort', 'Cohort Study'),
    ('Retrospective cohort study, person-years analysis', 'Cohort Study'),
    ('Retrospective cohort study, with prospective follow-up', 'Cohort Study'),
    ('Systematic Review', 'Systematic Review'),
    ('Systematic Review, Cochrane review', 'Systematic Review'),
    ('Systematic Review, Cochrane review with meta-analysis', 'Systematic Review'),
    ('Systematic Review, with meta-analysis of randomized trials', 'Systematic Review'),
    ('Systematic Review, with modified Delphi expert consensus', 'Systematic Review'),
    ('Level III, for prospective cohort study', 'Cohort Study'),
    ('Level III, for retrospective cohort study', 'Cohort Study'),
    ('Level I, for randomised controlled trial', 'Randomized Controlled Trial'),
    ('Level II', 'Cohort Study'),
    ('Level IV, case series', 'Case Series or Case Report'),
    ('Level 1b', 'Randomized Controlled Trial'),
    ('Level V: expert opinion', 'Expert Opinion'),
    ('Open-label phase 2 trial', 'Non-randomized Trial'),
    ('Single-arm pilot study', 'Non-randomized Trial'),
    ('Randomized controlled trial in rats', 'Animal or Laboratory Study'),
    ('In vitro study of human cell lines', 'Animal or Laboratory Study'),
    ('Laboratory study', 'Animal or Laboratory Study'),
]


@pytest.mark.parametrize(("text", "name"), WORDINGS)
def test_each_wording_gets_the_level_of_the_design_it_names(text: str, name: str) -> None:
    assert evidence.normalise(text)[0].name == name


def test_the_table_holds_every_wording_of_the_bundled_corpus() -> None:
    table = dict(WORDINGS)
    for path in sorted((REPO / "index_data" / "summaries").iterdir()):
        for summary in read_file(path).summaries:
            wording = summary.evidence_note or summary.evidence_level
            assert table.get(wording) == summary.evidence_level, (path.name, wording)
