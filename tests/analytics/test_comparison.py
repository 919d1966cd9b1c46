"""Comparing a stage's conversion under two versions (analytics/comparison.py): Newcombe's
interval against his published worked examples and statsmodels, the probability of being better
against scipy, the deals needed against statsmodels' power of the two-proportion z-test, the
verdict rules, and the symmetries (scipy and statsmodels are test oracles only)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.stats import beta
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportion_confint,
)

from salesflow.analytics.comparison import (
    Verdict,
    beta_probability_better,
    change_interval,
    compare_conversions,
    deals_needed,
    deals_short,
    probability_better,
)
from salesflow.analytics.estimates import Conversion, counted_conversion
from salesflow.errors import InputError

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)


def counted(advanced: int, deals: int, undecided: float = 0.0) -> Conversion:
    conversion = counted_conversion(advanced, deals - advanced)
    assert conversion is not None
    return Conversion(conversion.share, conversion.effective_deals, undecided)


# --- the interval -------------------------------------------------------------------------------

# Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10 (hybrid score):
# (x1, n1, x2, n2) and the published 95% limits of p1 − p2.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_TABLE_II)
def test_interval_is_newcombes_worked_example(
    counts: tuple[int, int, int, int], published: tuple[float, float]
) -> None:
    x1, n1, x2, n2 = counts
    low, high = change_interval(before=counted(x2, n2), after=counted(x1, n1))
    assert (round(low, 4), round(high, 4)) == published


@settings(max_examples=80, deadline=None, derandomize=True)
@given(data=st.data(), n1=st.integers(1, 400), n2=st.integers(1, 400))
def test_interval_is_statsmodels_newcomb(data: st.DataObject, n1: int, n2: int) -> None:
    x1, x2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    interval = change_interval(before=counted(x2, n2), after=counted(x1, n1))
    expected = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    assert interval == pytest.approx(tuple(float(v) for v in expected), abs=1e-9)


def test_undecided_deals_raise_their_versions_upper_end_before_combining() -> None:
    # before 40/100 with 10% undecided, after 52/100 with 5% undecided: each version's interval
    # for its eventual share is its Wilson interval with the upper end raised by its undecided
    # share; Newcombe combines the margins in quadrature.
    before, after = counted(40, 100, undecided=0.10), counted(52, 100, undecided=0.05)
    before_low, before_high = proportion_confint(40, 100, method="wilson")
    after_low, after_high = proportion_confint(52, 100, method="wilson")
    change = 0.52 - 0.40
    low = change - math.hypot(0.52 - after_low, before_high + 0.10 - 0.40)
    high = change + math.hypot(after_high + 0.05 - 0.52, 0.40 - before_low)
    assert change_interval(before, after) == pytest.approx((low, high), abs=1e-12)
    # the widening only ever moves the ends outwards, by at most the undecided share
    plain_low, plain_high = change_interval(counted(40, 100), counted(52, 100))
    assert plain_low - 0.10 < low < plain_low
    assert plain_high < high < plain_high + 0.05


def test_an_eventual_share_is_at_most_one() -> None:
    # after 9/10 with 30% undecided: its upper end is 1, not its Wilson upper end + 0.3
    before, after = counted(5, 10), counted(9, 10, undecided=0.3)
    before_margin = 0.5 - proportion_confint(5, 10, method="wilson")[0]
    high = 0.4 + math.hypot(1.0 - 0.9, before_margin)
    assert change_interval(before, after)[1] == pytest.approx(high, abs=1e-12)


# --- the probability of being better -----------------------------------------------------------


def scipy_probability(before: Conversion, after: Conversion) -> float:
    """P(θ_after > θ_before) = E[F_before(θ_after)], by adaptive quadrature over the quantiles
    of the narrower posterior (so that the integrand is smooth whatever the shapes)."""

    def shape(c: Conversion) -> tuple[float, float]:
        successes = c.share * c.effective_deals
        return successes + 0.5, c.effective_deals - successes + 0.5

    (a1, b1), (a2, b2) = shape(after), shape(before)
    if a1 + b1 >= a2 + b2:
        inner = integrate.quad(
            lambda u: beta.cdf(beta.ppf(u, a1, b1), a2, b2), 0, 1, epsabs=1e-12, limit=400
        )
        return float(inner[0])
    inner = integrate.quad(
        lambda u: beta.cdf(beta.ppf(u, a2, b2), a1, b1), 0, 1, epsabs=1e-12, limit=400
    )
    return 1.0 - float(inner[0])


PROBABILITY_CASES = [
    (Conversion(0.40, 600), Conversion(0.40, 600)),
    (Conversion(0.40, 388), Conversion(0.50, 388)),
    (Conversion(0.5, 171), Conversion(0.35, 170)),
    (Conversion(0.62, 37.4), Conversion(0.55, 412.9)),
    (Conversion(0.0, 5), Conversion(1.0, 3)),  # Beta(0.5, 5.5) against Beta(3.5, 0.5)
    (Conversion(0.0, 120), Conversion(0.0, 12)),
    (Conversion(0.999, 10_000), Conversion(0.998, 8_000)),
    (Conversion(0.002, 50), Conversion(0.0, 2)),  # a = 0.6: a pole-like density near 0
    (Conversion(0.996, 23.7), Conversion(0.962, 6.4)),
    (Conversion(0.3, 1), Conversion(0.7, 100_000)),
]


@pytest.mark.parametrize(("before", "after"), PROBABILITY_CASES)
def test_probability_better_is_scipy(before: Conversion, after: Conversion) -> None:
    assert beta_probability_better(before, after) == pytest.approx(
        scipy_probability(before, after), abs=1e-6
    )


def posterior_draws(conversion: Conversion, rng: np.random.Generator) -> np.ndarray:
    successes = conversion.share * conversion.effective_deals
    failures = conversion.effective_deals - successes
    return rng.beta(successes + 0.5, failures + 0.5, 1_000_000)


def test_probability_better_is_a_monte_carlo_estimate() -> None:
    # 1,000,000 fixed-seed draws of each posterior: standard error at most 0.0005
    rng = np.random.default_rng(7)
    for before, after in [PROBABILITY_CASES[1], PROBABILITY_CASES[3], PROBABILITY_CASES[4]]:
        estimate = float(np.mean(posterior_draws(after, rng) > posterior_draws(before, rng)))
        assert beta_probability_better(before, after) == pytest.approx(estimate, abs=0.0025)


def test_probability_without_deals_is_a_coin_flip() -> None:
    assert probability_better(Conversion(0.5, 0.0), Conversion(0.9, 100)) == 0.5
    assert probability_better(Conversion(0.5, 100), Conversion(0.9, 0.0)) == 0.5


def test_undecided_deals_move_the_probability_towards_a_coin_flip() -> None:
    before, after = Conversion(0.40, 400), Conversion(0.46, 400)
    plain = beta_probability_better(before, after)
    assert plain == pytest.approx(scipy_probability(before, after), abs=1e-6)
    assert probability_better(before, after) == plain  # nothing undecided: the Beta probability
    # before's undecided deals could all advance: the sure value is the one with them advanced
    cautious = probability_better(Conversion(0.40, 400, undecided=0.03), after)
    assert cautious == pytest.approx(scipy_probability(Conversion(0.43, 400), after), abs=1e-6)
    assert 0.5 < cautious < plain
    # after's undecided deals could all advance: "worse" is no longer credible at all
    worse = Conversion(0.30, 400, undecided=0.12)
    assert beta_probability_better(before, worse) < 0.01
    assert probability_better(before, worse) == 0.5
    # ... and when even all of them advancing leaves it worse, the least extreme value
    slightly = Conversion(0.30, 400, undecided=0.02)
    expected = scipy_probability(before, Conversion(0.32, 400))
    assert probability_better(before, slightly) == pytest.approx(expected, abs=1e-6)


# --- the deals needed ---------------------------------------------------------------------------


def statsmodels_deals(share: float, other: float) -> int:
    """The fewest deals per group at which statsmodels' two-sided 5% z-test (pooled variance
    under no change, each group's own under the change) has power 80%."""

    def power(n: int) -> float:
        return float(power_proportions_2indep(other - share, share, n, return_results=False))

    low, high = 1, 1_000_000  # power(low) < 0.8 <= power(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if power(middle) < 0.8 else (low, middle)
    return high


