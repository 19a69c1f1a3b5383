"""The letters IGNORECASE takes for ASCII ones: the list the keyword pre-checks rely on is complete."""

from __future__ import annotations

import re
import sys

from trialdesk.registry.parsing.letters import ASCII_LOOKALIKES, LOWER_KEEPS, fold_to_ascii


def test_the_lookalikes_are_every_non_ascii_character_ignorecase_matches_to_an_ascii_letter() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    found = {chr(code) for code in range(0x80, sys.maxunicode + 1) if letter.match(chr(code))}
    assert found == set(ASCII_LOOKALIKES)
    for char, ascii_letter in ASCII_LOOKALIKES.items():
        assert re.fullmatch(ascii_letter, char, re.IGNORECASE)


def test_lower_keeps_exactly_the_lookalikes_lower_leaves_as_they_are() -> None:
    assert set(LOWER_KEEPS) == {char for char in ASCII_LOOKALIKES if char.lower() == char}


def test_fold_to_ascii_keeps_one_character_for_one() -> None:
    assert fold_to_ascii("ſıx İNR K") == "six inr k"
    assert fold_to_ascii("Pregnant ≥ 18") == "pregnant ≥ 18"
