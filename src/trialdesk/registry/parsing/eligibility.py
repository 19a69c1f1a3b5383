"""Eligibility criteria: split a registry's eligibility text into criteria and make the checkable ones computable.

**Splitting** (:func:`split_criteria`). Headings set the kind of what follows: a line such as
``Inclusion Criteria:`` / ``Key Exclusion Criteria`` / ``Other exclusion criteria:`` gives ``"inclusion"`` or
``"exclusion"``; text before any heading is inclusion. ``Rejection``, ``Cessation``, ``Withdrawal``,
``Discontinuation``, ``Termination`` and ``Stopping`` criteria (seed 000 has the first two) are not eligibility:
they take a participant off study, or stop the study, *after* enrolment. They are kept as a third kind,
``"withdrawal"``, which :func:`parse_eligibility` leaves out (screening never checks them; the protocol compiler
reads them from :func:`split_criteria`). Short unindented lines ending in ``:`` with no kind word
(``For parent participants:``) are labels and are dropped. Each bulleted (``*``, ``-``, ``•``, ``o``) or numbered
(``1.``, ``1\\.``, ``1)``, ``(1)``, ``a.``, ``①``) line is a criterion, its marker removed; an unbulleted paragraph
under a heading is split at top-level ``;``; a numbered list run together on one line (``1. …; 2. …; 3. …``) is
split at each *next* number preceded by ``;`` or ``.``, so decimals (``1.5 × ULN``, ``10.0 g/dL``) and ``No. 3``
never split. Indented lines belong to the line above: they become separate criteria when the parent ends in ``:``
and announces a list of requirements (``Adequate organ function, defined as:``), and are merged into one criterion
with their parent otherwise (exceptions, alternatives, continuation paragraphs), so a carve-out is never read as
a criterion of its own. Registry escapes (``\\>=``, ``\\<3``, ``1\\.``, ``\\*``) are removed first: every
criterion's text is a piece of the unescaped input, as written.

**Classifying** (:func:`classify_criterion`). A criterion is ``computable`` when every word of it is accounted for
by the rules below (apart from filler such as "patients", "years", "serum", "at screening"); a criterion with any
other content (history, conditions, exceptions, "unless", "if", a number no rule read) is ``checklist``: the
investigator confirms it. An expression states the condition *the text states*: for an inclusion criterion it must
hold, for an exclusion criterion it is the condition that excludes. Several recognised parts join with the text's
own ``and``/``or`` (a text mixing both is checklist). The rules, each with the fields it uses and their units
(thresholds written in other units are converted):

- **age** — "Age: 18-60 years", "aged 3-12 years", "≥18 years old", "Age <3 years or >12 years":
  ``age_years >= 18 and age_years <= 60``; ``age_years`` is completed years (months are divided by 12).
- **sex** — "women only": ``sex == "female"`` (``"female"``/``"male"``); "male or female" gives
  ``sex == "female" or sex == "male"`` on its own and adds nothing beside another rule.
- **pregnancy** — "Pregnant or lactating females, or willing to have a baby in the next year":
  ``pregnant or breastfeeding or planning_pregnancy`` (booleans); "not pregnant" gives ``not pregnant``.
- **serology** — "Serological tests (HBsAg, anti-HCV, anti-HIV, TP-Ab) are positive", "evidence of infection with
  HBV", "HIV infection": ``hbsag == "positive" or anti_hcv == "positive" or ...``; "negative" findings join with
  ``and``. Fields ``hbsag``, ``anti_hcv``, ``anti_hiv``, ``tp_ab`` (syphilis) and ``infection_screening`` ("negative
  infectious disease screening") hold ``"positive"``/``"negative"``. A *history* of infection stays checklist.
- **proteinuria** — "Positive proteinuria (or combined hematuria)": ``proteinuria == "positive"``.
- **CKD stage** — "CKD stage I-III": ``ckd_stage <= 3``; "stage IV or V": ``ckd_stage >= 4`` (stage 1-5).
- **washout** — "Systemic treatments within 4 weeks before the baseline visit": ``days_since_systemic_treatment <
  28``; also ``days_since_topical_treatment``, ``days_since_trial_participation`` ("participation in other clinical
  trials within 30 days") and ``days_since_investigational_product``; days since the last one (week 7, month 30,
  year 365 days); "no ... within" gives ``>=``. A patient never treated passes any washout.
- **scores and labs** — ``pasi`` points (0-72), ``ecog`` grade (0-5; "ECOG 0-1", "0, 1 or 2"), ``egfr``
  mL/min/1.73 m² (for children the bedside Schwartz estimate from height and creatinine), ``crcl`` mL/min,
  ``alt`` and ``ast`` U/L, ``bilirubin`` (total) mg/dL (µmol/L ÷ 17.1), ``creatinine`` mg/dL (µmol/L ÷ 88.4),
  ``platelets``, ``anc`` and ``wbc`` 10^9/L (/mm³ ÷ 1000), ``hemoglobin`` g/dL (g/L ÷ 10, mmol/L × 1.611), ``inr``,
  ``albumin`` g/dL, ``lvef`` %, ``bmi`` kg/m²: "PASI >= 8" gives ``pasi >= 8``, "GFR > 60 mL/min/1.73 m²"
  ``egfr > 60``, "ALT ≤ 2.5 × ULN" ``alt <= 2.5 * alt_uln`` (``<field>_uln``: the site's upper limit of normal).
  A threshold shared by several analytes ("AST/ALT ≤ 3 × ULN") must hold for each (inclusion) / excludes when any
  breaches it (exclusion). A number without a unit is read in the field's unit only where it is plausible.

**Expression grammar** (a subset of Python: ``ast.parse(expression, mode="eval")`` reads every expression)::

    expression := conjunct ("or" conjunct)*
    conjunct   := negation ("and" negation)*
    negation   := "not" negation | "(" expression ")" | comparison | NAME
    comparison := operand ("<" | "<=" | ">" | ">=" | "==") operand
    operand    := NAME | NUMBER | STRING | NUMBER "*" NAME
    NAME       := snake_case field name (listed in the criterion's ``fields``); a bare NAME is a boolean field
    STRING     := double-quoted text, e.g. "positive"

Example:
    >>> [(c.kind, c.text, c.expression) for c in parse_eligibility(
    ...     "Inclusion Criteria:\\n\\n* Age: 18-60 years\\n\\nExclusion Criteria:\\n\\n"
    ...     "* 1\\\\. Diabetes; 2. Pregnant women, women who are breastfeeding")]
    [('inclusion', 'Age: 18-60 years', 'age_years >= 18 and age_years <= 60'), \
('exclusion', 'Diabetes', None), ('exclusion', 'Pregnant women, women who are breastfeeding', \
'pregnant or breastfeeding')]
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from trialdesk.protocol.values import Criterion
from trialdesk.registry.parsing.letters import LOWER_KEEPS, fold_to_ascii
from trialdesk.registry.parsing.spelling import can_spell, read_pattern_pieces

INCLUSION: Final = "inclusion"
EXCLUSION: Final = "exclusion"
WITHDRAWAL: Final = "withdrawal"

_I: Final = re.IGNORECASE

# --------------------------------------------------------------------------------------------------- splitting

_ESCAPE: Final = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>=^~|&:;'\"$%])")
_MARKER: Final = re.compile(
    r"(?:(?P<bullet>[*•·▪●◦○■□➢►\-–—+o])(?=\s)|\((?P<pnum>\d{1,2})\)|(?P<num>\d{1,2})[.)、．）](?!\d)"
    r"|(?P<roman>(?:ii|iii|iv|vi|vii|viii|ix|x))[.)](?=\s)|\((?P<palpha>[a-z])\)|(?P<alpha>[a-z])[.)](?=\s)"
    r"|(?P<circled>[\u2460-\u2473]))[ \t]*",
    _I,
)
_HEADING_KINDS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"\b(?:rejection|cessation|withdrawal|discontinuation|termination|stopping)\b", _I), WITHDRAWAL),
    (re.compile(r"\bexclu", _I), EXCLUSION),
    (re.compile(r"\binclu|\beligib|\bmust\s+meet\b", _I), INCLUSION),
)
_NAMED_HEADING: Final = re.compile(
    r"[\s*#_>]*(?P<head>(?:(?:key|main|additional|general|other)\s+)?(?:inclusion|exclusion|eligibility|rejection"
    r"|cessation|withdrawal|discontinuation|termination|stopping)\s+criteri(?:a|on))\b[\s*#_]*"
    r"(?:[:：][\s*#_]*(?P<rest>.*))?$",
    _I,
)
_SPLIT_CUE: Final = re.compile(
    r"\b(?:functions?|laborator\w*|lab|values?|ha?ematolog\w*|organs?|marrow|renal|hepatic|liver|kidney|coagulation"
    r"|biochem\w*|blood|cardiac|heart|defined|follows|determined|demonstrated|evidenced|criteria|requirements?"
    r"|standards?|parameters?|limits?)\b",
    _I,
)
_CARVE_OUT_CUE: Final = re.compile(
    r"\b(?:except\w*|exceptions?|allowed|permitted|unless|excluding|not\s+apply|may)\b", _I
)
_EVERY_CUE: Final = {
    INCLUSION: re.compile(r"\ball\s+(?:of\s+)?the\s+following\b", _I),
    EXCLUSION: re.compile(r"\b(?:any|one\s+or\s+more)\s+of\s+the\s+following\b", _I),
}
_MERGE_CUE: Final = re.compile(r"\b(?:if|when|such\s+as|e\.g|including|apply)\b", _I)
_POINTER: Final = re.compile(r"\bfollowing\b.*\bcriteri", _I)
_ENDS_WITH_OR: Final = re.compile(r"\b(?:or|and/or)\W*$", _I)
_PARAGRAPH_MARK: Final = re.compile(r"[()\[\]（）;；]")
_ALNUM: Final = re.compile(r"[^\W_]")  # a letter or digit, as str.isalnum reads one
_MAX_DEPTH: Final = 8  # deeper indentation is read as the same level (registry lists nest 3 deep at most)
_SEQUENCE: Final = re.compile(r"(\(?)(\d{1,2}|[a-z])([.)、．）]?)", _I)
_ALTERNATIVE_CUE: Final = re.compile(r"\b(?:any|one|either|at\s+least\s+one)\s+of\b|\beither\b", _I)
_ALL_CUE: Final = re.compile(r"\b(?:all|both)\s+of\b", _I)
_QUALIFIER_START: Final = re.compile(
    r"(?:for|if|unless|except|in|when|whichever|or|and|but|which|including|excluding|e\.g|i\.e|note|otherwise"
    r"|with|without)\b",
    _I,
)


@dataclass(slots=True)
class _Node:
    """One line of the eligibility text (content span without its marker) and the lines indented under it."""

    kind: str
    indent: int
    marked: bool
    style: str
    start: int
    end: int
    sequence: tuple[str, str, str] | None
    children: list[_Node] = field(default_factory=list)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def _read_heading(line: str, indent: int) -> tuple[str, str] | None:
    """(kind, rest of the line) for a heading line; kind "" is a label that keeps the current kind."""
    named = _NAMED_HEADING.match(line)
    if named:
        return _heading_kind(named.group("head")) or INCLUSION, named.group("rest") or ""
    bare = line.strip().strip("*_#").strip()
    if not bare.endswith((":", "：")):
        return None
    words = len(bare.split())
    kind = _heading_kind(bare)
    criteria_like = re.search(r"criteri|\bexcluded\b", bare, _I) is not None
    if kind and ((criteria_like and words <= 20) or words <= 3):
        return kind, ""
    if not kind and indent == 0 and words <= 5 and not re.search(r"\d", bare):
        return "", ""
    return None


def _heading_kind(text: str) -> str:
    return next((kind for pattern, kind in _HEADING_KINDS if pattern.search(text)), "")


def _read_line(clean: str, start: int, line: str, kind: str) -> _Node:
    """The node for ``line`` (``clean[start:]``, right-stripped): indentation, list markers stripped, sequence start."""
    end = start + len(line)
    if line[:1].isspace():
        stripped = line.lstrip()
        margin = line[: len(line) - len(stripped)]
        indent = len(margin) + 3 * margin.count("\t")  # a tab counts 4
        body = start + len(margin)
    else:
        indent, body = 0, start
    style, sequence = "", None
    for _ in range(2):
        mark = _MARKER.match(clean, body, end)
        if not mark:
            break
        group = mark.lastgroup or "bullet"
        style = style or group
        if group in ("num", "pnum", "alpha", "palpha") and (token := _SEQUENCE.fullmatch(mark.group(0).strip())):
            sequence = (token.group(1), token.group(2), token.group(3))
        body = mark.end()
    return _Node(kind, indent, bool(style), style, body, end, sequence)


def _is_parent(parent: _Node, node: _Node, clean: str) -> bool:
    if node.indent > parent.indent:
        return True
    colon = clean.endswith((":", "："), parent.start, parent.end)
    same_level = colon and node.indent == parent.indent and node.marked
    return same_level and (not parent.marked or node.style != parent.style)


def _build_tree(clean: str) -> list[_Node]:
    roots: list[_Node] = []
    stack: list[_Node] = []
    kind, pos = INCLUSION, 0
    for raw in clean.split("\n"):
        line = raw.rstrip()
        start, end = pos, pos + len(line)
        pos += len(raw) + 1
        if not line.strip():
            continue
        node = _read_line(clean, start, line, kind)
        heading = None if node.marked else _read_heading(line, node.indent)
        if heading is not None:
            stack.clear()
            kind = heading[0] or kind
            if not heading[1].strip():
                continue
            node = _Node(kind, 0, False, "", end - len(heading[1]), end, None)
        while stack and (len(stack) >= _MAX_DEPTH or not _is_parent(stack[-1], node, clean)):
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _splits_children(node: _Node, clean: str) -> bool:
    """Whether the lines under ``node`` are criteria of their own (a list of requirements) or part of it."""
    own = clean[node.start : node.end]
    if not own.endswith((":", "：")) and not all(child.marked for child in node.children):
        return False  # continuation paragraphs
    if _CARVE_OUT_CUE.search(own) or any(_ENDS_WITH_OR.search(clean[c.start : c.end]) for c in node.children):
        return False
    every = _EVERY_CUE.get(node.kind)
    if every is not None and every.search(own):
        return True
    if _MERGE_CUE.search(own) or (_ALTERNATIVE_CUE if node.kind == INCLUSION else _ALL_CUE).search(own):
        return False
    return _SPLIT_CUE.search(own) is not None


def _last_end(node: _Node) -> int:
    return _last_end(node.children[-1]) if node.children else node.end


def _next_marker(opening: str, value: str, closing: str) -> tuple[str, str]:
    """The value after ``value`` and a pattern for its marker in the same style ("1." → "2.", "(a)" → "(b)")."""
    after = str(int(value) + 1) if value.isdigit() else chr(ord(value) + 1)
    if opening:
        return after, rf"\(\s*{re.escape(after)}\s*\)"
    if closing in ("", ".", "．"):
        return after, rf"{re.escape(after)}\s*[.．](?!\d)"
    return after, rf"{re.escape(after)}\s*{re.escape(closing)}"


def _split_run_together(clean: str, node: _Node) -> list[tuple[int, int]]:
    """Spans of a list numbered on one line: each next marker, in the first one's style, after ``;`` or ``.``."""
    spans: list[tuple[int, int]] = []
    piece = pos = node.start
    opening, value, closing = node.sequence or ("", "0", ".")
    while True:
        value, marker = _next_marker(opening, value, closing)
        # the marker holds the next value as written: a line without it has no next marker
        present = value.isalnum() and clean.find(value, pos, node.end) >= 0
        found = re.compile(rf"[;；.。]\s*{marker}\s*").search(clean, pos, node.end) if present else None
        if not found:
            break
        spans.append((piece, found.start() + (1 if clean[found.start()] in ".。" else 0)))
        piece = pos = found.end()
    spans.append((piece, node.end))
    return spans


