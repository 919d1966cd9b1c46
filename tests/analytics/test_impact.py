"""analytics.impact: which version each deal counts for in each stage, and what is said about
each stage. Exact counts on small hand-made data; the statistics themselves are tested in
test_comparison.py, the whole command on a known process in tests/cli/test_impact.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from salesflow.analytics.impact import Window, control_windows, impact, stage_windows, summary
from salesflow.analytics.periods import periods
from salesflow.errors import InputError
from salesflow.model.impact import Cohort, StageImpact, Version
from salesflow.sources.canonical import DealTables
from tests.sources.deal_data import process_yaml, tables

# Stage dates for Alpha and Beta only: Gamma and Delta are split by the day a deal was created.
DATA = "  stage_dates: {a: a_date, b: b_date}\n"
DEALS = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage,a_date,b_date
X1,Closed Lost,100,2024-01-10,2024-03-05,b,2024-01-10,2024-02-28
X2,Closed Won,200,2024-02-20,2024-04-01,,2024-02-20,2024-03-01
X3,Closed Lost,300,2024-03-10,2024-03-20,b,,2024-03-15
X4,Gamma,400,2024-05-31,,,,2024-06-02
X0,Closed Lost,500,2023-12-01,2023-12-05,a,2023-12-01,
"""
STARTS = [date(2024, 1, 1), date(2024, 3, 1), date(2024, 6, 1)]


@pytest.fixture
def data(tmp_path: Path) -> DealTables:
    return tables(tmp_path, DEALS, process=process_yaml(DATA))


def version(index: int, changed: dict[str, list[str]] | None = None) -> Version:
    return Version(
        revision=f"{index:040d}",
        previous=f"{index - 1:040d}" if index else "",
        effective=STARTS[index],
        dated_by="commit",
        author="Ann",
        subject=f"v{index}",
        changed=changed or {},
    )


def test_each_deal_counts_for_the_version_in_effect_when_it_entered_the_stage(
    data: DealTables,
) -> None:
    observed = periods(data, STARTS)
    entered = [
        {period: deals.tally.entered(k) for period, deals in stage.items()}
        for k, stage in enumerate(observed.stages)
    ]
    # Alpha by its entry date, else the creation day: X0 before the first version; X1 and X2
    # under v0; X3 (created 03-10) and X4 (05-31) under v1.
    assert entered[0] == {-1: 1, 0: 2, 1: 2}
    # Beta: X1 entered on 02-28 (v0); X2 on 03-01, the day v1 took effect, and X3 (v1); X4 on
    # 06-02 (v2). X0 never reached it, so its period counts nobody.
    assert {k: v for k, v in entered[1].items() if v} == {0: 1, 1: 2, 2: 1}
    # Gamma has no dates: by creation day, X2 (02-20, v0) and X4 (05-31, v1).
    assert {k: v for k, v in entered[2].items() if v} == {0: 1, 1: 1}
    assert observed.end is not None and observed.end.date() == date(2024, 6, 2)
    pooled = observed.window(1, 0, 3)
    assert pooled is not None and pooled.tally.entered(1) == 4
    assert pooled.stays is not None and pooled.stays.all.total == 4


def test_a_day_belongs_to_the_version_that_took_effect_on_it(data: DealTables) -> None:
    observed = periods(data, [date(2024, 1, 1), date(2024, 3, 2)])
    beta = {p: deals.tally.entered(1) for p, deals in observed.stages[1].items()}
    assert {p: n for p, n in beta.items() if n} == {0: 2, 1: 2}  # X2 entered the day before


def test_changed_stages_get_verdicts_the_others_are_controls(data: DealTables) -> None:
    report = impact(data, [version(0), version(1, {"b": ["exit criterion added: 'x'"]})], 0.1)
    (only,) = report.versions
    by_id = {stage.stage: stage for stage in only.stages}
    assert by_id["b"].changed and by_id["b"].changes == ["exit criterion added: 'x'"]
    assert by_id["b"].verdict in ("too early to tell", "no clear change", "better", "worse")
    assert {by_id[s].verdict for s in "acd"} == {"control"}
    assert (by_id["b"].split_by, by_id["c"].split_by) == ("entry", "creation")
    assert (only.date, only.until, only.revision) == ("2024-03-01", None, f"{1:040d}")
    assert report.as_of == "2024-06-02"
    assert (by_id["b"].before.entered_from, by_id["b"].before.entered_until) == (
        "2024-01-01",
        "2024-03-01",
    )
    assert (by_id["b"].after.entered_from, by_id["b"].after.entered_until) == ("2024-03-01", None)
    assert (by_id["b"].before.deals, by_id["b"].after.deals) == (1, 3)


