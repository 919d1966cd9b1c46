"""analytics.median_change: the change of a stage's median days with a bootstrap interval. The
medians against lifelines' Kaplan–Meier; the interval on stays drawn from known distributions."""

from __future__ import annotations

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from salesflow.analytics.median_change import median_days_change
from salesflow.analytics.survival import EventTable


def stays(days: np.ndarray, ended: np.ndarray) -> EventTable:
    """One row per stay: ended (advanced or lost, both count as leaving) or still open."""
    ones = np.ones_like(days, dtype=np.float64)
    return EventTable.of(days, ones * ended, np.zeros_like(ones), ones * ~ended)


def drawn(rng: np.random.Generator, scale: float, count: int, end: float = 1e9) -> EventTable:
    days = np.round(rng.exponential(scale, count))
    ended = days <= end
    return stays(np.minimum(days, end), ended)


def lifelines_median(table: EventTable) -> float:
    times = np.repeat(
        np.concatenate([table.times, table.times]),
        np.concatenate([table.events, table.censored]).astype(int),
    )
    observed = np.repeat(
        np.concatenate([np.ones(len(table.times)), np.zeros(len(table.times))]),
        np.concatenate([table.events, table.censored]).astype(int),
    )
    return float(KaplanMeierFitter().fit(times, observed).median_survival_time_)


def test_the_change_is_the_difference_of_the_kaplan_meier_medians() -> None:
    rng = np.random.default_rng(3)
    before, after = drawn(rng, 10, 200, end=40), drawn(rng, 20, 150, end=25)
    found = median_days_change(before, after)
    assert found is not None
    assert found.change == lifelines_median(after) - lifelines_median(before)


def test_the_same_distribution_gives_an_interval_around_zero() -> None:
    rng = np.random.default_rng(5)
    found = median_days_change(drawn(rng, 12, 400), drawn(rng, 12, 400))
    assert found is not None and found.interval is not None
    low, high = found.interval
    assert low <= 0 <= high  # whole days: an end may be exactly 0


def test_a_doubled_median_is_found_with_its_size_inside_the_interval() -> None:
    rng = np.random.default_rng(7)
    found = median_days_change(drawn(rng, 10, 500), drawn(rng, 20, 500))
    assert found is not None and found.interval is not None
    low, high = found.interval
    true_change = 20 * np.log(2) - 10 * np.log(2)  # 6.9 days
    assert 0 < low < true_change < high


def test_the_interval_is_the_same_on_every_run() -> None:
    rng = np.random.default_rng(9)
    before, after = drawn(rng, 10, 100), drawn(rng, 15, 100)
    assert median_days_change(before, after) == median_days_change(before, after)


def test_too_many_open_stays_leave_the_interval_unknown() -> None:
    """Half of the stays barely reach the median: many resamples never fall to one half."""
    days = np.array([1.0] * 50 + [30.0] * 50)
    ended = np.array([True] * 50 + [False] * 50)
    rng = np.random.default_rng(11)
    found = median_days_change(drawn(rng, 10, 300), stays(days, ended))
    assert found is not None
    assert found.interval is None


def test_no_median_on_one_side_gives_nothing() -> None:
    open_only = stays(np.array([5.0, 9.0]), np.array([False, False]))
    assert median_days_change(open_only, open_only) is None


@pytest.mark.parametrize("scale", [3.0, 30.0])
def test_the_interval_holds_the_change(scale: float) -> None:
    rng = np.random.default_rng(int(scale))
    found = median_days_change(drawn(rng, scale, 300), drawn(rng, scale, 300))
    assert found is not None and found.interval is not None
    assert found.interval[0] <= found.change <= found.interval[1]
