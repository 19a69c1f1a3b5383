"""Sample size and power for comparing two proportions, two means, or paired means.

Two proportions (group sizes ``n1`` and ``n2 = ratio·n1``, ``Δ = |p1 − p2|``, ``p̄ = (p1 + ratio·p2)/(1 + ratio)``):

* ``normal`` — Fleiss's formula with the pooled variance under H0,
  ``n1 = [z_α·sqrt(p̄q̄(1 + 1/r)) + z_β·sqrt(p1q1 + p2q2/r)]² / Δ²``; for ``ratio = 1`` this is exactly the
  formula behind R's ``power.prop.test`` (``strict = FALSE``), so ``p1 = 0.5, p2 = 0.75, power = 0.9``
  gives ``n = 76.7``.
* ``normal-cc`` — the continuity correction of Casagrande, Pike & Smith (1978) as extended to unequal
  groups by Fleiss, Tytun & Ury (1980), Biometrics 36:343–346:
  ``n1' = n1/4·(1 + sqrt(1 + 2(r + 1)/(r·n1·Δ)))²``, i.e. ``n/4·(1 + sqrt(1 + 4/(nΔ)))²`` for equal groups.
* ``exact`` — power of Fisher's exact (conditional) test, computed exactly by summing the binomial
  probabilities of every outcome the test rejects (rejection as by :func:`scipy.stats.fisher_exact`); the
  sample size is the smallest ``n1``, searching upward from the ``normal`` approximation, whose power reaches
  the target. Fisher's power is not monotone in ``n``: a larger ``n`` can fall back below the target.

``z_α`` is ``z_{1−α/2}`` for ``sides = 2`` and ``z_{1−α}`` for ``sides = 1``. Normal-approximation power counts
rejections in the direction of the true difference only (as R does by default).

Means use the normal approximation ``n1 = (1 + 1/r)(z_α + z_β)²σ²/δ²`` (``2(z_α + z_β)²σ²/δ²`` per group for
equal groups) or, with ``method = "t"``, the smallest real ``n`` whose noncentral-t power reaches the target
(as R's ``power.t.test``).

Example:
    >>> size = two_proportions_n(0.5, 0.75, power=0.9)
    >>> round(size.n_per_group, 1), size.n1, size.n2
    (76.7, 77, 77)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy  # its submodules load on first use: importing trialdesk's CLI stays quick
from numpy.typing import NDArray

ProportionMethod = Literal["normal", "normal-cc", "exact"]
MeanMethod = Literal["normal", "t"]
_ROUNDING_SLACK = 1e-9  # 76.000000000001 is 76 participants, not 77
_NEGLIGIBLE = 1e-15  # outcome totals less likely than this are skipped in exact power


@dataclass(frozen=True)
class SampleSize:
    """The required size: unrounded (``n_per_group``, group 1) and rounded up (``n1``; ``n2 = ratio·n1`` rounded up).

    For paired designs ``units`` is ``"pairs"`` and ``n1 == n2`` is the number of pairs. ``achieved_power`` is
    the power of the rounded sizes by the same method.
    """

    n_per_group: float
    n1: int
    n2: int
    method: str
    alpha: float
    power: float
    achieved_power: float
    ratio: float = 1.0
    sides: int = 2
    units: str = "participants per group"

    @property
    def total(self) -> int:
        """Participants in all (``n1`` for pairs, ``n1 + n2`` otherwise).

        Example:
            >>> two_means_n(0.5, 1.0, ratio=2.0).total
            144
        """
        return self.n1 if self.units == "pairs" else self.n1 + self.n2


def round_up(n: float) -> int:
    """Round a real sample size up to whole participants, ignoring floating-point dust.

    Example:
        >>> round_up(76.0000000000001), round_up(76.01)
        (76, 77)
    """
    return max(1, math.ceil(n - _ROUNDING_SLACK))


def check_probability(name: str, value: float) -> float:
    """Return ``value`` if it is a probability strictly between 0 and 1.

    Example:
        >>> check_probability("p1", 1.5)
        Traceback (most recent call last):
        ...
        ValueError: p1 1.5: expected a probability strictly between 0 and 1
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ValueError(f"{name} {value!r}: expected a probability strictly between 0 and 1")
    return float(value)