@pytest.mark.parametrize(
    ("share", "effect"),
    [(0.4, 0.10), (0.5, 0.15), (0.05, 0.10), (0.9, 0.05), (0.97, 0.10), (0.3, 0.25), (0.0, 0.1)],
)
def test_deals_needed_is_statsmodels_power(share: float, effect: float) -> None:
    moves = [p for p in (share + effect, share - effect) if 0 < p < 1]
    expected = max(statsmodels_deals(share, p) for p in moves)
    assert abs(deals_needed(share, effect) - expected) <= 1


def test_deals_needed_worked_example() -> None:
    # p = 0.40 against 0.50 (the move up needs more deals than 0.30):
    # (1.95996 √(2 · 0.45 · 0.55) + 0.84162 √(0.24 + 0.25))² / 0.1² = 387.3 → 388;
    # against 0.30: (1.95996 √(2 · 0.35 · 0.65) + 0.84162 √(0.24 + 0.21))² / 0.01 = 355.9 → 356
    assert deals_needed(0.40, 0.10) == 388
    assert deals_needed(0.60, 0.10) == 388  # the mirror image
    # at the edges only the move that stays inside (0, 1) counts
    assert deals_needed(0.0, 0.10) == deals_needed(1.0, 0.10) == statsmodels_deals(0.0, 0.1)
    # a move past both edges is held off 1
    assert deals_needed(0.5, 0.6) == 11


