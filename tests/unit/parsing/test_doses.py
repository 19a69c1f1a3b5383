"""Dose amounts read from registry text: values, units, bases and the exact span each came from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import read_seed_record
from trialdesk.protocol.values import DoseAmount, NotUnderstood, Parsed
from trialdesk.registry.parsing import doses
from trialdesk.registry.parsing.doses import find_doses, parse_dose


def read_seed_protocol(index: int) -> dict[str, Any]:
    """The ``protocolSection`` of a viewing-page seed: the Python literal after the ``Raw JSON`` line."""
    protocol = read_seed_record(index)["protocolSection"]
    assert isinstance(protocol, dict)
    return protocol


def walk_strings(value: object, path: str = "protocolSection") -> Iterator[tuple[str, str]]:
    """Every string in a record, with its field path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{index}]")


def assert_spans_point_into(text: str, doses: list[Parsed[DoseAmount]]) -> None:
    for dose in doses:
        assert text[dose.span.start : dose.span.end] == dose.span.text


def described(doses: list[Parsed[DoseAmount]]) -> list[tuple[float, str, str, bool, str]]:
    return [(d.value.amount, d.value.unit, d.value.basis, d.value.approximate, d.span.text) for d in doses]


# text, amount, unit, basis, approximate, span text
DOSES = [
    # the shapes the brief and the seeds name
    ("each time 1×10\\^6/kg of UC-MSCs", 1e6, "cells", "per-kg", False, "1×10\\^6/kg"),
    ("1×10^6 cells/kg", 1e6, "cells", "per-kg", False, "1×10^6 cells/kg"),
    ("the single infusion dose was 2×1000,000 cells/Kg.", 2e6, "cells", "per-kg", False, "2×1000,000 cells/Kg"),
    ("Cohort 1 will receive low-dose1×1011particles;", 1e11, "particles", "flat", False, "1×1011particles"),
    ("middle-dose2×1011particles", 2e11, "particles", "flat", False, "2×1011particles"),
    ("high-dose3×1011particles", 3e11, "particles", "flat", False, "3×1011particles"),
    ("approximately 2×10^6 cells/kg", 2e6, "cells", "per-kg", True, "approximately 2×10^6 cells/kg"),
    ("about 1.0×10E6 cells/kg", 1e6, "cells", "per-kg", True, "about 1.0×10E6 cells/kg"),
    ("1 x 10^8 cells/m2", 1e8, "cells", "per-m2", False, "1 x 10^8 cells/m2"),
    ("a dose of 2 ml per lumbar puncture", 2.0, "mL", "flat", False, "2 ml"),
    ("2 mL", 2.0, "mL", "flat", False, "2 mL"),
    ("5 mg/kg", 5.0, "mg", "per-kg", False, "5 mg/kg"),
    ("100 mg", 100.0, "mg", "flat", False, "100 mg"),
    ("1e6 cells/kg", 1e6, "cells", "per-kg", False, "1e6 cells/kg"),
    ("10 million cells/kg", 1e7, "cells", "per-kg", False, "10 million cells/kg"),
    ("1.5 × 10⁶ cells/kg", 1.5e6, "cells", "per-kg", False, "1.5 × 10⁶ cells/kg"),
    # case, spacing, escapes and the ways of writing "times"
    ("1×10^6 CELLS/KG", 1e6, "cells", "per-kg", False, "1×10^6 CELLS/KG"),
    ("1 × 10 ^ 6 cells / kg", 1e6, "cells", "per-kg", False, "1 × 10 ^ 6 cells / kg"),
    ("1×10\\^6 cells/kg", 1e6, "cells", "per-kg", False, "1×10\\^6 cells/kg"),
    ("1x10^6 cells/kg", 1e6, "cells", "per-kg", False, "1x10^6 cells/kg"),
    ("1X10^6 cells/kg", 1e6, "cells", "per-kg", False, "1X10^6 cells/kg"),
    ("1*10^6 cells/kg", 1e6, "cells", "per-kg", False, "1*10^6 cells/kg"),
    ("1·10^6 cells/kg", 1e6, "cells", "per-kg", False, "1·10^6 cells/kg"),
    ("1\u00a0×\u00a010^6\u00a0cells/kg", 1e6, "cells", "per-kg", False, "1\u00a0×\u00a010^6\u00a0cells/kg"),
    ("2×10⁻³ mg", 2e-3, "mg", "flat", False, "2×10⁻³ mg"),
    ("10^6 cells/kg", 1e6, "cells", "per-kg", False, "10^6 cells/kg"),
    ("1,000,000 cells per kg", 1e6, "cells", "per-kg", False, "1,000,000 cells per kg"),
    ("2×10^6 viable cells per kilogram body weight", 2e6, "cells", "per-kg", False, "2×10^6 viable cells per kilogram"),
    ("1×10^6 hUC-MSCs/kg", 1e6, "cells", "per-kg", False, "1×10^6 hUC-MSCs/kg"),
    ("~1×10^6 cells/kg", 1e6, "cells", "per-kg", True, "~1×10^6 cells/kg"),
    ("2ML", 2.0, "mL", "flat", False, "2ML"),
    ("0.5 mg", 0.5, "mg", "flat", False, "0.5 mg"),
    ("100 µg/m²", 100.0, "ug", "per-m2", False, "100 µg/m²"),
    ("50 mcg", 50.0, "ug", "flat", False, "50 mcg"),
    ("5000 IU/kg", 5000.0, "IU", "per-kg", False, "5000 IU/kg"),
    ("2 milliliters", 2.0, "mL", "flat", False, "2 milliliters"),
    ("a range of 2-5 mg", 5.0, "mg", "flat", False, "5 mg"),
    # flattened superscripts: "10" + exponent glued to the unit, or before a count unit
    ("1×1011 particles", 1e11, "particles", "flat", False, "1×1011 particles"),
    ("1×106 cells/kg", 1e6, "cells", "per-kg", False, "1×106 cells/kg"),
    ("1×106mg", 1e6, "mg", "flat", False, "1×106mg"),
    ("1×106 mg", 106.0, "mg", "flat", False, "1×106 mg"),  # not glued, not a count: a literal product
    ("1×101 cells", 101.0, "cells", "flat", False, "1×101 cells"),  # exponent 1 is outside 3–15
    ("2×1000000 cells", 2e6, "cells", "flat", False, "2×1000000 cells"),  # "10" + "00000": no exponent
    # implied units: the nearest count noun, else the "units" placeholder
    ("exosomes, 1×10^11/kg", 1e11, "particles", "per-kg", False, "1×10^11/kg"),
    ("hUC-MSC-sEV 2×10^11/m2", 2e11, "particles", "per-m2", False, "2×10^11/m2"),
    ("each time 1×10^6/kg", 1e6, "units", "per-kg", False, "1×10^6/kg"),
    ("1e8/kg of stem cells", 1e8, "cells", "per-kg", False, "1e8/kg"),
]


