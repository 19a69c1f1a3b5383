"""Administration schedules in registry free text: how many doses, and on which days.

:func:`parse_schedule` reads the first phrase that states a schedule and returns an
:class:`~trialdesk.protocol.values.AdministrationSchedule` whose ``offsets_days`` count days from the first dose
(day 0), with the phrase as its span. Conventions, repeated in every ``description``: **1 week = 7 days and
1 month = 28 days** (so "once a month, for a total of three months" is days 0, 28, 56).

Phrases are tried in this order (the first kind that matches anywhere in the text wins):

1. a day list — "days 1, 8 and 15" (days 0, 7, 14), "weeks 0, 1, 2" (days 0, 7, 14);
2. a gap between a number of doses — "the interval between the two infusions was 14 days" (days 0, 14);
3. one or more phases joined by "then", each an interval with a count or a duration — "every 2 weeks for
   3 doses", "weekly for 4 weeks", "twice, 14 days apart", "three infusions at monthly intervals", "once a week for
   successive 4 weeks, then the last two times ... once every two weeks" (days 0, 7, 14, 21, 35, 49). A phase
   given a duration holds the doses that start inside it: weekly for 4 weeks is days 0, 7, 14, 21. Each phase
   starts one of its own intervals after the last dose of the phase before;
4. a count within a window — "6 times ... within 8 weeks" (6 doses, ``within_days`` 56, no offsets); "repeated
   ... infusion ... within one month" reads as one repeat, so 2 doses within 28 days;
5. a single dose — "a single dose", "single peripheral venous infusion" (day 0); "the single infusion dose" is a
   dose amount, not a schedule;
6. a bare count — "a total of 2 ... infusions", "6 infusions", "twice" (count only, no offsets). "3 times a
   week" or "twice daily" is a frequency, not a count: with no duration it is not understood.

Numbers may be digits or words (one … twelve, a/an, single, twice, thrice). A schedule of more than
100 doses, a zero interval or a zero count is not understood rather than guessed.

Example:
    >>> result = parse_schedule("administered once a month, for a total of three months")
    >>> result.value.count, result.value.offsets_days, result.span.text
    (3, (0, 28, 56), 'once a month, for a total of three months')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Final

from trialdesk.protocol.values import AdministrationSchedule, NotUnderstood, Parsed, Span
from trialdesk.registry.parsing.numbers import CARDINAL_WORDS
from trialdesk.registry.parsing.whitespace import blank_spaces

__all__ = ["parse_schedule"]

_FLAGS: Final = re.IGNORECASE | re.ASCII
_MAX_DOSES: Final = 100
_CONVENTION: Final = "days from the first dose (day 0); 1 week = 7 days, 1 month = 28 days"

_NUMBER_WORDS: Final = {
    "a": 1,
    "an": 1,
    "single": 1,
    **CARDINAL_WORDS,
    "twice": 2,
    "thrice": 3,
    "repeated": 2,
}
_UNIT_DAYS: Final = {"day": 1, "week": 7, "fortnight": 14, "month": 28}
_ADVERB_DAYS: Final = {"daily": 1, "weekly": 7, "fortnightly": 14, "monthly": 28}

# Building blocks (no named groups: they are used more than once inside larger patterns).
_N: Final = r"(?:[0-9]{1,3}(?![0-9])|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_N_A: Final = rf"(?:{_N}|an?)"
_UNIT: Final = r"(?:day|week|month|fortnight)s?\b"
_NOUNS: Final = r"(?:times|doses|infusions|injections|administrations|treatments|cycles)\b"
_PER: Final = r"(?!\s+(?:a|per|each|every|daily|weekly|monthly)\b)"  # "3 times a week" is a frequency, not a count
_COUNT: Final = rf"(?:\b{_N}\s+{_NOUNS}{_PER}|\b(?:twice|thrice)\b{_PER})"
_INTERVAL: Final = (
    "(?:"
    + "|".join(
        (
            rf"\b(?:once\s+)?every\s+{_N}\s+{_UNIT}",  # every 2 weeks, once every two weeks
            r"\b(?:once\s+a|(?:once\s+)?(?:per|each|every))\s+(?:day|week|month|fortnight)\b",  # once a month, per week
            r"\bevery\s+other\s+(?:day|week|month)\b",  # every other week
            r"\bat\s+(?:daily|weekly|fortnightly|monthly)\s+intervals\b",  # at monthly intervals
            rf"\bat\s+intervals\s+of\s+{_N_A}\s+{_UNIT}",  # at intervals of 2 weeks
            rf"\b{_N}[\s-]+{_UNIT}\s+apart\b",  # 14 days apart
            r"\b(?:once\s+)?(?:daily|weekly|fortnightly|monthly)\b",  # weekly, once monthly
        )
    )
    + ")"
)
_DURATION: Final = (
    rf"\bfor\s+(?:(?:a\s+total\s+of|successive|consecutive)\s+)?{_N_A}\s+(?:(?:successive|consecutive)\s+)?{_UNIT}"
)
_PHASE: Final = (
    rf"(?:{_INTERVAL}\s*,?\s*(?:{_DURATION}|for\s+(?:a\s+total\s+of\s+)?{_COUNT}|{_COUNT})"
    rf"|{_COUNT}(?:[\s,]+[\w-]+){{0,4}}?[\s,]+{_INTERVAL})"
)
_THEN: Final = r"\s*[,;]?\s*(?:and\s+)?then\s+(?:the\s+(?:last|next|remaining|following|final)\s+)?"
_FILLER_WORDS: Final = r"(?:[\w()-]+\s+)"

_DIGITS: Final = re.compile(r"[0-9]+")
_PHASE_RE: Final = re.compile(_PHASE, _FLAGS)
_INTERVAL_RE: Final = re.compile(_INTERVAL, _FLAGS)
_DURATION_RE: Final = re.compile(_DURATION, _FLAGS)
_AMOUNT_RE: Final = re.compile(
    rf"\b(?P<n>{_N_A})[\s-]+(?:(?:successive|consecutive)\s+)?(?P<unit>day|week|month|fortnight)", _FLAGS
)
_COUNT_RE: Final = re.compile(rf"\b(?P<n>{_N})\s+{_NOUNS}|\b(?P<word>twice|thrice|repeated)\b", _FLAGS)

# How an interval phrase reads as days: the first reader that finds its pattern answers.
_INTERVAL_READERS: Final[tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], int | None]], ...]] = (
    (re.compile(r"\bother\s+(?P<unit>day|week|month)", _FLAGS), lambda m: 2 * _UNIT_DAYS[m["unit"].lower()]),
    (_AMOUNT_RE, lambda m: _days(m["n"], m["unit"])),
    (
        re.compile(r"\b(?P<adverb>daily|weekly|fortnightly|monthly)\b", _FLAGS),
        lambda m: _ADVERB_DAYS[m["adverb"].lower()],
    ),
    (re.compile(r"\b(?P<unit>day|week|month|fortnight)\b", _FLAGS), lambda m: _UNIT_DAYS[m["unit"].lower()]),
)


def parse_schedule(text: str) -> Parsed[AdministrationSchedule] | NotUnderstood:
    """The administration schedule ``text`` states, with the phrase it came from, or why there is none.

    Example:
        >>> parse_schedule("The interval between the two infusions was 14 days.").value.offsets_days
        (0, 14)
        >>> repeated = parse_schedule("Repeated peripheral venous infusion of stem cells within one month").value
        >>> repeated.count, repeated.offsets_days, repeated.within_days
        (2, (), 28)
        >>> parse_schedule("Umbilical cord mesenchymal stem cells injected through peripheral veins").reason
        'no administration schedule found (no day list, interval with a count, count within a window, or count)'
    """
    spaced = blank_spaces(text)  # one for one: offsets stay valid
    lowered = spaced.lower()
    for (pattern, build), groups, anchors in zip(_SCHEDULES, _SCHEDULE_WORDS, _SCHEDULE_ANCHORS, strict=True):
        if not _mentions_all(lowered, groups):
            continue
        for match in _matches(pattern, anchors, spaced, lowered) if anchors else pattern.finditer(spaced):
            schedule = build(match)
            if schedule is not None:
                return Parsed(schedule, Span.of(text, match.start(), match.end()))
    return NotUnderstood(
        text, "no administration schedule found (no day list, interval with a count, count within a window, or count)"
    )


def _mentions_all(lowered: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``lowered`` contains a word of each group (plain loops: this runs for every pattern and text)."""
    for words in groups:
        for word in words:
            if word in lowered:
                break
        else:
            return False
    return True


