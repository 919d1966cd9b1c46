"""The size of a won deal, with what we do not know about it.

Each simulation first draws the parameters of the deal-size distribution from their posterior
(so that few won amounts widen the interval), then the sizes of its wins from that distribution.
Three models, chosen by `DealSizes.model`:

- `bootstrap`: the observed won amounts, resampled, scaled by the ratio of a Bayesian-bootstrap
  mean (Dirichlet(1, …, 1) weights over the amounts) to the observed mean. Used when there are
  enough amounts and their logarithms do not look normal (the Jarque–Bera check below).
- `lognormal`: a lognormal whose log-variance has the conjugate normal–scaled-inverse-χ²
  posterior, and whose mean is the average amount (mixed with the plan's by weight) times a
  lognormal error of log-variance σ²/κ with mean 1. Used when the log amounts pass the check,
  and always with few amounts (a handful of values cannot be resampled into a tail they never
  showed); the plan's `deal_size`, when declared, is the prior's centre. It is fitted to the
  positive amounts; won amounts of 0 or less (a free pilot, a credit) are a share of the wins,
  drawn as the Bayesian bootstrap draws the weight of those amounts (Beta(k, n − k) for k of n),
  each such win worth one of them, resampled.
- `plan`: no data: a lognormal around the planned size with a fixed spread, no uncertainty in its
  parameters (the plan is taken as right).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from salesflow.errors import InputError

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
SizeModel = Literal["bootstrap", "lognormal", "plan"]

PLAN_SIGMA = 0.5  # spread of planned deal sizes (lognormal sigma)
MIN_FOR_CHECK = 20  # fewer won amounts than this: always the lognormal
JARQUE_BERA_LIMIT = 9.21  # the 99th percentile of χ²(2): above it, the logs are not normal
PRIOR_WEIGHT = 1.0  # the plan's deal size counts as this many won deals
PRIOR_SIGMA_WEIGHT = 2.0  # its spread (PLAN_SIGMA, or WEAK_SIGMA without a plan) as this many
WEAK_SIGMA = 1.0  # the prior spread of log amounts when the plan has no deal size
SIGMA_CAP = 2.5  # log spreads drawn above this are clipped: P99/median of e^5.8, beyond any book
DIRICHLET_EXACT = 2000  # up to this many amounts the Bayesian bootstrap draws its weights
PARAMETER_SETS = 4000  # Dirichlet draws shared by the simulations (each picks one at random)


@dataclass(frozen=True)
class SizeDraws:
    """Per simulation: the deal-size distribution's mean and variance, and how to draw from it."""

    mean: Floats
    variance: Floats
    mu: Floats | None = None  # lognormal log-mean and log-spread
    sigma: Floats | None = None
    amounts: Floats | None = None  # bootstrap: resampled, times `scale`
    scale: Floats | None = None
    share: Floats | None = None  # lognormal: the share of wins worth one of `others`
    others: Floats | None = None  # ... the won amounts of 0 or less, resampled

    def sample(self, rng: np.random.Generator, owners: Ints) -> Floats:
        """One deal size for each entry of `owners` (a simulation index)."""
        if self.amounts is not None and self.scale is not None:
            picked = self.amounts[rng.integers(len(self.amounts), size=len(owners))]
            return picked * self.scale[owners]
        assert self.mu is not None and self.sigma is not None
        sizes = np.exp(self.mu[owners] + self.sigma[owners] * rng.standard_normal(len(owners)))
        if self.share is None or self.others is None:
            return sizes
        other = rng.random(len(owners)) < self.share[owners]
        picked = self.others[rng.integers(len(self.others), size=len(owners))]
        return np.where(other, picked, sizes)

    def take(self, index: Ints | slice) -> SizeDraws:
        """The draws of the simulations in `index`, in that order."""

        def part(values: Floats | None) -> Floats | None:
            return values[index] if values is not None else None

        return SizeDraws(
            self.mean[index],
            self.variance[index],
            part(self.mu),
            part(self.sigma),
            self.amounts,
            part(self.scale),
            part(self.share),
            self.others,
        )


