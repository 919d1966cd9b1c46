"""The median sales cycle against `goals.cycle_days`: its 95% bootstrap interval and the
probability that it is above the goal (docs/analyze.md, "Goals and quotas").

The median is `analyze`'s: the first day the cumulative incidence of winning (Aalen–Johansen,
lost deals competing, open deals censored) reaches half of its final value. The cycle's stays are
drawn again RESAMPLES times (analytics.resampling) and each resample's median is taken the same
way. The interval is the percentile interval of those medians; P(above) is the share of them
above the goal, a median equal to the goal counting as not above. When more than 2.5% of the
resamples have no win at all, neither is given: the data has too few wins to tell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesflow.analytics.resampling import first_incidence, resampled
from salesflow.analytics.survival import SLACK, EventTable, Floats

RESAMPLES = 1000
BATCH = 100  # resamples drawn at once: memory grows with the batch times the distinct days
SEED = 20_261_202  # fixed: the same data gives the same interval and probability on every run
TAIL = 0.025


@dataclass(frozen=True)
class CycleEvidence:
    interval: tuple[float, float] | None
    probability_above: float | None


NO_EVIDENCE = CycleEvidence(None, None)


def cycle_evidence(table: EventTable, goal: float) -> CycleEvidence:
    """The interval of the median cycle and P(median > goal), from the cycle's timed stays."""
    if float(table.first.sum()) <= 0:
        return NO_EVIDENCE
    medians = resampled_medians(table)
    unknown = np.isnan(medians)
    if unknown.mean() > TAIL:
        return NO_EVIDENCE
    low, high = np.quantile(medians[~unknown], [TAIL, 1 - TAIL], method="inverted_cdf")
    above = float(np.count_nonzero(medians[~unknown] > goal)) / len(medians)
    return CycleEvidence((float(low), float(high)), above)


def resampled_medians(table: EventTable) -> Floats:
    """RESAMPLES medians of the table drawn again (NaN where a resample has no win)."""
    rng = np.random.default_rng(SEED)
    batches = [_medians(table, BATCH, rng) for _ in range(RESAMPLES // BATCH)]
    return np.concatenate(batches)


def _medians(table: EventTable, count: int, rng: np.random.Generator) -> Floats:
    incidence = first_incidence(resampled(table, count, rng), table, rng)
    final = incidence[:, -1:]
    reached = (incidence >= final / 2 - SLACK) & (final > 0)
    medians: Floats = table.times[np.argmax(reached, axis=1)].astype(np.float64)
    medians[~reached.any(axis=1)] = np.nan
    return medians
