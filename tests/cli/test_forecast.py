"""`salesflow forecast` through typer's CliRunner: the plan and the data as sources, every format,
targets, phasing, the open pipeline, reproducibility, output files and every message about bad
input, on a small process and CSV whose rates are worked out by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from salesflow.cli.app import app

PROCESS = """\
salesflow: 1
name: Test sales
currency: EUR
roles:
  - id: ae
    title: Account Executive
stages:
  - id: discovery
    name: Discovery
    owner: ae
    exit_criteria: [Need confirmed]
    expected: {conversion: 0.5, days: 10}
  - id: proposal
    name: Proposal | Quote
    owner: ae
    exit_criteria: [Order form signed]
    expected: {conversion: 0.4, days: 20}
    probability: 0.6
assumptions:
  deal_size: 1000
"""
# The plan: 0.5 × 0.4 = 0.2 of the leads are won, at EUR 1,000 each: EUR 200 per lead.

DEALS = """\
deal_id,stage,amount,lost_at_stage
W1,Won,2000,
W2,Won,4000,
L1,Lost,,discovery
L2,Lost,,discovery
L3,Lost,,proposal
O1,discovery,500,
O2,proposal,3000,
"""
# By hand: 2 won, 3 lost (5 closed deals), 2 open. The plan counts as 10 decided deals.
# Discovery: entered 7, lost 2, open 1, advanced 4; plan 0.5 → (4 + 5) / (4 + 2 + 10) = 9/16.
# Proposal: entered 4, lost 1, open 1, advanced 2; plan 0.4 → (2 + 4) / (2 + 1 + 10) = 6/13.
# Won amounts 2,000 and 4,000: two amounts, so a lognormal leaning on the plan's EUR 1,000.
# Pipeline (no dates: no age factor): O1 in discovery wins with 9/16 × 6/13, worth 500;
# O2 in proposal with 6/13, worth 3,000.

TOP_KEYS = {
    "version",
    "process",
    "currency",
    "source",
    "closed_deals",
    "leads",
    "sims",
    "seed",
    "expected_wins",
    "wins",
    "revenue",
    "deal_size",
    "deal_size_model",
    "won_amounts",
    "amounts_from",
    "dispersion",
    "dispersion_cohorts",
    "stages",
    "histogram",
    "notes",
}
DISTRIBUTION_KEYS = {"mean", "p10", "p50", "p90"}
STAGE_KEYS = {"id", "conversion", "plan_weight", "expected_entering", "advanced", "lost"}
TARGET_KEYS = {"amount", "probability", "leads_needed_mean", "leads_needed_p90"}
MONTH_KEYS = {"month", "mean", "p10", "p50", "p90", "new_leads", "pipeline"}
PIPELINE_KEYS = {"open_deals", "expected_revenue", "revenue"}
FAST = ("--sims", "2000")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A process file and deals, in a directory with no configuration (the current one)."""
    monkeypatch.chdir(tmp_path)
    process = tmp_path / "process.yaml"
    process.write_text(PROCESS, encoding="utf-8")
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS, encoding="utf-8")
    return {"process": process, "deals": deals}


def run(*args: str) -> Result:
    """`salesflow ARGS` in-process; never a traceback, never an unexpected exception."""
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def forecast(*args: str) -> Result:
    return run("forecast", "-p", "process.yaml", *FAST, *args)