@dataclass(frozen=True)
class DealSizes:
    """Observed won amounts, a planned average, or both (the plan as the prior)."""

    amounts: Floats | None = None
    planned: float | None = None

    @property
    def observed(self) -> int:
        return 0 if self.amounts is None else len(self.amounts)

    @property
    def positive(self) -> Floats:
        """The won amounts above 0: what a lognormal is fitted to."""
        return self.amounts[self.amounts > 0] if self.amounts is not None else np.zeros(0)

    @property
    def others(self) -> Floats:
        """The won amounts of 0 or less (a free pilot, a credit)."""
        return self.amounts[~(self.amounts > 0)] if self.amounts is not None else np.zeros(0)

    @property
    def model(self) -> SizeModel:
        if not self.observed:
            return "plan"
        positive = self.positive
        if not len(positive):
            return "bootstrap"  # nothing to fit a lognormal to: the amounts as they are
        if len(positive) < MIN_FOR_CHECK:
            return "lognormal"
        return "lognormal" if jarque_bera(np.log(positive)) <= JARQUE_BERA_LIMIT else "bootstrap"

    @property
    def from_prior(self) -> bool:
        """Whether the plan's deal size weighs in noticeably: a plan, and few positive won
        amounts to fit a lognormal to (none: the plan alone)."""
        return (
            self.planned is not None
            and self.model != "bootstrap"
            and len(self.positive) < MIN_FOR_CHECK
        )

    def draw(self, rng: np.random.Generator, sims: int) -> SizeDraws:
        model = self.model
        if model == "plan":
            return _planned(self._planned_size(), sims)
        if model == "lognormal":
            draws = _lognormal(self._log_posterior(), rng, sims)
            return (
                _with_others(draws, self.others, self.observed, rng) if len(self.others) else draws
            )
        assert self.amounts is not None
        return _bootstrap(self.amounts, rng, sims)

    @functools.cached_property
    def mean(self) -> float:
        """The expected size of a won deal (over the parameters' posterior)."""
        model = self.model
        if model == "plan":
            return self._planned_size()
        if model == "bootstrap":
            assert self.amounts is not None
            return float(self.amounts.mean())
        share = len(self.others) / self.observed
        others = float(self.others.mean()) if len(self.others) else 0.0
        return (1 - share) * self._log_posterior().average + share * others

    def _planned_size(self) -> float:
        if self.planned is None:
            raise InputError("no won amounts and no assumptions.deal_size to size the wins")
        return float(self.planned)

    def _log_posterior(self) -> LogPosterior:
        return LogPosterior.of(self.positive, self.planned)


@dataclass(frozen=True)
class LogPosterior:
    """Normal–scaled-inverse-χ² posterior of the log amounts' mean and variance (Gelman et al.,
    Bayesian Data Analysis, 3rd ed., section 3.3)."""

    mean: float
    weight: float  # κ: how many observations the mean rests on
    dof: float  # ν
    scale: float  # s²
    average: float  # the mean amount: the won amounts' mean, mixed with the plan's by weight

    @classmethod
    def of(cls, amounts: Floats, planned: float | None) -> LogPosterior:
        logs = np.log(amounts)
        n = float(len(logs))
        centre = float(logs.mean())
        spread = float(((logs - centre) ** 2).sum())
        prior_sigma = PLAN_SIGMA if planned is not None else WEAK_SIGMA
        kappa0 = PRIOR_WEIGHT if planned is not None else 0.0
        mu0 = math.log(planned) - prior_sigma**2 / 2 if planned is not None else centre
        kappa, dof = kappa0 + n, PRIOR_SIGMA_WEIGHT + n
        mean = (kappa0 * mu0 + n * centre) / kappa
        pull = kappa0 * n * (centre - mu0) ** 2 / kappa
        scale = (PRIOR_SIGMA_WEIGHT * prior_sigma**2 + spread + pull) / dof
        average = (kappa0 * (planned or 0.0) + float(amounts.sum())) / kappa
        return cls(mean, kappa, dof, scale, average)


def jarque_bera(values: Floats) -> float:
    """n/6 · (skewness² + excess kurtosis²/4): about χ²(2) when the values are normal."""
    centred = values - values.mean()
    variance = float((centred**2).mean())
    if variance <= 0:
        return 0.0
    skew = float((centred**3).mean()) / variance**1.5
    kurtosis = float((centred**4).mean()) / variance**2 - 3.0
    return float(len(values) / 6.0 * (skew**2 + kurtosis**2 / 4.0))


def _planned(size: float, sims: int) -> SizeDraws:
    mu = math.log(max(size, 1e-9)) - PLAN_SIGMA**2 / 2
    return _lognormal_draws(np.full(sims, mu), np.full(sims, PLAN_SIGMA))


