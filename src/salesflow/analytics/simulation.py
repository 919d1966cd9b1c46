"""Vectorised Monte Carlo of a funnel (docs/forecast.md), in chunks to bound memory.

Each simulation draws what we do not know — every stage's conversion from its posterior (the
data's effective counts, shrunk toward the plan where the process declares one), the deal-size
distribution's parameters (analytics/deal_sizes.py) — then what the process does with it: a
cohort's own chance to win around that mean (cohort-to-cohort variation, `Dispersion`), how many
of the leads win (one binomial draw: a chain of binomial stages with fixed rates is a binomial of
their product) and what the wins are worth (up to EXACT_WINS drawn one by one, the rest as a gamma
sum with the same mean and variance).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from salesflow.analytics.deal_sizes import DealSizes, SizeDraws
from salesflow.analytics.progress import Progress, no_progress

CHUNK = 100_000  # simulated cells (simulations × cohorts or groups) held at once
EXACT_WINS = 32  # wins per cell priced one by one; beyond, a gamma sum
PLAN_WEIGHT = 10.0  # a planned conversion counts as this many decided deals
PRIOR_FLOOR = 0.5  # no Beta parameter of the plan's prior below this (a plan of 0 or 1)
SIMULATING = "simulating revenue"

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Rates:
    """Per stage: observed advanced and lost counts (data), or planned conversions (plan).

    With data, `estimated` and `effective` (when given) are the survival estimate of each
    conversion and the number of fully observed deals that would know it as precisely: the
    evidence then comes from them, so that deals still open are neither wins nor losses. `prior`
    holds the plan's conversion of each stage (NaN where the plan has none): the posterior starts
    from it, weighing PLAN_WEIGHT deals, instead of from a uniform prior.
    """

    advanced: Ints | None = None
    lost: Ints | None = None
    planned: Floats | None = None
    estimated: Floats | None = None
    effective: Floats | None = None
    prior: Floats | None = None
    through: tuple[float, float] | None = None  # (estimate, effective deals) of lead → won

    @property
    def stages(self) -> int:
        source = self.planned if self.planned is not None else self.advanced
        assert source is not None
        return len(source)

    def evidence(self) -> tuple[Floats, Floats]:
        """Successes and failures per stage seen in the data."""
        if self.estimated is not None and self.effective is not None:
            return self.estimated * self.effective, (1 - self.estimated) * self.effective
        assert self.advanced is not None and self.lost is not None
        return self.advanced.astype(np.float64), self.lost.astype(np.float64)

    def prior_counts(self) -> tuple[Floats, Floats]:
        """The Beta prior per stage: the plan as PLAN_WEIGHT deals, else uniform (1, 1)."""
        ones = np.ones(self.stages)
        if self.prior is None:
            return ones, ones
        declared = ~np.isnan(self.prior)
        planned = np.where(declared, self.prior, 0.5)
        first = np.where(declared, np.maximum(PLAN_WEIGHT * planned, PRIOR_FLOOR), 1.0)
        second = np.where(declared, np.maximum(PLAN_WEIGHT * (1 - planned), PRIOR_FLOOR), 1.0)
        return first, second

    def posterior(self) -> tuple[Floats, Floats]:
        successes, failures = self.evidence()
        first, second = self.prior_counts()
        return successes + first, failures + second

    def plan_weight(self) -> Floats:
        """The plan's share in each stage's posterior mean (0 where it declares nothing)."""
        if self.prior is None or self.planned is not None:
            return np.zeros(self.stages)
        successes, failures = self.evidence()
        first, second = self.prior_counts()
        weight = (first + second) / (first + second + successes + failures)
        return np.where(np.isnan(self.prior), 0.0, weight)

    def expected(self) -> Floats:
        """The mean rate per stage: the posterior mean with data, else the plan."""
        if self.planned is not None:
            return self.planned
        first, second = self.posterior()
        return first / (first + second)

    def through_posterior(self) -> tuple[float, float]:
        """Beta posterior of the chance that a lead is won, when it is measured over the whole
        sales cycle (`through`): the plan's product as the prior when every stage has one."""
        assert self.through is not None
        share, effective = self.through
        first, second = 1.0, 1.0
        if self.prior is not None and not np.isnan(self.prior).any():
            planned = float(np.prod(self.prior))
            first = max(PLAN_WEIGHT * planned, PRIOR_FLOOR)
            second = max(PLAN_WEIGHT * (1 - planned), PRIOR_FLOOR)
        return share * effective + first, (1 - share) * effective + second

    def win_rate(self) -> float:
        """The mean chance that a lead is won."""
        if self.through is not None and self.planned is None:
            first, second = self.through_posterior()
            return first / (first + second)
        return float(np.prod(self.expected()))

    def draw(self, rng: np.random.Generator, sims: int) -> Floats:
        """(sims, stages) conversion rates."""
        if self.planned is not None:
            return np.broadcast_to(self.planned, (sims, self.stages))
        first, second = self.posterior()
        return rng.beta(first, second, size=(sims, self.stages))


