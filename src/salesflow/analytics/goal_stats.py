"""How sure we can be that a goal is missed: revenue against a quota, and the win rate against
its goal. Both follow `stats.probability_below`: one minus the exact one-sided p-value of "the
goal is met exactly", so that someone exactly on target is flagged at the 0.9 threshold in at
most one data set in ten.

Revenue: wins arrive at random (a Poisson process) and each brings an amount, so the revenue of a
window is a compound Poisson sum. Its variance is its mean times D = E[X²] / E[X] (the amounts'
second moment over their mean), estimated as Σ amount² / Σ amount. Measured in units of D the
revenue is then approximately Poisson with the same mean and variance (the quasi-Poisson
model): exactly the Poisson test of the number of wins when all amounts are equal, with the
variance of the hypothesis (on target), not of what was seen, which would shrink with a bad
run of luck. No wins at all need no special rule: the probability is 1 − e^(−target / D), the
chance of seeing at least one win when on target.

Win rate: the funnel's win rate is the product of the stage conversions; its precision, by the
delta method, is that of `effective_deals` fully observed deals. With counts only (nothing
open) that is exactly the number of deals and the test is the binomial one.

Many people at once (`--by owner`): at 0.9 each, a team of twenty on target would see about two
people called short by luck alone. People are flagged together, by the Benjamini–Hochberg step
over their p-values (one minus each probability) at a false-discovery rate of 0.1: of the people
flagged, at most one in ten is expected to be on target. One person alone is flagged exactly as
at 0.9.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from salesflow.analytics.stats import probability_below, wilson_interval
from salesflow.model.funnel import StageMetrics

CREDIBLE = 0.9  # the probability a shortfall needs before it is flagged
PRECISION = 1e-15
MAX_TERMS = 100_000
LARGE_SHAPE = 1e5  # beyond it, the Wilson–Hilferty approximation (error below 1e-6)
TINY = 1e-300


def credible(probability: float | None) -> bool:
    return probability is not None and probability >= CREDIBLE


def discoveries(probabilities: list[float | None]) -> list[bool]:
    """Which of several probabilities (of a shortfall, each person's) to flag together: the
    Benjamini–Hochberg step at a false-discovery rate of 1 − CREDIBLE over the p-values
    1 − probability. Among m judged, the k smallest p-values are flagged for the largest k with
    p₍ₖ₎ ≤ k × rate / m (written with the probabilities, so that one alone is flagged exactly
    when `credible`); a missing probability is not judged and never flagged."""
    rate = 1.0 - CREDIBLE
    judged = sorted(
        (
            (probability, index)
            for index, probability in enumerate(probabilities)
            if probability is not None
        ),
        reverse=True,
    )
    count = len(judged)
    passed = [rank for rank, (p, _) in enumerate(judged, 1) if p >= 1.0 - rank * rate / count]
    flagged = {index for _, index in judged[: max(passed, default=0)]}
    return [index in flagged for index in range(len(probabilities))]


def dispersion(total: float, squares: float) -> float | None:
    """D = Σx² / Σx of won amounts: the compound Poisson revenue's variance over its mean."""
    return squares / total if total > 0 and squares > 0 else None


def judged_shortfall(
    target: float, won: float, squares: float, team_spread: float | None
) -> float | None:
    """`revenue_shortfall` with D the larger of the person's own (Σx² / Σx of what they won)
    and the team's; None when neither is known."""
    spread = max(filter(None, (dispersion(won, squares), team_spread)), default=None)
    return revenue_shortfall(target, won, spread) if spread else None


def revenue_shortfall(target: float, won: float, spread: float) -> float:
    """The probability that revenue is truly below `target` (the expected revenue of the window
    when on quota), having won `won`, with amounts of dispersion `spread` (D): 1 − P(W ≤ won)
    for W / D ~ Poisson(target / D), the count made continuous by the incomplete gamma
    function, P(N ≤ k) = 1 − P(k + 1, λ)."""
    if target <= 0:
        return 0.0
    return regularized_gamma(max(won, 0.0) / spread + 1.0, target / spread)


def regularized_gamma(a: float, x: float) -> float:
    """P(a, x), the lower regularized incomplete gamma function (a > 0, x ≥ 0): its series
    below x = a + 1, else one minus its continued fraction (modified Lentz)."""
    if x <= 0.0:
        return 0.0
    if a > LARGE_SHAPE:
        return _wilson_hilferty(a, x)
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        return min(1.0, math.exp(log_front) * _gamma_series(a, x))
    return max(0.0, 1.0 - math.exp(log_front) * _gamma_fraction(a, x))


def _gamma_series(a: float, x: float) -> float:
    term = total = 1.0 / a
    for n in range(1, MAX_TERMS):
        term *= x / (a + n)
        total += term
        if abs(term) < abs(total) * PRECISION:
            break
    return total


def _gamma_fraction(a: float, x: float) -> float:
    b = x + 1.0 - a
    c = 1.0 / TINY
    d = 1.0 / b
    result = d
    for n in range(1, MAX_TERMS):
        an = -n * (n - a)
        b += 2.0
        d = _nonzero(an * d + b)
        c = _nonzero(b + an / c)
        d = 1.0 / d
        result *= d * c
        if abs(d * c - 1.0) < PRECISION:
            break
    return result


def _wilson_hilferty(a: float, x: float) -> float:
    """(x / a)^(1/3) is nearly normal with mean 1 − 1/(9a) and variance 1/(9a)."""
    z = ((x / a) ** (1.0 / 3.0) - (1.0 - 1.0 / (9.0 * a))) / math.sqrt(1.0 / (9.0 * a))
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _nonzero(value: float) -> float:
    return value if abs(value) > TINY else TINY


@dataclass(frozen=True)
class RateEvidence:
    """A win rate, the rate with every undecided deal counted as advancing (the benefit of the
    doubt the plan comparisons give), and how many fully observed deals it is worth."""

    share: float
    optimistic: float
    effective_deals: float

    def interval(self) -> tuple[float, float] | None:
        """The Wilson interval, its upper end raised by what the undecided deals may add."""
        found = wilson_interval(self.share * self.effective_deals, self.effective_deals)
        if found is None:
            return None
        low, high = found
        return low, min(high + self.optimistic - self.share, 1.0)

    def probability_below(self, goal: float) -> float:
        return probability_below(self.optimistic, self.effective_deals, goal)


def win_rate_evidence(stages: list[StageMetrics]) -> RateEvidence | None:
    """The product of the stage conversions, with its effective deals by the delta method:
    Var(p) / p² = Σ (1 − pₖ) / (pₖ nₖ), so n = (1 − p) / (p Σ (1 − pₖ) / (pₖ nₖ)). A stage
    converting nothing makes the rate 0, known as precisely as that stage's deals; a rate of 1
    as precisely as the least observed stage."""
    measured: list[tuple[float, float, float]] = []
    for stage in stages:
        if stage.conversion is None or not stage.effective_deals:
            return None
        measured.append((stage.conversion, stage.effective_deals, stage.undecided))
    if not measured:
        return None
    share = math.prod(p for p, _, _ in measured)
    optimistic = math.prod(min(p + u, 1.0) for p, _, u in measured)
    return RateEvidence(
        share, optimistic, _effective_deals(share, [(p, n) for p, n, _ in measured])
    )


def _effective_deals(share: float, stages: list[tuple[float, float]]) -> float:
    zero = [deals for p, deals in stages if p <= 0.0]
    if zero:
        return min(zero)
    relative = sum((1.0 - p) / (p * deals) for p, deals in stages if p < 1.0)
    if relative <= 0.0 or share >= 1.0:
        return min(deals for _, deals in stages)
    return (1.0 - share) / (share * relative)