def _matches(pattern: re.Pattern[str], anchors: tuple[str, ...], spaced: str, lowered: str) -> Iterator[re.Match[str]]:
    """The matches ``pattern.finditer(spaced)`` gives, in order, for ``anchors``: lower-case words every match starts
    with.

    An ASCII text (which lower() maps one for one) is tried only where ``lowered`` has an anchor: str.find goes
    through a text many times faster than re, and the first anchor at or after the last match where the pattern
    matches is where finditer finds the next match.
    """
    if not spaced.isascii():
        yield from pattern.finditer(spaced)
        return
    end = 0
    for start in sorted(_positions(lowered, anchors)):
        if start >= end and (match := pattern.match(spaced, start)) is not None:
            yield match
            end = match.end()


def _positions(text: str, words: tuple[str, ...]) -> Iterator[int]:
    """Every position in ``text`` where one of ``words`` starts."""
    for word in words:
        position = text.find(word)
        while position >= 0:
            yield position
            position = text.find(word, position + 1)


def _number(word: str) -> int | None:
    """A count or amount written in digits or words: ``"3"``, ``"three"``, ``"a"``, ``"twice"``."""
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word.lower())


def _days(amount: str, unit: str) -> int | None:
    """``amount`` ``unit``s in days (1 week = 7 days, 1 month = 28 days)."""
    number = _number(amount)
    return None if number is None else number * _UNIT_DAYS[unit.lower()]


