"""Dose amounts in registry free text: ``1×10^6 cells/kg``, ``2 mL``, ``5 mg/kg``, ``low-dose1×1011particles``.

Every dose found carries the exact span of the *original* text it was read from. Before matching, the text is
cleaned through a character map (so spans still point into the original):

* registry escapes are dropped: ``10\\^6`` reads as ``10^6``, ``\\>=`` as ``>=``;
* unicode superscripts become a power: ``10⁶`` reads as ``10^6``, ``m²`` as ``m^2``;
* every kind of white space reads as a plain space and ``−`` (minus sign) as ``-``.

Amounts are written as a number (``100``, ``1,000,000``, ``0.5``), in powers of ten (``1×10^6``, ``1 x 10^8``,
``1*10^6``, ``1.0×10E6``, ``1e6``, ``10^6``), as a product (``2×1000,000`` = 2×10^6) or with a word
(``10 million``). ``about``/``approximately``/``~`` before the amount set ``approximate``.

Rules chosen for the two ambiguous shapes:

* **Flattened superscripts.** Registry exports lose superscript formatting, so ``1×10¹¹particles`` arrives as
  ``1×1011particles``. After a multiplication sign, a factor written as ``10`` directly followed by one or two
  exponent digits (no space, comma or point inside; exponent 3–15, the range where cell and particle counts live)
  is read as 10^exponent when it is glued to its unit word (``1011particles``) or when its unit is a count
  (cells, particles, or an implied count, so ``1×106 cells/kg`` is 10^6). Anything else is a literal product:
  ``2×1000,000`` is 2×1,000,000 and ``1×106 mg`` is 106 mg.
* **Implied units.** An amount written in powers of ten followed directly by ``/kg`` or ``/m2`` with no unit word
  (``each time 1×10\\^6/kg``) counts something the text names elsewhere. Its unit is the count noun nearest to it
  in the text: ``cells`` for cell/cells/MSC(s), ``particles`` for particle(s)/exosome(s)/vesicle(s)/(s)EV(s). With
  no count noun anywhere the unit is recorded as ``units``, a placeholder the reviewer must confirm. A plain
  number with no unit word (``5/kg``) is not a dose.

Units are normalised to ``cells``, ``particles``, ``mL``, ``mg``, ``ug``, ``IU`` (plus the ``units`` placeholder)
and the basis to ``per-kg``, ``per-m2`` or ``flat``. An amount followed by ``/`` and some other word (``60 ml/min``,
``5 mg/dL``) is a rate or a concentration, and one after a comparison (``> 200 mL``, ``blood loss exceeding 200ml``)
is a limit: neither is a dose. An amount of zero or below (``0 mg``, ``-5 mg``) is nonsense and is skipped.

Example:
    >>> [d.value.describe() for d in find_doses("low-dose1×1011particles; 2 ml per lumbar puncture")]
    ['1e+11 particles', '2 mL']
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Final, NamedTuple, TypeVar

from trialdesk.protocol.values import DoseAmount, DoseBasis, NotUnderstood, Parsed, Span
from trialdesk.registry.parsing.whitespace import OneForOne

__all__ = ["find_doses", "iter_doses", "parse_dose"]

_FLAGS: Final = re.IGNORECASE | re.ASCII
_Name = TypeVar("_Name", bound=str)

_SUPERSCRIPTS: Final = {
    "⁰": "0",
    "¹": "1",
    "²": "2",
    "³": "3",
    "⁴": "4",
    "⁵": "5",
    "⁶": "6",
    "⁷": "7",
    "⁸": "8",
    "⁹": "9",
    "⁻": "-",
    "⁺": "+",
}
_REPLACEMENTS: Final = {"−": "-"}
_SUPERSCRIPT_SET: Final = frozenset(_SUPERSCRIPTS)
_ESCAPE_OR_SUPERSCRIPT: Final = re.compile("[" + re.escape("\\" + "".join(_SUPERSCRIPTS)) + "]")
_ONE_FOR_ONE: Final = OneForOne(_REPLACEMENTS)  # white space reads as a space, "−" as "-"

_NUMBER: Final = r"[0-9]{1,12}(?:,[0-9]{3})*(?:\.[0-9]+)?"
_TIMES: Final = r"\s*[×x*·✕⨯]\s*"
_POWER: Final = r"[-+]?[0-9]{1,2}(?![0-9])"

# (normalised unit, pattern); a count unit may carry a few adjectives ("viable cells", "hUC-MSCs").
_UNITS: Final[tuple[tuple[str, str], ...]] = (
    ("cells", r"(?:(?:viable|stem|nucleated|mesenchymal|stromal)\s+){0,3}cells?|(?:[a-z]+-)?mscs?"),
    ("particles", r"particles?"),
    ("mL", r"ml|millilit(?:er|re)s?"),
    ("mg", r"mg|milligrams?"),
    ("ug", r"ug|µg|μg|mcg|micrograms?"),
    ("IU", r"iu|international\s+units?"),
)
_BASES: Final[tuple[tuple[DoseBasis, str], ...]] = (
    ("per-kg", r"kg|kilograms?"),
    ("per-m2", r"m\^?2|square\s+met(?:er|re)s?"),
)
_UNIT_WORDS: Final = "|".join(pattern for _, pattern in _UNITS)
_BASIS_WORDS: Final = "|".join(pattern for _, pattern in _BASES)
_COUNT_UNITS: Final = frozenset({"cells", "particles", "units"})
_IMPLIED_UNIT: Final = "units"

# Count nouns that name what an amount with no unit word counts (in order of preference on a tie).
_COUNT_NOUNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("cells", re.compile(r"\bcells?\b|\b(?:[a-z]+-)?mscs?\b", _FLAGS)),
    ("particles", re.compile(r"\bparticles?\b|\bexosomes?\b|\bvesicles?\b|\bs?evs?\b", _FLAGS)),
)

_UNIT_PATTERNS: Final = tuple((name, re.compile(pattern, _FLAGS)) for name, pattern in _UNITS)
_BASIS_PATTERNS: Final = tuple((name, re.compile(pattern, _FLAGS)) for name, pattern in _BASES)

_MULTIPLIERS: Final = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_FLATTENED: Final = re.compile(r"10([1-9][0-9]?)")
_FLATTENED_EXPONENTS: Final = range(3, 16)

_DOSE: Final = re.compile(
    rf"""
    (?P<approx>\b(?:approximately|approx\.?|about|around|circa|nearly)\s*|[~≈]\s*)?
    (?P<sign>(?<![\w.)\]])-(?=[0-9]))?
    (?<![0-9.,^])
    (?:
        10\s*\^\s*(?P<bare>{_POWER})                                                  # 10^6
      | (?P<mantissa>{_NUMBER})
        (?:
            {_TIMES}10\s*(?:\^|e)\s*(?P<power>{_POWER})                                # 1×10^6, 1.0×10E6
          | {_TIMES}(?P<factor>(?=10[1-9]|[0-9]{{4}}|[0-9]{{1,3}},[0-9]{{3}}){_NUMBER})  # 2×1000,000, 1×1011
          | e(?P<epower>{_POWER})                                                      # 1e6
          | \s*(?P<word>thousand|million|billion)\b                                   # 10 million
        )?
    )
    (?:(?P<gap>\s*)(?P<unit>{_UNIT_WORDS})(?![a-z]))?
    (?:\s*(?:/|\bper\s+)\s*(?P<basis>{_BASIS_WORDS})(?![a-z0-9]))?
    """,
    re.VERBOSE | _FLAGS,
)
# Every _DOSE match contains a digit, and before its first digit holds at most an "about" word or "~" (group
# "approx"), then spaces, then a minus sign.
_DIGIT: Final = re.compile(r"[0-9]")
_APPROX_WORDS: Final = ("approximately", "approx.", "approx", "about", "around", "circa", "nearly", "~", "≈")
_LONGEST_APPROX: Final = max(map(len, _APPROX_WORDS))
_ASCII_SPACES: Final = " \t\n\r\f\v"  # what \s matches under re.ASCII
# A digit, then a unit word or the basis of an implied unit, as _DOSE reads them (a superset: no \b before "per").
_UNIT_AFTER_DIGIT: Final = re.compile(
    rf"[0-9]\s*(?:(?:{_UNIT_WORDS})(?![a-z])|(?:/|per\s+)\s*(?:{_BASIS_WORDS})(?![a-z0-9]))", _FLAGS
)
_RATE_AFTER: Final = re.compile(r"\s*/\s*[a-z]", _FLAGS)
_THRESHOLD_BEFORE: Final = re.compile(
    r"(?:[<>≤≥]=?|\b(?:more|less|greater|fewer)\s+than|\bexceed(?:s|ing)?|\babove|\bbelow)\s*$", _FLAGS
)
_THRESHOLD_REACH: Final = 30

# Groups that write an amount in powers of ten, and how each scales the mantissa.
_SCALES: Final[tuple[tuple[str, Callable[[str], float]], ...]] = (
    ("power", lambda power: 10.0 ** int(power)),
    ("epower", lambda power: 10.0 ** int(power)),
    ("word", lambda word: _MULTIPLIERS[word.lower()]),
)
_SCIENTIFIC_GROUPS: Final = ("power", "epower", "word", "factor", "bare")


class _Cleaned(NamedTuple):
    """Cleaned text and, for each of its characters, the index of the original character it was read from.

    ``origins`` is None when every character was read as one character: the map is the identity.
    """

    text: str
    origins: tuple[int, ...] | None = None

    def span(self, source: str, start: int, end: int) -> Span:
        """The span of ``source`` that the cleaned characters ``[start, end)`` came from."""
        if self.origins is None:
            return Span.of(source, start, end)
        return Span.of(source, self.origins[start], self.origins[end - 1] + 1)


def find_doses(text: str) -> list[Parsed[DoseAmount]]:
    """Every dose amount in ``text``, in order, each with its span in ``text``.

    Example:
        >>> [(d.value.describe(), d.span.text) for d in find_doses("approximately 2×1000,000 cells/Kg, or 5 mg/kg")]
        [('about 2e+06 cells/kg', 'approximately 2×1000,000 cells/Kg'), ('5 mg/kg', '5 mg/kg')]
    """
    return list(iter_doses(text))


def iter_doses(text: str) -> Iterator[Parsed[DoseAmount]]:
    """The doses of :func:`find_doses`, one at a time: a reader that needs only the first stops reading there.

    Example:
        >>> next(iter_doses("Phase 1: 2 mL, then 5 mg")).span.text
        '2 mL'
    """
    if _DIGIT.search(text) is None and not _has_superscript(text):
        return  # every dose holds a digit, and cleaning makes digits only of superscripts
    cleaned = _clean_text(text)
    if not _may_hold_dose(cleaned.text):
        return
    for match in _dose_matches(cleaned.text):
        dose = _read_match(text, cleaned, match)
        if dose is not None:
            yield dose


def _may_hold_dose(text: str) -> bool:
    """Whether the cleaned ``text`` can hold a dose: most texts hold numbers but none with a unit.

    In every dose the unit word, or the basis of an implied unit, comes right after (spaces between) the amount,
    whose last character is a digit or which ends with a number word: finding neither, no match of _DOSE has a unit.

    Example:
        >>> _may_hold_dose("Phase 2, 40 participants, 12 months"), _may_hold_dose("2 million cells/kg")
        (False, True)
    """
    if _UNIT_AFTER_DIGIT.search(text) is not None:
        return True
    lowered = text.lower()  # a number word is ASCII letters, which lower() maps one for one
    return any(word in lowered for word in _MULTIPLIERS)


def _dose_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches ``_DOSE.finditer(text)`` gives, with the pattern tried only from just before each digit.

    A match holds a digit, and what precedes its first digit is short (an "about" word, spaces, a minus sign), so
    no match starts before ``_match_floor`` of the first digit after the last match: searching from there finds the
    same next match as scanning every position.
    """
    end = 0
    while (digit := _DIGIT.search(text, end)) is not None:
        match = _DOSE.search(text, _match_floor(text, digit.start(), end))
        if match is None:
            return
        yield match
        end = match.end()


