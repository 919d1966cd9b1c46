"""The product-limit arithmetic of analytics/survival.py against lifelines (a test oracle only:
the package never imports it) on random data, and against small examples worked by hand.

lifelines' Aalen–Johansen fitter jitters tied event times of different kinds at random, so the
oracle tests draw distinct times, or ties only between events of one kind and censorings (which
lifelines keeps). Its time line starts with a row at 0 whose incidence it sets to 0, so times
are positive.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from lifelines.utils import median_survival_times, qth_survival_time

from salesflow.analytics.survival import (
    EventTable,
    Incidence,
    aalen_johansen,
    first_variance,
    incidence_median,
    quantile_interval,
    survival_band,
    survival_quantile,
)

CENSORED, FIRST, SECOND = 0, 1, 2
ORACLE = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def table_of(times: np.ndarray, events: np.ndarray) -> EventTable:
    """One row per stay: event 1 (first exit), 2 (second exit) or 0 (censored)."""
    return EventTable.of(
        times.astype(np.float64),
        (events == FIRST).astype(np.float64),
        (events == SECOND).astype(np.float64),
        (events == CENSORED).astype(np.float64),
    )


def incidence_of(times: np.ndarray, events: np.ndarray) -> Incidence:
    return aalen_johansen(table_of(times, events))


@st.composite
def distinct_stays(draw: st.DrawFn, last_censored: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Distinct positive times (eighths of a day, so not all whole) and their events."""
    ticks = draw(st.lists(st.integers(1, 2_000), min_size=1, max_size=40, unique=True))
    events = draw(
        st.lists(st.integers(0, 2), min_size=len(ticks), max_size=len(ticks)),
    )
    times = np.asarray(ticks, dtype=np.float64) / 8.0
    kinds = np.asarray(events, dtype=np.int64)
    if last_censored:
        kinds[np.argmax(times)] = CENSORED
    return times, kinds


@st.composite
def tied_stays(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Whole-day times with ties, where the events at one time are all of one kind (possibly
    with censorings there too), and the latest time has a censoring: lifelines neither jitters
    such data nor divides by zero in its variance."""
    kind_at = draw(st.lists(st.sampled_from([FIRST, SECOND]), min_size=8, max_size=8))
    rows = draw(
        st.lists(
            st.tuples(st.integers(1, 8), st.booleans()),
            min_size=1,
            max_size=40,
        )
    )
    times = np.asarray([t for t, _ in rows] + [max(t for t, _ in rows)], dtype=np.float64)
    events = np.asarray(
        [kind_at[t - 1] if is_event else CENSORED for t, is_event in rows] + [CENSORED],
        dtype=np.int64,
    )
    return times, events


@st.composite
def any_stays(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Anything: ties of every kind, a zero time, nothing censored or everything censored."""
    rows = draw(
        st.lists(st.tuples(st.integers(0, 6), st.integers(0, 2)), min_size=1, max_size=40),
    )
    return (
        np.asarray([t for t, _ in rows], dtype=np.float64),
        np.asarray([e for _, e in rows], dtype=np.int64),
    )


def lifelines_aj(times: np.ndarray, events: np.ndarray, variance: bool) -> AalenJohansenFitter:
    fitter = AalenJohansenFitter(calculate_variance=variance)
    return fitter.fit(times, events, event_of_interest=FIRST)


def kaplan_meier(times: np.ndarray, events: np.ndarray) -> KaplanMeierFitter:
    return KaplanMeierFitter().fit(times, events > 0)


# --- against lifelines -------------------------------------------------------------------------


@ORACLE
@given(stays=distinct_stays())
def test_first_incidence_matches_lifelines(stays: tuple[np.ndarray, np.ndarray]) -> None:
    times, events = stays
    ours = incidence_of(times, events).first[-1]
    theirs = lifelines_aj(times, events, variance=False).cumulative_density_.iloc[-1, 0]
    assert ours == pytest.approx(theirs, abs=1e-9)


@ORACLE
@given(stays=distinct_stays(last_censored=True))
def test_first_variance_matches_lifelines(stays: tuple[np.ndarray, np.ndarray]) -> None:
    # The latest stay is censored: when the last ones at risk all leave at once, lifelines'
    # d / (n (n − d)) is infinite and its variance NaN, where ours drops the zero-weight term.
    times, events = stays
    ours = first_variance(incidence_of(times, events))
    theirs = float(lifelines_aj(times, events, variance=True).variance_.iloc[-1])
    assert not math.isnan(theirs)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-15)


