"""Outcome time frames ("4±1 Weeks, 8±1 Weeks", "baseline and 8 weeks", "up to 3 months") read as visits.

:func:`parse_time_frame` turns one outcome's ``timeFrame`` (and, when the time frame only names a period, the
outcome's ``description``) into :class:`~trialdesk.protocol.values.VisitTarget` visits; :func:`merge_visits`
joins the visits of all outcomes into one schedule. A visit is read only where the text states it; anything
else is :class:`~trialdesk.protocol.values.NotUnderstood` with the text and the reason.

Conventions (one set, used everywhere):

* **Days from the anchor.** A minute or an hour counts whole days elapsed (``24 hours`` → day 1, ``6 hr`` → day 0,
  label ``Hour 24``/``Hour 6``); a day is 1, a week 7, a year 365 days. A month is 30 days, but whole years of
  months count as years: ``N months`` → ``365·(N div 12) + 30·(N mod 12)`` days, so ``Month 6`` is day 180,
  ``Month 9`` day 270 and ``Month 12`` day 365, the same day as ``1 year``; ``Month 18`` is day 545.
  ``Day N`` is day ``N`` (the registry's "Day 1 = dosing day" habit is not guessed at).
* **Windows.** ``4±1 Weeks`` → day 28, window 7 days each side; ``12±1 months`` → day 365, window 30/30;
  ``Week 4 (±3 days)`` → window 3/3. ``±`` may be written ``+/-`` or ``plus or minus``. An hour window rounds up
  to whole days. Without ``±`` the window is 0/0.
* **Anchor.** "after treatment", "after the last (hUC-MSC) infusion/dose", "after the end of treatment" →
  ``last-dose``; "after the first injection", "after (product) administration", "post-infusion", "post-dose",
  "from treatment initiation" → ``first-dose``; "after each infusion" → ``each-dose``; "post-randomization" →
  ``randomization``; "after the baseline assessment" → ``baseline``. **Without an anchor phrase the anchor is
  ``first-dose``.** "Baseline" (also "Pre-infusion (baseline)", "Baseline (Week 0)") is its own visit, labelled
  ``Baseline``, anchor ``baseline``, day 0; "Screening" likewise (anchor ``screening``); "pre-dose" is day 0 of
  ``first-dose``, labelled ``Pre-dose``. One time frame has at most one anchor; two different ones are not read.
* **"up to N" / "through N" / "until N" / "within N"** name the end of an observation period: the outcome is
  last ascertained then, so they yield **one end-of-observation visit at N** (``up to 3 months`` → ``Month 3``,
  day 90, window 0/0). "Baseline up to 1 year" and "From Baseline to Week 52" yield the baseline and the end.
* **A period between two times** ("2 weeks to 12 months after treatment") is read from the outcome's
  description: the longest list there of two or more times, all inside the period ("at 2 weeks, 4 weeks, …,
  and 12 months after the last hUC-MSC infusion"), gives the visits, with the anchor of the time frame or of
  the list (they must agree). Without such a list the period is not understood: no visit is made up inside it.
* **Recurring** "every 2 weeks up to 12 weeks" expands to weeks 2, 4, …, 12; without an end it is not read.
* **Not understood:** approximate or statistical durations ("approximately", "an average of 1 year",
  "through study completion", "at least"), treatment cycles, calendar dates, event-driven ends ("until
  progression or death"), ranges of times ("7-28 days"), times before the anchor, fractional weeks/months/years,
  and any word that is not part of a time, an anchor or a filler ("at", "and", "follow-up", "visit", …).

The span of a :class:`~trialdesk.protocol.values.Parsed` refers to ``time_frame`` (never to the description):
from the first to the last character read as a time, a fixed visit, an anchor or a bound. Registry escapes
(``\\>=``, ``1\\.``) are tolerated: a backslash before punctuation is ignored when reading, and spans still index
the original text.

Example:
    >>> result = parse_time_frame("4±1 Weeks, 8±1 Weeks,12±1 Weeks, 12±1 months")
    >>> [(v.label, v.day, v.window_before, v.anchor) for v in result.value]  # doctest: +NORMALIZE_WHITESPACE
    [('Week 4', 28, 7, 'first-dose'), ('Week 8', 56, 7, 'first-dose'), ('Week 12', 84, 7, 'first-dose'),
     ('Month 12', 365, 30, 'first-dose')]
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Final, Literal, NamedTuple, cast

from trialdesk.protocol.values import Anchor, NotUnderstood, Parsed, Span, VisitTarget
from trialdesk.registry.parsing.letters import fold_to_ascii
from trialdesk.registry.parsing.numbers import CARDINAL_WORDS
from trialdesk.registry.parsing.startwords import StartWords, first_match, lower_for_starts

__all__ = ["merge_visits", "parse_time_frame"]

Unit = Literal["minute", "hour", "day", "week", "month", "year"]
TokenKind = Literal[
    "anchor", "visit", "sep", "every", "bound", "number", "plusminus", "unit", "dash", "unknown", "point"
]

DEFAULT_ANCHOR: Anchor = "first-dose"
MAX_DAY = 36_500  # a hundred years: anything later is not a visit
MAX_EXPANDED = 60  # "every 1 week up to 60 weeks" at most

_ANCHOR_ORDER: Final[dict[Anchor, int]] = {
    "screening": 0,
    "baseline": 1,
    "randomization": 2,
    "first-dose": 3,
    "each-dose": 4,
    "last-dose": 5,
}
_LABELS: Final[dict[Unit, str]] = {
    "minute": "Minute",
    "hour": "Hour",
    "day": "Day",
    "week": "Week",
    "month": "Month",
    "year": "Year",
}
_NUMBER_WORDS: Final = {
    **CARDINAL_WORDS,
}


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# --- what stops a time frame from being a list of visits (searched anywhere in the time frame) ---------------
_HEDGES: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        _compile(
            r"\bthrough(?:out)?\s+(?:the\s+)?(?:study|trial)\b|\b(?:study|trial)\s+(?:completion|close|end)\b"
            r"|\bend\s+of\s+(?:the\s+)?(?:study|trial|follow[\s-]*up)\b"
        ),
        "the end of the study is not a fixed day from the anchor",
    ),
    (
        _compile(
            r"\b(?:approx(?:imately|\.)?|about|around|estimated|expected|averag(?:e|ing)|median|mean|roughly"
            r"|at\s+least|at\s+most|max(?:imum|\.)?|minimum|usually|typically)\b|~"
        ),
        "an approximate or statistical duration, not a visit day",
    ),
    (
        _compile(r"\bcycles?\b|\bC[0-9]+\s*D[0-9]+\b"),
        "times counted in treatment cycles need the cycle schedule",
    ),
    (
        _compile(
            r"\b(?:jan(?:uary)?|feb(?:ruary)?|march|april|june|july|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
            r"|nov(?:ember)?|dec(?:ember)?)\b|\b(?:19|20)[0-9]{2}\b(?!\s*(?:min|h|day|w|m|y))"
        ),
        "a calendar date, not a day from the anchor",
    ),
    (
        _compile(
            r"\b(?:monthly|weekly|daily|yearly|annually|biweekly|fortnightly|quarterly|thereafter|periodically"
            r"|half[\s-]*annually|semi[\s-]*annually)\b"
        ),
        "a recurring schedule, not a list of visits",
    ),
    (
        _compile(r"\b(?:whichever|progression|progressive|death|died|recurrence|relapse|events?|discharge)\b"),
        "ends at an event, not on a fixed day",
    ),
    (_compile(r"\b(?:prior\s+to|before)\b"), "times before the anchor are not read"),
)
# Lower-case words one of which every match of each hedge starts with ("~" anywhere, the others at a word start): in
# most time frames each hedge is tried only where they occur, which finds what a search finds
# (trialdesk.registry.parsing.startwords).
_HEDGE_STARTS: Final = StartWords(
    (
        ("through", "study", "trial", "end"),
        (
            "approx", "about", "around", "estimated", "expected", "averag", "median", "mean", "roughly", "at", "max",
            "minimum", "usually", "typically", "~",
        ),
        ("cycle", "c"),
        ("jan", "feb", "march", "april", "june", "july", "aug", "sep", "oct", "nov", "dec", "19", "20"),
        (
            "monthly", "weekly", "daily", "yearly", "annually", "biweekly", "fortnightly", "quarterly", "thereafter",
            "periodically", "half", "semi",
        ),
        ("whichever", "progression", "progressive", "death", "died", "recurrence", "relapse", "event", "discharge"),
        ("prior", "before"),
    ),
    inside=("~",),
)  # fmt: skip

# --- anchors ---------------------------------------------------------------------------------------------------
_AFTER: Final = r"(?:after|post|following|from|since)(?:\s+|\s*-\s*)"
_WORD: Final = r"[\w-]+\s+"
_NOT_ORDINAL: Final = r"(?!(?:second|third|fourth|fifth|sixth|last|final|each|every|next|previous|2nd|3rd)\b)"
_DOSE_NOUN: Final = (
    r"(?:infusions?|injections?|doses?|dosing|administrations?|transplant(?:ation)?s?|transfusions?"
    r"|vaccinations?|implantations?)"
)
_NOUN: Final = rf"(?:{_DOSE_NOUN}|treatments?|therap(?:y|ies))"
_OF: Final = r"(?:\s+of\s+(?:the\s+)?(?:study\s+)?[\w-]+)?"
_END: Final = r"(?![a-z])"

_ANCHORS: Final[tuple[tuple[re.Pattern[str], Anchor], ...]] = (
    (_compile(rf"{_AFTER}(?:the\s+)?(?:each|every)\s+(?:{_WORD}){{0,2}}?{_NOUN}{_OF}{_END}"), "each-dose"),
    (_compile(rf"{_AFTER}(?:the\s+)?(?:last|final)\s+(?:{_WORD}){{0,2}}?{_NOUN}{_OF}{_END}"), "last-dose"),
    (
        _compile(rf"{_AFTER}(?:the\s+)?(?:end|completion)\s+of\s+(?:the\s+)?(?:study\s+)?(?:{_NOUN}|drugs?){_END}"),
        "last-dose",
    ),
    (_compile(rf"{_AFTER}(?:the\s+)?(?:first|initial|1st)\s+(?:{_WORD}){{0,2}}?{_NOUN}{_OF}{_END}"), "first-dose"),
    (
        _compile(rf"{_AFTER}(?:the\s+)?(?:start|initiation|beginning)\s+of\s+(?:the\s+)?(?:study\s+)?{_NOUN}{_END}"),
        "first-dose",
    ),
    (
        _compile(rf"{_AFTER}(?:the\s+)?(?:study\s+)?{_NOUN}\s+(?:initiation|start|began|started|begins){_END}"),
        "first-dose",
    ),
    (
        _compile(rf"{_AFTER}(?:the\s+)?(?:study\s+)?(?:treatments?|therap(?:y|ies)){_OF}{_END}"),
        "last-dose",
    ),
    (_compile(rf"{_AFTER}(?:the\s+)?(?:{_NOT_ORDINAL}{_WORD})?{_DOSE_NOUN}{_OF}{_END}"), "first-dose"),
    (_compile(rf"(?:{_AFTER})?(?:the\s+)?(?:date\s+of\s+)?randomi[sz](?:ation|ed){_END}"), "randomization"),
    (
        _compile(
            r"(?:after|following|since)(?:\s+|\s*-\s*)(?:the\s+)?baseline(?:\s+(?:assessments?|visits?"
            rf"|measurements?))?{_END}"
        ),
        "baseline",
    ),
)

# --- visits that are named, not counted ------------------------------------------------------------------------
_FIXED_VISITS: Final[tuple[tuple[re.Pattern[str], VisitTarget], ...]] = (
    (
        _compile(
            r"(?:pre[\s-]*(?:infusion|dose|dosing|treatment|injection)\s*)?(?:\(\s*)?baseline(?:\s*\))?"
            rf"(?:\s*\(\s*(?:week|day)\s*0\s*\))?(?:\s+(?:visits?|assessments?|measurements?))?{_END}"
        ),
        VisitTarget("Baseline", 0, "baseline"),
    ),
    (
        _compile(rf"pre[\s-]*(?:infusion|dose|dosing|injection|treatment){_END}"),
        VisitTarget("Pre-dose", 0, "first-dose"),
    ),
    (_compile(rf"screening(?:\s+(?:visits?|period))?{_END}"), VisitTarget("Screening", 0, "screening")),
)

# --- the scanner's table, tried in order at each position -------------------------------------------------------
_NUM: Final = rf"(?:[0-9]{{1,5}}(?:\.[0-9]{{1,3}})?(?![0-9])|(?:{'|'.join(_NUMBER_WORDS)}){_END})"
_PM: Final = r"(?:±|\+\s*/\s*[-−]|\+\s*[-−]|plus\s+or\s+minus)"
_UNITS: Final[tuple[tuple[re.Pattern[str], Unit], ...]] = (
    (_compile(rf"min(?:ute)?s?{_END}"), "minute"),
    (_compile(rf"h(?:ou)?rs?{_END}|h{_END}"), "hour"),
    (_compile(rf"days?{_END}"), "day"),
    (_compile(rf"w(?:ee)?ks?{_END}"), "week"),
    (_compile(rf"m(?:onth|o|th)s?{_END}"), "month"),
    (_compile(rf"y(?:ea)?rs?{_END}"), "year"),
)
_SCAN_TABLE: Final[tuple[tuple[TokenKind, re.Pattern[str]], ...]] = (
    ("sep", _compile(rf"for\s+(?:each|every|all)\s+(?:patients?|participants?|subjects?){_END}")),
    ("sep", _compile(rf"per\s+(?:patient|participant|subject){_END}")),
    ("sep", _compile(rf"single\s+time[\s-]*points?\s+only{_END}")),
    ("sep", _compile(rf"(?:disease|tumou?r)\s+(?:evaluations?|assessments?){_END}")),
    ("sep", _compile(rf"follow(?:ed)?[\s-]*ups?(?:\s+visits?)?{_END}")),
    ("sep", _compile(rf"time[\s-]*points?{_END}")),
    ("every", _compile(rf"(?:every|each){_END}")),
    ("bound", _compile(rf"(?:up\s*to|through|thru|until|untill|till|within|to){_END}")),
    ("number", _compile(rf"(?<![0-9.])(?P<n>{_NUM})(?:\s*{_PM}\s*(?P<w>{_NUM}))?(?:-(?=[a-z]))?")),
    ("plusminus", _compile(rf"{_PM}\s*(?P<w>{_NUM})")),
    ("dash", _compile(r"[-–—−]")),
    ("sep", _compile(r"[,;:.()\[\]&，；、]")),
    (
        "sep",
        _compile(
            r"(?:and|or|at|on|then|the|from|visits?|assess(?:ed|ments?)|evaluat(?:ed|ions?)|measured|performed)"
            rf"{_END}"
        ),
    ),
)
_UNKNOWN: Final = re.compile(r"[^\W_]+|\S")
_LIST_KINDS: Final[frozenset[TokenKind]] = frozenset({"number", "plusminus", "unit", "sep"})


class _Token(NamedTuple):
    """One piece of a time frame: ``start``/``end`` index the normalised text (a tuple: quick to make)."""

    kind: TokenKind
    start: int
    end: int
    text: str
    number: float = 0.0
    digits: str = ""
    window: float | None = None
    window_digits: str = ""
    unit: Unit | None = None
    anchor: Anchor | None = None
    visit: VisitTarget | None = None


class _UnreadableError(Exception):
    """Raised inside the parser with the reason a time frame is not understood; never escapes."""


def parse_time_frame(time_frame: str, description: str = "") -> Parsed[tuple[VisitTarget, ...]] | NotUnderstood:
    """Read an outcome's time frame (and its description, for a period) as visits; see the module conventions.

    The span refers to ``time_frame``. Never raises on any text.

    Example:
        >>> parse_time_frame("baseline and 8 weeks").value  # doctest: +NORMALIZE_WHITESPACE
        (VisitTarget(label='Baseline', day=0, anchor='baseline', window_before=0, window_after=0),
         VisitTarget(label='Week 8', day=56, anchor='first-dose', window_before=0, window_after=0))
        >>> described = "Follow-up at 2 weeks, 6 weeks and 3 months after the last infusion."
        >>> [(v.label, v.day, v.anchor) for v in parse_time_frame("2 weeks to 3 months", described).value]
        [('Week 2', 14, 'last-dose'), ('Week 6', 42, 'last-dose'), ('Month 3', 90, 'last-dose')]
        >>> parse_time_frame("through study completion, an average of 1 year").reason
        "the end of the study is not a fixed day from the anchor ('through study')"
    """
    return _read_description(_read_frame(time_frame), time_frame, description)


def parse_time_frames(frames: Sequence[tuple[str, str]]) -> list[Parsed[tuple[VisitTarget, ...]] | NotUnderstood]:
    """:func:`parse_time_frame` of each (time frame, description), reading each distinct time frame once.

    Outcomes of one study often repeat a time frame. The description is read only after the time frame, for a
    period, so one reading of a time frame serves every outcome that repeats it, whatever its description.

    Example:
        >>> [r.value[0].label for r in parse_time_frames([("Week 4", ""), ("Week 4", "other text")])]
        ['Week 4', 'Week 4']
    """
    read: dict[str, Parsed[tuple[VisitTarget, ...] | _Period] | NotUnderstood] = {}
    results: list[Parsed[tuple[VisitTarget, ...]] | NotUnderstood] = []
    for time_frame, description in frames:
        frame = read.get(time_frame)
        if frame is None:
            frame = read[time_frame] = _read_frame(time_frame)
        results.append(_read_description(frame, time_frame, description))
    return results


class _Period(NamedTuple):
    """A time frame read up to a period "A to B", whose visits the outcome's description lists."""

    items: list[_Token]
    start: _Token
    end: _Token
    anchor: Anchor | None


