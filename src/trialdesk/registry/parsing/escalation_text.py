"""Read a 3+3 (or similar) dose-escalation design from registry free text.

Registries state the design in prose: "A traditional 3+3 dose-escalation design", "If DLTs are observed in one
participant in the cohort, an additional three participants will be treated at the same dose level", "Dose
escalation will be stopped if DLTs are observed in more than 33% of the participants". :func:`parse_escalation`
applies the table :data:`RULES` sentence by sentence — each rule is a pattern, the field it fills, how to read the
value from the match, and words that must occur in the same sentence — and returns the
:class:`~trialdesk.protocol.values.EscalationText` with every phrase it relied on (``notes``, each the exact text
matched) and one span from the first to the last of them.

What each field means:

* ``cohort_size`` — participants per cohort ("three patients per cohort"; the first number of "3+3" when nothing
  more explicit is said);
* ``expansion_size`` — participants added at the same level after one DLT ("an additional three participants",
  "3 more at the same level", "expanded to 6" minus the cohort; the second number of "3+3" by default);
* ``stop_above`` — the DLT fraction above which escalation stops ("more than 33%" → 0.33, "more than 1 of 6" →
  1/6, "2 or more of 6" → 1/6);
* ``dlt_window_days`` — the DLT assessment window ("within 14 days of administration", "28-day DLT period");
* ``cohort_gap_days`` — how long a cohort must go without DLT before the next starts ("no DLTs are observed for
  2 weeks", "only after 2 weeks without DLT");
* ``dose_levels`` — particle or cell amounts in the order written, flattened superscripts read as powers of ten
  (``1×1011particles`` is 1×10^11 particles, ``2×1000,000 cells/Kg`` is 2×10^6 cells/kg); read by the project's
  dose reader ``doses.find_doses`` when it is installed, else by this module's :func:`find_dose_levels`.

The answer is :class:`~trialdesk.protocol.values.NotUnderstood` when the text states no escalation design: no
"3+3"/"dose escalation" and no cohort, expansion, stopping or cohort-gap rule (a DLT window or a dose alone is not a
design). Durations are read in hours, days and weeks only; months are left unread rather than guessed.

Example:
    >>> result = parse_escalation("A 3+3 design; escalation stops when DLTs are seen in more than 33% of participants.")
    >>> result.value.cohort_size, result.value.expansion_size, result.value.stop_above
    (3, 3, 0.33)
"""

from __future__ import annotations

import functools
import importlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal, cast

from trialdesk.protocol.values import DoseAmount, DoseBasis, EscalationText, NotUnderstood, Parsed, Span
from trialdesk.registry.parsing.letters import fold_to_ascii
from trialdesk.registry.parsing.numbers import CARDINAL_WORDS

__all__ = [
    "RULES",
    "DoseFinder",
    "EscalationRule",
    "find_dose_levels",
    "may_state_sizes",
    "parse_escalation",
    "read_dose_levels",
    "read_escalation_rules",
]

Field = Literal[
    "design", "cohort_size", "expansion_size", "expansion_total", "stop_above", "dlt_window_days", "cohort_gap_days"
]

_WORDS: Final = {
    **CARDINAL_WORDS,
    "fourteen": 14,
    "twenty-one": 21,
    "twenty-eight": 28,
    "thirty": 30,
}
_UNIT_DAYS: Final = {"hour": 1 / 24, "hr": 1 / 24, "h": 1 / 24, "day": 1.0, "d": 1.0, "week": 7.0, "wk": 7.0}