def _split_paragraph(clean: str, node: _Node) -> list[tuple[int, int]]:
    """Spans of an unbulleted paragraph split at top-level ``;``; a piece starting with a qualifier stays joined."""
    spans: list[tuple[int, int]] = []
    depth, piece = 0, node.start
    for mark in _PARAGRAPH_MARK.finditer(clean, node.start, node.end):  # only brackets and semicolons count
        char, pos = mark.group(), mark.start()
        depth += (char in "([（") - (char in ")]）")
        if char in ";；" and depth <= 0:
            spans.append((piece, pos))
            piece = pos + 1
    spans.append((piece, node.end))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and _QUALIFIER_START.match(clean[start:end].lstrip()):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _emit(clean: str, node: _Node, top: bool, out: list[tuple[str, str]]) -> None:
    """Append ``node``'s criteria (and, for a list of requirements, its children's) to ``out``."""
    splits = bool(node.children) and _splits_children(node, clean)
    if splits and _POINTER.search(clean[node.start : node.end]):
        spans = []  # "... meet all of the following criteria:" only points at its list
    elif splits:
        spans = [(node.start, node.end)]
    elif node.children:
        spans = [(node.start, _last_end(node))]
    elif node.sequence is not None:
        spans = _split_run_together(clean, node)
    elif top and not node.marked:
        spans = _split_paragraph(clean, node)
    else:
        spans = [(node.start, node.end)]
    for start, end in spans:
        text = clean[start:end].strip().lstrip(".;；,，:-*•").strip().rstrip(";；,，").rstrip()
        if _ALNUM.search(text):
            out.append((node.kind, text))
    if splits:
        for child in node.children:
            _emit(clean, child, False, out)


