"""The open pipeline: the age factor against hand values and a brute-force count over uncensored
stays, each group's chance to win (its stage's rate × factor × the later stages), the expected
value against the simulated one, the grouping by stage and age quartile, and when the wins land."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.analytics.phasing import DAYS_PER_MONTH, Lag
from salesflow.analytics.pipeline import (
    AGE_GROUPS,
    MIN_AT_RISK,
    TIMING_DRAWS,
    OpenGroups,
    age_factor,
    group,
)
from salesflow.analytics.simulation import Rates
from salesflow.analytics.stage_events import Stays
from salesflow.analytics.survival import EventTable

PROPERTY = settings(max_examples=40, deadline=None, derandomize=True)
Z = 4.0


def stays_of(
    times: list[float],
    advanced: list[float],
    lost: list[float],
    censored: list[float] | None = None,
) -> Stays:
    table = EventTable(
        np.array(times, dtype=np.float64),
        np.array(advanced, dtype=np.float64),
        np.array(lost, dtype=np.float64),
        np.array(censored or [0.0] * len(times), dtype=np.float64),
    )
    return Stays(all=table, timed=table)


# Eight stays: three advance on day 2, one advances and one is lost on day 4, three are lost on
# day 8. Still in: 5/8 after day 2, 3/8 after day 4, 0 after day 8; advanced: 3/8, then 1/2.
# At risk before each day: 8, 5, 3: the factor is read no later than day 4.
SMALL = stays_of([2, 4, 8], [3, 1, 0], [0, 1, 3])


# ---------------------------------------------------------------------------- age factor


def test_age_factor_by_hand() -> None:
    """(F(∞) − F(a)) / S(a) / F(∞) with F(∞) = 1/2: 1 before day 2; (1/2 − 3/8)/(5/8)/(1/2) = 0.4
    from day 2; 0 from day 4 (no stay in the stage that long ever advanced)."""
    ages = np.array([0.0, 1.9, 2.0, 3.5, 4.0, 100.0])
    assert age_factor(SMALL, ages).tolist() == pytest.approx([1.0, 1.0, 0.4, 0.4, 0.0, 0.0])


def test_age_factor_is_one_without_timed_advances() -> None:
    ages = np.array([0.0, 10.0])
    assert age_factor(None, ages).tolist() == [1.0, 1.0]
    assert age_factor(stays_of([3.0], [0.0], [2.0]), ages).tolist() == [1.0, 1.0]
    assert age_factor(stays_of([], [], []), ages).tolist() == [1.0, 1.0]


def test_age_factor_falls_when_advancing_deals_leave_fast() -> None:
    """Advances on days 1–5, losses on days 10–30: the longer a deal has waited, the less
    likely it is to advance; 1 at age 0."""
    rng = np.random.default_rng(1)
    advanced = rng.integers(1, 6, 40)
    lost = rng.integers(10, 31, 60)
    times = np.arange(0, 31, dtype=np.float64)
    stays = stays_of(
        times.tolist(),
        np.bincount(advanced, minlength=31).astype(float).tolist(),
        np.bincount(lost, minlength=31).astype(float).tolist(),
    )
    ages = np.linspace(0, 40, 81)
    factor = age_factor(stays, ages)
    assert factor[0] == 1.0
    assert (np.diff(factor) <= 1e-12).all()
    assert factor[ages >= 6].max() == 0.0  # nobody advanced after day 5


def brute_force_factor(durations: list[int], advanced: list[bool], age: float) -> float:
    """Over uncensored stays the curves are plain shares: among the stays longer than the age
    (read no later than the last day with MIN_AT_RISK stays at risk), the share that advanced,
    over the share that advanced among all."""
    times = np.array(durations, dtype=np.float64)
    won = np.array(advanced)
    days = np.unique(times)
    usable = [i for i, day in enumerate(days) if (times >= day).sum() >= MIN_AT_RISK]
    last = days[usable[-1] if usable else 0]
    cut = min(age, last)
    left = times > cut
    final = won.mean()
    if not left.any():
        return 0.0
    return float(min((won & left).sum() / left.sum() / final, 1 / final))


@PROPERTY
@given(
    stays=st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=40).filter(
        lambda rows: any(won for _, won in rows)
    ),
    ages=st.lists(st.floats(0, 40), min_size=1, max_size=10),
)
def test_age_factor_is_the_brute_force_share_on_uncensored_stays(
    stays: list[tuple[int, bool]], ages: list[float]
) -> None:
    durations = [t for t, _ in stays]
    advanced = [won for _, won in stays]
    table = EventTable.of(
        np.array(durations, dtype=np.float64),
        np.array(advanced, dtype=np.float64),
        1.0 - np.array(advanced, dtype=np.float64),
        np.zeros(len(stays)),
    )
    found = age_factor(Stays(all=table, timed=table), np.array(ages))
    expected = [brute_force_factor(durations, advanced, age) for age in ages]
    assert found.tolist() == pytest.approx(expected, abs=1e-9)


# ------------------------------------------------------------------------- chance to win


def groups(
    stage: list[int], factor: list[float], count: list[int], amount: list[float]
) -> OpenGroups:
    return OpenGroups(
        np.array(stage, dtype=np.int64),
        np.array(count, dtype=np.int64),
        np.array(amount, dtype=np.float64),
        np.array(factor, dtype=np.float64),
        [np.zeros(1) for _ in stage],
    )


def test_the_chance_is_the_stage_rate_times_the_factor_times_the_later_stages() -> None:
    open_ = groups([0, 1, 2, 2], [1.0, 0.5, 2.0, 0.25], [1, 1, 1, 1], [1.0] * 4)
    rates = np.array([[0.5, 0.4, 0.8], [1.0, 0.0, 0.5]])
    chance = open_.chance(rates)
    assert chance.shape == (2, 4)
    assert chance[0].tolist() == pytest.approx([0.5 * 0.4 * 0.8, 0.4 * 0.5 * 0.8, 1.0, 0.2])
    assert chance[1].tolist() == pytest.approx([0.0, 0.0, 1.0, 0.125])


def test_the_expected_value_is_the_sum_over_groups() -> None:
    open_ = groups([0, 1, 3], [1.0, 0.6, 0.9], [30, 12, 4], [15_000.0, 22_000.0, 40_000.0])
    planned = Rates(planned=np.array([0.4, 0.6, 0.7, 0.8]))
    expected = 30 * 0.4 * 0.6 * 0.7 * 0.8 * 15_000 + 12 * 0.6 * 0.6 * 0.7 * 0.8 * 22_000
    expected += 4 * 0.8 * 0.9 * 40_000
    assert open_.expected(planned) == pytest.approx(expected)
    assert open_.deals == 46


def test_the_expected_value_is_the_mean_over_the_rates_posterior() -> None:
    open_ = groups([0, 2], [1.0, 0.7], [20, 6], [10_000.0, 30_000.0])
    rates = Rates(advanced=np.array([30, 12, 9]), lost=np.array([45, 8, 4]))
    draws = rates.draw(np.random.default_rng(4), 50_000)
    value = open_.chance(draws) @ (open_.count * open_.amount)
    error = value.std(ddof=1) / math.sqrt(len(value))
    assert abs(value.mean() - open_.expected(rates)) < Z * error


def test_the_expected_value_is_the_simulated_mean_when_the_factor_exceeds_one() -> None:
    """A deal that outlasted the stage's losses: factor 1/F(∞), its chance at the mean rate 1."""
    rates = Rates(advanced=np.array([30]), lost=np.array([30]))
    factor = 1 / float(rates.expected()[0])
    open_ = groups([0], [factor], [100], [1_000.0])
    draws = rates.draw(np.random.default_rng(6), 50_000)
    value = open_.chance(draws) @ (open_.count * open_.amount)
    error = value.std(ddof=1) / math.sqrt(len(value))
    assert abs(value.mean() - open_.expected(rates)) < Z * error