@dataclass(frozen=True)
class Dispersion:
    """Cohort-to-cohort variation of the chance to win: a cohort's own chance is drawn from a
    Beta around the simulation's mean chance with intra-cohort correlation `rho` (beta-binomial);
    0 when none was measured."""

    rho: float = 0.0
    cohorts: int = 0

    def vary(self, rng: np.random.Generator, mean: Floats, width: int | None = None) -> Floats:
        """A chance per simulation, or (sims, width) for `width` cohorts."""
        shape = mean.shape if width is None else (*mean.shape, width)
        centre = mean if width is None else mean[:, None]
        if self.rho <= 0:
            return np.broadcast_to(centre, shape)
        inner = (1.0 - self.rho) / self.rho
        inside = (centre > 0) & (centre < 1)
        first = np.where(inside, centre * inner, 1.0)
        second = np.where(inside, (1 - centre) * inner, 1.0)
        drawn = rng.beta(np.broadcast_to(first, shape), np.broadcast_to(second, shape))
        return np.where(inside, drawn, centre)


NO_DISPERSION = Dispersion()


@dataclass(frozen=True)
class Outcome:
    wins: Ints
    revenue: Floats


def win_chance(
    rates: Rates, rng: np.random.Generator, sims: int, drawn: Floats | None = None
) -> Floats:
    """Per simulation, the chance that a lead is eventually won: the product of its stages
    (`drawn`, when the stage rates are already drawn), or, when measured over the whole sales
    cycle, drawn from that posterior."""
    if rates.through is not None and rates.planned is None:
        first, second = rates.through_posterior()
        return np.asarray(rng.beta(first, second, size=sims), dtype=np.float64)
    stages = rates.draw(rng, sims) if drawn is None else drawn
    return np.asarray(stages.prod(axis=1), dtype=np.float64)


def cohort_wins(
    rng: np.random.Generator,
    rates: Rates,
    dispersion: Dispersion,
    leads: int | Ints,
    sims: int,
    drawn: Floats | None = None,
) -> Ints:
    """Wins in `sims` simulations: (sims,) for one cohort of `leads`, (sims, cohorts) for an
    array of cohort sizes; each cohort's chance varies around its simulation's (`dispersion`)."""
    chance = win_chance(rates, rng, sims, drawn)
    if isinstance(leads, int):
        return rng.binomial(leads, dispersion.vary(rng, chance)).astype(np.int64)
    varied = dispersion.vary(rng, chance, len(leads))
    return rng.binomial(np.broadcast_to(leads, varied.shape), varied).astype(np.int64)


