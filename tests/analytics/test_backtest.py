"""The backtest's replay: the funnel as it stood at a cutoff, the cohort after it, the baseline
(from what was known at the cutoff only), censoring (open cohorts left out, never scored as 0),
and the scores, on small hand-made tables and on the bundled example."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from salesflow.analytics import backtest as bt
from salesflow.analytics import scores
from salesflow.analytics.cohort_outcomes import Hindsight, cohort
from salesflow.cli.app import app
from salesflow.errors import InputError
from salesflow.model.backtest import BacktestPoint
from salesflow.model.forecast import Distribution
from tests.sources.deal_data import process_yaml, tables

REPO = Path(__file__).resolve().parents[2]

# Known at the 2024-03-01 cutoff: W1 (won 02-10), L1 (lost at b 01-20), L2 (lost later, 03-05:
# still open then) and O1 (open). N1 and N2 arrive after the cutoff; N1 is won.
DEALS = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage
W1,Closed Won,1000,2024-01-05,2024-02-10,
L1,Closed Lost,,2024-01-10,2024-01-20,b
L2,Closed Lost,,2024-01-12,2024-03-05,a
O1,Gamma,700,2024-02-01,,
N1,Closed Won,2500,2024-03-10,2024-04-02,
N2,Alpha,300,2024-04-20,,
"""

# The same deals with stage dates: O1 entered c before the cutoff, so it stood at c then.
WIDE = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage,a_at,b_at,c_at,d_at
W1,Closed Won,1000,2024-01-05,2024-02-10,,2024-01-05,2024-01-08,2024-01-20,2024-02-01
L1,Closed Lost,,2024-01-10,2024-01-20,b,2024-01-10,2024-01-15,,
L2,Closed Lost,,2024-01-12,2024-03-05,a,2024-01-12,,,
O1,Gamma,700,2024-02-01,,,2024-02-01,2024-02-10,2024-02-20,
N1,Closed Won,2500,2024-03-10,2024-04-02,,2024-03-10,2024-03-12,2024-03-20,2024-03-25
N2,Alpha,300,2024-04-20,,,2024-04-20,,,
"""
WIDE_DATA = "  stage_dates: {a: a_at, b: b_at, c: c_at, d: d_at}\n"
CUTOFF = date(2024, 3, 1)


def test_the_funnel_as_it_stood_at_the_cutoff(tmp_path: Path) -> None:
    tally, closed = bt._tally_at(tables(tmp_path, DEALS), CUTOFF)
    # Closed by then: W1 won, L1 lost at b. L2 and O1 were open; with no dates, at the first stage.
    assert (tally.won, tally.lost_at, tally.open_at, closed) == (1, [0, 1, 0, 0], [2, 0, 0, 0], 2)


def test_stage_dates_place_the_open_deals(tmp_path: Path) -> None:
    from tests.sources.deal_data import process_yaml

    data = tables(tmp_path, WIDE, process=process_yaml(WIDE_DATA))
    tally, _ = bt._tally_at(data, CUTOFF)
    # L2 entered a only; O1 had entered c by 02-20.
    assert (tally.won, tally.lost_at, tally.open_at) == (1, [0, 1, 0, 0], [1, 0, 1, 0])
    assert tally.advanced() == [3, 2, 1, 1]  # entered 4, 3, 2, 1 less lost and open


# L3 was lost at b and W3 won, neither with a close date: each is decided from its last stage date.
UNDATED = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage,a_at,b_at,c_at,d_at
L3,Closed Lost,,2024-01-12,,b,2024-01-12,2024-01-20,,
W3,Closed Won,900,2024-01-05,,,2024-01-05,2024-01-06,2024-01-07,2024-01-08
"""


def test_deals_closed_without_a_date_are_closed_from_their_last_stage_date(
    tmp_path: Path,
) -> None:
    data = tables(tmp_path, UNDATED, process=process_yaml(WIDE_DATA))
    before, _ = bt._tally_at(data, date(2024, 1, 15))
    assert (before.won, before.lost_at, before.open_at) == (1, [0, 0, 0, 0], [1, 0, 0, 0])
    after, closed = bt._tally_at(data, CUTOFF)  # not open forever: lost at b
    assert (after.won, after.lost_at, after.open_at, closed) == (1, [0, 1, 0, 0], [0] * 4, 2)
    assert list(bt._won_amounts(data, date(2024, 1, 15))) == [900.0]