@pytest.mark.parametrize(("text", "amount", "unit", "basis", "approximate", "span"), DOSES)
def test_a_dose_is_read_with_its_span(
    text: str, amount: float, unit: str, basis: str, approximate: bool, span: str
) -> None:
    result = parse_dose(text)
    assert isinstance(result, Parsed)
    value = result.value
    assert (value.amount, value.unit, value.basis, value.approximate) == (
        pytest.approx(amount),
        unit,
        basis,
        approximate,
    )
    assert result.span.text == span
    assert text[result.span.start : result.span.end] == span


NOT_DOSES = [
    "Umbilical cord mesenchymal stem cells injected through peripheral veins",
    "18-60 years",
    "A traditional 3+3 dose-escalation design",
    "more than 33% of the participants",
    "for 2 weeks after the administration",
    "glomerular filtration rate greater than 60 ml/min.1.73m2",
    "5 mg/dL",
    "History of blood loss exceeding 200ml within 3 months",
    "> 5 mg",
    "0 mg",
    "0×10^6 cells/kg",
    "-5 mg",
    "−5 mg",
    "5/kg",
    "1×10^6",
    "a dose",
    "",
]


@pytest.mark.parametrize("text", NOT_DOSES)
def test_no_dose_is_invented(text: str) -> None:
    assert find_doses(text) == []
    assert parse_dose(text) == NotUnderstood(text, "no dose amount with a unit found")


