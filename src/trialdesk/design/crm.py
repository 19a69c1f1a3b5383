"""CRM: the continual reassessment method (O'Quigley, Pepe & Fisher 1990), compatible with the dfcrm R package.

Two one-parameter working models, as in dfcrm (Cheung 2011, *Dose Finding by the Continual Reassessment
Method*):

* empiric (power): ``p_d(β) = s_d ** exp(β)`` with ``s`` the skeleton;
* logistic: ``p_d(β) = 1 / (1 + exp(-a0 - exp(β)·x_d))`` with intercept ``a0`` (default 3) and the scaled
  doses ``x_d = logit(s_d) - a0`` back-solved from the skeleton, so that ``p_d(0) = s_d``.

β has a N(0, prior_var) prior (dfcrm's default ``scale = sqrt(1.34)``, i.e. ``prior_var = 1.34``). Like
``dfcrm::crm`` the estimate is the posterior mean of β (numerator over (-10, 10), normaliser over the real line,
by adaptive quadrature) or the MLE on (-10, 10); the DLT probabilities are the model evaluated *at* that
estimate, ``ptox = skeleton ** exp(beta_hat)``, and the recommended level is the one whose ``ptox`` is closest to
the target. ``crm_skeleton`` is dfcrm's ``getprior`` (Lee & Cheung 2009, indifference intervals).

Example:
    >>> fit = crm_posterior([0.05, 0.1, 0.2, 0.35], [LevelData(3, 0), LevelData(3, 1), LevelData(), LevelData()], 0.2)
    >>> round(fit.beta, 3), [round(p, 3) for p in fit.ptox], fit.next_level
    (-0.319, [0.113, 0.188, 0.31, 0.466], 1)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import scipy  # its submodules load on first use: importing trialdesk's CLI stays quick
from numpy.typing import NDArray

from trialdesk.design.boin import _row_keys
from trialdesk.design.escalation import Action, Decision, LevelData, validate_levels
from trialdesk.design.operating import OperatingCharacteristics, check_true_dlt, summarise_simulation

__all__ = [
    "DFCRM_PRIOR_VAR",
    "CRMFit",
    "crm_posterior",
    "crm_skeleton",
    "decide_crm",
    "simulate_crm",
]

Model = Literal["empiric", "logistic"]
Method = Literal["bayes", "mle"]

DFCRM_PRIOR_VAR = 1.34  # dfcrm: scale = sqrt(1.34) is the prior standard deviation of β
_LIMIT = 10.0  # dfcrm integrates the posterior mean over (-10, 10) and maximises the likelihood there
_FLAT_VAR = 500.0**2  # dfcrm's nearly flat prior (scale = 500) for the variance of the MLE


@dataclass(frozen=True)
class CRMFit:
    """A fitted CRM: the estimate of β, its (posterior or approximate) variance, the DLT probabilities at the
    estimate and the 0-based level whose probability is closest to the target (unrestricted)."""

    beta: float
    beta_var: float
    ptox: tuple[float, ...]
    next_level: int
    model: str
    method: str


def _check_probability(name: str, value: float) -> float:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {value:g}")
    return float(value)


def _check_skeleton(skeleton: Sequence[float]) -> NDArray[np.float64]:
    s = np.asarray(skeleton, dtype=np.float64)
    if s.ndim != 1 or s.size == 0:
        raise ValueError("the skeleton needs at least one prior DLT probability")
    for k, value in enumerate(s):
        if not 0.0 < value < 1.0:
            raise ValueError(f"skeleton value at level {k + 1} is {value:g}; expected a value strictly between 0 and 1")
    if s.size > 1 and np.any(np.diff(s) <= 0):
        raise ValueError("the skeleton must be strictly increasing from level to level")
    return s


def _check_model(model: str, intercept: float) -> Model:
    if model not in ("empiric", "logistic"):
        raise ValueError(f"model must be 'empiric' or 'logistic'; got {model!r}")
    if not math.isfinite(intercept):
        raise ValueError(f"intercept must be a finite number; got {intercept}")
    return cast(Model, model)


def _check_prior_var(prior_var: float) -> float:
    if not (prior_var > 0 and math.isfinite(prior_var)):
        raise ValueError(f"prior_var must be a positive number; got {prior_var}")
    return float(prior_var)


def _doses(skeleton: NDArray[np.float64], model: Model, intercept: float) -> NDArray[np.float64]:
    """dfcrm's ``dosescaled``: the skeleton itself (empiric) or logit(skeleton) - intercept (logistic)."""
    if model == "empiric":
        return skeleton
    x = np.log(skeleton / (1.0 - skeleton)) - intercept
    if np.any(x >= 0):
        raise ValueError(f"intercept {intercept:g} is too small: logit(skeleton) - intercept must be below 0")
    return x


