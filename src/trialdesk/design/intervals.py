"""Confidence intervals for one proportion and for a difference of two, and Fisher's exact test.

The interval methods are those numbered by Newcombe (1998a, 1998b), Statistics in Medicine 17:857–872 and
17:873–890: Wilson's score interval without (method 3) and with (method 4) continuity correction, the
Clopper–Pearson "exact" interval (method 5), and for a difference of independent proportions the hybrid
score interval built from two Wilson intervals (method 10) or two continuity-corrected ones (method 11).

Example:
    >>> ci = wilson_interval(81, 263)
    >>> round(ci.lower, 4), round(ci.upper, 4)
    (0.2553, 0.3662)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import scipy  # its submodules load on first use: importing trialdesk's CLI stays quick

Alternative = Literal["two-sided", "greater", "less"]


@dataclass(frozen=True)
class Interval:
    """A point estimate with its two-sided confidence interval and the method that produced it."""

    estimate: float
    lower: float
    upper: float
    confidence: float
    method: str


@dataclass(frozen=True)
class FisherResult:
    """Fisher's exact test of a 2×2 table ``[[a, b], [c, d]]``.

    ``odds_ratio`` is the unconditional sample (cross-product) estimate ``a·d / (b·c)`` exactly as
    :func:`scipy.stats.fisher_exact` returns it (``inf`` when ``b·c = 0 < a·d``, ``nan`` when a row or
    column is empty), not the conditional maximum-likelihood estimate some software reports.
    """

    p_value: float
    odds_ratio: float
    alternative: str
    odds_ratio_kind: str = "sample"


def check_count(name: str, value: int, *, minimum: int = 0) -> int:
    """Return ``value`` if it is an integer count of at least ``minimum``; raise ``ValueError`` otherwise.

    Example:
        >>> check_count("n", 0, minimum=1)
        Traceback (most recent call last):
        ...
        ValueError: n 0: expected an integer of at least 1
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} {value!r}: expected an integer of at least {minimum}")
    return value


def check_successes(x: int, n: int, *, names: tuple[str, str] = ("x", "n")) -> None:
    """Reject a number of successes ``x`` that is not an integer in ``0..n`` for ``n ≥ 1`` trials.

    Example:
        >>> check_successes(5, 4)
        Traceback (most recent call last):
        ...
        ValueError: x 5: expected an integer between 0 and n (4)
    """
    check_count(names[1], n, minimum=1)
    if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x <= n:
        raise ValueError(f"{names[0]} {x!r}: expected an integer between 0 and {names[1]} ({n})")


def check_confidence(confidence: float) -> float:
    """Return the confidence level if it lies strictly between 0 and 1.

    Example:
        >>> check_confidence(95)
        Traceback (most recent call last):
        ...
        ValueError: confidence 95: expected a level strictly between 0 and 1 (e.g. 0.95)
    """
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence!r}: expected a level strictly between 0 and 1 (e.g. 0.95)")
    return float(confidence)


def normal_quantile(confidence: float) -> float:
    """The two-sided standard normal critical value ``z_{1-(1-confidence)/2}``.

    Example:
        >>> round(normal_quantile(0.95), 6)
        1.959964
    """
    return float(scipy.stats.norm.ppf(1 - (1 - confidence) / 2))


def wilson_interval(x: int, n: int, *, confidence: float = 0.95, continuity: bool = False) -> Interval:
    """Wilson's score interval for a proportion ``x/n`` (Newcombe 1998 method 3; method 4 with ``continuity``).

    The continuity-corrected limits are Newcombe's closed forms; the lower limit is 0 when ``x = 0`` and the
    upper limit is 1 when ``x = n``.

    Example:
        >>> ci = wilson_interval(81, 263, continuity=True)
        >>> round(ci.lower, 4), round(ci.upper, 4), ci.method
        (0.2535, 0.3682, 'wilson-cc')
    """
    check_successes(x, n)
    confidence = check_confidence(confidence)
    z = normal_quantile(confidence)
    p = x / n
    q = 1 - p
    denominator = 2 * (n + z * z)
    if continuity:  # the square roots are real except at x = 0 (lower) and x = n (upper), where the limit is fixed
        lower = upper = p
        if x > 0:
            lower = (2 * n * p + z * z - 1 - z * math.sqrt(z * z - 2 - 1 / n + 4 * p * (n * q + 1))) / denominator
        if x < n:
            upper = (2 * n * p + z * z + 1 + z * math.sqrt(z * z + 2 - 1 / n + 4 * p * (n * q - 1))) / denominator
    else:
        half_width = z * math.sqrt(z * z + 4 * n * p * q) / denominator
        centre = (2 * n * p + z * z) / denominator
        lower, upper = centre - half_width, centre + half_width
    lower = 0.0 if x == 0 else min(max(lower, 0.0), p)
    upper = 1.0 if x == n else max(min(upper, 1.0), p)
    return Interval(p, lower, upper, confidence, "wilson-cc" if continuity else "wilson")


