"""Scores of forecasts against what happened: the CRPS of a simulated distribution or of a point
forecast, and the aggregates the backtest reports (bias, MAPE, skill).

The continuous ranked probability score (CRPS) of a forecast distribution F against the observed
value y is the integral over x of (F(x) − 1{x ≥ y})²: zero for a forecast that put all its weight
on y, growing with the distance and with needless spread, in the units of y. For a point forecast
b it is |b − y|, so a distribution and a point forecast are scored on the same scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike


def crps_sample(samples: ArrayLike, observation: float) -> float:
    """The CRPS of the empirical distribution of `samples` against `observation`:
    E|X − y| − ½ E|X − X'|, the second term from the sorted samples in O(n log n)."""
    ordered = np.sort(np.asarray(samples, dtype=np.float64).ravel())
    n = len(ordered)
    if n == 0:
        raise ValueError("no samples to score")
    distance = float(np.abs(ordered - observation).mean())
    # ½ E|X − X'| over all n² pairs = Σ (2i − n − 1) x_(i) / n², i = 1 … n
    weights = 2.0 * np.arange(1, n + 1) - n - 1
    half_spread = float(weights @ ordered) / n**2
    return max(distance - half_spread, 0.0)


def crps_point(forecast: float, observation: float) -> float:
    """The CRPS of a point forecast: its absolute error."""
    return abs(forecast - observation)


def relative_bias(forecasts: Sequence[float], actuals: Sequence[float]) -> float | None:
    """Σ (forecast − actual) ÷ Σ actual: zero when the forecasts are right on average, even though
    each actual is above or below its forecast. None when nothing was won in total."""
    total = sum(actuals)
    if not forecasts or total <= 0:
        return None
    return (sum(forecasts) - total) / total


def mape(forecasts: Sequence[float], actuals: Sequence[float]) -> float | None:
    """The mean of |forecast − actual| ÷ actual over the actuals above zero."""
    errors = [abs(f - a) / a for f, a in zip(forecasts, actuals, strict=True) if a > 0]
    return sum(errors) / len(errors) if errors else None


def skill(crps: Sequence[float], baseline_crps: Sequence[float]) -> float | None:
    """1 − Σ CRPS ÷ Σ baseline CRPS over the same cutoffs: above zero when the forecast beats the
    baseline, 1 for a perfect forecast. None when the baseline scored no error at all."""
    baseline = sum(baseline_crps)
    if len(crps) != len(baseline_crps):
        raise ValueError("skill compares the same cutoffs")
    if not crps or baseline <= 0:
        return None
    return 1.0 - sum(crps) / baseline


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