def _read_frame(time_frame: str) -> Parsed[tuple[VisitTarget, ...] | _Period] | NotUnderstood:
    """What ``time_frame`` alone says: its visits, why it is not understood, or a period the description fills."""
    text, origin = _normalise(time_frame)
    if not text.strip():
        return NotUnderstood(time_frame, "no time frame given")
    lowered = lower_for_starts(text)
    if hedge := _find_hedge(text, lowered):
        found_hedge, reason = hedge
        return NotUnderstood(time_frame, f"{reason} ({found_hedge.group(0).strip()!r})")
    found = _scan(text, lowered)
    unknown = [text[match.end(1) : match.end()] for match in found if _kind(match).kind == "unknown"]
    if unknown:
        return NotUnderstood(time_frame, f"words not read as times or anchors: {' '.join(unknown)!r}")
    tokens = [_make_token(match, text) for match in found]
    try:
        visits = _read_visits(_assemble(tokens))
    except _UnreadableError as problem:
        return NotUnderstood(time_frame, str(problem))
    read = [token for token in tokens if token.kind != "sep"]
    first, last = read[0].start, read[-1].end
    closing = len(text) - len(text[last:].lstrip())
    if text.count("(", first, last) > text.count(")", first, last) and text.startswith(")", closing):
        last = closing + 1  # "Day 28 (±7 days)": keep the closing parenthesis with its window
    start, end = origin[first], origin[last - 1] + 1
    return Parsed(visits, Span.of(time_frame, start, end))


