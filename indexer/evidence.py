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
NOT_SPECIFIED = BY_KEY["not_specified"]
OTHER = BY_KEY["other"]

# Checked in this order: the first pattern found in the text decides. More
# specific designs come before the words they contain ("randomised" before
# "trial", "case series" before "retrospective", animal before "randomised",
# since an animal study may be randomised too).
_RULES: list[tuple[str, str]] = [
    ("systematic_review", r"systematic review|meta[- ]?analys[ie]s|umbrella review"
     r"|scoping review|pooled analysis|cochrane"),
    ("animal_lab", r"\b(animal|animals|rats?|mice|mouse|murine|rodents?|porcine|pigs?|dogs?"
     r"|canine|primates?|monkeys?|preclinical|pre-clinical|in vitro|laboratory|lab study"
     r"|cell culture|cadaver\w*|biomechanical)\b"),
    ("controlled_trial", r"non[- ]?randomi[sz]ed|not randomi[sz]ed|quasi[- ]?experimental"
     r"|single[- ]arm|open[- ]label|uncontrolled trial|feasibility trial|pilot trial"),
    ("rct", r"\brandomi[sz]ed\b|\brandomi[sz]ation\b|\brct\b|\brcts\b|crossover trial"),
    ("case_control", r"case[- ]control"),
    ("case_series", r"case series|case report|case study|\bn ?= ?1\b|single[- ]case"),
    ("cross_sectional", r"cross[- ]?sectional|\bsurvey\b|questionnaire"),
    ("qualitative", r"qualitative|interviews?|focus groups?|phenomenolog|thematic analysis"),
    ("cohort", r"cohort|longitudinal|prospective|retrospective|registry|observational"
     r"|follow[- ]up study|database study"),
    ("controlled_trial", r"\btrial\b|phase [1-4i]+\b|controlled study|intervention study"),
    ("expert_opinion", r"expert|opinion|narrative review|\breview\b|guideline|consensus"
     r"|editorial|commentary|perspective|position statement|recommendation"),
    ("not_specified", r"^(not specified|not stated|not reported|unknown|unspecified|n/?a|none"
     r"|-+)$"),
]
_COMPILED = [(key, re.compile(pattern)) for key, pattern in _RULES]

# "Level I" ... "Level V" alone (the usual levels of evidence of clinical journals).
_ROMAN_LEVELS = {"i": "rct", "ii": "cohort", "iii": "case_control", "iv": "case_series",
                 "v": "expert_opinion", "1": "rct", "2": "cohort", "3": "case_control",
                 "4": "case_series", "5": "expert_opinion"}
_LEVEL_ONLY = re.compile(r"^level\s+(i{1,3}|iv|v|[1-5])[abc]?$")

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
        match = _LEVEL_ONLY.match(cleaned)
        if match:
            level = BY_KEY[_ROMAN_LEVELS[match.group(1)]]
    if level is None:
        for key, pattern in _COMPILED:
            if pattern.search(cleaned):
                level = BY_KEY[key]
                break
    if level is None:
        level = NOT_SPECIFIED if not cleaned else OTHER
    note = "" if cleaned in _PLAIN[level.key] or cleaned == level.name.lower() else original
    return level, note


def by_name(name: str) -> EvidenceLevel:
    """The level called `name` (its canonical name, case-insensitive) or Other."""
    return BY_NAME.get(name.strip().lower(), OTHER)
