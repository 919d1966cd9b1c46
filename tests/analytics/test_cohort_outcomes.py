"""What became of a cohort by the end of the data (analytics/cohort_outcomes.py): its revenue, its
deals still open (censored, never revenue 0), the stale ones, and the won sales cycle that says
when a cohort is mature, on a small hand-made table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from salesflow.analytics.cohort_outcomes import (
    Cohort,
    Hindsight,
    cohort,
    stale_deals,
    won_cycle_days,
)
from salesflow.sources.canonical import DealTables
from tests.sources.deal_data import tables

# Won cycles (first seen → won): W1 60, W2 120, W3 180, W4 30, W5 30 days; the data ends on
# 2024-10-01 (W4's close). January's cohort: three won deals and S1, open since 2024-01-20
# (255 days at the end: stale). May's: W5 won, L1 lost without a close date, O1 open with an
# amount, O2 open without one (worth the mean won amount, 3,220, if it won).
DEALS = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage
W1,Closed Won,1000,2024-01-01,2024-03-01,
W2,Closed Won,2000,2024-01-02,2024-05-01,
W3,Closed Won,3000,2024-01-03,2024-07-01,
S1,Beta,500,2024-01-20,,
W4,Closed Won,100,2024-09-01,2024-10-01,
W5,Closed Won,10000,2024-05-02,2024-06-01,
L1,Closed Lost,,2024-05-15,,a
O1,Gamma,700,2024-05-10,,
O2,Alpha,,2024-05-20,,
"""
CYCLES = [60, 120, 180, 30, 30]
END = date(2024, 10, 1)


@pytest.fixture
def data(tmp_path: Path) -> DealTables:
    return tables(tmp_path, DEALS)


def test_what_the_end_of_the_data_says(data: DealTables) -> None:
    seen = Hindsight.of(data, END)
    assert seen.maturity_days == pytest.approx(np.quantile(CYCLES, 0.9))  # 156
    assert seen.stale_days == pytest.approx(np.quantile(CYCLES, 0.99))  # 177.6
    assert seen.typical_amount == pytest.approx(16_100 / 5)


def test_a_cohort_is_mature_a_maturity_after_its_period(data: DealTables) -> None:
    seen = Hindsight.of(data, END)  # maturity 156 days: 2024-04-28 + 156 days = 2024-10-01
    assert seen.mature(date(2024, 4, 28))
    assert not seen.mature(date(2024, 4, 29))


def test_a_settled_cohort_with_a_stale_deal(data: DealTables) -> None:
    january = cohort(data, date(2024, 1, 1), date(2024, 2, 1), Hindsight.of(data, END))
    assert january == Cohort(leads=4, actual=6000.0, open=0, stale=1, open_potential=0.0)
    assert january.settled


def test_open_deals_are_censored_not_revenue_zero(data: DealTables) -> None:
    """May's cohort won 10,000 and still holds O1 (700) and O2 (no amount: 3,220): the open deals
    could add 39%, far above 5%, so the cohort is not settled. L1, lost without a close date, is
    decided: not open."""
    may = cohort(data, date(2024, 5, 1), date(2024, 6, 1), Hindsight.of(data, END))
    assert may == Cohort(leads=4, actual=10_000.0, open=2, stale=0, open_potential=3920.0)
    assert not may.settled


def test_settled_is_at_most_five_percent_open() -> None:
    assert Cohort(10, 1000.0, 1, 0, 50.0).settled
    assert not Cohort(10, 1000.0, 1, 0, 50.01).settled
    assert Cohort(10, 0.0, 0, 3, 0.0).settled  # nothing won, nothing open: known to be zero
    assert not Cohort(10, 0.0, 1, 0, 1.0).settled


def test_without_won_deals_nothing_is_stale(tmp_path: Path) -> None:
    data = tables(tmp_path, "deal_id,stage,created_at\nO,Alpha,2020-01-01\nP,Alpha,2024-01-01\n")
    seen = Hindsight.of(data, date(2024, 1, 1))
    assert (seen.maturity_days, seen.stale_days, seen.typical_amount) == (0.0, None, 0.0)
    assert cohort(data, date(2020, 1, 1), date(2020, 2, 1), seen).open == 1


def test_the_won_cycle_known_before_a_date(data: DealTables) -> None:
    assert won_cycle_days(data, 0.5, before=date(2024, 4, 1)) == pytest.approx(60.0)  # W1 only
    assert won_cycle_days(data, 0.5, before=date(2024, 3, 1)) is None  # W1 closed on the day
    assert won_cycle_days(data, 0.5) == pytest.approx(60.0)


def test_stale_deals_of_overlapping_cohorts_count_once(data: DealTables) -> None:
    seen = Hindsight.of(data, END)
    periods = [(date(2024, 1, 1), date(2024, 3, 1)), (date(2024, 1, 15), date(2024, 4, 1))]
    assert stale_deals(data, periods, seen) == 1
    assert stale_deals(data, [(date(2024, 5, 1), date(2024, 6, 1))], seen) == 0
    assert stale_deals(data, [], seen) == 0
