"""Outcome time frames read as visits (trialdesk.registry.parsing.timeframes).

Conventions under test (module docstring): a week is 7 days, a month 30 days, 12 months a year of 365 days
(``N months`` → ``365·(N div 12) + 30·(N mod 12)``), hours count whole days elapsed; "up to N" is one
end-of-observation visit at N; the anchor defaults to ``first-dose``; a period "A to B" takes its visits from
the description's list or is not understood. Spans refer to ``time_frame``.

Seed expectations come from ../shared/SEEDS.md and the records in ../shared/seeds (the ``Raw JSON`` dicts).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import list_seed_files, read_seed_record
from trialdesk.protocol.values import NotUnderstood, Parsed, Span, VisitTarget
from trialdesk.registry.parsing.timeframes import merge_visits, parse_time_frame

Row = tuple[str, int, str, int, int]  # label, day, anchor, window before, window after

SEED_001_DESCRIPTION = (
    "Follow-up was performed at 2 weeks, 4 weeks, 6 weeks, 8 weeks, 3 months, 4 months, 5 months, 6 months, "
    "8 months, 10 months, and 12 months after the last hUC-MSC infusion. Urinalysis, 24-hour urine protein "
    "quantification, and urine protein/creatinine ratio were tested to evaluate the remission of urine protein "
    "after treatment."
)
SEED_001_VISITS: list[Row] = [
    ("Week 2", 14, "last-dose", 0, 0),
    ("Week 4", 28, "last-dose", 0, 0),
    ("Week 6", 42, "last-dose", 0, 0),
    ("Week 8", 56, "last-dose", 0, 0),
    ("Month 3", 90, "last-dose", 0, 0),
    ("Month 4", 120, "last-dose", 0, 0),
    ("Month 5", 150, "last-dose", 0, 0),
    ("Month 6", 180, "last-dose", 0, 0),
    ("Month 8", 240, "last-dose", 0, 0),
    ("Month 10", 300, "last-dose", 0, 0),
    ("Month 12", 365, "last-dose", 0, 0),
]
W4, W8, W12 = (
    ("Week 4", 28, "first-dose", 7, 7),
    ("Week 8", 56, "first-dose", 7, 7),
    ("Week 12", 84, "first-dose", 7, 7),
)
M12_WINDOW = ("Month 12", 365, "first-dose", 30, 30)
H24 = ("Hour 24", 1, "first-dose", 0, 0)
BASELINE = ("Baseline", 0, "baseline", 0, 0)


def rows(visits: tuple[VisitTarget, ...] | list[VisitTarget]) -> list[Row]:
    return [(v.label, v.day, v.anchor, v.window_before, v.window_after) for v in visits]


def point(label: str, day: int, anchor: str = "first-dose", window: int = 0) -> Row:
    return (label, day, anchor, window, window)


def read(time_frame: str, description: str = "") -> Parsed[tuple[VisitTarget, ...]]:
    result = parse_time_frame(time_frame, description)
    assert isinstance(result, Parsed), result
    assert time_frame[result.span.start : result.span.end] == result.span.text
    return result


# --- the phrases of the issue and the seeds ---------------------------------------------------------------------
READ_CASES: list[tuple[str, list[Row], str]] = [
    # time frame, visits, span text (a slice of the time frame)
    (
        "4±1 Weeks, 8±1 Weeks,12±1 Weeks, 12±1 months",
        [W4, W8, W12, M12_WINDOW],
        "4±1 Weeks, 8±1 Weeks,12±1 Weeks, 12±1 months",
    ),
    ("24 hours", [H24], "24 hours"),
    ("24 hours, 4±1 Weeks, 8±1 Weeks,12±1 Weeks", [H24, W4, W8, W12], "24 hours, 4±1 Weeks, 8±1 Weeks,12±1 Weeks"),
    ("baseline and 8 weeks", [BASELINE, point("Week 8", 56)], "baseline and 8 weeks"),
    (
        "month 6, 9, and 12",
        [point("Month 6", 180), point("Month 9", 270), point("Month 12", 365)],
        "month 6, 9, and 12",
    ),
    ("up to 3 months", [point("Month 3", 90)], "up to 3 months"),
    ("24 weeks", [point("Week 24", 168)], "24 weeks"),
    ("Day 28", [point("Day 28", 28)], "Day 28"),
    ("Week 4, 8 and 12", [point("Week 4", 28), point("Week 8", 56), point("Week 12", 84)], "Week 4, 8 and 12"),
    (
        "at 1, 3 and 6 months",
        [point("Month 1", 30), point("Month 3", 90), point("Month 6", 180)],
        "1, 3 and 6 months",
    ),
    ("6 months", [point("Month 6", 180)], "6 months"),
    ("1 year", [point("Year 1", 365)], "1 year"),
    (
        "Baseline, week 2, week 4",
        [BASELINE, point("Week 2", 14), point("Week 4", 28)],
        "Baseline, week 2, week 4",
    ),
    ("up to 12 months", [point("Month 12", 365)], "up to 12 months"),
    # spacing, "±" spellings, capitalisation
    ("4 ± 1 weeks", [W4], "4 ± 1 weeks"),
    ("4+/-1 Weeks", [W4], "4+/-1 Weeks"),
    ("4 +/- 1 WEEKS", [W4], "4 +/- 1 WEEKS"),
    ("4 plus or minus 1 weeks", [W4], "4 plus or minus 1 weeks"),
    ("12 ± 1 Months", [M12_WINDOW], "12 ± 1 Months"),
    ("24 HOURS,4±1 weeks", [H24, W4], "24 HOURS,4±1 weeks"),
    ("  24 hr  ", [H24], "24 hr"),
    ("24h", [H24], "24h"),
    ("BASELINE AND 8 WEEKS", [BASELINE, point("Week 8", 56)], "BASELINE AND 8 WEEKS"),
    ("Month 6, 9 and 12", [point("Month 6", 180), point("Month 9", 270), point("Month 12", 365)], "Month 6, 9 and 12"),
    ("day 28.", [point("Day 28", 28)], "day 28"),
    ("Up To 3 Months", [point("Month 3", 90)], "Up To 3 Months"),
    # windows written after the time point
    ("Week 4 ± 3 days", [point("Week 4", 28, window=3)], "Week 4 ± 3 days"),
    ("Day 28 (±7 days)", [point("Day 28", 28, window=7)], "Day 28 (±7 days)"),
    ("Week 12 ±1", [W12], "Week 12 ±1"),
    # glued and hyphenated units, number words, escapes
    ("up to 3years", [point("Year 3", 1095)], "up to 3years"),
    ("2-year", [point("Year 2", 730)], "2-year"),
    ("21-days", [point("Day 21", 21)], "21-days"),
    ("day1, day2", [point("Day 1", 1), point("Day 2", 2)], "day1, day2"),
    ("at one year", [point("Year 1", 365)], "one year"),
    ("Randomization until One year.", [point("Year 1", 365, "randomization")], "Randomization until One year"),
    ("Week 4\\, 8", [point("Week 4", 28), point("Week 8", 56)], "Week 4\\, 8"),
    # the month convention
    ("18 months", [point("Month 18", 545)], "18 months"),
    ("24 months", [point("Month 24", 730)], "24 months"),
    ("2 years", [point("Year 2", 730)], "2 years"),
    ("6 hr", [point("Hour 6", 0)], "6 hr"),
    ("48 hours", [point("Hour 48", 2)], "48 hours"),
    # anchors
    (
        "Up to 30 days after the last dose of study treatment",
        [point("Day 30", 30, "last-dose")],
        "Up to 30 days after the last dose of study treatment",
    ),
    ("until 5 years after treatment", [point("Year 5", 1825, "last-dose")], "until 5 years after treatment"),
    ("4 weeks after the last infusion", [point("Week 4", 28, "last-dose")], "4 weeks after the last infusion"),
    ("4 weeks after the first injection", [point("Week 4", 28)], "4 weeks after the first injection"),
    ("7 days after administration", [point("Day 7", 7)], "7 days after administration"),
    ("7 days after infusion", [point("Day 7", 7)], "7 days after infusion"),
    (
        "Days 28 and 56 post-infusion",
        [point("Day 28", 28), point("Day 56", 56)],
        "Days 28 and 56 post-infusion",
    ),
    ("24 hours after each infusion", [point("Hour 24", 1, "each-dose")], "24 hours after each infusion"),
    ("12 weeks post-randomization", [point("Week 12", 84, "randomization")], "12 weeks post-randomization"),
    (
        "12 weeks after the baseline assessment",
        [point("Week 12", 84, "baseline")],
        "12 weeks after the baseline assessment",
    ),
    (
        "Through 24 weeks after product administration",
        [point("Week 24", 168)],
        "Through 24 weeks after product administration",
    ),
    # baseline forms, fillers, bounds, recurring
    ("From Baseline to Week 52", [BASELINE, point("Week 52", 364)], "Baseline to Week 52"),
    ("Baseline up to 1 years", [BASELINE, point("Year 1", 365)], "Baseline up to 1 years"),
    ("Baseline (Week 0)", [BASELINE], "Baseline (Week 0)"),
    ("Pre-infusion (baseline)", [BASELINE], "Pre-infusion (baseline)"),
    ("Screening, week 4", [("Screening", 0, "screening", 0, 0), point("Week 4", 28)], "Screening, week 4"),
    ("Follow-up: 5 years", [point("Year 5", 1825)], "5 years"),
    ("24 months for each patient", [point("Month 24", 730)], "24 months"),
    ("Follow-up Visit (up to Week 60)", [point("Week 60", 420)], "up to Week 60"),
    ("At 1 year and 2 years", [point("Year 1", 365), point("Year 2", 730)], "1 year and 2 years"),
    (
        "Every two weeks up to 12 weeks",
        [point(f"Week {n}", 7 * n) for n in (2, 4, 6, 8, 10, 12)],
        "Every two weeks up to 12 weeks",
    ),
]


@pytest.mark.parametrize(("time_frame", "expected", "span_text"), READ_CASES, ids=[c[0] for c in READ_CASES])
def test_time_frames_read_as_visits(time_frame: str, expected: list[Row], span_text: str) -> None:
    result = read(time_frame)
    assert rows(result.value) == expected
    assert result.span.text == span_text


NOT_UNDERSTOOD_CASES: list[tuple[str, str]] = [
    # time frame, words expected in the reason
    ("through study completion, an average of 1 year", "end of the study"),
    ("Through study completion, an average of 18.0 month", "end of the study"),
    ("Up to approximately 2 years", "approximate"),
    ("At least 24 weeks", "approximate"),
    ("Cycles 1-6 (28 day treatment cycle)", "cycles"),
    ("C1D1, C1D8", "cycles"),
    ("Up to August 1, 2022", "calendar date"),
    ("2019.7-2022.7", "calendar date"),
    ("Monthly for 1 year", "recurring"),
    ("Every 3 weeks", "recurring"),
    ("From randomization until disease progression or death", "event"),
    ("Two weeks prior to treatment", "before the anchor"),
    ("7-28 days", "range"),
    ("6-18 months", "range"),
    ("1 to 24 months", "range"),
    ("9.7 months", "fractional"),
    ("4 weeks after Radiotherapy.", "'after Radiotherapy'"),
    ("Disease progression", "event"),
    ("12 weeks after the first infusion and 4 weeks after the last infusion", "more than one anchor"),
    ("Up to 40 days after the last dose (Up to 461 days)", "more than one end point"),
    ("weeks", "no time point"),
    ("2, 4, 6", "without a unit"),
    ("", "no time frame"),
    ("   ", "no time frame"),
    ("99999 years", "beyond"),
    ("2 weeks to 12 months after treatment", "the description lists no visits"),
]


@pytest.mark.parametrize(
    ("time_frame", "reason"), NOT_UNDERSTOOD_CASES, ids=[c[0] or "empty" for c in NOT_UNDERSTOOD_CASES]
)
def test_time_frames_not_understood_carry_text_and_reason(time_frame: str, reason: str) -> None:
    result = parse_time_frame(time_frame)
    assert isinstance(result, NotUnderstood), result
    assert result.text == time_frame
    assert reason in result.reason


def test_period_reads_the_visits_the_description_lists() -> None:
    result = read("2 weeks to 12 months after treatment", SEED_001_DESCRIPTION)
    assert rows(result.value) == SEED_001_VISITS
    assert result.span.text == "2 weeks to 12 months after treatment"


def test_period_without_an_anchor_takes_the_lists_anchor() -> None:
    result = read("2 weeks to 3 months", "Seen at 2 weeks, 6 weeks and 3 months after the first infusion.")
    assert rows(result.value) == [point("Week 2", 14), point("Week 6", 42), point("Month 3", 90)]


@pytest.mark.parametrize(
    ("description", "reason"),
    [
        ("Seen at 2 weeks, 6 weeks and 18 months.", "lists no visits"),  # 18 months lies outside the period
        ("Seen at 3 months.", "lists no visits"),  # one time is not a list
        ("Seen at 2 weeks and 3 months after the first infusion.", "the description says first-dose"),
    ],
)
def test_period_is_not_filled_in_from_an_unfitting_description(description: str, reason: str) -> None:
    result = parse_time_frame("2 weeks to 3 months after treatment", description)
    assert isinstance(result, NotUnderstood)
    assert reason in result.reason


def test_description_is_ignored_when_the_time_frame_lists_visits() -> None:
    result = read("month 6, 9, and 12", "assessed at month 6, 9 and 12 from the first UC-MSC infusion; 24-hour urine")
    assert rows(result.value) == [point("Month 6", 180), point("Month 9", 270), point("Month 12", 365)]


def test_the_span_indexes_the_original_text_around_escapes() -> None:
    time_frame = "Follow-up\\: 1\\. year"
    result = read(time_frame)
    assert rows(result.value) == [point("Year 1", 365)]
    assert result.span.text == "1\\. year"


# --- merging ------------------------------------------------------------------------------------------------------
def test_merge_keeps_one_visit_per_anchor_and_day_with_the_widest_window() -> None:
    first = (VisitTarget("Month 12", 365, "first-dose", 30, 30),)
    second = (VisitTarget("Year 1", 365, "first-dose", 0, 45), VisitTarget("Week 4", 28, "first-dose", 7, 7))
    assert rows(merge_visits([first, second])) == [
        ("Week 4", 28, "first-dose", 7, 7),
        ("Month 12", 365, "first-dose", 30, 45),
    ]


def test_merge_sorts_by_anchor_then_day() -> None:
    visits = [
        VisitTarget("Week 2", 14, "last-dose"),
        VisitTarget("Day 1", 1, "first-dose"),
        VisitTarget("Baseline", 0, "baseline"),
        VisitTarget("Week 12", 84, "randomization"),
        VisitTarget("Screening", 0, "screening"),
        VisitTarget("Hour 24", 1, "each-dose"),
    ]
    assert [v.anchor for v in merge_visits([visits])] == [
        "screening",
        "baseline",
        "randomization",
        "first-dose",
        "each-dose",
        "last-dose",
    ]


def test_merge_of_nothing_is_empty() -> None:
    assert merge_visits([]) == ()
    assert merge_visits([[], []]) == ()


# --- the seed studies ---------------------------------------------------------------------------------------------
def load_seed(prefix: str) -> dict[str, Any]:
    index = next(i for i, p in enumerate(list_seed_files()) if p.name.startswith(prefix))
    return read_seed_record(index)


def seed_outcomes(prefix: str) -> list[tuple[str, dict[str, str]]]:
    """(field path, outcome) for protocolSection.outcomesModule.{primary,secondary,other}Outcomes[i]."""
    module = load_seed(prefix)["protocolSection"]["outcomesModule"]
    return [
        (f"protocolSection.outcomesModule.{kind}[{index}]", outcome)
        for kind in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")
        for index, outcome in enumerate(module.get(kind, []))
    ]


def seed_schedule(prefix: str) -> list[Row]:
    groups = []
    for path, outcome in seed_outcomes(prefix):
        result = parse_time_frame(outcome["timeFrame"], outcome.get("description", ""))
        assert isinstance(result, Parsed), (path, result)
        assert outcome["timeFrame"][result.span.start : result.span.end] == result.span.text
        groups.append(result.value)
    return rows(merge_visits(groups))


def test_seed_000_syringomyelia_visits() -> None:
    """NCT07295067: primaryOutcomes[0].timeFrame "24 hours, 4±1 Weeks, 8±1 Weeks,12±1 Weeks";
    secondaryOutcomes[0,1,4,5,6] add "12±1 months"; secondaryOutcomes[3] "up to 12 months" (time to event)
    falls on the same day. SEEDS.md: visits 24 h, 4±1 wk, 8±1 wk, 12±1 wk, 12±1 months."""
    outcomes = dict(seed_outcomes("000"))
    primary = read(outcomes["protocolSection.outcomesModule.primaryOutcomes[0]"]["timeFrame"])
    assert rows(primary.value) == [H24, W4, W8, W12]
    up_to = read(outcomes["protocolSection.outcomesModule.secondaryOutcomes[3]"]["timeFrame"])
    assert rows(up_to.value) == [point("Month 12", 365)]
    assert seed_schedule("000") == [H24, W4, W8, W12, M12_WINDOW]


def test_seed_001_alport_follow_up_after_the_last_infusion() -> None:
    """NCT06731192: every outcome's timeFrame is "2 weeks to 12 months after treatment"; its description lists
    the visits "at 2 weeks, 4 weeks, … and 12 months after the last hUC-MSC infusion"."""
    outcomes = dict(seed_outcomes("001"))
    primary = outcomes["protocolSection.outcomesModule.primaryOutcomes[0]"]
    assert primary["timeFrame"] == "2 weeks to 12 months after treatment"
    assert primary["description"] == SEED_001_DESCRIPTION
    assert seed_schedule("001") == SEED_001_VISITS


def test_seed_002_liver_outcomes_at_24_weeks() -> None:
    """NCT06242405: every outcome's timeFrame is "24 weeks"."""
    assert seed_schedule("002") == [point("Week 24", 168)]


