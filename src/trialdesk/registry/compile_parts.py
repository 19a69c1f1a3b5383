"""Pieces of the protocol compiler: route, ages, masking, escalation, visits and outcome analysis.

Each function reads one part of a :class:`~trialdesk.registry.record.Study` (or of its free text) and returns
protocol values with their provenance; none raises on any text. :mod:`trialdesk.registry.compiler` assembles them.

Example:
    >>> read_route([("interventions[0].description", "2 ml per lumbar puncture")]).value
    'intrathecal'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from pydantic import TypeAdapter

from trialdesk.protocol.model import (
    Age,
    Dose,
    Escalation,
    Masking,
    Outcome,
    Provenance,
    Sourced,
    Visit,
    default,
    field_kind,
    missing,
    parsed,
    registry,
)
from trialdesk.protocol.values import DoseAmount, EscalationText, NotUnderstood, VisitTarget
from trialdesk.registry.parsing.escalation_text import (
    may_state_sizes,
    parse_escalation,
    read_dose_levels,
    read_escalation_rules,
)
from trialdesk.registry.parsing.instruments import OutcomeText, match_instruments
from trialdesk.registry.parsing.timeframes import merge_visits, parse_time_frames
from trialdesk.registry.record import Outcome as RecordOutcome
from trialdesk.registry.record import Study

P = "protocolSection."
DESIGN = P + "designModule.designInfo"
Text = tuple[str, str]  # (registry field path, text)

# Route words, most specific first; "infusion" with no route word is read as intravenous (an MSC infusion).
_ROUTES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (route, re.compile(pattern, re.IGNORECASE))
    for route, pattern in (
        ("intrathecal", r"\bintra-?thecal(?:ly)?\b|\blumbar\s+punctures?\b"),
        (
            "intra-arterial",
            r"\bintra-?arterial(?:ly)?\b|\b(?:hepatic|coronary)\s+arter(?:y|ial)\s+(?:infusion|injection)",
        ),
        ("intravenous", r"\bintra-?venous(?:ly)?\b|\b(?:peripheral\s+)?(?:veins?|venous)\b|\bi\.?v\.?\b(?!\s*[a-z])"),
        ("subcutaneous", r"\bsub-?cutaneous(?:ly)?\b"),
        ("intramuscular", r"\bintra-?muscular(?:ly)?\b"),
        ("intra-articular", r"\bintra-?articular(?:ly)?\b"),
        ("intradermal", r"\bintra-?dermal(?:ly)?\b"),
        ("intravitreal", r"\bintra-?vitreal(?:ly)?\b"),
        ("topical", r"\btopical(?:ly)?\b"),
        ("inhaled", r"\binhal(?:ed|ation)\b|\bnebuli[sz]ed\b|\baerosoli[sz]ed\b"),
        ("oral", r"\boral(?:ly)?\b|\bby\s+mouth\b|\b(?:tablets?|capsules?|pills?|syrup)\b|\bp\.?o\.\B"),
    )
)
# Every match of a route pattern starts at a word boundary with one of these (regular expressions). No two routes can
# match at the same place: the words they start with part within their first letters (after "intra" or "intra-":
# thecal, arterial, venous, muscular, articular, dermal, vitreal; "i.v"/"iv" from "in..."; "sub" from "syrup"; ...).
_ROUTE_STARTS: Final = (
    "intra",
    "lumbar",
    "hepatic",
    "coronary",
    "peripheral",
    "vein",
    "venous",
    r"i\.?v",
    "sub",
    "topical",
    "inhal",
    "nebuli",
    "aerosoli",
    "oral",
    "by",
    "tablet",
    "capsule",
    "pill",
    "syrup",
    r"p\.?o",
)
# All routes in one pattern, route i in group i + 1. Its leftmost match is the earliest route match of any route, and
# as only one route can match there, it is the one that route's own pattern finds. The lookaheads repeat the starts
# (initials first), so positions where no route can start fail on one or two checks.
_ANY_ROUTE: Final = re.compile(
    rf"\b(?=[{''.join(sorted({start[0] for start in _ROUTE_STARTS}))}])(?={'|'.join(_ROUTE_STARTS)})"
    rf"(?:{'|'.join(f'({pattern.pattern})' for _, pattern in _ROUTES)})",
    re.IGNORECASE,
)
_INFUSION: Final = re.compile(r"\binfus(?:ion|ions|ed)\b", re.IGNORECASE)
# In an ASCII text, a case-insensitive match is a match of the same pattern, case-sensitive, in the lower-cased text
# (the patterns write every letter in lower case, and lower() maps ASCII one for one, keeping offsets and what is a
# word character), which re finds several times faster.
_ANY_ROUTE_LOWER: Final = re.compile(_ANY_ROUTE.pattern)
_INFUSION_LOWER: Final = re.compile(_INFUSION.pattern)
_AGE: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_BLINDED: Final = field_kind(Masking, "blinded")  # made as the type Masking declares, so it is not validated again
_WHO: Final = {
    "PARTICIPANT": "participant",
    "CARE_PROVIDER": "care-provider",
    "INVESTIGATOR": "investigator",
    "OUTCOMES_ASSESSOR": "outcomes-assessor",
}
_SENTENCE: Final = re.compile(r"(?:[^.;!?\n]|[.;!?](?!\s|$))+")
_DESIGN_PREFIX: Final = (
    "Dose escalation. "  # lets parse_escalation read a DLT window from a sentence that states no design
)
_ESCALATION_WORDS: Final = re.compile(r"escalat|cohort|\+", re.IGNORECASE)
_DLT_MEASURE: Final = re.compile(r"\bDLTs?\b|dose[\s-]*limiting", re.IGNORECASE)


def to_dose(amount: DoseAmount) -> Dose:
    """The protocol's :class:`Dose` for a parsed amount.

    Example:
        >>> to_dose(DoseAmount(2e6, "cells", "per-kg", True))
        Dose(amount=2000000.0, unit='cells', basis='per-kg', approximate=True)
    """
    return Dose(amount=amount.amount, unit=amount.unit, basis=amount.basis, approximate=amount.approximate)


# Regimen's Sourced types, made once (subscripting a generic model costs about as much as making a value); values
# for Regimen are made as these so that Regimen does not validate them again (see trialdesk.protocol.model).
SOURCED_DOSE: type[Sourced[Dose]] = Sourced[Dose]
SOURCED_ROUTE: type[Sourced[str]] = Sourced[str]
SOURCED_COUNT: type[Sourced[int]] = Sourced[int]
SOURCED_DAYS: type[Sourced[tuple[int, ...]]] = Sourced[tuple[int, ...]]


def read_route(texts: Sequence[Text], seen: dict[str, tuple[str, str, bool] | None] | None = None) -> Sourced[str]:
    """The route named first in the first text that names one (an infusion alone: intravenous), else missing.

    ``seen`` keeps what each text names during one compilation (regimens share their texts).

    Example:
        >>> r = read_route([("a", "UC-MSCs infusions")])
        >>> r.value, r.provenance.text, r.provenance.rule
        ('intravenous', 'infusions', 'an infusion with no other route stated is read as intravenous')
    """
    return route_sourced(texts, find_route(texts, seen))


def find_route(
    texts: Sequence[Text], seen: dict[str, tuple[str, str, bool] | None] | None = None
) -> tuple[str, str, str, bool] | None:
    """(path, route, phrase, whether read from an infusion alone) of the first text that names a route, else None.

    ``seen`` keeps what each text names during one compilation (regimens share their texts).

    Example:
        >>> find_route([("a", "no route here"), ("b", "given orally")])
        ('b', 'oral', 'orally', False)
    """
    for path, text in texts:
        if seen is None or text not in seen:
            found = _route_in(text)
            if seen is not None:
                seen[text] = found
        else:
            found = seen[text]
        if found is not None:
            return (path, *found)
    return None


def route_sourced(texts: Sequence[Text], found: tuple[str, str, str, bool] | None) -> Sourced[str]:
    """The route :func:`find_route` found in ``texts``, with its provenance; missing when it found none."""
    if found is None:
        return missing(_first_path(texts), _joined(texts), "no route of administration named", SOURCED_ROUTE)
    path, route, span, infusion = found
    if not infusion:
        return parsed(route, path, span, SOURCED_ROUTE)
    rule = "an infusion with no other route stated is read as intravenous"
    provenance = Provenance(source="parsed", path=path, text=span, rule=rule)
    return SOURCED_ROUTE(value="intravenous", provenance=provenance)


def _route_in(text: str) -> tuple[str, str, bool] | None:
    """(route, phrase, whether read from an infusion alone) for one text, else None.

    The route is the one whose pattern matches earliest in ``text``.
    """
    ascii_text = text.isascii()
    searched = text.lower() if ascii_text else text
    if match := (_ANY_ROUTE_LOWER if ascii_text else _ANY_ROUTE).search(searched):
        route = _ROUTES[(match.lastindex or 1) - 1][0]  # every route is a group, and only that route's one matched
        return route, text[match.start() : match.end()], False
    if ascii_text and "infus" not in searched:
        return None  # every infusion match holds the word
    if match := (_INFUSION_LOWER if ascii_text else _INFUSION).search(searched):
        return "intravenous", text[match.start() : match.end()], True
    return None


def read_age(value: str | None, path: str, kind: type[Sourced[Any]] = Sourced[Age]) -> Sourced[Age]:
    """An age limit from the registry string (``"18 Years"``), missing when absent or unreadable (made as ``kind``).

    Example:
        >>> read_age("18 Years", "x").value
        Age(value=18.0, unit='years')
        >>> read_age(None, "x").provenance.source
        'missing'
    """
    match = _AGE.match(value or "")
    if match is None:
        return missing(path, value, "the record states no age limit" if not value else "age not understood", kind)
    return registry({"value": float(match[1]), "unit": match[2].lower() + "s"}, path, kind)


def read_masking(study: Study) -> Masking:
    """Who is blinded, from ``maskingInfo`` (``NONE`` → open label), missing when the record has no masking.

    Example:
        >>> from trialdesk.registry.record import validate_study
        >>> read_masking(validate_study({"protocolSection": {"identificationModule": {"nctId": "NCT01234567"}}})
        ...     ).blinded.provenance.rule
        'the record states no masking'
    """
    design = study.protocolSection.designModule
    info = design.designInfo.maskingInfo if design and design.designInfo else None
    path = DESIGN + ".maskingInfo"
    if info is None or (info.masking is None and not info.whoMasked):
        return Masking(blinded=missing(path + ".masking", None, "the record states no masking", _BLINDED))
    if info.whoMasked:
        who = tuple(_WHO[str(w.value)] for w in info.whoMasked)
        return Masking(blinded=registry(who, path + ".whoMasked", _BLINDED))
    if info.masking is not None and info.masking.value == "NONE":
        return Masking(blinded=registry((), path + ".masking", _BLINDED))
    masking = info.masking.value if info.masking is not None else None
    return Masking(blinded=missing(path + ".whoMasked", masking, "masking is stated but not who is masked", _BLINDED))


def find_escalation(texts: Sequence[Text]) -> tuple[str, str, Any] | None:
    """(path, text, parsed design) of the first text stating a 3+3 design (cohort 3, expansion 3), else None.

    Example:
        >>> find_escalation([("d", "A traditional 3+3 dose-escalation design will be used.")])[2].value.cohort_size
        3
    """
    for path, text in texts:
        # may_state_sizes is False only for a text that parse_escalation cannot read as cohort 3, expansion 3.
        if "3" not in text or not _names_escalation(text) or not may_state_sizes(text, 3, 3):
            continue
        result = parse_escalation(text)
        if not isinstance(result, NotUnderstood) and (result.value.cohort_size, result.value.expansion_size) == (3, 3):
            return path, text, result
    return None


def _names_escalation(text: str) -> bool:
    """Whether ``_ESCALATION_WORDS`` occurs in ``text``.

    In an ASCII text lower-casing is what IGNORECASE compares, so a substring test on the lower-cased text answers
    the same (and faster); other texts are searched with the pattern.

    Example:
        >>> _names_escalation("Dose ESCALATION"), _names_escalation("Randomized"), _names_escalation("Dose eſcalation")
        (True, False, True)
    """
    if not text.isascii():
        return _ESCALATION_WORDS.search(text) is not None
    if "+" in text:
        return True
    lowered = text.lower()
    return "escalat" in lowered or "cohort" in lowered


class _RuleReadings:
    """read_escalation_rules of each text once during one compilation (the rules of one design share its sentences).

    Only the rules are looked up in these texts, so the dose levels that parse_escalation would also read are not.
    """

    def __init__(self) -> None:
        self._rules: dict[str, EscalationText | None] = {}

    def __call__(self, text: str) -> EscalationText | None:
        if text not in self._rules:
            self._rules[text] = read_escalation_rules(text)
        return self._rules[text]


def _field_source(text: str, field: str, value: object, read: _RuleReadings) -> str | None:
    """The first sentence of ``text`` that states ``field`` = ``value`` on its own, else None."""
    for sentence in _SENTENCE.finditer(text):
        rules = read(_DESIGN_PREFIX + sentence.group(0))
        if rules is not None and getattr(rules, field) == value:
            return sentence.group(0).strip()
    return None


def build_escalation(study: Study, found: tuple[str, str, Any]) -> Escalation:
    """The 3+3 design: levels and rules from the design text, the DLT window and definition from the DLT outcome.

    A 3+3 with no stated stopping rule stops above 1/3 (more than one DLT in six), the rule "3+3" itself implies.
    """
    path, text, result = found
    design = result.value
    outcomes = study.protocolSection.outcomesModule
    dlt_texts: list[Text] = []
    for i, outcome in enumerate(outcomes.primaryOutcomes if outcomes else []):
        if outcome.description and _DLT_MEASURE.search(f"{outcome.measure} {outcome.description}"):
            dlt_texts.append((f"{P}outcomesModule.primaryOutcomes[{i}].description", outcome.description))

    read = _RuleReadings()

    def rule(field: str, value: object, why: str, fallback: Sourced[Any] | None = None) -> Sourced[Any]:
        if value is not None:
            return parsed(value, path, _field_source(text, field, value, read) or result.span.text)
        for dlt_path, dlt_text in dlt_texts:  # a rule the design text omits may be in the DLT outcome
            extra = read(_DESIGN_PREFIX + dlt_text)
            if extra is not None and (got := getattr(extra, field)) is not None:
                return parsed(got, dlt_path, _field_source(dlt_text, field, got, read) or dlt_text)
        return fallback or missing(path, result.span.text, why)

    levels = read_dose_levels(text)
    level_text = text[levels[0].span.start : levels[-1].span.end] if levels else result.span.text
    dose_levels: Sourced[Any] = (
        parsed(tuple(to_dose(d.value) for d in levels), path, level_text)
        if levels
        else missing(path, result.span.text, "no dose levels stated")
    )
    definition: Sourced[Any] = (
        parsed(dlt_texts[0][1], dlt_texts[0][0], dlt_texts[0][1])
        if dlt_texts
        else missing(f"{P}outcomesModule.primaryOutcomes", None, "no DLT definition in a primary outcome")
    )
    stop_default = default(1 / 3, "3+3: escalation stops when more than 1 of 6 participants at a level has a DLT")
    return Escalation(
        dose_levels=dose_levels,
        cohort_size=rule("cohort_size", design.cohort_size, "no cohort size stated"),
        expansion_size=rule("expansion_size", design.expansion_size, "no expansion size stated"),
        stop_above=rule("stop_above", design.stop_above, "no stopping rule stated", stop_default),
        dlt_window_days=rule("dlt_window_days", design.dlt_window_days, "no DLT window stated"),
        cohort_gap_days=rule("cohort_gap_days", design.cohort_gap_days, "no wait between cohorts stated"),
        dlt_definition=definition,
    )


def iter_outcomes(study: Study) -> list[tuple[str, str, RecordOutcome]]:
    """(kind, registry path, outcome) for every primary, secondary and other outcome, in that order."""
    module = study.protocolSection.outcomesModule
    if module is None:
        return []
    groups = (
        ("primary", "primaryOutcomes", module.primaryOutcomes),
        ("secondary", "secondaryOutcomes", module.secondaryOutcomes),
        ("other", "otherOutcomes", module.otherOutcomes),
    )
    return [(kind, f"{P}outcomesModule.{name}[{i}]", o) for kind, name, items in groups for i, o in enumerate(items)]


_NO_ANALYSIS: Final = "no analysis phrase (proportion, change, count, time to event): continuous"
_ANALYSIS: Final = field_kind(Outcome, "analysis")
# The analysis of every outcome with no analysis phrase, made (and validated) once: validating an Outcome takes a
# value of the type its field declares as it is, and values are frozen, so all those outcomes can share it.
_CONTINUOUS: Final[Sourced[Any]] = default("continuous", _NO_ANALYSIS, _ANALYSIS)
# A protocol's outcomes and visits, each with its nested values and provenance, as plain data validated in one call:
# quicker than building every model in turn, and the same models.
_OUTCOMES: Final[TypeAdapter[tuple[Outcome, ...]]] = TypeAdapter(tuple[Outcome, ...])
_VISITS: Final[TypeAdapter[tuple[Visit, ...]]] = TypeAdapter(tuple[Visit, ...])


def read_analysis(measure: str, description: str, path: str) -> Sourced[Any]:
    """The analysis kind from the earliest analysis phrase (measure first, then description), else continuous.

    Example:
        >>> a = read_analysis("Change from Baseline in PASI", "", "o")
        >>> a.value, a.provenance.text
        ('change-from-baseline', 'Change from Baseline')
    """
    data = _analysis_data(OutcomeText(measure, description), path)
    return default("continuous", _NO_ANALYSIS) if data is _CONTINUOUS else Sourced.model_validate(data)


def _analysis_data(outcome: OutcomeText, path: str) -> dict[str, Any] | Sourced[Any]:
    """:func:`read_analysis` as plain data: what ``parsed(kind, path, phrase)`` holds, or ``_CONTINUOUS``.

    Validated with the outcome it belongs to (see _OUTCOMES).
    """
    first = outcome.first_analysis()
    if first is None:
        return _CONTINUOUS
    field, kind, phrase = first
    return {"value": kind, "provenance": {"source": "parsed", "path": f"{path}.{field}", "text": phrase}}


def build_outcomes(study: Study) -> tuple[tuple[Outcome, ...], list[tuple[str, str, tuple[str, ...]]]]:
    """The outcomes, and for each its (registry path, time frame, instrument names) for the visit schedule."""
    outcomes: list[dict[str, Any]] = []  # plain data, validated all at once (see _OUTCOMES)
    sources: list[tuple[str, str, tuple[str, ...]]] = []
    for kind, path, item in iter_outcomes(study):
        outcome = OutcomeText(item.measure, item.description or "")  # one look for the analysis and instruments
        instruments: tuple[str, ...] = ()
        fields: tuple[str, ...] = ()
        if forms := outcome.forms():
            instruments = tuple([name for name, _ in forms])
            fields = tuple(dict.fromkeys([f"{name}.{field}" for name, needed in forms for field in needed]))
        outcomes.append(
            {
                "kind": kind,
                "measure": item.measure,
                "time_frame": item.timeFrame,
                "instruments": instruments,
                "fields": fields,
                "analysis": _analysis_data(outcome, path),
                "provenance": {"source": "registry", "path": path},
            }
        )
        sources.append((path, item.timeFrame or "", instruments))
    return _OUTCOMES.validate_python(outcomes), sources


def build_schedule(study: Study, instruments: Sequence[tuple[str, ...]] | None = None) -> tuple[Visit, ...]:
    """Visits from every outcome's time frame, merged; each lists the forms of the outcomes that need it.

    ``instruments`` gives each outcome's instrument names (as :func:`build_outcomes` found them), else they are
    matched here.

    Example:
        >>> from trialdesk.registry.record import validate_study
        >>> s = validate_study({"protocolSection": {"identificationModule": {"nctId": "NCT01234567"},
        ...     "outcomesModule": {"primaryOutcomes": [{"measure": "PASI", "timeFrame": "baseline and 8 weeks"}]}}})
        >>> [(v.code, v.label, v.day, v.forms) for v in build_schedule(s)]
        [('V01', 'Baseline', 0, ('pasi',)), ('V02', 'Week 8', 56, ('pasi',))]
    """
    groups: list[tuple[VisitTarget, ...]] = []
    first_seen: dict[tuple[str, int], tuple[str, str]] = {}
    forms: dict[tuple[str, int], list[str]] = {}
    timed = [(index, path, item) for index, (_, path, item) in enumerate(iter_outcomes(study)) if item.timeFrame]
    results = parse_time_frames([(item.timeFrame or "", item.description or "") for _, _, item in timed])
    for (index, path, item), result in zip(timed, results, strict=True):
        if isinstance(result, NotUnderstood):
            continue
        groups.append(result.value)
        names = (
            instruments[index]
            if instruments is not None
            else tuple(m.instrument for m in match_instruments(item.measure, item.description or ""))
        )
        source = (f"{path}.timeFrame", result.span.text)
        for target in result.value:
            key = (target.anchor, target.day)
            if key not in first_seen:
                first_seen[key] = source
                forms[key] = []
            forms[key].extend(names)
    visits: list[dict[str, Any]] = []  # plain data, validated all at once (see _OUTCOMES)
    for number, target in enumerate(merge_visits(groups), start=1):
        key = (target.anchor, target.day)
        path, span = first_seen[key]
        visits.append(
            {
                "code": f"V{number:02d}",
                "label": target.label,
                "day": target.day,
                "anchor": target.anchor,
                "window_before": target.window_before,
                "window_after": target.window_after,
                "forms": tuple(dict.fromkeys(forms[key])),
                "provenance": {"source": "parsed", "path": path, "text": span},
            }
        )
    return _VISITS.validate_python(visits)


def _first_path(texts: Sequence[Text]) -> str | None:
    return texts[0][0] if texts else None


def _joined(texts: Sequence[Text]) -> str | None:
    return "\n".join(text for _, text in texts) or None