def _sane_count(count: int | None) -> int | None:
    """``count`` when it is 1…100, else None."""
    return count if count is not None and 0 < count <= _MAX_DOSES else None


def _sane_days(days: int | None) -> int | None:
    """``days`` when it is at least one day, else None."""
    return days if days is not None and days > 0 else None


def _interval_days(phrase: str) -> int | None:
    """The interval an interval phrase states, in days: "once a month" → 28, "14 days apart" → 14."""
    interval = _INTERVAL_RE.search(phrase)
    if interval is None:
        return None
    readings = ((reader.search(interval.group()), read) for reader, read in _INTERVAL_READERS)
    return next((read(found) for found, read in readings if found is not None), None)


def _count(phrase: str) -> int | None:
    """The number of doses a phrase states: "3 doses" → 3, "twice" → 2, "repeated" → 2."""
    found = _COUNT_RE.search(phrase)
    return None if found is None else _number(found["n"] or found["word"])


def _count_over(phrase: str, interval: int) -> int | None:
    """Doses starting inside the duration a phrase states: weekly for 4 weeks → 4 (days 0, 7, 14, 21)."""
    duration = _DURATION_RE.search(phrase)
    amount = None if duration is None else _AMOUNT_RE.search(duration.group())
    days = None if amount is None else _days(amount["n"], amount["unit"])
    return None if days is None else -(-days // interval)


def _read_phase(phrase: str) -> tuple[int, int] | None:
    """(interval in days, number of doses) of one phase, or None when either is missing or absurd."""
    interval = _sane_days(_interval_days(phrase))
    if interval is None:
        return None
    count = _sane_count(_count(phrase) or _count_over(phrase, interval))
    return None if count is None else (interval, count)


def _chain_offsets(phases: list[tuple[int, int]]) -> tuple[int, ...]:
    """Day offsets of phases run one after the other, each starting one interval after the last dose before it.

    Example:
        >>> _chain_offsets([(7, 4), (14, 2)])
        (0, 7, 14, 21, 35, 49)
    """
    offsets: list[int] = []
    for interval, count in phases:
        first = offsets[-1] + interval if offsets else 0
        offsets.extend(first + k * interval for k in range(count))
    return tuple(offsets)


def _describe_phases(phases: list[tuple[int, int]]) -> str:
    """``4 doses every 7 days, then 2 doses every 14 days``."""
    return ", then ".join(f"{count} dose{'s' * (count > 1)} every {interval} days" for interval, count in phases)


def _from_phases(match: re.Match[str]) -> AdministrationSchedule | None:
    """A schedule of one or more phases joined by "then"."""
    phases = [_read_phase(phase.group()) for phase in _PHASE_RE.finditer(match.group())]
    known = [phase for phase in phases if phase is not None]
    if not known or len(known) < len(phases) or sum(count for _, count in known) > _MAX_DOSES:
        return None
    offsets = _chain_offsets(known)
    return AdministrationSchedule(len(offsets), offsets, None, f"{_describe_phases(known)}; {_CONVENTION}")


def _from_day_list(match: re.Match[str]) -> AdministrationSchedule | None:
    """Doses on listed days or weeks: "days 1, 8 and 15" → (0, 7, 14)."""
    if match["list"].isdigit():
        return None  # a single day ("day 1") is no list
    numbers = [int(n) for n in _DIGITS.findall(match["list"])]
    step = _UNIT_DAYS[match["unit"].lower()]
    if len(numbers) < 2 or len(numbers) > _MAX_DOSES or any(b <= a for a, b in pairwise(numbers)):
        return None
    offsets = tuple((n - numbers[0]) * step for n in numbers)
    return AdministrationSchedule(len(offsets), offsets, None, f"doses on {match.group()}; {_CONVENTION}")


def _from_gap(match: re.Match[str]) -> AdministrationSchedule | None:
    """Doses a stated gap apart: "the interval between the two infusions was 14 days" → (0, 14)."""
    count, gap = _sane_count(_number(match["count"])), _sane_days(_days(match["gap"], match["unit"]))
    if count is None or gap is None or count < 2:
        return None
    offsets = tuple(k * gap for k in range(count))
    return AdministrationSchedule(count, offsets, None, f"{count} doses every {gap} days; {_CONVENTION}")


def _from_window(match: re.Match[str]) -> AdministrationSchedule | None:
    """A count within a window, timing not stated: "6 times ... within 8 weeks" → 6 doses within 56 days."""
    count, within = _sane_count(_count(match["count"])), _sane_days(_days(match["n"], match["unit"]))
    if count is None or within is None:
        return None
    note = " ('repeated' read as 2 doses)" if match["count"].lower().startswith("repeated") else ""
    return AdministrationSchedule(
        count, (), within, f"{count} doses within {within} days, timing not stated{note}; {_CONVENTION}"
    )


def _from_single(match: re.Match[str]) -> AdministrationSchedule | None:
    """A single dose on day 0."""
    return _counted(1)


def _from_count(match: re.Match[str]) -> AdministrationSchedule | None:
    """A bare count with no timing: "6 infusions", "twice"."""
    return _counted(_count(match.group()))


def _from_total(match: re.Match[str]) -> AdministrationSchedule | None:
    """A total with no timing: "a total of 2 peripheral intravenous ... infusions"."""
    return _counted(_number(match["count"]))


def _counted(count: int | None) -> AdministrationSchedule | None:
    """``count`` doses, timing not stated (a count of 1 is a single dose on day 0)."""
    count = _sane_count(count)
    if count is None:
        return None
    if count == 1:
        return AdministrationSchedule(1, (0,), None, f"a single dose (day 0); {_CONVENTION}")
    return AdministrationSchedule(count, (), None, f"{count} doses, timing not stated; {_CONVENTION}")


_DOSE_NOUN: Final = r"(?:dose|infusion|injection|administration|transplantation)"
_DAY_LIST: Final = re.compile(
    r"\b(?P<unit>day|week)s?\s+"
    r"(?P<list>[0-9]{1,3}(?:\s*,\s*[0-9]{1,3})*(?:\s*,?\s*(?:and|&)\s*[0-9]{1,3})?)(?![0-9])",
    _FLAGS,
)
_GAP: Final = re.compile(
    rf"\b(?:the\s+)?interval\s+between\s+(?:the\s+)?(?P<count>{_N})\s+{_FILLER_WORDS}{{0,3}}?{_NOUNS}"
    rf"\s+(?:was|is|will\s+be|of|=)\s+(?:about\s+|approximately\s+)?(?P<gap>{_N_A})\s+(?P<unit>day|week|month)s?\b",
    _FLAGS,
)
_PHASES: Final = re.compile(rf"{_PHASE}(?:{_THEN}{_PHASE})*", _FLAGS)
_WINDOW: Final = re.compile(
    rf"(?P<count>{_COUNT}|\brepeated\s+{_FILLER_WORDS}{{0,4}}?{_DOSE_NOUN}s?\b)"
    rf"(?:[^.]|\.(?=[0-9])){{0,120}}?\bwithin\s+(?P<n>{_N_A})\s+(?P<unit>day|week|month)s?\b",
    _FLAGS,
)
_SINGLE: Final = re.compile(
    rf"\b(?:an?\s+)?(?:single|one-time|one\s+time|only\s+one)\s+(?:(?!{_DOSE_NOUN})[\w-]+\s+){{0,3}}?"
    rf"{_DOSE_NOUN}\b(?!\s+(?:dose|amount|volume)\b)",
    _FLAGS,
)
_TOTAL: Final = re.compile(rf"\ba\s+total\s+of\s+(?P<count>{_N})\s+{_FILLER_WORDS}{{0,10}}?{_NOUNS}", _FLAGS)
_BARE_COUNT: Final = re.compile(_COUNT, _FLAGS)


def _starting(pattern: re.Pattern[str], words: tuple[str, ...]) -> re.Pattern[str]:
    """``pattern`` tried only where a word boundary is followed by one of ``words``.

    Each pattern below starts every match at a word boundary with one of its ``words`` (lower-case letters, or
    ``[0-9]`` for a digit), so the lookaheads accept every position where it can match and the matches are the same;
    a position elsewhere fails on one check instead of entering each alternative. The initials come first because one
    character test rejects most positions; the words are then tried as a tree of shared prefixes.

    Example:
        >>> _starting(re.compile(r"\\bweekly\\b", re.IGNORECASE), ("weekly",)).findall("Weekly, biweekly, weekly")
        ['Weekly', 'weekly']
    """
    letters = [word for word in words if word != "[0-9]"]
    starts = "|".join((["[0-9]"] if len(letters) < len(words) else []) + [_prefix_tree(letters)])
    initials = "".join(sorted({"0-9" if word == "[0-9]" else word[0] for word in words}))
    return re.compile(rf"\b(?=[{initials}])(?={starts})(?:{pattern.pattern})", pattern.flags)


def _prefix_tree(words: list[str]) -> str:
    """An alternation matching exactly ``words``, each first letter tried once: ``t(?:en|w(?:ice|o))?`` for
    ten, twice, two and t.

    Example:
        >>> _prefix_tree(["ten", "twice", "two", "t", "day"])
        'day|t(?:en|w(?:ice|o))?'
    """
    tails: dict[str, list[str]] = {}
    for word in words:
        tails.setdefault(word[0], []).append(word[1:])
    branches = []
    for first, rest in sorted(tails.items()):
        longer = [tail for tail in rest if tail]
        if not longer:
            branches.append(re.escape(first))
        elif "" in rest:
            branches.append(f"{re.escape(first)}(?:{_prefix_tree(longer)})?")
        elif len({tail[0] for tail in longer}) == 1:  # one way on: a single branch, no group needed
            branches.append(re.escape(first) + _prefix_tree(longer))
        else:
            branches.append(f"{re.escape(first)}(?:{_prefix_tree(longer)})")
    return "|".join(branches)


# The words a number (_N) or a count (_COUNT) starts with.
_N_STARTS: Final = (
    "[0-9]",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
_COUNT_STARTS: Final = (*_N_STARTS, "twice", "thrice")
# An interval (_INTERVAL) starts with once, every, per, each, at, a number, or an adverb; a phase with an interval or
# a count.
_PHASE_STARTS: Final = (
    *_COUNT_STARTS,
    "once",
    "every",
    "per",
    "each",
    "at",
    "daily",
    "weekly",
    "fortnightly",
    "monthly",
)

_SCHEDULES: Final[tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], AdministrationSchedule | None]], ...]] = (
    (_starting(_DAY_LIST, ("day", "week")), _from_day_list),
    (_starting(_GAP, ("the", "interval")), _from_gap),
    (_starting(_PHASES, _PHASE_STARTS), _from_phases),
    (_starting(_WINDOW, (*_COUNT_STARTS, "repeated")), _from_window),
    (_starting(_SINGLE, ("a", "single", "one", "only")), _from_single),
    (_starting(_TOTAL, ("a",)), _from_total),
    (_starting(_BARE_COUNT, _COUNT_STARTS), _from_count),
)
_COUNT_WORDS: Final = (
    "times",
    "doses",
    "infusions",
    "injections",
    "administrations",
    "treatments",
    "cycles",
    "twice",
    "thrice",
)
# For each of _SCHEDULES, groups of lower-case words: every match contains one word of each group. The patterns are
# ASCII-only, so a text whose lower-cased form lacks every word of some group cannot match (lower-casing never turns
# an ASCII letter into another). A word with a trailing space stands for the word and \s+: the text is searched with
# every white space read as a plain space.
_SCHEDULE_WORDS: Final[tuple[tuple[tuple[str, ...], ...], ...]] = (
    (("day", "week"),),
    (("interval",),),
    (
        ("day", "week", "month", "fortnight", "daily"),  # the unit of the interval every phase has
        ("every ", "once ", "per ", "each ", "intervals", "apart", "daily", "weekly", "fortnightly", "monthly"),
        ("for", *_COUNT_WORDS),  # a duration ("for 4 weeks") or a count
    ),
    (("within",),),
    (("single", "one"),),
    (("total",),),
    (_COUNT_WORDS,),
)
# For each of _SCHEDULES, the lower-case words every match starts with, where they are few and rare enough that
# finding them (see _matches) is quicker than scanning with the pattern; empty for the others.
_SCHEDULE_ANCHORS: Final[tuple[tuple[str, ...], ...]] = (("day", "week"), (), (), (), (), (), ())
