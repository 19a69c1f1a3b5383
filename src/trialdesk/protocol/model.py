"""The executable protocol: what the study says, every derived value with where it came from.

A value's :class:`Provenance` is ``registry`` (a structured field path), ``parsed`` (the exact text span it was read
from), ``default`` (a documented rule, e.g. a 1:1 ratio when none is stated) or ``missing`` (what was tried). The
model is frozen and forbids unknown fields, so a protocol file a person edited is validated field by field.

Example:
    >>> p = Protocol(nct_id="NCT01234567", title="T", status=registry("RECRUITING", "statusModule.overallStatus"))
    >>> p.status.value, p.status.provenance.source
    ('RECRUITING', 'registry')
    >>> [g.path for g in list_gaps(p)][:2]
    ['allocation.kind', 'arms']
"""

from __future__ import annotations

import typing
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

SourceKind = Literal["registry", "parsed", "default", "missing"]
AllocationKind = Literal["single-group", "randomized", "non-randomized", "dose-escalation-3+3"]
AnalysisKind = Literal["proportion", "change-from-baseline", "count", "time-to-event", "continuous"]
Anchor = Literal["screening", "baseline", "first-dose", "last-dose", "randomization", "each-dose"]
FORMAT_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Provenance(_Frozen):
    """Where a value came from. ``path`` is the registry field (``protocolSection.…``); ``text`` the exact span read
    (parsed) or the text that was tried (missing); ``rule`` the documented default or why the value is missing."""

    source: SourceKind
    path: str | None = None
    text: str | None = None
    rule: str | None = None


class Sourced(_Frozen, Generic[T]):
    """A value and its provenance; ``value`` is None exactly when the source is ``missing``."""

    value: T | None = None
    provenance: Provenance


# Each constructor below takes the Sourced type to make (``kind``): a model field declared ``Sourced[X]`` takes a
# ``Sourced[X]`` as it is but validates any other Sourced again, so callers building a model pass its field's type
# (see :func:`field_kind`). The provenance is given as its fields and validated with the value in one step.


def registry(value: Any, path: str, kind: type[Sourced[Any]] = Sourced) -> Sourced[Any]:
    """A value taken from a structured registry field.

    Example:
        >>> registry(18, "designModule.enrollmentInfo.count").provenance.path
        'designModule.enrollmentInfo.count'
    """
    return kind(value=value, provenance={"source": "registry", "path": path})


def parsed(value: Any, path: str, text: str, kind: type[Sourced[Any]] = Sourced) -> Sourced[Any]:
    """A value read from the text span ``text`` of registry field ``path``."""
    return kind(value=value, provenance={"source": "parsed", "path": path, "text": text})


def default(value: Any, rule: str, kind: type[Sourced[Any]] = Sourced) -> Sourced[Any]:
    """A value set by a documented rule because the record does not state it."""
    return kind(value=value, provenance={"source": "default", "rule": rule})


def missing(
    path: str | None = None, tried: str | None = None, rule: str | None = None, kind: type[Sourced[Any]] = Sourced
) -> Sourced[Any]:
    """A value the record does not give; ``tried`` is the text that was read without finding it.

    Example:
        >>> missing("interventions[0].description", "Umbilical cord MSC infusion", "no dose found").value is None
        True
    """
    return kind(value=None, provenance={"source": "missing", "path": path, "text": tried, "rule": rule})


def field_kind(model: type[BaseModel], name: str) -> type[Sourced[Any]]:
    """The Sourced type a model declares for field ``name``, to make its values with (see the constructors above).

    Example:
        >>> field_kind(Eligibility, "minimum_age").__name__
        'Sourced[Age]'
    """
    kind = model.model_fields[name].annotation
    members = [m for m in typing.get_args(kind) if m is not type(None)]  # "Sourced[X] | None" → Sourced[X]
    if len(members) == 1:
        kind = members[0]
    if not (isinstance(kind, type) and issubclass(kind, Sourced)):
        raise TypeError(f"{model.__name__}.{name} is not a Sourced field")
    return kind


class Dose(_Frozen):
    """An amount per administration, e.g. 1e6 cells per kg; ``basis`` is per-kg, per-m2 or flat."""

    amount: float
    unit: str
    basis: Literal["per-kg", "per-m2", "flat"] = "flat"
    approximate: bool = False


class Arm(_Frozen):
    """A study arm as registered."""

    label: str
    type: str | None = None
    description: str | None = None
    interventions: tuple[str, ...] = ()
    provenance: Provenance


class Allocation(_Frozen):
    """How participants get an arm: single group, randomized (ratio, strata), non-randomized or 3+3 escalation."""

    kind: Sourced[AllocationKind]
    ratio: Sourced[tuple[int, ...]] | None = None
    stratification: Sourced[tuple[str, ...]] | None = None


class Masking(_Frozen):
    """Who is blinded: any of participant, care-provider, investigator, outcomes-assessor (empty = open label)."""

    blinded: Sourced[tuple[str, ...]]


class Regimen(_Frozen):
    """How an intervention is given in its arms: dose, route, number of administrations and their timing."""

    intervention: str
    arms: tuple[str, ...] = ()
    dose: Sourced[Dose]
    route: Sourced[str]
    administrations: Sourced[int]
    offsets_days: Sourced[tuple[int, ...]]
    within_days: int | None = None