def clopper_pearson_interval(x: int, n: int, confidence: float = 0.95) -> Interval:
    """The Clopper–Pearson "exact" interval from beta quantiles (Newcombe 1998 method 5).

    Example:
        >>> ci = clopper_pearson_interval(81, 263)
        >>> round(ci.lower, 4), round(ci.upper, 4)
        (0.2527, 0.3676)
    """
    check_successes(x, n)
    confidence = check_confidence(confidence)
    tail = (1 - confidence) / 2
    p = x / n
    lower = 0.0 if x == 0 else min(float(scipy.stats.beta.ppf(tail, x, n - x + 1)), p)
    upper = 1.0 if x == n else max(float(scipy.stats.beta.ppf(1 - tail, x + 1, n - x)), p)
    return Interval(p, lower, upper, confidence, "clopper-pearson")


def newcombe_difference_interval(
    x1: int, n1: int, x2: int, n2: int, *, confidence: float = 0.95, continuity: bool = False
) -> Interval:
    """Newcombe's hybrid score interval for ``x1/n1 − x2/n2`` (1998 method 10; method 11 with ``continuity``).

    With ``(l_i, u_i)`` the Wilson limits for each proportion, the limits are
    ``δ − sqrt((p1 − l1)² + (u2 − p2)²)`` and ``δ + sqrt((u1 − p1)² + (p2 − l2)²)``.

    Example:
        >>> ci = newcombe_difference_interval(56, 70, 48, 80)
        >>> round(ci.estimate, 4), round(ci.lower, 4), round(ci.upper, 4)
        (0.2, 0.0524, 0.3339)
    """
    check_successes(x1, n1, names=("x1", "n1"))
    check_successes(x2, n2, names=("x2", "n2"))
    first = wilson_interval(x1, n1, confidence=confidence, continuity=continuity)
    second = wilson_interval(x2, n2, confidence=confidence, continuity=continuity)
    p1, p2 = first.estimate, second.estimate
    delta = p1 - p2
    lower = delta - math.hypot(p1 - first.lower, second.upper - p2)
    upper = delta + math.hypot(first.upper - p1, p2 - second.lower)
    method = "newcombe-hybrid-score-cc" if continuity else "newcombe-hybrid-score"
    return Interval(delta, max(lower, -1.0), min(upper, 1.0), first.confidence, method)


def fisher_exact(a: int, b: int, c: int, d: int, *, alternative: Alternative = "two-sided") -> FisherResult:
    """Fisher's exact test of the 2×2 table ``[[a, b], [c, d]]`` via :func:`scipy.stats.fisher_exact`.

    The two-sided p-value sums the probabilities of all tables with the observed margins that are no more
    likely than the observed one; ``greater`` tests an odds ratio above 1.

    Example:
        >>> result = fisher_exact(8, 2, 1, 5)
        >>> round(result.p_value, 4), result.odds_ratio, result.odds_ratio_kind
        (0.035, 20.0, 'sample')
    """
    for name, value in zip("abcd", (a, b, c, d), strict=True):
        check_count(name, value)
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError(f"alternative {alternative!r}: expected 'two-sided', 'greater' or 'less'")
    result = scipy.stats.fisher_exact([[a, b], [c, d]], alternative=alternative)
    return FisherResult(float(result.pvalue), float(result.statistic), alternative)