def _match_floor(text: str, digit: int, floor: int) -> int:
    """The earliest position (not before ``floor``) where a match whose first digit is at ``digit`` can start.

    A match starts at the digit or at a minus sign right before it, unless an "about" word (then spaces) comes
    before them; it is matched case-insensitively in ASCII letters only, which lower() maps one for one, so it is
    there only if the lower-cased characters before the spaces end with it, and then it starts no earlier than the
    longest word's length before them.
    """
    start = digit - 1 if digit > floor and text[digit - 1] == "-" else digit
    before = start
    while before > floor and text[before - 1] in _ASCII_SPACES:
        before -= 1
    if text[max(0, before - _LONGEST_APPROX) : before].lower().endswith(_APPROX_WORDS):
        return max(floor, before - _LONGEST_APPROX)
    return start


def parse_dose(text: str) -> Parsed[DoseAmount] | NotUnderstood:
    """The first dose amount in ``text``, or why there is none.

    Example:
        >>> parse_dose("each time 1×10\\\\^6/kg of UC-MSCs").value
        DoseAmount(amount=1000000.0, unit='cells', basis='per-kg', approximate=False)
        >>> parse_dose("Umbilical cord mesenchymal stem cells injected through peripheral veins").reason
        'no dose amount with a unit found'
    """
    doses = find_doses(text)
    return doses[0] if doses else NotUnderstood(text, "no dose amount with a unit found")