def check_positive(name: str, value: float) -> float:
    """Return ``value`` if it is a finite number above zero.

    Example:
        >>> check_positive("sd", 0)
        Traceback (most recent call last):
        ...
        ValueError: sd 0: expected a finite number above 0
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ValueError(f"{name} {value!r}: expected a finite number above 0")
    return float(value)


def check_sides(sides: int) -> int:
    """Return ``sides`` if it is 1 (one-sided test) or 2 (two-sided).

    Example:
        >>> check_sides(3)
        Traceback (most recent call last):
        ...
        ValueError: sides 3: expected 1 or 2
    """
    if sides not in (1, 2) or isinstance(sides, bool):
        raise ValueError(f"sides {sides!r}: expected 1 or 2")
    return int(sides)


def check_error_rates(alpha: float, power: float, sides: int) -> None:
    """Reject an ``alpha`` outside (0, 1) or a target ``power`` not above ``alpha/sides`` and below 1.

    Example:
        >>> check_error_rates(0.05, 0.02, 2)
        Traceback (most recent call last):
        ...
        ValueError: power 0.02: expected a value above alpha/sides (0.025) and below 1
    """
    check_probability("alpha", alpha)
    if isinstance(power, bool) or not isinstance(power, int | float) or not alpha / sides < power < 1:
        raise ValueError(f"power {power!r}: expected a value above alpha/sides ({alpha / sides:g}) and below 1")


def critical_z(alpha: float, sides: int) -> float:
    """The standard normal critical value ``z_{1−α/sides}``.

    Example:
        >>> round(critical_z(0.05, 2), 6), round(critical_z(0.05, 1), 6)
        (1.959964, 1.644854)
    """
    return float(scipy.stats.norm.isf(alpha / sides))


def check_proportions(p1: float, p2: float) -> float:
    """Return ``|p1 − p2|`` for two distinct probabilities in (0, 1).

    Example:
        >>> check_proportions(0.3, 0.3)
        Traceback (most recent call last):
        ...
        ValueError: p2 0.3: expected a probability different from p1 (0.3)
    """
    check_probability("p1", p1)
    check_probability("p2", p2)
    if p1 == p2:
        raise ValueError(f"p2 {p2!r}: expected a probability different from p1 ({p1!r})")
    return abs(p1 - p2)


def fleiss_n(p1: float, p2: float, alpha: float, power: float, ratio: float, sides: int) -> float:
    """Unrounded group-1 size by Fleiss's normal formula with the pooled variance under H0.

    Example:
        >>> round(fleiss_n(0.5, 0.75, 0.05, 0.9, 1.0, 2), 4)
        76.7069
    """
    delta = abs(p1 - p2)
    pooled = (p1 + ratio * p2) / (1 + ratio)
    null_sd = math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio))
    alternative_sd = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / ratio)
    z_beta = float(scipy.stats.norm.ppf(power))
    return (critical_z(alpha, sides) * null_sd + z_beta * alternative_sd) ** 2 / delta**2


def correction_term(delta: float, ratio: float) -> float:
    """The constant ``c = (r + 1)/(2r·Δ)`` of the Fleiss–Tytun–Ury correction (``1/Δ`` for equal groups).

    Example:
        >>> correction_term(0.25, 1.0)
        4.0
    """
    return (ratio + 1) / (2 * ratio * delta)


def correct_for_continuity(n: float, delta: float, ratio: float) -> float:
    """Fleiss, Tytun & Ury (1980): ``n' = n/4·(1 + sqrt(1 + 4c/n))²`` with ``c`` from :func:`correction_term`.

    Example:
        >>> round(correct_for_continuity(100.0, 0.1, 1.0), 4)
        119.1608
    """
    c = correction_term(delta, ratio)
    return n / 4 * (1 + math.sqrt(1 + 4 * c / n)) ** 2


def remove_continuity_correction(n_corrected: float, delta: float, ratio: float) -> float:
    """Invert :func:`correct_for_continuity`: ``n = (n' − c)²/n'`` (0 when ``n' ≤ c``).

    Example:
        >>> round(remove_continuity_correction(correct_for_continuity(100.0, 0.1, 1.0), 0.1, 1.0), 9)
        100.0
    """
    c = correction_term(delta, ratio)
    return max(n_corrected - c, 0.0) ** 2 / n_corrected


def normal_power(p1: float, p2: float, n1: float, alpha: float, ratio: float, sides: int) -> float:
    """Power of the pooled-variance z test with ``n1`` and ``ratio·n1`` (rejections toward the truth only).

    Example:
        >>> round(normal_power(0.5, 0.75, 50, 0.05, 1.0, 2), 7)
        0.7401659
    """
    delta = abs(p1 - p2)
    pooled = (p1 + ratio * p2) / (1 + ratio)
    null_sd = math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio))
    alternative_sd = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / ratio)
    return float(scipy.stats.norm.cdf((math.sqrt(n1) * delta - critical_z(alpha, sides) * null_sd) / alternative_sd))


def second_group_size(n1: int, ratio: float) -> int:
    """Whole participants in group 2 for ``n1`` in group 1: ``ratio·n1`` rounded up.

    Example:
        >>> second_group_size(10, 1.5), second_group_size(10, 1.0)
        (15, 10)
    """
    return round_up(ratio * n1)


def fisher_power(p1: float, p2: float, n1: int, n2: int, alpha: float, sides: int) -> float:
    """Exact power of Fisher's exact test with ``n1`` and ``n2`` participants.

    Sums ``P(X1 = x1)·P(X2 = x2)`` over every table ``[[x1, n1 − x1], [x2, n2 − x2]]`` the test rejects at
    ``alpha``. The two-sided p-value is scipy's (tables no more likely than the observed one, relative
    tolerance 1e-14); one-sided tests look in the direction of ``p1 − p2``. Totals of successes with
    probability below 1e-15 are skipped (their contribution is below ``(n1 + n2)·1e-15``).

    Example:
        >>> round(fisher_power(0.2, 0.75, 7, 8, 0.05, 2), 6)
        0.547398
    """
    total = n1 + n2
    weights1 = scipy.stats.binom.pmf(np.arange(n1 + 1), n1, p1)
    weights2 = scipy.stats.binom.pmf(np.arange(n2 + 1), n2, p2)
    by_total = np.convolve(weights1, weights2)
    power = 0.0
    for successes in (int(t) for t in np.flatnonzero(by_total >= _NEGLIGIBLE)):
        x1 = np.arange(max(0, successes - n2), min(n1, successes) + 1)
        p_values = fisher_p_values(x1, total, n1, successes, p1 > p2, sides)
        rejected = x1[p_values <= alpha]
        power += float(np.sum(weights1[rejected] * weights2[successes - rejected]))
    return min(power, 1.0)


def fisher_p_values(
    x1: NDArray[np.int64], total: int, n1: int, successes: int, greater: bool, sides: int
) -> NDArray[np.float64]:
    """Fisher p-values for every table with these margins (``x1`` = successes in group 1).

    The example is scipy's table ``[[6, 2], [1, 4]]`` (``x1 = 6``: p = 0.1026) and its five neighbours.

    Example:
        >>> [round(float(p), 6) for p in fisher_p_values(np.arange(2, 8), 13, 8, 7, True, 2)]
        [0.020979, 0.265734, 1.0, 0.592075, 0.102564, 0.004662]
    """
    if sides == 1:
        if greater:
            return np.asarray(scipy.stats.hypergeom.sf(x1 - 1, total, n1, successes), dtype=np.float64)
        return np.asarray(scipy.stats.hypergeom.cdf(x1, total, n1, successes), dtype=np.float64)
    pmf = np.asarray(scipy.stats.hypergeom.pmf(x1, total, n1, successes), dtype=np.float64)
    ordered = np.sort(pmf)
    cumulative = np.cumsum(ordered)
    at_most_as_likely = np.searchsorted(ordered, pmf * (1 + 1e-14), side="right")
    p_values: NDArray[np.float64] = np.minimum(cumulative[at_most_as_likely - 1], 1.0)
    return p_values


def check_method(method: str) -> None:
    """Reject an unknown method for two proportions.

    Example:
        >>> check_method("arcsine")
        Traceback (most recent call last):
        ...
        ValueError: method 'arcsine': expected 'normal', 'normal-cc' or 'exact'
    """
    if method not in ("normal", "normal-cc", "exact"):
        raise ValueError(f"method {method!r}: expected 'normal', 'normal-cc' or 'exact'")


def two_proportions_n(
    p1: float,
    p2: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    method: ProportionMethod = "normal",
    sides: int = 2,
) -> SampleSize:
    """Participants per group to detect ``p1`` versus ``p2`` (group 2 gets ``ratio`` times group 1).

    See the module docstring for the three methods. ``exact`` may take a few seconds for groups in the
    thousands.

    Example:
        >>> two_proportions_n(0.5, 0.75, power=0.9, method="normal-cc").n1
        85
    """
    check_proportions(p1, p2)
    sides = check_sides(sides)
    check_error_rates(alpha, power, sides)
    ratio = check_positive("ratio", ratio)
    check_method(method)
    n = fleiss_n(p1, p2, alpha, power, ratio, sides)
    if method == "normal-cc":
        n = correct_for_continuity(n, abs(p1 - p2), ratio)
    if method == "exact":
        n = float(search_fisher_n(p1, p2, alpha, power, ratio, sides, start=round_up(n)))
    n1 = round_up(n)
    n2 = second_group_size(n1, ratio)
    achieved = two_proportions_power(p1, p2, n1, alpha=alpha, method=method, ratio=n2 / n1, sides=sides)
    return SampleSize(n, n1, n2, method, alpha, power, achieved, ratio, sides)


def search_fisher_n(p1: float, p2: float, alpha: float, power: float, ratio: float, sides: int, *, start: int) -> int:
    """The smallest ``n1 ≥ start`` whose Fisher exact power reaches ``power`` (step 1 upward).

    Example:
        >>> search_fisher_n(0.2, 0.7, 0.05, 0.8, 1.0, 2, start=2)
        18
    """
    limit = 10 * start + 1000
    for n1 in range(max(start, 1), limit):
        if fisher_power(p1, p2, n1, second_group_size(n1, ratio), alpha, sides) >= power:
            return n1
    raise ValueError(f"power {power!r}: not reached by Fisher's exact test below {limit} per group")


def two_proportions_power(
    p1: float,
    p2: float,
    n: float,
    *,
    alpha: float = 0.05,
    method: ProportionMethod = "normal",
    ratio: float = 1.0,
    sides: int = 2,
) -> float:
    """Power to detect ``p1`` versus ``p2`` with ``n`` in group 1 and ``ratio·n`` in group 2.

    ``normal`` matches R's ``power.prop.test`` for equal groups; ``normal-cc`` inverts the Fleiss–Tytun–Ury
    correction (``n = (n' − c)²/n'``) before the ``normal`` power; ``exact`` is Fisher's exact power and needs a
    whole ``n`` (group 2 is ``ratio·n`` rounded up). With ``p1 == p2`` the result is the type I error rate
    (``alpha/sides`` for the normal methods, which count one rejection region).

    Example:
        >>> round(two_proportions_power(0.5, 0.75, 50), 3)
        0.74
    """
    check_probability("p1", p1)
    check_probability("p2", p2)
    delta = abs(p1 - p2)
    sides = check_sides(sides)
    check_probability("alpha", alpha)
    ratio = check_positive("ratio", ratio)
    n = check_positive("n", n)
    check_method(method)
    if method == "exact":
        if n != int(n):
            raise ValueError(f"n {n!r}: expected a whole number of participants for the exact method")
        return fisher_power(p1, p2, int(n), second_group_size(int(n), ratio), alpha, sides)
    if method == "normal-cc":
        n = remove_continuity_correction(n, delta, ratio) if delta > 0 else 0.0
    return normal_power(p1, p2, n, alpha, ratio, sides)


def t_power(delta_over_sd: float, n1: float, alpha: float, sides: int, *, ratio: float = 1.0, paired: bool) -> float:
    """Noncentral-t power (one rejection region, as R's ``power.t.test`` with ``strict = FALSE``).

    Example:
        >>> round(t_power(1.0, 20, 0.05, 2, paired=False), 7)
        0.8689528
    """
    if paired:
        df = n1 - 1
        noncentrality = math.sqrt(n1) * delta_over_sd
    else:
        df = n1 * (1 + ratio) - 2
        noncentrality = delta_over_sd / math.sqrt(1 / n1 + 1 / (ratio * n1))
    critical = scipy.stats.t.isf(alpha / sides, df)
    return float(scipy.stats.nct.sf(critical, df, noncentrality))


def solve_t_n(delta_over_sd: float, alpha: float, power: float, sides: int, ratio: float, *, paired: bool) -> float:
    """The real ``n1 ≥ 2`` at which :func:`t_power` equals the target (2 when even 2 is enough, as in R).

    Example:
        >>> round(solve_t_n(1.0, 0.05, 0.9, 2, 1.0, paired=False), 4)
        22.0211
    """
    smallest = 2.0 if paired else max(2.0, 3 / (1 + ratio))  # at least 1 degree of freedom

    def shortfall(n1: float) -> float:
        return t_power(delta_over_sd, n1, alpha, sides, ratio=ratio, paired=paired) - power

    upper = max(4.0, 2 * smallest)
    while shortfall(upper) < 0:
        upper *= 2
    if shortfall(smallest) >= 0:
        return smallest
    return float(scipy.optimize.brentq(shortfall, smallest, upper, xtol=1e-10, rtol=1e-14))


def check_mean_method(method: str) -> None:
    """Reject an unknown method for means.

    Example:
        >>> check_mean_method("z")
        Traceback (most recent call last):
        ...
        ValueError: method 'z': expected 'normal' or 't'
    """
    if method not in ("normal", "t"):
        raise ValueError(f"method {method!r}: expected 'normal' or 't'")


def check_difference(name: str, value: float) -> float:
    """Return ``|value|`` for a finite, non-zero difference to detect.

    Example:
        >>> check_difference("delta", 0.0)
        Traceback (most recent call last):
        ...
        ValueError: delta 0.0: expected a finite non-zero difference
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < abs(value) < math.inf:
        raise ValueError(f"{name} {value!r}: expected a finite non-zero difference")
    return abs(float(value))


def two_means_n(
    delta: float,
    sd: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    sides: int = 2,
    method: MeanMethod = "normal",
) -> SampleSize:
    """Participants per group to detect a difference ``delta`` in means with common ``sd``.

    ``normal``: ``n1 = (1 + 1/r)(z_α + z_β)²σ²/δ²`` (``2(z_α + z_β)²σ²/δ²`` for equal groups), which slightly
    underestimates the size a t test needs; ``t`` solves the noncentral-t power (R's ``power.t.test``).

    Example:
        >>> size = two_means_n(0.5, 1.0)
        >>> round(size.n_per_group, 2), size.n1, two_means_n(0.5, 1.0, method="t").n1
        (62.79, 63, 64)
    """
    delta = check_difference("delta", delta)
    sd = check_positive("sd", sd)
    sides = check_sides(sides)
    check_error_rates(alpha, power, sides)
    ratio = check_positive("ratio", ratio)
    check_mean_method(method)
    effect = delta / sd
    if method == "t":
        n = solve_t_n(effect, alpha, power, sides, ratio, paired=False)
    else:
        n = (1 + 1 / ratio) * (critical_z(alpha, sides) + float(scipy.stats.norm.ppf(power))) ** 2 / effect**2
    n1 = round_up(n)
    n2 = second_group_size(n1, ratio)
    if method == "t":
        achieved = t_power(effect, n1, alpha, sides, ratio=n2 / n1, paired=False)
    else:
        se = math.sqrt(1 / n1 + 1 / n2)
        achieved = float(scipy.stats.norm.cdf(effect / se - critical_z(alpha, sides)))
    return SampleSize(n, n1, n2, f"two-means-{method}", alpha, power, achieved, ratio, sides)


def paired_n(
    delta: float,
    sd_diff: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    method: MeanMethod = "normal",
) -> SampleSize:
    """Pairs needed to detect a mean within-pair difference ``delta`` with SD of the differences ``sd_diff``.

    ``normal``: ``n = (z_α + z_β)²σ_d²/δ²``; ``t`` solves the noncentral-t power with ``n − 1`` df.

    Example:
        >>> size = paired_n(0.5, 1.0)
        >>> round(size.n_per_group, 2), size.n1, size.units
        (31.4, 32, 'pairs')
    """
    delta = check_difference("delta", delta)
    sd_diff = check_positive("sd_diff", sd_diff)
    sides = check_sides(sides)
    check_error_rates(alpha, power, sides)
    check_mean_method(method)
    effect = delta / sd_diff
    if method == "t":
        n = solve_t_n(effect, alpha, power, sides, 1.0, paired=True)
    else:
        n = (critical_z(alpha, sides) + float(scipy.stats.norm.ppf(power))) ** 2 / effect**2
    pairs = round_up(n)
    if method == "t":
        achieved = t_power(effect, pairs, alpha, sides, paired=True)
    else:
        achieved = float(scipy.stats.norm.cdf(math.sqrt(pairs) * effect - critical_z(alpha, sides)))
    return SampleSize(n, pairs, pairs, f"paired-{method}", alpha, power, achieved, 1.0, sides, "pairs")