# Building blocks (each with exactly the groups named in its comment).
_N: Final = r"(\d{1,3}|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"  # one group: a count
_UNIT: Final = r"(hours?|hrs?|h|days?|d|weeks?|wks?)\b"  # one group: a time unit
_PEOPLE: Final = r"(?:participants?|patients?|subjects?|volunteers?|people)"
_DLT: Final = r"(?:DLTs?|dose[\s-]*limiting[\s-]*toxicit(?:y|ies)(?:\s*\(\s*DLTs?\s*\))?)"
# Closes "(?:\s+PEOPLE": the people word, or no word when "at the same (dose) level" follows soon.
_SAME_LEVEL_AHEAD: Final = r"\b|(?=\s+(?:[\w-]+\s+){0,3}at\s+the\s+same\b))"
_NOT_ADDED: Final = r"(?<!additional\s)(?<!more\s)(?<!further\s)(?<!another\s)"

_DLT_CONTEXT: Final = (re.compile(r"\bDLTs?\b|dose[\s-]*limiting", re.IGNORECASE),)
_EXPANSION_CONTEXT: Final = (
    re.compile(r"same\s+(?:dose|level)|\bexpan|\bDLTs?\b|dose[\s-]*limiting|\btoxicit", re.IGNORECASE),
)
_STOP_CONTEXT: Final = (
    re.compile(
        r"\bstop|\bhalt|terminat|\bceas|suspen|discontinu|escalat|\bMTD\b|maximum\s+tolerated|exceed", re.IGNORECASE
    ),
    re.compile(r"\bDLTs?\b|dose[\s-]*limiting|toxicit", re.IGNORECASE),
)
_COHORT_CONTEXT: Final = (re.compile(r"\bcohorts?\b|dose\s+levels?|\bescalat", re.IGNORECASE),)


def _count(text: str) -> float | None:
    """A count written in digits or words ("3", "three").

    Example:
        >>> _count("Three"), _count("12"), _count("many")
        (3.0, 12.0, None)
    """
    key = text.strip().lower()
    if key.isdigit():
        return float(key)
    value = _WORDS.get(key)
    return None if value is None else float(value)


def _days(number: str, unit: str) -> float | None:
    """A duration in whole days (hours round up to a day); None when it is not a known unit.

    Example:
        >>> _days("2", "weeks"), _days("36", "hours"), _days("fourteen", "days")
        (14.0, 2.0, 14.0)
    """
    count = _count(number)
    factor = _UNIT_DAYS.get(unit.lower().rstrip("s"))
    if count is None or factor is None:
        return None
    return float(math.ceil(count * factor - 1e-9))


def _read_first(match: re.Match[str]) -> float | None:
    return _count(match.group(1))


def _read_second(match: re.Match[str]) -> float | None:
    return _count(match.group(2))


def _read_duration(match: re.Match[str]) -> float | None:
    return _days(match.group(1), match.group(2))


def _read_percent(match: re.Match[str]) -> float | None:
    percent = float(match.group(1))
    return percent / 100 if 0 < percent <= 100 else None


def _read_fraction_above(match: re.Match[str]) -> float | None:
    """``more than k of n`` → k/n."""
    k, n = _count(match.group(1)), _count(match.group(2))
    return k / n if k is not None and n and 0 <= k < n else None


def _read_fraction_at_least(match: re.Match[str]) -> float | None:
    """``k or more of n`` / ``at least k of n`` → (k − 1)/n: above that fraction means at least k."""
    k, n = _count(match.group(1)), _count(match.group(2))
    return (k - 1) / n if k is not None and n and 1 <= k <= n else None


def _read_nothing(_match: re.Match[str]) -> float | None:
    return None


@dataclass(frozen=True)
class EscalationRule:
    """One way a design statement is written: the field it fills and how to read the value from a match.

    Each pattern in ``context`` must also match somewhere in the same sentence. ``rank`` orders competing readings of
    one field: an explicit phrase (2) beats the default implied by "3+3" (1); among equals the first one wins.
    A rule whose ``read`` gives None is evidence only (it shows that a design is stated).
    """

    field: Field
    pattern: re.Pattern[str]
    read: Callable[[re.Match[str]], float | None]
    context: tuple[re.Pattern[str], ...] = ()
    rank: int = 2


