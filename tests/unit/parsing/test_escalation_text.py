"""parse_escalation: 3+3 rules from free text, the seed studies (../shared/SEEDS.md), and text it must survive.

Seed 000 (NCT07295067) states its design in ``protocolSection.descriptionModule.detailedDescription`` and its DLT
window in ``protocolSection.outcomesModule.primaryOutcomes[0].description``; seeds 001–003 state no escalation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import list_record_files, read_seed_record
from trialdesk.protocol.values import DoseAmount, EscalationText, NotUnderstood, Parsed, Span
from trialdesk.registry.parsing.escalation_text import (
    RULES,
    find_dose_levels,
    may_state_sizes,
    parse_escalation,
    read_dose_levels,
    read_escalation_rules,
)
from trialdesk.registry.reader import read_record_bytes
from trialdesk.registry.record import RegistryRecord


def read_seed(index: int) -> dict[str, Any]:
    """The Raw JSON of a viewing-page seed (a Python literal after the line ``Raw JSON``)."""
    return read_seed_record(index)


def gather_texts(record: dict[str, Any]) -> list[str]:
    """Every free-text field that could state a design: summary, description, arms, interventions, outcomes."""
    protocol = record["protocolSection"]
    description = protocol.get("descriptionModule", {})
    arms = protocol.get("armsInterventionsModule", {})
    texts = [description.get("briefSummary", ""), description.get("detailedDescription", "")]
    texts += [arm.get("description", "") for arm in arms.get("armGroups", [])]
    texts += [item.get("description", "") for item in arms.get("interventions", [])]
    for kind in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes"):
        for outcome in protocol.get("outcomesModule", {}).get(kind, []):
            texts += [outcome["measure"], outcome.get("description", "")]
    return [text for text in texts if text]


def parse_value(text: str) -> EscalationText:
    result = parse_escalation(text)
    assert isinstance(result, Parsed), result
    assert result.span.text == text[result.span.start : result.span.end]
    for note in result.value.notes:
        assert note in result.span.text
    return result.value


# Phrase → the fields it must give (every other rule field stays None), and the note it leaves.
PHRASES: list[tuple[str, dict[str, object], str]] = [
    (
        "escalation stops when DLTs are seen in more than 33% of participants",
        {"stop_above": 0.33},
        "DLTs are seen in more than 33% of participants",
    ),
    (
        "Dose escalation will be stopped if DLTs are observed in more than 33% of the participants.",
        {"stop_above": 0.33},
        "DLTs are observed in more than 33% of the participants",
    ),
    ("Escalation is halted if toxicity exceeds 33% in a cohort.", {"stop_above": 0.33}, "exceeds 33%"),
    ("Escalation stops if \\>33% of patients have a DLT.", {"stop_above": 0.33}, "\\>33% of patients"),
    ("Escalation stops when more than 1 of 6 patients has a DLT.", {"stop_above": 1 / 6}, "more than 1 of 6 patients"),
    ("Escalation stops if 2 or more of 6 patients have a DLT.", {"stop_above": 1 / 6}, "2 or more of 6 patients"),
    ("The MTD is exceeded when at least 2/3 patients experience DLT.", {"stop_above": 1 / 3}, "at least 2/3 patients"),
    ("no DLTs are observed for 2 weeks", {"cohort_gap_days": 14}, "no DLTs are observed for 2 weeks"),
    (
        "If no dose-limiting toxicities (DLTs) are observed for 2 weeks after the administration of the first "
        "injection, a new cohort will be enrolled at the next planned dose level.",
        {"cohort_gap_days": 14},
        "no dose-limiting toxicities (DLTs) are observed for 2 weeks",
    ),
    ("If no DLT occurs within 28 days, escalate.", {"cohort_gap_days": 28}, "no DLT occurs within 28 days"),
    (
        "a new cohort may start only after 2 weeks without DLT following the first injection",
        {"cohort_gap_days": 14},
        "after 2 weeks without DLT",
    ),
    ("At least 14 days between cohorts.", {"cohort_gap_days": 14}, "At least 14 days between cohorts"),
    ("A 3-week interval between cohorts is kept.", {"cohort_gap_days": 21}, "3-week interval between cohorts"),
    ("1/3 → 3 more at the same level", {"expansion_size": 3}, "3 more"),
    (
        "If DLTs are observed in one participant in the cohort, an additional three participants will be treated "
        "at the same dose level.",
        {"expansion_size": 3},
        "an additional three participants",
    ),
    ("If one patient has a DLT, 3 more patients are enrolled.", {"expansion_size": 3}, "3 more patients"),
    (
        "After one DLT an additional cohort of 3 patients is treated.",
        {"expansion_size": 3},
        "an additional cohort of 3 patients",
    ),
    ("three patients per cohort", {"cohort_size": 3}, "three patients per cohort"),
    ("Cohorts of 3 participants are enrolled.", {"cohort_size": 3}, "Cohorts of 3 participants"),
    ("Each cohort will consist of six patients.", {"cohort_size": 6}, "Each cohort will consist of six patients"),
    (
        "3 participants will be enrolled in each cohort.",
        {"cohort_size": 3},
        "3 participants will be enrolled in each cohort",
    ),
    (
        "a traditional 3+3 dose-escalation design",
        {"cohort_size": 3, "expansion_size": 3},
        "traditional 3+3 dose-escalation design",
    ),
    ("a 3 + 3 design", {"cohort_size": 3, "expansion_size": 3}, "3 + 3 design"),
    ("A dose-escalation phase I trial.", {}, "dose-escalation"),
]
RULE_FIELDS = ("cohort_size", "expansion_size", "stop_above", "dlt_window_days", "cohort_gap_days")


@pytest.mark.parametrize(("text", "expected", "note"), PHRASES)
def test_each_phrase_gives_its_field(text: str, expected: dict[str, object], note: str) -> None:
    value = parse_value(text)
    for name in RULE_FIELDS:
        assert getattr(value, name) == pytest.approx(expected.get(name)), name
    assert note in value.notes


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("3+3 design. DLTs are events within 14 days of administration.", 14),
        ("3+3 design. DLT: grade ≥3 toxicity within 28 days after the first dose.", 28),
        ("3+3 design. The DLT observation period is 21 days.", 21),
        ("3+3 design. A 28-day DLT window applies.", 28),
        ("3+3 design. DLTs are assessed within 48 hours of infusion.", 2),
        ("3+3 design. Toxicity within 14 days of administration is recorded.", None),  # no DLT in that sentence
    ],
)
def test_dlt_window(text: str, days: int | None) -> None:
    assert parse_value(text).dlt_window_days == days


def test_explicit_sizes_beat_the_3_plus_3_default() -> None:
    value = parse_value("A 3+3 design with cohorts of 4 patients; the cohort is expanded to 6 patients after one DLT.")
    assert (value.cohort_size, value.expansion_size) == (4, 2)


def test_expansion_total_without_a_cohort_size_gives_nothing() -> None:
    value = parse_value("Dose escalation; after one DLT the cohort is expanded to 6 patients.")
    assert (value.cohort_size, value.expansion_size) == (None, None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Randomized, placebo-controlled, parallel trial.",
        "DLTs are events within 14 days of administration.",  # a DLT window alone is not a design
        "Each patient receives 1×10^6 cells/kg.",  # a dose alone is not a design
        "Toxicity in more than 33% of participants was reported.",  # no stopping words
        "Two more doses are given at the same time.",  # "more" without a DLT/expansion context
    ],
)
def test_text_without_a_design_is_not_understood(text: str) -> None:
    result = parse_escalation(text)
    assert isinstance(result, NotUnderstood)
    assert result.text == text
    assert "no escalation design" in result.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("low-dose1×1011particles", DoseAmount(1e11, "particles")),
        ("2×10^11 particles", DoseAmount(2e11, "particles")),
        ("3×10\\^11 particles", DoseAmount(3e11, "particles")),
        ("1.5 x 10¹¹ particles", DoseAmount(1.5e11, "particles")),
        ("approximately 2×1000,000 cells/Kg", DoseAmount(2e6, "cells", "per-kg", approximate=True)),
        ("1e6 cells per kg", DoseAmount(1e6, "cells", "per-kg")),
        ("2×10^7 cells/m2", DoseAmount(2e7, "cells", "per-m2")),
    ],
)
def test_dose_level_forms(text: str, expected: DoseAmount) -> None:
    (found,) = find_dose_levels(text)
    assert found.value == expected
    assert found.span.text == text[found.span.start : found.span.end]


def test_dose_levels_without_a_unit_are_not_read() -> None:
    assert find_dose_levels("each time 1×10\\^6/kg, 2 ml per lumbar puncture") == []


SEED_000_DOSES = "Cohort 1 will receive low-dose1×1011particles; Cohort 2 will receive middle-dose2×1011particles."


def failing_finder(text: str) -> list[Parsed[DoseAmount]]:
    raise ValueError(text)


def volume_finder(text: str) -> list[Parsed[DoseAmount]]:
    return [Parsed(DoseAmount(2, "mL"), Span.of(text, 0, 1))]


def foreign_span_finder(text: str) -> list[Parsed[DoseAmount]]:
    return [Parsed(DoseAmount(5e11, "particles"), Span("5×10^11 particles", 0, 17))]


@pytest.mark.parametrize("finder", [failing_finder, volume_finder, foreign_span_finder])
def test_read_dose_levels_falls_back_to_the_local_reader(finder: Callable[[str], list[Parsed[DoseAmount]]]) -> None:
    levels = read_dose_levels(SEED_000_DOSES, finder)
    assert [d.value.amount for d in levels] == [1e11, 2e11]
    assert [d.span.text for d in levels] == ["1×1011particles", "2×1011particles"]


def test_read_dose_levels_keeps_each_amount_once_in_order() -> None:
    def finder(text: str) -> list[Parsed[DoseAmount]]:
        second, first = text.index("2×"), text.index("1×")
        return [
            Parsed(DoseAmount(2e11, "particles"), Span.of(text, second, second + 15)),
            Parsed(DoseAmount(1e11, "particles"), Span.of(text, first, first + 15)),
            Parsed(DoseAmount(2e11, "particles"), Span.of(text, second, second + 15)),
        ]

    assert [d.value.amount for d in read_dose_levels(SEED_000_DOSES, finder)] == [1e11, 2e11]


def test_the_shared_dose_reader_agrees_on_seed_000() -> None:
    from trialdesk.registry.parsing import doses

    detailed = read_seed(0)["protocolSection"]["descriptionModule"]["detailedDescription"]
    shared = [d.value for d in doses.find_doses(detailed) if d.value.unit == "particles"]
    assert shared == [d.value for d in find_dose_levels(detailed)]


def test_seed_000_three_plus_three() -> None:
    """NCT07295067: descriptionModule.detailedDescription + outcomesModule.primaryOutcomes[0].description."""
    protocol = read_seed(0)["protocolSection"]
    detailed = protocol["descriptionModule"]["detailedDescription"]
    dlt = protocol["outcomesModule"]["primaryOutcomes"][0]["description"]
    text = detailed + "\n\n" + dlt
    value = parse_value(text)
    assert value.dose_levels == (
        DoseAmount(1e11, "particles"),
        DoseAmount(2e11, "particles"),
        DoseAmount(3e11, "particles"),
    )
    assert value.cohort_size == 3
    assert value.expansion_size == 3
    assert value.stop_above == pytest.approx(0.33)
    assert value.dlt_window_days == 14
    assert value.cohort_gap_days == 14
    for note in (
        "traditional 3+3 dose-escalation design",
        "1×1011particles",
        "no dose-limiting toxicities (DLTs) are observed for 2 weeks",
        "an additional three participants",
        "DLTs are observed in more than 33% of the participants",
        "within 14 days of administration",
    ):
        assert note in value.notes
    result = parse_escalation(text)
    assert isinstance(result, Parsed)
    assert result.span.text.startswith("dose escalation phase I")
    assert result.span.text.endswith("within 14 days of administration")


def test_seed_000_description_alone_has_no_dlt_window() -> None:
    """The DLT window is stated only in the primary outcome's description, not in the detailed description."""
    value = parse_value(read_seed(0)["protocolSection"]["descriptionModule"]["detailedDescription"])
    assert value.dlt_window_days is None
    assert (value.cohort_size, value.expansion_size, value.cohort_gap_days) == (3, 3, 14)