def _find_hedge(text: str, lowered: str | None) -> tuple[re.Match[str], str] | None:
    """The first of the _HEDGES (in table order) found in ``text``, with its reason; ``lowered``: see _scan."""
    if lowered is None:
        return next(((hedge, reason) for pattern, reason in _HEDGES if (hedge := pattern.search(text))), None)
    starts = _HEDGE_STARTS.positions(lowered)
    for order in sorted(starts):  # only where a hedge can start (see _HEDGE_STARTS)
        pattern, reason = _HEDGES[order]
        if hedge := first_match(pattern, starts[order], text):
            return hedge, reason
    return None


def _read_description(
    frame: Parsed[tuple[VisitTarget, ...] | _Period] | NotUnderstood, time_frame: str, description: str
) -> Parsed[tuple[VisitTarget, ...]] | NotUnderstood:
    """The result for one outcome: ``frame`` itself, or for a period the visits its description lists."""
    if isinstance(frame, NotUnderstood):
        return frame
    period = frame.value
    if not isinstance(period, _Period):
        return cast("Parsed[tuple[VisitTarget, ...]]", frame)  # its value is the visits (a string: no subscript made)
    try:
        visits = _read_period(period, description)
    except _UnreadableError as problem:
        return NotUnderstood(time_frame, str(problem))
    return Parsed(visits, frame.span)


