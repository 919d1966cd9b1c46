"""Property tests: random small deal tables, the invariants every funnel must satisfy, and the
counts of a plain-Python reference model of the canonical deals (docs/data-sources.md)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.model.funnel import Funnel
from tests.sources.deal_data import process_yaml, report

STAGES = 4
PROCESS = process_yaml(
    "  stage_dates: {a: a_date, b: b_date, c: c_date, d: d_date}\n"
    "  columns: {lost_stage: lost_at_stage}\n"
    "  ignore: [deleted]\n"
)
STAGE_LABELS = [
    ["a", "Alpha", "First Touch", "prospecting"],
    ["b", "BETA", "Second Meeting"],
    ["c", "gamma", "Proposal Sent"],
    ["d", "Delta", "NEGOTIATION"],
]
OUTCOME_LABELS = {"won": ["Won", "closed won", " SIGNED "], "lost": ["Lost", "dead", "Closed Lost"]}
# Status values must say won, lost or open (else refused as unmapped-status): `open` in any case
# and padding, no status at all, or the deal's own stage label (Deal.row).
OPEN_STATUSES = ["", "Open", " OPEN "]
IGNORED_LABELS = ["Deleted", " deleted ", "DELETED"]  # data.ignore: rows dropped and counted
START = date(2024, 1, 1)
EPSILON = 1e-12  # wilson_interval's bounds can be one ulp inside 0 or 1 (see test_stats.py)


@dataclass(frozen=True)
class Deal:
    status: str  # open, won, lost, deleted (ignored)
    stage: int  # where an open deal is; the furthest stage a lost deal reached
    label: int  # which of the labels to write
    lost_stage_written: bool
    dated: tuple[bool, ...]  # which stages up to `stage` carry an entry date
    owner: str
    by_status: bool  # the outcome is in the status column, the stage column holds the stage

    def label_stage(self) -> int | None:
        return self.stage if self.status == "open" or self.by_status else None

    def position(self) -> int:
        """The reference model: where the canonical model puts the deal."""
        if self.status == "won":
            return STAGES - 1
        evidence = [k for k in range(STAGES) if self.dated[k]]
        label = self.label_stage()
        if label is not None:
            evidence.append(label)
        if self.status == "lost" and self.lost_stage_written:
            return self.stage
        return max(evidence, default=0)

    def row(self, number: int) -> str:
        stage = STAGE_LABELS[self.stage][self.label % len(STAGE_LABELS[self.stage])]
        outcomes = {
            "open": [*OPEN_STATUSES, stage],
            "deleted": IGNORED_LABELS,
            **OUTCOME_LABELS,
        }[self.status]
        outcome = outcomes[self.label % len(outcomes)]
        if self.by_status:
            label, status = stage, outcome
        else:
            label, status = (stage if self.status == "open" else outcome), ""
        lost = (
            STAGE_LABELS[self.stage][0] if self.status == "lost" and self.lost_stage_written else ""
        )
        # entry dates increase along the stages: stage k entered on day 3k + deal number
        days = [
            (START + timedelta(days=3 * k + number)).isoformat() if self.dated[k] else ""
            for k in range(STAGES)
        ]
        return ",".join([f"R{number}", label, status, self.owner, lost, *days])


@st.composite
def deals(draw: st.DrawFn) -> Deal:
    status = draw(st.sampled_from(["open", "open", "won", "lost", "deleted"]))
    stage = draw(st.integers(0, STAGES - 1))
    reachable = STAGES if status == "won" else stage + 1
    dated = tuple(draw(st.booleans()) if k < reachable else False for k in range(STAGES))
    return Deal(
        status=status,
        stage=stage,
        label=draw(st.integers(0, 3)),
        lost_stage_written=draw(st.booleans()),
        dated=dated,
        owner=draw(st.sampled_from(["ann", "bob", "cid", ""])),
        by_status=draw(st.booleans()),
    )


def _csv(table: list[Deal]) -> str:
    header = "deal_id,stage,status,owner,lost_at_stage,a_date,b_date,c_date,d_date"
    return "\n".join([header, *(deal.row(i) for i, deal in enumerate(table))]) + "\n"


def _check_invariants(funnel: Funnel) -> None:
    stages = funnel.stages
    deals_ = funnel.deals
    assert deals_.total == deals_.won + deals_.lost + deals_.open
    assert stages[0].entered == deals_.total
    assert stages[-1].advanced == deals_.won
    assert sum(s.lost for s in stages) == deals_.lost
    assert sum(s.open for s in stages) == deals_.open
    for earlier, later in itertools.pairwise(stages):
        assert later.entered <= earlier.entered
        # those who advanced from a stage entered the next one
        assert earlier.advanced == later.entered
    for stage in stages:
        assert stage.entered == stage.advanced + stage.lost + stage.open
        assert min(stage.advanced, stage.lost, stage.open) >= 0
        decided = stage.advanced + stage.lost
        if decided == 0:
            assert stage.conversion is None
            assert stage.conversion_ci is None
            continue
        assert stage.conversion is not None and stage.conversion_ci is not None
        assert 0.0 <= stage.conversion <= 1.0
        low, high = stage.conversion_ci
        assert 0.0 <= low <= high <= 1.0
        assert low - EPSILON <= stage.conversion <= high + EPSILON
        if stage.open == 0:
            # nothing censored: the survival estimate is the plain share
            assert stage.conversion == pytest.approx(stage.naive_conversion, abs=1e-12)
        if stage.median_days is not None:
            assert stage.median_days >= 0
            assert stage.completed_stays > 0
        if stage.p80_days is not None:
            # the curve falls to 0.2 only after it has fallen to 0.5
            assert stage.median_days is not None
            assert stage.median_days <= stage.p80_days
    cumulative = [s.cumulative_conversion for s in stages]
    prefix = list(itertools.takewhile(lambda value: value is not None, cumulative))
    assert all(value is None for value in cumulative[len(prefix) :])
    known = [value for value in prefix if value is not None]
    for earlier_value, later_value in itertools.pairwise(known):
        assert later_value <= earlier_value + EPSILON
    if funnel.win_rate is not None:
        assert 0.0 <= funnel.win_rate <= 1.0
    # the headline and the cumulative column agree
    assert funnel.win_rate == cumulative[-1]


@settings(max_examples=25, deadline=None)
@given(table=st.lists(deals(), min_size=1, max_size=60))
def test_random_tables(table: list[Deal], tmp_path_factory: pytest.TempPathFactory) -> None:
    directory: Path = tmp_path_factory.mktemp("deals")
    result = report(directory, _csv(table), process=PROCESS, by="owner")
    funnel = result.funnel
    _check_invariants(funnel)

    # the reference model's counts; deleted deals are left out and counted
    deleted = sum(deal.status == "deleted" for deal in table)
    assert result.ignored_rows == deleted
    won = sum(deal.status == "won" for deal in table)
    lost_at = [0] * STAGES
    open_at = [0] * STAGES
    for deal in table:
        if deal.status == "lost":
            lost_at[deal.position()] += 1
        elif deal.status == "open":
            open_at[deal.position()] += 1
    assert funnel.deals.model_dump() == {
        "total": len(table) - deleted,
        "won": won,
        "lost": sum(lost_at),
        "open": sum(open_at),
    }
    assert [s.lost for s in funnel.stages] == lost_at
    assert [s.open for s in funnel.stages] == open_at

    # groups add up to the whole
    assert sum(g.funnel.deals.total for g in result.groups) == funnel.deals.total
    for group in result.groups:
        _check_invariants(group.funnel)
        assert group.small == (group.funnel.deals.won + group.funnel.deals.lost < 30)
    for k, stage in enumerate(funnel.stages):
        for field in ("entered", "advanced", "lost", "open", "completed_stays", "open_stays"):
            assert sum(getattr(g.funnel.stages[k], field) for g in result.groups) == getattr(
                stage, field
            )