def split_criteria(text: str) -> list[tuple[str, str]]:
    """Split an eligibility text into ``(kind, criterion text)``; kind is inclusion, exclusion or withdrawal.

    Example:
        >>> split_criteria("Inclusion Criteria:\\n\\n* Hb ≥ 10.0 g/dL\\n\\nExclusion Criteria:\\n\\n"
        ...                "* 1\\\\. Diabetes; 2. ALT > 1.5 × ULN; 3. Other\\n\\nRejection Criteria:\\n\\nmisdiagnosis")
        [('inclusion', 'Hb ≥ 10.0 g/dL'), ('exclusion', 'Diabetes'), ('exclusion', 'ALT > 1.5 × ULN'), \
('exclusion', 'Other'), ('withdrawal', 'misdiagnosis')]
    """
    clean = _unescape(text)
    out: list[tuple[str, str]] = []
    for root in _build_tree(clean):
        _emit(clean, root, True, out)
    return out


# ------------------------------------------------------------------------------------------ classification

_NUM: Final = r"(?:(?<![\d.])\d+(?:\.\d+)?)"
_VALUE: Final = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![.,]\d)"
_SUPERSCRIPT: Final = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SYMBOLS: Final[tuple[tuple[str, str], ...]] = (
    ("≥", ">="), ("⩾", ">="), ("≧", ">="), ("≤", "<="), ("⩽", "<="), ("≦", "<="), ("＞", ">"), ("＜", "<"),
    ("＝", "="), ("（", "("), ("）", ")"), ("：", ":"), ("；", ";"), ("，", ","), ("、", ","), ("–", "-"), ("—", "-"),
    ("－", "-"), ("～", "-"), ("~", "-"), ("×", " x "), ("µ", "u"), ("μ", "u"), ("\u00a0", " "),
)  # fmt: skip
# one pass for every symbol (each is one character, and no replacement holds another symbol)
_SYMBOL_TABLE: Final[dict[str, str]] = {
    **dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789", strict=True)),
    **dict(_SYMBOLS),
}
# a regex finds the few symbols in a text much faster than str.translate with a dict walks every character
_SYMBOL: Final = re.compile("[" + re.escape("".join(_SYMBOL_TABLE)) + "]")


def _read_symbol(match: re.Match[str]) -> str:
    return _SYMBOL_TABLE[match.group()]


# Each phrase with the lower-case words one of which every match contains: a text without any is not searched (the
# replacements never create one of the words a later phrase needs, so checking the text once gives the same result).
_PHRASES: Final[tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...]] = tuple(
    (re.compile(pattern, _I), replacement, keywords)
    for pattern, replacement, keywords in (
        (r"\byears?[-\s]old\b", "years old", ("old",)),
        (r"([<>])\s*=", r"\1=", ("=",)),
        (r"=\s*>", ">=", ("=",)),
        (r"=\s*<", "<=", ("=",)),
        (rf"({_NUM})\s*(years?|yrs?|months?)?(\s*old|\s*of\s+age)?\s*(?:or|and)\s+(?:older|over|above|more)\b",
         r">= \1 \2\3", ("older", "over", "above", "more")),
        (rf"({_NUM})\s*(years?|yrs?|months?)?(\s*old|\s*of\s+age)?\s*(?:or|and)\s+(?:younger|under|below|less)\b",
         r"<= \1 \2\3", ("younger", "under", "below", "less")),
        (r"\b(?:greater|more|higher|larger|older)\s+than\s+or\s+equal\s+to\b|\bequal\s+to\s+or\s+(?:greater|more"
         r"|higher)\s+than\b|\b(?:not|no)\s+(?:less|lower|fewer|younger)\s+than\b|\bat\s+least\b", ">=",
         ("than", "least")),
        (r"\b(?:less|lower|fewer|younger|smaller)\s+than\s+or\s+equal\s+to\b|\bequal\s+to\s+or\s+(?:less|lower)"
         r"\s+than\b|\b(?:not|no)\s+(?:more|greater|higher|older)\s+than\b|\bat\s+most\b|\bup\s+to\b"
         r"|\bnot\s+exceed(?:ing)?\b", "<=", ("than", "most", "up", "exceed")),
        (r"\b(?:greater|more|higher|larger|older)\s+than\b|\bexceed(?:s|ing)?\b|\babove\b|\bover\b", ">",
         ("than", "exceed", "above", "over")),
        (r"\b(?:less|lower|fewer|younger|smaller)\s+than\b|\bbelow\b|\bunder\b", "<", ("than", "below", "under")),
        (r"\btimes\b|-fold\b", " x ", ("times", "fold")),
    )
)  # fmt: skip
_FILLER_WORDS: Final = (
    "a an the of with who whose which that is are was were be being been has have having had must should shall "
    "will to in at on for as and or both also patient patients subject subjects participant participants "
    "volunteer volunteers people person persons individual individuals those them they women woman men man female "
    "females male males mothers adult adults child children pediatric paediatric year years old aged age ages "
    "baseline screening visit time entry enrollment enrolment study score scores index level levels value values "
    "count counts concentration serum blood plasma total test tests testing result results serology serological "
    "laboratory lab known documented confirmed evidence present presence inclusive inclusion range i e ie s "
    "currently current measured"
)
_FILLER: Final = frozenset(_FILLER_WORDS.split())
_TOKEN: Final = re.compile(r"[^\W_]+|[<>=]")


@dataclass(frozen=True)
class _Fact:
    """A recognised piece of a criterion: its span in the normalised text and the condition it states."""

    start: int
    end: int
    expression: str
    trivial: bool = False