def forecast_json(*args: str) -> dict[str, Any]:
    result = forecast("--format", "json", *args)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def error_line(result: Result) -> str:
    """The one `salesflow: error: ...` line of a failed run."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salesflow: error: ")
    return lines[0]


# --- the plan -------------------------------------------------------------------------------


@pytest.mark.usefixtures("files")
def test_plan_json_keys_and_numbers() -> None:
    document = forecast_json("--leads", "100")
    assert set(document) == TOP_KEYS
    assert document["version"] == 1
    assert document["process"] == "Test sales"
    assert document["currency"] == "EUR"
    assert document["source"] == "plan"
    assert document["closed_deals"] == 0
    assert document["leads"] == 100
    assert document["sims"] == 2000
    assert document["seed"] == 1
    assert document["expected_wins"] == pytest.approx(20)
    assert document["deal_size"] == pytest.approx(1000)
    for key in ("wins", "revenue"):
        assert set(document[key]) == DISTRIBUTION_KEYS
        low, mid, high = (document[key][p] for p in ("p10", "p50", "p90"))
        assert low <= mid <= high
    assert document["wins"]["mean"] == pytest.approx(20, rel=0.05)
    assert document["revenue"]["mean"] == pytest.approx(20_000, rel=0.05)
    stages = document["stages"]
    assert [stage["id"] for stage in stages] == ["discovery", "proposal"]
    assert all(set(stage) == STAGE_KEYS for stage in stages)
    assert [stage["conversion"] for stage in stages] == [0.5, 0.4]
    assert [stage["expected_entering"] for stage in stages] == pytest.approx([100, 50])
    assert all(stage["advanced"] is None and stage["lost"] is None for stage in stages)
    histogram = document["histogram"]
    assert len(histogram["edges"]) == len(histogram["counts"]) + 1
    assert sum(histogram["counts"]) == 2000
    assert any("process noise only" in note for note in document["notes"])


@pytest.mark.usefixtures("files")
def test_plan_text_headline() -> None:
    result = forecast("--leads", "100")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Test sales · 100 leads · rates from the plan in the process file"
    assert lines[1].startswith("Expected revenue EUR ")
    assert "Expected wins 20 " in result.stdout
    assert "average deal EUR 1,000" in result.stdout
    assert "2,000 simulations, seed 1" in result.stdout
    assert "Proposal | Quote" in result.stdout
    assert "Revenue distribution" in result.stdout
    assert "process noise" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour


@pytest.mark.usefixtures("files")
def test_plan_markdown_stage_table() -> None:
    result = forecast("--leads", "100", "--format", "markdown")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Test sales: revenue forecast\n")
    assert "- **Rates:** from the plan in the process file (no closed deals)" in out
    assert "| Stage | Conversion | Advanced | Lost | Expected entering |" in out
    assert "| Discovery | 50% | – | – | 100 |" in out
    assert "| Proposal \\| Quote | 40% | – | – | 50 |" in out
    assert "## Revenue distribution" in out


@pytest.mark.usefixtures("files")
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_every_format_names_the_source(fmt: str) -> None:
    plan = forecast("--leads", "100", "--format", fmt)
    data = forecast("--leads", "100", "--format", fmt, "--deals", "deals.csv")
    assert plan.exit_code == 0 and data.exit_code == 0, plan.output + data.output
    if fmt == "json":
        assert json.loads(plan.stdout)["source"] == "plan"
        assert json.loads(data.stdout)["source"] == "data"
        assert json.loads(data.stdout)["closed_deals"] == 5
    else:
        assert "from the plan in the process file" in plan.stdout
        assert "from data (5 closed deals)" in data.stdout


# --- data -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("files")
def test_data_rates_from_the_deals() -> None:
    document = forecast_json("--leads", "100", "--deals", "deals.csv")
    assert set(document) == TOP_KEYS
    assert document["source"] == "data"
    assert document["closed_deals"] == 5
    assert document["deal_size_model"] == "lognormal"
    assert document["won_amounts"] == 2
    assert document["deal_size"] > 1000
    assert document["expected_wins"] == pytest.approx(100 * 9 / 16 * 6 / 13)
    stages = document["stages"]
    assert [(stage["advanced"], stage["lost"]) for stage in stages] == [(4, 2), (2, 1)]
    assert [stage["conversion"] for stage in stages] == pytest.approx([9 / 16, 6 / 13])
    assert [stage["plan_weight"] for stage in stages] == pytest.approx([10 / 16, 10 / 13])
    expected = document["expected_wins"] * document["deal_size"]
    assert document["revenue"]["mean"] == pytest.approx(expected, rel=0.05)
    assert document["notes"][0] == "rates rest on 5 closed deals"
    assert any("leans on the plan's assumptions.deal_size" in n for n in document["notes"])


@pytest.mark.usefixtures("files")
def test_data_text_headline() -> None:
    result = forecast("--leads", "100", "--deals", "deals.csv")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first == "Test sales · 100 leads · rates from data (5 closed deals)"


@pytest.mark.usefixtures("files")
def test_plan_flag_forces_the_plan_even_with_deals() -> None:
    document = forecast_json("--leads", "100", "--deals", "deals.csv", "--plan")
    assert document["source"] == "plan"
    assert document["closed_deals"] == 0
    assert document["expected_wins"] == pytest.approx(20)
    assert document["stages"][0]["advanced"] is None


@pytest.mark.usefixtures("files")
def test_pipeline_weights_open_deals() -> None:
    document = forecast_json("--leads", "100", "--deals", "deals.csv", "--pipeline")
    pipeline = document["pipeline"]
    assert set(pipeline) == PIPELINE_KEYS
    assert pipeline["open_deals"] == 2
    assert pipeline["expected_revenue"] == pytest.approx(500 * 9 / 16 * 6 / 13 + 3000 * 6 / 13)
    assert set(pipeline["revenue"]) == DISTRIBUTION_KEYS
    assert pipeline["revenue"]["mean"] == pytest.approx(pipeline["expected_revenue"], rel=0.1)
    assert "target" not in document and "months" not in document


# --- targets and phasing --------------------------------------------------------------------


@pytest.mark.usefixtures("files")
def test_target_adds_its_keys() -> None:
    document = forecast_json("--leads", "100", "--target", "10k")
    assert set(document) == TOP_KEYS | {"target"}
    target = document["target"]
    assert set(target) == TARGET_KEYS
    assert target["amount"] == 10_000
    assert 0.9 <= target["probability"] <= 1  # the mean is EUR 20,000
    assert target["leads_needed_mean"] == 50  # 10,000 / (0.2 × 1,000)
    assert target["leads_needed_p90"] > target["leads_needed_mean"]


@pytest.mark.usefixtures("files")
@pytest.mark.parametrize("written", ["250000", "250k", "250K", "$250,000", "250_000", "0.25m"])
def test_target_forms(written: str) -> None:
    assert forecast_json("--leads", "100", "--target", written)["target"]["amount"] == 250_000


@pytest.mark.usefixtures("files")
def test_target_in_text_and_markdown() -> None:
    text = forecast("--leads", "100", "--target", "10k").stdout
    assert "Target EUR 10,000: reached with probability" in text
    markdown = forecast("--leads", "100", "--target", "10k", "-f", "markdown").stdout
    assert "**Target EUR 10,000:** reached with probability" in markdown
    assert "50 to reach it on average" in markdown


@pytest.mark.usefixtures("files")
def test_horizon_adds_months_labelled_from_start() -> None:
    document = forecast_json("--leads", "90", "--horizon", "3", "--start", "2026-11")
    assert set(document) == TOP_KEYS | {"months"}
    months = document["months"]
    assert all(set(month) == MONTH_KEYS for month in months)
    labels = [month["month"] for month in months]
    # Wins close after the stages' days: what spills past the horizon is in "later".
    assert labels == ["2026-11", "2026-12", "2027-01", "later"]
    total = sum(month["mean"] for month in months)
    assert total == pytest.approx(document["revenue"]["mean"], rel=0.05)


@pytest.mark.usefixtures("files")
def test_leads_per_month_multiplies_by_the_horizon() -> None:
    document = forecast_json("--leads-per-month", "30", "--horizon", "4", "--start", "2026-01")
    assert document["leads"] == 120
    assert document["months"][0]["month"] == "2026-01"


@pytest.mark.usefixtures("files")
def test_start_defaults_to_next_month() -> None:
    today = date.today()
    following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    document = forecast_json("--leads", "30", "--horizon", "2")
    assert document["months"][0]["month"] == following.strftime("%Y-%m")


@pytest.mark.usefixtures("files")
def test_months_in_text_and_markdown() -> None:
    args = ("--leads", "90", "--horizon", "3", "--start", "2026-11")
    assert "Revenue by month" in forecast(*args).stdout
    markdown = forecast(*args, "-f", "markdown").stdout
    assert "## Revenue by month" in markdown
    assert "| month | P10 | P50 | P90 | mean |" in markdown
    assert "| 2026-11 |" in markdown


# --- reproducibility and output files -------------------------------------------------------


def _next_month() -> str:
    today = date.today()
    return f"{today.year + today.month // 12:04d}-{today.month % 12 + 1:02d}"


@pytest.mark.usefixtures("files")
def test_same_seed_same_json() -> None:
    args = ("--leads", "100", "--deals", "deals.csv", "--target", "50k", "--seed", "42")
    start = _next_month()
    first = forecast("-f", "json", *args, "--horizon", "2", "--start", start, "--pipeline")
    second = forecast("-f", "json", *args, "--horizon", "2", "--start", start, "--pipeline")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    other = forecast_json("--leads", "100", "--deals", "deals.csv", "--seed", "43")
    assert other["revenue"] != json.loads(first.stdout)["revenue"]


def test_output_file_and_force(files: dict[str, Path]) -> None:
    target = files["process"].parent / "out" / "forecast.json"
    written = forecast("--leads", "100", "-f", "json", "-o", str(target))
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["leads"] == 100
    same = forecast("--leads", "100", "-f", "json", "-o", str(target))
    assert same.exit_code == 0, same.output  # identical content: left alone
    refused = forecast("--leads", "200", "-f", "json", "-o", str(target))
    assert "already exists; use --force" in error_line(refused)
    assert json.loads(target.read_text(encoding="utf-8"))["leads"] == 100
    forced = forecast("--leads", "200", "-f", "json", "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads(target.read_text(encoding="utf-8"))["leads"] == 200


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.usefixtures("files")
def test_pipeline_without_data() -> None:
    line = error_line(forecast("--leads", "100", "--pipeline"))
    assert "--pipeline needs the open deals in deal data" in line


def test_plan_without_conversions_names_the_stages(files: dict[str, Path]) -> None:
    text = PROCESS.replace("{conversion: 0.5, days: 10}", "{days: 10}").replace(
        "{conversion: 0.4, days: 20}", "{days: 20}"
    )
    files["process"].write_text(text, encoding="utf-8")
    line = error_line(forecast("--leads", "100"))
    assert "no expected.conversion for discovery, proposal" in line


def test_plan_without_deal_size(files: dict[str, Path]) -> None:
    text = PROCESS.replace("assumptions:\n  deal_size: 1000\n", "")
    files["process"].write_text(text, encoding="utf-8")
    assert "assumptions.deal_size" in error_line(forecast("--leads", "100"))


@pytest.mark.usefixtures("files")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "how many leads? pass --leads N"),
        (("--leads-per-month", "10"), "--leads-per-month needs --horizon MONTHS"),
        (("--leads", "5", "--leads-per-month", "10", "--horizon", "2"), "not both"),
        (("--leads", "-1"), "--leads -1: must be 0 or more"),
        (("--leads", "5", "--target", "lots"), "--target lots: expected an amount"),
        (("--leads", "5", "--target", "0"), "--target 0: must be a finite amount more than 0"),
        (("--leads", "5", "--horizon", "2", "--start", "2026-13"), "--start 2026-13: expected"),
        (("--leads", "5", "--horizon", "2", "--start", "soon"), "--start soon: expected"),
        (("--leads", "5", "--sims", "5"), "--sims 5: must be 100 or more"),
        (("--leads", "5", "--horizon", "0"), "--horizon 0: must be 1 or more"),
        (("--leads", "5", "--format", "xml"), "--format xml: choose one of text, json, markdown"),
        (("--leads", "5", "--deals", "missing.csv"), "missing.csv"),
    ],
)
def test_bad_input_is_one_line(args: tuple[str, ...], message: str) -> None:
    result = run("forecast", "-p", "process.yaml", *args)
    assert message in error_line(result)


@pytest.mark.usefixtures("files")
def test_data_without_closed_deals() -> None:
    Path("open.csv").write_text("deal_id,stage\nO1,discovery\n", encoding="utf-8")
    line = error_line(forecast("--leads", "5", "--deals", "open.csv"))
    assert "no closed deals" in line


@pytest.mark.usefixtures("files")
@pytest.mark.parametrize("written", ["nan", "inf", "1e400"])
def test_target_that_is_not_a_finite_amount(written: str) -> None:
    assert "--target" in error_line(forecast("--leads", "5", "--target", written))


@pytest.mark.usefixtures("files")
def test_negative_seed() -> None:
    assert "--seed" in error_line(forecast("--leads", "5", "--seed", "-1"))


# --- hostile input (issue 10): one line and exit 2, never exit 3 ----------------------------------


@pytest.mark.timeout(30)
@pytest.mark.usefixtures("files")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--leads", str(10**38)),
            "salesflow: error: --leads 10000000000000000000…: must be at most 1,000,000,000,000",
        ),
        (
            ("--leads", "100", "--target", "1e308"),
            "salesflow: error: --target 1e308: choose an amount of at most 1,000,000,000,000,000",
        ),
        (
            ("--leads", "100", "--target", "1e400"),
            "salesflow: error: --target 1e400: must be a finite amount more than 0",
        ),
        (
            ("--leads-per-month", str(10**12), "--horizon", "2"),
            f"salesflow: error: --leads-per-month {10**12}: at most 1,000,000,000,000 leads "
            "over the horizon",
        ),
        (
            ("--leads", "10", "--horizon", "2", "--start", "0001-01"),
            "salesflow: error: --start 0001-01: choose a month between 1900 and 2200",
        ),
    ],
)
def test_numbers_beyond_the_range_are_refused(args: tuple[str, ...], message: str) -> None:
    assert error_line(forecast(*args)) == message


@pytest.mark.timeout(30)
@pytest.mark.usefixtures("files")
def test_a_target_just_inside_the_range_works() -> None:
    document = forecast_json("--leads", "100", "--target", "1e15")
    assert document["target"]["amount"] == 1e15
    assert document["target"]["leads_needed_p90"] is None  # beyond the search's 10M leads


@pytest.mark.timeout(30)
@pytest.mark.parametrize("amount", ["1e308", "1e400"])
def test_an_amount_beyond_the_range_in_the_data(files: dict[str, Path], amount: str) -> None:
    files["deals"].write_text(DEALS + f"W3,Won,{amount},\n", encoding="utf-8")
    line = error_line(forecast("--leads", "100", "--deals", "deals.csv"))
    assert line == (
        "salesflow: error: deals.csv: 1 row whose amount is infinite, NaN or beyond "
        "±1,000,000,000,000,000 (first: row 9)"
    )


@pytest.mark.parametrize("size", ["1e154", "1.7e308", "1" + "0" * 400])
def test_a_deal_size_beyond_the_deal_data_bound_is_refused(
    files: dict[str, Path], size: str
) -> None:
    """`deal_size: 1e154` passed validate, then `forecast --plan` failed with exit 3."""
    files["process"].write_text(PROCESS.replace("deal_size: 1000", f"deal_size: {size}"))
    line = error_line(forecast("--plan", "--leads", "100"))
    assert "assumptions.deal_size: must be at most 1,000,000,000,000,000 (10^15" in line


@pytest.mark.timeout(30)
@pytest.mark.parametrize("size", ["1e-300", "1e-9"])
def test_a_tiny_deal_size_leaves_the_target_out_of_reach(files: dict[str, Path], size: str) -> None:
    """The leads needed on average were the start of the search: 10^300 overflowed NumPy."""
    files["process"].write_text(PROCESS.replace("deal_size: 1000", f"deal_size: {size}"))
    target = forecast_json("--plan", "--leads", "100", "--target", "10k")["target"]
    assert target["leads_needed_mean"] > 10**12
    assert target["leads_needed_p90"] is None


@pytest.mark.timeout(30)
@pytest.mark.parametrize("days", ["36500", "36500.0"])
def test_stages_that_take_forever_keep_the_monthly_table_small(
    files: dict[str, Path], days: str
) -> None:
    """`expected.days: 100000` with --horizon 3 held 2.7 GB (1,000,000: 24.5 GiB). The process
    file now stops at 36,500 days (100 years), still far beyond the 240 months of the table."""
    files["process"].write_text(PROCESS.replace("days: 10}", f"days: {days}}}"), encoding="utf-8")
    document = forecast_json("--plan", "--leads", "100", "--horizon", "3", "--start", "2026-01")
    months = document["months"]
    assert [month["month"] for month in months] == ["2026-01", "2026-02", "2026-03", "later"]
    assert months[-1]["mean"] == pytest.approx(document["revenue"]["mean"], rel=0.05)
    assert sum(month["mean"] for month in months[:-1]) == 0


def test_data_without_dates_says_what_it_cannot_measure(files: dict[str, Path]) -> None:
    """The deals have no dates and the plan no days: the months put each cohort's revenue in
    its own month and say why, and the variation between cohorts is reported as not measured,
    not as 0. With the plan's days the time to win comes from them, without the note."""
    planned = forecast_json("--leads", "90", "--deals", "deals.csv", "--horizon", "3")
    assert not any("no time from lead to won" in note for note in planned["notes"])
    no_days = PROCESS.replace(", days: 10", "").replace(", days: 20", "")
    files["process"].write_text(no_days, encoding="utf-8")
    document = forecast_json("--leads", "90", "--deals", "deals.csv", "--horizon", "3")
    assert document["dispersion_cohorts"] == 0
    assert any("no time from lead to won is known" in note for note in document["notes"])
    text = forecast("--leads", "90", "--deals", "deals.csv").stdout
    assert "cohort-to-cohort variation not measured" in " ".join(text.split())


