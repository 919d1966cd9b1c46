"""Cohort-to-cohort variation: the beta-binomial ρ by the method of moments against cohorts drawn
from scipy's betabinom (and binomial), its edges, and `measure` on a small DuckDB relation of
monthly cohorts: which cohorts are mature, the fallback to none with a note."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from salesflow.analytics.dispersion import MAX_RHO, MIN_COHORTS, MIN_LEADS, measure, moment_rho
from salesflow.analytics.simulation import Dispersion


def beta_binomial_cohorts(
    sizes: NDArray[np.int64], p: float, rho: float, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    a, b = p * (1 - rho) / rho, (1 - p) * (1 - rho) / rho
    wins = stats.betabinom.rvs(sizes, a, b, random_state=np.random.default_rng(seed))
    return sizes.astype(np.float64), np.asarray(wins, dtype=np.float64)


# ------------------------------------------------------------------------- method of moments


@pytest.mark.parametrize(("p", "rho"), [(0.25, 0.05), (0.1, 0.02), (0.5, 0.15)])
def test_rho_is_recovered_from_beta_binomial_cohorts(p: float, rho: float) -> None:
    """3,000 cohorts of 30–80 leads: the estimate's spread is about 0.002 at ρ = 0.05."""
    sizes = np.random.default_rng(1).integers(30, 81, 3_000)
    leads, wins = beta_binomial_cohorts(sizes, p, rho, seed=2)
    assert moment_rho(leads, wins) == pytest.approx(rho, abs=0.01 + 0.1 * rho)


def test_binomial_cohorts_have_no_dispersion() -> None:
    """No extra variation: the estimate is about 0 (negative ones clipped to 0)."""
    rng = np.random.default_rng(3)
    sizes = rng.integers(30, 81, 3_000)
    for seed in range(5):
        wins = np.random.default_rng(seed).binomial(sizes, 0.25).astype(np.float64)
        assert 0.0 <= moment_rho(sizes.astype(np.float64), wins) < 0.002


def test_rho_is_unbiased_for_small_cohorts() -> None:
    """20,000 cohorts of 4 leads at ρ = 0.2: the estimate's spread is about 0.005."""
    leads, wins = beta_binomial_cohorts(np.full(20_000, 4), 0.3, 0.2, seed=4)
    assert moment_rho(leads, wins) == pytest.approx(0.2, abs=0.02)
    # by hand: cohorts of 10, 20, 30 winning 1, 8, 9 → p̂ 0.3, S = 0.6, S/(p̂(1 − p̂)) = 2.857;
    # ρ = (2.857 − 2) / (60 − 1,400/60 − 2) = 0.02473
    hand = moment_rho(np.array([10.0, 20.0, 30.0]), np.array([1.0, 8.0, 9.0]))
    assert hand == pytest.approx((0.6 / 0.21 - 2) / (60 - 1_400 / 60 - 2), rel=1e-9)


def test_rho_edges() -> None:
    one = moment_rho(np.array([50.0]), np.array([10.0]))
    nothing_won = moment_rho(np.array([20.0, 30.0]), np.array([0.0, 0.0]))
    all_won = moment_rho(np.array([20.0, 30.0]), np.array([20.0, 30.0]))
    assert (one, nothing_won, all_won) == (0.0, 0.0, 0.0)
    assert moment_rho(np.array([]), np.array([])) == 0.0
    # all or nothing in each cohort: as dispersed as it gets, capped
    assert moment_rho(np.array([20.0, 20.0, 20.0, 20.0]), np.array([0.0, 20.0, 0.0, 20.0])) == (
        MAX_RHO
    )
    # identical rates: none
    assert moment_rho(np.array([20.0, 40.0]), np.array([5.0, 10.0])) == 0.0


# ------------------------------------------------------------------------------- measure

END = datetime(2024, 10, 5)
WINS = [2, 10, 4, 12, 3, 9, 5, 11]  # January to August 2024, 20 leads each


def cohort_rows(
    month: int, leads: int, wins: int, cycle_days: int, year: int = 2024
) -> list[tuple[datetime | None, datetime | None, str]]:
    rows: list[tuple[datetime | None, datetime | None, str]] = []
    for i in range(leads):
        seen = datetime(year, month, 1 + i % 20, 9)
        if i < wins:
            rows.append((seen, seen + timedelta(days=cycle_days), "won"))
        elif i % 2:
            rows.append((seen, seen + timedelta(days=5), "lost"))
        else:
            rows.append((seen, None, "open"))
    return rows


def relation(cycle_days: int = 10, months: int = 8) -> duckdb.DuckDBPyConnection:
    """Mature cohorts January–`months` of 2024 (20 leads, WINS[m] won `cycle_days` after they
    were first seen), plus what `measure` must leave out: a September cohort too young at
    END, an October one after it, a December 2023 one with fewer than MIN_LEADS leads and
    undated leads."""
    rows = [r for m in range(months) for r in cohort_rows(m + 1, 20, WINS[m], cycle_days)]
    rows += cohort_rows(9, 20, 20, cycle_days) + cohort_rows(10, 20, 0, cycle_days)
    rows += cohort_rows(12, MIN_LEADS - 1, MIN_LEADS - 1, cycle_days, year=2023)
    rows += [(None, None, "lost")] * 30
    con = duckdb.connect()
    con.execute("CREATE TABLE deals (first_seen TIMESTAMP, closed_at TIMESTAMP, status VARCHAR)")
    values = ", ".join(f"({sql(seen)}, {sql(closed)}, '{status}')" for seen, closed, status in rows)
    con.execute(f"INSERT INTO deals VALUES {values}")
    return con


def sql(moment: datetime | None) -> str:
    return "NULL" if moment is None else f"TIMESTAMP '{moment.isoformat(sep=' ')}'"


def test_measure_uses_the_mature_monthly_cohorts() -> None:
    """Won deals take 10 days (the 90th percentile of the cycle): a month is mature when it
    ended 10 days before END — January to August, not September."""
    measured = measure(relation(), END, deals="deals")
    expected = moment_rho(np.full(8, 20.0), np.array(WINS, dtype=np.float64))
    assert expected > 0.05
    assert measured.dispersion == Dispersion(rho=pytest.approx(expected, rel=1e-12), cohorts=8)
    assert measured.note is None


def test_a_longer_cycle_leaves_the_last_month_out() -> None:
    """Won deals take 40 days: August ended only 35 days before END."""
    measured = measure(relation(cycle_days=40), END, deals="deals")
    expected = moment_rho(np.full(7, 20.0), np.array(WINS[:7], dtype=np.float64))
    assert measured.dispersion.cohorts == 7
    assert measured.dispersion.rho == pytest.approx(expected, rel=1e-12)


def test_too_few_mature_cohorts_measure_none_and_say_so() -> None:
    measured = measure(relation(months=MIN_COHORTS - 1), END, deals="deals")
    assert measured.dispersion == Dispersion()
    assert measured.note is not None
    assert f"{MIN_COHORTS - 1} mature monthly cohort(s)" in measured.note
    assert f"fewer than {MIN_COHORTS}" in measured.note


def test_no_dated_leads_measure_none_and_say_so() -> None:
    measured = measure(relation(), None, deals="deals")
    assert measured.dispersion == Dispersion()
    assert measured.note is not None and "no dated leads" in measured.note