_WHITESPACE: Final = re.compile(r"\s+")
_POWER: Final = re.compile(r"10([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_Builder = Callable[[re.Match[str], str], tuple[str, int] | None]


def _unify_symbols(text: str) -> str:
    """The text with one space for any whitespace and symbols (≥, ×, µ, superscript powers …) written in ASCII."""
    if "  " in text or not text.isprintable():  # every whitespace character but the space is unprintable
        text = _WHITESPACE.sub(" ", text)
    if not text.isascii():
        text = _POWER.sub(lambda m: "10^" + m.group(1).translate(_SUPERSCRIPT), text)
        text = _SYMBOL.sub(_read_symbol, text)
    elif "~" in text:  # the one ASCII symbol
        text = text.replace("~", "-")
    return text


def _unify_phrases(text: str) -> str:
    """The text with comparison phrases ("not less than", "18 years or older", "times") written as operators."""
    lowered = "" if any(odd in text for odd in LOWER_KEEPS) else text.lower()
    for pattern, replacement, keywords in _PHRASES:
        for word in keywords:
            if word in lowered:
                break
        else:
            if lowered:
                continue
        text = pattern.sub(replacement, text)
    return text


def _normalise(text: str) -> str:
    """The text as the rules read it: one space for any whitespace, symbols and comparison phrases made uniform.

    Example:
        >>> _normalise("ALT  ≤ 2.5 times ULN, age not less than 18 years")
        'ALT <= 2.5  x  ULN, age >= 18 years'
    """
    return _unify_phrases(_unify_symbols(text))


def _format(number: float) -> str:
    rounded = round(number, 3)
    return str(int(rounded)) if rounded == int(rounded) else repr(rounded)


def _join(terms: list[str], joiner: str) -> str:
    unique = list(dict.fromkeys(terms))
    if len(unique) == 1:
        return unique[0]
    other = " or " if joiner == "and" else " and "
    return f" {joiner} ".join(f"({t})" if other in t else t for t in unique)


# age ---------------------------------------------------------------------------------------------------------

_AGE_WORD: Final = r"\bage[ds]?\b"
_AGE_UNIT: Final = r"(?:years?|yrs?|months?)\b"
_OLD: Final = r"(?:\s*(?:old|of\s+age))?"
_SECOND: Final = rf"(?:\s*(?P<join>and|or|,)?\s*(?P<op2>[<>]=?)\s*(?P<b>{_NUM})\s*(?P<bu>{_AGE_UNIT})?{_OLD})?"
_AGE_PATTERNS: Final = (
    rf"(?P<a>{_NUM})\s*(?P<au>{_AGE_UNIT})?{_OLD}\s*(?P<op1><=?)\s*age\b\s*(?P<op2><=?)\s*(?P<b>{_NUM})"
    rf"\s*(?P<bu>{_AGE_UNIT})?{_OLD}",
    rf"{_AGE_WORD}\s*(?:range\s*)?:?\s*(?:(?:of|between|from|is)\s+)?(?P<a>{_NUM})\s*(?P<au>{_AGE_UNIT})?{_OLD}"
    rf"\s*(?:-|to|and)\s*(?P<b>{_NUM})\s*(?P<bu>{_AGE_UNIT})?{_OLD}(?:\s*\(?inclusive\)?)?",
    rf"(?:\b(?:between|from)\s+)?(?P<a>{_NUM})\s*(?P<au>{_AGE_UNIT})?\s*(?:-|to|and)\s*(?P<b>{_NUM})\s*"
    rf"(?P<bu>{_AGE_UNIT}){_OLD}(?:\s*\(?inclusive\)?)?",
    rf"{_AGE_WORD}\s*(?:of\s+)?:?\s*(?P<op>[<>]=?)\s*(?P<a>{_NUM})\s*(?P<au>{_AGE_UNIT})?{_OLD}{_SECOND}",
    rf"(?P<op>[<>]=?)\s*(?P<a>{_NUM})\s*(?P<au>{_AGE_UNIT}){_OLD}{_SECOND}",
)


def _build_age(match: re.Match[str], kind: str) -> tuple[str, int] | None:
    groups = match.groupdict()
    unit_a = groups.get("au") or groups.get("bu") or "years"
    unit_b = groups.get("bu") or unit_a

    def years(value: str, unit: str) -> float:
        return float(value) / (12 if unit.lower().startswith("month") else 1)

    bounds: list[tuple[str, float]] = []
    if groups.get("op1"):
        bounds.append((">" if groups["op1"] == "<" else ">=", years(groups["a"], unit_a)))
    elif groups.get("op"):
        bounds.append((groups["op"], years(groups["a"], unit_a)))
    else:
        bounds.append((">=", years(groups["a"], unit_a)))
    if groups.get("b"):
        bounds.append((groups.get("op2") or "<=", years(groups["b"], unit_b)))
    if not all(0 <= value <= 120 for _, value in bounds):
        return None
    joiner = "or" if (groups.get("join") or "").lower() == "or" else "and"
    return _join([f"age_years {op} {_format(value)}" for op, value in bounds], joiner), match.end()


# sex, pregnancy, serology, proteinuria, CKD, washout -------------------------------------------------------------

_MEN, _WOMEN = r"(?:males?|men)", r"(?:females?|women|woman)"
_SEX_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    (
        rf"\b(?:{_MEN}\s*(?:and/or|or|and|/|&)\s*{_WOMEN}|{_WOMEN}\s*(?:and/or|or|and|/|&)\s*{_MEN}"
        r"|both\s+(?:genders|sexes)|(?:all|any|either)\s+(?:sexes|sex|genders?)|(?:regardless|irrespective)\s+of\s+"
        r"(?:sex|gender)|(?:gender|sex)\s*:?\s*(?:all|both|unlimited|not\s+limited))\b",
        "",
    ),
    (rf"\b(?:{_WOMEN}(?:\s+(?:patients|subjects|participants))?\s+only|only\s+{_WOMEN}|(?:gender|sex)\s*:?\s*"
     rf"{_WOMEN})\b", "female"),
    (rf"\b(?:{_MEN}(?:\s+(?:patients|subjects|participants))?\s+only|only\s+{_MEN}|(?:gender|sex)\s*:?\s*{_MEN})\b",
     "male"),
)  # fmt: skip


_FUNCTION_LABEL: Final = (
    r"^\s*(?:adequate\s+|normal\s+)?(?:liver|hepatic|renal|kidney|bone\s+marrow|ha?ematolog(?:ic|ical|y)|coagulation)"
    r"\s+functions?\s*:"
)


def _build_label(match: re.Match[str], kind: str) -> tuple[str, int] | None:
    return "", match.end()


def _sex_builder(sex: str) -> _Builder:
    def build(match: re.Match[str], kind: str) -> tuple[str, int] | None:
        return (f'sex == "{sex}"' if sex else 'sex == "female" or sex == "male"'), match.end()

    return build


_PLAN: Final = (
    r"(?:planning|plans?|planned|intend(?:s|ing)?|wish(?:es|ing)?|willing|wants?|wanting|desir(?:e|es|ing))\s+"
    r"(?:to\s+)?(?:become\s+pregnant|get\s+pregnant|(?:a\s+)?pregnancy|have\s+(?:a\s+)?(?:baby|child|children)"
    r"|conceive)(?:\s+(?:in|within|during)\s+(?:the\s+)?(?:next\s+(?:year|\d+\s+(?:months?|years?))"
    r"|study(?:\s+(?:period|duration))?|trial(?:\s+period)?))?"
)
_PREGNANCY_TERMS: Final = re.compile(
    rf"(?P<planning_pregnancy>{_PLAN})|(?P<pregnant>pregnan(?:t|cy))|"
    r"(?P<breastfeeding>breast[-\s]?feed(?:ing|s)?|lactat(?:ing|ion)|nursing)",
    _I,
)
_PREGNANCY_TERM: Final = (
    rf"(?:{_PLAN}|pregnan(?:t|cy)(?!\s+tests?)|breast[-\s]?feed(?:ing|s)?|lactat(?:ing|ion)|nursing)"
)
_PREGNANCY_SEP: Final = (
    r"(?:\s|,|;|/|\b(?:or|and|women|woman|females?|patients|subjects|participants|those|who|are|is|currently)\b)+"
)
_NOT: Final = r"(?:\bnot\s+|\bnon-?\s*)?"
_PREGNANCY: Final = rf"{_NOT}{_PREGNANCY_TERM}(?:{_PREGNANCY_SEP}{_NOT}{_PREGNANCY_TERM}){{0,6}}"


def _build_pregnancy(match: re.Match[str], kind: str) -> tuple[str, int] | None:
    names = [term.lastgroup or "" for term in _PREGNANCY_TERMS.finditer(match.group(0))]
    condition = _join(names, "or")
    if re.search(r"\bnot?\b|\bnon\b", match.group(0), _I):
        condition = f"not ({condition})" if " " in condition else f"not {condition}"
    return condition, match.end()


_SEROLOGY_TESTS: Final = re.compile(
    r"\b(?:(?P<hbsag>hbsag|hbs\s*ag|hepatitis\s+b\s+surface\s+antigen(?:\s*\(hbsag\))?|hepatitis\s+b(?:\s+virus)?"
    r"(?:\s*\(hbv\))?|hbv)|(?P<anti_hcv>anti-?\s*hcv(?:\s+antibody)?|hcv(?:\s+(?:antibody|ab))?|hepatitis\s+c"
    r"(?:\s+virus)?(?:\s+antibody)?(?:\s*\(hcv\))?)|(?P<anti_hiv>anti-?\s*hiv(?:\s*-?\s*1/2|\s*-?\s*1)?|hiv"
    r"(?:\s*-?\s*1/2|\s*-?\s*1)?(?:\s+(?:antibody|ab))?|human\s+immunodeficiency\s+virus(?:\s*\(hiv\))?)"
    r"|(?P<tp_ab>tp-?\s*ab|syphilis(?:\s+antibody)?|treponema\s+pallidum(?:\s+antibody)?(?:\s*\(tp-?\s*ab\))?))"
    r"(?![a-z0-9])",
    _I,
)
_TEST: Final = re.sub(r"\(\?P<\w+>", "(?:", _SEROLOGY_TESTS.pattern)
_LIST_SEP: Final = r"\s*(?:,\s*(?:(?:and|or)\s+)?|/\s*|\band/or\s+|\band\s+|\bor\s+)"
_TESTS: Final = rf"(?P<list>{_TEST}(?:{_LIST_SEP}{_TEST}){{0,12}})"
_SEROLOGY_PATTERNS: Final = (
    rf"(?:serolog(?:y|ical)\s+(?:tests?|markers?|results?)\s*(?:for\s+)?)?\(?\s*{_TESTS}\s*\)?\s*(?:(?:tests?|serology"
    r"|antibod(?:y|ies)|results?)\s*)?(?:(?:is|are|was|were|:)\s*)?(?P<pol>positive|negative)\b",
    rf"(?P<pol>positive|negative)\s+(?:(?:serolog(?:y|ical)|tests?|results?|screening|antibod(?:y|ies))\s+)*"
    rf"(?:(?:for|to)\s+)?\(?\s*{_TESTS}\s*\)?",
    rf"(?:(?:evidence\s+of|known|documented)\s+)?(?:infection|infected)\s+(?:with|by)\s+{_TESTS}",
    rf"{_TESTS}\s+infections?\b",
)