def test_seed_003_psoriasis_visits() -> None:
    """NCT02491658: primaryOutcomes[0,1] "baseline and 8 weeks"; secondaryOutcomes[0,1] "up to 3 months"
    (temperature and blood pressure, one end-of-observation visit at month 3); secondaryOutcomes[2,3]
    "month 6, 9, and 12"."""
    outcomes = dict(seed_outcomes("003"))
    monitoring = read(outcomes["protocolSection.outcomesModule.secondaryOutcomes[0]"]["timeFrame"])
    assert rows(monitoring.value) == [point("Month 3", 90)]
    assert seed_schedule("003") == [
        BASELINE,
        point("Week 8", 56),
        point("Month 3", 90),
        point("Month 6", 180),
        point("Month 9", 270),
        point("Month 12", 365),
    ]


# --- never raises -------------------------------------------------------------------------------------------------
TIME_WORDS = st.sampled_from(
    [
        "4±1", "Weeks", "week", "12", "months", "month", "±", "+/-", "up to", "baseline", "and", ",", "to", "every",
        "after the last infusion", "post-dose", "24", "hours", "h", "day", "-", "(", ")", "\\.", "one", "0.5", "year",
    ]
)  # fmt: skip


def check_answer(time_frame: str, description: str) -> None:
    result = parse_time_frame(time_frame, description)
    assert isinstance(result, Parsed | NotUnderstood)
    if isinstance(result, Parsed):
        # The span refers to the time frame, never to the description.
        assert time_frame[result.span.start : result.span.end] == result.span.text
        assert result.span.text.strip() == result.span.text != ""
        assert result.value and all(isinstance(v, VisitTarget) for v in result.value)
        assert all(v.day >= 0 and v.window_before >= 0 and v.window_after >= 0 for v in result.value)
    else:
        assert result.text == time_frame
        assert result.reason


@settings(max_examples=300)
@given(st.text(), st.text())
def test_arbitrary_text_never_raises(time_frame: str, description: str) -> None:
    check_answer(time_frame, description)


@settings(max_examples=300)
@given(st.lists(TIME_WORDS, max_size=12).map(" ".join), st.lists(TIME_WORDS, max_size=20).map(" ".join))
def test_time_like_text_never_raises(time_frame: str, description: str) -> None:
    check_answer(time_frame, description)


@pytest.mark.parametrize("word", ["ſıx", "SİX", "ſix", "sıx"])
def test_number_words_with_letters_ignorecase_reads_as_ascii(word: str) -> None:
    # "ſ" (long s) and "ı"/"İ" match "s" and "i" under IGNORECASE; the word was matched but then not looked up
    assert parse_time_frame(f"{word} weeks", "") == Parsed(
        (VisitTarget("Week 6", 42, "first-dose", 0, 0),), Span(f"{word} weeks", 0, len(word) + 6)
    )
