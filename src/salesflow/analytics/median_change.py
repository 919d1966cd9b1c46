"""The change of a stage's median days between two groups of stays, with a 95% bootstrap interval.

The median is `analyze`'s: the first day the Kaplan–Meier curve of staying (left by either exit,
open stays censored) falls to one half. The interval is the percentile interval of the change over
bootstrap resamples: each group's stays drawn again with replacement, as many as it has (a
multinomial draw over its distinct (day, ended or still open) rows), the two medians taken again,
their difference kept. When more than 2.5% of the resamples of either group never reach one half
(too many stays still open), an end of the interval is unknown and there is none."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesflow.analytics.resampling import resampled, staying
from salesflow.analytics.survival import SLACK, EventTable, aalen_johansen, survival_quantile

RESAMPLES = 400
SEED = 20_240_101  # fixed: the same data gives the same interval on every run
TAIL = 0.025


@dataclass(frozen=True)
class MedianChange:
    change: float  # after − before, in days
    interval: tuple[float, float] | None


def median_days_change(before: EventTable, after: EventTable) -> MedianChange | None:
    """None when either group's median is not reached."""
    old, new = _median(before), _median(after)
    if old is None or new is None:
        return None
    rng = np.random.default_rng(SEED)
    old_draws, new_draws = _resampled(before, rng), _resampled(after, rng)
    changes = new_draws - old_draws
    if np.isnan(changes).mean() > TAIL:
        return MedianChange(new - old, None)
    low, high = np.nanquantile(changes, [TAIL, 1 - TAIL])
    return MedianChange(new - old, (float(low), float(high)))


def _median(table: EventTable) -> float | None:
    return survival_quantile(aalen_johansen(table), 0.5) if table.total > 0 else None


def _resampled(table: EventTable, rng: np.random.Generator) -> np.ndarray:
    """RESAMPLES medians of the table drawn again (NaN where a resample never reaches 1/2)."""
    survival = staying(resampled(table, RESAMPLES, rng))
    reached = survival <= 0.5 + SLACK
    medians: np.ndarray = table.times[np.argmax(reached, axis=1)].astype(np.float64)
    medians[~reached.any(axis=1)] = np.nan
    return medians