def _build_serology(match: re.Match[str], kind: str) -> tuple[str, int] | None:
    result = (match.groupdict().get("pol") or "positive").lower()
    names = [test.lastgroup or "" for test in _SEROLOGY_TESTS.finditer(match.group("list"))]
    return _join([f'{name} == "{result}"' for name in names], "or" if result == "positive" else "and"), match.end()


def _result_builder(name: str) -> _Builder:
    def build(match: re.Match[str], kind: str) -> tuple[str, int] | None:
        word = (match.groupdict().get("pol") or match.groupdict().get("pol2") or "positive").lower()
        result = "negative" if word in ("negative", "absent") else "positive"
        return f'{name} == "{result}"', match.end()

    return build


_INFECTION_SCREENING: Final = (
    r"(?P<pol>positive|negative)\s+(?:for\s+)?(?:infectious\s+diseases?|infection)\s+screening\b"
    r"|(?:infectious\s+diseases?|infection)\s+screening\s+(?:(?:is|was)\s+)?(?P<pol2>positive|negative)\b"
)
_PROTEINURIA: Final = (
    r"(?:(?P<pol>positive|negative)\s+proteinuria|proteinuria\s+(?:(?:is|was)\s+)?(?P<pol2>positive|present|negative"
    r"|absent)|presence\s+of\s+proteinuria)(?:\s*,?\s*(?:with\s+or\s+without|or\s+combined(?:\s+with)?|with|or)\s+"
    r"(?:combined\s+)?ha?ematuria)?"
)
_ROMAN: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_STAGE: Final = r"(?:iv|v|i{1,3}|[1-5])(?![a-z0-9])"
_CKD_NAME: Final = r"(?:chronic\s+kidney\s+disease|ckd)(?:\s*\(ckd\))?"
_STAGES: Final = rf"(?P<a>{_STAGE})(?:\s*(?P<sep>-|to|or|and|,)\s*(?P<b>{_STAGE}))?"
_CKD_PATTERNS: Final = (
    rf"\b{_CKD_NAME}\s*(?:stages?)?\s*:?\s*{_STAGES}(?:\s*stages?)?",
    rf"\bstages?\s*{_STAGES}\s*{_CKD_NAME}",
)


def _build_ckd(match: re.Match[str], kind: str) -> tuple[str, int] | None:
    def stage(text: str) -> int:
        return int(text) if text.isdecimal() else _ROMAN.get(text.lower(), 0)

    low = stage(match.group("a"))
    high = stage(match.group("b")) if match.group("b") else low
    listed = (match.group("sep") or "-").lower() not in ("-", "to")
    if not 1 <= low <= high <= 5 or (listed and high - low > 1):
        return None
    if low == high:
        return f"ckd_stage == {low}", match.end()
    if low == 1:
        return f"ckd_stage <= {high}", match.end()
    if high == 5:
        return f"ckd_stage >= {low}", match.end()
    return f"ckd_stage >= {low} and ckd_stage <= {high}", match.end()


_WORD_NUMBERS: Final = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirty": 30,
}  # fmt: skip
_DAYS_PER: Final = {"day": 1, "week": 7, "month": 30, "year": 365}
_TREATMENT: Final = r"(?:treatments?|therap(?:y|ies)|medications?|drugs?|agents?)"
_WASHOUT_CATEGORIES: Final = re.compile(
    rf"(?P<systemic_treatment>systemic\s+{_TREATMENT})|(?P<topical_treatment>topical\s+{_TREATMENT})"
    r"|(?P<trial_participation>(?:participation|participat(?:ed|ing)|enrol(?:l)?(?:ment|ed))\s+in\s+"
    r"(?:(?:any|an|other|another|a)\s+)*(?:interventional\s+)?(?:clinical\s+)?(?:trials?|stud(?:y|ies)))"
    rf"|(?P<investigational_product>(?:(?:use|receipt)\s+of\s+)?(?:(?:any|an|other)\s+)?investigational\s+"
    rf"(?:products?|medicinal\s+products?|{_TREATMENT}))",
    _I,
)
_ANCHOR: Final = (
    r"(?:baseline(?:\s+visit)?|screening(?:\s+visit)?|enrol(?:l)?ment|randomi[sz]ation|study\s+(?:entry|start"
    r"|enrol(?:l)?ment|treatment|drug|intervention)|first\s+(?:dose|administration|infusion|treatment)(?:\s+of\s+"
    r"(?:the\s+)?(?:study\s+)?(?:drug|treatment|intervention|medication))?|treatment|infusion|inclusion|entry"
    r"|(?:signing\s+(?:the\s+)?)?informed\s+consent(?:\s+form)?)"
)
_CATEGORY: Final = re.sub(r"\(\?P<\w+>", "(?:", _WASHOUT_CATEGORIES.pattern)
_WASHOUT: Final = (
    r"(?P<neg>\b(?:no|not|without)\s+)?(?:(?:received|receiving|use\s+of|treatment\s+with|prior|previous|other)\s+)*"
    rf"(?P<cat>{_CATEGORY})"
    r"\s*(?:within|(?:in|during)\s+the\s+(?:past|last|previous|preceding))\s+(?:the\s+)?"
    r"(?:(?:past|last|previous|preceding)\s+)?(?P<n>\d{1,4}|" + "|".join(_WORD_NUMBERS) + r")\s*"
    r"(?P<u>day|week|month|year)s?\b"
    rf"(?:\s*(?:before|prior\s+to|of|preceding)\s+(?:the\s+)?{_ANCHOR})?"
)


def _build_washout(match: re.Match[str], kind: str) -> tuple[str, int] | None:
    category = _WASHOUT_CATEGORIES.match(match.group("cat"))
    count = match.group("n").lower()
    number = int(count) if count.isdecimal() else _WORD_NUMBERS.get(count, 0)
    days = number * _DAYS_PER.get(match.group("u").lower(), 0)
    if category is None or days <= 0:
        return None
    operator = ">=" if match.group("neg") else "<"
    return f"days_since_{category.lastgroup} {operator} {days}", match.end()


# scores and laboratory thresholds -------------------------------------------------------------------------------

_COUNT_UNITS: Final = (
    (r"x\s*10\s*\^?\s*9\s*/\s*l|x\s*109\s*/\s*l|10\s*\^\s*9\s*/\s*l|x\s*10e9\s*/\s*l|g\s*/\s*l", 1.0),
    (r"x\s*10\s*\^?\s*3\s*/\s*(?:u|mc)l|x\s*103\s*/\s*(?:u|mc)l|k\s*/\s*(?:u|mc)l", 1.0),
    (r"(?:cells\s*)?/\s*(?:mm\s*\^?\s*3|(?:u|mc)l|cubic\s+mm)", 0.001),
)


@dataclass(frozen=True)
class _Analyte:
    """A score or laboratory value: form field, how texts name it, units (regex, factor to the field's unit)."""

    key: str
    names: str
    units: tuple[tuple[str, float], ...]
    plausible: tuple[float, float]
    uln: bool = True
    ranged: bool = False


