"""benchmarks/forecast_calibration.py measures what it claims: the realised revenues it compares
the forecast with come from the known process, and one replicate runs the real command."""

from __future__ import annotations

import copy
import math
from datetime import datetime
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tests.benchmarks.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "forecast_calibration.py"
EXPORT_AT = datetime(2026, 6, 30, 18, 0, 0)


@pytest.fixture(scope="module")
def fc() -> ModuleType:
    """The script, loaded from its path."""
    return load_script(SCRIPT, "forecast_calibration_script")


def cohort_moments(leads: int, win_rate: float, mean: float, sigma: float) -> tuple[float, float]:
    """Mean and variance of the sum of Binomial(leads, win_rate) lognormal amounts."""
    second = mean**2 * math.exp(sigma**2)  # E[X²] of a lognormal with this mean
    wins = leads * win_rate
    return wins * mean, wins * second - leads * win_rate**2 * mean**2


@pytest.mark.parametrize("name", ["closed-900", "heavy-tails"])
def test_fresh_cohort_revenue_has_the_true_mean(fc: ModuleType, name: str) -> None:
    scenario = fc.SCENARIOS[name]
    assert scenario.expected_revenue == pytest.approx(200 * 0.12 * 12_000)
    rng = np.random.default_rng(4)
    cohorts = 1000
    revenues = [fc.cohort_revenue(scenario.truth, scenario.leads, rng) for _ in range(cohorts)]
    mean, variance = cohort_moments(200, 0.12, 12_000, scenario.truth.amount_sigma)
    assert mean == pytest.approx(scenario.expected_revenue)
    error = math.sqrt(variance / cohorts)
    assert abs(np.mean(revenues) - mean) < 4 * error
    assert np.var(revenues) == pytest.approx(variance, rel=0.5 if name == "heavy-tails" else 0.15)


def test_leads_scale_the_expected_revenue(fc: ModuleType) -> None:
    assert fc.SCENARIOS["leads-1000"].expected_revenue == pytest.approx(1_440_000)
    assert fc.SCENARIOS["pipeline"].expected_revenue == 0


@pytest.mark.parametrize(
    ("name", "closed", "deals"), [("closed-30", 30, 43), ("closed-140", 140, 200)]
)
def test_history_size_gives_the_intended_closed_count(
    fc: ModuleType, name: str, closed: int, deals: int
) -> None:
    truth = fc.SCENARIOS[name].truth
    assert truth.deals == deals
    window = fc.cal.arrival_window(truth)
    rng = np.random.default_rng(9)
    counts = [
        np.sum(fc.cal.simulate(truth, truth.deals, window, rng).status != fc.cal.OPEN)
        for _ in range(300)
    ]
    assert abs(np.mean(counts) - closed) < 0.05 * closed


def test_sizing_of_the_large_histories(fc: ModuleType) -> None:
    assert fc.deals_for(900, 0.30) == 1286
    assert fc.SCENARIOS["slow-losses-40-open"].truth.deals == 1500


def hand_deals(fc: ModuleType, status: list[int], amount: list[float]) -> object:
    n = len(status)
    nan = np.full(n, np.nan)
    position = np.zeros(n, dtype=np.int64)
    return fc.cal.Deals(
        nan,
        np.full((n, 3), np.nan),
        nan,
        np.array(status, np.int8),
        position,
        np.array(amount),
        1.0,
    )


def test_realised_pipeline_is_the_open_deals_that_win_later(fc: ModuleType) -> None:
    open_, won, lost = fc.cal.OPEN, fc.cal.WON, fc.cal.LOST
    amounts = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    history = hand_deals(fc, [open_, open_, won, lost, open_, open_], amounts)
    fates = hand_deals(fc, [won, lost, won, lost, won, open_], amounts)
    # Open then won: 1 and 16. Won before the export (4) is not pipeline; lost later (2) is 0.
    assert fc.pipeline_revenue(history, fates) == 17.0


def test_pipeline_truth_is_what_the_open_deals_bring(fc: ModuleType) -> None:
    truth = fc.SCENARIOS["pipeline"].truth
    window = fc.cal.arrival_window(truth)
    rng = np.random.default_rng(21)
    again = copy.deepcopy(rng)
    history = fc.cal.simulate(truth, 20_000, window, rng)
    fates = fc.cal.simulate(truth, 20_000, window, again, export_day=math.inf)
    closed = history.status != fc.cal.OPEN
    np.testing.assert_array_equal(history.status[closed], fates.status[closed])
    is_open = np.flatnonzero(~closed)
    chances = np.array(
        [
            fc.win_probability(truth, int(history.position[i]), window - history.entered[i, k])
            for i in is_open
            for k in [int(history.position[i])]
        ]
    )
    amounts = history.amount[is_open]
    error = math.sqrt(float(np.sum(amounts**2 * chances * (1 - chances))))
    expected = fc.pipeline_expectation(history, truth)
    assert expected == pytest.approx(float(np.sum(amounts * chances)))
    assert abs(fc.pipeline_revenue(history, fates) - expected) < 4 * error


def test_win_probability_falls_with_time_in_stage_when_losses_are_slow(fc: ModuleType) -> None:
    truth = fc.SCENARIOS["pipeline"].truth
    assert fc.win_probability(truth, 0, 1e-6) == pytest.approx(0.12)
    assert fc.win_probability(truth, 2, 1e-6) == pytest.approx(0.4)
    chances = [fc.win_probability(truth, 1, days) for days in (1, 10, 30, 100, 300)]
    assert chances == sorted(chances, reverse=True)
    assert chances[-1] < 0.01


def test_process_files_declare_a_plan_only_where_asked(fc: ModuleType) -> None:
    plain = fc.SCENARIOS["closed-30"]
    text = fc.cal.process_yaml(plain.truth, plain.plan)
    assert "expected" not in text and "deal_size" not in text
    planned = fc.SCENARIOS["closed-30-plan"]
    text = fc.cal.process_yaml(planned.truth, planned.plan)
    assert "conversion: 0.48}" in text and "conversion: 0.32}" in text
    assert "deal_size: 14400}" in text


def test_verdict_marks_the_band(fc: ModuleType) -> None:
    share = fc.cal.Share
    assert [fc.verdict(share(k, 100)) for k in (69, 70, 90, 91)] == ["miss", "pass", "pass", "miss"]
    assert fc.verdict(share(0, 0)) == fc.cal.DASH


def test_a_failed_run_keeps_its_first_error_line(fc: ModuleType, tmp_path: Path) -> None:
    arguments = ["forecast", "-p", str(tmp_path / "absent.yaml"), "--leads", "1", "-q"]
    forecast, error = fc.run_forecast(arguments, tmp_path, pipeline=False)
    assert forecast is None
    assert error.startswith("exit 2: salesflow: error:") and "\n" not in error


def test_one_pipeline_replicate_runs_the_command(fc: ModuleType, tmp_path: Path) -> None:
    scenario = fc.SCENARIOS["pipeline"]
    result = fc.measure(scenario, 1, 1, 1, 2000, tmp_path, EXPORT_AT)
    [record] = result.records
    assert record.error is None and record.forecast is not None
    assert 800 < record.closed < 1000
    assert record.forecast.p10 <= record.forecast.mean <= record.forecast.p90
    assert record.truth > 0 and record.realised > 0
    row = fc.row(result)
    assert row[:5] == ["pipeline", "0 + pipeline", f"{record.closed}", "1", "0"]
