"""Bootstrap resamples of an event table: the stays drawn again with replacement, as many as the
table has, as one multinomial draw over its distinct (time, ended or still going) rows; the
ended ones split between the two exits by a binomial draw at each time, which together is the
multinomial draw over (time, first exit, second exit, still going). Each resample is a row of
the arrays, so the curves of all of them are computed at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesflow.analytics.survival import EventTable, Floats


@dataclass(frozen=True)
class Resamples:
    """One row per resample, one column per time of the table: the stays that ended then (by
    either exit), and the stays still going just before."""

    events: Floats
    at_risk: Floats

    def leaving(self) -> Floats:
        """The hazard of leaving by either exit at each time."""
        with np.errstate(divide="ignore", invalid="ignore"):
            hazard: Floats = np.where(self.at_risk > 0, self.events / self.at_risk, 0.0)
        return hazard


def resampled(table: EventTable, count: int, rng: np.random.Generator) -> Resamples:
    counts = np.concatenate([table.events, table.censored])
    total = round(float(counts.sum()))
    draws = rng.multinomial(total, counts / counts.sum(), size=count).astype(np.float64)
    size = len(table.times)
    events, censored = draws[:, :size], draws[:, size:]
    removed = np.cumsum(events + censored, axis=1)
    at_risk = total - np.concatenate([np.zeros((count, 1)), removed[:, :-1]], axis=1)
    return Resamples(events, at_risk)


def staying(resamples: Resamples) -> Floats:
    """Kaplan–Meier of staying (either exit), one curve per resample."""
    curves: Floats = np.cumprod(1.0 - resamples.leaving(), axis=1).astype(np.float64)
    return curves


def first_incidence(resamples: Resamples, table: EventTable, rng: np.random.Generator) -> Floats:
    """Aalen–Johansen cumulative incidence of the first exit, one curve per resample: each
    time's ended stays split between the exits in the table's proportions at that time."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(table.events > 0, table.first / table.events, 0.0)
    first = rng.binomial(resamples.events.astype(np.int64), share).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(resamples.at_risk > 0, first / resamples.at_risk, 0.0)
    survival = staying(resamples)
    before = np.concatenate([np.ones((len(survival), 1)), survival[:, :-1]], axis=1)
    curves: Floats = np.cumsum(before * hazard, axis=1)
    return curves