def _clean_text(text: str) -> _Cleaned:
    """Drop registry escapes, spell superscripts as powers and unify spaces, keeping a map to the original."""
    one_for_one = _ONE_FOR_ONE(text)  # white space and minus signs: one character for one
    if "\\" not in text and not _has_superscript(text):
        return _Cleaned(one_for_one)  # every character reads as one character: the map is the identity
    # Only a backslash or a superscript reads as other than one character. _clean_char decides the same on
    # ``one_for_one`` as on ``text``: the characters it looks at are kept, or a space (white space) or "-" (minus
    # sign) where they were, which are alike alphanumeric or not, white space or not.
    chars: list[str] = []
    origins: list[int] = []
    done = 0
    for special in _ESCAPE_OR_SUPERSCRIPT.finditer(one_for_one):
        index = special.start()
        read = _clean_char(one_for_one, index)
        chars += (one_for_one[done:index], read)
        origins += [*range(done, index), *[index] * len(read)]
        done = index + 1
    chars.append(one_for_one[done:])
    origins += range(done, len(text))
    return _Cleaned("".join(chars), tuple(origins))


def _has_superscript(text: str) -> bool:
    """Whether ``text`` has a superscript character (none is ASCII, and str.isascii() takes no time)."""
    return not text.isascii() and not _SUPERSCRIPT_SET.isdisjoint(text)


