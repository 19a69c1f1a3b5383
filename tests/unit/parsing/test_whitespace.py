"""White space read as plain spaces, one character for one."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.registry.parsing.whitespace import WHITESPACE, OneForOne, blank_spaces


def test_whitespace_is_every_character_str_isspace_and_re_accept() -> None:
    everything = [chr(code) for code in range(sys.maxunicode + 1)]
    assert {char for char in everything if char.isspace()} == WHITESPACE
    assert {char for char in everything if re.fullmatch(r"\s", char)} == WHITESPACE


@given(st.text() | st.lists(st.sampled_from([*WHITESPACE, "a", "−", "é", "1"])).map("".join))
def test_each_white_space_and_replacement_reads_as_one_character(text: str) -> None:
    assert blank_spaces(text) == "".join(" " if char.isspace() else char for char in text)
    minus = OneForOne({"−": "-"})
    assert minus(text) == "".join(" " if char.isspace() else "-" if char == "−" else char for char in text)


@pytest.mark.parametrize("replacements", [{"a": "b"}, {"−": "--"}, {"ab": "c"}])
def test_a_replacement_must_be_one_non_ascii_character_for_one(replacements: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="single non-ASCII"):
        OneForOne(replacements)
