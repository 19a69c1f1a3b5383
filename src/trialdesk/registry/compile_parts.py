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
from typing import Any

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
    missing,
    parsed,
    registry,
)
from trialdesk.protocol.values import DoseAmount, NotUnderstood, VisitTarget
from trialdesk.registry.parsing.escalation_text import parse_escalation, read_dose_levels
from trialdesk.registry.parsing.instruments import OutcomeText, match_instruments
from trialdesk.registry.parsing.timeframes import merge_visits, parse_time_frames
from trialdesk.registry.record import Outcome as RecordOutcome
from trialdesk.registry.record import Study

P = "protocolSection."
DESIGN = P + "designModule.designInfo"
Text = tuple[str, str]  # (registry field path, text)

# Route words, most specific first; "infusion" with no route word is read as intravenous (an MSC infusion).
_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
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
# Lower-case words one of which every match of each route pattern contains: in an ASCII text (where lower-casing is
# what IGNORECASE compares) a route whose words are all absent cannot match and is not searched.
_ROUTE_WORDS: tuple[tuple[str, ...], ...] = (
    ("thecal", "lumbar"),
    ("arter",),
    ("venous", "vein", "iv", "i.v"),
    ("cutaneous",),
    ("muscular",),
    ("articular",),
    ("dermal",),
    ("vitreal",),
    ("topical",),
    ("inhal", "nebuli", "aerosoli"),
    ("oral", "mouth", "tablet", "capsule", "pill", "syrup", "po", "p.o"),
)
_INFUSION = re.compile(r"\binfus(?:ion|ions|ed)\b", re.IGNORECASE)
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_WHO = {
    "PARTICIPANT": "participant",
    "CARE_PROVIDER": "care-provider",
    "INVESTIGATOR": "investigator",
    "OUTCOMES_ASSESSOR": "outcomes-assessor",
}
_SENTENCE = re.compile(r"(?:[^.;!?\n]|[.;!?](?!\s|$))+")
_DESIGN_PREFIX = "Dose escalation. "  # lets parse_escalation read a DLT window from a sentence that states no design
_ESCALATION_WORDS = re.compile(r"escalat|cohort|\+", re.IGNORECASE)
_DLT_MEASURE = re.compile(r"\bDLTs?\b|dose[\s-]*limiting", re.IGNORECASE)


def to_dose(amount: DoseAmount) -> Dose:
    """The protocol's :class:`Dose` for a parsed amount.

    Example:
        >>> to_dose(DoseAmount(2e6, "cells", "per-kg", True))
        Dose(amount=2000000.0, unit='cells', basis='per-kg', approximate=True)
    """
    return Dose(amount=amount.amount, unit=amount.unit, basis=amount.basis, approximate=amount.approximate)


def read_route(texts: Sequence[Text], seen: dict[str, tuple[str, str, bool] | None] | None = None) -> Sourced[str]:
    """The route named first in the first text that names one (an infusion alone: intravenous), else missing.

    ``seen`` keeps what each text names during one compilation (regimens share their texts).

    Example:
        >>> r = read_route([("a", "UC-MSCs infusions")])
        >>> r.value, r.provenance.text, r.provenance.rule
        ('intravenous', 'infusions', 'an infusion with no other route stated is read as intravenous')
    """
    for path, text in texts:
        if seen is None or text not in seen:
            found = _route_in(text)
            if seen is not None:
                seen[text] = found
        else:
            found = seen[text]
        if found is None:
            continue
        route, span, infusion = found
        if not infusion:
            return parsed(route, path, span)
        rule = "an infusion with no other route stated is read as intravenous"
        provenance = Provenance(source="parsed", path=path, text=span, rule=rule)
        return Sourced(value="intravenous", provenance=provenance)
    return missing(_first_path(texts), _joined(texts), "no route of administration named")


def _route_in(text: str) -> tuple[str, str, bool] | None:
    """(route, phrase, whether read from an infusion alone) for one text, else None."""
    lowered = text.lower() if text.isascii() else None
    found = [
        (m.start(), route, m.group(0))
        for (route, pattern), words in zip(_ROUTES, _ROUTE_WORDS, strict=True)
        if (lowered is None or any(word in lowered for word in words)) and (m := pattern.search(text))
    ]
    if found:
        _, route, span = min(found)
        return route, span, False
    if match := _INFUSION.search(text):
        return "intravenous", match.group(0), True
    return None