# --- the months and the open pipeline, on data that once broke them ---------------------------

# Dated stages; every deal closed (two won, one lost): no open deal at all.
CLOSED = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage,discovery_date,proposal_date
W1,Won,1000,2024-01-01,2024-02-01,,2024-01-01,2024-01-15
L1,Lost,,2024-01-05,2024-01-20,discovery,2024-01-05,
W2,Won,3000,2024-01-07,2024-03-01,,2024-01-07,2024-02-01
"""
DATED = "data:\n  stage_dates: {discovery: discovery_date, proposal: proposal_date}\n"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
@pytest.mark.parametrize(
    "leads", [("--leads", "10"), ("--leads", "0"), ("--leads-per-month", "4")], ids=str
)
def test_no_open_deal_with_pipeline_and_horizon(
    files: dict[str, Path], fmt: str, leads: tuple[str, str]
) -> None:
    """Was `internal error: IndexError: tuple index out of range` (exit 3) in every format."""
    files["process"].write_text(PROCESS + DATED, encoding="utf-8")
    files["deals"].write_text(CLOSED, encoding="utf-8")
    args = ("--deals", "deals.csv", *leads, "--pipeline", "--horizon", "3", "-f", fmt, "-q")
    result = forecast(*args)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        document = json.loads(result.stdout)
        assert document["pipeline"]["open_deals"] == 0
        assert all(month["pipeline"] == 0 for month in document["months"])
    elif fmt != "html":
        assert (
            "Open pipeline:** 0 deals" in result.stdout or "Open pipeline: 0 deals" in result.stdout
        )


# A current-stage export (no stage dates) that ends 2024-05-03: wins took 36, 43 and 51 days
# from creation; two open deals were created on 2024-05-01 and 2024-05-03.
CURRENT_STAGE = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage
W1,Won,12000,2024-01-05,2024-02-10,
W2,Won,8000,2024-01-10,2024-03-01,
W3,Won,10000,2024-02-01,2024-03-15,
L1,Lost,,2024-01-12,2024-01-30,discovery
L2,Lost,,2024-02-01,2024-03-01,proposal
O1,discovery,10000,2024-05-01,,
O2,proposal,10000,2024-05-03,,
"""


