"""What the time to win rests on: the stretches of stages a stay covers, the time from lead to
won (measured, else the stages' days, else unknown) and an open deal's time still to go, each
with a note that states the true reason whenever the data does not measure it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from salesflow.analytics.phasing import Lag
from salesflow.analytics.stage_events import Stays
from salesflow.analytics.survival import EventTable
from salesflow.analytics.timing import (
    WHOLE_CYCLE,
    Stretch,
    lead_time,
    open_deal_time,
    overdue_note,
    planned_lead_time,
    stretches,
)
from salesflow.model.funnel import Funnel
from tests.sources.deal_data import PROCESS_YAML, load, report

# deal_data's process: stages a, b, c, d with expected.days 5, 10, 7, 3 (25 in all).
PLAN_DAYS = 25.0
NO_DAYS = (
    PROCESS_YAML.replace(", days: 5}", "}")
    .replace(", days: 10}", "}")
    .replace(", days: 7}", "}")
    .replace(", days: 3}", "}")
)
NO_DAYS_FOR_D = PROCESS_YAML.replace(", days: 3}", "}")
UNDATED = """\
deal_id,stage,amount,lost_at_stage
W1,Closed Won,4000,
L1,Closed Lost,,a
"""


@pytest.fixture(scope="module")
def funnel(tmp_path_factory: pytest.TempPathFactory) -> Funnel:
    """A funnel with no stage dates: no median days observed in any stage."""
    return report(tmp_path_factory.mktemp("undated"), UNDATED).funnel


def stays_of(days: list[float], won: list[float], lost: list[float]) -> Stays:
    table = EventTable(
        np.array(days, dtype=np.float64),
        np.array(won, dtype=np.float64),
        np.array(lost, dtype=np.float64),
        np.zeros(len(days)),
    )
    return Stays(all=table, timed=table)


SAME_DAY_WIN = {4: stays_of([0.0, 20.0], [1.0, 0.0], [0.0, 3.0])}  # the cycle: one win on day 0
TWO_SAME_DAY_WINS = {4: stays_of([0.0], [2.0], [0.0])}


# ------------------------------------------------------------------------------ stretches


def test_a_stay_covers_the_undated_stages_after_its_own() -> None:
    assert stretches(4, {1, 3}) == [Stretch(0, 0, False), Stretch(1, 2, True), Stretch(3, 3, True)]
    assert stretches(4, set()) == [Stretch(0, 3, False)]
    assert stretches(4, {0, 1, 2, 3, 4}) == [Stretch(k, k, True) for k in range(4)]  # 4: cycle


# ------------------------------------------------------------------- the time from lead to won


def test_the_plans_lead_time_is_its_days_summed() -> None:
    timed = planned_lead_time(load())
    assert timed.note is None
    assert timed.lag.weights[timed.lag.days < PLAN_DAYS].sum() == pytest.approx(0.5)
    unknown = planned_lead_time(load(NO_DAYS))
    assert unknown.lag.mean == 0.0
    assert unknown.note is not None
    assert "no expected.days in the plan" in unknown.note


def test_a_measured_lead_time_has_no_note(funnel: Funnel) -> None:
    cycle = {4: stays_of([30.0, 60.0], [1.0, 1.0], [0.0, 0.0])}
    timed = lead_time(load(), funnel, cycle)
    assert timed.lag.days.tolist() == [30.0, 60.0]
    assert timed.note is None


def test_a_same_day_win_falls_back_to_the_plan_and_says_why(funnel: Funnel) -> None:
    """One dated win, closed the day it was created: the note said "no dated wins in the data,
    no expected.days in the plan", both false. The measured 0 days tell nothing of how long a
    lead takes: the plan's 25 days are used, and the note says so."""
    timed = lead_time(load(), funnel, SAME_DAY_WIN)
    assert timed.lag.weights[timed.lag.days < PLAN_DAYS].sum() == pytest.approx(0.5)
    assert timed.note is not None
    assert timed.note.startswith(
        "the measured time from lead to won is 0 days (1 dated win, closed the day it was created)"
    )
    assert "25 days, from the plan's expected.days" in timed.note
    assert "no dated wins" not in timed.note
    many = lead_time(load(), funnel, TWO_SAME_DAY_WINS).note
    assert many is not None and "(2 dated wins, each closed the day it was created)" in many


def test_a_same_day_win_without_days_keeps_0_days_with_the_true_reason(funnel: Funnel) -> None:
    timed = lead_time(load(NO_DAYS), funnel, SAME_DAY_WIN)
    assert timed.lag.mean == 0.0
    assert timed.note is not None
    assert "0 days (1 dated win, closed the day it was created)" in timed.note
    assert "no stage has days observed or expected" in timed.note
    assert "no dated wins" not in timed.note


