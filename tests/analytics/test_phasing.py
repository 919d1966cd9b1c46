"""When revenue lands: the time-to-win distribution (Aalen–Johansen increments, lifelines as the
oracle; the plan's lognormal), cohort and point shares of calendar columns (hand cases and a
brute-force simulation of leads arriving through the month), the "earlier" and "later" columns,
and the multinomial split of wins that keeps every win."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import AalenJohansenFitter

from salesflow.analytics.phasing import (
    DAYS_PER_MONTH,
    PLAN_ATOMS,
    PLAN_LAG_SIGMA,
    Lag,
    cohort_shares,
    column,
    label,
    point_shares,
    spread_wins,
)
from salesflow.analytics.survival import EventTable

PROPERTY = settings(max_examples=30, deadline=None, derandomize=True)
Z = 4.0
ADVANCE, LOSE, OPEN = 1, 2, 0


def table_of(stays: list[tuple[float, int]]) -> EventTable:
    times = np.array([t for t, _ in stays], dtype=np.float64)
    events = np.array([e for _, e in stays])
    return EventTable.of(
        times,
        (events == ADVANCE).astype(np.float64),
        (events == LOSE).astype(np.float64),
        (events == OPEN).astype(np.float64),
    )


def month_lag(*months: float) -> Lag:
    """Equally likely lags, in months."""
    return Lag(np.array(months) * DAYS_PER_MONTH, np.full(len(months), 1.0 / len(months)))


# ------------------------------------------------------------------------------------ Lag

STAYS = [
    (1.0, ADVANCE),
    (2.0, LOSE),
    (3.0, OPEN),
    (4.0, ADVANCE),
    (5.0, ADVANCE),
    (6.0, OPEN),
    (7.0, LOSE),
    (8.0, ADVANCE),
    (9.0, OPEN),
]


def test_the_time_to_win_is_the_aalen_johansen_incidence_lifelines_oracle() -> None:
    fitter = AalenJohansenFitter(calculate_variance=False)
    fitter.fit(
        np.array([t for t, _ in STAYS]), np.array([e for _, e in STAYS]), event_of_interest=1
    )
    curve = fitter.cumulative_density_.iloc[:, 0]
    increments = curve.diff().fillna(curve.iloc[0])
    won = increments[increments > 0]
    lag = Lag.of_wins(table_of(STAYS))
    assert lag is not None
    assert lag.days.tolist() == won.index.tolist() == [1.0, 4.0, 5.0, 8.0]
    np.testing.assert_allclose(lag.weights, won.to_numpy() / won.sum(), rtol=1e-12)
    assert lag.weights.sum() == pytest.approx(1.0)


def test_the_time_to_win_by_hand() -> None:
    """Won on days 2 and 6, lost on day 4, one open since day 3 (censored). Still in the stay:
    3/4 after day 2, 3/8 after day 4 (one of two lost). Incidence of winning: 1/4 on day 2,
    + 3/8 · 1/1 on day 6 = 5/8; the censored stay weighs on the later win, as a win it may still
    become."""
    lag = Lag.of_wins(table_of([(2.0, ADVANCE), (3.0, OPEN), (4.0, LOSE), (6.0, ADVANCE)]))
    assert lag is not None
    assert lag.days.tolist() == [2.0, 6.0]
    # increments 1/4 and 3/8 → shares 2/5 and 3/5 (a naive count of wins would say 1/2, 1/2)
    assert lag.weights.tolist() == pytest.approx([0.4, 0.6])
    assert lag.mean == pytest.approx(0.4 * 2 + 0.6 * 6)


def test_no_win_no_time_to_win() -> None:
    assert Lag.of_wins(table_of([(1.0, LOSE), (2.0, OPEN)])) is None
    assert Lag.of_wins(table_of([])) is None


def test_the_planned_lag_is_lognormal_around_the_planned_days() -> None:
    lag = Lag.planned(75.0)
    assert len(lag.days) == PLAN_ATOMS
    assert lag.weights.sum() == pytest.approx(1.0)
    # the planned days are the median: half the weight on either side
    assert lag.weights[lag.days < 75.0].sum() == pytest.approx(0.5)
    assert lag.weights[lag.days > 75.0].sum() == pytest.approx(0.5)
    logs = np.log(lag.days)
    assert logs.mean() == pytest.approx(math.log(75.0), abs=1e-9)
    assert logs.std() == pytest.approx(PLAN_LAG_SIGMA, rel=0.02)
    assert lag.mean == pytest.approx(75.0 * math.exp(PLAN_LAG_SIGMA**2 / 2), rel=0.01)
    instant = Lag.planned(0.0)
    assert (instant.days.tolist(), instant.weights.tolist()) == ([0.0], [1.0])


def test_the_days_still_to_go_after_an_age() -> None:
    lag = Lag(np.array([10.0, 20.0, 30.0]), np.array([0.2, 0.3, 0.5]))
    rest = lag.beyond(15.0)
    assert rest is not None
    assert rest.days.tolist() == [5.0, 15.0]
    assert rest.weights.tolist() == pytest.approx([0.375, 0.625])
    assert lag.beyond(30.0) is None
    whole = lag.beyond(0.0)
    assert whole is not None
    assert (whole.days.tolist(), whole.weights.tolist()) == (
        lag.days.tolist(),
        lag.weights.tolist(),
    )


def test_samples_follow_the_weights() -> None:
    lag = Lag(np.array([10.0, 20.0, 30.0]), np.array([0.2, 0.3, 0.5]))
    drawn = lag.sample(np.random.default_rng(1), 20_000)
    for days, weight in zip(lag.days, lag.weights, strict=True):
        share = float((drawn == days).mean())
        assert abs(share - weight) < Z * math.sqrt(weight * (1 - weight) / 20_000)


# -------------------------------------------------------------------------- cohort shares


@pytest.mark.parametrize(
    ("months_lag", "expected"),
    [
        (0.0, [0, 1, 0, 0, 0]),  # leads of month 0 win in month 0
        (1.0, [0, 0, 1, 0, 0]),  # one month later, whole
        (0.5, [0, 0.5, 0.5, 0, 0]),  # half a month: half in each
        (1.25, [0, 0, 0.75, 0.25, 0]),
        (2.5, [0, 0, 0, 0.5, 0.5]),  # half falls after the horizon: "later"
        (40.0, [0, 0, 0, 0, 1]),
    ],
)
def test_a_cohort_lands_where_leads_arriving_evenly_through_its_month_win(
    months_lag: float, expected: list[float]
) -> None:
    """Three months, columns ["earlier", m0, m1, m2, "later"]; the cohort of month 0."""
    shares = cohort_shares(month_lag(months_lag), 0, 3)
    assert shares.tolist() == pytest.approx(expected, abs=1e-12)


def test_a_later_cohort_lands_later() -> None:
    shares = cohort_shares(month_lag(0.5), 2, 3)
    assert shares.tolist() == pytest.approx([0, 0, 0, 0.5, 0.5])


def test_cohort_shares_match_a_brute_force_simulation() -> None:
    """Leads uniform through month 1, each winning after a lag drawn from the distribution:
    the share of wins in each month, by counting 200,000 simulated wins."""
    lag = Lag(np.array([3.0, 40.0, 75.0, 200.0]), np.array([0.1, 0.4, 0.3, 0.2]))
    rng = np.random.default_rng(7)
    arrival = 1 + rng.random(200_000)
    landing = arrival + lag.sample(rng, 200_000) / DAYS_PER_MONTH
    counted = np.bincount(column(np.floor(landing), 4), minlength=6) / 200_000
    shares = cohort_shares(lag, 1, 4)
    assert shares.sum() == pytest.approx(1.0)
    assert shares[-1] > 0.1  # some of it after the horizon
    np.testing.assert_allclose(shares, counted, atol=Z * math.sqrt(0.25 / 200_000))


@PROPERTY
@given(
    days=st.lists(st.floats(0, 5_000), min_size=1, max_size=6),
    raw=st.lists(st.floats(0.01, 1), min_size=6, max_size=6),
    cohort=st.integers(0, 11),
    months=st.integers(1, 12),
)
def test_cohort_shares_sum_to_one(
    days: list[float], raw: list[float], cohort: int, months: int
) -> None:
    weights = np.array(raw[: len(days)])
    lag = Lag(np.array(days), weights / weights.sum())
    shares = cohort_shares(lag, min(cohort, months - 1), months)
    assert len(shares) == months + 2
    assert shares.sum() == pytest.approx(1.0)
    assert (shares >= 0).all()
    assert shares[0] == 0  # a cohort's wins never land before its month


# --------------------------------------------------------------------------- point shares


def test_point_shares_have_earlier_and_later_columns() -> None:
    """Months after the start of the first month: before it → "earlier", past the last →
    "later"."""
    shares = point_shares(np.array([-3.0, -0.5, 0.2, 1.7, 2.0, 50.0]), 2)
    assert shares.tolist() == pytest.approx([2 / 6, 1 / 6, 1 / 6, 2 / 6])
    assert point_shares(np.array([]), 2).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_columns_clip_to_earlier_and_later() -> None:
    assert column(np.array([-5.0, -1.0, 0.0, 2.0, 3.0, 1e10]), 3).tolist() == [0, 0, 1, 3, 4, 4]


def test_months_are_labelled_across_the_year_end() -> None:
    assert [label(2025, 11, i) for i in range(4)] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert label(2025, 1, 24) == "2027-01"


# --------------------------------------------------------------------------- spread wins


@PROPERTY
@given(
    wins=st.lists(st.integers(0, 500), min_size=1, max_size=20),
    raw=st.lists(st.sampled_from([0.0, 0.1, 0.5, 1.0, 3.0]), min_size=1, max_size=8).filter(
        lambda shares: sum(shares) > 0
    ),
    seed=st.integers(0, 1_000),
)
def test_spreading_wins_keeps_every_win(wins: list[int], raw: list[float], seed: int) -> None:
    shares = np.array(raw) / sum(raw)
    counts = np.array(wins, dtype=np.int64)
    spread = spread_wins(np.random.default_rng(seed), counts, shares)
    assert spread.shape == (len(wins), len(raw))
    assert spread.sum(axis=1).tolist() == wins
    assert (spread[:, shares == 0] == 0).all()
    assert (spread >= 0).all()


def test_spread_wins_follow_the_shares() -> None:
    shares = np.array([0.0, 0.2, 0.3, 0.5])
    wins = np.full((5_000, 2), 40, dtype=np.int64)  # (sims, cohorts): any shape of counts
    spread = spread_wins(np.random.default_rng(3), wins, shares)
    assert spread.shape == (5_000, 2, 4)
    assert (spread.sum(axis=2) == 40).all()
    means = spread.reshape(-1, 4).mean(axis=0)
    error = np.sqrt(40 * shares * (1 - shares) / 10_000)
    assert (np.abs(means - 40 * shares) <= Z * error).all()
    one = spread_wins(np.random.default_rng(3), np.array([7, 9]), np.array([0.0, 1.0, 0.0]))
    assert one.tolist() == [[0, 7, 0], [0, 9, 0]]


@pytest.mark.parametrize("age", [0.0, 7.0, 10.0, 25.0, 40.0, 50.0])
def test_remaining_draws_follow_the_distribution_beyond_the_age(age: float) -> None:
    """The vectorised draw of the days still to go has the law of `beyond(age)`: the same values
    with the same probabilities (0 past the last value)."""
    lag = Lag(np.array([5.0, 10.0, 20.0, 40.0]), np.array([0.1, 0.4, 0.3, 0.2]))
    draws = lag.remaining(np.random.default_rng(1), np.full(100_000, age))
    rest = lag.beyond(age)
    if rest is None:
        assert (draws == 0).all()
        return
    values, counts = np.unique(draws, return_counts=True)
    np.testing.assert_allclose(values, rest.days)
    np.testing.assert_allclose(counts / len(draws), rest.weights, atol=0.01)