def test_a_current_stage_export_lands_the_pipeline_after_the_data(files: dict[str, Path]) -> None:
    """Every stage added 0 days to an open deal: all its revenue was booked "earlier" (before
    2024-06), nothing in June to August, and no note. The deals have the rest of the sales
    cycle to go: they land in June and July, as the new leads do, and a note says how."""
    files["deals"].write_text(CURRENT_STAGE, encoding="utf-8")
    args = ("--deals", "deals.csv", "--leads", "0", "--pipeline", "--horizon", "3")
    document = forecast_json(*args, "--start", "2024-06")
    months = {month["month"]: month["pipeline"] for month in document["months"]}
    assert "earlier" not in months
    assert months["2024-06"] > 0
    assert sum(months.values()) == pytest.approx(document["pipeline"]["revenue"]["mean"], rel=0.1)
    assert any("an open deal's time still to go is the rest" in n for n in document["notes"])


def test_a_win_on_the_day_it_was_created_gets_a_true_note(files: dict[str, Path]) -> None:
    """One win closed the day it was created: the note said "no dated wins in the data, no
    expected.days in the plan", though there is a dated win and the plan has days (10 + 20)."""
    files["process"].write_text(PROCESS + DATED, encoding="utf-8")
    files["deals"].write_text(
        "deal_id,stage,amount,created_at,closed_at,lost_at_stage,discovery_date,proposal_date\n"
        "W1,Won,5000,2024-03-01,2024-03-01,,2024-03-01,2024-03-01\n"
        "L1,Lost,,2024-01-01,2024-01-20,discovery,2024-01-01,\n"
        "L2,Lost,,2024-01-10,2024-03-01,proposal,2024-01-10,2024-01-25\n",
        encoding="utf-8",
    )
    document = forecast_json("--deals", "deals.csv", "--leads", "30", "--horizon", "3")
    notes = " ".join(document["notes"])
    assert "no dated wins" not in notes
    assert "0 days (1 dated win, closed the day it was created)" in notes
    assert "the stages' days summed instead" in notes
    # the plan's days, not 0: the first month's leads cannot all win in it
    assert document["months"][0]["mean"] < document["months"][1]["mean"]