def merge_visits(groups: Sequence[Sequence[VisitTarget]]) -> tuple[VisitTarget, ...]:
    """Join the visits of several outcomes into one schedule.

    Visits with the same anchor and day become one, with the widest window on each side and the label of the
    first one met. The schedule is sorted by anchor (screening, baseline, randomization, first-dose, each-dose,
    last-dose) and then by day.

    Example:
        >>> a = [VisitTarget("Hour 24", 1, "first-dose"), VisitTarget("Week 4", 28, "first-dose", 7, 7)]
        >>> b = [VisitTarget("Week 4", 28, "first-dose", 3, 10), VisitTarget("Baseline", 0, "baseline")]
        >>> [(v.label, v.day, v.window_before, v.window_after) for v in merge_visits([a, b])]
        [('Baseline', 0, 0, 0), ('Hour 24', 1, 0, 0), ('Week 4', 28, 7, 10)]
    """
    merged: dict[tuple[Anchor, int], VisitTarget] = {}
    for group in groups:
        for visit in group:
            key = (visit.anchor, visit.day)
            known = merged.get(key)
            if known is None:
                merged[key] = visit
            elif visit.window_before > known.window_before or visit.window_after > known.window_after:
                # (otherwise the widest windows are the known visit's own, and it stays as it is)
                merged[key] = VisitTarget(
                    known.label,
                    known.day,
                    known.anchor,
                    max(known.window_before, visit.window_before),
                    max(known.window_after, visit.window_after),
                )
    return tuple(sorted(merged.values(), key=lambda visit: (_ANCHOR_ORDER[visit.anchor], visit.day)))


