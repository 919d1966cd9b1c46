"""analytics.measures: with `--by`, the stays of all deals are the groups' summed rather than
counted again; they equal those counted for all deals alone, with wide dates and with a stage
history."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from salesflow.analytics.funnel import OVERALL
from salesflow.analytics.goal_data import GROUP_KEY
from salesflow.analytics.measures import Measures, measure
from salesflow.sources.canonical import DealTables
from tests.helpers import EXAMPLE, REPO
from tests.sources.deal_data import tables

DEALS = REPO / "examples" / "deals.csv"
HISTORY = REPO / "examples" / "stage_history.csv"


def tables_by(tmp_path: Path, column: str, history: bool) -> DealTables:
    return tables(
        tmp_path,
        process=EXAMPLE.read_text(encoding="utf-8"),
        deals_path=DEALS,
        history_path=HISTORY if history else None,
        by=column,
    )


def overall(measured: Measures) -> dict[int, tuple[np.ndarray, ...]]:
    stays = measured.stays[0]["*"]
    return {
        k: tuple(
            getattr(getattr(stay, part), name)
            for part in ("all", "timed")
            for name in ("times", "first", "second", "censored")
        )
        for k, stay in stays.items()
    }


@pytest.mark.parametrize("history", [False, True])
@pytest.mark.parametrize("column", ["owner", "segment"])
def test_the_groups_summed_are_all_deals(tmp_path: Path, column: str, history: bool) -> None:
    built = tables_by(tmp_path, column, history)
    grouped, alone = measure(built, [OVERALL, GROUP_KEY]), measure(built, [OVERALL])
    assert len(grouped.stays[1]) > 1  # several groups
    summed, counted = overall(grouped), overall(alone)
    assert summed.keys() == counted.keys()
    for k in counted:
        for ours, theirs in zip(summed[k], counted[k], strict=True):
            assert np.array_equal(ours, theirs)
    assert grouped.tallies[0] == alone.tallies[0]
    assert grouped.amounts[0] == alone.amounts[0]


@pytest.mark.parametrize("history", [False, True])
def test_one_stage_counted_alone_is_as_counted_with_all(tmp_path: Path, history: bool) -> None:
    """`impact` counts, per grouping, one stage's stays and no won amounts (analytics.periods):
    that stage and the cycle come out as when every stage is counted."""
    built = tables_by(tmp_path, "segment", history)
    every = measure(built, [GROUP_KEY])
    stages = built.stage_count
    for stage in sorted(built.dated_stages):
        alone = measure(built, [GROUP_KEY], amounts=False, timed=[{stage}])
        assert alone.amounts == [{}]
        assert alone.tallies == every.tallies
        for group, by_stage in alone.stays[0].items():
            assert set(by_stage) <= {stage, stages}
            for k, stays in by_stage.items():
                expected = every.stays[0][group][k]
                for part in ("all", "timed"):
                    ours, theirs = getattr(stays, part), getattr(expected, part)
                    for name in ("times", "first", "second", "censored"):
                        assert np.array_equal(getattr(ours, name), getattr(theirs, name))