@ORACLE
@given(stays=tied_stays())
def test_ties_with_censorings_match_lifelines(stays: tuple[np.ndarray, np.ndarray]) -> None:
    # Several events of one kind at a time, and censorings at the same time as events: lifelines
    # counts the events before the censorings, as we do, and needs no jitter here.
    times, events = stays
    incidence = incidence_of(times, events)
    fitter = lifelines_aj(times, events, variance=True)
    assert incidence.first[-1] == pytest.approx(fitter.cumulative_density_.iloc[-1, 0], abs=1e-9)
    assert first_variance(incidence) == pytest.approx(
        float(fitter.variance_.iloc[-1]), rel=1e-9, abs=1e-15
    )
    km = kaplan_meier(times, events).survival_function_.iloc[:, 0]
    np.testing.assert_allclose(
        incidence.survival, km.loc[incidence.times].to_numpy(), rtol=0, atol=1e-12
    )


@ORACLE
@given(stays=distinct_stays())
def test_survival_is_kaplan_meier(stays: tuple[np.ndarray, np.ndarray]) -> None:
    times, events = stays
    incidence = incidence_of(times, events)
    km = kaplan_meier(times, events)
    curve = km.survival_function_.iloc[:, 0]
    np.testing.assert_allclose(
        incidence.survival, curve.loc[incidence.times].to_numpy(), rtol=0, atol=1e-12
    )
    _check_quantile(incidence, km, 0.5, km.median_survival_time_)
    _check_quantile(incidence, km, 0.2, qth_survival_time(0.2, curve))


