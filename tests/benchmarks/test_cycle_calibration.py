"""benchmarks/cycle_calibration.py simulates the cycle it claims and judges it as analyze does."""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tests.benchmarks.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "cycle_calibration.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script(SCRIPT, "cycle_calibration_script")


def test_the_truth_is_the_median_whole_day_of_the_wins(script: ModuleType) -> None:
    rng = np.random.default_rng(1)
    days = np.round(script.MEDIAN * np.exp(script.SIGMA * rng.standard_normal(400_000)))
    first_half_day = float(np.sort(days)[math.ceil(len(days) / 2) - 1])
    assert script.truth() == first_half_day


def test_simulated_deals_end_as_the_scenario_says(script: ModuleType) -> None:
    table = script.simulated(np.random.default_rng(2), 3000, 1e6)  # nothing left open
    assert table.censored.sum() == 0
    assert table.first.sum() / table.total == pytest.approx(script.WIN_SHARE, abs=0.01)


def test_many_wins_find_a_slow_cycle_and_spare_one_on_the_goal(script: ModuleType) -> None:
    coverage, bias, at_goal, quarter, half, none = script.judged(
        np.random.default_rng(3), 300, 730.0, 20
    )
    assert coverage >= 0.8 and abs(bias) < 0.05 and none == 0
    assert at_goal <= 0.2 and quarter <= half == 1.0
