"""Small, pure statistics: Wilson intervals and products of conversion rates."""

from __future__ import annotations

import math
from collections.abc import Iterable

Z_95 = 1.959963984540054


def wilson_interval(successes: float, trials: float, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a binomial share; None without trials. Counts may be
    effective (fractional) ones: a share known as precisely as `trials` whole observations."""
    if trials <= 0:
        return None
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    spread = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    spread /= denominator
    low = 0.0 if successes == 0 else max(0.0, centre - spread)
    high = 1.0 if successes == trials else min(1.0, centre + spread)
    return low, high


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def product(values: Iterable[float | None]) -> float | None:
    """The product, or None when any factor is unknown."""
    result = 1.0
    for value in values:
        if value is None:
            return None
        result *= value
    return result


def probability_below(share: float, trials: float, plan: float) -> float:
    """How sure we can be that the true share is below `plan`, seen `share` of `trials`: one
    minus the exact one-sided binomial p-value P(X ≤ successes | plan), so that a stage truly
    at plan is called below it with probability at most 1 − the result. Counts may be
    effective (fractional) ones, through the incomplete beta function."""
    successes = share * trials
    failures = trials - successes
    if plan >= 1.0:
        return 1.0 if failures > 0 else 0.0
    if plan <= 0.0 or failures <= 0:
        return 0.0
    return regularized_beta(plan, successes + 1.0, failures)


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the Beta(a, b) distribution function at x, by its continued fraction
    (modified Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it converges
    faster."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(x, a, b) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(1.0 - x, b, a) / b


TINY = 1e-300
PRECISION = 1e-14
MAX_TERMS = 10_000


def _beta_fraction(x: float, a: float, b: float) -> float:
    c, d = 1.0, _nonzero(1.0 - (a + b) * x / (a + 1.0))
    d = 1.0 / d
    result = d
    for m in range(1, MAX_TERMS):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 / _nonzero(1.0 + numerator * d)
            c = _nonzero(1.0 + numerator / c)
            result *= d * c
        if abs(d * c - 1.0) < PRECISION:
            break
    return result


def _nonzero(value: float) -> float:
    return value if abs(value) > TINY else TINY
