"""The fewest leads that reach a revenue target with a given probability.

The search evaluates many lead counts on the same simulations, coupled so that in every
simulation the wins and the revenue never fall when the leads rise (common random numbers): the
wins of a new count are drawn given the counts already evaluated — a binomial of the extra leads
above the largest, a hypergeometric split between two neighbours (which leads of the larger count
won, uniformly) — and so is the revenue: the first EXACT_WINS wins are a fixed sequence of sizes,
the rest a gamma process (a gamma increment above, a beta split of the gamma between two
neighbours). The probability of the target therefore rises with the leads, and bisection finds the
fewest exactly, on these simulations.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from salesflow.analytics.deal_sizes import DealSizes
from salesflow.analytics.simulation import (
    EXACT_WINS,
    NO_DISPERSION,
    Dispersion,
    Floats,
    Ints,
    Rates,
    win_chance,
)


@dataclass
class LeadPaths:
    """Per simulation, wins and revenue as coupled functions of the lead count."""

    rng: np.random.Generator
    chance: Floats
    prefix: Floats  # (sims, EXACT_WINS + 1): the summed size of the first k wins
    shape: Floats  # the gamma process: a win adds shape, each unit of shape is worth `scale`
    scale: Floats
    counts: list[int] = field(default_factory=list)
    wins: dict[int, Ints] = field(default_factory=dict)
    rest: dict[int, Floats] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        rates: Rates,
        sizes: DealSizes,
        sims: int,
        seed: int,
        dispersion: Dispersion = NO_DISPERSION,
    ) -> LeadPaths:
        rng = np.random.default_rng(seed)
        draws = sizes.draw(rng, sims)
        chance = np.asarray(dispersion.vary(rng, win_chance(rates, rng, sims)), dtype=np.float64)
        owners = np.repeat(np.arange(sims), EXACT_WINS)
        first = draws.sample(rng, owners).reshape(sims, EXACT_WINS)
        prefix = np.concatenate((np.zeros((sims, 1)), np.cumsum(first, axis=1)), axis=1)
        spread = (draws.variance > 0) & (draws.mean > 0)
        safe_variance = np.where(spread, draws.variance, 1.0)
        shape = np.where(spread, draws.mean**2 / safe_variance, np.inf)
        scale = np.where(spread, draws.variance / np.where(spread, draws.mean, 1.0), draws.mean)
        return cls(rng, chance, prefix, shape, scale)

    def revenue(self, leads: int) -> Floats:
        if leads not in self.wins:
            self._add(leads)
        wins = self.wins[leads]
        exact = np.minimum(wins, EXACT_WINS)
        picked = self.prefix[np.arange(len(wins)), exact]
        return np.asarray(picked + self.rest[leads], dtype=np.float64)

    def _add(self, leads: int) -> None:
        at = bisect.bisect(self.counts, leads)
        lower = self.counts[at - 1] if at else None
        upper = self.counts[at] if at < len(self.counts) else None
        wins = self._wins(leads, lower, upper)
        self.rest[leads] = self._rest(np.maximum(wins - EXACT_WINS, 0), lower, upper)
        self.wins[leads] = wins
        self.counts.insert(at, leads)

    def _wins(self, leads: int, lower: int | None, upper: int | None) -> Ints:
        rng = self.rng
        if upper is None:
            base = self.wins[lower] if lower is not None else np.zeros(len(self.chance), np.int64)
            return base + rng.binomial(leads - (lower or 0), self.chance).astype(np.int64)
        below = self.wins[lower] if lower is not None else np.zeros_like(self.wins[upper])
        good = self.wins[upper] - below
        bad = (upper - (lower or 0)) - good
        return below + rng.hypergeometric(good, bad, leads - (lower or 0)).astype(np.int64)

    def _rest(self, extra: Ints, lower: int | None, upper: int | None) -> Floats:
        """The gamma part for `extra` wins beyond EXACT_WINS, given the neighbours'."""
        rng = self.rng
        low_count, low_value = self._gamma_at(lower, extra)
        if upper is None:
            return low_value + self._increment(extra - low_count)
        high_count, high_value = self._gamma_at(upper, extra)
        inside = (extra > low_count) & (extra < high_count)
        share = np.zeros(len(extra))
        with np.errstate(invalid="ignore"):  # 0 × inf outside `inside`, masked below
            left = np.where(inside, (extra - low_count) * self.shape, 1.0)
            right = np.where(inside, (high_count - extra) * self.shape, 1.0)
        finite = np.isfinite(left) & np.isfinite(right)
        share[inside & finite] = rng.beta(left[inside & finite], right[inside & finite])
        exact = inside & ~finite  # no spread: the sizes are all alike
        share[exact] = (extra - low_count)[exact] / (high_count - low_count)[exact]
        share[extra >= high_count] = 1.0
        between = np.clip(low_value + share * (high_value - low_value), low_value, high_value)
        return np.asarray(between, dtype=np.float64)

    def _gamma_at(self, leads: int | None, like: Ints) -> tuple[Ints, Floats]:
        if leads is None:
            return np.zeros_like(like), np.zeros(len(like))
        return np.maximum(self.wins[leads] - EXACT_WINS, 0), self.rest[leads]

    def _increment(self, count: Ints) -> Floats:
        grows = count > 0
        result = np.zeros(len(count))
        spread = grows & np.isfinite(self.shape)
        result[spread] = self.rng.gamma(count[spread] * self.shape[spread], self.scale[spread])
        flat = grows & ~np.isfinite(self.shape)
        result[flat] = count[flat] * self.scale[flat]
        return result


def fewest_leads(
    paths: LeadPaths, target: float, confidence: float, start: int, most: int
) -> int | None:
    """The fewest leads whose revenue reaches `target` in at least `confidence` of the
    simulations: doubling from `start` (at most `most`), then bisection. None above `most`."""

    def reaches(leads: int) -> bool:
        return float((paths.revenue(leads) >= target).mean()) >= confidence

    low, high = 0, min(max(start, 1), most)
    while not reaches(high):
        if high >= most:
            return None
        low, high = high, min(high * 2, most)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if reaches(middle) else (middle, high)
    return high