def _rule(
    field: Field,
    pattern: str,
    read: Callable[[re.Match[str]], float | None],
    context: tuple[re.Pattern[str], ...] = (),
    rank: int = 2,
) -> EscalationRule:
    return EscalationRule(field, re.compile(pattern, re.IGNORECASE), read, context, rank)


# What "3+3" must be followed by to name a design.
_PLUS_KIND: Final = r"\b(?:\s*[-\s]\s*)(?:dose[\s-]*(?:de-?)?escalation|escalation|design|scheme|rule|method|cohorts?)"
_A_PLUS_B: Final = (
    r"(?:\b(?:traditional|standard|classic(?:al)?|conventional|modified)\s+)?"
    r"\b([1-9])\s*\+\s*([1-9])" + _PLUS_KIND + r"(?:\s+(?:design|scheme|rule|method))?"
)

# The words before the count in "each cohort will consist of N" and "expanded to a total of N".
_EACH_COHORT_HAS: Final = (
    r"\b(?:each|every)\s+(?:cohort|dose\s+level|dose\s+group)\s+(?:will\s+)?(?:consists?|comprises?|includes?|"
    r"enrol(?:l?s)?|contains?|has|have|treats?)\s+(?:of\s+)?"
)
_EXPANDED_TO: Final = r"\bexpand(?:ed)?\s+(?:the\s+cohort\s+)?to\s+(?:a\s+total\s+of\s+)?"
# A stopping rule may name the DLTs shortly before its threshold; a count may name who it counts.
_DLT_LEAD: Final = r"(?:\b" + _DLT + r"[^.;]{0,60}?)?"
_SOME_PEOPLE: Final = r"\b(?:\s+" + _PEOPLE + r")?"
_OUT_OF: Final = r"\s*(?:/|of|out\s+of|in)\s*"