def _clean_char(text: str, index: int) -> str:
    """What ``text[index]`` reads as: nothing for an escaping backslash, ``^6`` for a leading ``⁶``, and so on."""
    char = text[index]
    if char == "\\" and index + 1 < len(text) and not (text[index + 1].isalnum() or text[index + 1].isspace()):
        return ""
    if char in _SUPERSCRIPTS:
        after_superscript = index > 0 and text[index - 1] in _SUPERSCRIPTS
        return ("" if after_superscript else "^") + _SUPERSCRIPTS[char]
    if char.isspace():
        return " "
    return _REPLACEMENTS.get(char, char)


def _read_match(source: str, cleaned: _Cleaned, match: re.Match[str]) -> Parsed[DoseAmount] | None:
    """The dose a regex match stands for, or None when it is a rate, has no unit, or is zero or negative."""
    if not _has_unit(match):  # most numbers in a text have no unit: the cheapest test goes first
        return None
    if match["sign"] or _is_rate(cleaned.text, match) or _is_threshold(cleaned.text, match.start()):
        return None
    span = cleaned.span(source, match.start(), match.end())
    unit = _read_unit(match, source, span)
    if unit is None:
        return None
    amount = _read_amount(match, unit)
    if not (math.isfinite(amount) and amount > 0):
        return None
    return Parsed(DoseAmount(amount, unit, _read_basis(match), match["approx"] is not None), span)


