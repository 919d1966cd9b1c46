"""Vectorised Monte Carlo of a funnel (DESIGN section 5), in chunks to bound memory.

Each simulation draws every stage's conversion rate (from Beta(advanced + 1, lost + 1) with data,
effective counts when deals are still open; fixed at the plan without), pushes the leads through
the stages as a chain of binomial draws, and prices the wins: bootstrapped from the observed won
amounts, or lognormal around the planned deal size. Sums of many deal sizes use the central limit
theorem instead of drawing every deal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

CHUNK = 100_000  # simulated cells (simulations × cohorts or stages) held at once
EXACT_WINS = 64  # up to this many wins a simulation draws each deal size; above, a normal sum
PLAN_SIGMA = 0.5  # spread of planned deal sizes (lognormal sigma) when there is no data

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Rates:
    """Per stage: observed advanced and lost counts (data), or planned conversions (plan).

    With data, `estimated` and `effective` (when given) are the survival estimate of each
    conversion and the number of fully observed deals that would know it as precisely: the
    evidence then comes from them, so that deals still open are neither wins nor losses.
    """

    advanced: Ints | None = None
    lost: Ints | None = None
    planned: Floats | None = None
    estimated: Floats | None = None
    effective: Floats | None = None

    @property
    def stages(self) -> int:
        source = self.planned if self.planned is not None else self.advanced
        assert source is not None
        return len(source)

    def evidence(self) -> tuple[Floats, Floats]:
        """Successes and failures per stage behind the Beta posterior."""
        if self.estimated is not None and self.effective is not None:
            return self.estimated * self.effective, (1 - self.estimated) * self.effective
        assert self.advanced is not None and self.lost is not None
        return self.advanced.astype(np.float64), self.lost.astype(np.float64)

    def expected(self) -> Floats:
        """The mean rate per stage: the Beta posterior mean with data, else the plan."""
        if self.planned is not None:
            return self.planned
        successes, failures = self.evidence()
        return (successes + 1) / (successes + failures + 2)

    def draw(self, rng: np.random.Generator, sims: int) -> Floats:
        """(sims, stages) conversion rates."""
        if self.planned is not None:
            return np.broadcast_to(self.planned, (sims, self.stages))
        successes, failures = self.evidence()
        return rng.beta(successes + 1, failures + 1, size=(sims, self.stages))


@dataclass(frozen=True)
class DealSizes:
    """Observed won amounts to bootstrap from, or a planned average."""

    amounts: Floats | None = None
    planned: float | None = None

    @property
    def mean(self) -> float:
        if self.amounts is not None and len(self.amounts):
            return float(self.amounts.mean())
        return float(self.planned or 0.0)

    @property
    def variance(self) -> float:
        if self.amounts is not None and len(self.amounts):
            return float(self.amounts.var())
        return float((np.exp(PLAN_SIGMA**2) - 1) * self.mean**2)

    def total(self, rng: np.random.Generator, wins: Ints) -> Floats:
        """The summed size of `wins` deals, for each entry of `wins`."""
        result = np.zeros(wins.shape, dtype=np.float64)
        few = (wins > 0) & (wins <= EXACT_WINS)
        many = wins > EXACT_WINS
        result[few] = self._exact(rng, wins[few])
        spread = np.sqrt(wins[many] * self.variance)
        result[many] = wins[many] * self.mean + spread * rng.standard_normal(int(many.sum()))
        return np.maximum(result, 0.0)

    def _exact(self, rng: np.random.Generator, wins: Ints) -> Floats:
        count = int(wins.sum())
        if count == 0:
            return np.zeros(wins.shape)
        if self.amounts is not None and len(self.amounts):
            draws = rng.choice(self.amounts, size=count)
        else:
            mu = np.log(max(self.mean, 1e-9)) - PLAN_SIGMA**2 / 2
            draws = rng.lognormal(mu, PLAN_SIGMA, size=count)
        starts = np.concatenate(([0], np.cumsum(wins)[:-1]))
        return np.add.reduceat(draws, starts)


def chain(rng: np.random.Generator, rates: Floats, leads: Ints) -> Ints:
    """Wins from `leads` pushed through the stages. `rates` is (sims, stages); `leads` is (sims,)
    or (sims, cohorts), each cohort sharing its simulation's rates."""
    entering = leads
    for stage in range(rates.shape[1]):
        rate = rates[:, stage] if entering.ndim == 1 else rates[:, stage, None]
        entering = rng.binomial(entering, rate)
    return entering


@dataclass(frozen=True)
class Outcome:
    wins: Ints
    revenue: Floats


def simulate(rates: Rates, sizes: DealSizes, leads: int, sims: int, seed: int) -> Outcome:
    """Wins and revenue for `leads` new leads, `sims` times."""
    rng = np.random.default_rng(seed)
    wins, revenue = [], []
    for size in _chunks(sims):
        won = chain(rng, rates.draw(rng, size), np.full(size, leads, dtype=np.int64))
        wins.append(won)
        revenue.append(sizes.total(rng, won))
    return Outcome(np.concatenate(wins), np.concatenate(revenue))


def simulate_cohorts(rates: Rates, sizes: DealSizes, cohorts: Ints, sims: int, seed: int) -> Floats:
    """(sims, cohorts) revenue of monthly lead cohorts that share each simulation's rates."""
    rng = np.random.default_rng(seed)
    parts = []
    for size in _chunks(sims, len(cohorts)):
        leads = np.broadcast_to(cohorts, (size, len(cohorts)))
        won = chain(rng, rates.draw(rng, size), leads)
        parts.append(sizes.total(rng, won))
    return np.concatenate(parts)


def simulate_pipeline(
    counts: Ints, probabilities: Floats, sizes: Floats, sims: int, seed: int
) -> Floats:
    """(sims, stages) revenue of open deals: each deal in stage s wins with its probability."""
    rng = np.random.default_rng(seed)
    parts = []
    for size in _chunks(sims):
        won = rng.binomial(np.broadcast_to(counts, (size, len(counts))), probabilities)
        parts.append(won * sizes)
    return np.concatenate(parts)


def simulate_pipeline_total(
    counts: Ints, probabilities: Floats, sizes: Floats, sims: int, seed: int
) -> Floats:
    """(sims,) revenue of all open deals: simulate_pipeline summed over the stages, chunk by
    chunk, so that only one chunk of stages is held at a time (the same draws, the same sums)."""
    rng = np.random.default_rng(seed)
    parts = []
    for size in _chunks(sims):
        won = rng.binomial(np.broadcast_to(counts, (size, len(counts))), probabilities)
        parts.append((won * sizes).sum(axis=1))
    return np.concatenate(parts) if parts else np.zeros(0)


def percentiles(values: Floats) -> tuple[float, float, float, float]:
    """mean, P10, P50, P90."""
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return float(values.mean()), float(p10), float(p50), float(p90)


def _chunks(sims: int, width: int = 1) -> list[int]:
    """Simulations per chunk, so that a chunk holds about CHUNK cells of `width` columns: its
    memory (and the deal sizes drawn for it, at most EXACT_WINS a cell) is bounded whatever the
    number of simulations, cohorts or stages."""
    rows = max(CHUNK // max(width, 1), 1)
    full, rest = divmod(sims, rows)
    return [rows] * full + ([rest] if rest else [])
