"""The words regular expressions can spell, and the eligibility pre-check built on them.

The pre-check must never change a classification: a criterion it rejects is one the rules could not have made
computable. That is checked three ways: on the pieces themselves (every word of any string a consuming pattern
matches can be spelled), against the full classifier on every criterion of the kept registry records, and on
arbitrary texts made of rule fragments.
"""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import list_record_files
from trialdesk.registry.parsing import eligibility
from trialdesk.registry.parsing.letters import fold_to_ascii
from trialdesk.registry.parsing.spelling import Pieces, can_spell, read_pattern_pieces
from trialdesk.registry.reader import read_record_bytes
from trialdesk.registry.record import RegistryRecord

PIECES = [
    (r"hbs\s*ag", {"0", "hbsag", "hbs", "ag"}),
    (r"pregnan(?:t|cy)", {"0", "pregnant", "pregnancy"}),
    (r"breast[-\s]?feed(?:ing|s)?", {"0", "breast", "breastfeed", "breastfeeding", "breastfeeds", "feed", "feeding",
                                      "feeds"}),
    (r"\d+(?:\.\d+)?\s*mg\s*/\s*dl", {"0", "0mg", "mg", "dl"}),
    (r"randomi[sz]ation", {"0", "randomisation", "randomization"}),
    (r"\bstage\s+(?:iv|v|i{1,3})(?![a-z])", {"0", "stage", "iv", "v", "i", "ii", "iii"}),
    (r"(?:\bnot\s+)?pregnant", {"0", "not", "pregnant"}),
    (r"ALT|Alat", {"0", "alt", "alat"}),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "pieces"), PIECES)
def test_read_pattern_pieces_lists_the_words_a_pattern_spells(pattern: str, pieces: set[str]) -> None:
    assert read_pattern_pieces([pattern]).words == pieces


def test_a_part_with_too_many_strings_gives_its_sub_parts_pieces() -> None:
    words = read_pattern_pieces([r"(?:alt|ast|ggt)(?:\s*(?:/|or|and)\s*(?:alt|ast|ggt)){0,8}"]).words
    assert {"alt", "ast", "ggt", "or", "and"} <= words
    assert can_spell("altast", Pieces.of(words))  # "ALT/AST" with the slash dropped is still spelled


def test_an_unbounded_repeat_gives_its_pieces_without_being_expanded() -> None:
    # Compiled with mypyc, an `is` test against re's MAXREPEAT never held (the bound is an unboxed int) and
    # `(?:ab|cd)+` was expanded up to 2**32 times: 40 s per read instead of microseconds. Same pieces, either way.
    start = time.process_time()
    words = read_pattern_pieces([r"x(?:ab|cd)+y", r"(?:ef|gh)*"]).words
    assert time.process_time() - start < 1.0
    assert words == {"0", "x", "ab", "cd", "y", "ef", "gh"}


@pytest.mark.parametrize("pattern", [r"a.c", r"\w+", r"[a-z]+", r"[^x]", r"\S+", r"(a)\1"])
def test_a_pattern_that_can_match_any_letter_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="cannot list the words"):
        read_pattern_pieces(["ok", pattern])


@pytest.mark.parametrize(
    ("word", "spelled"),
    [("hbsag", True), ("aghbs", True), ("hbsagag", True), ("hbsa", False), ("", True), ("x", False)],
)
def test_can_spell_joins_pieces(word: str, spelled: bool) -> None:
    assert can_spell(word, Pieces.of({"hbs", "ag"})) is spelled


def _spell_words(text: str) -> list[str]:
    lowered = fold_to_ascii(text)
    return ["".join("0" if c.isdecimal() else c for c in word) for word in re.findall(r"[^\W_]+", lowered)]


CONSUMING = list(eligibility._SPELLED_PATTERNS)


@pytest.mark.parametrize("pattern", CONSUMING, ids=range(len(CONSUMING)))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_word_a_consuming_pattern_matches_can_be_spelled(pattern: str, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(re.compile(pattern, re.IGNORECASE), fullmatch=True))
    for word in _spell_words(text):
        assert can_spell(word, eligibility._PIECES), (word, text)


def _registry_criteria() -> list[tuple[str, str]]:
    criteria: list[tuple[str, str]] = []
    for path in list_record_files():
        for record in read_record_bytes(path.read_bytes(), location=path.name):
            module = record.study.protocolSection.eligibilityModule if isinstance(record, RegistryRecord) else None
            if module is not None and module.eligibilityCriteria:
                criteria += eligibility.split_criteria(module.eligibilityCriteria)
    return criteria


def test_the_pre_check_never_changes_a_registry_criterion() -> None:
    criteria = [(kind, text) for kind, text in _registry_criteria() if kind != eligibility.WITHDRAWAL]
    assert len(criteria) > 3000
    rejected = 0
    for kind, text in criteria:
        plain = eligibility._unify_symbols(text)
        full = eligibility._read_expression(kind, plain)
        if not eligibility._may_be_read(plain):
            rejected += 1
            assert full is None, text
    assert rejected > 0.8 * len(criteria)  # it settles most criteria without a rule


FRAGMENTS = st.sampled_from(
    [
        " ", ", ", "(", ")", " or ", " and ", "not ", "no ", "Age ", "aged ", "18", "-", "60", " years", " old",
        "1.5", " x ULN", "× ULN", "ALT", "AST/ALT", "PASI", "ECOG 0-1", "GFR", " mL/min/1.73 m²", "HBsAg",
        ", anti-HCV", " positive", " negative", "Pregnant", " breastfeeding", "CKD stage I-III", "proteinuria",
        "Systemic treatment within 4 weeks", "≥", "≤", "\\>=", " greater than ", "at least ", " or older", "10^9/L",
        "g/dL", "µmol/L", "İ", "ſ", "K", "٣", "patients", "history", "women only", "(ALT)", "(alanine)",
    ]
)  # fmt: skip
CRITERIA = st.one_of(
    st.text(max_size=80), st.lists(st.one_of(FRAGMENTS, st.text(max_size=3)), max_size=25).map("".join)
)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(["inclusion", "exclusion"]), CRITERIA)
def test_the_pre_check_only_rejects_what_the_rules_cannot_compute(kind: str, text: str) -> None:
    plain = eligibility._unify_symbols(text)
    if not eligibility._may_be_read(plain):
        assert eligibility._read_expression(kind, plain) is None
