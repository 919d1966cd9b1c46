"""benchmarks/phasing_calibration.py compares the forecast's months with the right truth: the
true expected revenue per calendar month adds up to the cohorts' expected revenue, and lands no
earlier than the sales cycle allows."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from tests.benchmarks.scripts import BENCHMARKS, load_script


@pytest.fixture(scope="module")
def phasing() -> ModuleType:
    load_script(BENCHMARKS / "calibration.py", "calibration")
    load_script(BENCHMARKS / "forecast_calibration.py", "forecast_calibration")
    return load_script(BENCHMARKS / "phasing_calibration.py", "phasing_calibration_script")


def test_the_true_months_add_up_to_the_cohorts_expected_revenue(
    phasing: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phasing, "TRUTH_LEADS", 200_000)
    months = phasing.true_months()
    expected = phasing.MONTHS * phasing.PER_MONTH * 0.12 * 12_000.0
    assert len(months) == phasing.MONTHS + 1
    assert months.sum() == pytest.approx(expected, rel=0.03)
    # the cycle takes about 45 days: the first month holds little, the later months level off
    assert months[0] < 0.05 * months[3]
    assert months[4] == pytest.approx(months[5], rel=0.05)


def test_a_realised_cohort_lands_in_the_months_and_later(phasing: ModuleType) -> None:
    realised = phasing.realised_months(np.random.default_rng(3))
    assert realised.shape == (phasing.MONTHS + 1,)
    assert (realised >= 0).all()
    assert realised.sum() > 0
