"""Small, pure statistics: Wilson intervals and products of conversion rates."""

from __future__ import annotations

import math
from collections.abc import Iterable

Z_95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a binomial share; None without trials."""
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
