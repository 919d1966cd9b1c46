"""Product-limit arithmetic for stays that end one of two ways (advance or lose) or are still
going (censored): Kaplan–Meier of leaving by either exit, the Aalen–Johansen cumulative incidence
of each exit, and a delta-method variance of the incidence.

Input is an event table: counts at each distinct time, already aggregated (in SQL). At a time
where events and censorings tie, the events come first, as is usual.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
# Fractions are compared with this slack: a cumulative sum can miss an exact half by rounding.
SLACK = 1e-12
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class EventTable:
    """At each distinct time (ascending): stays that ended in the first exit, in the second exit,
    and stays censored then."""

    times: Floats
    first: Floats
    second: Floats
    censored: Floats

    @classmethod
    def of(cls, times: Floats, first: Floats, second: Floats, censored: Floats) -> EventTable:
        """From unsorted rows, possibly repeating a time."""
        distinct, index = np.unique(np.asarray(times, dtype=np.float64), return_inverse=True)

        def summed(values: Floats) -> Floats:
            return np.bincount(index, weights=values, minlength=len(distinct)).astype(np.float64)

        return cls(distinct, summed(first), summed(second), summed(censored))

    @property
    def total(self) -> float:
        return float(self.first.sum() + self.second.sum() + self.censored.sum())

    @property
    def events(self) -> Floats:
        return self.first + self.second

    def at_risk(self) -> Floats:
        """Stays still going just before each time."""
        removed = self.first + self.second + self.censored
        return self.total - np.concatenate(([0.0], np.cumsum(removed)[:-1]))


@dataclass(frozen=True)
class Incidence:
    """Curves at each time of the table: still in the stay (Kaplan–Meier of either exit) and the
    cumulative incidence of each exit (Aalen–Johansen). survival + first + second = 1."""

    times: Floats
    survival: Floats
    first: Floats
    second: Floats
    table: EventTable


def aalen_johansen(table: EventTable) -> Incidence:
    at_risk = table.at_risk()
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(at_risk > 0, table.events / at_risk, 0.0)
        first_hazard = np.where(at_risk > 0, table.first / at_risk, 0.0)
        second_hazard = np.where(at_risk > 0, table.second / at_risk, 0.0)
    survival: Floats = np.cumprod(1.0 - hazard).astype(np.float64)
    before = _lagged(survival)
    return Incidence(
        times=table.times,
        survival=survival,
        first=np.cumsum(before * first_hazard),
        second=np.cumsum(before * second_hazard),
        table=table,
    )


def first_variance(incidence: Incidence) -> float:
    """Delta-method (Greenwood-type) variance of the first exit's final cumulative incidence,
    as in Collett, Modelling Survival Data in Medical Research, 3rd ed., p. 411. With nothing
    censored it equals p(1 − p)/n, the binomial variance."""
    table = incidence.table
    at_risk = table.at_risk()
    events, first = table.events, table.first
    rest = incidence.first[-1] - incidence.first
    before = _lagged(incidence.survival)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(rest != 0, rest**2 * events / (at_risk * (at_risk - events)), 0.0)
        own = np.where(at_risk > 0, before**2 * first * (at_risk - first) / at_risk**3, 0.0)
        cross = np.where(at_risk > 0, rest * before * first / at_risk**2, 0.0)
    return max(float(spread.sum() + own.sum() - 2.0 * cross.sum()), 0.0)


def survival_quantile(incidence: Incidence, share_left: float) -> float | None:
    """The first time the share still in the stay falls to `share_left` or below (0.5 for the
    median); None when the curve never falls that far."""
    reached = np.flatnonzero(incidence.survival <= share_left + SLACK)
    return float(incidence.times[reached[0]]) if len(reached) else None


def survival_band(incidence: Incidence, z: float = Z_95) -> tuple[Floats, Floats]:
    """The pointwise 95% band of the share still in the stay: Greenwood's variance on the
    log(−log) scale (Kalbfleisch and Prentice), which keeps the band inside 0 and 1. Before
    anyone has left, the band is 1; once nobody is left, 0 (as lifelines gives)."""
    table = incidence.table
    at_risk, events = table.at_risk(), table.events
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        terms = np.where(events > 0, terms, 0.0)
        spread = np.sqrt(np.cumsum(terms)) / np.abs(np.log(incidence.survival))
        low = incidence.survival ** np.exp(z * spread)
        high = incidence.survival ** np.exp(-z * spread)
    survived, gone = incidence.survival >= 1.0, incidence.survival <= 0.0
    low = np.where(survived, 1.0, np.where(gone, 0.0, low))
    high = np.where(survived, 1.0, np.where(gone, 0.0, high))
    return low.astype(np.float64), high.astype(np.float64)


def quantile_interval(incidence: Incidence, share_left: float) -> tuple[float, float | None] | None:
    """The 95% interval of `survival_quantile` by inverting the band (Brookmeyer and Crowley):
    from the first time the band's bottom falls to `share_left` to the first time its top does
    (None: not yet, the interval is open above). None when even the bottom never falls."""
    low, high = survival_band(incidence)
    earliest = np.flatnonzero(low <= share_left + SLACK)
    if not len(earliest):
        return None
    latest = np.flatnonzero(high <= share_left + SLACK)
    end = float(incidence.times[latest[0]]) if len(latest) else None
    return float(incidence.times[earliest[0]]), end


def incidence_median(times: Floats, incidence: Floats) -> float | None:
    """The first time a cumulative incidence reaches half of its final value: the median time to
    that exit among the stays that end in it. None when the exit never happened."""
    final = float(incidence[-1]) if len(incidence) else 0.0
    if final <= 0:
        return None
    reached = np.flatnonzero(incidence >= final / 2 - SLACK)
    return float(times[reached[0]])


def _lagged(curve: Floats) -> Floats:
    """The curve just before each time: 1 before the first."""
    return np.concatenate(([1.0], curve[:-1]))