_ANALYTES: Final = (
    _Analyte("pasi", r"pasi|psoriasis\s+area\s+(?:and|&)\s+severity\s+index", (), (0, 72), uln=False, ranged=True),
    _Analyte(
        "ecog",
        r"ecog(?:\s+(?:performance\s+(?:status|score)|ps|score))?|eastern\s+cooperative\s+oncology\s+group(?:\s*\(ecog\))?"
        r"(?:\s+performance\s+status)?",
        (),
        (0, 5),
        uln=False,
        ranged=True,
    ),
    _Analyte(
        "egfr",
        r"e?gfr|(?:estimated\s+)?glomerular\s+filtration\s+rate",
        ((r"ml\s*/\s*min(?:ute)?\s*(?:/|\.|per|\s)\s*1\.73\s*(?:m\s*\^?\s*2|m2)", 1.0), (r"ml\s*/\s*min(?:ute)?", 1.0)),
        (5, 200),
        uln=False,
    ),
    _Analyte(
        "crcl",
        r"creatinine\s+clearance(?:\s+rate)?|crcl|ccr",
        ((r"ml\s*/\s*min(?:ute)?(?:\s*(?:/|per)\s*1\.73\s*m\s*\^?\s*2)?", 1.0),),
        (5, 200),
        uln=False,
    ),
    _Analyte("alt", r"alt|alat|sgpt|alanine\s+(?:amino)?transferase|alanine\s+transaminase", ((r"i?u\s*/\s*l", 1.0),),
             (1, 2000)),
    _Analyte("ast", r"ast|asat|sgot|aspartate\s+(?:amino)?transferase|aspartate\s+transaminase",
             ((r"i?u\s*/\s*l", 1.0),), (1, 2000)),
    _Analyte("bilirubin", r"(?:total\s+)?bilirubin|tbil|tbili",
             ((r"mg\s*/\s*dl", 1.0), (r"umol\s*/\s*l", 1 / 17.1)), (0.1, 30)),
    _Analyte("creatinine", r"(?:serum\s+)?creatinine|scr", ((r"mg\s*/\s*dl", 1.0), (r"umol\s*/\s*l", 1 / 88.4)),
             (0.1, 20)),
    _Analyte("platelets", r"platelets?(?:\s+counts?)?|plt", _COUNT_UNITS, (1, 2000)),
    _Analyte("anc", r"absolute\s+neutrophil\s+counts?|anc|neutrophils?(?:\s+counts?)?", _COUNT_UNITS, (0.1, 50)),
    _Analyte("wbc", r"white\s+blood\s+cells?(?:\s+counts?)?|wbc|leu[ck]ocytes?(?:\s+counts?)?", _COUNT_UNITS,
             (0.5, 100)),
    _Analyte("hemoglobin", r"ha?emoglobin|hgb|hb",
             ((r"g\s*/\s*dl", 1.0), (r"g\s*/\s*l", 0.1), (r"mmol\s*/\s*l", 1.611)), (3, 25)),
    _Analyte("inr", r"inr|international\s+normali[sz]ed\s+ratio", (), (0.5, 10)),
    _Analyte("albumin", r"(?:serum\s+)?albumin|alb", ((r"g\s*/\s*dl", 1.0), (r"g\s*/\s*l", 0.1)), (1, 7)),
    _Analyte("lvef", r"left\s+ventricular\s+ejection\s+fraction(?:\s*\(lvef\))?|lvef", ((r"%", 1.0),), (5, 90),
             uln=False),
    _Analyte("bmi", r"bmi|body\s+mass\s+index", ((r"kg\s*/\s*m\s*\^?\s*2", 1.0),), (10, 80), uln=False),
)  # fmt: skip
_BY_FIELD: Final = {analyte.key: analyte for analyte in _ANALYTES}
_ABBREVIATION: Final = r"(?:\s*\([a-z0-9 /\-]{1,15}\))?"
_ANALYTE_NAMES: Final = re.compile(
    r"\b(?:" + "|".join(f"(?P<{a.key}>{a.names})" for a in _ANALYTES) + rf")(?![a-z0-9]){_ABBREVIATION}", _I
)
_NAME: Final = r"\b(?:" + "|".join(a.names for a in _ANALYTES) + rf")(?![a-z0-9]){_ABBREVIATION}"
_LAB_LIST: Final = rf"(?P<list>{_NAME}(?:{_LIST_SEP}{_NAME}){{0,8}})"
_GAP: Final = r"(?:\s|[:,]|\b(?:levels?|counts?|values?|concentrations?|score|of|is|are|must|should|be|serum|total)\b)*"
_THRESHOLD: Final = rf"{_LAB_LIST}{_GAP}(?P<op><=|>=|<|>|=)\s*(?P<num>{_VALUE})"
_RANGE: Final = rf"{_LAB_LIST}{_GAP}(?P<values>{_VALUE}(?:\s*(?:-|to|or|,\s*or|,)\s*{_VALUE})+)"
_ULN: Final = re.compile(
    r"\s*(?:[x*]\s*)?(?:the\s+)?(?:institutional\s+)?(?:uln|unl|upper\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+range)?"
    r"(?:\s*\((?:uln|unl)\))?|upper\s+normal\s+limit)(?![a-z])",
    _I,
)
_UNIT_LIKE: Final = re.compile(
    r"\s*(?:[\d%/]|x\s*10|[a-z]+\s*/|(?:mg|g|gm|u|iu|mmol|umol|mol|ml|mm|cells|k|l|ms|kg|ng|pg|mcg|ug)\b)", _I
)


def _number(text: str) -> float:
    value = float(text.replace(",", ""))
    return value if math.isfinite(value) else -1.0


def _read_unit(analytes: list[_Analyte], tail: str, value: float) -> tuple[float, int] | None:
    """(value in the field's unit, characters of unit read) or None when the unit is unknown or implausible."""
    for pattern, factor in analytes[0].units:
        unit = re.match(rf"\s*(?:{pattern})(?![a-z0-9])", tail, _I)
        if unit and all((pattern, factor) in analyte.units for analyte in analytes):
            return value * factor, unit.end()
    if _UNIT_LIKE.match(tail) or not all(a.plausible[0] <= value <= a.plausible[1] for a in analytes):
        return None
    return value, 0


def _read_analytes(match: re.Match[str]) -> list[_Analyte]:
    return list(dict.fromkeys(_BY_FIELD[name.lastgroup or ""] for name in _ANALYTE_NAMES.finditer(match.group("list"))))


def _build_threshold(match: re.Match[str], kind: str) -> tuple[str, int] | None:
    analytes = _read_analytes(match)
    operator = "==" if match.group("op") == "=" else match.group("op")
    value, tail = _number(match.group("num")), match.string[match.end() :]
    if value < 0:
        return None
    uln = _ULN.match(tail)
    if uln and all(analyte.uln for analyte in analytes):
        terms = [f"{a.key} {operator} {_format(value)} * {a.key}_uln" for a in analytes]
        end = match.end() + uln.end()
    else:
        read = None if uln else _read_unit(analytes, tail, value)
        if read is None:
            return None
        terms = [f"{a.key} {operator} {_format(read[0])}" for a in analytes]
        end = match.end() + read[1]
    return _join(terms, "and" if kind == INCLUSION else "or"), end


def _build_range(match: re.Match[str], kind: str) -> tuple[str, int] | None:
    analytes = _read_analytes(match)
    values = [_number(value) for value in re.findall(_VALUE, match.group("values"))]
    low, high = values[0], values[-1]
    spanned = len(values) == 2 and re.search(r"-|to", match.group("values")) is not None
    if not spanned and values != [low + step for step in range(len(values))]:
        return None  # "0, 1 or 2" lists consecutive grades; "0 or 2" is not a range
    if not all(a.ranged and a.plausible[0] <= low < high <= a.plausible[1] for a in analytes):
        return None
    terms = [
        f"{a.key} <= {_format(high)}"
        if low == a.plausible[0]
        else f"{a.key} >= {_format(low)} and {a.key} <= {_format(high)}"
        for a in analytes
    ]
    return _join(terms, "and" if kind == INCLUSION else "or"), match.end()


# the rule table ---------------------------------------------------------------------------------------------------


