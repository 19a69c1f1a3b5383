"""The words a set of regular expressions can spell, for a cheap test that a text cannot be read by them at all.

A rule-based parser that accepts a text only when its rules account for every word (the eligibility classifier
does) can reject most texts without running a rule: a word that no rule can produce and that is not filler can
only be left over. :func:`read_pattern_pieces` derives, from the patterns themselves, the *pieces* every word of
a match is made of, and :func:`can_spell` tells whether a word can be made of pieces. Deriving them from the
patterns (rather than keeping a word list by hand) keeps the test sound when a pattern changes.

How the pieces are found: each pattern is parsed (``re._parser``, the parser ``re.compile`` uses) and, for each
part, the finite set of strings it matches is expanded while it stays small (``pregnan(?:t|cy)`` gives
``pregnant`` and ``pregnancy``); a part that matches too many strings gives the pieces of its sub-parts instead.
Letters are lower-cased, every digit is written ``0`` and every other character is a separator. Every word of a
match is then a concatenation of pieces, because a word of the matched text is a run of letters and digits that
consecutive parts produced, and each part's contribution to it is one of that part's pieces (or a run of digits,
made of ``0`` pieces). A pattern with a part that can match any letter (``.``, ``\\w``, ``[^x]``, a class of more
than a few letters) has no finite set of pieces: :func:`read_pattern_pieces` refuses it with a ValueError rather
than give an unsound answer.

Example:
    >>> pieces = read_pattern_pieces([r"\\bpregnan(?:t|cy)\\b", r"\\d+\\s*years?"])
    >>> sorted(pieces.words)
    ['0', '0year', '0years', 'pregnancy', 'pregnant', 'year', 'years']
    >>> can_spell("pregnancy", pieces), can_spell("00years", pieces), can_spell("diabetes", pieces)
    (True, True, False)
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

_parser: Any = importlib.import_module("re._parser")  # the parser behind re.compile (no public API gives the tree)
_constants: Any = importlib.import_module("re._constants")

_SEPARATOR: Final = " "
_DIGIT: Final = "0"
_MOST_STRINGS: Final = 512  # a part matching more strings than this gives its sub-parts' pieces instead
_MOST_CLASS_LETTERS: Final = 4  # a class of more letters than this ("[a-z]") could spell any word


_Trie = dict[str, "_Trie"]
_END: Final = ""  # the key that marks the end of a piece in a trie node


@dataclass(frozen=True, eq=False)
class Pieces:
    """The pieces words are made of, as a set and as a trie (a dict per character; ``""`` marks a piece's end)."""

    words: frozenset[str]
    trie: _Trie

    @classmethod
    def of(cls, words: Iterable[str]) -> Pieces:
        """Pieces from words (lower case, digits written ``0``)."""
        chosen = frozenset(words)
        trie: _Trie = {}
        for word in chosen:
            node = trie
            for char in word:
                node = node.setdefault(char, {})
            node[_END] = {}
        return cls(chosen, trie)

    def __or__(self, words: Iterable[str]) -> Pieces:
        return Pieces.of(self.words.union(words))


class _UnboundedError(ValueError):
    """A part of a pattern can match any letter: its words cannot be listed."""


def _char(code: int) -> str:
    char = chr(code).lower()
    if char.isdigit():
        return _DIGIT
    return char if char.isalpha() else _SEPARATOR


def _class_chars(items: list[tuple[Any, Any]]) -> frozenset[str]:
    chars: set[str] = set()
    for op, value in items:
        if op is _constants.LITERAL:
            chars.add(_char(value))
        elif op is _constants.RANGE:
            low, high = value
            if high - low > 256:
                raise _UnboundedError(f"character range {chr(low)!r}-{chr(high)!r}")
            chars.update(_char(code) for code in range(low, high + 1))
        elif op is _constants.CATEGORY and value is _constants.CATEGORY_SPACE:
            chars.add(_SEPARATOR)
        elif op is _constants.CATEGORY and value is _constants.CATEGORY_DIGIT:
            chars.add(_DIGIT)
        else:  # NEGATE, \w, \W, \S, \D: any letter
            raise _UnboundedError(f"character class item {op} {value}")
    letters = [char for char in chars if char.isalpha()]
    if len(letters) > _MOST_CLASS_LETTERS:
        raise _UnboundedError(f"character class of {len(letters)} letters")
    return frozenset(chars)


def _add_runs(strings: Iterable[str], pieces: set[str]) -> None:
    pieces.update(run for string in strings for run in string.split(_SEPARATOR) if run)


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > _MOST_STRINGS:
        return None
    return frozenset(a + b for a, b in itertools.product(left, right))


def _read_sequence(items: Iterable[tuple[Any, Any]], pieces: set[str]) -> frozenset[str] | None:
    """The strings a sequence of parts matches, or None when too many (their pieces then go to ``pieces``)."""
    whole: frozenset[str] | None = frozenset({""})
    run: frozenset[str] = frozenset({""})  # the strings of the parts since the last flush
    for op, value in items:
        strings = _read_part(op, value, pieces)
        joined = _product(run, strings) if strings is not None else None
        if joined is None:
            _add_runs(run, pieces)
            whole = None
            run = strings if strings is not None else frozenset({""})
        else:
            run = joined
    if whole is None:
        _add_runs(run, pieces)
        return None
    return run


def _read_part(op: Any, value: Any, pieces: set[str]) -> frozenset[str] | None:
    """The strings one part matches (None: too many, with its pieces added to ``pieces``)."""
    if op is _constants.LITERAL:
        return frozenset({_char(value)})
    if op is _constants.IN:
        return _class_chars(value)
    if op in (_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT):
        return frozenset({""})  # consumes nothing
    if op is _constants.SUBPATTERN:
        return _read_sequence(value[3], pieces)
    if op is _constants.ATOMIC_GROUP:
        return _read_sequence(value, pieces)
    if op is _constants.BRANCH:
        own: set[str] = set()
        branches = [_read_sequence(branch, own) for branch in value[1]]
        if all(b is not None for b in branches) and sum(len(b or ()) for b in branches) <= _MOST_STRINGS:
            return frozenset().union(*(b or () for b in branches))
        for branch in branches:
            _add_runs(branch or (), own)
        pieces.update(own)
        return None
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
        return _read_repeat(value, pieces)
    raise _UnboundedError(f"pattern part {op}")


def _read_repeat(value: tuple[int, int, Any], pieces: set[str]) -> frozenset[str] | None:
    low, high, body = value
    own: set[str] = set()
    strings = _read_sequence(body, own)
    if strings is not None and all(set(s) <= {_SEPARATOR, _DIGIT} for s in strings):
        # separators and digits only: one repetition has the same runs (digit runs are made of "0" pieces)
        return strings | {""} if low == 0 else strings
    if strings is not None and high != _constants.MAXREPEAT:  # ints compare by value (compiled, they are unboxed)
        result: frozenset[str] | None = frozenset({""})
        expanded: set[str] = set()
        for count in range(high + 1):
            if count >= low and result is not None:
                expanded.update(result)
            result = _product(result, strings) if result is not None and count < high else result
        if result is not None and len(expanded) <= _MOST_STRINGS:
            return frozenset(expanded)
    _add_runs(strings or (), own)
    pieces.update(own)
    return None


def read_pattern_pieces(patterns: Iterable[str], flags: int = 0) -> Pieces:
    """The pieces every word of every match of ``patterns`` is made of (lower case; digits written ``0``).

    Raises ValueError for a pattern with a part that can match any letter.

    Example:
        >>> sorted(read_pattern_pieces([r"hbs\\s*ag|anti-?hcv"]).words)
        ['0', 'ag', 'anti', 'antihcv', 'hbs', 'hbsag', 'hcv']
    """
    pieces: set[str] = {_DIGIT}
    for pattern in patterns:
        try:
            strings = _read_sequence(_parser.parse(pattern, flags), pieces)
        except _UnboundedError as error:
            raise ValueError(f"cannot list the words of {pattern[:60]!r}: {error}") from None
        _add_runs(strings or (), pieces)
    return Pieces.of(pieces)


def can_spell(word: str, pieces: Pieces) -> bool:
    """Whether ``word`` (lower case, digits written ``0``) is a concatenation of ``pieces``.

    Example:
        >>> can_spell("hbsag", Pieces.of({"hbs", "ag"})), can_spell("hbsa", Pieces.of({"hbs", "ag"}))
        (True, False)
    """
    if word in pieces.words:
        return True
    size = len(word)
    ends = {0}  # the lengths of the prefixes of ``word`` that pieces make up
    furthest = 0
    for start in range(size):
        if start > furthest:
            return False  # no piece reaches past here
        if start not in ends:
            continue
        node = pieces.trie
        for index in range(start, size):
            following = node.get(word[index])
            if following is None:
                break
            node = following
            if _END in node:
                ends.add(index + 1)
                furthest = max(furthest, index + 1)
    return size in ends