def _is_rate(text: str, match: re.Match[str]) -> bool:
    """Whether the amount is followed by ``/`` and a word that is no dose basis (``60 ml/min``, ``5 mg/dL``)."""
    return match["basis"] is None and _RATE_AFTER.match(text, match.end()) is not None


def _is_threshold(text: str, start: int) -> bool:
    """Whether the amount follows a comparison (``> 200 mL``, ``blood loss exceeding 200ml``): a limit, not a dose."""
    return _THRESHOLD_BEFORE.search(text, max(0, start - _THRESHOLD_REACH), start) is not None


def _has_unit(match: re.Match[str]) -> bool:
    """Whether the amount has a unit word, or is written in powers of ten with a basis (its unit is implied)."""
    if match["unit"] is not None:
        return True
    return match["basis"] is not None and any(match[group] is not None for group in _SCIENTIFIC_GROUPS)


def _read_unit(match: re.Match[str], source: str, span: Span) -> str | None:
    """The normalised unit word, the implied count unit, or None when the amount has neither."""
    if match["unit"] is not None:
        return _normalise(match["unit"], _UNIT_PATTERNS)
    if _has_unit(match):
        return _imply_unit(source, span)
    return None


def _normalise(written: str, table: tuple[tuple[_Name, re.Pattern[str]], ...]) -> _Name | None:
    """The name of the first table pattern that matches all of ``written``."""
    return next((name for name, pattern in table if pattern.fullmatch(written)), None)


def _read_basis(match: re.Match[str]) -> DoseBasis:
    """per-kg, per-m2, or flat when no basis follows the unit."""
    return "flat" if match["basis"] is None else _normalise(match["basis"], _BASIS_PATTERNS) or "flat"


def _imply_unit(source: str, span: Span) -> str:
    """The unit of a count with no unit word: the count noun nearest to ``span``, else the ``units`` placeholder.

    Example:
        >>> text = "6 UC-MSCs infusions (each time 1×10^6/kg)"
        >>> _imply_unit(text, Span.of(text, 31, 40))
        'cells'
    """
    distances = [
        (_distance(span, noun.start(), noun.end()), rank, unit)
        for rank, (unit, pattern) in enumerate(_COUNT_NOUNS)
        for noun in pattern.finditer(source)
    ]
    return min(distances)[2] if distances else _IMPLIED_UNIT


def _distance(span: Span, start: int, end: int) -> int:
    """Characters between ``span`` and ``[start, end)``; 0 when they touch or overlap."""
    return max(0, start - span.end, span.start - end)


def _read_amount(match: re.Match[str], unit: str) -> float:
    """The amount a match writes, in units of ``unit``."""
    if match["bare"] is not None:
        return 10.0 ** int(match["bare"])
    mantissa = float(match["mantissa"].replace(",", ""))
    if match["factor"] is not None:
        return mantissa * _read_factor(match["factor"], glued=match["gap"] == "", counted=unit in _COUNT_UNITS)
    scale = next((scaled(match[group]) for group, scaled in _SCALES if match[group] is not None), 1.0)
    return mantissa * scale


def _read_factor(factor: str, *, glued: bool, counted: bool) -> float:
    """A factor after ``×``: a flattened power of ten (``1011`` glued to its unit is 10^11) or a plain number.

    Example:
        >>> _read_factor("1011", glued=True, counted=False), _read_factor("1000,000", glued=False, counted=True)
        (100000000000.0, 1000000.0)
        >>> _read_factor("106", glued=False, counted=False)
        106.0
    """
    flattened = _FLATTENED.fullmatch(factor)
    if flattened and int(flattened[1]) in _FLATTENED_EXPONENTS and (glued or counted):
        return 10.0 ** int(flattened[1])
    return float(factor.replace(",", ""))