def test_every_dose_in_a_text_is_found_in_order() -> None:
    text = "1×10^6 cells/kg in week 1, then 2×10^6 cells/kg; 2 mL each"
    assert described(find_doses(text)) == [
        (1e6, "cells", "per-kg", False, "1×10^6 cells/kg"),
        (2e6, "cells", "per-kg", False, "2×10^6 cells/kg"),
        (2.0, "mL", "flat", False, "2 mL"),
    ]


def test_seed_000_has_three_particle_dose_levels_and_2_ml() -> None:
    # protocolSection.descriptionModule.detailedDescription
    text = read_seed_protocol(0)["descriptionModule"]["detailedDescription"]
    doses = find_doses(text)
    assert_spans_point_into(text, doses)
    assert described(doses) == [
        (1e11, "particles", "flat", False, "1×1011particles"),
        (2e11, "particles", "flat", False, "2×1011particles"),
        (3e11, "particles", "flat", False, "3×1011particles"),
        (2.0, "mL", "flat", False, "2 ml"),
    ]


def test_seed_001_gives_about_2e6_cells_per_kg() -> None:
    # protocolSection.armsInterventionsModule.interventions[0].description
    text = read_seed_protocol(1)["armsInterventionsModule"]["interventions"][0]["description"]
    doses = find_doses(text)
    assert_spans_point_into(text, doses)
    assert described(doses) == [(2e6, "cells", "per-kg", True, "approximately 2×1000,000 cells/Kg")]


def test_seed_001_placebo_arm_has_no_dose() -> None:
    # protocolSection.armsInterventionsModule.interventions[1].description (normal saline, "the same volume")
    text = read_seed_protocol(1)["armsInterventionsModule"]["interventions"][1]["description"]
    assert find_doses(text) == []


@pytest.mark.parametrize("field", ["armGroups", "interventions"])
def test_seed_003_gives_1e6_cells_per_kg(field: str) -> None:
    # protocolSection.armsInterventionsModule.armGroups[0].description and .interventions[0].description:
    # "(each time 1×10\^6/kg)" beside "UC-MSCs infusions", so the implied unit is cells
    text = read_seed_protocol(3)["armsInterventionsModule"][field][0]["description"]
    doses = find_doses(text)
    assert_spans_point_into(text, doses)
    assert described(doses) == [(1e6, "cells", "per-kg", False, "1×10\\^6/kg")]


def test_seed_002_gives_no_dose_anywhere() -> None:
    # protocolSection.armsInterventionsModule.armGroups[*].description ("Single peripheral venous infusion of stem
    # cells", "Repeated peripheral venous infusion of stem cells within one month"), .interventions[0].description
    # ("Umbilical cord mesenchymal stem cells injected through peripheral veins") and every other text field
    protocol = read_seed_protocol(2)
    arms = protocol["armsInterventionsModule"]
    assert [parse_dose(arm["description"]) for arm in arms["armGroups"]] == [
        NotUnderstood(arm["description"], "no dose amount with a unit found") for arm in arms["armGroups"]
    ]
    assert isinstance(parse_dose(arms["interventions"][0]["description"]), NotUnderstood)
    assert [(path, described(find_doses(text))) for path, text in walk_strings(protocol) if find_doses(text)] == []