@ORACLE
@given(stays=st.one_of(distinct_stays(), tied_stays(), any_stays()))
def test_median_interval_is_lifelines(stays: tuple[np.ndarray, np.ndarray]) -> None:
    """The band (Greenwood on the log(−log) scale) and the median's interval read from it
    (Brookmeyer–Crowley), with ties, nothing censored and everything censored."""
    times, events = stays
    incidence = incidence_of(times, events)
    km = kaplan_meier(times, events)
    band = km.confidence_interval_
    low, high = survival_band(incidence)
    np.testing.assert_allclose(low, band.iloc[:, 0].loc[incidence.times].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(high, band.iloc[:, 1].loc[incidence.times].to_numpy(), atol=1e-12)
    theirs = median_survival_times(band)
    start, end = (float(value) for value in theirs.iloc[0])
    expected = None if math.isinf(start) else (start, None if math.isinf(end) else end)
    assert quantile_interval(incidence, 0.5) == expected


def test_median_interval_by_hand() -> None:
    """Ten stays ending on days 1 … 10: S(5) = 0.5. Greenwood's sum at day 3 is
    1/(10·9) + 1/(9·8) + 1/(8·7), so the band's bottom there is 0.7^exp(1.96·√sum / −ln 0.7)."""
    incidence = incidence_of(np.arange(1.0, 11.0), np.full(10, FIRST))
    greenwood = 1 / 90 + 1 / 72 + 1 / 56
    bottom = 0.7 ** math.exp(1.959963984540054 * math.sqrt(greenwood) / -math.log(0.7))
    assert survival_band(incidence)[0][2] == pytest.approx(bottom, rel=1e-12)
    assert survival_quantile(incidence, 0.5) == 5.0
    low, high = quantile_interval(incidence, 0.5) or (None, None)
    assert low is not None and high is not None and low < 5.0 < high


def test_median_interval_open_above_while_too_many_stays_go_on() -> None:
    """Four of twenty left early, the rest still in the stage: no median, and the band's bottom
    alone may reach a half (the interval open above), or not even that."""
    times = np.concatenate([np.arange(1.0, 5.0), np.full(16, 6.0)])
    events = np.concatenate([np.full(4, FIRST), np.full(16, CENSORED)])
    incidence = incidence_of(times, events)
    assert survival_quantile(incidence, 0.5) is None
    assert quantile_interval(incidence, 0.5) is None
    half = incidence_of(
        np.concatenate([np.arange(1.0, 11.0), np.full(10, 12.0)]),
        np.concatenate([np.full(10, FIRST), np.full(10, CENSORED)]),
    )
    found = quantile_interval(half, 0.5)
    assert found is not None and found[1] is None


def _check_quantile(
    incidence: Incidence, km: KaplanMeierFitter, share: float, theirs: float
) -> None:
    """lifelines' infinity is our None. Where the curve lands on `share` itself (1/2 after 2 of
    4) the two roundings may fall either side of it: then either side's answer is right."""
    expected = {None if math.isinf(theirs) else float(theirs)}
    curve = km.survival_function_.iloc[:, 0]
    if np.any(np.abs(curve.to_numpy() - share) < 1e-9):
        slack = qth_survival_time(share + 1e-9, curve)
        expected.add(None if math.isinf(slack) else float(slack))
    assert survival_quantile(incidence, share) in expected


# --- exact reductions and hand-worked examples -------------------------------------------------


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    rows=st.lists(st.tuples(st.integers(0, 5), st.sampled_from([FIRST, SECOND])), min_size=1),
)
def test_nothing_censored_is_the_binomial_share(rows: list[tuple[int, int]]) -> None:
    # With ties of every kind: without censoring the incidence is the share of first exits and
    # the delta-method variance is p(1 − p)/n.
    times = np.asarray([t for t, _ in rows], dtype=np.float64)
    events = np.asarray([e for _, e in rows], dtype=np.int64)
    incidence = incidence_of(times, events)
    n = len(rows)
    share = float(np.sum(events == FIRST)) / n
    assert incidence.first[-1] == pytest.approx(share, abs=1e-12)
    assert incidence.second[-1] == pytest.approx(1 - share, abs=1e-12)
    assert incidence.survival[-1] == pytest.approx(0.0, abs=1e-12)
    assert first_variance(incidence) == pytest.approx(share * (1 - share) / n, abs=1e-12)