def test_the_newest_version_comes_first_with_the_day_the_next_one_took_effect(
    data: DealTables,
) -> None:
    report = impact(data, [version(0), version(1), version(2)], 0.1)
    assert [(v.subject, v.date, v.until) for v in report.versions] == [
        ("v2", "2024-06-01", None),
        ("v1", "2024-03-01", "2024-06-01"),
    ]
    assert all(v.summary == "no stage changed" for v in report.versions)


def test_a_change_stays_in_effect_until_the_stage_changes_again() -> None:
    versions = [
        version(0),
        version(1, {"b": []}),
        version(2, {"c": []}),
    ]
    versions.append(
        Version(
            revision="3" * 40,
            previous="2" * 40,
            effective=date(2024, 9, 1),
            dated_by="commit",
            author="Ann",
            subject="v3",
            changed={"b": []},
        )
    )
    # b changed by v1 and again by v3: v1's change is compared over v0 against v1 and v2
    assert stage_windows(versions, 1, "b") == (Window(0, 1), Window(1, 3))
    assert stage_windows(versions, 3, "b") == (Window(1, 3), Window(3, 4))
    # c changed once, by v2: from the first version on, to the end of the data
    assert stage_windows(versions, 2, "c") == (Window(0, 2), Window(2, 4))
    # the controls of v1 share b's windows; a version that changed nothing: its neighbours
    assert control_windows(versions, 1) == (Window(0, 1), Window(1, 3))
    assert control_windows([version(0), version(1)], 1) == (Window(0, 1), Window(1, 2))


def test_a_changed_stage_the_current_process_lacks_is_said_not_measured(
    data: DealTables,
) -> None:
    report = impact(data, [version(0), version(1, {"old-demo": ["stage 'old-demo' added"]})], 0.1)
    assert report.versions[0].notes == [
        "changed old-demo, which the current process file does not have: not measured"
    ]


def cohort(share: float | None) -> Cohort:
    return Cohort(
        entered_from="2024-01-01",
        entered_until=None,
        deals=100,
        conversion=share,
        conversion_ci=None,
        effective_deals=100.0,
        undecided=0.0,
        median_days=5.0,
    )


def stage_impact(
    name: str, verdict: str | None, change: float | None, **extra: object
) -> StageImpact:
    fields: dict[str, object] = {
        "stage": name.lower(),
        "name": name,
        "changed": verdict != "control",
        "split_by": "entry",
        "before": cohort(0.4),
        "after": cohort(0.6),
        "change": change,
        "change_ci": None if change is None else (change - 0.1, change + 0.1),
        "probability_better": None if change is None else 0.999,
        "verdict": verdict,
        "effect": 0.1,
        "deals_needed": 300,
        "deals_short": 0,
    }
    return StageImpact.model_validate({**fields, **extra})


@pytest.mark.parametrize(
    ("stage", "words"),
    [
        (stage_impact("Demo", "better", 0.18), "Demo +18 pts, better with P > 0.99"),
        (
            stage_impact("Demo", "worse", -0.2, probability_better=0.03),
            "Demo -20 pts, worse with P 0.97",
        ),
        (
            stage_impact("Demo", "too early to tell", 0.04, deals_short=140),
            "Demo +4 pts, too early to tell (140 more deals needed)",
        ),
        (stage_impact("Demo", "no clear change", 0.01), "Demo +1 pts, no clear change"),
        (stage_impact("Demo", None, None), "Demo: not enough data on both sides"),
    ],
)
def test_the_measured_one_liner(stage: StageImpact, words: str) -> None:
    assert summary([stage, stage_impact("Qualify", "control", 0.3)]) == words


def test_a_version_after_the_end_of_the_data_says_nothing_entered_under_it(
    data: DealTables,
) -> None:
    late = Version(
        revision="9" * 40,
        previous=f"{0:040d}",
        effective=date(2024, 7, 1),
        dated_by="commit",
        author="Ann",
        subject="late",
        changed={"b": []},
    )
    report = impact(data, [version(0), late], 0.1)
    (only,) = report.versions
    assert only.notes == [
        "took effect after the data ends (2024-06-02): no deal has entered a stage under it yet"
    ]
    beta = next(stage for stage in only.stages if stage.stage == "b")
    assert (beta.after.deals, beta.verdict, beta.change) == (0, None, None)


def test_data_without_any_date_is_refused(tmp_path: Path) -> None:
    undated = tables(tmp_path, "deal_id,stage,amount\nX1,Closed Won,100\nX2,Alpha,50\n")
    with pytest.raises(InputError, match=r"deals\.csv has no dates .* map data\.columns\.created"):
        impact(undated, [version(0), version(1)], 0.1)


def test_creation_dates_alone_split_every_stage_by_creation(tmp_path: Path) -> None:
    created_only = tables(tmp_path, DEALS)  # the process maps no stage dates
    report = impact(created_only, [version(0), version(1, {"b": []})], 0.1)
    assert {stage.split_by for stage in report.versions[0].stages} == {"creation"}
