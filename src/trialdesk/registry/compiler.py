"""Compile a registry record into an executable :class:`~trialdesk.protocol.model.Protocol`.

:func:`compile_protocol` is total: for any valid record it returns a protocol, and a value it cannot derive is
``missing`` with the path and text it tried, so the review lists what a person must supply. The rules:

* **Identity** — NCT ID, brief (else official) title, overall status, phases and enrolment from their fields.
* **Arms** — one per ``armGroups[i]`` (registry provenance), with label, type, description and interventions.
* **Allocation** — ``dose-escalation-3+3`` when a 3+3 design (cohort 3, expansion 3) is stated in the detailed
  description, an arm or intervention description, a primary outcome description or the brief summary (parsed);
  else ``randomized`` for ``designInfo.allocation`` RANDOMIZED, with a ratio read from the text ("2:1") or the
  default 1:1…, and stratification missing when the text mentions stratification without factors, else the
  default "none"; else ``single-group`` for interventionModel SINGLE_GROUP; else ``non-randomized``; missing when
  the record has no design.
* **Masking** — ``whoMasked`` mapped to participant/care-provider/investigator/outcomes-assessor; ``NONE`` is open
  label (empty); missing without masking information.
* **Regimens** — per intervention and its arms. Dose, route and schedule are read from the intervention's
  description, then the arm's description, then (when the study has one active intervention) the detailed
  description, first found. Arms whose readings agree share one regimen, so "single vs repeated infusion" arms
  become two. A dose not found is *missing* (the study cannot start without it). In a 3+3 study the amount per
  administration is the cohort's dose level (``escalation.dose_levels``); the regimen records the other amount
  stated (the volume, e.g. 2 mL) or, failing that, the starting level as a default. A placebo (name or description
  says placebo/saline/sham, or every arm of it is a placebo/sham comparator) gets the default dose *0* in the active
  product's unit — no active product, given as the active one (same volume, route and schedule as its text says);
  a clinician reads "0 cells/kg, normal saline" as the comparator it is. A behavioural, device, procedure or
  diagnostic intervention with no amount gets the default dose "1 application".
* **Escalation** — for 3+3 only: dose levels, cohort and expansion sizes, stopping fraction, DLT window, wait
  between cohorts (each from the sentence that states it; a rule the design text omits is looked for in the DLT
  outcome), and the DLT definition (the DLT primary outcome's description).
* **Schedule** — visits from every outcome's time frame (and description), merged, coded V01…; each visit lists the
  instruments of the outcomes whose time frames produced it.
* **Eligibility** — age limits, sex and healthy volunteers from their fields; criteria from the free text. An
  absent minimum age is missing; an absent maximum age means no upper limit in the registry, recorded as the
  default 120 years (``Age`` has no "none"); healthy volunteers not stated defaults to not accepted.
* **Outcomes** — primary, secondary, other: measure, time frame, instruments and their fields
  (``instrument.field``), analysis kind (parsed from the phrase that decided it, else the default continuous).

Example:
    >>> from trialdesk.registry.record import RegistryRecord, SourceInfo, validate_study
    >>> study = validate_study({"protocolSection": {"identificationModule": {"nctId": "NCT01234567", "briefTitle": "T"},
    ...     "armsInterventionsModule": {"interventions": [{"type": "DRUG", "name": "X",
    ...     "description": "5 mg/kg orally, a single dose"}]}}})
    >>> p = compile_protocol(RegistryRecord(study, SourceInfo("api-v2-json", "x.json")))
    >>> r = p.regimens[0]
    >>> r.dose.value.amount, r.dose.value.basis, r.route.value, r.offsets_days.value
    (5.0, 'per-kg', 'oral', (0,))
"""

from __future__ import annotations

import re
from typing import Any, Final

from pydantic import TypeAdapter

