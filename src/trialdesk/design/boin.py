"""BOIN: the Bayesian optimal interval design (Liu & Yuan 2015, JRSS-C 64:507–523), as in the BOIN R package.

The design compares the observed DLT rate at the current level with two fixed boundaries: escalate when
``y/n <= λe``, de-escalate when ``y/n >= λd``, otherwise stay. A level, and every level above it, is
eliminated when ``P(p > target | y, n) > 0.95`` under a Beta(1, 1) prior with at least 3 patients treated;
the trial stops for toxicity when the lowest level is eliminated. At the end the MTD is the level whose
isotonic (PAVA) estimate of the DLT rate is closest to the target, exactly as ``BOIN::select.mtd`` does.

Conventions follow the BOIN package (``get.boundary``, ``get.oc``, ``select.mtd``, version 2.7): the
escalation boundary is ``floor(λe·n)`` DLTs, the de-escalation boundary ``ceil(λd·n)`` DLTs (never above
the elimination boundary), and the early stop ``n.earlystop`` fires only when the decision would be to stay.

Example:
    >>> lam_e, lam_d = boin_boundaries(0.3)
    >>> round(lam_e, 4), round(lam_d, 4)
    (0.2365, 0.3585)
    >>> decide_boin([LevelData(3, 0), LevelData()], current=0, target=0.3).action.value
    'escalate'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy  # its submodules load on first use: importing trialdesk's CLI stays quick
from numpy.typing import NDArray

from trialdesk.design.escalation import Action, Decision, LevelData, validate_levels
from trialdesk.design.operating import OperatingCharacteristics, check_true_dlt, summarise_simulation

__all__ = [
    "boin_boundaries",
    "boin_table",
    "decide_boin",
    "select_mtd_isotonic",
    "simulate_boin",
]

_MIN_FOR_ELIMINATION = 3  # BOIN never eliminates a level with fewer than 3 evaluable patients


def _check_probability(name: str, value: float) -> float:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {value:g}")
    return float(value)


def boin_boundaries(target: float, phi1: float | None = None, phi2: float | None = None) -> tuple[float, float]:
    """The escalation and de-escalation boundaries (λe, λd) of BOIN for a target DLT rate.

    ``phi1`` is the highest DLT rate deemed sub-therapeutic (default 0.6·target) and ``phi2`` the lowest
    deemed overly toxic (default 1.4·target). The closed forms are those of Liu & Yuan (2015), eq. (2):
    λe = log((1−φ1)/(1−φ)) / log(φ(1−φ1) / (φ1(1−φ))) and λd = log((1−φ)/(1−φ2)) / log(φ2(1−φ) / (φ(1−φ2))).

    Example:
        >>> [round(b, 3) for b in boin_boundaries(0.25)]
        [0.197, 0.298]
        >>> boin_boundaries(0.3, phi1=0.35)
        Traceback (most recent call last):
        ...
        ValueError: phi1 (0.35) must be below the target (0.3)
    """
    phi = _check_probability("target", target)
    low = _check_probability("phi1", 0.6 * phi if phi1 is None else phi1)
    high = 1.4 * phi if phi2 is None else phi2
    if phi2 is None and high >= 1.0:
        raise ValueError(f"target {phi:g} is too high for the default phi2 = 1.4·target; give phi2 below 1")
    high = _check_probability("phi2", high)
    if low >= phi:
        raise ValueError(f"phi1 ({low:g}) must be below the target ({phi:g})")
    if high <= phi:
        raise ValueError(f"phi2 ({high:g}) must be above the target ({phi:g})")
    lambda_e = math.log((1 - low) / (1 - phi)) / math.log(phi * (1 - low) / (low * (1 - phi)))
    lambda_d = math.log((1 - phi) / (1 - high)) / math.log(high * (1 - phi) / (phi * (1 - high)))
    return lambda_e, lambda_d


@lru_cache(maxsize=4096)
def _elimination_min(n: int, target: float, cutoff: float) -> int | None:
    """Smallest y with P(p > target | y DLTs in n, Beta(1,1) prior) > cutoff; None if none (or n < 3)."""
    if n < _MIN_FOR_ELIMINATION:
        return None
    dlts = np.arange(1, n + 1)
    overdose = scipy.stats.beta.sf(target, dlts + 1, n - dlts + 1)
    hits = np.flatnonzero(overdose > cutoff)
    return int(dlts[hits[0]]) if hits.size else None


def _overdose_probability(y: int, n: int, target: float) -> float:
    return float(scipy.stats.beta.sf(target, y + 1, n - y + 1))


def _check_cutoff(cutoff: float) -> float:
    return _check_probability("elimination_cutoff", cutoff)


def _boundary_arrays(
    target: float, max_n: int, cutoff: float, phi1: float | None, phi2: float | None
) -> tuple[NDArray[np.int_], NDArray[np.int_], NDArray[np.int_]]:
    """Per n = 0..max_n: escalate if y <= esc[n], de-escalate if y >= deesc[n], eliminate if y >= elim[n].

    Entries for n = 0 are unused; ``elim[n]`` is ``max_n + 1`` (never reached) where no elimination applies.
    """
    lambda_e, lambda_d = boin_boundaries(target, phi1, phi2)
    esc = np.zeros(max_n + 1, dtype=np.int_)
    deesc = np.zeros(max_n + 1, dtype=np.int_)
    elim = np.full(max_n + 1, max_n + 1, dtype=np.int_)
    for n in range(1, max_n + 1):
        esc[n] = math.floor(lambda_e * n)
        deesc[n] = math.ceil(lambda_d * n)
        bound = _elimination_min(n, target, cutoff)
        if bound is not None:
            elim[n] = bound
            deesc[n] = min(int(deesc[n]), bound)  # as get.boundary: de-escalate at least when eliminating
    return esc, deesc, elim


def boin_table(
    target: float,
    max_n: int = 18,
    cohort_size: int = 3,
    elimination_cutoff: float = 0.95,
    *,
    phi1: float | None = None,
    phi2: float | None = None,
) -> list[dict[str, int | None]]:
    """The BOIN decision table, one row per number of evaluable patients n = 1..max_n at the current level.

    Each row holds ``n``; ``escalate_max``, the largest number of DLTs with escalation (y/n <= λe);
    ``deescalate_min``, the smallest number with de-escalation (y/n >= λd, capped at the elimination
    boundary as ``BOIN::get.boundary`` does); ``eliminate_min``, the smallest number that eliminates the
    level (P(p > target | y, n) > elimination_cutoff under a Beta(1, 1) prior; only for n >= 3, else None);
    and ``cohort_end``, 1 when n completes a cohort of ``cohort_size`` (the columns of get.boundary's
    ``boundary_tab``), else 0.

    Example:
        >>> row = boin_table(0.3, max_n=6)[5]
        >>> row["n"], row["escalate_max"], row["deescalate_min"], row["eliminate_min"], row["cohort_end"]
        (6, 1, 3, 4, 1)
    """
    if max_n < 1:
        raise ValueError(f"max_n must be at least 1; got {max_n}")
    if cohort_size < 1:
        raise ValueError(f"cohort_size must be at least 1; got {cohort_size}")
    cutoff = _check_cutoff(elimination_cutoff)
    esc, deesc, elim = _boundary_arrays(float(target), max_n, cutoff, phi1, phi2)
    rows: list[dict[str, int | None]] = []
    for n in range(1, max_n + 1):
        eliminate = int(elim[n]) if elim[n] <= max_n else None
        rows.append(
            {
                "n": n,
                "escalate_max": int(esc[n]),
                "deescalate_min": int(deesc[n]),
                "eliminate_min": eliminate,
                "cohort_end": int(n % cohort_size == 0),
            }
        )
    return rows


def _evaluable(levels: Sequence[LevelData]) -> tuple[list[int], list[int]]:
    """Patients who completed the DLT window, and their DLTs, per level."""
    return [lv.treated - lv.pending for lv in levels], [lv.dlts for lv in levels]


def _lowest_eliminated(n: Sequence[int], y: Sequence[int], target: float, cutoff: float) -> int:
    """The lowest level whose data fire the elimination rule (all above go with it); len(n) if none."""
    for d, (nd, yd) in enumerate(zip(n, y, strict=True)):
        bound = _elimination_min(nd, target, cutoff)
        if bound is not None and yd >= bound:
            return d
    return len(n)


def _pava(values: Sequence[float], weights: Sequence[float]) -> list[float]:
    """Weighted isotonic (non-decreasing) regression by the pool-adjacent-violators algorithm."""
    blocks: list[tuple[float, float, int]] = []
    for value, weight in zip(values, weights, strict=True):
        blocks.append((value, weight, 1))
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks.pop()
            blocks.append(((v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2))
    fitted: list[float] = []
    for value, _, count in blocks:
        fitted.extend([value] * count)
    return fitted


@lru_cache(maxsize=1 << 16)
def _select_counts(n: tuple[int, ...], y: tuple[int, ...], target: float, cutoff: float) -> int:
    """``BOIN::select.mtd`` on counts: the 0-based MTD, or -1 when none is selected."""
    first_eliminated = _lowest_eliminated(n, y, target, cutoff)
    admissible = [d for d in range(first_eliminated) if n[d] > 0]
    if first_eliminated == 0 or not admissible:
        return -1
    estimates = [(y[d] + 0.05) / (n[d] + 0.1) for d in admissible]
    variances = [(y[d] + 0.05) * (n[d] - y[d] + 0.05) / ((n[d] + 0.1) ** 2 * (n[d] + 1.1)) for d in admissible]
    isotonic = _pava(estimates, [1.0 / v for v in variances])
    # select.mtd adds i·1e-10 so that ties go to the lower level above the target, the higher one below it.
    distances = [abs(p + (i + 1) * 1e-10 - target) for i, p in enumerate(isotonic)]
    return admissible[min(range(len(distances)), key=distances.__getitem__)]


def select_mtd_isotonic(levels: Sequence[LevelData], target: float, *, elimination_cutoff: float = 0.95) -> int | None:
    """The MTD at the end of a BOIN trial (0-based), or None when every level is eliminated or none was tried.

    As ``BOIN::select.mtd``: among tried, non-eliminated levels, PAVA on (y+0.05)/(n+0.1) weighted by the
    inverse of its Beta-posterior variance, then the level whose estimate is closest to the target; ties go to
    the lower level when the estimate is above the target and to the higher one when below.

    Example (``BOIN::select.mtd`` help page: n = 3, 3, 15, 9, 0 and y = 0, 0, 4, 4, 0 select dose 3):
        >>> data = [LevelData(3, 0), LevelData(3, 0), LevelData(15, 4), LevelData(9, 4), LevelData()]
        >>> select_mtd_isotonic(data, 0.3)
        2
    """
    validate_levels(levels, 0)
    phi = _check_probability("target", target)
    n, y = _evaluable(levels)
    chosen = _select_counts(tuple(n), tuple(y), phi, _check_cutoff(elimination_cutoff))
    return None if chosen < 0 else chosen


def decide_boin(
    levels: Sequence[LevelData],
    current: int,
    target: float,
    *,
    max_n_per_level: int | None = None,
    elimination_cutoff: float = 0.95,
    phi1: float | None = None,
    phi2: float | None = None,
) -> Decision:
    """The BOIN decision after the latest cohort at level ``current`` (0-based).

    Only patients who completed the DLT window count; any pending patient at the current level means WAIT.
    Elimination is read from the data: the lowest level where P(p > target | y, n) > ``elimination_cutoff``
    (n >= 3) is eliminated with every level above it; if that is the lowest level the decision is
    STOP_TOXICITY. The design never moves to an eliminated level. With ``max_n_per_level`` (BOIN's
    ``n.earlystop``) the trial ends with DECLARE_MTD once the current level has that many patients and the
    decision would be to stay there.

    Example:
        >>> d = decide_boin([LevelData(3, 0), LevelData(3, 2)], current=1, target=0.3)
        >>> d.action.value, d.next_level
        ('de-escalate', 0)
        >>> decide_boin([LevelData(3, 3)], current=0, target=0.3).action.value
        'stop-toxicity'
    """
    validate_levels(levels, current)
    phi = _check_probability("target", target)
    cutoff = _check_cutoff(elimination_cutoff)
    if max_n_per_level is not None and max_n_per_level < 1:
        raise ValueError(f"max_n_per_level must be at least 1; got {max_n_per_level}")
    lambda_e, lambda_d = boin_boundaries(phi, phi1, phi2)
    here = current + 1
    if levels[current].pending:
        return Decision(
            Action.WAIT, reason=f"{levels[current].pending} patient(s) at level {here} are still in the DLT window"
        )
    n, y = _evaluable(levels)
    top = len(levels) - 1
    eliminated = _lowest_eliminated(n, y, phi, cutoff)
    if eliminated == 0:
        prob = _overdose_probability(y[0], n[0], phi)
        return Decision(
            Action.STOP_TOXICITY,
            reason=(
                f"{y[0]} of {n[0]} patients had a DLT at level 1: P(DLT rate > {phi:g}) = {prob:.3f} > {cutoff:g}, "
                "so every level is eliminated; stop the trial for toxicity"
            ),
        )
    if current >= eliminated:
        prob = _overdose_probability(y[eliminated], n[eliminated], phi)
        return Decision(
            Action.DEESCALATE,
            next_level=eliminated - 1,
            reason=(
                f"{y[eliminated]} of {n[eliminated]} patients had a DLT at level {eliminated + 1}: "
                f"P(DLT rate > {phi:g}) = {prob:.3f} > {cutoff:g}, so levels {eliminated + 1} and above are "
                f"eliminated; de-escalate to level {eliminated}"
            ),
        )
    nc, yc = n[current], y[current]
    if nc == 0:
        return Decision(Action.TREAT, next_level=current, reason=f"no evaluable patients yet at level {here}")
    esc, deesc, _ = _boundary_arrays(phi, nc, cutoff, phi1, phi2)
    observed = f"{yc} of {nc} patients had a DLT at level {here} (rate {yc / nc:.2f}"
    blocked_above = current == top or current + 1 >= eliminated
    escalate = yc <= esc[nc]
    deescalate = yc >= deesc[nc]
    stays = (not escalate and not deescalate) or (current == 0 and deescalate) or (blocked_above and escalate)
    if max_n_per_level is not None and nc >= max_n_per_level and stays:
        mtd = _select_counts(tuple(n), tuple(y), phi, cutoff)
        if mtd < 0:  # cannot happen once the lowest level is not eliminated, but never declare level 0 by accident
            return Decision(Action.STOP_TOXICITY, reason=f"{observed}); no level can be selected as the MTD")
        return Decision(
            Action.DECLARE_MTD,
            mtd=mtd,
            reason=(
                f"{observed}) and {nc} >= {max_n_per_level} patients at the level: stop the trial; the isotonic "
                f"estimate closest to {phi:g} is at level {mtd + 1}"
            ),
        )
    if escalate:
        if current == top:
            why = "it is the highest level"
        elif current + 1 >= eliminated:
            why = f"level {here + 1} is eliminated"
        else:
            return Decision(
                Action.ESCALATE,
                next_level=current + 1,
                reason=f"{observed} <= λe = {lambda_e:.4f}): escalate to level {here + 1}",
            )
        return Decision(
            Action.STAY,
            next_level=current,
            reason=f"{observed} <= λe = {lambda_e:.4f}) but {why}: stay at level {here}",
        )
    if deescalate:
        if current == 0:
            return Decision(
                Action.STAY,
                next_level=current,
                reason=f"{observed} >= λd = {lambda_d:.4f}) but it is the lowest level: stay at level 1",
            )
        return Decision(
            Action.DEESCALATE,
            next_level=current - 1,
            reason=f"{observed} >= λd = {lambda_d:.4f}): de-escalate to level {here - 1}",
        )
    return Decision(
        Action.STAY,
        next_level=current,
        reason=f"{observed} is between λe = {lambda_e:.4f} and λd = {lambda_d:.4f}): stay at level {here}",
    )


def _row_keys(n: NDArray[np.int_], y: NDArray[np.int_], base: int) -> tuple[NDArray[np.int_], NDArray[np.int_]]:
    """Indices of the first row of each distinct (n, y) pattern and the inverse map from rows to patterns."""
    levels = n.shape[1]
    if float(base) ** (2 * levels) < 2.0**62:
        key = np.zeros(n.shape[0], dtype=np.int64)
        for d in range(levels):
            key = (key * base + n[:, d]) * base + y[:, d]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(np.hstack([n, y]), axis=0, return_index=True, return_inverse=True)
    return first.astype(np.int_), inverse.reshape(-1).astype(np.int_)


def simulate_boin(
    true_dlt: Sequence[float],
    uniforms: NDArray[np.float64],
    *,
    target: float,
    cohort_size: int = 3,
    n_cohorts: int = 10,
    start_level: int = 0,
    elimination_cutoff: float = 0.95,
    n_earlystop: int | None = None,
    phi1: float | None = None,
    phi2: float | None = None,
) -> OperatingCharacteristics:
    """Operating characteristics of BOIN by simulation, one trial per row of ``uniforms``.

    Patient j of trial s (in order of enrolment) has a DLT at level d exactly when ``uniforms[s, j] <
    true_dlt[d]``, so ``uniforms`` needs at least ``cohort_size * n_cohorts`` columns. Trials follow
    ``BOIN::get.oc``: cohorts of ``cohort_size`` up to ``n_cohorts``, elimination (stop when the lowest level
    goes), the optional ``n_earlystop`` rule, and :func:`select_mtd_isotonic` at the end. All trials advance
    together cohort by cohort (NumPy); the MTD is selected once per distinct final (n, y) pattern.

    Example:
        >>> from trialdesk.design.operating import draw_uniforms
        >>> u = draw_uniforms(seed=7, n_sims=2000, max_patients=30)
        >>> oc = simulate_boin([0.05, 0.15, 0.3, 0.45], u, target=0.3)
        >>> oc.n_sims, round(sum(oc.p_select) + oc.p_no_mtd, 9)
        (2000, 1.0)
        >>> max(range(4), key=lambda d: oc.p_select[d])
        2
    """
    p = check_true_dlt(true_dlt)
    phi = _check_probability("target", target)
    cutoff = _check_cutoff(elimination_cutoff)
    if cohort_size < 1:
        raise ValueError(f"cohort_size must be at least 1; got {cohort_size}")
    if n_cohorts < 1:
        raise ValueError(f"n_cohorts must be at least 1; got {n_cohorts}")
    if n_earlystop is not None and n_earlystop < 1:
        raise ValueError(f"n_earlystop must be at least 1; got {n_earlystop}")
    n_levels = p.size
    if not 0 <= start_level < n_levels:
        raise ValueError(f"start_level {start_level + 1} is outside 1..{n_levels}")
    u = np.asarray(uniforms, dtype=np.float64)
    max_n = cohort_size * n_cohorts
    if u.ndim != 2 or u.shape[0] < 1 or u.shape[1] < max_n:
        raise ValueError(f"uniforms must be a (trials, >= {max_n}) array; got shape {u.shape}")
    esc, deesc, elim = _boundary_arrays(phi, max_n, cutoff, phi1, phi2)

    n_sims = u.shape[0]
    rows = np.arange(n_sims)
    n = np.zeros((n_sims, n_levels), dtype=np.int_)
    y = np.zeros((n_sims, n_levels), dtype=np.int_)
    dose = np.full(n_sims, start_level, dtype=np.int_)
    first_eliminated = np.full(n_sims, n_levels, dtype=np.int_)
    active = np.ones(n_sims, dtype=bool)
    stopped = np.zeros(n_sims, dtype=bool)
    for cohort in range(n_cohorts):
        block = u[:, cohort * cohort_size : (cohort + 1) * cohort_size]
        dlts = (block < p[dose][:, None]).sum(axis=1) * active
        n[rows, dose] += cohort_size * active
        y[rows, dose] += dlts
        nd = n[rows, dose]
        yd = y[rows, dose]
        fire = active & (yd >= elim[nd])
        first_eliminated = np.where(fire, np.minimum(first_eliminated, dose), first_eliminated)
        lowest_gone = fire & (dose == 0)
        stopped |= lowest_gone
        active &= ~lowest_gone
        blocked_above = (dose == n_levels - 1) | (dose + 1 >= first_eliminated)
        escalate = yd <= esc[nd]
        deescalate = ~escalate & (yd >= deesc[nd])
        if n_earlystop is not None:
            stays = (~escalate & ~deescalate) | ((dose == 0) & deescalate) | (blocked_above & escalate)
            active &= ~((nd >= n_earlystop) & stays)
        step = np.where(escalate & ~blocked_above, 1, 0) - np.where(deescalate & (dose > 0), 1, 0)
        dose = dose + step * active
        if not active.any():
            break

    first, inverse = _row_keys(n, y, max_n + 1)
    picks = np.array(
        [_select_counts(tuple(n[i].tolist()), tuple(y[i].tolist()), phi, cutoff) for i in first.tolist()],
        dtype=np.int_,
    )
    selected = np.where(stopped, -1, picks[inverse])
    return summarise_simulation("BOIN", p.tolist(), selected, n, y)
