"""Administration schedules read from registry text: count, day offsets from the first dose, and the phrase."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import read_seed_record
from trialdesk.protocol.values import AdministrationSchedule, NotUnderstood, Parsed
from trialdesk.registry.parsing import schedules
from trialdesk.registry.parsing.schedules import parse_schedule
from trialdesk.registry.parsing.whitespace import blank_spaces


def read_seed_protocol(index: int) -> dict[str, Any]:
    """The ``protocolSection`` of a viewing-page seed: the Python literal after the ``Raw JSON`` line."""
    protocol = read_seed_record(index)["protocolSection"]
    assert isinstance(protocol, dict)
    return protocol


def read(text: str) -> tuple[int | None, tuple[int, ...], int | None, str]:
    """(count, offsets, within, span text) of a schedule that must be understood."""
    result = parse_schedule(text)
    assert isinstance(result, Parsed), result
    assert text[result.span.start : result.span.end] == result.span.text
    schedule = result.value
    return schedule.count, schedule.offsets_days, schedule.within_days, result.span.text


# text, count, offsets, within, span text
SCHEDULES = [
    # the phrases the seeds and the issue name
    (
        "once a month, for a total of three months",
        3,
        (0, 28, 56),
        None,
        "once a month, for a total of three months",
    ),
    (
        "administered once a month, for a total of three months.",
        3,
        (0, 28, 56),
        None,
        "once a month, for a total of three months",
    ),
    (
        "The interval between the two infusions was 14 days, and",
        2,
        (0, 14),
        None,
        "The interval between the two infusions was 14 days",
    ),
    (
        "given once a week for successive 4 weeks, then the last two times will be given once every two weeks.",
        6,
        (0, 7, 14, 21, 35, 49),
        None,
        "once a week for successive 4 weeks, then the last two times will be given once every two weeks",
    ),
    (
        "Repeated peripheral venous infusion of stem cells within one month",
        2,
        (),
        28,
        "Repeated peripheral venous infusion of stem cells within one month",
    ),
    (
        "receive 6 times UC-MSCs infusions (each time 1×10\\^6/kg) within 8 weeks.",
        6,
        (),
        56,
        "6 times UC-MSCs infusions (each time 1×10\\^6/kg) within 8 weeks",
    ),
    # variants
    ("every 2 weeks for 3 doses", 3, (0, 14, 28), None, "every 2 weeks for 3 doses"),
    ("Every Two Weeks For Three Doses", 3, (0, 14, 28), None, "Every Two Weeks For Three Doses"),
    ("once every 2 weeks  for  3 infusions", 3, (0, 14, 28), None, "once every 2 weeks  for  3 infusions"),
    ("weekly for 4 weeks", 4, (0, 7, 14, 21), None, "weekly for 4 weeks"),
    ("WEEKLY FOR FOUR WEEKS", 4, (0, 7, 14, 21), None, "WEEKLY FOR FOUR WEEKS"),
    ("weekly for 4 consecutive weeks", 4, (0, 7, 14, 21), None, "weekly for 4 consecutive weeks"),
    ("daily for 5 days", 5, (0, 1, 2, 3, 4), None, "daily for 5 days"),
    ("every other week for 8 weeks", 4, (0, 14, 28, 42), None, "every other week for 8 weeks"),
    ("every 3 weeks for 2 months", 3, (0, 21, 42), None, "every 3 weeks for 2 months"),  # doses starting in 56 days
    ("fortnightly for 3 doses", 3, (0, 14, 28), None, "fortnightly for 3 doses"),
    ("once a month for a month", 1, (0,), None, "once a month for a month"),
    ("a single infusion", 1, (0,), None, "a single infusion"),
    ("single infusion", 1, (0,), None, "single infusion"),
    ("a single dose", 1, (0,), None, "a single dose"),
    ("Single peripheral venous infusion of stem cells", 1, (0,), None, "Single peripheral venous infusion"),
    ("twice, 14 days apart", 2, (0, 14), None, "twice, 14 days apart"),
    ("2 infusions 14 days apart", 2, (0, 14), None, "2 infusions 14 days apart"),
    ("thrice, 7 days apart", 3, (0, 7, 14), None, "thrice, 7 days apart"),
    ("three infusions at monthly intervals", 3, (0, 28, 56), None, "three infusions at monthly intervals"),
    ("4 doses at intervals of 2 weeks", 4, (0, 14, 28, 42), None, "4 doses at intervals of 2 weeks"),
    ("on days 1, 8 and 15", 3, (0, 7, 14), None, "days 1, 8 and 15"),
    ("Days 1,8,15", 3, (0, 7, 14), None, "Days 1,8,15"),
    ("at weeks 0, 1, 2, 3, 5 and 7", 6, (0, 7, 14, 21, 35, 49), None, "weeks 0, 1, 2, 3, 5 and 7"),
    ("twice within 2 weeks", 2, (), 14, "twice within 2 weeks"),
    ("three doses within a month", 3, (), 28, "three doses within a month"),
    ("after all 6 infusions", 6, (), None, "6 infusions"),
    ("every 0 days for 3 doses", 3, (), None, "3 doses"),  # a zero interval gives no offsets; the count stands
    (
        "a total of 2 peripheral intravenous Human umbilical cord mesenchymal stem cells (hUC-MSC) infusions",
        2,
        (),
        None,
        "a total of 2 peripheral intravenous Human umbilical cord mesenchymal stem cells (hUC-MSC) infusions",
    ),
    ("given\u00a0weekly\u00a0for\u00a04\u00a0weeks", 4, (0, 7, 14, 21), None, "weekly\u00a0for\u00a04\u00a0weeks"),
]


@pytest.mark.parametrize(("text", "count", "offsets", "within", "span"), SCHEDULES)
def test_a_schedule_is_read_with_its_phrase(
    text: str, count: int, offsets: tuple[int, ...], within: int | None, span: str
) -> None:
    assert read(text) == (count, offsets, within, span)


NOT_SCHEDULES = [
    "Umbilical cord mesenchymal stem cells injected through peripheral veins",
    "the single infusion dose was approximately 2×1000,000 cells/Kg",
    "once a month",
    "twice daily",
    "3 times a week",
    "every 2 weeks for 0 doses",
    "every 2 weeks for 101 doses",
    "days 15, 8 and 1",
    "a single-arm trial",
    "",
]


@pytest.mark.parametrize("text", NOT_SCHEDULES)
def test_no_schedule_is_invented(text: str) -> None:
    result = parse_schedule(text)
    assert isinstance(result, NotUnderstood)
    assert result.text == text and "no administration schedule" in result.reason


def test_the_description_states_the_conventions() -> None:
    result = parse_schedule("once a month, for a total of three months")
    assert isinstance(result, Parsed)
    assert "day 0" in result.value.description and "1 month = 28 days" in result.value.description
    assert "1 week = 7 days" in result.value.description


@pytest.mark.parametrize(
    "path",
    [
        ("armsInterventionsModule", "armGroups", 0, "description"),
        ("armsInterventionsModule", "interventions", 0, "description"),
        ("descriptionModule", "detailedDescription"),
    ],
)
def test_seed_000_is_monthly_for_three_doses(path: tuple[str | int, ...]) -> None:
    # protocolSection.armsInterventionsModule.armGroups[0].description, .interventions[0].description and
    # protocolSection.descriptionModule.detailedDescription: "administered once a month, for a total of three months"
    text: Any = read_seed_protocol(0)
    for key in path:
        text = text[key]
    assert read(text) == (3, (0, 28, 56), None, "once a month, for a total of three months")


@pytest.mark.parametrize("index", [0, 1])
def test_seed_001_is_two_infusions_14_days_apart(index: int) -> None:
    # protocolSection.armsInterventionsModule.interventions[0].description (hUC-MSC) and [1] (placebo)
    text = read_seed_protocol(1)["armsInterventionsModule"]["interventions"][index]["description"]
    assert read(text) == (2, (0, 14), None, "The interval between the two infusions was 14 days")


def test_seed_002_is_one_infusion_or_a_repeat_within_a_month() -> None:
    # protocolSection.armsInterventionsModule.armGroups[0].description and [1].description
    single, double = read_seed_protocol(2)["armsInterventionsModule"]["armGroups"]
    assert read(single["description"]) == (1, (0,), None, "Single peripheral venous infusion")
    assert read(double["description"]) == (
        2,
        (),
        28,
        "Repeated peripheral venous infusion of stem cells within one month",
    )


def test_seed_003_is_weekly_four_times_then_fortnightly_twice() -> None:
    # protocolSection.armsInterventionsModule.interventions[0].description
    text = read_seed_protocol(3)["armsInterventionsModule"]["interventions"][0]["description"]
    assert read(text) == (
        6,
        (0, 7, 14, 21, 35, 49),
        None,
        "once a week for successive 4 weeks, then the last two times will be given once every two weeks",
    )


def test_seed_003_arm_gives_six_infusions_within_eight_weeks() -> None:
    # protocolSection.armsInterventionsModule.armGroups[0].description
    text = read_seed_protocol(3)["armsInterventionsModule"]["armGroups"][0]["description"]
    assert read(text) == (6, (), 56, "6 times UC-MSCs infusions (each time 1×10\\^6/kg) within 8 weeks")


FRAGMENTS = [
    "once ",
    "twice",
    "thrice",
    "a ",
    "an ",
    "single ",
    "every ",
    "other ",
    "then ",
    "the last ",
    "for ",
    "a total of ",
    "successive ",
    "within ",
    "apart",
    "interval between the ",
    " was ",
    "repeated ",
    "days ",
    "weeks ",
    "week",
    "month",
    "monthly",
    "weekly",
    "daily",
    "infusions",
    "doses",
    "times",
    "0",
    "1",
    "2",
    "14",
    "999",
    "two ",
    "twelve ",
    ", ",
    " and ",
    ".",
    " ",
    "\u00a0",
    "\\",
    "ſ",
    "K",
]
registry_like = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=25).map("".join)


@settings(max_examples=300)
@given(st.text() | registry_like)
def test_any_text_gives_a_schedule_or_not_understood_and_the_span_points_into_it(text: str) -> None:
    result = parse_schedule(text)
    assert isinstance(result, Parsed | NotUnderstood)
    if isinstance(result, Parsed):
        assert isinstance(result.value, AdministrationSchedule)
        assert text[result.span.start : result.span.end] == result.span.text
        schedule = result.value
        assert schedule.count is None or 0 < schedule.count <= 100
        assert not schedule.offsets_days or (len(schedule.offsets_days) == schedule.count)
        assert list(schedule.offsets_days) == sorted(set(schedule.offsets_days))


def strings_in(value: object) -> list[str]:
    """Every string in a record part."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in strings_in(item)]