RULES: tuple[EscalationRule, ...] = (
    # The design itself: "3+3" also says the cohort and expansion sizes unless something more explicit does.
    _rule("cohort_size", _A_PLUS_B, _read_first, rank=1),
    _rule("expansion_size", _A_PLUS_B, _read_second, rank=1),
    _rule("design", r"\bdose[\s-]*(?:escalation|escalating)\b", _read_nothing),
    _rule("design", r"\bnext\s+(?:planned\s+|higher\s+)?dose\s+level\b", _read_nothing),
    # Cohort size.
    _rule(
        "cohort_size",
        _NOT_ADDED + r"\b" + _N + r"\s+" + _PEOPLE + r"\s+(?:per|in\s+each|for\s+each|each)\s+(?:cohort|dose\s+level|"
        r"dose\s+group|dose|level|group)\b",
        _read_first,
    ),
    _rule("cohort_size", _NOT_ADDED + r"(?<!second\s)\bcohorts?\s+of\s+" + _N + r"\s+" + _PEOPLE, _read_first),
    _rule("cohort_size", _EACH_COHORT_HAS + _N + _SOME_PEOPLE, _read_first),
    _rule(
        "cohort_size",
        _NOT_ADDED + r"\b" + _N + r"\s+" + _PEOPLE + r"\s+(?:will\s+be\s+|are\s+|is\s+|to\s+be\s+)?(?:enrolled|enroled|"
        r"treated|included|recruited|dosed)\s+(?:in|at|into|per)\s+(?:each|every|the\s+first|a|the)\s+(?:cohort|dose\s+level|"
        r"level)\b",
        _read_first,
    ),
    # Expansion after one DLT.
    _rule(
        "expansion_size",
        r"\b(?:an?\s+)?(?:additional|further|another)\s+" + _N + r"(?:\s+" + _PEOPLE + _SAME_LEVEL_AHEAD,
        _read_first,
        _EXPANSION_CONTEXT,
    ),
    _rule(
        "expansion_size",
        r"\b" + _N + r"\s+(?:more|additional|further)(?:\s+" + _PEOPLE + _SAME_LEVEL_AHEAD,
        _read_first,
        _EXPANSION_CONTEXT,
    ),
    _rule(
        "expansion_size",
        r"\b(?:an?\s+)?(?:additional|further|another|second)\s+cohort\s+of\s+" + _N + _SOME_PEOPLE,
        _read_first,
        _EXPANSION_CONTEXT,
    ),
    _rule("expansion_total", _EXPANDED_TO + _N + _SOME_PEOPLE, _read_first, _EXPANSION_CONTEXT),
    # Stopping rule.
    _rule(
        "stop_above",
        _DLT_LEAD + r"(?:(?:more|greater)\s+than|exceed(?:s|ing)?|over|above|\\?>(?!=))\s*"
        r"(\d{1,3}(?:\.\d+)?)\s*%(?:\s+of\s+(?:the\s+)?" + _PEOPLE + r")?",
        _read_percent,
        _STOP_CONTEXT,
    ),
    _rule(
        "stop_above",
        rf"{_DLT_LEAD}(?:(?:more|greater)\s+than|\\?>(?!=))\s*{_N}{_OUT_OF}{_N}{_SOME_PEOPLE}",
        _read_fraction_above,
        _STOP_CONTEXT,
    ),
    _rule(
        "stop_above",
        rf"{_DLT_LEAD}(?:at\s+least|≥|\\?>=)\s*{_N}{_OUT_OF}{_N}{_SOME_PEOPLE}",
        _read_fraction_at_least,
        _STOP_CONTEXT,
    ),
    _rule(
        "stop_above",
        rf"{_DLT_LEAD}\b{_N}\s+or\s+more\s+(?:{_PEOPLE}\s+)?(?:of|out\s+of|in)\s+(?:the\s+)?{_N}{_SOME_PEOPLE}",
        _read_fraction_at_least,
        _STOP_CONTEXT,
    ),
    # DLT window.
    _rule(
        "dlt_window_days",
        r"\bwithin\s+(?:the\s+first\s+)?" + _N + r"\s*[-\s]?" + _UNIT + r"\s+(?:of|after|following|from)\s+(?:the\s+)?"
        r"(?:first\s+|last\s+|each\s+|initial\s+|study\s+)?(?:drug\s+|product\s+)?(?:administration|dosing|doses?|"
        r"injections?|infusions?|treatment|transplantation|transfusion)\b",
        _read_duration,
        _DLT_CONTEXT,
    ),
    _rule(
        "dlt_window_days",
        r"\b"
        + _DLT
        + r"\s+(?:observation\s+|assessment\s+|evaluation\s+|monitoring\s+)?(?:period|window)\s+(?:is\s+|of\s+|"
        r"will\s+be\s+|lasts?\s+|=\s*|:\s*)?(?:defined\s+as\s+)?(?:the\s+first\s+)?" + _N + r"\s*[-\s]?" + _UNIT,
        _read_duration,
    ),
    _rule(
        "dlt_window_days",
        r"\b" + _N + r"\s*[-\s]?" + _UNIT + r"\s+" + _DLT + r"\s+(?:observation\s+|assessment\s+|evaluation\s+|"
        r"monitoring\s+)?(?:period|window)\b",
        _read_duration,
    ),
    # Gap before the next cohort.
    _rule(
        "cohort_gap_days",
        r"\bno\s+"
        + _DLT
        + r"\s+(?:(?:are|is|were|was|have\s+been|has\s+been|will\s+be|being)\s+)?(?:observed|seen|reported|"
        r"detected|occurred|occurs?|noted)\s+(?:for|within|during|over|in)\s+(?:the\s+first\s+|a\s+period\s+of\s+)?"
        + _N
        + r"\s*[-\s]?"
        + _UNIT,
        _read_duration,
    ),
    _rule(
        "cohort_gap_days",
        r"\bafter\s+(?:at\s+least\s+)?" + _N + r"\s*[-\s]?" + _UNIT + r"\s+without\s+(?:any\s+)?" + _DLT,
        _read_duration,
    ),
    _rule(
        "cohort_gap_days",
        r"\b(?:at\s+least\s+)?" + _N + r"\s*[-\s]?" + _UNIT + r"\s+(?:(?:interval|gap|wait(?:ing)?(?:\s+period)?)\s+)?"
        r"(?:between|apart)\s+(?:consecutive\s+|successive\s+|each\s+|two\s+)?(?:cohorts|dose\s+levels|dose\s+groups)\b",
        _read_duration,
        _COHORT_CONTEXT,
    ),
)

