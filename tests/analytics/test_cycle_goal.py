"""analytics.cycle_goal: the median sales cycle's bootstrap interval and P(above the goal).

Oracles: with only wins and nothing open, the chance that a resample's median is above a day is
a binomial tail (scipy); with losses and open deals, deals drawn again one by one and each
resample's median read from the Aalen–Johansen curve (itself checked against lifelines in
test_survival) give the same distribution, within the Monte Carlo error of 1,000 resamples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from salesflow.analytics.cycle_goal import RESAMPLES, cycle_evidence, resampled_medians
from salesflow.analytics.survival import EventTable, aalen_johansen, incidence_median

# Three standard errors of a share estimated from RESAMPLES draws, at its widest (p = 1/2).
MONTE_CARLO = 3 * math.sqrt(0.25 / RESAMPLES)


def deals(days: list[float], outcome: list[str]) -> EventTable:
    """One row per deal: 'won', 'lost' or 'open' after `days`."""
    marks = np.array(outcome)
    return EventTable.of(
        np.array(days, dtype=np.float64),
        (marks == "won").astype(np.float64),
        (marks == "lost").astype(np.float64),
        (marks == "open").astype(np.float64),
    )


def simulated(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    won = rng.random(count) < 0.4
    days = np.round(np.where(won, rng.lognormal(3.5, 0.5, count), rng.lognormal(3.0, 0.8, count)))
    follow_up = rng.uniform(0, 120, count)
    ended = days <= follow_up
    observed = np.where(ended, days, np.round(follow_up))
    outcome = np.where(ended, np.where(won, "won", "lost"), "open")
    return observed, outcome


def test_only_wins_match_the_binomial_tail() -> None:
    """A resample's median (the first day at least half of its wins are in) is above day d
    exactly when fewer than half of its n wins come by d: Binomial(n, share by d) < n/2."""
    rng = np.random.default_rng(4)
    days = np.round(rng.lognormal(4.0, 0.5, 41))
    table = deals(list(days), ["won"] * len(days))
    for goal in np.quantile(days, [0.3, 0.45, 0.5, 0.55, 0.7]):
        share = float(np.mean(days <= goal))
        expected = stats.binom.cdf(math.ceil(len(days) / 2) - 1, len(days), share)
        evidence = cycle_evidence(table, float(goal))
        assert evidence.probability_above == pytest.approx(expected, abs=MONTE_CARLO)


def test_losses_and_open_deals_match_deals_drawn_one_by_one() -> None:
    rng = np.random.default_rng(8)
    days, outcome = simulated(rng, 300)
    table = deals(list(days), list(outcome))
    brute = []
    for _ in range(RESAMPLES):
        pick = rng.integers(0, len(days), len(days))
        again = deals(list(days[pick]), list(outcome[pick]))
        brute.append(incidence_median(again.times, aalen_johansen(again).first))
    reference = np.array(brute, dtype=np.float64)
    ours = resampled_medians(table)
    median = incidence_median(table.times, aalen_johansen(table).first)
    assert median is not None
    for goal in (median - 6, median - 2, median, median + 2, median + 6):
        evidence = cycle_evidence(table, goal)
        assert evidence.probability_above == pytest.approx(
            float(np.mean(reference > goal)), abs=MONTE_CARLO
        )
    assert np.quantile(ours, [0.1, 0.5, 0.9]) == pytest.approx(
        np.quantile(reference, [0.1, 0.5, 0.9]), abs=3
    )


def test_the_interval_is_the_percentile_interval_of_the_medians() -> None:
    days, outcome = simulated(np.random.default_rng(2), 200)
    table = deals(list(days), list(outcome))
    medians = resampled_medians(table)
    evidence = cycle_evidence(table, 30.0)
    low, high = np.quantile(medians, [0.025, 0.975], method="inverted_cdf")
    assert evidence.interval == (low, high)
    assert set(evidence.interval) <= set(table.times)  # ends are days of the data


def test_same_data_same_verdict() -> None:
    days, outcome = simulated(np.random.default_rng(5), 150)
    table = deals(list(days), list(outcome))
    assert cycle_evidence(table, 33.0) == cycle_evidence(table, 33.0)


def test_clearly_slower_and_clearly_faster() -> None:
    days, outcome = simulated(np.random.default_rng(6), 2000)
    table = deals(list(days), list(outcome))
    assert cycle_evidence(table, 10.0).probability_above == 1.0
    assert cycle_evidence(table, 200.0).probability_above == 0.0


def test_a_median_equal_to_the_goal_is_not_above() -> None:
    table = deals([30.0] * 20, ["won"] * 20)
    assert cycle_evidence(table, 30.0).probability_above == 0.0
    assert cycle_evidence(table, 29.0).probability_above == 1.0


def test_without_wins_or_with_too_few_there_is_no_verdict() -> None:
    assert cycle_evidence(deals([10.0, 20.0], ["lost", "open"]), 15.0).probability_above is None
    # one win among 21 deals: about a third of the resamples have no win at all
    few = deals([float(day) for day in range(1, 22)], ["won"] + ["lost"] * 20)
    evidence = cycle_evidence(few, 5.0)
    assert (evidence.interval, evidence.probability_above) == (None, None)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.sampled_from(["won", "lost", "open"])),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 60),
    st.integers(1, 20),
)
def test_p_above_never_grows_with_the_goal(
    rows: list[tuple[int, str]], goal: int, step: int
) -> None:
    table = deals([float(day) for day, _ in rows], [outcome for _, outcome in rows])
    lower, higher = cycle_evidence(table, goal), cycle_evidence(table, goal + step)
    if lower.probability_above is None:
        assert higher.probability_above is None
        return
    assert higher.probability_above is not None
    assert higher.probability_above <= lower.probability_above
