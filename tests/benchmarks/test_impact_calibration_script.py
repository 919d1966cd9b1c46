"""benchmarks/impact_calibration.py measures what it claims: its deals convert at the true
shares, its stays reach `survival_conversion` as stage_events counts them, the sized scenarios
have the decided deals they promise, and a tiny run prints the report."""

from __future__ import annotations

import math
from types import ModuleType

import numpy as np
import pytest

from salesflow.analytics.stage_events import ADVANCED, LOST, OPEN
from tests.benchmarks.scripts import BENCHMARKS, load_script


@pytest.fixture(scope="module")
def ic() -> ModuleType:
    return load_script(BENCHMARKS / "impact_calibration.py", "impact_calibration_script")


def test_a_tiny_run_prints_the_report(ic: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert ic.main(["--replicates", "2", "--seed", "3"]) == 0
    report = capsys.readouterr().out
    rows = [line for line in report.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(ic.SCENARIOS)  # the header and one row per scenario
    for name in ic.SCENARIOS:
        assert f"| {name} |" in report
    assert "coverage ≥ 0.93" in report and "false verdicts ≤ 0.05" in report


def test_stays_are_counted_as_stage_events_counts_them(ic: ModuleType) -> None:
    days = np.array([0.4, 0.6, 2.5, 2.49, 7.0, 7.2])
    events = np.array([ADVANCED, LOST, ADVANCED, OPEN, LOST, LOST])
    stays = ic.stays_from(days, events)
    table = stays.all
    # whole days, half away from zero as SQL round() does: 0, 1, 3, 2, 7, 7
    assert table.times.tolist() == [0.0, 1.0, 2.0, 3.0, 7.0]
    assert table.first.tolist() == [1.0, 0.0, 0.0, 1.0, 0.0]
    assert table.second.tolist() == [0.0, 1.0, 0.0, 0.0, 2.0]
    assert table.censored.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert stays.timed.total == table.total == 6


def test_deals_convert_at_the_true_share(ic: ModuleType) -> None:
    scenario = ic.SCENARIOS["slow-wins"]
    cohort = ic.Cohort(0.35, 20_000, 0.0, 10.0)
    stays, decided, still_open = ic.simulate_stays(
        scenario, cohort, math.inf, np.random.default_rng(1)
    )
    assert (decided, still_open) == (20_000, 0)
    share = stays.all.first.sum() / stays.all.total
    assert abs(share - 0.35) < 4 * math.sqrt(0.35 * 0.65 / 20_000)


@pytest.mark.parametrize("name", ["plus-10", "minus-15"])
def test_sized_versions_have_the_deals_needed_decided(ic: ModuleType, name: str) -> None:
    scenario = ic.SCENARIOS[name]
    needed = ic.deals_needed(scenario.before_share, scenario.effect)
    before, after = scenario.deals()
    rng = np.random.default_rng(2)
    export = scenario.after_window
    for share, deals, start, end in [
        (scenario.before_share, before, -scenario.before_window, 0.0),
        (scenario.after_share, after, 0.0, scenario.after_window),
    ]:
        cohort = ic.Cohort(share, deals * 50, start, end)
        _, decided, _ = ic.simulate_stays(scenario, cohort, export, rng)
        assert decided / 50 == pytest.approx(needed, rel=0.02)