# ------------------------------------------------------------------------------- grouping


def test_grouping_keeps_every_deal_and_its_amount() -> None:
    rng = np.random.default_rng(5)
    stage = np.array([0] * 10 + [2] * 3 + [3] * 1, dtype=np.int64)
    age = rng.uniform(0, 60, len(stage))
    amount = rng.uniform(1_000, 9_000, len(stage))
    found = group(stage, age, amount, {}, [None] * 4)
    assert found.deals == len(stage)
    assert found.stage.tolist() == [0] * AGE_GROUPS + [2] * 3 + [3]
    assert found.count.tolist() == [3, 3, 2, 2, 1, 1, 1, 1]
    for k in (0, 2, 3):
        mine = found.stage == k
        assert (found.count[mine] * found.amount[mine]).sum() == pytest.approx(
            amount[stage == k].sum()
        )
    assert found.factor.tolist() == [1.0] * 8  # no stays: no age effect
    # quartiles of age: the youngest three first
    youngest = np.sort(age[stage == 0])[:3]
    first = np.isin(age, youngest) & (stage == 0)
    assert found.amount[0] == pytest.approx(amount[first].mean())


def test_a_groups_factor_is_its_deals_mean_factor() -> None:
    stage = np.zeros(4, dtype=np.int64)
    age = np.array([0.0, 1.0, 2.5, 5.0])
    found = group(stage, age, np.ones(4), {0: SMALL}, [None])
    assert found.factor.tolist() == pytest.approx([1.0, 1.0, 0.4, 0.0])