def _log_probs(
    beta: NDArray[np.float64], x: NDArray[np.float64], model: Model, intercept: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """log p_d(β) and log(1 - p_d(β)), shape (levels, len(beta)), computed without underflow."""
    slope = np.exp(beta)[None, :]
    if model == "empiric":
        log_p = slope * np.log(x)[:, None]
        return log_p, np.log(-np.expm1(log_p))
    z = intercept + slope * x[:, None]
    return -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)


def _grid(n_patients: int, model: Model, intercept: float, prior_var: float) -> NDArray[np.float64]:
    """Trapezoid grid over (-10, 10) for the simulation, fine enough for the narrowest posterior possible.

    One patient adds at most ``max_p p(log p)²/(1-p)`` (empiric) or ``max_p p(1-p)(logit p - a0)²`` (logistic)
    to the Fisher information for β, which bounds the posterior s.d. from below by ``σ_min``; a spacing of
    ``σ_min / 2`` (at most 0.05) makes the trapezoid rule's error of order exp(-2π²·4) ≈ 1e-34 relative.
    """
    p = np.linspace(1e-6, 1 - 1e-6, 20001)
    if model == "empiric":
        info = float(np.max(p * np.log(p) ** 2 / (1 - p)))
    else:
        info = float(np.max(p * (1 - p) * (np.log(p / (1 - p)) - intercept) ** 2))
    sigma_min = 1.0 / math.sqrt(info * n_patients + 1.0 / prior_var)
    step = min(0.05, 0.5 * sigma_min)
    return np.linspace(-_LIMIT, _LIMIT, math.ceil(2 * _LIMIT / step) + 1)


def _ptox(beta: float, x: NDArray[np.float64], model: Model, intercept: float) -> NDArray[np.float64]:
    """dfcrm's ``ptox``: ``prior^exp(est)`` or ``(1 + exp(-intcpt - exp(est)·dosescaled))^-1``."""
    if model == "empiric":
        return np.asarray(x ** math.exp(beta), dtype=np.float64)
    return np.asarray(1.0 / (1.0 + np.exp(-intercept - math.exp(beta) * x)), dtype=np.float64)


def _recommend(ptox: NDArray[np.float64], target: float) -> int:
    """dfcrm: the top level if all are at or below the target, the lowest if all are at or above, else closest."""
    if np.all(ptox <= target):
        return int(ptox.size - 1)
    if np.all(ptox >= target):
        return 0
    return int(np.argmin(np.abs(ptox - target)))


