"""Evidence levels: one fixed, ordered list, from free-text study designs.

Pages describe a study's design in many ways ("RCT", "Randomised controlled
trial", "Level III, for prospective cohort study"). `normalise` maps any of
them onto one `EvidenceLevel` of `LEVELS`; the order of `LEVELS` is the order
of strength used for sorting (strongest first). Each level has a lay label for
patients.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class EvidenceLevel:
    key: str
    name: str
    label: str
    rank: int  # 0 is the strongest evidence


_LEVEL_TABLE = [
    ("systematic_review", "Systematic Review", "Review of many studies"),
    ("rct", "Randomized Controlled Trial", "Trial in people"),
    ("controlled_trial", "Non-randomized Trial", "Trial in people, not randomised"),
    ("cohort", "Cohort Study", "Study following people over time"),
    ("case_control", "Case-Control Study", "Comparison of people with and without a condition"),
    ("cross_sectional", "Cross-Sectional Study", "Survey of people at one point in time"),
    ("qualitative", "Qualitative Study", "Interviews about people's experiences"),
    ("case_series", "Case Series or Case Report", "Report on a few patients"),
    ("animal_lab", "Animal or Laboratory Study", "Study in animals or the lab"),
    ("expert_opinion", "Expert Opinion", "Expert opinion or guidance"),
    ("other", "Other", "Other kind of study"),
    ("not_specified", "Not specified", "Type of study not stated"),
]

LEVELS: tuple[EvidenceLevel, ...] = tuple(
    EvidenceLevel(key, name, label, rank) for rank, (key, name, label) in enumerate(_LEVEL_TABLE)
)
BY_KEY: dict[str, EvidenceLevel] = {level.key: level for level in LEVELS}
BY_NAME: dict[str, EvidenceLevel] = {level.name.lower(): level for level in LEVELS}
BY_LABEL: dict[str, EvidenceLevel] = {level.label.lower(): level for level in LEVELS}
NOT_SPECIFIED = BY_KEY["not_specified"]
OTHER = BY_KEY["other"]

# Animals, cells or tissue anywhere in the wording make it a study in animals or
# the lab, whatever its design (an animal study may be randomised too).
_ANIMAL = re.compile(
    r"\b(animal|animals|rats?|mice|mouse|murine|rodents?|porcine|pigs?|dogs?|canine"
    r"|primates?|monkeys?|preclinical|pre-clinical|in vitro|ex vivo|cell cultures?|cell lines?"
    r"|tissue samples|cadaver\w*|biomechanical)\b")
# "Laboratory study" says where, not who: it is the lab level only when the wording
# names no design of a study in people ("Case-control study, laboratory semen
# analysis" is a case-control study).
_LAB = re.compile(r"\b(laboratory|lab study|bench study)\b")
# Designs, checked in this order: the first pattern found decides. More specific
# designs come before the words they contain ("non-randomised" before "randomised",
# "case series" before "retrospective"). The design the wording names first wins
# over what follows it ("Randomized Controlled Trial, open-label" is randomised;
# "Case series, phase I open-label trial" is a case series): see `normalise`.
_RULES: list[tuple[str, str]] = [
    ("systematic_review", r"systematic review|meta[- ]?analys[ie]s|umbrella review"
     r"|scoping review|pooled analysis|cochrane"),
    ("controlled_trial", r"non[- ]?randomi[sz]ed|not randomi[sz]ed|quasi[- ]?experimental"),
    ("rct", r"\brandomi[sz]ed\b|\brandomi[sz]ation\b|\brct\b|\brcts\b|crossover trial"),
    ("case_control", r"case[- ]control"),
    ("case_series", r"case series|case report|case study|\bn ?= ?1\b|single[- ]case"),
    ("cross_sectional", r"cross[- ]?sectional|\bsurvey\b|questionnaire"),
    ("qualitative", r"qualitative|interviews?|focus groups?|phenomenolog|thematic analysis"),
    ("cohort", r"cohort|longitudinal|prospective|retrospective|registry|observational"
     r"|follow[- ]up study|database study"),
    ("controlled_trial", r"\btrial\b|phase [1-4i]+\b|controlled study|intervention study"
     r"|single[- ]arm|open[- ]label|uncontrolled|feasibility|pilot|repeated[- ]measures"
     r"|within[- ](participant|subject)s?|pre[- ]post"),
    ("expert_opinion", r"expert|opinion|narrative review|\breview\b|guideline|consensus"
     r"|editorial|commentary|perspective|position statement|recommendation"),
    ("not_specified", r"^(not specified|not stated|not reported|unknown|unspecified|n/?a|none"
     r"|-+)$"),
]
_COMPILED = [(key, re.compile(pattern)) for key, pattern in _RULES]
# Where the named design ends and its qualifiers begin.
_QUALIFIERS = re.compile(r",|;|\(|\s+(?:with|combined with|using|plus)\s+")

# "Level I" ... "Level V" alone (the usual levels of evidence of clinical journals),
# or before the design they were given for ("Level III, for cohort study").
_ROMAN_LEVELS = {"i": "rct", "ii": "cohort", "iii": "case_control", "iv": "case_series",
                 "v": "expert_opinion", "1": "rct", "2": "cohort", "3": "case_control",
                 "4": "case_series", "5": "expert_opinion"}
_LEVEL = re.compile(r"^level\s+(i{1,3}|iv|v|[1-5])[abc]?\b[\s,:;.-]*(?:for\s+)?")

# Spellings that say no more than the level itself: no evidence note is kept for them.
_PLAIN = {
    "systematic_review": {"systematic review", "systematic reviews", "meta analysis",
                          "meta-analysis", "systematic review and meta-analysis",
                          "systematic review and meta analysis"},
    "rct": {"rct", "randomized controlled trial", "randomised controlled trial",
            "randomized trial", "randomised trial", "randomized clinical trial",
            "randomised clinical trial"},
    "controlled_trial": {"non-randomized trial", "non-randomised trial",
                         "non-randomized controlled trial", "non-randomised controlled trial",
                         "clinical trial", "controlled trial"},
    "cohort": {"cohort study", "cohort"},
    "case_control": {"case-control study", "case control study"},
    "cross_sectional": {"cross-sectional study", "cross sectional study", "cross-sectional"},
    "qualitative": {"qualitative study", "qualitative"},
    "case_series": {"case series", "case report", "case series or case report"},
    "animal_lab": {"animal study", "laboratory study", "animal or laboratory study"},
    "expert_opinion": {"expert opinion"},
    "not_specified": {"not specified", ""},
    "other": {"other"},
}


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("\u2013", "-").rstrip("."))


def normalise(text: str | None) -> tuple[EvidenceLevel, str]:
    """Map free text to (level, note); the note keeps wording that says more than the level.

    >>> normalise("RCT")[0].name
    'Randomized Controlled Trial'
    """
    original = (text or "").strip()
    cleaned = _clean(original)
    level: EvidenceLevel | None = BY_NAME.get(cleaned)
    if level is None:
        level = _classify(cleaned)
    note = "" if cleaned in _PLAIN[level.key] or cleaned == level.name.lower() else original
    return level, note


def _classify(cleaned: str) -> EvidenceLevel:
    graded = _LEVEL.match(cleaned)
    design = cleaned[graded.end():] if graded else cleaned
    if _ANIMAL.search(design):
        return BY_KEY["animal_lab"]
    named = _QUALIFIERS.split(design, maxsplit=1)[0]
    for text in (named, design):
        for key, pattern in _COMPILED:
            if pattern.search(text):
                return BY_KEY[key]
    if _LAB.search(design):
        return BY_KEY["animal_lab"]
    if graded:
        return BY_KEY[_ROMAN_LEVELS[graded.group(1)]]
    return NOT_SPECIFIED if not cleaned else OTHER


def by_name(name: str) -> EvidenceLevel:
    """The level called `name` (its canonical name, case-insensitive) or Other."""
    return BY_NAME.get(name.strip().lower(), OTHER)