def simulate(
    rates: Rates,
    sizes: DealSizes,
    leads: int,
    sims: int,
    seed: int,
    dispersion: Dispersion = NO_DISPERSION,
    progress: Progress = no_progress,
) -> Outcome:
    """Wins and revenue for `leads` new leads (one cohort), `sims` times; `progress` hears of
    the simulations done after each chunk."""
    rng = np.random.default_rng(seed)
    every = sizes.draw(rng, sims)
    wins, revenue = [], []
    for rows in slices(sims):
        won = cohort_wins(rng, rates, dispersion, leads, rows.stop - rows.start)
        wins.append(won)
        revenue.append(price(rng, won, every.take(rows)))
        progress(SIMULATING, rows.stop, sims)
    return Outcome(np.concatenate(wins), np.concatenate(revenue))


def simulate_cohorts(
    rates: Rates,
    sizes: DealSizes,
    cohorts: Ints,
    sims: int,
    seed: int,
    dispersion: Dispersion = NO_DISPERSION,
) -> tuple[Ints, Floats]:
    """(sims, cohorts) wins and revenue of lead cohorts (a month's leads each) that share each
    simulation's parameters and vary around them as `dispersion` says."""
    rng = np.random.default_rng(seed)
    every = sizes.draw(rng, sims)
    wins, revenue = [], []
    for rows in slices(sims, len(cohorts)):
        won = cohort_wins(rng, rates, dispersion, cohorts, rows.stop - rows.start)
        wins.append(won)
        revenue.append(price(rng, won, every.take(rows)))
    return np.concatenate(wins), np.concatenate(revenue)


def even_cohorts(leads: int, months: int) -> Ints:
    """`leads` spread over `months` monthly cohorts, the remainder one each to the first."""
    base, extra = divmod(leads, months)
    return np.array([base + (1 if m < extra else 0) for m in range(months)], dtype=np.int64)


def price(rng: np.random.Generator, wins: Ints, draws: SizeDraws) -> Floats:
    """The summed size of the wins of each cell; `wins` is (sims,) or (sims, columns), row i
    priced with simulation i's deal-size parameters."""
    rows = np.arange(wins.shape[0])
    owners = (rows if wins.ndim == 1 else np.repeat(rows, wins.shape[1])).astype(np.int64)
    flat = wins.ravel()
    exact = np.minimum(flat, EXACT_WINS)
    total = np.zeros(flat.shape, dtype=np.float64)
    priced = exact > 0
    if priced.any():
        sizes = draws.sample(rng, np.repeat(owners, exact))
        starts = np.concatenate(([0], np.cumsum(exact[priced])[:-1]))
        total[priced] = np.add.reduceat(sizes, starts)
    rest = flat - exact
    many = rest > 0
    if many.any():
        chosen = owners[many]
        total[many] += gamma_sum(rng, rest[many], draws.mean[chosen], draws.variance[chosen])
    return total.reshape(wins.shape)


def gamma_sum(rng: np.random.Generator, count: Ints, mean: Floats, variance: Floats) -> Floats:
    """The sum of `count` sizes as one gamma draw with their sum's mean and variance."""
    spread = (variance > 0) & (mean > 0)
    shape = np.where(spread, count * mean**2 / np.where(spread, variance, 1.0), 1.0)
    scale = np.where(spread, variance / np.where(spread, mean, 1.0), 0.0)
    return np.where(spread, rng.gamma(shape, scale), count * np.maximum(mean, 0.0))


def percentiles(values: Floats) -> tuple[float, float, float, float]:
    """mean, P10, P50, P90."""
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return float(values.mean()), float(p10), float(p50), float(p90)


def slices(sims: int, width: int = 1) -> list[slice]:
    """The simulations of each chunk (see _chunks)."""
    bounds = np.cumsum([0, *_chunks(sims, width)])
    return [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]


def _chunks(sims: int, width: int = 1) -> list[int]:
    """Simulations per chunk, so that a chunk holds about CHUNK cells of `width` columns: its
    memory (and the deal sizes drawn for it, at most EXACT_WINS a cell) is bounded whatever the
    number of simulations, cohorts or stages."""
    rows = max(CHUNK // max(width, 1), 1)
    full, rest = divmod(sims, rows)
    return [rows] * full + ([rest] if rest else [])