def _counts(levels: Sequence[LevelData]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Evaluable patients (completed the DLT window) and DLTs per level."""
    n = np.array([lv.treated - lv.pending for lv in levels], dtype=np.float64)
    y = np.array([lv.dlts for lv in levels], dtype=np.float64)
    return n, y


def _log_likelihood(
    n: NDArray[np.float64], y: NDArray[np.float64], x: NDArray[np.float64], model: Model, intercept: float
) -> Callable[[float], float]:
    used = n > 0
    n_used, y_used, x_used = n[used], y[used], x[used]

    def loglik(beta: float) -> float:
        log_p, log_q = _log_probs(np.array([beta]), x_used, model, intercept)
        return float(y_used @ log_p[:, 0] + (n_used - y_used) @ log_q[:, 0])

    return loglik


def _moments(loglik: Callable[[float], float], prior_var: float, den_whole_line: bool) -> tuple[float, float]:
    """Posterior mean and variance of β as dfcrm: ∫β·f and ∫β²·f over (-10, 10), ∫f over ℝ (or (-10, 10))."""

    def log_post(b: float) -> float:
        return -b * b / (2.0 * prior_var) + loglik(b)

    peak = scipy.optimize.minimize_scalar(lambda b: -log_post(b), bounds=(-4 * _LIMIT, 4 * _LIMIT), method="bounded")
    mode = float(peak.x)
    shift = log_post(mode)

    def density(b: float) -> float:
        return math.exp(log_post(b) - shift)  # 1 at the mode: the integrals are O(posterior width)

    inside = [mode] if -_LIMIT < mode < _LIMIT else None
    options = {"epsabs": 1e-14, "epsrel": 1e-11, "limit": 400}
    quad = scipy.integrate.quad
    den = quad(density, -_LIMIT, _LIMIT, points=inside, **options)[0]
    if den_whole_line:
        den += quad(density, -np.inf, -_LIMIT, **options)[0] + quad(density, _LIMIT, np.inf, **options)[0]
    first = quad(lambda b: b * density(b), -_LIMIT, _LIMIT, points=inside, **options)[0] / den
    second = quad(lambda b: b * b * density(b), -_LIMIT, _LIMIT, points=inside, **options)[0] / den
    return first, second - first * first


def crm_posterior(
    skeleton: Sequence[float],
    levels: Sequence[LevelData],
    target: float,
    *,
    model: Model = "empiric",
    intercept: float = 3.0,
    prior_var: float = DFCRM_PRIOR_VAR,
    method: Method = "bayes",
) -> CRMFit:
    """Fit the CRM to the evaluable patients per level, as ``dfcrm::crm`` does.

    ``levels[d]`` gives the patients and DLTs at level d (pending patients are left out). ``method='bayes'``
    estimates β by its posterior mean under a N(0, prior_var) prior (``beta_var`` is the posterior variance);
    ``method='mle'`` maximises the likelihood on (-10, 10) and needs at least one DLT and one patient without
    (``beta_var`` is then dfcrm's approximation with a N(0, 500²) prior). ``ptox`` is the model at the estimate
    and ``next_level`` the level closest to the target, with no escalation restriction.

    Example:
        >>> fit = crm_posterior([0.1, 0.2, 0.3], [LevelData(), LevelData(), LevelData()], 0.2)
        >>> fit.beta, fit.ptox, fit.next_level
        (0.0, (0.1, 0.2, 0.3), 1)
    """
    s = _check_skeleton(skeleton)
    if len(levels) != s.size:
        raise ValueError(f"levels has {len(levels)} entries but the skeleton has {s.size}")
    validate_levels(levels, 0)
    phi = _check_probability("target", target)
    kind = _check_model(model, intercept)
    var = _check_prior_var(prior_var)
    x = _doses(s, kind, intercept)
    n, y = _counts(levels)
    loglik = _log_likelihood(n, y, x, kind, intercept)
    if method == "bayes":
        if n.sum() == 0:
            beta, beta_var = 0.0, var
        else:
            beta, beta_var = _moments(loglik, var, den_whole_line=True)
    elif method == "mle":
        if y.sum() == 0 or y.sum() == n.sum():
            raise ValueError("method='mle' needs at least one DLT and one patient without (else no MLE exists)")
        best = scipy.optimize.minimize_scalar(
            lambda b: -loglik(b), bounds=(-_LIMIT, _LIMIT), method="bounded", options={"xatol": 1e-10}
        )
        beta = float(best.x)
        flat_mean, flat_var = _moments(loglik, _FLAT_VAR, den_whole_line=False)
        beta_var = flat_var + flat_mean**2 - beta**2  # dfcrm: E[β²] under a N(0, 500²) prior, minus β̂²
    else:
        raise ValueError(f"method must be 'bayes' or 'mle'; got {method!r}")
    ptox = _ptox(beta, x, kind, intercept)
    return CRMFit(
        beta=float(beta),
        beta_var=float(beta_var),
        ptox=tuple(float(p) for p in ptox),
        next_level=_recommend(ptox, phi),
        model=kind,
        method=method,
    )


def decide_crm(
    levels: Sequence[LevelData],
    current: int,
    skeleton: Sequence[float],
    target: float,
    *,
    model: Model = "empiric",
    intercept: float = 3.0,
    prior_var: float = DFCRM_PRIOR_VAR,
    method: Method = "bayes",
    no_skipping: bool = True,
    n_patients: int | None = None,
) -> Decision:
    """The CRM decision after the latest cohort at level ``current`` (0-based).

    WAIT while a patient at the current level is in the DLT window; TREAT at the current level before any
    outcome is known. Otherwise the CRM is refitted (:func:`crm_posterior`) and the next level is the one whose
    estimated DLT probability is closest to the target; with ``no_skipping`` escalation is limited to one level
    above the current one (dfcrm's no-skipping restriction). Once ``n_patients`` have been treated and none is
    pending, the decision is DECLARE_MTD at the level closest to the target.

    Example:
        >>> skel = [0.05, 0.1, 0.2, 0.35, 0.5]
        >>> d = decide_crm([LevelData(3, 0), LevelData(), LevelData(), LevelData(), LevelData()], 0, skel, 0.2)
        >>> d.action.value, d.next_level
        ('escalate', 1)
    """
    validate_levels(levels, current)
    s = _check_skeleton(skeleton)
    if len(levels) != s.size:
        raise ValueError(f"levels has {len(levels)} entries but the skeleton has {s.size}")
    if n_patients is not None and n_patients < 1:
        raise ValueError(f"n_patients must be at least 1; got {n_patients}")
    here = current + 1
    if levels[current].pending:
        return Decision(
            Action.WAIT, reason=f"{levels[current].pending} patient(s) at level {here} are still in the DLT window"
        )
    treated = sum(lv.treated for lv in levels)
    pending = sum(lv.pending for lv in levels)
    finished = n_patients is not None and treated >= n_patients
    if finished and pending:
        return Decision(Action.WAIT, reason=f"all {n_patients} patients are treated; {pending} still in the DLT window")
    if treated - pending == 0:
        return Decision(Action.TREAT, next_level=current, reason=f"no outcomes yet: treat at level {here}")
    fit = crm_posterior(
        s.tolist(), levels, target, model=model, intercept=intercept, prior_var=prior_var, method=method
    )
    estimates = ", ".join(f"level {k + 1} {p:.3f}" for k, p in enumerate(fit.ptox))
    basis = f"estimated DLT probabilities {estimates} (β̂ = {fit.beta:.3f})"
    best = fit.next_level
    if finished:
        return Decision(
            Action.DECLARE_MTD,
            mtd=best,
            reason=f"all {n_patients} patients evaluated; {basis}: level {best + 1} is closest to target {target:g}",
        )
    chosen = best
    note = ""
    if no_skipping and best > current + 1:
        chosen = current + 1
        note = " but doses are not skipped when escalating"
    closest = f"{basis}: level {best + 1} is closest to the target {target:g}{note}"
    if chosen > current:
        return Decision(Action.ESCALATE, next_level=chosen, reason=f"{closest}; escalate to level {chosen + 1}")
    if chosen < current:
        return Decision(Action.DEESCALATE, next_level=chosen, reason=f"{closest}; de-escalate to level {chosen + 1}")
    return Decision(Action.STAY, next_level=chosen, reason=f"{closest}; stay at level {here}")


def crm_skeleton(
    halfwidth: float, target: float, nu: int, levels: int, model: Model = "empiric", intercept: float = 3.0
) -> list[float]:
    """Skeleton with indifference intervals target ± halfwidth (Lee & Cheung 2009; dfcrm's ``getprior``).

    ``nu`` is the 1-based level that is the prior guess of the MTD (its skeleton value is the target). Working
    outward from it, adjacent levels k and k+1 are calibrated so that at the value of β where the CRM switches
    between them, level k sits at target - halfwidth and level k+1 at target + halfwidth.

    Example:
        >>> [round(p, 4) for p in crm_skeleton(0.05, 0.25, 3, 5)]
        [0.084, 0.1567, 0.25, 0.3545, 0.4603]
    """
    phi = _check_probability("target", target)
    if not 0.0 < halfwidth < min(phi, 1.0 - phi):
        raise ValueError(f"halfwidth must be positive and keep target ± halfwidth inside (0, 1); got {halfwidth:g}")
    if levels < 1:
        raise ValueError(f"levels must be at least 1; got {levels}")
    if not 1 <= nu <= levels:
        raise ValueError(f"nu (the prior MTD level) must be within 1..{levels}; got {nu}")
    kind = _check_model(model, intercept)
    below, above = phi - halfwidth, phi + halfwidth
    if kind == "empiric":
        lo, hi, mid = math.log(below), math.log(above), math.log(phi)
    else:
        lo = math.log(below / (1 - below)) - intercept
        hi = math.log(above / (1 - above)) - intercept
        mid = math.log(phi / (1 - phi)) - intercept
        if hi >= 0:
            raise ValueError(f"intercept {intercept:g} is too small: logit(target + halfwidth) must be below it")
    # Scaled dose t_k (log skeleton, or logit - intercept) obeys t_{k-1} = t_k·lo/hi and t_{k+1} = t_k·hi/lo.
    scaled = [0.0] * levels
    scaled[nu - 1] = mid
    for k in range(nu - 1, 0, -1):
        scaled[k - 1] = scaled[k] * lo / hi
    for k in range(nu - 1, levels - 1):
        scaled[k + 1] = scaled[k] * hi / lo
    if kind == "empiric":
        return [math.exp(t) for t in scaled]
    return [1.0 / (1.0 + math.exp(-intercept - t)) for t in scaled]


def simulate_crm(
    true_dlt: Sequence[float],
    uniforms: NDArray[np.float64],
    *,
    skeleton: Sequence[float],
    target: float,
    n_patients: int,
    cohort_size: int = 1,
    start_level: int = 0,
    model: Model = "empiric",
    intercept: float = 3.0,
    prior_var: float = DFCRM_PRIOR_VAR,
    restrict: bool = True,
) -> OperatingCharacteristics:
    """Operating characteristics of the Bayesian CRM by simulation, one trial per row of ``uniforms``.

    Patient j of trial s (in enrolment order) has a DLT at level d exactly when ``uniforms[s, j] <
    true_dlt[d]``. As dfcrm's one-stage ``crmsim``: the first cohort is treated at ``start_level``; after each
    cohort the CRM is refitted and the next cohort goes to the level closest to the target, with ``restrict``
    applying dfcrm's two restrictions (never skip a level when escalating; never escalate right after a cohort
    whose DLT rate reached the target). The MTD is the level closest to the target after ``n_patients`` (no
    restriction). The posterior mean uses the trapezoid rule on a fixed grid over (-10, 10) with spacing at most
    half the smallest possible posterior s.d. (at most 0.05) instead of adaptive quadrature, computed once per
    distinct (n, y) pattern at each step; it agrees with :func:`crm_posterior` to within 1e-12.

    Example:
        >>> from trialdesk.design.operating import draw_uniforms
        >>> skel = [0.05, 0.12, 0.25, 0.4, 0.55]
        >>> oc = simulate_crm(skel, draw_uniforms(3, 500, 24), skeleton=skel, target=0.25, n_patients=24)
        >>> oc.n_sims, oc.expected_n, max(range(5), key=lambda d: oc.p_select[d])
        (500, 24.0, 2)
    """
    p = check_true_dlt(true_dlt)
    s = _check_skeleton(skeleton)
    if s.size != p.size:
        raise ValueError(f"the skeleton has {s.size} levels but true_dlt has {p.size}")
    phi = _check_probability("target", target)
    kind = _check_model(model, intercept)
    var = _check_prior_var(prior_var)
    if cohort_size < 1:
        raise ValueError(f"cohort_size must be at least 1; got {cohort_size}")
    if n_patients < cohort_size or n_patients % cohort_size:
        raise ValueError(f"n_patients ({n_patients}) must be a positive multiple of cohort_size ({cohort_size})")
    n_levels = p.size
    if not 0 <= start_level < n_levels:
        raise ValueError(f"start_level {start_level + 1} is outside 1..{n_levels}")
    u = np.asarray(uniforms, dtype=np.float64)
    if u.ndim != 2 or u.shape[0] < 1 or u.shape[1] < n_patients:
        raise ValueError(f"uniforms must be a (trials, >= {n_patients}) array; got shape {u.shape}")

    x = _doses(s, kind, intercept)
    grid = _grid(n_patients, kind, intercept, var)
    log_p, log_q = _log_probs(grid, x, kind, intercept)
    weights = np.ones_like(grid)
    weights[[0, -1]] = 0.5
    log_prior = -(grid**2) / (2.0 * var) + np.log(weights)
    log_terms = np.vstack([log_p, log_q])  # (2·levels, grid): DLT and no-DLT log-likelihood terms
    moment_terms = np.stack([grid, np.ones_like(grid)], axis=1)

    def recommend(n: NDArray[np.int_], y: NDArray[np.int_]) -> NDArray[np.int_]:
        first, inverse = _row_keys(n, y, n_patients + 1)
        counts = np.hstack([y[first], n[first] - y[first]]).astype(np.float64)
        log_post = counts @ log_terms
        log_post += log_prior
        log_post -= log_post.max(axis=1, keepdims=True)
        np.exp(log_post, out=log_post)
        moments = log_post @ moment_terms
        beta = moments[:, 0] / moments[:, 1]
        if kind == "empiric":
            ptox = s[None, :] ** np.exp(beta)[:, None]
        else:
            ptox = 1.0 / (1.0 + np.exp(-intercept - np.exp(beta)[:, None] * x[None, :]))
        best = np.argmin(np.abs(ptox - phi), axis=1)
        return np.asarray(best[inverse], dtype=np.int_)

    n_sims = u.shape[0]
    rows = np.arange(n_sims)
    n = np.zeros((n_sims, n_levels), dtype=np.int_)
    y = np.zeros((n_sims, n_levels), dtype=np.int_)
    dose = np.full(n_sims, start_level, dtype=np.int_)
    hot = np.zeros(n_sims, dtype=bool)  # the last cohort's DLT rate reached the target
    for cohort in range(n_patients // cohort_size):
        if cohort:
            best = recommend(n, y)
            if restrict:
                best = np.minimum(best, np.where(hot, dose, dose + 1))
            dose = best
        block = u[:, cohort * cohort_size : (cohort + 1) * cohort_size]
        dlts = (block < p[dose][:, None]).sum(axis=1)
        n[rows, dose] += cohort_size
        y[rows, dose] += dlts
        hot = dlts / cohort_size >= phi
    selected = recommend(n, y)
    return summarise_simulation("CRM", p.tolist(), selected, n, y)