# Fields whose presence means a design is stated (a DLT window or a dose alone does not).
_DESIGN_FIELDS: Final[frozenset[Field]] = frozenset(
    {"design", "cohort_size", "expansion_size", "expansion_total", "stop_above", "cohort_gap_days"}
)

# A sentence: a run without terminators, where ". ; ! ?" only end a sentence before whitespace or the end.
_SENTENCE: Final = re.compile(r"(?:[^.;!?\n]|[.;!?](?!\s|$))+")

_MANTISSA: Final = r"(?<![\d.,])(\d{1,4}(?:\.\d{1,4})?)\s*"
_TIMES: Final = r"(?:[×xX*]|\\\*)\s*"
_SUPERSCRIPTS: Final = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_DOSE: Final = re.compile(
    _MANTISSA
    + r"(?:"
    + _TIMES
    + r"10\s*(?:\\?\^|\*\*)\s*(\d{1,2})"  # 1×10^11, 1×10\^11, 1x10**11
    + r"|"
    + _TIMES
    + r"10([¹²³⁴⁵⁶⁷⁸⁹][⁰¹²³⁴⁵⁶⁷⁸⁹]?)"  # 1×10¹¹
    + r"|"
    + _TIMES
    + r"(10{2,}(?:,0{3})*)(?![\d,])"  # 2×1000,000 (a flattened power of ten written out)
    + r"|"
    + _TIMES
    + r"10([1-9]\d?)(?![\d,])"  # 1×1011 (superscript flattened: 10^11)
    + r"|"
    + r"[eE]\+?(\d{1,2})"  # 1e11
    + r")\s*(particles?|cells?)\b(?:\s*(?:/|per\s+)\s*(kg|m2|m²)\b)?",
    re.IGNORECASE,
)
_APPROXIMATE: Final = re.compile(r"(?:approximately|approx\.?|about|around|~|≈)\s*$", re.IGNORECASE)
_BASES: Final[dict[str, DoseBasis]] = {"kg": "per-kg", "m2": "per-m2", "m²": "per-m2"}


def find_dose_levels(text: str) -> list[Parsed[DoseAmount]]:
    """Every particle or cell amount in ``text``, in order, each with its span; repeated amounts once.

    Example:
        >>> [d.value.describe() for d in find_dose_levels("low-dose1×1011particles; high-dose 3×10^11 particles")]
        ['1e+11 particles', '3e+11 particles']
        >>> find_dose_levels("about 2×1000,000 cells/Kg")[0].value.describe()
        'about 2e+06 cells/kg'
    """
    found: list[Parsed[DoseAmount]] = []
    seen: set[DoseAmount] = set()
    for match in _DOSE.finditer(text):
        caret, superscript, written, flattened, e_notation, unit, basis = match.groups()[1:]
        if caret or flattened or e_notation:
            exponent = int(caret or flattened or e_notation)
        elif superscript:
            exponent = int(superscript.translate(_SUPERSCRIPTS))
        else:
            exponent = len(written.replace(",", "")) - 1
        amount = float(match.group(1)) * 10.0**exponent
        unit_name = "particles" if unit.lower().startswith("particle") else "cells"
        dose = DoseAmount(
            amount,
            unit_name,
            _BASES[basis.lower()] if basis else "flat",
            approximate=bool(_APPROXIMATE.search(text, max(0, match.start() - 20), match.start())),
        )
        if dose not in seen:
            seen.add(dose)
            found.append(Parsed(dose, Span.of(text, match.start(), match.end())))
    return found


DoseFinder = Callable[[str], list[Parsed[DoseAmount]]]


