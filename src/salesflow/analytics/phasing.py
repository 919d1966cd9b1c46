"""When revenue lands: distributions of time (lead to won, or an open deal's time still to go)
turned into shares of calendar months.

The calendar has `months` columns plus two: column 0 is "earlier" (before the first month) and
the last is "later" (after the horizon), so that no revenue is dropped from the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from salesflow.analytics.simulation import Floats, Ints
from salesflow.analytics.survival import EventTable, aalen_johansen

DAYS_PER_MONTH = 30.44
PLAN_LAG_SIGMA = 0.5  # spread (lognormal sigma) of the planned time from lead to won
PLAN_ATOMS = 200


@dataclass(frozen=True)
class Lag:
    """A distribution of days: values and their probabilities (summing to 1)."""

    days: Floats
    weights: Floats

    @classmethod
    def of_wins(cls, table: EventTable) -> Lag | None:
        """The time to the first exit among the stays that end in it: the increments of its
        cumulative incidence (Aalen–Johansen), so that stays still open count for the wins
        that come late. None when nobody took that exit."""
        if table.total == 0 or table.first.sum() == 0:
            return None
        incidence = aalen_johansen(table).first
        steps = np.diff(np.concatenate(([0.0], incidence)))
        keep = steps > 0
        return cls(table.times[keep], steps[keep] / steps[keep].sum())

    @classmethod
    def planned(cls, median_days: float) -> Lag:
        """A lognormal around the planned days (PLAN_LAG_SIGMA), at PLAN_ATOMS quantiles."""
        if median_days <= 0:
            return cls(np.zeros(1), np.ones(1))
        normal = NormalDist()
        quantiles = [normal.inv_cdf((i + 0.5) / PLAN_ATOMS) for i in range(PLAN_ATOMS)]
        days = median_days * np.exp(PLAN_LAG_SIGMA * np.array(quantiles))
        return cls(days, np.full(PLAN_ATOMS, 1.0 / PLAN_ATOMS))

    @property
    def mean(self) -> float:
        return float((self.days * self.weights).sum())

    def sample(self, rng: np.random.Generator, size: int) -> Floats:
        return np.asarray(rng.choice(self.days, size=size, p=self.weights), dtype=np.float64)

    def remaining(self, rng: np.random.Generator, ages: Floats) -> Floats:
        """For each age, a draw of the days still to go of a stay already that old: the
        distribution beyond the age, by inverse transform (0 past the last value)."""
        cumulative = np.cumsum(self.weights)
        reached = np.searchsorted(self.days, ages, side="right")
        done = np.where(reached > 0, cumulative[np.maximum(reached - 1, 0)], 0.0)
        target = done + rng.random(len(ages)) * (1.0 - done)
        index = np.minimum(np.searchsorted(cumulative, target, side="right"), len(self.days) - 1)
        return np.where(done < 1.0 - 1e-12, np.maximum(self.days[index] - ages, 0.0), 0.0)

    def beyond(self, age: float) -> Lag | None:
        """The days still to go for a stay already `age` days old."""
        keep = self.days > age
        if not keep.any():
            return None
        weights = self.weights[keep]
        return Lag(self.days[keep] - age, weights / weights.sum())


def cohort_shares(lag: Lag, cohort: int, months: int) -> Floats:
    """The share of a cohort's wins landing in each calendar column, for leads arriving evenly
    through month `cohort` (0 = the first month) and winning `lag` days later."""
    landing = cohort + lag.days / DAYS_PER_MONTH
    whole = np.floor(landing)
    fraction = landing - whole
    shares = np.zeros(months + 2)
    np.add.at(shares, column(whole, months), lag.weights * (1 - fraction))
    np.add.at(shares, column(whole + 1, months), lag.weights * fraction)
    return shares


def point_shares(months_from_start: Floats, months: int) -> Floats:
    """The share of draws (months after the start of the first month) in each column."""
    shares = np.zeros(months + 2)
    np.add.at(shares, column(np.floor(months_from_start), months), 1.0)
    return shares / max(len(months_from_start), 1)


def column(month: Floats, months: int) -> Ints:
    """Calendar column of a month index: 0 before the first month, months + 1 after the last."""
    return np.asarray(np.clip(month + 1, 0, months + 1), dtype=np.int64)


def spread_wins(rng: np.random.Generator, wins: Ints, shares: Floats) -> Ints:
    """(…, columns) wins per calendar column: each win lands in a column at random with the
    given shares (a multinomial split)."""
    result = np.zeros((*wins.shape, len(shares)), dtype=np.int64)
    used = np.flatnonzero(shares > 0)
    if len(used) == 1:
        result[..., used[0]] = wins
    elif len(used):
        pvals = shares[used] / shares[used].sum()
        result[..., used] = rng.multinomial(wins, pvals)
    return result


def label(start_year: int, start_month: int, index: int) -> str:
    year, month = divmod(start_month - 1 + index, 12)
    return f"{start_year + year:04d}-{month + 1:02d}"