FRAGMENTS = [
    "1",
    "2",
    "0",
    "10",
    "1011",
    "1000,000",
    "×",
    "x",
    "*",
    "^",
    "\\^",
    "\\",
    "E",
    "e",
    "⁶",
    "⁻",
    "²",
    " ",
    "\u00a0",
    ".",
    ",",
    "-",
    "−",
    "/",
    "kg",
    "Kg",
    "m2",
    "cells",
    "particles",
    "MSCs",
    "exosomes",
    "mL",
    "mg",
    "µg",
    "IU",
    "per ",
    "about ",
    "approximately ",
    "~",
    "million",
    "low-dose",
    "> ",
    "exceeding ",
    "ml/min",
]
registry_like = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=25).map("".join)


@settings(max_examples=300)
@given(st.text() | registry_like)
def test_any_text_gives_doses_or_not_understood_and_spans_point_into_it(text: str) -> None:
    doses = find_doses(text)
    assert all(isinstance(dose, Parsed) and isinstance(dose.value, DoseAmount) for dose in doses)
    assert_spans_point_into(text, doses)
    assert all(dose.value.amount > 0 for dose in doses)
    assert [d.span.start for d in doses] == sorted(d.span.start for d in doses)
    first = parse_dose(text)
    assert isinstance(first, NotUnderstood) or first == doses[0]


# The speed-ups read the same as the plain reading: the pattern tried at every position, the text cleaned character by
# character, and every text read (none skipped for holding no unit after a number).


def plain_clean(text: str) -> tuple[str, list[int]]:
    """The cleaned text and each character's origin, one original character at a time."""
    chars: list[str] = []
    origins: list[int] = []
    for index in range(len(text)):
        read = doses._clean_char(text, index)
        chars.append(read)
        origins += [index] * len(read)
    return "".join(chars), origins


def plain_find(text: str) -> list[Parsed[DoseAmount]]:
    """find_doses as it reads with _DOSE.finditer over the whole cleaned text."""
    cleaned = doses._clean_text(text)
    found = (doses._read_match(text, cleaned, match) for match in doses._DOSE.finditer(cleaned.text))
    return [dose for dose in found if dose is not None]


SPEED_TEXTS = [
    "about 5 mg, approx.  -5 mL, ~ 3 mL, ≈2 mg, nearly10 mg, circa\t4 IU, Approximately\u00a02×10^6 cells/kg",
    "1, 2, 3 and 4.5.6 then 10^6/kg of cells; 1e6cells; 10 million MSCs; 2×1000,000 cells/Kg",
    "v2.0.1 -3 mg (x-5 mg) [-5 mg] 5-10 mg; 1 x 10 ^ 8 cells / m2; 100 µg/m²; 1×10\\^6/kg",
    "Phase 2, 40 participants, 12 months",
    "1.5 × 10⁶ cells/kg and 2×10⁻³ mg, m\\^2 \\> 5 mg",
]


def seed_strings() -> list[str]:
    return [text for index in range(4) for _, text in walk_strings(read_seed_protocol(index))]


@pytest.mark.parametrize("text", SPEED_TEXTS)
def test_the_fast_reading_is_the_plain_one(text: str) -> None:
    cleaned = doses._clean_text(text)
    assert [m.span() for m in doses._dose_matches(cleaned.text)] == [
        m.span() for m in doses._DOSE.finditer(cleaned.text)
    ]
    assert find_doses(text) == plain_find(text)


def test_the_fast_reading_is_the_plain_one_in_the_seeds() -> None:
    for text in seed_strings():
        assert find_doses(text) == plain_find(text), text


@settings(max_examples=300)
@given(st.text() | registry_like)
def test_the_fast_reading_is_the_plain_one_in_any_text(text: str) -> None:
    cleaned = doses._clean_text(text)
    assert (cleaned.text, list(cleaned.origins or range(len(text)))) == plain_clean(text)
    assert [m.span() for m in doses._dose_matches(cleaned.text)] == [
        m.span() for m in doses._DOSE.finditer(cleaned.text)
    ]
    assert find_doses(text) == plain_find(text)
    if not doses._may_hold_dose(cleaned.text):
        assert all(not doses._has_unit(match) for match in doses._DOSE.finditer(cleaned.text))