def test_events_come_before_censorings_at_a_tie() -> None:
    # Six stays:
    #   t=1: one first exit and one censored   t=2: one first and one second exit
    #   t=3: one second exit and one censored
    # t=1: at risk 6 (the censored one still counts), S = 1 − 1/6 = 5/6, F1 = 1·1/6 = 1/6
    # t=2: at risk 4, S = 5/6 · (1 − 2/4) = 5/12, F1 = 1/6 + 5/6·1/4 = 3/8, F2 = 5/24
    # t=3: at risk 2, S = 5/12 · 1/2 = 5/24,   F2 = 5/24 + 5/12·1/2 = 5/12
    # S + F1 + F2 = 5/24 + 9/24 + 10/24 = 1. (Censoring first at t=1 would give F1(1) = 1/5.)
    table = EventTable.of(
        np.array([1.0, 1, 2, 2, 3, 3]),
        np.array([1.0, 0, 1, 0, 0, 0]),
        np.array([0.0, 0, 0, 1, 1, 0]),
        np.array([0.0, 1, 0, 0, 0, 1]),
    )
    np.testing.assert_array_equal(table.times, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(table.at_risk(), [6.0, 4.0, 2.0])
    incidence = aalen_johansen(table)
    np.testing.assert_allclose(incidence.survival, [5 / 6, 5 / 12, 5 / 24], rtol=1e-15)
    np.testing.assert_allclose(incidence.first, [1 / 6, 3 / 8, 3 / 8], rtol=1e-15)
    np.testing.assert_allclose(incidence.second, [0.0, 5 / 24, 5 / 12], rtol=1e-15)
    # Collett p. 411 at the last time, F = 3/8, with R_i = F − F1(t_i) = 5/24, 0, 0:
    #   Σ R² d/(n(n − d)):      (5/24)²·1/(6·5)                = 10/6912
    #   Σ S(t−)² d1(n − d1)/n³: 1·1·5/216 + (5/6)²·1·3/64       = 160/6912 + 225/6912
    #   −2 Σ R S(t−) d1/n²:     −2·(5/24)·1·1/36               = −80/6912
    #   total 315/6912 = 35/768
    assert first_variance(incidence) == pytest.approx(35 / 768, rel=1e-14)


def test_rows_of_the_same_time_are_summed() -> None:
    table = EventTable.of(
        np.array([3.0, 1.0, 3.0]),
        np.array([1.0, 0.0, 2.0]),
        np.array([0.0, 1.0, 0.0]),
        np.array([0.5, 0.0, 0.0]),
    )
    np.testing.assert_array_equal(table.times, [1.0, 3.0])
    np.testing.assert_array_equal(table.first, [0.0, 3.0])
    np.testing.assert_array_equal(table.second, [1.0, 0.0])
    np.testing.assert_array_equal(table.censored, [0.0, 0.5])
    assert table.total == 4.5


def test_incidence_median_by_hand() -> None:
    times = np.array([1.0, 2.0, 3.0, 4.0])
    # final 0.4, half of it 0.2, reached exactly at t=2
    assert incidence_median(times, np.array([0.1, 0.2, 0.35, 0.4])) == 2.0
    # final 0.4, half 0.2: 0.1 at t=2 is short of it, 0.3 at t=3 passes it
    assert incidence_median(times, np.array([0.0, 0.1, 0.3, 0.4])) == 3.0
    # a half missed by one rounding still counts: 0.1 + 0.2 = 0.30000000000000004
    assert incidence_median(times[:2], np.array([0.3, 0.1 + 0.2 + 0.3])) == 1.0
    # the exit never happened
    assert incidence_median(times, np.zeros(4)) is None
    assert incidence_median(np.array([]), np.array([])) is None


def test_incidence_median_from_the_estimator() -> None:
    # Four stays, first exits at t=10, 20, 30 and a second exit at 40: F1 = 1/4, 1/2, 3/4;
    # half of 3/4 is 3/8, first reached at t=20.
    incidence = incidence_of(np.array([10.0, 20, 30, 40]), np.array([1, 1, 1, 2]))
    assert incidence_median(incidence.times, incidence.first) == 20.0
    assert incidence_median(incidence.times, incidence.second) == 40.0


def test_survival_quantile_by_hand() -> None:
    # Five stays leaving at 1, 2, 3 (one censored at 2.5 in between): S = 4/5, 3/5, 3/5, 3/10
    incidence = incidence_of(np.array([1.0, 2, 2.5, 3, 9]), np.array([1, 2, 0, 1, 0]))
    np.testing.assert_allclose(incidence.survival, [0.8, 0.6, 0.6, 0.3, 0.3])
    assert survival_quantile(incidence, 0.5) == 3.0
    assert survival_quantile(incidence, 0.8) == 1.0  # reached exactly
    assert survival_quantile(incidence, 0.2) is None  # never falls that far


@settings(max_examples=60, deadline=None, derandomize=True)
@given(stays=any_stays())
def test_the_curves_add_up_to_one(stays: tuple[np.ndarray, np.ndarray]) -> None:
    times, events = stays
    incidence = incidence_of(times, events)
    np.testing.assert_allclose(
        incidence.survival + incidence.first + incidence.second, 1.0, rtol=0, atol=1e-12
    )
    assert np.all(np.diff(incidence.survival) <= 1e-15)
    assert np.all(np.diff(incidence.first) >= 0)
    assert np.all(np.diff(incidence.second) >= 0)
    assert first_variance(incidence) >= 0