def _normalise(text: str) -> tuple[str, list[int]]:
    """Drop registry escapes (a backslash before punctuation); ``origin[i]`` is the original index of char i."""
    if "\\" not in text:
        return text, list(range(len(text)))
    kept: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        following = text[index + 1] if index + 1 < len(text) else ""
        if char == "\\" and following and not following.isalnum() and not following.isspace():
            continue
        kept.append(char)
        origin.append(index)
    return "".join(kept), origin


# What a token can be, in the order tried at each position; the last, a word or sign no table knows, always matches.
_TOKEN_TABLE: Final[tuple[tuple[TokenKind, re.Pattern[str], Anchor | None, VisitTarget | None, Unit | None], ...]] = (
    *(("anchor", pattern, anchor, None, None) for pattern, anchor in _ANCHORS),
    *(("visit", pattern, None, visit, None) for pattern, visit in _FIXED_VISITS),
    *((kind, pattern, None, None, None) for kind, pattern in _SCAN_TABLE),
    *(("unit", pattern, None, None, unit) for pattern, unit in _UNITS),
    ("unknown", _UNKNOWN, None, None, None),
)
_NAMED_GROUP: Final = re.compile(r"\(\?P<(\w+)>")
# Every match of an anchor starts with one of these words (those of _AFTER, or "the", "date", "randomi" of "the date
# of randomization"), so where none of them starts no anchor is tried, and the token found there is the same.
_ANCHOR_LEADS: Final = ("after", "post", "following", "from", "since", "the", "date", "randomi")


class _Branch(NamedTuple):
    """What a branch of _ANY_TOKEN reads: the token kind and value, and the groups of a number and its window."""

    kind: TokenKind
    anchor: Anchor | None
    visit: VisitTarget | None
    unit: Unit | None
    number: int  # the group of the number read (0: none)
    window: int  # the group of its window after ``±`` (0: none)