def test_seed_000_all_free_text() -> None:
    value = parse_value("\n\n".join(gather_texts(read_seed(0))))
    assert len(value.dose_levels) == 3
    assert (value.cohort_size, value.expansion_size, value.dlt_window_days, value.cohort_gap_days) == (3, 3, 14, 14)
    assert value.stop_above == pytest.approx(0.33)


@pytest.mark.parametrize("index", [1, 2, 3])
def test_seeds_without_escalation_are_not_understood(index: int) -> None:
    texts = gather_texts(read_seed(index))
    assert isinstance(parse_escalation("\n\n".join(texts)), NotUnderstood)
    for text in texts:
        assert isinstance(parse_escalation(text), NotUnderstood), text


def test_every_rule_reads_its_own_phrase() -> None:
    """Each rule in the table is exercised by at least one phrase above (so the table has no dead rows)."""
    texts = [text for text, _, _ in PHRASES] + ["cohort is expanded to 6 patients after a DLT"]
    texts += ["DLTs within 14 days of administration", "DLT period of 21 days", "28-day DLT window"]
    for rule in RULES:
        assert any(rule.pattern.search(text) for text in texts), rule.pattern.pattern


FRAGMENTS = st.sampled_from(
    [text for text, _, _ in PHRASES] + ["1×1011particles", "2×10^11 particles", ". ", "; ", "\n", "DLT", "3+3", "%"]
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    result = parse_escalation(text)
    assert isinstance(result, Parsed | NotUnderstood)
    if isinstance(result, Parsed):
        assert result.span.text == text[result.span.start : result.span.end]
        assert all(note in text for note in result.value.notes)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=12).map("".join))