def read_age(value: str | None, path: str) -> Sourced[Age]:
    """An age limit from the registry string (``"18 Years"``), missing when absent or unreadable.

    Example:
        >>> read_age("18 Years", "x").value
        Age(value=18.0, unit='years')
        >>> read_age(None, "x").provenance.source
        'missing'
    """
    match = _AGE.match(value or "")
    if match is None:
        return missing(path, value, "the record states no age limit" if not value else "age not understood")
    return registry(Age(value=float(match[1]), unit=match[2].lower() + "s"), path)


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
        return Masking(blinded=missing(path + ".masking", None, "the record states no masking"))
    if info.whoMasked:
        who = tuple(_WHO[str(w.value)] for w in info.whoMasked)
        return Masking(blinded=registry(who, path + ".whoMasked"))
    if info.masking is not None and info.masking.value == "NONE":
        return Masking(blinded=registry((), path + ".masking"))
    masking = info.masking.value if info.masking is not None else None
    return Masking(blinded=missing(path + ".whoMasked", masking, "masking is stated but not who is masked"))


def find_escalation(texts: Sequence[Text]) -> tuple[str, str, Any] | None:
    """(path, text, parsed design) of the first text stating a 3+3 design (cohort 3, expansion 3), else None.

    Example:
        >>> find_escalation([("d", "A traditional 3+3 dose-escalation design will be used.")])[2].value.cohort_size
        3
    """
    for path, text in texts:
        if "3" not in text or not _ESCALATION_WORDS.search(text):
            continue
        result = parse_escalation(text)
        if not isinstance(result, NotUnderstood) and (result.value.cohort_size, result.value.expansion_size) == (3, 3):
            return path, text, result
    return None


def _field_source(text: str, field: str, value: object) -> str | None:
    """The first sentence of ``text`` that states ``field`` = ``value`` on its own, else None."""
    for sentence in _SENTENCE.finditer(text):
        result = parse_escalation(_DESIGN_PREFIX + sentence.group(0))
        if not isinstance(result, NotUnderstood) and getattr(result.value, field) == value:
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

    def rule(field: str, value: object, why: str, fallback: Sourced[Any] | None = None) -> Sourced[Any]:
        if value is not None:
            return parsed(value, path, _field_source(text, field, value) or result.span.text)
        for dlt_path, dlt_text in dlt_texts:  # a rule the design text omits may be in the DLT outcome
            extra = parse_escalation(_DESIGN_PREFIX + dlt_text)
            if not isinstance(extra, NotUnderstood) and (got := getattr(extra.value, field)) is not None:
                return parsed(got, dlt_path, _field_source(dlt_text, field, got) or dlt_text)
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


_NO_ANALYSIS = "no analysis phrase (proportion, change, count, time to event): continuous"
# A protocol's outcomes and visits, each with its nested values and provenance, as plain data validated in one call:
# quicker than building every model in turn, and the same models.
_OUTCOMES: TypeAdapter[tuple[Outcome, ...]] = TypeAdapter(tuple[Outcome, ...])
_VISITS: TypeAdapter[tuple[Visit, ...]] = TypeAdapter(tuple[Visit, ...])


def read_analysis(measure: str, description: str, path: str) -> Sourced[Any]:
    """The analysis kind from the earliest analysis phrase (measure first, then description), else continuous.

    Example:
        >>> a = read_analysis("Change from Baseline in PASI", "", "o")
        >>> a.value, a.provenance.text
        ('change-from-baseline', 'Change from Baseline')
    """
    return Sourced.model_validate(_analysis_data(OutcomeText(measure, description), path))


def _analysis_data(outcome: OutcomeText, path: str) -> dict[str, Any]:
    """:func:`read_analysis` as plain data: what ``parsed(kind, path, phrase)`` or ``default("continuous", …)`` hold.

    Validated with the outcome it belongs to (see _OUTCOMES).
    """
    first = outcome.first_analysis()
    if first is None:
        return {"value": "continuous", "provenance": {"source": "default", "rule": _NO_ANALYSIS}}
    field, kind, phrase = first
    return {"value": kind, "provenance": {"source": "parsed", "path": f"{path}.{field}", "text": phrase}}


def build_outcomes(study: Study) -> tuple[tuple[Outcome, ...], list[tuple[str, str, tuple[str, ...]]]]:
    """The outcomes, and for each its (registry path, time frame, instrument names) for the visit schedule."""
    outcomes: list[dict[str, Any]] = []  # plain data, validated all at once (see _OUTCOMES)
    sources: list[tuple[str, str, tuple[str, ...]]] = []
    for kind, path, item in iter_outcomes(study):
        outcome = OutcomeText(item.measure, item.description or "")  # one look for the analysis and instruments
        forms = outcome.forms()
        instruments = tuple(name for name, _ in forms)
        fields = tuple(dict.fromkeys(f"{name}.{field}" for name, needed in forms for field in needed)) if forms else ()
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