# The naive baseline at 2024-06-01, one month: the won deals known then took 30 days each (A1,
# A2, B1), so the window is the month of leads before 2024-05-02: B1, B2, B3. By the cutoff
# only B1 had won (1,000); B2 wins after it, B4 is first seen after the window.
BASELINE = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage
A1,Closed Won,100,2024-01-01,2024-01-31,
A2,Closed Won,100,2024-01-02,2024-02-01,
B1,Closed Won,1000,2024-04-10,2024-05-10,
B2,Closed Won,5000,2024-04-15,2024-07-01,
B3,Closed Lost,,2024-04-20,2024-05-01,a
B4,Closed Won,9999,2024-05-10,2024-06-09,
"""
BASELINE_CUTOFF = date(2024, 6, 1)


def test_the_naive_baseline_is_revenue_per_lead_of_cohorts_known_at_the_cutoff(
    tmp_path: Path,
) -> None:
    data = tables(tmp_path, BASELINE)
    assert bt._baseline(data, BASELINE_CUTOFF, 1, 6) == pytest.approx(1000 / 3 * 6)
    assert bt._baseline(data, date(2024, 1, 1), 1, 6) is None  # no leads in that window


@pytest.mark.parametrize(
    "later",
    [
        BASELINE.replace("B2,Closed Won,5000", "B2,Closed Lost,5000"),  # B2 lost after the cutoff
        BASELINE.replace("2024-05-10,2024-06-09", "2024-05-10,2024-12-31"),  # B4 slow
        BASELINE.replace("2024-04-15,2024-07-01", "2024-04-15,2024-06-01"),  # on the cutoff
    ],
    ids=["lost later", "slow win", "won on the cutoff"],
)
def test_the_naive_baseline_uses_nothing_after_the_cutoff(tmp_path: Path, later: str) -> None:
    """The same baseline whatever happens after the cutoff, and on the data cut at the cutoff
    (`--until` the day before)."""
    for name in "abc":
        (tmp_path / name).mkdir()
    expected = bt._baseline(tables(tmp_path / "a", BASELINE), BASELINE_CUTOFF, 1, 6)
    assert bt._baseline(tables(tmp_path / "b", later), BASELINE_CUTOFF, 1, 6) == expected
    cut = tables(tmp_path / "c", later, until=date(2024, 5, 31))
    assert bt._baseline(cut, BASELINE_CUTOFF, 1, 6) == expected


def test_an_open_deals_planned_close_date_does_not_end_the_data(tmp_path: Path) -> None:
    deals = DEALS + "P,Gamma,900,2024-04-01,2025-12-31,\n"  # planned to close in 2025
    assert bt.data_span(tables(tmp_path, deals)) == (date(2024, 1, 5), date(2024, 4, 20))


def test_months_are_added_on_the_calendar() -> None:
    assert bt.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert bt.add_months(date(2024, 11, 1), 3) == date(2025, 2, 1)
    assert bt.add_months(date(2024, 3, 1), -3) == date(2023, 12, 1)


def test_too_little_data_or_too_young_is_not_scored(tmp_path: Path) -> None:
    result = bt.backtest(tables(tmp_path, DEALS), bt.Settings([CUTOFF], horizon_months=2))
    point = result.points[0]
    assert (point.leads, point.actual, point.closed_deals) == (2, 2500.0, 2)
    assert not point.mature  # 2 closed deals known: fewer than 30 to learn rates from
    assert (result.scored, result.mape, result.coverage) == (0, None, None)
    assert result.notes


def test_the_bundled_example_is_scored_honestly() -> None:
    from salesflow.analytics.backtest import period_cutoffs
    from salesflow.loader import load_process
    from salesflow.sources.canonical import build
    from salesflow.sources.connection import connect
    from salesflow.sources.options import DataOptions

    process = load_process(str(REPO / "examples" / "process.yaml")).process
    assert process is not None
    options = DataOptions(deals=str(REPO / "examples" / "deals.csv"))
    data = build(connect(), process, options)
    cutoffs = period_cutoffs(data, 1)
    result = bt.backtest(data, bt.Settings(cutoffs, horizon_months=1, sims=5000))
    assert result.scored >= 3
    scored = [p for p in result.points if p.mature]
    for point in scored:
        assert point.forecast.p10 <= point.forecast.p50 <= point.forecast.p90
        assert point.inside == (point.forecast.p10 <= point.actual <= point.forecast.p90)
        assert point.error == pytest.approx((point.forecast.mean - point.actual) / point.actual)
        assert point.crps is not None and point.crps > 0
        assert point.baseline is not None
        assert point.baseline_crps == pytest.approx(abs(point.baseline - point.actual))
    assert result.coverage == pytest.approx(sum(bool(p.inside) for p in scored) / len(scored))
    assert result.mape == pytest.approx(sum(abs(p.error or 0) for p in scored) / len(scored))
    crps = [p.crps or 0 for p in scored]
    naive = [p.baseline_crps or 0 for p in scored]
    assert result.crps == pytest.approx(sum(crps) / len(crps))
    assert result.skill == pytest.approx(1 - sum(crps) / sum(naive))
    actual = sum(p.actual for p in scored)
    assert result.bias == pytest.approx(sum(p.forecast.mean for p in scored) / actual - 1)
    unscored = [p for p in result.points if not p.mature]
    assert all(p.crps is None and p.inside is None and p.error is None for p in unscored)
    young = [p for p in result.points if not p.mature]
    assert young and young[-1].cutoff == cutoffs[-1].isoformat()


runner = CliRunner()
TOP_KEYS = [
    "version", "process", "currency", "horizon_months", "data_end", "maturity_days", "points",
    "scored", "mape", "bias", "coverage", "crps", "baseline_crps", "skill", "baseline_mape",
    "notes",
]  # fmt: skip
POINT_KEYS = [
    "cutoff", "status", "closed_deals", "won_deals", "leads", "forecast", "actual", "mature",
    "error", "inside", "crps", "baseline", "baseline_crps", "open_deals", "stale_deals",
]  # fmt: skip


def test_cli_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    cutoffs = ["--cutoff", "2026-01-01", "--cutoff", "2026-03-01", "--cutoff", "2026-06-01"]
    result = runner.invoke(app, ["backtest", *cutoffs, "--format", "json", "--sims", "2000"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == TOP_KEYS
    assert [p["status"] for p in document["points"]] == ["too little data", "scored", "too young"]
    assert all(list(point) == POINT_KEYS for point in document["points"])
    assert list(document["points"][0]["forecast"]) == ["mean", "p10", "p50", "p90"]
    assert document["skill"] == pytest.approx(1 - document["crps"] / document["baseline_crps"])
    one = ["backtest", "--cutoff", "2026-03-01", "--sims", "2000"]
    text = runner.invoke(app, [*one, "--no-color"])
    assert text.exit_code == 0 and "cutoff" in text.stdout and "skill" in text.stdout
    markdown = runner.invoke(app, [*one, "-f", "markdown"])
    assert markdown.exit_code == 0 and "| cutoff |" in markdown.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--cutoff", "2026-02-01", "--every", "month"],
        ["--every", "fortnight"],
        ["--cutoff", "Feb 2026"],
        ["--horizon", "0"],
        ["--sims", "10"],
    ],
)
def test_cli_refuses_bad_options(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["backtest", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1


# Ten deals won in 10 days, XL in 330 (the 99th percentile of the won cycle: 294.8 days) and M1
# in 10; the data ends on 2024-11-30. January's cohort won 11,000 and holds S, open for 315 days:
# stale. March's won 2,000 (M1) and holds M2 (5,000), open for 265 days: not stale, still open.
FLOW = (
    "deal_id,stage,amount,created_at,closed_at,lost_at_stage\n"
    + "".join(f"X{k},Closed Won,1000,2024-01-0{k + 1},2024-01-{k + 11},\n" for k in range(9))
    + "X9,Closed Won,1000,2024-01-10,2024-01-20,\n"
    "XL,Closed Won,1000,2024-01-01,2024-11-26,\n"
    "S,Beta,5000,2024-01-20,,\n"
    "M1,Closed Won,2000,2024-03-05,2024-03-15,\n"
    "M2,Gamma,5000,2024-03-10,,\n"
    "Z,Closed Lost,,2024-11-20,2024-11-30,a\n"
)
FLOW_CUTOFFS = [date(2024, 1, 1), date(2024, 3, 1), date(2024, 11, 1)]


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bt.Backtest:
    """The FLOW backtest at one-month horizons with a fixed forecast: mean 10,000."""
    monkeypatch.setattr(bt, "MIN_CLOSED", 0)
    monkeypatch.setattr(bt, "MIN_WON", 0)
    monkeypatch.setattr(bt, "_revenue_draws", lambda *args: np.linspace(0.0, 20_000.0, 201))
    return bt.backtest(tables(tmp_path, FLOW), bt.Settings(FLOW_CUTOFFS, horizon_months=1))


def test_a_cohort_with_open_deals_is_left_out_not_scored_as_zero(flow: bt.Backtest) -> None:
    assert [p.status for p in flow.points] == ["scored", "still open", "too young"]
    march = flow.points[1]
    assert (march.leads, march.actual, march.open_deals, march.stale_deals) == (2, 2000.0, 1, 0)
    assert (march.mature, march.error, march.inside, march.crps) == (False, None, None, None)
    assert flow.scored == 1
    assert any("1 cutoff(s) left out" in note for note in flow.notes)


def test_a_stale_open_deal_counts_as_not_going_to_win(flow: bt.Backtest) -> None:
    january = flow.points[0]
    assert (january.leads, january.actual, january.open_deals, january.stale_deals) == (
        12,
        11_000.0,
        0,
        1,
    )
    assert any(note.startswith("1 open deal(s) of the scored cohorts") for note in flow.notes)
    assert any("more than 295 days" in note for note in flow.notes)


def test_a_scored_cutoff_has_its_scores(flow: bt.Backtest) -> None:
    draws = np.linspace(0.0, 20_000.0, 201)
    january = flow.points[0]
    assert january.error == pytest.approx((10_000 - 11_000) / 11_000)
    assert january.crps == pytest.approx(scores.crps_sample(draws, 11_000.0))
    assert january.baseline is None  # nothing known before the first deal
    assert (flow.coverage, flow.bias, flow.crps) == (1.0, pytest.approx(-1 / 11), january.crps)
    assert (flow.baseline_crps, flow.skill, flow.baseline_mape) == (None, None, None)


def point(
    mean: float, actual: float, inside: bool, crps: float, baseline: float | None
) -> BacktestPoint:
    return BacktestPoint(
        cutoff="2024-01-01",
        status="scored",
        closed_deals=100,
        won_deals=10,
        leads=50,
        forecast=Distribution(mean=mean, p10=0.0, p50=mean, p90=2 * mean),
        actual=actual,
        mature=True,
        error=None,
        inside=inside,
        crps=crps,
        baseline=baseline,
        baseline_crps=None if baseline is None else abs(baseline - actual),
    )


def test_the_aggregate_scores() -> None:
    summary = bt.summarize(
        [
            point(110.0, 100.0, True, 10.0, 80.0),
            point(90.0, 100.0, False, 30.0, None),  # no baseline: left out of the skill
            point(50.0, 0.0, True, 5.0, 10.0),  # nothing won: no MAPE, but a CRPS
        ]
    )
    assert summary == bt.Summary(
        scored=3,
        mape=pytest.approx(0.1),
        bias=pytest.approx((110 + 90 + 50 - 200) / 200),
        coverage=pytest.approx(2 / 3),
        crps=pytest.approx(15.0),
        baseline_crps=pytest.approx(15.0),
        skill=pytest.approx(1 - (10 + 5) / (20 + 10)),
        baseline_mape=pytest.approx(0.2),
    )


def test_nothing_scored_has_no_scores() -> None:
    assert bt.summarize([]) == bt.Summary(0, None, None, None, None, None, None, None)


def test_a_perfect_forecast_mean_has_no_bias() -> None:
    """Forecast means equal to the expected actual (lognormal cohorts, σ = 0.6): bias about 0,
    where the old definition, the mean of (P50 − actual) ÷ actual, gave +20%."""
    rng = np.random.default_rng(8)
    mean = float(np.exp(0.6**2 / 2)) * 1000
    actuals = rng.lognormal(np.log(1000), 0.6, 5000)
    summary = bt.summarize([point(mean, float(a), True, 0.0, None) for a in actuals])
    assert summary.bias is not None and abs(summary.bias) < 0.02
    assert float(np.mean((1000 - actuals) / actuals)) == pytest.approx(np.exp(0.18) - 1, abs=0.03)


# --- hardening (issue 10): boundaries that no test pinned, and dates at the ends of time ------


def test_the_cohort_is_first_seen_from_the_cutoff_up_to_but_not_including_the_end(
    tmp_path: Path,
) -> None:
    deals = (
        "deal_id,stage,amount,created_at,closed_at\n"
        "S,Closed Won,100,2024-03-01,2024-03-20\n"  # on the cutoff: in
        "E,Closed Won,200,2024-05-01,2024-05-20\n"  # on the end: out (the next cohort's)
        "B,Closed Won,400,2024-02-29,2024-03-20\n"  # the day before: out
        "M,Closed Won,800,2024-04-30,2024-05-20\n"  # the last day of the period: in
    )
    data = tables(tmp_path, deals)
    seen = Hindsight.of(data, date(2024, 5, 20))
    period = cohort(data, date(2024, 3, 1), date(2024, 5, 1), seen)
    assert (period.leads, period.actual) == (2, 900.0)


def test_inside_means_between_p10_and_p90(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An actual (11,000) above the P50 but below the P90 is inside the interval."""
    monkeypatch.setattr(bt, "MIN_CLOSED", 0)
    monkeypatch.setattr(bt, "MIN_WON", 0)
    wide = np.linspace(0.0, 20_000.0, 201)  # P10 2,000, P90 18,000
    monkeypatch.setattr(bt, "_revenue_draws", lambda *args: wide)
    data = tables(tmp_path, FLOW)
    point = bt.backtest(data, bt.Settings([date(2024, 1, 1)], horizon_months=1)).points[0]
    assert (point.actual, point.forecast.p50, point.inside) == (11_000.0, 10_000.0, True)
    monkeypatch.setattr(bt, "_revenue_draws", lambda *args: wide / 2)  # P90 9,000
    point = bt.backtest(data, bt.Settings([date(2024, 1, 1)], horizon_months=1)).points[0]
    assert point.inside is False


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("day", "months"),
    [(date(9999, 11, 15), 3), (date(1, 2, 15), -3), (date(9999, 12, 31), 1)],
)
def test_add_months_past_the_ends_of_the_calendar_fails_fast(day: date, months: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        bt.add_months(day, months)


def test_add_months_clamps_to_the_last_day_of_the_month() -> None:
    assert bt.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert bt.add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert bt.add_months(date(2024, 3, 31), 1) == date(2024, 4, 30)
    assert bt.add_months(date(2024, 1, 1), -1) == date(2023, 12, 1)


@pytest.mark.timeout(30)
def test_a_date_far_in_the_future_makes_no_flood_of_cutoffs(tmp_path: Path) -> None:
    """One deal in 2190 would make ~2,000 monthly cutoffs: refused, naming the span."""
    deals = DEALS + "F,Closed Won,10,2190-01-01,2190-02-01,\n"
    with pytest.raises(InputError, match="more than 600 cutoffs"):
        bt.period_cutoffs(tables(tmp_path, deals), 1)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("cutoff", ["9999-11-15", "0001-02-15", "2262-04-11"])
def test_cli_refuses_cutoffs_outside_sane_years(
    monkeypatch: pytest.MonkeyPatch, cutoff: str
) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["backtest", "--cutoff", cutoff, "--sims", "100"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip() == (
        f"salesflow: error: --cutoff {cutoff}: choose a date between 1900 and 2200"
    )


@pytest.mark.timeout(30)
def test_cli_refuses_a_negative_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["backtest", "--seed", "-5", "--sims", "100"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == "salesflow: error: --seed -5: must be 0 or more"


@pytest.mark.timeout(30)
def test_cli_with_cutoffs_but_no_dated_deals_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.sources.deal_data import PROCESS_YAML

    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(PROCESS_YAML, encoding="utf-8")
    (tmp_path / "d.csv").write_text("deal_id,stage\nA,Alpha\n", encoding="utf-8")
    args = ["backtest", "-p", "p.yaml", "--deals", "d.csv", "--cutoff", "2024-01-01", "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == "salesflow: error: d.csv has no dated deals to replay"
