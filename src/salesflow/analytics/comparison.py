"""A stage's conversion under two versions of the process, compared: the change with a 95%
interval, the probability that the newer version converts better, the deals needed to detect the
planned effect, and a verdict. Pure arithmetic on two `Conversion`s (analytics/estimates.py).

- The interval is Newcombe's hybrid score interval for a difference of independent proportions
  (Newcombe 1998, method 10) from each share's Wilson interval at its effective deals, the
  upper end of each raised by its undecided share: those deals may still advance (see
  `change_interval`).
- The probability is that of the Beta posteriors (Jeffreys priors on the effective counts),
  integrated numerically, moved towards 0.5 as far as the undecided deals leave it unknown;
  see `probability_better`.
- The deals needed are the usual two-proportion sample size per group (two-sided 5%, power 80%).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from salesflow.analytics.estimates import Conversion
from salesflow.analytics.stats import Z_95, regularized_beta, wilson_interval
from salesflow.errors import InputError

Z_POWER_80 = 0.8416212335729143  # the standard normal quantile at 0.8
JEFFREYS = 0.5
Floats = NDArray[np.float64]
# A share held off 0 and 1 when the planned effect would push it there.
EDGE = 1e-6


class Verdict(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    NO_CLEAR_CHANGE = "no clear change"
    TOO_EARLY = "too early to tell"


@dataclass(frozen=True)
class Comparison:
    """A stage's conversion under the newer version against the older one."""

    change: float  # after.share − before.share
    interval: tuple[float, float]  # 95% interval of the change
    probability_better: float  # P(true after share > true before share)
    deals_needed: int  # effective deals per version to detect `effect`
    verdict: Verdict


def compare_conversions(before: Conversion, after: Conversion, effect: float) -> Comparison:
    """`after` against `before`; `effect` (0 < effect < 1, in share units: 0.10 is 10 points) is
    the change the process owner wants to be able to detect."""
    interval = change_interval(before, after)
    needed = deals_needed(before.share, effect)
    return Comparison(
        change=after.share - before.share,
        interval=interval,
        probability_better=probability_better(before, after),
        deals_needed=needed,
        verdict=verdict(interval, min(before.effective_deals, after.effective_deals), needed),
    )


def deals_short(before: Conversion, after: Conversion, comparison: Comparison) -> int:
    """How many more effective deals the thinner version needs to reach `deals_needed`."""
    thinner = min(before.effective_deals, after.effective_deals)
    return max(0, math.ceil(comparison.deals_needed - thinner))


def verdict(interval: tuple[float, float], thinner: float, needed: int) -> Verdict:
    low, high = interval
    if low > 0:
        return Verdict.BETTER
    if high < 0:
        return Verdict.WORSE
    return Verdict.TOO_EARLY if thinner < needed else Verdict.NO_CLEAR_CHANGE


# --- the interval -------------------------------------------------------------------------------


def change_interval(before: Conversion, after: Conversion) -> tuple[float, float]:
    """The 95% interval of after.share − before.share: Newcombe's hybrid score interval
    (method 10) built from each version's interval for its eventual share, which is its Wilson
    interval with the upper end raised by its undecided share (those deals may still advance).
    So the newer version's undecided deals raise the upper end of the change, the older one's
    lower its lower end, each combined with the other version's sampling error as Newcombe
    combines the two margins (in quadrature) rather than added on top: added on top, a few stale
    open deals cost a `worse` verdict a sixth of its power (benchmarks/impact_calibration.py)."""
    return _newcombe(before, after, before.undecided, after.undecided)


def newcombe_interval(before: Conversion, after: Conversion) -> tuple[float, float]:
    """Newcombe's hybrid score interval, undecided deals ignored."""
    return _newcombe(before, after, 0.0, 0.0)


def _newcombe(
    before: Conversion, after: Conversion, before_open: float, after_open: float
) -> tuple[float, float]:
    after_low, after_high = _eventual(after, after_open)
    before_low, before_high = _eventual(before, before_open)
    change = after.share - before.share
    down = math.hypot(after.share - after_low, before_high - before.share)
    up = math.hypot(after_high - after.share, before.share - before_low)
    return max(-1.0, change - down), min(1.0, change + up)


def _eventual(conversion: Conversion, undecided: float) -> tuple[float, float]:
    low, high = _wilson(conversion)
    return low, min(1.0, high + max(undecided, 0.0))


def _wilson(conversion: Conversion) -> tuple[float, float]:
    """The share's Wilson interval at its effective deals; all of [0, 1] without any."""
    deals = conversion.effective_deals
    interval = wilson_interval(conversion.share * deals, deals)
    return interval if interval is not None else (0.0, 1.0)


