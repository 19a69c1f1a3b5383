"""Searching only where a match can start finds what a full search finds (instruments, analyses, time frames).

The parsers try their IGNORECASE patterns only where one of each pattern's start words occurs
(:mod:`trialdesk.registry.parsing.startwords`). These tests compare that with plain searches on text made of the
patterns' own words in any case, with prefixes glued on and characters that IGNORECASE treats specially.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.protocol.values import NotUnderstood
from trialdesk.registry.parsing.instruments import (
    ANALYSES,
    OutcomeText,
    _match_any,
    find_analyses,
    match_instruments,
)
from trialdesk.registry.parsing.startwords import StartWords, first_match, lower_for_starts
from trialdesk.registry.parsing.timeframes import _HEDGES, parse_time_frame, parse_time_frames

PHRASES = (
    "psoriasis area and severity", "dermatology life quality", "Child-Pugh", "Child's class B", "CTP score",
    "model for end-stage liver disease", "MELD", "american spinal injury association", "AIS grade", "mJOA",
    "international standards for neurological classification", "japanese orthopaedic association", "0-17",
    "xuanwu syringomyelia scale", "syrinx", "24-hour urine protein/creatinine", "urinary protein", "proteinuria",
    "UPCR", "protein-to-creatinine", "haematuria", "urine red blood cells", "renal function", "serum creatinine",
    "blood urea nitrogen", "eGFR", "ALT", "alanine aminotransferase", "AST", "alkaline phosphatase", "bilirubin",
    "urine albumin", "albumin", "INR", "international normalized ratio", "transaminases", "vital signs",
    "body temperature", "blood pressure", "heart rate", "respiratory rate", "adverse events", "AE", "TEAE", "SAEs",
    "DLT", "dose-limiting", "CTCAE", "side effects", "therapy-related toxicity", "incidence of toxicity", "safety",
    "variceal bleeding", "GI haemorrhage", "decompensation", "death", "mortality", "survival", "tracheostomy",
    "mechanical ventilation", "kidney transplant", "time to", "event-free", "progression free", "Kaplan-Meier",
    "hazard ratio", "change from baseline", "change in", "decrease in", "percent change", "proportion of",
    "percentage of", "% of patients", "rate", "filtration rate", "incidence", "prevalence", "responders",
    "number of", "count of", "how many", "through study completion", "approximately", "at least", "~", "cycle 2",
    "C1D1", "January 2020", "2020", "monthly", "thereafter", "until progression", "death", "prior to", "before",
    "Week 4", "12 months", "up to 24 weeks", "baseline", "after the last infusion", "4±1 weeks", "Day 28 (±7 days)",
)  # fmt: skip
# Mostly separators; now and then a prefix, a digit or a character IGNORECASE treats specially (Kelvin sign, dotted
# capital I, dotless i, long s).
GLUE = (
    *(" ", ", ", "\n", "(", ") ", "-", "/") * 4,
    "",
    "x",
    "non",
    "_",
    "5",
    "é",
    "\u212a",
    "\u0130",
    "\u0131",
    "\u017f",
)


@st.composite
def phrase_text(draw: st.DrawFn) -> str:
    """Phrases of the patterns in any case, glued with separators, prefixes and special characters."""
    parts = []
    for phrase in draw(st.lists(st.sampled_from(PHRASES), max_size=6)):
        case = draw(st.sampled_from((str.lower, str.upper, str.title, str)))
        parts.append(draw(st.sampled_from(GLUE)) + case(phrase) + draw(st.sampled_from(GLUE)))
    return "".join(parts)


def searched_analyses(text: str) -> list[tuple[int, int, str, str]]:
    return [(m.start(), order, kind, m.group(0)) for order, (kind, p) in enumerate(ANALYSES) if (m := p.search(text))]


@settings(max_examples=600, deadline=None)
@given(phrase_text(), phrase_text())
def test_outcome_look_finds_what_a_search_finds(measure: str, description: str) -> None:
    text = f"{measure}\n{description}"
    outcome = OutcomeText(measure, description)
    assert find_analyses(measure) == outcome.analyses("measure") == searched_analyses(measure)
    assert find_analyses(description) == outcome.analyses("description") == searched_analyses(description)
    searched = (("measure", searched_analyses(measure)), ("description", searched_analyses(description)))
    assert outcome.first_analysis() == next(((field, *min(found)[2:]) for field, found in searched if found), None)
    names = [name for name, _ in outcome.forms()]
    assert names == [m.instrument for m in match_instruments(measure, description)]
    assert names == [instrument.name for instrument in _match_any(text)]  # a search of each pattern


@settings(max_examples=300, deadline=None)
@given(phrase_text())
def test_hedges_are_found_where_a_search_finds_them(time_frame: str) -> None:
    result = parse_time_frame(time_frame)
    first = next(((reason, m) for pattern, reason in _HEDGES if (m := pattern.search(time_frame))), None)
    if first is not None and "\\" not in time_frame and time_frame.strip():
        assert isinstance(result, NotUnderstood)
        assert result.reason == f"{first[0]} ({first[1].group(0).strip()!r})"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PHRASES), st.sampled_from(("", "at 2 weeks, 6 weeks and 3 months")))))
def test_time_frames_read_together_as_one_by_one(frames: list[tuple[str, str]]) -> None:
    frames += [("2 weeks to 3 months", description) for _, description in frames]
    assert parse_time_frames(frames) == [parse_time_frame(*frame) for frame in frames]


def test_positions_of_start_words() -> None:
    starts = StartWords([("rate", "ratio"), ("%",), ("r",)], inside=("%",))
    assert starts.positions("rates: 5% (ratio) xrate") == {0: [0, 11], 1: [8], 2: [0, 11]}
    pattern = re.compile(r"\bratios?\b", re.IGNORECASE)
    assert first_match(pattern, [0, 11], "Rates: 5% (Ratio)") is not None
    assert first_match(pattern, [0], "Rates: 5% (Ratio)") is None


def test_a_start_word_at_a_word_start_must_begin_a_word() -> None:
    with pytest.raises(ValueError, match="letter or a digit"):
        StartWords([("%",)])


@pytest.mark.parametrize("text", ["ALT, AST", "K\u212a", "caf\u00e9"])
def test_lower_for_starts_keeps_every_index(text: str) -> None:
    lowered = lower_for_starts(text)
    assert lowered is not None and len(lowered) == len(text)


@pytest.mark.parametrize("text", ["\u0130NR", "\u017fafety", "d\u0131ed"])
def test_texts_whose_case_is_odd_are_searched(text: str) -> None:
    assert lower_for_starts(text) is None