# Keywords (lower case) that a rule's match must contain: a tuple of alternatives per requirement, every requirement
# must hold. A rule whose keywords the text lacks cannot match and is skipped (a cheap pre-check, same result).
_Keywords = tuple[tuple[str, ...], ...]
_SEROLOGY_WORDS: Final = ("hbs", "hepatitis", "hbv", "hcv", "hiv", "immunodeficiency", "tp", "syphilis", "treponema")
_POLARITY: Final = ("positive", "negative")
_ANALYTE_WORDS: Final = (
    "pasi", "psoriasis", "ecog", "eastern", "gfr", "glomerular", "creatinine", "crcl", "ccr", "alt", "alat", "sgpt",
    "alanine", "ast", "asat", "sgot", "aspartate", "bilirubin", "tbil", "scr", "platelet", "plt", "neutrophil", "anc",
    "white", "wbc", "leu", "emoglobin", "hgb", "hb", "inr", "international", "albumin", "alb", "left", "lvef", "bmi",
    "body",
)  # fmt: skip
_AGE_UNIT_WORDS: Final = ("year", "yr", "month")
_DIGITS: Final = tuple("0123456789")  # for texts in ASCII only (any other text counts as having digits)
# Lower-case words one of which every match of a rule starts with (each alternative's possible first word): such a
# rule is tried only where the text has one of them (no match can start elsewhere, so the matches are the same).
_ANALYTE_STARTS: Final = (
    "pasi", "psoriasis", "ecog", "eastern", "egfr", "gfr", "estimated", "glomerular", "creatinine", "crcl", "ccr",
    "al", "sgpt", "as", "sgot", "total", "bilirubin", "tbil", "serum", "scr", "platelet", "plt", "absolute", "anc",
    "neutrophil", "white", "wbc", "leu", "hemoglobin", "haemoglobin", "hgb", "hb", "inr", "international", "lvef",
    "left", "bmi", "body",
)  # fmt: skip
_SEX_STARTS: Final = (
    "male", "men", "female", "wom", "both", "all", "any", "either", "regardless", "irrespective", "gender", "sex",
)  # fmt: skip
_PREGNANCY_STARTS: Final = (
    "no", "plan", "intend", "wish", "willing", "want", "desir", "pregnan", "breast", "lactat", "nursing",
)  # fmt: skip
_WASHOUT_STARTS: Final = (
    "no", "without", "received", "receiving", "use", "treatment", "prior", "previous", "other", "systemic", "topical",
    "participat", "enrol", "receipt", "any", "an", "investigational",
)  # fmt: skip
_RULES: Final[tuple[tuple[re.Pattern[str], _Builder, bool, _Keywords], ...]] = tuple(
    (re.compile(pattern, _I), builder, trivial, keywords)
    for pattern, builder, trivial, keywords in (
        (_WASHOUT, _build_washout, False, (("systemic", "topical", "participat", "enrol", "investigational"),
                                           ("day", "week", "month", "year"))),
        (_INFECTION_SCREENING, _result_builder("infection_screening"), False, (("screening",), _POLARITY)),
        (_SEROLOGY_PATTERNS[0], _build_serology, False, (_SEROLOGY_WORDS, _POLARITY)),
        (_SEROLOGY_PATTERNS[1], _build_serology, False, (_SEROLOGY_WORDS, _POLARITY)),
        (_SEROLOGY_PATTERNS[2], _build_serology, False, (_SEROLOGY_WORDS, ("infect",))),
        (_SEROLOGY_PATTERNS[3], _build_serology, False, (_SEROLOGY_WORDS, ("infection",))),
        (_PROTEINURIA, _result_builder("proteinuria"), False, (("proteinuria",),)),
        (_PREGNANCY, _build_pregnancy, False, (("pregnan", "breast", "lactat", "nursing", "baby", "child",
                                                "conceive"),)),
        (_CKD_PATTERNS[0], _build_ckd, False, (("ckd", "kidney"),)),
        (_CKD_PATTERNS[1], _build_ckd, False, (("ckd", "kidney"),)),
        (_AGE_PATTERNS[0], _build_age, False, (("age",), _DIGITS)),
        (_AGE_PATTERNS[1], _build_age, False, (("age",), _DIGITS)),
        (_AGE_PATTERNS[2], _build_age, False, (_AGE_UNIT_WORDS, _DIGITS)),
        (_AGE_PATTERNS[3], _build_age, False, (("age",), _DIGITS)),
        (_AGE_PATTERNS[4], _build_age, False, (_AGE_UNIT_WORDS, _DIGITS)),
        (_SEX_PATTERNS[0][0], _sex_builder(_SEX_PATTERNS[0][1]), not _SEX_PATTERNS[0][1],
         (("male", "men", "gender", "sex"),)),
        (_SEX_PATTERNS[1][0], _sex_builder(_SEX_PATTERNS[1][1]), not _SEX_PATTERNS[1][1], (("female", "wom"),)),
        (_SEX_PATTERNS[2][0], _sex_builder(_SEX_PATTERNS[2][1]), not _SEX_PATTERNS[2][1], (("male", "men"),)),
        (_FUNCTION_LABEL, _build_label, True, (("function",),)),
        (_RANGE, _build_range, False, (_ANALYTE_WORDS, _DIGITS)),
        (_THRESHOLD, _build_threshold, False, (_ANALYTE_WORDS, ("<", ">", "="), _DIGITS)),
    )
)  # fmt: skip


def _number_requirements() -> tuple[dict[str, int], tuple[int, ...]]:
    """Each keyword's bit mask of the (rule, requirement) pairs it meets, and each rule's mask of requirements."""
    word_bits: dict[str, int] = {}
    needs: list[int] = []
    bit = 1
    for *_, keywords in _RULES:
        need = 0
        for group in keywords:
            for word in group:
                word_bits[word] = word_bits.get(word, 0) | bit
            need |= bit
            bit <<= 1
        needs.append(need)
    return word_bits, tuple(needs)


# A text meets a rule's keyword requirements when the keywords it contains cover the rule's mask (one pass over
# the keywords per text instead of one set test per requirement per rule).
_KEYWORD_BITS, _RULE_NEEDS = _number_requirements()
_KEYWORDS: Final = tuple(_KEYWORD_BITS.items())
_DIGIT_BITS: Final = functools.reduce(operator.or_, (_KEYWORD_BITS.get(digit, 0) for digit in _DIGITS))
_RULE_STARTS: Final[dict[re.Pattern[str], tuple[str, ...]]] = {
    re.compile(pattern, _I): starts  # a pattern compares equal to the rule's compiled from the same text
    for pattern, starts in (
        (_WASHOUT, _WASHOUT_STARTS),
        (_PREGNANCY, _PREGNANCY_STARTS),
        (_AGE_PATTERNS[0], _DIGITS),
        (_AGE_PATTERNS[1], ("age",)),
        (_AGE_PATTERNS[2], ("between", "from", *_DIGITS)),
        (_AGE_PATTERNS[3], ("age",)),
        (_AGE_PATTERNS[4], ("<", ">")),
        (_SEX_PATTERNS[0][0], _SEX_STARTS),
        (_SEX_PATTERNS[1][0], ("female", "wom", "only", "gender", "sex")),
        (_SEX_PATTERNS[2][0], ("male", "men", "only", "gender", "sex")),
        (_RANGE, _ANALYTE_STARTS),
        (_THRESHOLD, _ANALYTE_STARTS),
    )
}
# each rule's start words, looked up once: hashing a compiled pattern hashes its whole program, on every lookup
_RULE_START_WORDS: Final = tuple(_RULE_STARTS.get(pattern) for pattern, *_ in _RULES)


def _find_starts(lowered: str, starts: tuple[str, ...]) -> list[int]:
    """Every index of ``lowered`` where one of ``starts`` begins, in order."""
    positions: set[int] = set()
    for word in starts:
        index = lowered.find(word)
        while index >= 0:
            positions.add(index)
            index = lowered.find(word, index + 1)
    return sorted(positions)


def _scan(pattern: re.Pattern[str], normal: str, positions: list[int]) -> list[re.Match[str]]:
    """``pattern.finditer(normal)`` for a pattern whose matches are never empty and start at one of ``positions``.

    The positions are where one of the pattern's start words begins (:func:`_find_starts`). The pattern is tried only
    there (from the end of the previous match on), as a scan of every position would find the same matches.
    """
    matches: list[re.Match[str]] = []
    end = 0
    for position in positions:
        if position >= end and (match := pattern.match(normal, position)):
            matches.append(match)
            end = match.end()
    return matches


# The pre-check: a criterion with a word that no rule can read and that is not filler cannot be computable, and most
# criteria have one ("history", "diabetes"). It reads the criterion with its symbols unified, before the phrases are
# (:func:`_unify_phrases`), and is sound because:
# - every word a rule's match can contain (with the unit or "x ULN" a threshold reads after it) is made of the pieces
#   of ``_CONSUMING`` (see trialdesk.registry.parsing.spelling); an analyte's "(abbreviation)" can hold any word, so
#   it is left out of the pieces and the words inside parentheses are not checked;
# - unifying the phrases only replaces matches of ``_PHRASES``. A word inside such a match is made of the phrases'
#   pieces, which are added. A phrase match never ends inside a word, and one that starts inside a word (a number
#   after letters, "abc5 years or older") leaves its first part as a word of its own; if that part could be spelled,
#   so could the whole word (the rest is made of pieces). So a word the check cannot spell is still, or leaves, a
#   word the rules cannot read after the phrases are unified;
# - parentheses are kept (their content may shrink), so every parenthesis the rules see is one the check skips.
_CONSUMING: Final = (
    *(pattern.pattern for pattern, *_ in _RULES),
    _ULN.pattern,
    *(unit for analyte in _ANALYTES for unit, _ in analyte.units),
)
# the patterns whose words the pieces cover: the consuming ones with an empty "()" for the abbreviation, and phrases
_SPELLED_PATTERNS: Final = (
    *(p.replace(_ABBREVIATION, r"(?:\s*\(\))?") for p in _CONSUMING),
    *(p.pattern for p, _, _ in _PHRASES),
)
_PIECES: Final = read_pattern_pieces(_SPELLED_PATTERNS, _I) | _FILLER
_PARENTHESIS: Final = re.compile(r"\([^()]*\)")
_WORD: Final = re.compile(r"[a-z0-9]+")
_ANY_WORD: Final = re.compile(r"[^\W_]+")  # a word as the leftover check reads it (``_TOKEN``)
_ZEROS: Final = str.maketrans("123456789", "000000000")