def _token_pattern(flags: int) -> tuple[re.Pattern[str], dict[int, _Branch]]:
    """All of _TOKEN_TABLE as one pattern for a scan of the whole text, and what each branch reads, by its mark.

    Group 1, ``\\s*+``, takes the whitespace before a token (what ``str.isspace`` skips; possessive: never given
    back). Then the branches, each one entry's pattern (in a group of its own: it may be an alternation) with its
    named groups unnamed (their numbers stay), followed by an empty group that marks it: an alternation tries its
    branches in order and keeps the first that matches (nothing follows to backtrack into), so a match is the first
    entry matching at the token's start, as trying them one by one finds. The mark closes last, so it is the match's
    ``lastindex``. The last entry matches any non-space character, so each match starts where the previous ended
    and no text is skipped; no entry matches an empty string. The anchors, the first entries, wait behind a
    look-ahead for their first words (_ANCHOR_LEADS).
    """
    branches: list[str] = []
    marks: dict[int, _Branch] = {}
    group = 2
    for kind, pattern, anchor, visit, unit in _TOKEN_TABLE:
        text = _NAMED_GROUP.sub("(", pattern.pattern)
        branches.append(f"(?:{text})()" if pattern.flags & re.IGNORECASE else f"(?-i:{text})()")
        named = {name: group + index - 1 for name, index in pattern.groupindex.items()}
        group += pattern.groups
        marks[group] = _Branch(kind, anchor, visit, unit, named.get("n", 0), named.get("w", 0))
        group += 1
    anchors = len(_ANCHORS)  # the first entries; tried only where one of their first words is
    guarded = f"(?=(?:{'|'.join(_ANCHOR_LEADS)}))(?:{'|'.join(branches[:anchors])})"
    return re.compile(rf"(\s*+)(?:{'|'.join([guarded, *branches[anchors:]])})", flags), marks


def _check_lower_case(patterns: Sequence[re.Pattern[str]]) -> None:
    """Raise unless every letter the patterns match literally is a lower-case ASCII letter (see _LOWER_TOKEN)."""
    for pattern in patterns:
        bare = re.sub(r"\\[a-zA-Z]|\(\?P<\w+>|\(\?-?[a-z]+:", "", pattern.pattern)  # classes, groups, flags
        if re.search(r"\\[xuUN0-7]", pattern.pattern) or any(c.isalpha() and not "a" <= c <= "z" for c in bare):
            raise ValueError(f"a token pattern has a letter other than a-z: {pattern.pattern!r}")


_ANY_TOKEN, _BRANCHES = _token_pattern(re.IGNORECASE)
# The same pattern matched case for case, for the text lower-cased by lower_for_starts (index for index): its
# letters are a-z, so a character matches one of them (or a class of them, like [a-z]) under IGNORECASE exactly
# when its lower case matches it plainly (the Kelvin sign lower-cases to "k"; the texts lower_for_starts refuses
# hold the other non-ASCII characters that match a-z), and lower-casing keeps digits, spaces, word characters and
# signs what they are. Plain matching is quicker, and a branch whose first character differs is skipped at once.
_check_lower_case([pattern for _, pattern, *_ in _TOKEN_TABLE])
_LOWER_TOKEN, _ = _token_pattern(0)


def _scan(text: str, lowered: str | None) -> list[re.Match[str]]:
    """Cut text into tokens with the tables above (read each with :func:`_make_token`, its kind with :func:`_kind`);
    what no table knows becomes ``unknown`` (one word). ``lowered`` is :func:`lower_for_starts` of ``text``."""
    return list(_ANY_TOKEN.finditer(text) if lowered is None else _LOWER_TOKEN.finditer(lowered))


def _kind(found: re.Match[str]) -> _Branch:
    """The kind (and fixed value) of the token a match of :func:`_scan` found, without reading it."""
    return _BRANCHES[found.lastindex or 0]


def _make_token(found: re.Match[str], text: str) -> _Token:
    """The token a match of _ANY_TOKEN (or of _LOWER_TOKEN in ``text`` lower-cased) found, read from ``text``."""
    kind, anchor, visit, unit, number_group, window_group = _kind(found)
    start, end = found.end(1), found.end()
    if kind == "number":
        number = text[found.start(number_group) : found.end(number_group)]
        window = text[found.start(window_group) : found.end(window_group)] if found.group(window_group) else ""
        return _Token(
            kind,
            start,
            end,
            text[start:end],
            number=_read_number(number),
            digits=_format_number(number),
            window=_read_number(window) if window else None,
            window_digits=window,
        )
    if kind == "plusminus":
        window = text[found.start(window_group) : found.end(window_group)]
        return _Token(kind, start, end, text[start:end], window=_read_number(window))
    return _Token(kind, start, end, text[start:end], anchor=anchor, visit=visit, unit=unit)


def _read_number(text: str) -> float:
    word = _NUMBER_WORDS.get(fold_to_ascii(text))  # "ſıx" matched a number word case-insensitively: six
    return float(word) if word is not None else float(text)