# The speed-ups match as the patterns do: tried only where a match can start, or only where an anchor word is.
BARE_PATTERNS = [
    schedules._DAY_LIST,
    schedules._GAP,
    schedules._PHASES,
    schedules._WINDOW,
    schedules._SINGLE,
    schedules._TOTAL,
    schedules._BARE_COUNT,
]
SPEED_TEXTS = [
    "Days 1, 8 and 15; day 3; WEEKS 0, 2; today 4 days; everyday 2 weeks",
    "Once a week for successive 4 weeks, then the last two times once every two weeks; at monthly intervals",
    "The interval between the two infusions was 14 days. A total of 6 infusions, twice, thrice daily",
    "Repeated peripheral venous infusion within one month; a single dose; only one infusion; one-time injection",
    "3 times a week; per week; each month; every other day; 14 days apart; İ Days 1 and 2 ſingle dose",
]


def check_the_fast_matching_is_the_plain_one(text: str) -> None:
    spaced = blank_spaces(text)
    lowered = spaced.lower()
    readers = zip(
        BARE_PATTERNS, schedules._SCHEDULES, schedules._SCHEDULE_WORDS, schedules._SCHEDULE_ANCHORS, strict=True
    )
    for bare, (fast, _), words, anchors in readers:
        plain = [m.span() for m in bare.finditer(spaced)]
        assert [m.span() for m in fast.finditer(spaced)] == plain
        assert not plain or schedules._mentions_all(lowered, words)  # the pre-check skips no text that matches
        if anchors:
            assert [m.span() for m in schedules._matches(fast, anchors, spaced, lowered)] == plain


@pytest.mark.parametrize("text", SPEED_TEXTS)
def test_the_fast_matching_is_the_plain_one(text: str) -> None:
    check_the_fast_matching_is_the_plain_one(text)


def test_the_fast_matching_is_the_plain_one_in_the_seeds() -> None:
    for index in range(4):
        protocol = read_seed_protocol(index)
        for module in protocol.values():
            for text in strings_in(module):
                check_the_fast_matching_is_the_plain_one(text)


@settings(max_examples=300)
@given(st.text() | registry_like)
def test_the_fast_matching_is_the_plain_one_in_any_text(text: str) -> None:
    check_the_fast_matching_is_the_plain_one(text)
