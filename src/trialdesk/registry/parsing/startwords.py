"""Search a table of regular expressions only where their matches can start, with the same results as a search.

The parsers' patterns are IGNORECASE alternations of words ("\\bALT\\b|\\balanine\\s+…"); searching one tries every
branch at every character. Each pattern of a table is given its *start words*: lower-case words one of which every
one of its matches starts with. In the text lower-cased by :func:`lower_for_starts` (which keeps every index) the
pattern can match only where one of them occurs, so :class:`StartWords` finds those places (one scan for the whole
table) and :func:`first_match` tries the pattern only there.

Why lower-casing finds them: under IGNORECASE a text character matches an ASCII letter or digit of a start word
when it is that character in either case or one of four others (checked over all of Unicode): the Kelvin sign, which
lower-cases to "k"; dotless i and long s, which lower-case to themselves (a text with them is not lower-cased: it
is searched); and dotted capital I, which lower-cases to two characters (the lengths then differ: searched).
Lower-casing one character to one never changes whether it is a word character, so word starts stay in place.
Start words are lower-case ASCII letters and digits, or uncased signs ("%") that match only themselves.

A start word that the pattern leads with ``\\b`` (and that begins with a letter or digit) occurs at a word start; one
scan of the text finds, at each word start, the longest start word there, and every other start word there is a
prefix of it. A start word listed as ``inside`` (its branch has no ``\\b``: "psoriasis" also starts a match inside
"nonpsoriasis") is found anywhere.

Trying a pattern at those places, leftmost first, finds the match a search finds: a search returns the match at the
leftmost position where the pattern matches, that position is one of the places, and matching there gives the same
match.

Example:
    >>> import re
    >>> starts = StartWords([("rate", "ratio"), ("%",)], inside=("%",))
    >>> starts.positions("rates: 5% (ratio)")
    {0: [0, 11], 1: [8]}
    >>> first_match(re.compile(r"\\bratios?\\b", re.IGNORECASE), [0, 11], "Rates: 5% (Ratio)")
    <re.Match object; span=(11, 16), match='Ratio'>
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from trialdesk.registry.parsing.letters import LOWER_KEEPS

__all__ = ["StartWords", "first_match", "lower_for_starts"]

_WORD_BYTES: Final = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")
# Every byte that ``[^a-z0-9_]`` matches becomes a space; the others stay (see StartWords._scan_ascii).
_NON_WORD_TO_SPACE: Final = bytes(byte if byte in _WORD_BYTES else 0x20 for byte in range(256))


def lower_for_starts(text: str) -> str | None:
    """``text`` lower-cased, index for index, when start words can be looked for in it; else None (search it).

    Example:
        >>> lower_for_starts("ALT, AST"), lower_for_starts("K\\u0130"), lower_for_starts("\\u017fafety")
        ('alt, ast', None, None)
    """
    if text.isascii():
        return text.lower()
    if any(odd in text for odd in LOWER_KEEPS):
        return None
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else None


class StartWords:
    """Where each pattern of a table (given by its start words, in table order) may match a lowered text."""

    def __init__(self, table: Sequence[Sequence[str]], inside: Sequence[str] = ()) -> None:
        at_word = {word for words in table for word in words if word not in inside}
        if not all(word[:1].isalnum() for word in at_word):
            raise ValueError("a start word found at word starts must begin with a letter or a digit")
        # A word start follows a non-word character (or the start of the text, where a space is put): one of these
        # (non-ASCII letters too, which only adds places to try). Leading with a character set lets the scan skip
        # the letters between.
        self._scan = re.compile(f"[^a-z0-9_]({_longest_word_pattern(at_word)})")
        # The same scan for an ASCII text as bytes, after every byte _scan's leading class matches has become a
        # space (_NON_WORD_TO_SPACE): the start words are made of bytes kept as they are, so a byte matches where the
        # character did, and the leading space is found by a literal search, much quicker than testing a class at
        # every character. None when a start word has another character (it would no longer be found).
        self._scan_ascii = (
            re.compile(f" ({_longest_word_pattern(at_word)})".encode())
            if all(set(word.encode("utf-8")) <= _WORD_BYTES for word in at_word)
            else None
        )
        # a word the scan finds → the patterns that one of its prefixes (itself included) starts
        # (each word also as bytes, as the bytes scan finds it: an ASCII word's bytes are its characters)
        self._at_word: dict[str | bytes, tuple[int, ...]] = {}
        for found in at_word:
            orders = tuple(order for order, words in enumerate(table) if any(found.startswith(w) for w in words))
            self._at_word[found] = self._at_word[found.encode()] = orders
        self._inside = tuple(
            (word, tuple(order for order, words in enumerate(table) if word in words)) for word in inside
        )

    def positions(self, lowered: str) -> dict[int, list[int]]:
        """Each pattern (by table order) that may match ``lowered``, with the positions where it may start, in order.

        A pattern not in the result cannot match.
        """
        found: dict[int, list[int]] = {}
        at_word = self._at_word
        matches = (
            self._scan.finditer(f" {lowered}")
            if self._scan_ascii is None or not lowered.isascii()
            else self._scan_ascii.finditer(f" {lowered}".encode().translate(_NON_WORD_TO_SPACE))
        )
        for match in matches:
            at = match.start()  # of the character before the word in " " + ``lowered``: of the word in ``lowered``
            for order in at_word[match.group(1)]:
                if (places := found.get(order)) is None:
                    found[order] = [at]
                else:
                    places.append(at)
        unsorted = False
        for word, orders in self._inside:
            at = lowered.find(word)
            while at >= 0:
                unsorted = True
                for order in orders:
                    found.setdefault(order, []).append(at)
                at = lowered.find(word, at + 1)
        if unsorted:  # places found inside words come after those at word starts
            for places in found.values():
                places.sort()
        return found


def first_match(pattern: re.Pattern[str], starts: Sequence[int], text: str) -> re.Match[str] | None:
    """The match of ``pattern`` at the first of the positions ``starts`` of ``text`` where it matches, else None."""
    for at in starts:
        found = pattern.match(text, at)
        if found:
            return found
    return None


def _longest_word_pattern(words: Iterable[str]) -> str:
    """A pattern matching the longest of ``words`` where it is matched: an alternation by first letter (fewer tries
    per position than one flat alternation), the longer words first in each (an alternation keeps the first that
    matches)."""
    by_first: dict[str, list[str]] = {}
    for word in sorted(words, key=lambda word: (-len(word), word)):
        by_first.setdefault(word[0], []).append(re.escape(word[1:]))
    branches = (f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(by_first.items()))
    return f"(?:{'|'.join(branches)})"