from trialdesk.protocol.model import (
    Allocation,
    Arm,
    Dose,
    Eligibility,
    Protocol,
    Regimen,
    Sourced,
    default,
    field_kind,
    missing,
    parsed,
    registry,
)
from trialdesk.protocol.values import AdministrationSchedule, DoseAmount, NotUnderstood, Parsed
from trialdesk.registry.compile_parts import (
    DESIGN,
    SOURCED_COUNT,
    SOURCED_DAYS,
    SOURCED_DOSE,
    P,
    Text,
    build_escalation,
    build_outcomes,
    build_schedule,
    find_escalation,
    find_route,
    read_age,
    read_masking,
    route_sourced,
    to_dose,
)
from trialdesk.registry.parsing.doses import iter_doses
from trialdesk.registry.parsing.eligibility import read_criteria
from trialdesk.registry.parsing.schedules import parse_schedule
from trialdesk.registry.record import ArmGroup, Intervention, RegistryRecord, Study

__all__ = ["compile_protocol"]

ARMS = P + "armsInterventionsModule"
_PLACEBO: Final = re.compile(r"\bplacebo|\bsaline\b|\bsham\b", re.IGNORECASE)
_PLACEBO_WORD: Final = re.compile(r"\bplacebo\b", re.IGNORECASE)
_COMPARATOR_TYPES: Final = frozenset({"PLACEBO_COMPARATOR", "SHAM_COMPARATOR"})
_NOT_PRODUCTS: Final = frozenset({"BEHAVIORAL", "DEVICE", "PROCEDURE", "DIAGNOSTIC_TEST"})
# "2:1" or "1:1:1" not inside a longer number, time or list. The check that no digit, colon or point precedes the first
# digit is made just after that digit, by (?<![\d:.][1-9]), which rejects the same starts as (?<![\d:.]) before it: the
# pattern then starts with a digit, which the regex engine scans for quickly.
_RATIO: Final = re.compile(r"([1-9])(?<![\d:.][1-9])\s*:\s*([1-9])(?:\s*:\s*([1-9]))?(?![\d:.])")
_RATIO_CONTEXT: Final = re.compile(r"randomi[sz]|\bratio\b|\ballocat", re.IGNORECASE)
_STRATIFY: Final = re.compile(r"\bstratif", re.IGNORECASE)
_SEX: Final = {"ALL": "all", "FEMALE": "female", "MALE": "male"}
# the Sourced types the models declare, so the values made for them are not validated again (see protocol.model)
_STATUS: Final = field_kind(Protocol, "status")
_PHASES: Final = field_kind(Protocol, "phases")
_ENROLMENT: Final = field_kind(Protocol, "enrollment")
_ALLOCATION_KIND: Final = field_kind(Allocation, "kind")
_RATIO_KIND: Final = field_kind(Allocation, "ratio")
_STRATA_KIND: Final = field_kind(Allocation, "stratification")
# A record's arms, each with its provenance, as plain data validated in one call: quicker than making each Arm and
# Provenance in turn, and the same models.
_ARMS: Final[TypeAdapter[tuple[Arm, ...]]] = TypeAdapter(tuple[Arm, ...])


def compile_protocol(record: RegistryRecord) -> Protocol:
    """The protocol a registry record states, every value with its provenance; never raises for a valid record.

    Example:
        >>> from trialdesk.registry.record import RegistryRecord, SourceInfo, validate_study
        >>> rec = RegistryRecord(validate_study({"protocolSection": {"identificationModule":
        ...     {"nctId": "NCT01234567", "officialTitle": "Official"}}}), SourceInfo("api-v2-json", "x.json"))
        >>> p = compile_protocol(rec)
        >>> p.title, p.allocation.kind.provenance.source, p.status.provenance.rule
        ('Official', 'missing', 'the record states no overall status')
    """
    study = record.study
    section = study.protocolSection
    ident = section.identificationModule
    status = section.statusModule
    design = section.designModule
    texts = _design_texts(study)
    found = find_escalation(texts)
    arms = _build_arms(study)
    outcomes, sources = build_outcomes(study)
    return Protocol(
        nct_id=ident.nctId,
        title=ident.briefTitle or ident.officialTitle or ident.nctId,
        status=(
            registry(status.overallStatus.value, P + "statusModule.overallStatus", _STATUS)
            if status is not None and status.overallStatus is not None
            else missing(P + "statusModule.overallStatus", None, "the record states no overall status", _STATUS)
        ),
        phases=(
            registry(tuple(p.value for p in design.phases), P + "designModule.phases", _PHASES)
            if design is not None and design.phases
            else missing(P + "designModule.phases", None, "the record states no phase", _PHASES)
        ),
        enrollment=(
            registry(design.enrollmentInfo.count, P + "designModule.enrollmentInfo.count", _ENROLMENT)
            if design is not None and design.enrollmentInfo is not None and design.enrollmentInfo.count is not None
            else missing(P + "designModule.enrollmentInfo.count", None, "the record states no enrolment", _ENROLMENT)
        ),
        arms=arms,
        allocation=_build_allocation(study, texts, found, len(arms)),
        masking=read_masking(study),
        regimens=_build_regimens(study, found),
        escalation=build_escalation(study, found) if found else None,
        schedule=build_schedule(study, [names for _, _, names in sources]),
        eligibility=_build_eligibility(study),
        outcomes=outcomes,
    )