def test_no_dated_win_uses_the_stages_days_and_says_so(funnel: Funnel) -> None:
    timed = lead_time(load(), funnel, {})
    assert timed.note == (
        "no won deal in the data has both dates (first seen, closed): the time from lead to won "
        "is the stages' days summed instead (25 days, from the plan's expected.days)"
    )
    unknown = lead_time(load(NO_DAYS), funnel, {})
    assert unknown.lag.mean == 0.0
    assert unknown.note is not None and unknown.note.startswith("no time from lead to won is known")


# ---------------------------------------------------------------------- open deals' time to go

ADVANCE_B = stays_of([12.0], [4.0], [1.0])  # stage b's stays: four advanced on day 12


def test_without_entry_dates_open_deals_have_the_rest_of_the_lead_time(funnel: Funnel) -> None:
    lead = lead_time(load(), funnel, {4: stays_of([30.0, 60.0], [1.0, 1.0], [0.0, 0.0])})
    timing = open_deal_time(load(), funnel, {4: SAME_DAY_WIN[4]}, lead, 0)
    assert timing.current == [lead.lag] * 4
    assert timing.advance == [None] * 4
    assert timing.notes == [WHOLE_CYCLE]


def test_a_stretch_without_timed_advances_falls_back_to_the_plan(funnel: Funnel) -> None:
    """Entry dates for b and d; b's stays are timed, d's are not: a (before any date) and d
    take their planned days, b..c its measured 12 days. The notes name a and d."""
    stays = {1: ADVANCE_B, 3: stays_of([], [], []), 4: SAME_DAY_WIN[4]}
    timing = open_deal_time(load(), funnel, stays, lead_time(load(), funnel, stays), 0)
    assert timing.advance[1] is not None and timing.advance[1].days.tolist() == [12.0]
    assert timing.advance[2] is None  # inside b's stretch
    assert timing.current[2] is timing.current[1]
    for k, days in ((0, 5.0), (3, 3.0)):
        lag = timing.current[k]
        assert lag is not None
        assert lag.weights[lag.days < days].sum() == pytest.approx(0.5)
    assert timing.notes == [
        "stage a has no entry dates: open deals' time there comes from the plan's expected.days",
        "no timed advance from stage d in the data: open deals' time there comes from the plan's "
        "expected.days",
    ]
    # open deals from stage b on: nothing is said about a
    later = open_deal_time(load(), funnel, stays, lead_time(load(), funnel, stays), 1)
    assert len(later.notes) == 1 and "stage d" in later.notes[0]


def test_a_stretch_with_no_time_known_says_so(funnel: Funnel) -> None:
    stays = {0: ADVANCE_B, 1: ADVANCE_B, 2: ADVANCE_B, 3: stays_of([], [], [])}
    process = load(NO_DAYS_FOR_D)
    timing = open_deal_time(process, funnel, stays, lead_time(process, funnel, stays), 2)
    assert timing.advance[3] is None
    assert len(timing.notes) == 1
    assert timing.notes[0].startswith("no time is known for stage d")


def test_no_open_deal_no_note(funnel: Funnel) -> None:
    timing = open_deal_time(load(), funnel, {}, planned_lead_time(load()), None)
    assert timing.notes == []


def test_deals_older_than_any_measured_time_are_named() -> None:
    lag = Lag(np.array([36.0, 43.0, 51.0]), np.full(3, 1 / 3))
    stage_of = np.array([0, 0, 1, 1], dtype=np.int64)
    ages = np.array([2.0, 78.0, 63.0, 51.0])
    note = overdue_note(stage_of, ages, [lag, lag])
    assert note is not None and note.startswith("3 open deals have waited longer")
    assert overdue_note(stage_of[:1], ages[:1], [lag, lag]) is None
    # nothing known, or a time of 0 days: nothing to be overdue on
    assert overdue_note(stage_of, ages, [None, Lag(np.zeros(1), np.ones(1))]) is None


def test_stage_days_in_the_data_come_before_the_plan(tmp_path: Path) -> None:
    """A stretch not measured by timed advances takes the median days observed in its first
    stage, when its stays are timed (here: lost or still open, never advanced)."""
    process = PROCESS_YAML + "data:\n  stage_dates: {a: a_date}\n"
    deals = (
        "deal_id,stage,amount,created_at,closed_at,lost_at_stage,a_date\n"
        "L1,Closed Lost,,2024-01-01,2024-01-09,a,2024-01-01\n"
        "L2,Closed Lost,,2024-01-02,2024-01-10,a,2024-01-02\n"
    )
    found = report(tmp_path, deals, process=process).funnel
    assert found.stages[0].median_days == 8.0
    stays = {0: stays_of([8.0], [0.0], [2.0])}
    timing = open_deal_time(load(process), found, stays, planned_lead_time(load()), 0)
    lag = timing.current[0]
    assert lag is not None and lag.weights[lag.days < 8.0].sum() == pytest.approx(0.5)
    assert "the median days observed in the stages" in timing.notes[0]