def _lognormal(posterior: LogPosterior, rng: np.random.Generator, sims: int) -> SizeDraws:
    """Log-spreads σ from their posterior; the mean deal size from a lognormal centred (in mean)
    on the average amount with log-variance σ²/κ. The mean is centred on the average rather
    than on exp(μ̂ + σ̂²/2), which a few amounts would inflate; a wider σ widens the tail without
    raising the mean."""
    variance = posterior.dof * posterior.scale / rng.chisquare(posterior.dof, sims)
    sigma = np.minimum(np.sqrt(variance), SIGMA_CAP)
    error = sigma / math.sqrt(posterior.weight)
    log_mean = math.log(posterior.average) - error**2 / 2 + error * rng.standard_normal(sims)
    return _lognormal_draws(log_mean - sigma**2 / 2, sigma)


def _with_others(
    draws: SizeDraws, others: Floats, observed: int, rng: np.random.Generator
) -> SizeDraws:
    """The lognormal draws mixed with a share of wins worth one of `others` (the won amounts of
    0 or less), the share drawn as the Bayesian bootstrap weighs those amounts: Beta(k, n − k),
    whose mean is their observed share k / n. The mean and variance are the mixture's."""
    share = rng.beta(len(others), observed - len(others), len(draws.mean))
    low_mean, low_square = float(others.mean()), float((others**2).mean())
    mean = (1 - share) * draws.mean + share * low_mean
    square = (1 - share) * (draws.variance + draws.mean**2) + share * low_square
    return replace(
        draws, mean=mean, variance=np.maximum(square - mean**2, 0.0), share=share, others=others
    )


def _lognormal_draws(mu: Floats, sigma: Floats) -> SizeDraws:
    mean = np.exp(mu + sigma**2 / 2)
    return SizeDraws(mean, np.expm1(sigma**2) * mean**2, mu=mu, sigma=sigma)


def _bootstrap(amounts: Floats, rng: np.random.Generator, sims: int) -> SizeDraws:
    """Bayesian bootstrap of the mean: Dirichlet weights (PARAMETER_SETS draws, each simulation
    picking one) up to DIRICHLET_EXACT amounts; beyond, its normal limit N(x̄, s²/n)."""
    centre = float(amounts.mean())
    if len(amounts) <= DIRICHLET_EXACT:
        weights = rng.standard_exponential((min(PARAMETER_SETS, sims), len(amounts)))
        means = weights @ amounts / weights.sum(axis=1)
        drawn = means[rng.integers(len(means), size=sims)]
    else:
        error = float(amounts.std()) / math.sqrt(len(amounts))
        drawn = np.maximum(centre + error * rng.standard_normal(sims), 0.0)
    scale = drawn / centre if centre > 0 else np.ones(sims)
    variance = scale**2 * float(amounts.var())
    return SizeDraws(scale * centre, variance, amounts=amounts, scale=scale)


def odd_amounts_note(sizes: DealSizes) -> str | None:
    """What won amounts of 0 or less do to the deal size, in words; None when there are none."""
    others, observed = sizes.others, sizes.observed
    if sizes.model == "plan" or not len(others):
        return None
    below = int((others < 0).sum())
    worth = "0" if not below else "that amount" if len(others) == 1 else "one of those amounts"
    if sizes.model == "lognormal":
        how = (
            f"the deal size is a lognormal fitted to the {len(sizes.positive):,} positive ones, "
            f"and a share of the wins, about {len(others):,} in {observed:,}, is worth {worth}"
        )
    elif len(sizes.positive):
        how = "they are resampled with the others"
    else:
        how = f"with no positive amount to fit, the wins are worth {worth}"
    check = "; a won amount below 0 lowers the revenue: check the data" if below else ""
    return f"{_odd_amounts(others, observed)}: {how}{check}"


def _odd_amounts(others: Floats, observed: int) -> str:
    """ "1 of 5 won amounts is 0", "2 of 5 won amounts are below 0", "3 of 5 ... 0 or less"."""
    below = int((others < 0).sum())
    verb = "is" if len(others) == 1 else "are"
    if not below:
        which = "0"
    elif below == len(others):
        which = "below 0"
    else:
        which = f"0 or less ({len(others) - below:,} at 0, {below:,} below)"
    return f"{len(others):,} of {observed:,} won amounts {verb} {which}"