def _design_texts(study: Study) -> list[Text]:
    """The free texts a design may be stated in, in the order they are searched."""
    section = study.protocolSection
    description = section.descriptionModule
    texts: list[Text] = []
    if description is not None and description.detailedDescription:
        texts.append((P + "descriptionModule.detailedDescription", description.detailedDescription))
    module = section.armsInterventionsModule
    if module is not None:
        for i, arm in enumerate(module.armGroups):
            if arm.description:
                texts.append((f"{ARMS}.armGroups[{i}].description", arm.description))
        for i, intervention in enumerate(module.interventions):
            if intervention.description:
                texts.append((f"{ARMS}.interventions[{i}].description", intervention.description))
    outcomes = section.outcomesModule
    if outcomes is not None:
        for i, outcome in enumerate(outcomes.primaryOutcomes):
            if outcome.description:
                texts.append((f"{P}outcomesModule.primaryOutcomes[{i}].description", outcome.description))
    if description is not None and description.briefSummary:
        texts.append((P + "descriptionModule.briefSummary", description.briefSummary))
    return texts


def _build_arms(study: Study) -> tuple[Arm, ...]:
    module = study.protocolSection.armsInterventionsModule
    if module is None:
        return ()
    return _ARMS.validate_python(
        [
            {
                "label": arm.label,
                "type": arm.type.value if arm.type is not None else None,
                "description": arm.description,
                "interventions": tuple(arm.interventionNames),
                "provenance": {"source": "registry", "path": f"{ARMS}.armGroups[{i}]"},
            }
            for i, arm in enumerate(module.armGroups)
        ]
    )


def _build_allocation(study: Study, texts: list[Text], found: tuple[str, str, Any] | None, n_arms: int) -> Allocation:
    if found is not None:
        path, _, result = found
        phrase = next((note for note in result.value.notes if "+" in note), result.span.text)
        return Allocation(kind=parsed("dose-escalation-3+3", path, phrase, _ALLOCATION_KIND))
    design = study.protocolSection.designModule
    info = design.designInfo if design is not None else None
    if info is None or (info.allocation is None and info.interventionModel is None):
        tried = "\n".join(text for _, text in texts) or None
        return Allocation(kind=missing(DESIGN + ".allocation", tried, "the record states no design", _ALLOCATION_KIND))
    if info.allocation is not None and info.allocation.value == "RANDOMIZED":
        return Allocation(
            kind=registry("randomized", DESIGN + ".allocation", _ALLOCATION_KIND),
            ratio=_read_ratio(texts, n_arms),
            stratification=_read_strata(texts),
        )
    if info.interventionModel is not None and info.interventionModel.value == "SINGLE_GROUP":
        return Allocation(kind=registry("single-group", DESIGN + ".interventionModel", _ALLOCATION_KIND))
    field = "allocation" if info.allocation is not None else "interventionModel"
    return Allocation(kind=registry("non-randomized", f"{DESIGN}.{field}", _ALLOCATION_KIND))


def _read_ratio(texts: list[Text], n_arms: int) -> Sourced[Any]:
    """A ratio such as "randomized 2:1" with one number per arm, else 1:1… by default."""
    for path, text in texts:
        if ":" not in text:  # every ratio has a colon
            continue
        for match in _RATIO.finditer(text):
            numbers = tuple(int(g) for g in match.groups() if g)
            window = text[max(0, match.start() - 80) : match.end() + 40]
            if len(numbers) == n_arms and _RATIO_CONTEXT.search(window):
                return parsed(numbers, path, match.group(0), _RATIO_KIND)
    if n_arms < 2:
        return missing(ARMS + ".armGroups", None, "randomized, but fewer than two arms are registered", _RATIO_KIND)
    return default((1,) * n_arms, "1:1 when the record states no ratio", _RATIO_KIND)