def _may_be_read(text: str) -> bool:
    """False when a criterion has a word that no rule can read and that is not filler (see above).

    Cheap, and it settles most criteria: only a text every word of which the rules might account for is scanned.
    """
    if text.isascii():
        lowered = text.lower()
        # word by word, stopping at the first that cannot be spelled (most criteria have one among their first
        # few words); a chunk between spaces is one word unless it holds punctuation
        for chunk in (_PARENTHESIS.sub(" ", lowered) if "(" in lowered else lowered).split():
            for word in (chunk,) if chunk.isalnum() else _WORD.findall(chunk):
                if word not in _PIECES.words and not can_spell(word.translate(_ZEROS), _PIECES):
                    return False
        return True
    else:
        # The pieces are ASCII. Under IGNORECASE a pattern's letter also matches the four letters below and "\d" any
        # decimal digit; a word with any other non-ASCII letter cannot be read. (They are replaced before lower-casing
        # because "İ" lower-cases to two characters, the second not a letter.)
        lowered = fold_to_ascii(text)
        words = [
            "".join("0" if char.isdecimal() else char for char in word)
            for word in _ANY_WORD.findall(_PARENTHESIS.sub(" ", lowered) if "(" in lowered else lowered)
        ]
    return all(word in _PIECES.words or can_spell(word.translate(_ZEROS), _PIECES) for word in words)


def _read_facts(normal: str, lowered: str, kind: str) -> list[_Fact]:
    taken = [False] * len(normal)
    facts: list[_Fact] = []
    check = not any(odd in normal for odd in LOWER_KEEPS)
    ascii_text = normal.isascii()  # ASCII digits are then the only ones (``\d`` matches any decimal digit)
    met = _DIGIT_BITS if not ascii_text else 0
    for word, bits in _KEYWORDS:
        if word in lowered:
            met |= bits
    found: dict[tuple[str, ...], list[int]] = {}
    for (pattern, builder, trivial, _), need, start_words in zip(_RULES, _RULE_NEEDS, _RULE_START_WORDS, strict=True):
        if check and met & need != need:
            continue
        if start_words and ascii_text:
            positions = found.get(start_words)
            if positions is None:  # rules share start words (the two lab rules, the age rules)
                positions = found[start_words] = _find_starts(lowered, start_words)
            matches: Iterable[re.Match[str]] = _scan(pattern, normal, positions)
        else:
            matches = pattern.finditer(normal)
        for match in matches:
            if match.end() == match.start() or any(taken[match.start() : match.end()]):
                continue
            built = builder(match, kind)
            if built is None or any(taken[match.start() : built[1]]):
                continue
            facts.append(_Fact(match.start(), built[1], built[0], trivial))
            taken[match.start() : built[1]] = [True] * (built[1] - match.start())
    return sorted(facts, key=lambda fact: fact.start)


def _compute(kind: str, text: str) -> str | None:
    """The expression for a criterion whose every word a rule accounts for, else None."""
    plain = _unify_symbols(text)
    return _read_expression(kind, plain) if _may_be_read(plain) else None


def _read_expression(kind: str, plain: str) -> str | None:
    """:func:`_compute` for a text with its symbols unified, every rule tried (no pre-check)."""
    normal = _unify_phrases(plain)
    facts = _read_facts(normal, normal.lower(), kind)
    if not facts:
        return None
    masked = list(normal)
    for fact in facts:
        masked[fact.start : fact.end] = " " * (fact.end - fact.start)
    leftover = "".join(masked)
    tokens = [token.lower() for token in _TOKEN.findall(leftover)]
    if not facts or any(token not in _FILLER for token in tokens):
        return None
    kept = [fact for fact in facts if not fact.trivial] or [fact for fact in facts if fact.expression][:1]
    if not kept:
        return None
    joiners = {
        "or" if "or" in _TOKEN.findall(leftover[left.end : right.start].lower()) else "and"
        for left, right in itertools.pairwise(kept)
    }
    if len(joiners) > 1:
        return None
    return _join([fact.expression for fact in kept], joiners.pop() if joiners else "and")


_NAME_OR_STRING: Final = re.compile(r'"[^"]*"|(?<![\w.])([A-Za-z_]\w*)')
_OPERATOR_WORDS: Final = frozenset({"and", "or", "not"})


def _read_fields(expression: str) -> tuple[str, ...]:
    """The field names of an expression, in order of first use (what ``ast.parse`` reads as names: identifiers
    outside strings other than the operator words; the grammar has no other keywords).

    Example:
        >>> _read_fields('not (hbsag == "positive") or 2.5 * alt_uln > alt or hbsag == "x and y"')
        ('hbsag', 'alt_uln', 'alt')
    """
    names = (match.group(1) for match in _NAME_OR_STRING.finditer(expression))
    return tuple(dict.fromkeys(name for name in names if name and name not in _OPERATOR_WORDS))


def _classify(kind: Literal["inclusion", "exclusion"], text: str) -> Criterion:
    expression = _compute(kind, text)
    if expression is None:
        return Criterion(kind, text, "checklist")
    return Criterion(kind, text, "computable", expression, _read_fields(expression))


def classify_criterion(kind: str, text: str) -> Criterion:
    """Classify one criterion as computable (with an expression over form fields) or checklist.

    ``kind`` is ``"inclusion"`` or ``"exclusion"`` (anything else is a ValueError); the criterion keeps ``text``
    as written, minus registry escapes and surrounding whitespace.

    Example:
        >>> classify_criterion("inclusion", "Baseline Psoriasis Area and Severity Index (PASI) score \\\\>= 8")
        Criterion(kind='inclusion', text='Baseline Psoriasis Area and Severity Index (PASI) score >= 8', \
classification='computable', expression='pasi >= 8', fields=('pasi',))
        >>> classify_criterion("exclusion", "ASAT/ALAT < 2.5 x UNL").expression
        'ast < 2.5 * ast_uln or alt < 2.5 * alt_uln'
        >>> classify_criterion("exclusion", "History of severe systemic disease").classification
        'checklist'
    """
    if kind == INCLUSION:
        return _classify(INCLUSION, _unescape(text).strip())
    if kind == EXCLUSION:
        return _classify(EXCLUSION, _unescape(text).strip())
    raise ValueError(f"criterion kind must be 'inclusion' or 'exclusion', not {kind!r}")


def read_criteria(text: str) -> list[dict[str, Any]]:
    """:func:`parse_eligibility`'s criteria as the fields of each, for a model to validate all at once.

    Example:
        >>> read_criteria("Exclusion Criteria:\\n* Pregnancy\\n* Diabetes")[0]
        {'kind': 'exclusion', 'text': 'Pregnancy', 'classification': 'computable', 'expression': 'pregnant', \
'fields': ('pregnant',)}
    """
    criteria: list[dict[str, Any]] = []
    for kind, criterion in split_criteria(text):
        if kind == WITHDRAWAL:
            continue
        expression = _compute(kind, criterion)
        computable = expression is not None
        criteria.append(
            {
                "kind": kind,
                "text": criterion,
                "classification": "computable" if computable else "checklist",
                "expression": expression,
                "fields": _read_fields(expression) if expression is not None else (),
            }
        )
    return criteria


def parse_eligibility(text: str) -> list[Criterion]:
    """Split an eligibility text and classify each inclusion and exclusion criterion (withdrawal ones are left out).

    Example:
        >>> [c.expression for c in parse_eligibility("Exclusion Criteria:\\n* Age \\\\<3 years or \\\\>12 years old")]
        ['age_years < 3 or age_years > 12']
    """
    return [Criterion(**fields) for fields in read_criteria(text)]
