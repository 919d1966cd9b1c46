"""The synthetic exports of benchmarks/calibration.py are what the calibration claims they are."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.benchmarks.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "calibration.py"
EXPORT_AT = datetime(2026, 6, 30, 18, 0, 0)
STAMP = "%Y-%m-%d %H:%M:%S"


@pytest.fixture(scope="module")
def calibration() -> ModuleType:
    """The script, loaded from its path."""
    return load_script(SCRIPT, "calibration_script")


def exported_rows(
    calibration: ModuleType, name: str, deals: int, tmp_path: Path, export_day: float | None = None
) -> tuple[Any, list[dict[str, str]]]:
    scenario = calibration.SCENARIOS[name]
    window = calibration.arrival_window(scenario)
    simulated = calibration.simulate(
        scenario, deals, window, np.random.default_rng(11), export_day=export_day
    )
    path = tmp_path / f"{name}.csv"
    calibration.write_deals(simulated, scenario, path, EXPORT_AT)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == calibration.columns(scenario)
        return scenario, list(reader)


def when(text: str) -> datetime:
    return datetime.strptime(text, STAMP)


def reached(row: dict[str, str], ids: tuple[str, ...]) -> int:
    """How many stages the row has an entry date for, checking they form a prefix."""
    dated = [bool(row[f"{sid}_date"]) for sid in ids]
    count = sum(dated)
    assert dated == [True] * count + [False] * (len(ids) - count), row
    return count


def check_row(row: dict[str, str], ids: tuple[str, ...]) -> None:
    count = reached(row, ids)
    assert count >= 1 and row["created_at"] == row["s1_date"], row
    assert float(row["amount"]) > 0
    if row["stage"] == "Won":
        assert count == len(ids) and row["closed_at"] and not row["lost_at_stage"], row
    elif row["stage"] == "Lost":
        assert row["closed_at"] and row["lost_at_stage"] == ids[count - 1], row
    else:
        assert row["stage"] == ids[count - 1] and not row["closed_at"], row
        assert not row["lost_at_stage"], row
    times = [when(row[f"{sid}_date"]) for sid in ids[:count]]
    times += [when(row["closed_at"])] if row["closed_at"] else []
    assert times == sorted(times), row
    assert times[-1] <= EXPORT_AT, row


@pytest.mark.parametrize("name", ["slow-losses", "five-stages"])
def test_rows_are_valid_and_dates_ordered(
    calibration: ModuleType, name: str, tmp_path: Path
) -> None:
    scenario, rows = exported_rows(calibration, name, 2000, tmp_path)
    assert len({row["deal_id"] for row in rows}) == len(rows) == 2000
    for row in rows:
        check_row(row, scenario.ids)
    stages = Counter(row["stage"] for row in rows)
    assert set(stages) == {*scenario.ids, "Won", "Lost"}


@pytest.mark.parametrize(
    "name", ["equal-clocks", "slow-losses", "fast-losses", "open-40", "small", "five-stages"]
)
def test_open_share_is_the_intended_one(calibration: ModuleType, name: str) -> None:
    scenario = calibration.SCENARIOS[name]
    window = calibration.arrival_window(scenario)
    deals = calibration.simulate(scenario, 5000, window, np.random.default_rng(3))
    assert abs(deals.open_share - scenario.open_share) < 0.03


# Enough deals for 0.02 to be three standard errors at the last stage (about 6,000 deals there).
@pytest.mark.parametrize(("name", "deals"), [("slow-losses", 20_000), ("five-stages", 50_000)])
def test_naive_conversion_without_censoring_is_the_truth(
    calibration: ModuleType, name: str, deals: int, tmp_path: Path
) -> None:
    scenario = calibration.SCENARIOS[name]
    simulated = calibration.simulate(
        scenario, deals, 300.0, np.random.default_rng(11), export_day=1e5
    )
    path = tmp_path / "deals.csv"
    calibration.write_deals(simulated, scenario, path, EXPORT_AT)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    dates = slice(5, 5 + scenario.stages)  # the sK_date columns
    assert {row[1] for row in rows} == {"Won", "Lost"}  # nothing is open
    # Stages reached, a won deal counting one past the last: stage k converted what reached k + 2.
    reached = Counter(
        scenario.stages + 1 if row[1] == "Won" else sum(1 for value in row[dates] if value)
        for row in rows
    )
    for k, truth in enumerate(scenario.conversions):
        entered = sum(n for stages, n in reached.items() if stages > k)
        advanced = sum(n for stages, n in reached.items() if stages > k + 1)
        assert advanced / entered == pytest.approx(truth, abs=0.02), scenario.ids[k]


def test_truth_holds_the_known_values(calibration: ModuleType) -> None:
    scenario = calibration.SCENARIOS["slow-losses"]
    truth = calibration.truth_of(scenario, draws=200_000).values
    assert truth["s1.conversion"] == 0.6
    assert truth["s2.conversion"] == 0.5
    assert truth["s3.conversion"] == 0.4
    assert truth["win_rate"] == pytest.approx(0.12)
    assert truth["s2.cumulative_conversion"] == pytest.approx(0.3)
    assert truth["s2.median_days_to_advance"] == 15.0
    assert truth["s2.median_days_to_lose"] == 45.0
    # The time in stage is the mixture of both clocks; check it against draws from it.
    rng = np.random.default_rng(5)
    advance = rng.random(400_000) < 0.5
    days = np.where(
        advance, rng.lognormal(np.log(15), 0.6, 400_000), rng.lognormal(np.log(45), 0.6, 400_000)
    )
    assert truth["s2.median_days"] == pytest.approx(np.median(days), rel=0.01)
    assert truth["s2.p80_days"] == pytest.approx(np.quantile(days, 0.8), rel=0.01)
    # Three lognormal stays with medians 12, 15, 18 add up to a cycle of about 50 days.
    assert truth["median_cycle_days"] == pytest.approx(50.2, rel=0.01)


def test_five_stage_truth(calibration: ModuleType) -> None:
    scenario = calibration.SCENARIOS["five-stages"]
    truth = calibration.truth_of(scenario, draws=100_000).values
    assert [truth[f"{sid}.conversion"] for sid in scenario.ids] == [0.7, 0.6, 0.5, 0.6, 0.5]
    assert truth["win_rate"] == pytest.approx(0.063)


def test_equal_clocks_time_in_stage_is_the_advancing_time(calibration: ModuleType) -> None:
    truth = calibration.truth_of(calibration.SCENARIOS["equal-clocks"], draws=10_000).values
    assert truth["s3.median_days"] == pytest.approx(18.0)


def test_replicates_are_reproducible(calibration: ModuleType) -> None:
    scenario = calibration.SCENARIOS["small"]
    first = calibration.simulate(scenario, 60, 100.0, calibration.replicate_rng(1, scenario, 7))
    again = calibration.simulate(scenario, 60, 100.0, calibration.replicate_rng(1, scenario, 7))
    other = calibration.simulate(scenario, 60, 100.0, calibration.replicate_rng(1, scenario, 8))
    np.testing.assert_array_equal(first.created, again.created)
    assert not np.array_equal(first.created, other.created)


def test_reader_tolerates_missing_keys(calibration: ModuleType) -> None:
    scenario = calibration.SCENARIOS["equal-clocks"]
    empty = calibration.read_report({}, scenario)
    assert set(empty.values.values()) == {None}
    assert empty.bottleneck is None
    report = {
        "win_rate": 0.1,
        "bottleneck": {"stage": "s2"},
        "stages": [{"id": "s1", "advanced": 6, "lost": 4, "conversion_ci": [0.3, 0.8]}],
    }
    read = calibration.read_report(report, scenario)
    assert read.values["win_rate"] == 0.1
    assert read.values["s1.naive_conversion"] == 0.6
    assert read.intervals["s1.conversion"] == (0.3, 0.8)
    low, high = read.intervals["s1.naive_conversion"]
    assert low == pytest.approx(0.3127, abs=1e-4) and high == pytest.approx(0.8318, abs=1e-4)
    assert read.bottleneck == "s2"


def test_process_file_validates(calibration: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "process.yaml"
    path.write_text(calibration.process_yaml(calibration.SCENARIOS["five-stages"]))
    done = subprocess.run(
        [sys.executable, "-m", "salesflow", "validate", "--strict", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