class Escalation(_Frozen):
    """A 3+3 design: dose levels, cohort and expansion sizes, stopping threshold, DLT definition and windows."""

    dose_levels: Sourced[tuple[Dose, ...]]
    cohort_size: Sourced[int]
    expansion_size: Sourced[int]
    stop_above: Sourced[float]
    dlt_window_days: Sourced[int]
    cohort_gap_days: Sourced[int]
    dlt_definition: Sourced[str]


class Visit(_Frozen):
    """A scheduled visit: code, label, target day from its anchor, window and the forms due."""

    code: str
    label: str
    day: int
    anchor: Anchor
    window_before: int = 0
    window_after: int = 0
    forms: tuple[str, ...] = ()
    provenance: Provenance


class Age(_Frozen):
    """An age limit with its unit, as the registry states it (``18 Years``)."""

    value: float
    unit: Literal["years", "months", "weeks", "days", "hours", "minutes"]


class EligibilityCriterion(_Frozen):
    """One criterion: computable (an expression over named form fields) or checklist (the investigator confirms)."""

    kind: Literal["inclusion", "exclusion"]
    text: str
    classification: Literal["computable", "checklist"]
    expression: str | None = None
    fields: tuple[str, ...] = ()


class Eligibility(_Frozen):
    """Structured limits plus each criterion of the free text."""

    minimum_age: Sourced[Age]
    maximum_age: Sourced[Age]
    sex: Sourced[Literal["all", "female", "male"]]
    healthy_volunteers: Sourced[bool]
    criteria: Sourced[tuple[EligibilityCriterion, ...]]


class Outcome(_Frozen):
    """An outcome: kind, measure, time frame, instruments (with their form fields) and the analysis it needs."""

    kind: Literal["primary", "secondary", "other"]
    measure: str
    time_frame: str | None = None
    instruments: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    analysis: Sourced[AnalysisKind]
    provenance: Provenance


class Protocol(_Frozen):
    """The executable protocol compiled from a registry record (or loaded from a file a person corrected)."""

    format_version: int = FORMAT_VERSION
    nct_id: str = Field(pattern=r"^NCT\d{8}$")
    title: str
    status: Sourced[str]
    phases: Sourced[tuple[str, ...]] | None = None
    enrollment: Sourced[int] | None = None
    arms: tuple[Arm, ...] = ()
    allocation: Allocation | None = None
    masking: Masking | None = None
    regimens: tuple[Regimen, ...] = ()
    escalation: Escalation | None = None
    schedule: tuple[Visit, ...] = ()
    eligibility: Eligibility | None = None
    outcomes: tuple[Outcome, ...] = ()


class Gap(_Frozen):
    """A value that is missing or defaulted, with the text that was tried; ``required`` ones block activation."""

    path: str
    source: Literal["missing", "default"]
    required: bool
    text: str | None = None
    rule: str | None = None


def _collect(value: Any, path: str, required: bool, gaps: list[Gap]) -> None:
    if isinstance(value, Sourced):
        source = value.provenance.source
        if source in ("missing", "default"):
            gaps.append(
                Gap(
                    path=path,
                    source=source,
                    required=required and source == "missing",
                    text=value.provenance.text,
                    rule=value.provenance.rule,
                )
            )
        return
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _collect(getattr(value, name), f"{path}.{name}" if path else name, required, gaps)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            _collect(item, f"{path}[{index}]", required, gaps)


# Values a study cannot be activated without (conduct enforces it).
REQUIRED_PATHS = ("allocation.kind", "arms", "regimens", "schedule", "outcomes", "eligibility.minimum_age")


def list_gaps(protocol: Protocol) -> list[Gap]:
    """Every missing or defaulted value, in document order; required ones (see :data:`REQUIRED_PATHS`) first flagged.

    A whole required part that is absent (no arms, no regimens, no visits, no primary outcome) is a gap too.
    """
    gaps: list[Gap] = []
    if protocol.allocation is None:
        gaps.append(Gap(path="allocation.kind", source="missing", required=True, rule="the record states no design"))
    for name, label in (
        ("arms", "arms"),
        ("regimens", "dose regimens"),
        ("schedule", "visits"),
        ("outcomes", "outcomes"),
    ):
        if not getattr(protocol, name):
            gaps.append(Gap(path=name, source="missing", required=True, rule=f"the record gives no {label}"))
    if protocol.outcomes and not any(o.kind == "primary" for o in protocol.outcomes):
        gaps.append(Gap(path="outcomes", source="missing", required=True, rule="no primary outcome"))
    for name in type(protocol).model_fields:
        value = getattr(protocol, name)
        required = any(p == name or p.startswith(name + ".") for p in REQUIRED_PATHS)
        _collect(value, name, required, gaps)
    return gaps


def can_activate(protocol: Protocol) -> bool:
    """True when no required value is missing.

    Example:
        >>> can_activate(Protocol(nct_id="NCT01234567", title="T", status=registry("RECRUITING", "x")))
        False
    """
    return not any(g.required for g in list_gaps(protocol))
