r"""White space read as plain spaces, one character for one, so an offset into the result is one into the text.

Example:
    >>> blank_spaces("2\u00a0mL\tonce")
    '2 mL once'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

__all__ = ["WHITESPACE", "OneForOne", "blank_spaces"]

# Every character str.isspace() accepts, which are those re's \s matches (all at or below U+3000, the ideographic
# space).
WHITESPACE = frozenset(chr(code) for code in range(0x3001) if chr(code).isspace())
_ASCII_WHITESPACE: Final = bytes(sorted(ord(char) for char in WHITESPACE if char.isascii()))
_ASCII_SPACE_TABLE: Final = bytes.maketrans(_ASCII_WHITESPACE, b" " * len(_ASCII_WHITESPACE))


class OneForOne:
    r"""Reads every white space as a plain space, and each of ``replacements`` (non-ASCII characters) as its value.

    An ASCII text has only ASCII white space to replace, which bytes.translate does; another is searched for the
    characters to replace, which are few. Both are many times faster than str.translate.

    Example:
        >>> OneForOne({"\u2212": "-"})("1\u2009\u2212\u20092")
        '1 - 2'
    """

    def __init__(self, replacements: Mapping[str, str] | None = None) -> None:
        extra = dict(replacements or {})
        if not all(len(old) == len(new) == 1 and not old.isascii() for old, new in extra.items()):
            raise ValueError("replacements must be single non-ASCII characters, each read as one character")
        self._reads: dict[str, str] = {**dict.fromkeys(WHITESPACE - {" "}, " "), **extra}
        self._pattern = re.compile("[" + re.escape("".join(sorted(self._reads))) + "]")

    def __call__(self, text: str) -> str:
        """``text`` with each character to replace replaced: the same length, offsets unchanged."""
        if text.isascii():
            return text.encode("ascii").translate(_ASCII_SPACE_TABLE).decode("ascii")
        return self._pattern.sub(self._read, text)

    def _read(self, match: re.Match[str]) -> str:
        return self._reads[match.group()]


blank_spaces = OneForOne()
