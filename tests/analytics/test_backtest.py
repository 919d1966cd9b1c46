"""The backtest's replay: the funnel as it stood at a cutoff, the cohort after it, the baseline,
maturity, and the scores, on small hand-made tables and on the bundled example."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from salesflow.analytics import backtest as bt
from salesflow.cli.app import app
from salesflow.errors import InputError
from tests.sources.deal_data import tables

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


def test_the_cohort_after_the_cutoff_and_what_it_won(tmp_path: Path) -> None:
    data = tables(tmp_path, DEALS)
    assert bt._cohort(data, CUTOFF, date(2024, 6, 1)) == (2, 2500.0)  # N1 won, N2 open
    assert bt._cohort(data, date(2024, 1, 1), CUTOFF) == (4, 1000.0)


def test_the_naive_baseline_is_last_periods_revenue_per_lead(tmp_path: Path) -> None:
    data = tables(tmp_path, DEALS)
    # 2024-01-01..03-01: 1,000 won (W1), 4 leads → 250 a lead; 2 leads next → 500.
    assert bt._baseline(data, CUTOFF, 2, 2) == pytest.approx(500.0)
    assert bt._baseline(data, date(2023, 6, 1), 2, 2) is None  # no leads in that period


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
        assert point.error == pytest.approx((point.forecast.p50 - point.actual) / point.actual)
    assert result.coverage == pytest.approx(sum(bool(p.inside) for p in scored) / len(scored))
    assert result.mape == pytest.approx(sum(abs(p.error or 0) for p in scored) / len(scored))
    young = [p for p in result.points if not p.mature]
    assert young and young[-1].cutoff == cutoffs[-1].isoformat()


runner = CliRunner()


def test_cli_in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = runner.invoke(app, ["backtest", "--format", "json", "--sims", "2000"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"points", "scored", "mape", "bias", "coverage", "baseline_mape"} <= set(document)
    text = runner.invoke(app, ["backtest", "--sims", "2000", "--no-color"])
    assert text.exit_code == 0 and "cutoff" in text.stdout and "MAPE" in text.stdout
    markdown = runner.invoke(app, ["backtest", "--sims", "2000", "-f", "markdown"])
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
    leads, actual = bt._cohort(tables(tmp_path, deals), date(2024, 3, 1), date(2024, 5, 1))
    assert (leads, actual) == (2, 900.0)


def test_inside_means_between_p10_and_p90(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An actual above the P50 but below the P90 is inside the interval."""
    from salesflow.model.forecast import Distribution

    wide = Distribution(mean=2000.0, p10=100.0, p50=1000.0, p90=10_000.0)
    monkeypatch.setattr(bt, "_distribution", lambda *args: wide)
    monkeypatch.setattr(bt, "MIN_CLOSED", 0)
    monkeypatch.setattr(bt, "MIN_WON", 0)
    result = bt.backtest(tables(tmp_path, DEALS), bt.Settings([CUTOFF], horizon_months=2))
    point = result.points[0]
    assert point.actual == 2500.0  # between P50 and P90
    assert point.inside is True
    monkeypatch.setattr(bt, "_distribution", lambda *args: wide.model_copy(update={"p90": 2000.0}))
    result = bt.backtest(tables(tmp_path, DEALS), bt.Settings([CUTOFF], horizon_months=2))
    assert result.points[0].inside is False


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
