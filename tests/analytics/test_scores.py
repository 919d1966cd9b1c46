"""The scores of analytics/scores.py: the CRPS of a sample against a brute-force integral of its
definition and against the closed form for a normal distribution (scipy), its invariants as
hypothesis properties, and the aggregates (bias, MAPE, skill) on exact and synthetic cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from salesflow.analytics import scores


def crps_by_integral(samples: np.ndarray, observation: float) -> float:
    """∫ (F(x) − 1{x ≥ y})² dx for the empirical F, integrated exactly: between consecutive
    breakpoints (the samples and y) the integrand is constant, so it is evaluated once in the
    middle of each piece. Outside the breakpoints it is zero."""
    points = np.unique(np.append(samples, observation))
    middles = (points[:-1] + points[1:]) / 2
    below = (samples[None, :] <= middles[:, None]).mean(axis=1)
    step = (middles >= observation).astype(np.float64)
    return float(np.sum((below - step) ** 2 * np.diff(points)))


def crps_of_normal(mu: float, sigma: float, y: float) -> float:
    """σ [z (2Φ(z) − 1) + 2φ(z) − 1/√π], z = (y − μ) / σ (Gneiting and Raftery 2007)."""
    z = (y - mu) / sigma
    return sigma * (
        z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
    )


@pytest.mark.parametrize(
    ("samples", "observation"),
    [
        ([1.0, 2.0, 3.0], 2.5),
        ([1.0, 2.0, 3.0], -4.0),  # below every sample
        ([1.0, 2.0, 3.0], 10.0),  # above every sample
        ([5.0, 5.0, 1.0, 9.0], 5.0),  # ties, and the observation on a sample
        ([0.0], 0.0),
    ],
)
def test_crps_of_a_few_samples_is_the_integral(samples: list[float], observation: float) -> None:
    values = np.array(samples)
    assert scores.crps_sample(values, observation) == pytest.approx(
        crps_by_integral(values, observation), abs=1e-12
    )


def test_crps_of_random_samples_is_the_integral() -> None:
    rng = np.random.default_rng(3)
    for size in (2, 7, 50, 301):
        samples = rng.lognormal(10, 1, size)
        for observation in (0.0, float(np.median(samples)), float(samples.max()) * 2):
            assert scores.crps_sample(samples, observation) == pytest.approx(
                crps_by_integral(samples, observation), rel=1e-9
            )


def test_crps_by_hand() -> None:
    # Samples 0 and 2, y = 1: E|X − y| = 1, ½ E|X − X'| = ½ · (0 + 2 + 2 + 0) / 4 = 0.5.
    assert scores.crps_sample([0.0, 2.0], 1.0) == pytest.approx(0.5)


@pytest.mark.parametrize(("mu", "sigma", "y"), [(0.0, 1.0, 0.0), (100.0, 15.0, 130.0)])
def test_crps_of_many_normal_samples_is_the_closed_form(mu: float, sigma: float, y: float) -> None:
    samples = np.random.default_rng(11).normal(mu, sigma, 200_000)
    assert scores.crps_sample(samples, y) == pytest.approx(crps_of_normal(mu, sigma, y), rel=0.01)


def test_the_closed_form_is_the_integral_of_the_normal_cdf() -> None:
    """The oracle itself, checked by quadrature of (Φ((x − μ)/σ) − 1{x ≥ y})²."""
    mu, sigma, y = 2.0, 3.0, 4.5
    x = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 400_001)
    integrand = (stats.norm.cdf(x, mu, sigma) - (x >= y)) ** 2
    assert float(np.trapezoid(integrand, x)) == pytest.approx(
        crps_of_normal(mu, sigma, y), rel=1e-4
    )


def test_crps_of_a_point_forecast_is_its_absolute_error() -> None:
    assert scores.crps_point(120.0, 100.0) == 20.0
    assert scores.crps_point(80.0, 100.0) == 20.0
    assert scores.crps_sample([120.0], 100.0) == 20.0


def test_no_samples_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        scores.crps_sample([], 1.0)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
samples_and_y = st.tuples(st.lists(finite, min_size=1, max_size=40), finite)


@settings(max_examples=60, deadline=None)
@given(samples_and_y)
def test_crps_is_never_negative(case: tuple[list[float], float]) -> None:
    samples, y = case
    assert scores.crps_sample(samples, y) >= 0.0


@settings(max_examples=60, deadline=None)
@given(finite, finite)
def test_crps_of_one_sample_is_the_distance(x: float, y: float) -> None:
    assert scores.crps_sample([x], y) == pytest.approx(abs(x - y), rel=1e-12, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(samples_and_y, finite)
def test_crps_does_not_move_with_a_shift(case: tuple[list[float], float], shift: float) -> None:
    samples, y = case
    moved = scores.crps_sample([s + shift for s in samples], y + shift)
    assert moved == pytest.approx(scores.crps_sample(samples, y), rel=1e-6, abs=1e-3)


@settings(max_examples=60, deadline=None)
@given(samples_and_y, st.floats(min_value=0.01, max_value=100))
def test_crps_scales_with_the_units(case: tuple[list[float], float], scale: float) -> None:
    samples, y = case
    scaled = scores.crps_sample([s * scale for s in samples], y * scale)
    assert scaled == pytest.approx(scores.crps_sample(samples, y) * scale, rel=1e-6, abs=1e-3)


# --- the aggregates -----------------------------------------------------------------------------


def test_bias_is_a_ratio_of_sums() -> None:
    # forecasts 110 and 90 against 100 and 100: right on average.
    assert scores.relative_bias([110.0, 90.0], [100.0, 100.0]) == 0.0
    assert scores.relative_bias([150.0, 50.0], [100.0, 200.0]) == pytest.approx(-100 / 300)
    assert scores.relative_bias([10.0], [0.0]) is None
    assert scores.relative_bias([], []) is None


def test_a_perfect_forecaster_has_no_bias() -> None:
    """Actuals drawn from a known skewed distribution, forecast with its true mean and median.
    The old bias (the mean of (P50 − actual) ÷ actual) says +13.3% (E[e^{-σZ}] − 1 = e^{σ²/2}
    − 1 for a lognormal with σ = 0.5) for a forecaster that knows the truth; the ratio of sums
    says 0."""
    sigma, mu = 0.5, math.log(100_000)
    actuals = np.random.default_rng(5).lognormal(mu, sigma, 40_000)
    true_mean, true_median = math.exp(mu + sigma**2 / 2), math.exp(mu)
    new = scores.relative_bias([true_mean] * len(actuals), list(actuals))
    old = float(np.mean((true_median - actuals) / actuals))
    assert new is not None and abs(new) < 0.01
    assert old == pytest.approx(math.exp(sigma**2 / 2) - 1, abs=0.01)


def test_mape_skips_actuals_of_zero() -> None:
    assert scores.mape([110.0, 50.0, 7.0], [100.0, 100.0, 0.0]) == pytest.approx(0.3)
    assert scores.mape([7.0], [0.0]) is None


def test_skill_against_the_baseline() -> None:
    assert scores.skill([10.0, 30.0], [40.0, 40.0]) == pytest.approx(0.5)
    assert scores.skill([50.0], [25.0]) == pytest.approx(-1.0)
    assert scores.skill([1.0], [0.0]) is None  # the baseline was exact: no scale to compare
    assert scores.skill([], []) is None
    with pytest.raises(ValueError, match="same cutoffs"):
        scores.skill([1.0], [])