def _format_number(text: str) -> str:
    value = _read_number(text)
    return str(int(value)) if value.is_integer() else text


def _convert_to_days(value: float, unit: Unit, *, window: bool = False) -> int:
    """Days for ``value`` ``unit`` by the module's conventions; a window rounds up, a time point down."""
    if unit in ("minute", "hour"):
        per_day = 1440.0 if unit == "minute" else 24.0
        return math.ceil(value / per_day) if window else math.floor(value / per_day)
    if not value.is_integer():
        if not window:
            raise _UnreadableError(f"a fractional number of {unit}s ({value:g}) is not a visit day")
        per = {"day": 1.0, "week": 7.0, "month": 30.0, "year": 365.0}[unit]
        return math.ceil(value * per)
    count = int(value)
    if unit == "month":
        return 365 * (count // 12) + 30 * (count % 12)
    return count * {"day": 1, "week": 7, "year": 365}[unit]


def _make_point(number: _Token, unit: Unit, window_unit: Unit | None = None) -> _Token:
    """A time point read from a number token in ``unit`` (its inline ``±`` in ``window_unit``, default ``unit``)."""
    day = _convert_to_days(number.number, unit)
    if day > MAX_DAY:
        raise _UnreadableError(f"{number.digits} {unit}s is beyond any visit schedule")
    spread = 0 if number.window is None else _convert_to_days(number.window, window_unit or unit, window=True)
    visit = VisitTarget(f"{_LABELS[unit]} {number.digits}", day, DEFAULT_ANCHOR, spread, spread)
    return number._replace(kind="point", unit=unit, visit=visit)


def _assemble(tokens: Sequence[_Token]) -> list[_Token]:
    """Bind numbers to units ("2, 4 weeks", "Week 4, 8 and 12", "4±1 Weeks", "Day 28 (±7 days)") into points.

    Separators are dropped; anchors, fixed visits, bounds and ``every`` pass through.
    """
    out: list[_Token] = []
    pending: list[_Token] = []  # numbers waiting for the unit written after them
    leading: Unit | None = None  # the unit written before the numbers ("Week 4, 8")
    group: list[int] = []  # indices in ``out`` of the last list of points, for a ``±`` written after it
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.kind == "number":
            if following is not None and following.kind in ("dash", "bound") and not pending and leading is None:
                raise _UnreadableError(f"a range of times ({token.text}{following.text}…) is not a visit day")
            if following is not None and following.kind == "unit" and following.unit is not None:
                if leading is not None and token.window is not None:  # "Week 4 ± 3 days"
                    group.append(len(out))
                    out.append(_make_point(token, leading, following.unit))
                    index += 2
                    continue
                pending.append(token)
            elif leading is not None:
                group.append(len(out))
                out.append(_make_point(token, leading))
            else:
                pending.append(token)
        elif token.kind == "unit" and token.unit is not None:
            if pending:
                group = list(range(len(out), len(out) + len(pending)))
                out.extend(_make_point(number, token.unit) for number in pending)
                pending = []
                leading = None
            else:
                leading = token.unit
                group = []
        elif token.kind == "plusminus":
            out = _apply_window(out, group, token, following)
            if following is not None and following.kind == "unit":
                index += 1
        elif token.kind == "dash":
            raise _UnreadableError(f"a range or a negative time ({token.text!r}) is not a visit day")
        elif token.kind != "sep":
            if pending:
                raise _UnreadableError(f"numbers without a unit: {', '.join(n.text for n in pending)}")
            leading = None
            group = []
            out.append(token)
        index += 1
    if pending:
        raise _UnreadableError(f"numbers without a unit: {', '.join(n.text for n in pending)}")
    return out


def _apply_window(out: list[_Token], group: list[int], plusminus: _Token, following: _Token | None) -> list[_Token]:
    """Give the last list of points the window of a ``±`` written after it ("Day 28 (±7 days)")."""
    if not group or plusminus.window is None:
        raise _UnreadableError(f"a window ({plusminus.text.strip()}) without a time point")
    unit = following.unit if following is not None and following.kind == "unit" else out[group[-1]].unit
    if unit is None:
        raise _UnreadableError(f"a window ({plusminus.text.strip()}) without a unit")
    spread = _convert_to_days(plusminus.window, unit, window=True)
    updated = list(out)
    for position in group:
        visit = updated[position].visit
        if visit is not None:
            updated[position] = updated[position]._replace(
                visit=replace(visit, window_before=spread, window_after=spread)
            )
    return updated


def _expand_recurring(items: list[_Token]) -> list[_Token]:
    """Replace "every 2 weeks up to 12 weeks" by the points 2, 4, …, 12 weeks."""
    while any(item.kind == "every" for item in items):
        at = next(i for i, item in enumerate(items) if item.kind == "every")
        step, bound, last = (items[at + k] if at + k < len(items) else None for k in (1, 2, 3))
        if (
            step is None
            or bound is None
            or last is None
            or (step.kind, bound.kind, last.kind) != ("point", "bound", "point")
            or step.unit != last.unit
            or step.unit is None
        ):
            raise _UnreadableError("a recurring schedule ('every …') without an end in the same unit")
        if step.number <= 0 or not (last.number / step.number).is_integer():
            raise _UnreadableError(f"every {step.text} does not reach {last.text}")
        count = int(last.number / step.number)
        if count > MAX_EXPANDED:
            raise _UnreadableError(f"every {step.text} up to {last.text} is {count} visits")
        unit = step.unit
        points = [
            _make_point(step._replace(number=step.number * k, digits=_format_number(f"{step.number * k:g}")), unit)
            for k in range(1, count + 1)
        ]
        items = items[:at] + points + items[at + 4 :]
    return items


def _read_visits(items: list[_Token]) -> tuple[VisitTarget, ...] | _Period:
    """Interpret the assembled items: bounds, periods, anchors; raise with the reason when not understood.

    A period "A to B" is returned as such, for the outcome's description to fill (:func:`_read_period`).
    """
    items = _expand_recurring(items)
    anchors = {item.anchor for item in items if item.anchor is not None}
    if len(anchors) > 1:
        raise _UnreadableError(f"more than one anchor ({', '.join(sorted(anchors))})")
    bounds = [at for at, item in enumerate(items) if item.kind == "bound"]
    if len(bounds) > 1:
        raise _UnreadableError("more than one end point ('up to', 'until', 'to')")
    if bounds:
        left = [item for item in items[: bounds[0]] if item.kind == "point"]
        right = [item for item in items[bounds[0] + 1 :] if item.kind != "anchor"]
        if len(right) != 1 or right[0].kind != "point":
            raise _UnreadableError(f"'{items[bounds[0]].text}' is not followed by one time point")
        if left:
            if len(left) != 1 or left[0].visit is None or right[0].visit is None:
                raise _UnreadableError("a period needs one start and one end")
            return _Period(items, left[0], right[0], next(iter(anchors), None))
    anchor = next(iter(anchors), DEFAULT_ANCHOR)
    visits = [_anchor_visit(item, anchor) for item in items if item.kind in ("point", "visit")]
    if not visits:
        raise _UnreadableError("no time point")
    return tuple(visits)


def _anchor_visit(item: _Token, anchor: Anchor) -> VisitTarget:
    if item.visit is None:  # pragma: no cover - points and fixed visits always carry one
        raise _UnreadableError("no time point")
    return _with_anchor(item.visit, anchor) if item.kind == "point" else item.visit


def _with_anchor(visit: VisitTarget, anchor: Anchor) -> VisitTarget:
    """``visit`` counted from ``anchor``: itself when it is already (targets are frozen values), else a copy."""
    if visit.anchor == anchor:
        return visit
    return VisitTarget(visit.label, visit.day, anchor, visit.window_before, visit.window_after)


def _read_period(period: _Period, description: str) -> tuple[VisitTarget, ...]:
    """A period "A to B": the visits the description lists inside it, or not understood."""
    items, start, end, anchor = period
    if start.visit is None or end.visit is None:  # pragma: no cover - _read_visits passes only points
        raise _UnreadableError("a period needs one start and one end")
    low, high = start.visit.day, end.visit.day
    listed = _find_listed_visits(description, low, high)
    if listed is None:
        raise _UnreadableError(
            f"a period from {start.visit.label} to {end.visit.label}; the description lists no visits inside it"
        )
    points, listed_anchor = listed
    if anchor is not None and listed_anchor is not None and anchor != listed_anchor:
        raise _UnreadableError(f"the time frame says {anchor} but the description says {listed_anchor}")
    chosen = anchor or listed_anchor or DEFAULT_ANCHOR
    fixed = [item.visit for item in items if item.kind == "visit" and item.visit is not None]
    return (*fixed, *(_with_anchor(point, chosen) for point in points))


def _find_listed_visits(description: str, low: int, high: int) -> tuple[list[VisitTarget], Anchor | None] | None:
    """The longest list of two or more times in ``description``, all within days ``low``..``high``."""
    text, _ = _normalise(description)
    best: tuple[list[VisitTarget], Anchor | None] | None = None
    chunk: list[_Token] = []
    for found in [*_scan(text, lower_for_starts(text)), None]:  # None: the end of the text
        branch = _kind(found) if found is not None else None
        if branch is not None and found is not None and branch.kind in _LIST_KINDS:
            chunk.append(_make_token(found, text))  # only tokens that may be in a list are read
            continue
        if chunk:
            try:
                points = [item.visit for item in _assemble(chunk) if item.visit is not None]
            except _UnreadableError:
                points = []
            if len(points) >= 2 and all(low <= point.day <= high for point in points):
                following = branch.anchor if branch is not None else None  # an anchor right after the list
                if best is None or len(points) > len(best[0]):
                    best = (points, following)
        chunk = []
    return best