def _read_strata(texts: list[Text]) -> Sourced[Any]:
    for path, text in texts:
        # in an ASCII text lower-casing is what IGNORECASE compares: without "stratif" the pattern cannot match
        if text.isascii() and "stratif" not in text.lower():
            continue
        if match := _STRATIFY.search(text):
            start = max(text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
            ends = [i for i in (text.find(".", match.end()), text.find("\n", match.end())) if i >= 0]
            sentence = text[start : min(ends, default=len(text))].strip()
            return missing(path, sentence, "stratification is mentioned but its factors are not read", _STRATA_KIND)
    return default((), "no stratification: the record mentions none", _STRATA_KIND)


def _arm_lookup(arms: list[tuple[int, ArmGroup]], intervention: Intervention) -> list[tuple[int, ArmGroup]]:
    """The (index, arm)s of ``arms`` that receive ``intervention`` (by its armGroupLabels, else by the arms'
    interventionNames)."""
    labels = set(intervention.armGroupLabels)
    chosen = [(i, a) for i, a in arms if a.label in labels]
    if not chosen:
        chosen = [
            (i, a) for i, a in arms if any(n.split(": ", 1)[-1] == intervention.name for n in a.interventionNames)
        ]
    return chosen


def _is_placebo(intervention: Intervention, arms: list[tuple[int, ArmGroup]]) -> bool:
    if _PLACEBO.search(intervention.name) or _PLACEBO.search(" ".join(intervention.otherNames)):
        return True
    if intervention.description and _says_placebo(intervention.description):
        return True
    return bool(arms) and all(a.type in _COMPARATOR_TYPES for _, a in arms)  # a StrEnum member equals its value


def _says_placebo(text: str) -> bool:
    """Whether ``text`` has the word placebo (an ASCII text only if its lower-cased form contains "placebo")."""
    return (not text.isascii() or "placebo" in text.lower()) and _PLACEBO_WORD.search(text) is not None


def _find_dose(
    texts: list[Text], levels: tuple[DoseAmount, ...], seen: dict[str, tuple[Parsed[DoseAmount], Dose] | None]
) -> tuple[str, Parsed[DoseAmount], Dose] | None:
    """(path, dose read, its Dose) of the first dose in the first text that has one (skipping a 3+3 study's dose
    levels), else None.

    ``seen`` keeps each text's first dose that is not a level during one compilation (arms share their texts, and
    the levels are the study's); the text is read only up to that dose. A dose read and a level are compared as read:
    equal amounts have the same four fields, as the Doses made from them would.
    """
    for path, text in texts:
        if text not in seen:
            first = next((d for d in iter_doses(text) if d.value not in levels), None)
            seen[text] = (first, to_dose(first.value)) if first is not None else None
        found = seen[text]
        if found is not None:
            return path, *found
    return None


def _find_schedule(
    texts: list[Text], seen: dict[str, Parsed[AdministrationSchedule] | NotUnderstood]
) -> tuple[str, Parsed[AdministrationSchedule]] | None:
    """(path, schedule) from the first text that states a schedule, else None.

    ``seen`` keeps each text's parsed schedule during one compilation (arms share their texts).
    """
    for path, text in texts:
        if text not in seen:
            seen[text] = parse_schedule(text)
        result = seen[text]
        if not isinstance(result, NotUnderstood):
            return path, result
    return None


def _schedule_values(
    found: tuple[str, Parsed[AdministrationSchedule]] | None,
) -> tuple[int | None, tuple[int, ...] | None, int | None]:
    """(administrations, offsets in days, within days) of a schedule found, each None where it states none."""
    if found is None:
        return None, None, None
    value = found[1].value
    count = value.count if value.count is not None else len(value.offsets_days) or None
    return count or None, value.offsets_days or None, value.within_days


def _read_schedule(
    texts: list[Text], found: tuple[str, Parsed[AdministrationSchedule]] | None
) -> tuple[Sourced[Any], Sourced[Any]]:
    """(administrations, offsets in days) with their provenance, from the schedule found in ``texts`` (if any)."""
    if found is None:
        tried = "\n".join(text for _, text in texts) or None
        first = texts[0][0] if texts else None
        return (
            missing(first, tried, "no number of doses stated", SOURCED_COUNT),
            missing(first, tried, "no dosing days stated", SOURCED_DAYS),
        )
    path, result = found
    count, offsets_days, _ = _schedule_values(found)
    span = result.span.text
    administrations = (
        parsed(count, path, span, SOURCED_COUNT)
        if count
        else missing(path, span, "the number of doses is not stated", SOURCED_COUNT)
    )
    offsets = (
        parsed(offsets_days, path, span, SOURCED_DAYS)
        if offsets_days
        else missing(path, span, f"the days of the doses are not stated ({result.value.description})", SOURCED_DAYS)
    )
    return administrations, offsets


def _build_regimens(study: Study, found: tuple[str, str, Any] | None) -> tuple[Regimen, ...]:
    """One regimen per intervention and group of its arms whose dose, route and schedule agree (see the module)."""
    section = study.protocolSection
    module = section.armsInterventionsModule
    if module is None:
        return ()
    description = section.descriptionModule
    detailed = description.detailedDescription if description is not None else None
    summary = description.briefSummary if description is not None else None
    levels: tuple[DoseAmount, ...] = found[2].value.dose_levels if found is not None else ()
    all_arms = list(enumerate(module.armGroups))
    entries = [(i, v, _arm_lookup(all_arms, v)) for i, v in enumerate(module.interventions)]
    placebo = {i for i, v, arms in entries if _is_placebo(v, arms)}
    active = [i for i, v, _ in entries if i not in placebo and v.type not in _NOT_PRODUCTS]  # StrEnum: equals value
    regimens: list[Regimen] = []
    active_dose: Dose | None = None
    doses: dict[str, tuple[Parsed[DoseAmount], Dose] | None] = {}
    routes: dict[str, tuple[str, str, bool] | None] = {}
    schedules: dict[str, Parsed[AdministrationSchedule] | NotUnderstood] = {}
    for i, intervention, arms in sorted(entries, key=lambda e: e[0] in placebo):  # active products first
        own: list[Text] = []
        if intervention.description:
            own.append((f"{ARMS}.interventions[{i}].description", intervention.description))
        # Arms whose readings agree share one regimen, made from the first arm's readings (values and provenance);
        # the values decide, so the provenance is made only for an arm that starts a group.
        groups: dict[tuple[Any, ...], tuple[list[str], tuple[Any, ...]]] = {}
        for arm_index, arm in arms or [(-1, None)]:  # type: ignore[list-item]
            texts = list(own)
            if arm is not None and arm.description:
                texts.append((f"{ARMS}.armGroups[{arm_index}].description", arm.description))
            if detailed and i not in placebo and active == [i]:
                texts.append((P + "descriptionModule.detailedDescription", detailed))
            dose_found = _find_dose(texts if i not in placebo else texts[: len(own) + 1], levels, doses)
            if dose_found is not None:
                dose_value: Dose | None = dose_found[2]
                fallback_rule = ""
            else:
                dose_value, fallback_rule = _fallback_dose(intervention, i in placebo, levels, active_dose)
            if i not in placebo and dose_value is not None and active_dose is None:
                active_dose = dose_value
            named = [*texts, (f"{ARMS}.interventions[{i}].name", intervention.name)]
            if summary:
                named.append((P + "descriptionModule.briefSummary", summary))
            schedule_found = _find_schedule(texts, schedules)
            route_found = find_route(named, routes)
            count, offsets_days, within = _schedule_values(schedule_found)
            key = (dose_value, route_found[1] if route_found is not None else None, count, offsets_days, within)
            label = arm.label if arm is not None else None
            if key in groups:
                groups[key][0].append(label or "")
                continue
            dose = (
                parsed(dose_value, dose_found[0], dose_found[1].span.text, SOURCED_DOSE)
                if dose_found is not None
                else _fallback_sourced(intervention, dose_value, fallback_rule, texts)
            )
            administrations, offsets = _read_schedule(texts, schedule_found)
            readings = (dose, route_sourced(named, route_found), administrations, offsets, within)
            groups[key] = ([label] if label else [], readings)
        regimens += [
            Regimen(
                intervention=intervention.name,
                arms=tuple(labels),
                dose=dose,
                route=route,
                administrations=administrations,
                offsets_days=offsets,
                within_days=within,
            )
            for labels, (dose, route, administrations, offsets, within) in groups.values()
        ]
    return tuple(regimens)


def _fallback_dose(
    intervention: Intervention, placebo: bool, levels: tuple[DoseAmount, ...], active: Dose | None
) -> tuple[Dose | None, str]:
    """(dose, rule) when no text states one: placebo 0, a 3+3 starting level, one application, or None (missing)."""
    if placebo:
        unit, basis = (active.unit, active.basis) if active is not None else ("units", "flat")
        rule = f"placebo ({intervention.name}): no active product, given as the active one (same volume and schedule)"
        return Dose(amount=0, unit=unit, basis=basis), rule
    if levels:
        return to_dose(levels[0]), "3+3: the starting dose level; each cohort gets its level (escalation.dose_levels)"
    kind = intervention.type.value if intervention.type is not None else None
    if kind in _NOT_PRODUCTS:
        return Dose(amount=1, unit="application"), f"not a medicinal product ({kind}): no amount to give"
    where = "the intervention description, its arms' descriptions or the detailed description"
    return None, f"no dose amount with a unit found in {where}"


def _fallback_sourced(intervention: Intervention, value: Dose | None, rule: str, texts: list[Text]) -> Sourced[Any]:
    """The dose :func:`_fallback_dose` gave, as a default, or missing (with the texts tried) when it gave none."""
    if value is not None:
        return default(value, rule, SOURCED_DOSE)
    path = texts[0][0] if texts else f"{ARMS}.interventions"
    tried = "\n".join(text for _, text in texts) or intervention.name
    return missing(path, tried, rule, SOURCED_DOSE)


# Eligibility's own Sourced types: a value made as its field's type is taken as it is, a plain Sourced is validated
# again (with every criterion in it).
_ELIGIBILITY_TYPES: Final = {name: field_kind(Eligibility, name) for name in Eligibility.model_fields}


def _build_eligibility(study: Study) -> Eligibility:
    module = study.protocolSection.eligibilityModule
    path = P + "eligibilityModule"
    kinds = _ELIGIBILITY_TYPES
    if module is None:
        why = "the record has no eligibility section"
        return Eligibility(
            minimum_age=missing(path + ".minimumAge", None, why, kinds["minimum_age"]),
            maximum_age=missing(path + ".maximumAge", None, why, kinds["maximum_age"]),
            sex=missing(path + ".sex", None, why, kinds["sex"]),
            healthy_volunteers=missing(path + ".healthyVolunteers", None, why, kinds["healthy_volunteers"]),
            criteria=missing(path + ".eligibilityCriteria", None, why, kinds["criteria"]),
        )
    maximum = (
        read_age(module.maximumAge, path + ".maximumAge", kinds["maximum_age"])
        if module.maximumAge
        else default(
            {"value": 120, "unit": "years"},
            "the record states no maximum age: no upper limit (120 years)",
            kinds["maximum_age"],
        )
    )
    criteria_path = path + ".eligibilityCriteria"
    if not module.eligibilityCriteria:
        criteria = missing(criteria_path, None, "the record gives no eligibility criteria", kinds["criteria"])
    elif items := read_criteria(module.eligibilityCriteria):
        criteria = parsed(items, criteria_path, module.eligibilityCriteria, kinds["criteria"])
    else:
        criteria = missing(
            criteria_path, module.eligibilityCriteria, "no inclusion or exclusion criterion found", kinds["criteria"]
        )
    return Eligibility(
        minimum_age=read_age(module.minimumAge, path + ".minimumAge", kinds["minimum_age"]),
        maximum_age=maximum,
        sex=(
            registry(_SEX[module.sex.value], path + ".sex", kinds["sex"])
            if module.sex is not None
            else missing(path + ".sex", None, "the record states no sex", kinds["sex"])
        ),
        healthy_volunteers=(
            registry(module.healthyVolunteers, path + ".healthyVolunteers", kinds["healthy_volunteers"])
            if module.healthyVolunteers is not None
            else default(False, "not stated: healthy volunteers are not accepted", kinds["healthy_volunteers"])
        ),
        criteria=criteria,
    )