@pytest.mark.parametrize("effect", [0.0, -0.1, 1.0, math.nan])
def test_effect_must_be_a_share(effect: float) -> None:
    with pytest.raises(InputError, match="effect"):
        deals_needed(0.4, effect)


# --- the verdict --------------------------------------------------------------------------------


def test_verdicts() -> None:
    better = compare_conversions(counted(400, 1000), counted(480, 1000), effect=0.10)
    assert better.verdict is Verdict.BETTER
    assert better.change == pytest.approx(0.08)
    assert better.interval[0] > 0
    assert better.probability_better > 0.99
    worse = compare_conversions(counted(400, 1000), counted(320, 1000), effect=0.10)
    assert worse.verdict is Verdict.WORSE
    assert worse.probability_better < 0.01
    # 0.40 → 0.42 on 1,000 deals each (388 needed): enough deals, no clear change
    flat = compare_conversions(counted(400, 1000), counted(420, 1000), effect=0.10)
    assert (flat.verdict, flat.deals_needed) == (Verdict.NO_CLEAR_CHANGE, 388)
    # the same shares on 100 deals each: too early
    early = compare_conversions(counted(40, 100), counted(42, 100), effect=0.10)
    assert early.verdict is Verdict.TOO_EARLY
    assert deals_short(counted(40, 100), counted(42, 100), early) == 388 - 100
    assert deals_short(counted(400, 1000), counted(420, 1000), flat) == 0


def test_undecided_deals_can_hold_back_a_verdict() -> None:
    # 0.40 → 0.52 on 400 deals each: better...
    before, after = counted(160, 400), counted(208, 400)
    assert compare_conversions(before, after, 0.10).verdict is Verdict.BETTER
    # ... unless a tenth of the older version's deals are undecided: they may still advance
    held = compare_conversions(counted(160, 400, undecided=0.10), after, 0.10)
    assert held.interval[0] < 0 < held.interval[1]
    assert held.verdict is Verdict.NO_CLEAR_CHANGE  # 400 deals each: more than the 388 needed
    # the newer version's undecided deals cannot make it worse, only better
    assert compare_conversions(before, counted(208, 400, 0.10), 0.10).verdict is Verdict.BETTER
    # 0.52 → 0.40: worse, unless the newer version's undecided deals may still advance
    assert compare_conversions(after, before, 0.10).verdict is Verdict.WORSE
    thin = compare_conversions(after, counted(120, 300, undecided=0.10), 0.10)
    assert thin.verdict is Verdict.TOO_EARLY


def test_fractional_effective_deals() -> None:
    # survival estimates give effective deals that are not whole: short by the deals rounded up
    before, after = Conversion(0.4, 380.2), Conversion(0.45, 391.0)
    comparison = compare_conversions(before, after, 0.10)
    assert comparison.verdict is Verdict.TOO_EARLY
    assert deals_short(before, after, comparison) == 8  # 388 − 380.2 = 7.8


# --- properties ---------------------------------------------------------------------------------


@st.composite
def conversions(draw: st.DrawFn) -> Conversion:
    share = draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0))
    deals = draw(st.floats(0.5, 5_000.0))
    undecided = draw(st.just(0.0) | st.floats(0.0, 1.0 - share))
    return Conversion(share, deals, undecided)


@PROPERTY
@given(before=conversions(), after=conversions())
def test_swapping_the_versions_mirrors_everything(before: Conversion, after: Conversion) -> None:
    forward = compare_conversions(before, after, 0.10)
    backward = compare_conversions(after, before, 0.10)
    assert backward.change == -forward.change
    assert backward.interval == pytest.approx((-forward.interval[1], -forward.interval[0]))
    assert forward.probability_better + backward.probability_better == pytest.approx(1, abs=1e-6)


@PROPERTY
@given(before=conversions(), after=conversions(), effect=st.floats(0.01, 0.5))
def test_the_interval_holds_the_change(
    before: Conversion, after: Conversion, effect: float
) -> None:
    comparison = compare_conversions(before, after, effect)
    low, high = comparison.interval
    assert -1.0 <= low <= comparison.change <= high <= 1.0
    assert 0.0 <= comparison.probability_better <= 1.0
    assert comparison.deals_needed >= 1
    short = deals_short(before, after, comparison)
    assert (short > 0) == (
        min(before.effective_deals, after.effective_deals) < comparison.deals_needed
    )