def test_spans_and_notes_are_substrings(text: str) -> None:
    result = parse_escalation(text)
    if isinstance(result, NotUnderstood):
        assert result.text == text
        return
    span = result.span
    assert 0 <= span.start <= span.end <= len(text)
    assert span.text == text[span.start : span.end]
    assert result.value.notes
    for note in result.value.notes:
        assert note in span.text
    if result.value.stop_above is not None:
        assert 0 <= result.value.stop_above <= 1
    for dose in result.value.dose_levels:
        assert dose.amount >= 0


# ------------------------------------------------------------------------------ the pre-check and the rule reader


def _sizes(text: str) -> tuple[int | None, int | None] | None:
    result = parse_escalation(text)
    return None if isinstance(result, NotUnderstood) else (result.value.cohort_size, result.value.expansion_size)


def _registry_texts() -> list[str]:
    texts: list[str] = []
    for path in list_record_files():
        for record in read_record_bytes(path.read_bytes(), location=path.name):
            if isinstance(record, RegistryRecord):
                texts += [
                    t for t in gather_texts(record.study.model_dump(mode="json", by_alias=True, exclude_none=True)) if t
                ]
    return texts


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("A 3+3 design.", True),
        ("a traditional 3 + 3 dose-escalation design", True),
        ("Cohorts of three patients; after one DLT an additional 3 patients are treated.", True),
        ("Each cohort will consist of 3 patients; the cohort is expanded to 6 patients after a DLT.", True),
        ("30 patients per cohort, a 3+4 design", False),
        ('Based on the "3+3" model', False),
        ("Randomized 2:1, 60 participants", False),
        ("Cohorts of ٣ patients", True),  # other decimal digits: always left to the full parse
    ],
)
def test_may_state_sizes_rules_out_texts_without_both_sizes(text: str, may: bool) -> None:
    assert may_state_sizes(text, 3, 3) is may
    if not may:
        assert _sizes(text) != (3, 3)


def test_may_state_sizes_never_rules_out_a_registry_text_read_as_3_plus_3() -> None:
    texts = _registry_texts() + [text for text, _, _ in PHRASES]
    assert len(texts) > 500
    for text in texts:
        if not may_state_sizes(text, 3, 3):
            assert _sizes(text) != (3, 3), text


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=12).map("".join))
def test_may_state_sizes_only_rules_out_what_the_parse_rejects(text: str) -> None:
    if not may_state_sizes(text, 3, 3):
        assert _sizes(text) != (3, 3)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=12).map("".join))
def test_read_escalation_rules_reads_the_rules_parse_escalation_reads(text: str) -> None:
    result = parse_escalation(text)
    rules = read_escalation_rules(text)
    if isinstance(result, NotUnderstood):
        assert rules is None
        return
    assert rules is not None
    for field in RULE_FIELDS:
        assert getattr(rules, field) == getattr(result.value, field), field