# --- the deals needed ---------------------------------------------------------------------------


def deals_needed(share: float, effect: float) -> int:
    """Deals per version for a two-sided 5% test of two proportions to detect a move of `effect`
    from `share` with power 80%: n = (z₀.₉₇₅ √(2 p̄ q̄) + z₀.₈ √(p₁q₁ + p₂q₂))² / (p₁ − p₂)²,
    the pooled variance under no change and each group's own under the change (Fleiss, Levin &
    Paik, Statistical Methods for Rates and Proportions, 3rd ed., ch. 4, without the continuity
    correction; statsmodels' `power_proportions_2indep` solves to the same n). Of the moves up
    and down that stay inside (0, 1), the one that needs more deals; when neither does, the move
    up, held off 1."""
    if not 0.0 < effect < 1.0:
        raise InputError(f"the effect to detect must be between 0 and 1 (a share), not {effect}")
    base = min(max(share, 0.0), 1.0)
    moves = [p for p in (base + effect, base - effect) if 0.0 < p < 1.0]
    if not moves:
        moves = [min(base + effect, 1.0 - EDGE)]
    return max(_two_proportion_size(base, p) for p in moves)


def _two_proportion_size(first: float, second: float) -> int:
    mean = (first + second) / 2
    under_null = Z_95 * math.sqrt(2 * mean * (1 - mean))
    under_change = Z_POWER_80 * math.sqrt(first * (1 - first) + second * (1 - second))
    return math.ceil(((under_null + under_change) / (first - second)) ** 2)


# --- the probability that the newer version is better ------------------------------------------

# Composite Gauss–Legendre: PANELS equal panels of NODES nodes over the bulk of a posterior.
PANELS = 2
NODES = 16
# The bulk: where the log density (in the angle, see below) is within CUTOFF of its peak.
CUTOFF = 30.0
SNAP = 0.01
BISECTIONS = 45  # to within 2⁻⁴⁵ of a right angle
HALF_PI = math.pi / 2


@dataclass(frozen=True)
class Posterior:
    """Beta(a, b): the share's posterior from a Jeffreys prior and effective counts."""

    a: float
    b: float

    @classmethod
    def of(cls, conversion: Conversion) -> Posterior:
        successes = conversion.share * conversion.effective_deals
        failures = max(conversion.effective_deals - successes, 0.0)
        return cls(successes + JEFFREYS, failures + JEFFREYS)

    def cdf(self, x: float) -> float:
        return regularized_beta(x, self.a, self.b)

    @functools.cached_property
    def log_scale(self) -> float:
        """log(2 / B(a, b)), the constant of the density in the angle."""
        return (
            math.log(2.0) - math.lgamma(self.a) - math.lgamma(self.b) + math.lgamma(self.a + self.b)
        )

    def log_angle_density(self, angle: float) -> float:
        """The log density at one angle (see `_expected_cdf`); −inf at an end it vanishes at."""
        sine, cosine = math.sin(angle), math.cos(angle)
        return (
            self.log_scale + _power_log(sine, 2 * self.a - 1) + _power_log(cosine, 2 * self.b - 1)
        )


def probability_better(before: Conversion, after: Conversion) -> float:
    """P(true after share > true before share), as sure as the undecided deals allow: their
    fate could move it anywhere between the probability with the older version's undecided
    deals all advancing and the one with the newer version's all advancing, so it is the value
    in that range nearest 0.5 (exactly `beta_probability_better` when nothing is undecided).
    Measured without this, a newer version whose slow winners are still open read as worse
    with P(better) ≤ 0.025 in 98% of the data sets (benchmarks/impact_calibration.py)."""
    if before.undecided <= 0 and after.undecided <= 0:
        return beta_probability_better(before, after)
    least = beta_probability_better(_all_advance(before), after)
    if least >= 0.5:
        return least
    return min(beta_probability_better(before, _all_advance(after)), 0.5)


def _all_advance(conversion: Conversion) -> Conversion:
    share = min(conversion.share + max(conversion.undecided, 0.0), 1.0)
    return Conversion(share, conversion.effective_deals)


def beta_probability_better(before: Conversion, after: Conversion) -> float:
    """P(θ_after > θ_before) for independent Beta posteriors (Jeffreys priors on the effective
    counts): ∫ f_after(x) F_before(x) dx, or 1 − ∫ f_before(x) F_after(x) dx, integrating over
    the narrower posterior (the one with more deals) so that the other's distribution function
    is smooth where the density lives. 0.5 when either version has no effective deals."""
    if before.effective_deals <= 0 or after.effective_deals <= 0:
        return 0.5
    first, second = Posterior.of(after), Posterior.of(before)
    if first.a + first.b >= second.a + second.b:
        return _clipped(_expected_cdf(first, second))
    return _clipped(1.0 - _expected_cdf(second, first))