@pytest.mark.parametrize(("amount", "said"), [("0", "is 0"), ("-500", "is below 0")])
def test_a_won_amount_of_0_or_less_keeps_the_lognormal_with_a_note(
    files: dict[str, Path], amount: str, said: str
) -> None:
    """A free pilot among the wins switched the deal size to the bootstrap, silently, against
    the docs (lognormal with fewer than 20 won amounts)."""
    files["deals"].write_text(DEALS.replace("W1,Won,2000,", f"W1,Won,{amount},"), encoding="utf-8")
    document = forecast_json("--leads", "10", "--deals", "deals.csv")
    assert document["deal_size_model"] == "lognormal"
    assert any(note.startswith(f"1 of 2 won amounts {said}") for note in document["notes"])


def test_the_headline_says_the_wins_are_sized_from_open_and_lost_deals(
    files: dict[str, Path],
) -> None:
    """Five lost deals with amounts, no plan for the deal size: "average deal EUR 3,000
    (lognormal fitted to 5 won amounts)" contradicted the note below it."""
    files["process"].write_text(PROCESS.replace("assumptions:\n  deal_size: 1000\n", ""))
    lost = "".join(f"L{k},Lost,{k * 1000},discovery\n" for k in range(1, 6))
    files["deals"].write_text("deal_id,stage,amount,lost_at_stage\n" + lost, encoding="utf-8")
    for fmt in ("text", "markdown", "html"):
        result = forecast("--leads", "100", "--deals", "deals.csv", "-f", fmt, "-q")
        assert result.exit_code == 0, result.output
        out = " ".join(result.stdout.split())
        assert "lognormal fitted to 5 amounts of open and lost deals" in out
        assert "fitted to 5 won amounts" not in out
    document = forecast_json("--leads", "100", "--deals", "deals.csv")
    assert (document["won_amounts"], document["amounts_from"]) == (5, "open_and_lost")