@functools.cache
def _find_shared_finder() -> DoseFinder | None:
    """``trialdesk.registry.parsing.doses.find_doses`` when that module is there, else None (it is optional)."""
    try:
        module = importlib.import_module("trialdesk.registry.parsing.doses")
    except ImportError:
        return None
    finder = getattr(module, "find_doses", None)
    return cast(DoseFinder, finder) if callable(finder) else None


def read_dose_levels(text: str, finder: DoseFinder | None = None) -> list[Parsed[DoseAmount]]:
    """The dose levels in ``text``: particle and cell amounts in order, each amount once, with their spans.

    The project's dose reader (``doses.find_doses``, or ``finder`` when given) is asked first; when it is missing,
    fails on the text, gives a span that is not the text's own, or finds no particle/cell amount,
    :func:`find_dose_levels` reads them instead.

    Example:
        >>> [d.value.describe() for d in read_dose_levels("Cohort 1: 1×1011particles; cohort 2: 2×1011particles")]
        ['1e+11 particles', '2e+11 particles']
    """
    finder = finder or _find_shared_finder()
    if finder is not None:
        try:
            shared = [d for d in finder(text) if d.value.unit in ("particles", "cells")]
        except Exception:  # the shared reader is optional: never let it break this parser
            shared = []
        if shared and all(d.span.text == text[d.span.start : d.span.end] for d in shared):
            levels: dict[DoseAmount, Parsed[DoseAmount]] = {}
            for dose in sorted(shared, key=lambda d: d.span.start):
                levels.setdefault(dose.value, dose)
            return list(levels.values())
    return find_dose_levels(text)


@dataclass(frozen=True)
class _Evidence:
    field: Field
    value: float | None
    rank: int
    span: Span


# For each of RULES, lower-case words one of which every match of its pattern contains (as literal text of the
# pattern; "≥" is the one non-ASCII literal): a rule whose words a sentence folded by fold_to_ascii lacks matches
# nowhere in that sentence, so only the others are tried there.
_RULE_WORDS: Final[tuple[tuple[str, ...], ...]] = (
    ("+",),
    ("+",),
    ("dose",),
    ("next",),
    ("per", "each"),
    ("cohort",),
    ("each", "every"),
    ("enrolled", "enroled", "treated", "included", "recruited", "dosed"),
    ("additional", "further", "another"),
    ("more", "additional", "further"),
    ("cohort",),
    ("expand",),
    ("%",),
    ("more", "greater", ">"),
    ("least", ">=", "≥"),
    ("more",),
    ("within",),
    ("period", "window"),
    ("period", "window"),
    ("observed", "seen", "reported", "detected", "occur", "noted"),
    ("without",),
    ("between", "apart"),
)


_WORDED_RULES: Final[tuple[tuple[EscalationRule, frozenset[str]], ...]] = tuple(
    (rule, frozenset(words)) for rule, words in zip(RULES, _RULE_WORDS, strict=True)
)
_ALL_WORDS: Final[tuple[str, ...]] = tuple(sorted({word for words in _RULE_WORDS for word in words}))


def _rules_for(sentence: str) -> list[EscalationRule]:
    """The rules, in RULES order, whose words occur in ``sentence`` (the others cannot match there)."""
    folded = fold_to_ascii(sentence)
    present = {word for word in _ALL_WORDS if word in folded}
    return [rule for rule, words in _WORDED_RULES if not present.isdisjoint(words)]


def _collect_evidence(text: str) -> list[_Evidence]:
    """Every rule match in ``text``, sentence by sentence, with the value it reads."""
    evidence: list[_Evidence] = []
    for sentence in _SENTENCE.finditer(text):
        start, end = sentence.span()
        rules = _rules_for(sentence.group(0))
        # rules share context patterns and patterns: search each once per sentence
        context: dict[re.Pattern[str], bool] = {}
        matches: dict[re.Pattern[str], list[re.Match[str]]] = {}
        for rule in rules:
            if not all(
                context[words] if words in context else context.setdefault(words, bool(words.search(text, start, end)))
                for words in rule.context
            ):
                continue
            if rule.pattern not in matches:
                matches[rule.pattern] = list(rule.pattern.finditer(text, start, end))
            for match in matches[rule.pattern]:
                span = Span.of(text, match.start(), match.end())
                evidence.append(_Evidence(rule.field, rule.read(match), rule.rank, span))
    return evidence