def _expected_cdf(density: Posterior, other: Posterior) -> float:
    """E[F_other(θ)] for θ ~ `density`, by Gauss–Legendre in the angle φ = asin(√x): there the
    density is 2 sin^(2a−1)φ cos^(2b−1)φ / B(a, b), bounded for a, b ≥ 1/2 (no pole at 0 or 1),
    and about normal with standard deviation 1/(2√(a + b))."""
    angles, weights = _nodes(*_bulk(density))
    shares = np.sin(angles) ** 2
    densities = np.exp(_log_angle_density(density, angles))
    cdfs = np.array([other.cdf(float(x)) for x in shares])
    # over the quadrature's own total mass, so that its error cancels where F_other is near 1
    mass = weights * densities
    return float(np.sum(mass * cdfs) / np.sum(mass))


def _log_angle_density(posterior: Posterior, angles: Floats) -> Floats:
    a, b = posterior.a, posterior.b
    with np.errstate(divide="ignore", invalid="ignore"):
        sines = (2 * a - 1) * np.log(np.sin(angles)) if a != JEFFREYS else 0.0 * angles
        cosines = (2 * b - 1) * np.log(np.cos(angles)) if b != JEFFREYS else 0.0 * angles
    return np.asarray(posterior.log_scale + sines + cosines, dtype=np.float64)


def _power_log(base: float, power: float) -> float:
    """log(base ** power), with 0 ** 0 = 1."""
    if power == 0.0:
        return 0.0
    return power * math.log(base) if base > 0.0 else -math.inf


def _bulk(posterior: Posterior) -> tuple[float, float]:
    """The angles where the log density is within CUTOFF of its peak: an interval, since the
    log density is concave in φ for a, b ≥ 1/2."""
    a, b = posterior.a, posterior.b
    peak = math.atan(math.sqrt((2 * a - 1) / (2 * b - 1))) if b > JEFFREYS else HALF_PI

    log_density = posterior.log_angle_density
    floor = log_density(peak) - CUTOFF
    low = _crossing(log_density, floor, peak, 0.0)
    high = _crossing(log_density, floor, peak, HALF_PI)
    # An end this close is taken in, so that the nodes are graded towards it (see `_nodes`).
    near = SNAP * (high - low)
    return (0.0 if low < near else low), (HALF_PI if HALF_PI - high < near else high)


def _crossing(
    log_density: Callable[[float], float], floor: float, inside: float, outside: float
) -> float:
    """Where the log density falls to `floor` between the peak and an end (the end itself when
    it never does), by bisection."""
    if inside == outside or log_density(outside) >= floor:
        return outside
    for _ in range(BISECTIONS):
        middle = (inside + outside) / 2
        inside, outside = (middle, outside) if log_density(middle) >= floor else (inside, middle)
    return outside


def _nodes(low: float, high: float) -> tuple[Floats, Floats]:
    """Nodes and weights over [low, high]. At an end of (0, π/2) the integrand may carry a
    fractional power of the distance to it (a share of 0 or 1 on a few deals), which
    Gauss–Legendre converges to slowly: there the nodes are graded towards that end, φ moving
    as the cube of the panel variable, which makes the power a much smoother one."""
    points, weights = _legendre()
    width = 1.0 / PANELS
    steps = (width * np.arange(PANELS)[:, None] + width * (points[None, :] + 1) / 2).ravel()
    step_weights = np.tile(weights * width / 2, PANELS)
    positions, slopes = _graded(steps, low == 0.0, high == HALF_PI)
    return low + (high - low) * positions, step_weights * (high - low) * slopes


def _graded(steps: Floats, low_end: bool, high_end: bool) -> tuple[Floats, Floats]:
    """Positions in [0, 1] for the panel variable, and their derivative: s³ near a graded end
    (at both ends, the smoothstep s³(10 − 15s + 6s²))."""
    if low_end and high_end:
        return steps**3 * (10 - 15 * steps + 6 * steps**2), 30 * steps**2 * (1 - steps) ** 2
    if low_end:
        return steps**3, 3 * steps**2
    if high_end:
        return 1 - (1 - steps) ** 3, 3 * (1 - steps) ** 2
    return steps, np.ones_like(steps)


@functools.cache
def _legendre() -> tuple[Floats, Floats]:
    points, weights = np.polynomial.legendre.leggauss(NODES)
    return points.astype(np.float64), weights.astype(np.float64)


def _clipped(probability: float) -> float:
    return min(max(probability, 0.0), 1.0)
