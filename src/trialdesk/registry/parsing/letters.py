"""The non-ASCII letters that case-insensitive regular expressions take for ASCII ones.

Under ``re.IGNORECASE`` the pattern letters ``i``, ``s`` and ``k`` also match ``İ`` (dotted capital I), ``ı``
(dotless i), ``ſ`` (long s) and ``K`` (Kelvin sign); no other non-ASCII character matches an ASCII letter. A keyword
pre-check on lower-cased text must allow for them: ``lower()`` keeps ``ı`` and ``ſ`` and turns ``İ`` into two
characters. :func:`fold_to_ascii` spells them in ASCII first.

Example:
    >>> fold_to_ascii("Eſcalation İNCLUDED at ≥ 3")
    'escalation included at ≥ 3'
"""

from __future__ import annotations

from typing import Final

__all__ = ["ASCII_LOOKALIKES", "LOWER_KEEPS", "fold_to_ascii"]

ASCII_LOOKALIKES = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
# the two of them that lower() leaves as they are: a text with one is not a lower-cased ASCII match of its pattern
LOWER_KEEPS = ("\u0131", "\u017f")
_TABLE: Final = str.maketrans(ASCII_LOOKALIKES)


def fold_to_ascii(text: str) -> str:
    """``text`` lower-cased, the letters IGNORECASE equates with ASCII ones spelled in ASCII (one for one)."""
    return text.lower() if text.isascii() else text.translate(_TABLE).lower()