# A decimal digit other than 0-9 (Arabic-Indic, full-width …): ``\d`` matches it and ``float`` reads it.
_OTHER_DIGIT: Final = re.compile(r"(?![0-9])\d")


def _count_of(value: int) -> str:
    r"""A pattern for the counts that read ``value`` in a text whose only digits are 0-9.

    ``_N`` reads ``\d{1,3}`` as an integer, so the digits with leading zeros up to three places, or a word of
    ``_WORDS`` worth ``value``.

    Example:
        >>> _count_of(3)
        '(?:0{0,2}3|three)'
    """
    digits = str(value)
    words = [re.escape(word) for word, worth in _WORDS.items() if worth == value]
    return "(?:" + "|".join([f"0{{0,{max(0, 3 - len(digits))}}}{digits}", *words]) + ")"


@functools.cache
def _size_hints(cohort: int, expansion: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    r"""Patterns one of which every rule match reading the cohort size, resp. the expansion, must contain.

    Cohort ``c`` (rules in RULES order): "c+b design" of "3+3 design"; "c PEOPLE" of "c patients per cohort",
    "cohorts of c patients" and "c patients enrolled in each cohort"; "each cohort will consist of c". Expansion
    ``e``: "a+e design" of "3+3 design"; "additional e", "e more", "cohort of e"; or "expanded to t" with t = c + e
    (the expansion a total gives when the cohort is c). Each hint is the rule's own text around its count with the
    count replaced by ``c``, ``e`` or ``t`` (see :func:`_count_of`), less any lookaround; a trailing ``\b`` holds in
    the whole text when it holds in a sentence, as the character after a sentence is never a word character.
    """
    c, e, t = _count_of(cohort), _count_of(expansion), _count_of(cohort + expansion)
    cohort_hints = (rf"\b{c}\s*\+\s*[1-9]{_PLUS_KIND}", rf"\b{c}\s+{_PEOPLE}", rf"{_EACH_COHORT_HAS}{c}\b")
    expansion_hints = (
        rf"\b[1-9]\s*\+\s*{e}{_PLUS_KIND}",
        rf"(?:additional|further|another)\s+{e}\b",
        rf"\b{e}\s+(?:more|additional|further)",
        rf"\bcohort\s+of\s+{e}\b",
        rf"{_EXPANDED_TO}{t}\b",
    )
    return (
        re.compile("|".join(cohort_hints), re.IGNORECASE),
        re.compile("|".join(expansion_hints), re.IGNORECASE),
    )


def may_state_sizes(text: str, cohort: int, expansion: int) -> bool:
    """False only when :func:`parse_escalation` cannot read this cohort size and expansion size from ``text``.

    A cheap test before the full parse: the cohort size read is one of the cohort-size readings, and the expansion
    one of the expansion readings or a total less the cohort, so both need a rule match reading that number, and
    every such match contains one of :func:`_size_hints`. The hints spell counts in 0-9 only, so a text with other
    decimal digits is always let through.

    Example:
        >>> may_state_sizes("A 3+3 design.", 3, 3), may_state_sizes("30 patients per cohort, a 3+4 design", 3, 3)
        (True, False)
        >>> may_state_sizes('Based on the "3+3" model', 3, 3)
        False
    """
    if not text.isascii() and _OTHER_DIGIT.search(text):
        return True
    cohort_hint, expansion_hint = _size_hints(cohort, expansion)
    return cohort_hint.search(text) is not None and expansion_hint.search(text) is not None


def _choose(evidence: list[_Evidence], field: Field, min_rank: int = 0) -> float | None:
    """The reading of ``field`` with the highest rank (at least ``min_rank``), the first in the text among equals."""
    candidates = [e for e in evidence if e.field == field and e.value is not None and e.rank >= min_rank]
    if not candidates:
        return None
    best = min(candidates, key=lambda e: (-e.rank, e.span.start))
    return best.value


def _as_int(value: float | None) -> int | None:
    return None if value is None else round(value)


def _read_rules(evidence: list[_Evidence]) -> EscalationText | None:
    """The rules the evidence states (dose levels and notes left empty), None when it states no design."""
    if not any(e.field in _DESIGN_FIELDS for e in evidence):
        return None
    cohort = _as_int(_choose(evidence, "cohort_size"))
    # An explicit expansion, else "expanded to N" less the cohort, else the default implied by "3+3".
    expansion = _as_int(_choose(evidence, "expansion_size", min_rank=2))
    total = _as_int(_choose(evidence, "expansion_total"))
    if expansion is None and total is not None and cohort is not None and total > cohort:
        expansion = total - cohort
    if expansion is None:
        expansion = _as_int(_choose(evidence, "expansion_size"))
    return EscalationText(
        cohort_size=cohort,
        expansion_size=expansion,
        stop_above=_choose(evidence, "stop_above"),
        dlt_window_days=_as_int(_choose(evidence, "dlt_window_days")),
        cohort_gap_days=_as_int(_choose(evidence, "cohort_gap_days")),
    )


def read_escalation_rules(text: str) -> EscalationText | None:
    """The rules :func:`parse_escalation` reads from ``text``, without its dose levels, notes and span.

    Cohort and expansion sizes, stopping fraction, DLT window and cohort gap are the same as parse_escalation's
    (dose levels do not take part in them; ``dose_levels`` and ``notes`` are left empty); None where
    parse_escalation gives NotUnderstood. For callers that need a rule only: reading doses is the dear part.

    Example:
        >>> read_escalation_rules("A 3+3 design with 1×1011particles.")
        EscalationText(dose_levels=(), cohort_size=3, expansion_size=3, stop_above=None, dlt_window_days=None, \
cohort_gap_days=None, notes=())
        >>> read_escalation_rules("Randomized, placebo-controlled.") is None
        True
    """
    return _read_rules(_collect_evidence(text))


def parse_escalation(text: str) -> Parsed[EscalationText] | NotUnderstood:
    """The escalation design stated in ``text``, or NotUnderstood when none is stated.

    The span runs from the first to the last phrase relied on; ``notes`` holds each of those phrases in order
    (a phrase written twice is noted once).

    Example:
        >>> r = parse_escalation("If no DLTs are observed for 2 weeks, a new cohort will be enrolled.")
        >>> r.value.cohort_gap_days, r.value.notes
        (14, ('no DLTs are observed for 2 weeks',))
        >>> parse_escalation("Randomized, placebo-controlled.").reason
        'no escalation design stated (3+3, dose escalation, cohort, expansion, stopping or cohort-gap rule)'
    """
    evidence = _collect_evidence(text)
    rules = _read_rules(evidence)
    if rules is None:
        return NotUnderstood(
            text, "no escalation design stated (3+3, dose escalation, cohort, expansion, stopping or cohort-gap rule)"
        )
    doses = read_dose_levels(text)
    spans = sorted({e.span for e in evidence} | {d.span for d in doses}, key=lambda s: (s.start, s.end))
    value = EscalationText(
        dose_levels=tuple(d.value for d in doses),
        cohort_size=rules.cohort_size,
        expansion_size=rules.expansion_size,
        stop_above=rules.stop_above,
        dlt_window_days=rules.dlt_window_days,
        cohort_gap_days=rules.cohort_gap_days,
        notes=tuple(dict.fromkeys(s.text for s in spans)),
    )
    return Parsed(value, Span.of(text, spans[0].start, max(s.end for s in spans)))
