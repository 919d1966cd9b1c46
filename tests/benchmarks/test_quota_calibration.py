"""benchmarks/quota_calibration.py --team judges each simulated team as analyze does."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from salesflow.analytics.goal_stats import credible, discoveries
from tests.benchmarks.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "quota_calibration.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script(SCRIPT, "quota_calibration_script")


def test_people_at_half_quota_are_judged_shorter(script: ModuleType) -> None:
    rng = np.random.default_rng(3)
    found = [script.team_probabilities(rng, 40, 0.0, 30.0, 20) for _ in range(20)]
    short = np.mean([p for team in found for p in team[:20] if p is not None])
    on_quota = np.mean([p for team in found for p in team[20:] if p is not None])
    assert short > 0.9 > on_quota


def test_team_rates_count_what_each_rule_flags(script: ModuleType) -> None:
    rates = script.team_rates(np.random.default_rng(5), 8, 30.0, 0.25, 300)
    alone, together = rates["alone"], rates["together"]
    assert all(0.0 <= value <= 1.0 for value in (*alone, *together))
    # deciding together never marks more people than deciding alone
    assert together[0] <= alone[0] and together[2] <= alone[2]
    assert alone[2] > 0.3  # two of eight at half quota with 30 expected wins: often marked


def test_together_marks_a_subset_of_alone() -> None:
    rng = np.random.default_rng(11)
    for _ in range(200):
        found = [float(p) for p in rng.uniform(0.5, 1.0, 12)]
        assert all(credible(p) for p, flag in zip(found, discoveries(found), strict=True) if flag)
