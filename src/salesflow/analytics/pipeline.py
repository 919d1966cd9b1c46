"""The open pipeline: each open deal's chance to win given its stage and how long it has been
there, and when it would be won.

For a deal `a` days into stage s, the chance to leave s by advancing is the Aalen–Johansen
cumulative incidence of advancing still to come after `a`, over the share of stays still in the
stage at `a`: (F(∞) − F(a)) / S(a). Its ratio to F(∞) scales the stage's conversion (drawn from
its posterior in each simulation), so that a deal stuck far longer than usual is less likely to
advance; the later stages convert as for new leads. Deals are grouped by stage and age quartile
(AGE_GROUPS per stage), each group with its deals' mean amount, age factor and time still to go
(analytics/timing.py says what that time rests on).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesflow.analytics.phasing import DAYS_PER_MONTH, Lag, point_shares
from salesflow.analytics.simulation import Floats, Ints, Rates
from salesflow.analytics.stage_events import Stays
from salesflow.analytics.survival import aalen_johansen

AGE_GROUPS = 4
MIN_AT_RISK = 5  # the age factor is read no later than where this many stays are still open
TIMING_DRAWS = 2000
TIMING_SEED = 20_261_201
EXPECTATION_DRAWS = 20_000


@dataclass(frozen=True)
class OpenGroups:
    """Open deals grouped by stage and age: how many, mean amount, age factor, and samples of
    the days still to go until won (TIMING_DRAWS per group)."""

    stage: Ints
    count: Ints
    amount: Floats
    factor: Floats
    to_go: list[Floats]

    @property
    def deals(self) -> int:
        return int(self.count.sum())

    def chance(self, rates: Floats) -> Floats:
        """(sims, groups) chance to win, from (sims, stages) conversion draws."""
        suffix = np.cumprod(rates[:, ::-1], axis=1)[:, ::-1]
        after = np.concatenate((suffix[:, 1:], np.ones((rates.shape[0], 1))), axis=1)
        current = np.clip(rates[:, self.stage] * self.factor, 0.0, 1.0)
        return np.asarray(current * after[:, self.stage], dtype=np.float64)

    def wins(self, rng: np.random.Generator, rates: Floats) -> Ints:
        """(sims, groups) open deals won, each group at its chance in each simulation."""
        chance = self.chance(rates)
        return np.asarray(rng.binomial(np.broadcast_to(self.count, chance.shape), chance))

    def expected(self, rates: Rates) -> float:
        """Σ deals × mean chance × amount. A factor above 1 (a deal at an age where few deals
        are lost) is capped at a chance of 1 draw by draw, so its mean is averaged over
        EXPECTATION_DRAWS fixed-seed draws; otherwise it is exact at the posterior means."""
        if (self.factor <= 1).all():
            chance = self.chance(rates.expected()[None, :])[0]
        else:
            rng = np.random.default_rng(TIMING_SEED)
            chance = self.chance(rates.draw(rng, EXPECTATION_DRAWS)).mean(axis=0)
        return float((chance * self.count * self.amount).sum())

    def shares(self, offset_months: float, months: int) -> Floats:
        """(groups, columns): where each group's wins land, `offset_months` being the end of
        the data counted from the start of the first month; (0, columns) with no open deal."""
        rows = [point_shares(offset_months + days / DAYS_PER_MONTH, months) for days in self.to_go]
        return np.array(rows, dtype=np.float64).reshape(len(rows), months + 2)


@dataclass(frozen=True)
class OpenGroup:
    stage: int
    count: int
    amount: float
    factor: float
    to_go: Floats


def group(
    stage_of: Ints,
    age: Floats,
    amount: Floats,
    stays: dict[int, Stays],
    advance: list[Lag | None],
    current: list[Lag | None] | None = None,
) -> OpenGroups:
    """Open deals (their stage, days in it and amount) grouped by stage and age quartile, each
    group with its age factor and timing: the rest of `current` (by stage; default `advance`)
    beyond the age, then `advance` of each later stage (analytics/timing.py)."""
    rng = np.random.default_rng(TIMING_SEED)
    found: list[OpenGroup] = []
    for stage in np.unique(stage_of).tolist():
        ages, amounts = age[stage_of == stage], amount[stage_of == stage]
        factors = age_factor(stays.get(stage), ages)
        for members in _quartiles(ages):
            found.append(
                OpenGroup(
                    stage,
                    len(members),
                    float(amounts[members].mean()),
                    float(factors[members].mean()),
                    _to_go(rng, ages[members], stage, advance, current),
                )
            )
    return OpenGroups(
        np.array([g.stage for g in found], dtype=np.int64),
        np.array([g.count for g in found], dtype=np.int64),
        np.array([g.amount for g in found], dtype=np.float64),
        np.array([g.factor for g in found], dtype=np.float64),
        [g.to_go for g in found],
    )


def age_factor(stays: Stays | None, ages: Floats) -> Floats:
    """(F(∞) − F(a)) / S(a) / F(∞) for each age a: 1 for a deal just arrived, less for one
    stuck longer than advancing deals usually take. 1 when the stage has no timed stays."""
    if stays is None or stays.timed.total == 0 or stays.timed.first.sum() == 0:
        return np.ones(len(ages))
    table = stays.timed
    incidence = aalen_johansen(table)
    usable = np.flatnonzero(table.at_risk() >= MIN_AT_RISK)
    last = int(usable[-1]) if len(usable) else 0
    final = float(incidence.first[-1])
    # The curves just before day a: the stays that ended on day a or earlier are gone.
    index = np.minimum(np.searchsorted(table.times, ages, side="right") - 1, last)
    before = index < 0
    safe = np.maximum(index, 0)
    survival = np.where(before, 1.0, incidence.survival[safe])
    advanced = np.where(before, 0.0, incidence.first[safe])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(survival > 0, (final - advanced) / survival / final, 0.0)
    return np.asarray(np.clip(factor, 0.0, 1.0 / final), dtype=np.float64)


def _quartiles(ages: Floats) -> list[Ints]:
    order = np.argsort(ages, kind="stable")
    parts = np.array_split(order, min(AGE_GROUPS, len(order)))
    return [part for part in parts if len(part)]


def _to_go(
    rng: np.random.Generator,
    ages: Floats,
    stage: int,
    advance: list[Lag | None],
    current: list[Lag | None] | None = None,
) -> Floats:
    """Samples of the days until won: the rest of the stage's time given the age (`current`,
    else `advance`), then the later stages' times to advance (0 where a time is None)."""
    ages_drawn = rng.choice(ages, size=TIMING_DRAWS)
    total = np.zeros(TIMING_DRAWS)
    now = (current if current is not None else advance)[stage]
    if now is not None:
        total += now.remaining(rng, ages_drawn)
    for later in advance[stage + 1 :]:
        if later is not None:
            total += later.sample(rng, TIMING_DRAWS)
    return total
