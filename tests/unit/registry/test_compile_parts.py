"""Speed-ups in the compiler's parts read what the plain readings read."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import list_record_files
from trialdesk.protocol.model import Regimen, field_kind, missing, parsed
from trialdesk.registry import compile_parts
from trialdesk.registry.compile_parts import SOURCED_COUNT, read_route
from trialdesk.registry.reader import read_record_bytes
from trialdesk.registry.record import RegistryRecord


def plain_route(text: str) -> tuple[str, str, bool] | None:
    """The route each route's own pattern finds earliest (ties: the first in alphabetical order), else an infusion."""
    found = [(m.start(), route, m.group(0)) for route, pattern in compile_parts._ROUTES if (m := pattern.search(text))]
    if found:
        _, route, span = min(found)
        return route, span, False
    if match := compile_parts._INFUSION.search(text):
        return "intravenous", match.group(0), True
    return None


ROUTE_TEXTS = [
    "given IV (i.v.) or p.o. once; intra-thecal by lumbar puncture",
    "Peripheral Veins; INTRAVENOUSLY; I.V. drip; iv; ivy; p.o.x",
    "hepatic artery infusion, coronary arterial injection, intra-articular, sub-cutaneous, intradermal",
    "intravitreal; topically; nebulised; aerosolized; by  mouth; tablets; capsule; pill; syrup",
    "UC-MSCs infusions; infused; İV; ıntravenous; ſubcutaneous; Kapsule; no route here",
    "",
]
ROUTE_WORDS = [
    "intra",
    "-",
    "thecal",
    "arterial",
    "venous",
    "vein",
    "muscular",
    "articular",
    "dermal",
    "vitreal",
    "lumbar puncture",
    "hepatic artery injection",
    "peripheral ",
    "i.v.",
    "IV",
    "p.o.",
    "po.",
    "oral",
    "by mouth",
    "Tablet",
    "syrup",
    "nebulized",
    "infusion",
    "infused",
    " ",
    ".",
    "x",
    "ı",
    "İ",
    "ſ",
    "K",
]
route_like = st.lists(st.sampled_from(ROUTE_WORDS) | st.text(max_size=3), max_size=20).map("".join)


@pytest.mark.parametrize("text", ROUTE_TEXTS)
def test_the_route_is_the_earliest_route_match(text: str) -> None:
    assert compile_parts._route_in(text) == plain_route(text)


@settings(max_examples=300)
@given(st.text() | route_like)
def test_the_route_is_the_earliest_route_match_in_any_text(text: str) -> None:
    assert compile_parts._route_in(text) == plain_route(text)


def test_the_route_is_the_earliest_route_match_in_every_record() -> None:
    for path in list_record_files():
        for record in read_record_bytes(path.read_bytes(), location=path.name):
            assert isinstance(record, RegistryRecord)
            module = record.study.protocolSection.armsInterventionsModule
            texts = [a.description or "" for a in module.armGroups] if module else []
            texts += [v.description or "" for v in module.interventions] if module else []
            for text in texts:
                assert compile_parts._route_in(text) == plain_route(text), text


def test_the_lower_cased_route_patterns_write_every_letter_in_lower_case() -> None:
    # what lets an ASCII text be matched case-sensitively once lower-cased
    for pattern in (compile_parts._ANY_ROUTE_LOWER, compile_parts._INFUSION_LOWER):
        letters = re.sub(r"\\.", "", pattern.pattern)  # escapes such as \b and \B are no letters to match
        assert letters == letters.lower()


def test_a_sourced_value_made_as_its_field_type_is_the_same_value() -> None:
    made = parsed(2, "p", "twice", SOURCED_COUNT)
    assert made.model_dump() == parsed(2, "p", "twice").model_dump()
    assert made.model_fields_set == parsed(2, "p", "twice").model_fields_set
    gap = missing("p", "t", "why", SOURCED_COUNT)
    assert type(made).__name__ == type(gap).__name__ == "Sourced[int]"
    assert field_kind(Regimen, "administrations") is SOURCED_COUNT
    assert gap.model_dump(exclude_unset=True) == missing("p", "t", "why").model_dump(exclude_unset=True)
    assert (
        read_route([("a", "no route")]).model_dump()
        == missing("a", "no route", "no route of administration named").model_dump()
    )
