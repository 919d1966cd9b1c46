"""Wilson intervals and the products behind cumulative conversion and win probability."""

from __future__ import annotations

import math

import pytest

from salesflow.analytics.stats import Z_95, product, ratio, wilson_interval


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # 8/10: centre (0.8 + z²/20) / (1 + z²/10) = 0.99208 / 1.38415 = 0.71675,
        # spread z·sqrt(0.016 + z²/400) / 1.38415 = 0.22657 → (0.4902, 0.9433)
        (8, 10, 0.4902, 0.9433),
        # 0/10: low is exactly 0, high = z² / (n + z²) = 3.8415 / 13.8415 = 0.2775
        (0, 10, 0.0, 0.2775),
        # 10/10 mirrors 0/10
        (10, 10, 0.7225, 1.0),
        # 5/10: centre 0.5, spread z·sqrt(0.025 + z²/400) / 1.38415 = 0.2634
        (5, 10, 0.2366, 0.7634),
        # 0/1: high = z² / (1 + z²) = 3.8415 / 4.8415 = 0.7935
        (0, 1, 0.0, 0.7935),
        # 1/1 mirrors it
        (1, 1, 0.2065, 1.0),
        # 45/100 (textbook value)
        (45, 100, 0.3561, 0.5476),
    ],
)
def test_wilson_interval_known_values(successes: int, trials: int, low: float, high: float) -> None:
    interval = wilson_interval(successes, trials)
    assert interval is not None
    assert interval[0] == pytest.approx(low, abs=5e-5)
    assert interval[1] == pytest.approx(high, abs=5e-5)


def test_wilson_interval_edges() -> None:
    low, high = wilson_interval(0, 10) or (None, None)
    assert low == 0.0
    assert high == pytest.approx(Z_95**2 / (10 + Z_95**2))
    low, high = wilson_interval(10, 10) or (None, None)
    assert low == pytest.approx(10 / (10 + Z_95**2))
    assert high == pytest.approx(1.0)


@pytest.mark.parametrize(("successes", "trials"), [(0, 3), (10, 10)])
def test_wilson_interval_contains_the_observed_share(successes: int, trials: int) -> None:
    low, high = wilson_interval(successes, trials) or (None, None)
    assert low is not None and high is not None
    assert low <= successes / trials <= high


def test_wilson_interval_contains_the_share_almost_always() -> None:
    # Every (s, n) with n < 80.
    for trials in range(1, 80):
        for successes in range(trials + 1):
            low, high = wilson_interval(successes, trials) or (None, None)
            assert low is not None and high is not None
            assert 0.0 <= low <= high <= 1.0
            assert low - 1e-12 <= successes / trials <= high + 1e-12


@pytest.mark.parametrize("trials", [0, -1])
def test_wilson_interval_without_trials_is_none(trials: int) -> None:
    assert wilson_interval(0, trials) is None


def test_wilson_interval_other_z() -> None:
    # z = 1, 1/2: centre (0.5 + 1/4) / (1 + 1/2) = 0.5, spread sqrt(1/8 + 1/16) / 1.5
    spread = math.sqrt(1 / 8 + 1 / 16) / 1.5
    low, high = wilson_interval(1, 2, z=1.0) or (None, None)
    assert low == pytest.approx(0.5 - spread)
    assert high == pytest.approx(0.5 + spread)


def test_z_95_is_the_normal_quantile() -> None:
    # Φ(z) = 0.975 ⇔ erf(z / √2) = 0.95
    assert math.erf(Z_95 / math.sqrt(2)) == pytest.approx(0.95, abs=1e-12)


def test_ratio() -> None:
    assert ratio(3, 4) == 0.75
    assert ratio(0, 5) == 0.0
    assert ratio(3, 0) is None
    assert ratio(0, 0) is None


def test_product() -> None:
    assert product([]) == 1.0
    assert product([0.5, 0.4]) == pytest.approx(0.2)
    assert product([0.5, 0.0, 0.4]) == 0.0
    assert product([0.5, None, 0.4]) is None
    assert product(iter([1.0, 0.25])) == 0.25