def test_time_to_go_is_the_rest_of_the_stage_then_the_later_stages() -> None:
    """Stage 0 advances after 10 or 20 days, stage 1 has no timing (0), stage 2 after 5: a deal
    15 days into stage 0 has 5 + 0 + 5 days to go; one just arrived 15 or 25; one 3 days into
    the last stage, 2."""
    advance: list[Lag | None] = [
        Lag(np.array([10.0, 20.0]), np.array([0.5, 0.5])),
        None,
        Lag(np.array([5.0]), np.array([1.0])),
    ]
    stuck = group(np.array([0]), np.array([15.0]), np.array([1.0]), {}, advance)
    assert len(stuck.to_go[0]) == TIMING_DRAWS
    assert set(stuck.to_go[0].tolist()) == {10.0}
    fresh = group(np.array([0]), np.array([0.0]), np.array([1.0]), {}, advance)
    assert set(fresh.to_go[0].tolist()) == {15.0, 25.0}
    assert abs((fresh.to_go[0] == 15.0).mean() - 0.5) < Z * math.sqrt(0.25 / TIMING_DRAWS)
    last = group(np.array([2]), np.array([3.0]), np.array([1.0]), {}, advance)
    assert set(last.to_go[0].tolist()) == {2.0}


def test_wins_land_at_the_end_of_the_data_plus_the_time_to_go() -> None:
    """A group 10 days from winning: with the data ending half a month before the first month
    it lands "earlier"; ending at its start, in the first month; 1.9 months in, in the second."""
    found = OpenGroups(
        np.array([0]), np.array([1]), np.array([1.0]), np.array([1.0]), [np.full(50, 10.0)]
    )
    assert found.shares(-0.5, 3).tolist() == [[1.0, 0, 0, 0, 0]]
    assert found.shares(0.0, 3).tolist() == [[0, 1.0, 0, 0, 0]]
    assert found.shares(1.9, 3).tolist() == [[0, 0, 0, 1.0, 0]]
    assert found.shares(2.9 + 10 / DAYS_PER_MONTH, 3).tolist() == [[0, 0, 0, 0, 1.0]]


def test_no_open_deal_lands_nowhere() -> None:
    """Every deal closed: no group, and a calendar with no row to spread (the months once
    crashed on `landing.shape[1]` of an empty array)."""
    empty = group(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), {}, [None] * 3)
    assert empty.deals == 0
    assert empty.shares(0.0, 3).shape == (0, 5)
    wins = empty.wins(np.random.default_rng(1), np.full((4, 3), 0.5))
    assert wins.shape == (4, 0)


def test_time_to_go_can_be_the_rest_of_the_whole_cycle() -> None:
    """No stage entry dates: an open deal's age counts from when it was first seen, and its
    time still to go is the time from lead to won (36, 43 or 51 days) beyond that age, whatever
    its stage; no stage is added on top (once every stage added 0 days: the deal was booked at
    the end of the data)."""
    lead = Lag(np.array([36.0, 43.0, 51.0]), np.full(3, 1 / 3))
    none: list[Lag | None] = [None] * 3
    for stage in (0, 2):
        found = group(np.array([stage]), np.array([2.0]), np.ones(1), {}, none, [lead] * 3)
        assert set(found.to_go[0].tolist()) == {34.0, 41.0, 49.0}
    older = group(np.array([1]), np.array([40.0]), np.ones(1), {}, none, [lead] * 3)
    assert set(older.to_go[0].tolist()) == {3.0, 11.0}


def test_time_to_go_in_a_stretch_is_its_rest_then_the_later_stretches() -> None:
    """Stage 0 dated, stage 1 not (its time is inside stage 0's stays), stage 2 dated: a deal in
    stage 1, 15 days after it entered stage 0, still has the rest of stage 0's stretch (20 days:
    5 left), then stage 2's 5 days; stage 1's own entry in `advance` is None."""
    stretch = Lag(np.array([20.0]), np.array([1.0]))
    last = Lag(np.array([5.0]), np.array([1.0]))
    advance: list[Lag | None] = [stretch, None, last]
    current: list[Lag | None] = [stretch, stretch, last]
    found = group(np.array([1]), np.array([15.0]), np.ones(1), {}, advance, current)
    assert set(found.to_go[0].tolist()) == {10.0}
