"""`salesflow analyze` through typer's CliRunner: every format, every option that changes what is
read, and every message about bad input, on small CSVs whose numbers are worked out by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.helpers import ANSI, assert_clean_exit, invoke, write

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
    expected: {conversion: 0.6, days: 10}
    aliases: [Discovery Call, Qualified]
  - id: demo
    name: Demo
    owner: ae
    exit_criteria: [Demo accepted]
    expected: {conversion: 0.5, days: 7}
    aliases: [Demo Scheduled]
  - id: proposal
    name: Proposal | Quote
    owner: ae
    exit_criteria: [Order form signed]
    expected: {conversion: 0.9, days: 14}
    aliases: [Proposal Sent]
outcomes:
  won: {name: Closed Won, aliases: [Won]}
  lost: {name: Closed Lost, aliases: [Lost]}
"""

HEADER = "deal_id,stage,amount,created_at,closed_at,owner,lost_at_stage\n"
ROWS = """\
D01,Closed Won,"€12,000.00",2024-01-05,2024-02-10,ann,
D02,won,8000,2024-01-10,2024-03-01,bob,
D03,Won,10000,2024-02-01,2024-03-15,ann,
D04,Lost,,2024-01-12,2024-01-30,ann,Discovery
D05,Closed Lost,,2024-02-01,2024-03-01,bob,Demo Scheduled
D06,Lost,,2024-03-12,2024-04-01,ann,proposal
D07,Lost,,2024-03-20,2024-04-02,bob,Proposal Sent
D08,discovery call,,2024-02-15,,ann,
D09,Demo Scheduled,,2024-03-01,,bob,
D10,Proposal Sent,,2024-04-10,,ann,
D11,  Qualified ,,2024-05-01,,bob,
"""
# By hand: 3 won, lost at [1, 1, 2], open at [2, 1, 1].
# Discovery: entered 11, advanced 8, lost 1, open 2 → 8/9.
# Demo: entered 8, advanced 6, lost 1, open 1 → 6/7.
# Proposal | Quote: entered 6, advanced 3, lost 2, open 1 → 3/5, plan 0.9.
# No stage dates: the conversions are these counts. Win rate 8/9 · 6/7 · 3/5 = 16/35 (closed
# deals only: 3/7). How sure each stage is below plan, P(X > advanced) for X ~ Binomial(decided,
# plan): discovery 0.6⁹ = 0.010078, demo 0.5⁷ = 0.0078125, proposal P(X ≥ 4 | 5, 0.9) =
# 5·0.9⁴·0.1 + 0.9⁵ = 0.32805 + 0.59049 = 0.91854, below the 1 − 0.1/3 = 0.9667 a bottleneck
# needs with 3 stages judged: no bottleneck.
# Won amounts 12,000, 8,000, 10,000; the end of the data is D11's creation, 2024-05-01.
# Cycles: lost D07 13, D04 18, D06 20, D05 29; won D01 36, D03 43, D02 51; open, censored:
# D11 0, D10 21, D09 61, D08 76. 11 at risk; 0: 10; 13, 18, 20: S 9/10, 8/10, 7/10; 21: 6 at
# risk; 29: S 7/10·5/6 = 7/12; 36: F 7/12·1/5 = 7/60, S 7/15; 43: F 14/60, S 7/20; 51: F 21/60.
# Half of 21/60 is first reached at 43: the median sales cycle.
BELOW_PLAN = [0.6**9, 0.5**7, 0.91854]

TOP_KEYS = {
    "version",
    "process",
    "currency",
    "source",
    "shape",
    "since",
    "until",
    "as_of",
    "deals",
    "win_rate",
    "closed_win_rate",
    "avg_won_amount",
    "median_won_amount",
    "median_cycle_days",
    "velocity_per_day",
    "bottleneck",
    "stages",
    "by",
    "groups",
    "notes",
    "ignored_rows",
}
STAGE_KEYS = {
    "id",
    "name",
    "entered",
    "advanced",
    "lost",
    "open",
    "conversion",
    "conversion_ci",
    "conversion_method",
    "effective_deals",
    "undecided",
    "naive_conversion",
    "planned_conversion",
    "gap_points",
    "probability_below_plan",
    "cumulative_conversion",
    "win_probability",
    "median_days",
    "median_days_ci",
    "p80_days",
    "planned_days",
    "median_days_to_advance",
    "median_days_to_lose",
    "completed_stays",
    "open_stays",
}
GROUP_KEYS = {
    "key",
    "deals",
    "won",
    "lost",
    "open",
    "small",
    "win_rate",
    "closed_win_rate",
    "avg_won_amount",
    "median_won_amount",
    "median_cycle_days",
    "velocity_per_day",
    "bottleneck",
    "stages",
}
CSV_COLUMNS = [
    "group",
    "stage_id",
    "stage_name",
    "entered",
    "advanced",
    "lost",
    "open",
    "conversion",
    "conversion_low",
    "conversion_high",
    "conversion_method",
    "naive_conversion",
    "planned_conversion",
    "gap_points",
    "probability_below_plan",
    "cumulative_conversion",
    "win_probability",
    "median_days",
    "median_days_low",
    "median_days_high",
    "p80_days",
    "planned_days",
    "median_days_to_advance",
    "median_days_to_lose",
    "completed_stays",
    "open_stays",
]
BOTTLENECK_KEYS = {
    "stage",
    "probability_below_plan",
    "extra_wins",
    "revenue_gain",
    "revenue_gain_interval",
}


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A process file and deals, in a directory with no configuration (the current one)."""
    monkeypatch.chdir(tmp_path)
    return {
        "process": write(tmp_path, "process.yaml", PROCESS),
        "deals": write(tmp_path, "deals.csv", HEADER + ROWS),
    }


def analyze(files: dict[str, Path], *args: str, deals: Path | None = None) -> Result:
    """Run analyze from the files' directory, naming them as a user would: `deals.csv`."""
    result = invoke(
        "analyze", "-p", files["process"].name, "--deals", (deals or files["deals"]).name, *args
    )
    assert_clean_exit(result)
    return result


def analyze_json(files: dict[str, Path], *args: str, deals: Path | None = None) -> dict[str, Any]:
    result = analyze(files, "--format", "json", *args, deals=deals)
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


# --- every format ---------------------------------------------------------------------------


def test_json_keys_and_numbers(files: dict[str, Path]) -> None:
    document = analyze_json(files)
    assert set(document) == TOP_KEYS
    assert document["version"] == 2
    assert document["process"] == "Test sales"
    assert document["currency"] == "EUR"
    assert document["shape"] == "current stage only"
    assert document["since"] is None and document["until"] is None
    assert document["as_of"] == "2024-05-01"
    assert document["deals"] == {"total": 11, "won": 3, "lost": 4, "open": 4}
    assert document["ignored_rows"] == 0  # no data.ignore
    assert document["win_rate"] == pytest.approx(16 / 35)
    assert document["closed_win_rate"] == pytest.approx(3 / 7)
    assert document["avg_won_amount"] == pytest.approx(10000)
    assert document["median_won_amount"] == pytest.approx(10000)
    assert document["median_cycle_days"] == pytest.approx(43)
    assert document["velocity_per_day"] == pytest.approx(4 * 16 / 35 * 10000 / 43)
    assert document["bottleneck"] is None
    assert document["by"] is None and document["groups"] == []
    # no stage dates: the conversions are counts (a note says what that assumes), no days
    assert len(document["notes"]) == 1
    assert document["notes"][0].startswith("no dates when deals entered stages: conversions")
    assert "no days in stage" in document["notes"][0]
    stages = document["stages"]
    assert [stage["id"] for stage in stages] == ["discovery", "demo", "proposal"]
    for stage in stages:
        assert set(stage) == STAGE_KEYS
        assert stage["entered"] == stage["advanced"] + stage["lost"] + stage["open"]
        decided = stage["advanced"] + stage["lost"]
        assert stage["naive_conversion"] == pytest.approx(stage["advanced"] / decided)
        assert stage["conversion_method"] == "counts"
        assert stage["effective_deals"] == pytest.approx(decided)
        assert stage["undecided"] == 0
        assert stage["median_days"] is None and stage["p80_days"] is None
        assert stage["median_days_to_advance"] is None
        assert stage["median_days_to_lose"] is None
    counts = [(s["entered"], s["advanced"], s["lost"], s["open"]) for s in stages]
    assert counts == [(11, 8, 1, 2), (8, 6, 1, 1), (6, 3, 2, 1)]
    conversions = [8 / 9, 6 / 7, 3 / 5]
    assert [s["conversion"] for s in stages] == pytest.approx(conversions)
    assert [s["naive_conversion"] for s in stages] == pytest.approx(conversions)
    assert [s["probability_below_plan"] for s in stages] == pytest.approx(BELOW_PLAN, abs=1e-6)
    assert stages[2]["planned_conversion"] == 0.9
    assert stages[2]["gap_points"] == pytest.approx(-30)
    assert stages[1]["cumulative_conversion"] == pytest.approx(8 / 9 * 6 / 7)
    assert stages[2]["cumulative_conversion"] == pytest.approx(document["win_rate"])
    assert stages[1]["win_probability"] == pytest.approx(6 / 7 * 3 / 5)
    low, high = stages[2]["conversion_ci"]
    assert 0 <= low < 0.6 < high <= 1


def test_text_names_every_stage(files: dict[str, Path]) -> None:
    result = analyze(files)
    assert result.exit_code == 0
    assert not ANSI.search(result.stdout)  # not a terminal
    for name in ("Discovery", "Demo", "Proposal | Quote"):
        assert name in result.stdout
    assert "Test sales · deals.csv (current stage only)\n" in result.stdout
    assert " open on 2024-05-01 · win rate " in result.stdout
    # win rate 16/35 = 45.7%; closed deals only 3/7 = 42.9%
    assert (
        "11 deals: 3 won, 4 lost, 4 open on 2024-05-01 · win rate 46% (closed deals only: 43%)"
        in result.stdout
    )
    assert "average EUR 10,000 · median EUR 10,000" in result.stdout
    # Proposal | Quote is 30 points below plan on 5 decided deals: not clearly below it
    assert "No stage is clearly below plan." in result.stdout
    assert "Bottleneck:" not in result.stdout
    assert "Note: no dates when deals entered stages" in result.stdout
    assert "Days in stage" not in result.stdout  # no dates: no table of days


def test_csv_rows(files: dict[str, Path]) -> None:
    result = analyze(files, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == CSV_COLUMNS
    assert [(row["group"], row["stage_id"]) for row in rows] == [
        ("*", "discovery"),
        ("*", "demo"),
        ("*", "proposal"),
    ]
    assert rows[2]["stage_name"] == "Proposal | Quote"
    assert float(rows[0]["conversion"]) == pytest.approx(8 / 9)
    assert float(rows[0]["naive_conversion"]) == pytest.approx(8 / 9)
    assert [row["conversion_method"] for row in rows] == ["counts"] * 3
    # P(X ≥ 4 | 5, 0.9) = 0.91854
    assert float(rows[2]["probability_below_plan"]) == pytest.approx(0.91854, abs=1e-6)
    assert rows[0]["median_days"] == ""
    assert rows[0]["median_days_to_advance"] == ""


def test_markdown_has_the_tables(files: dict[str, Path]) -> None:
    result = analyze(files, "--format", "markdown")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("# Test sales: funnel analysis\n")
    assert "- **Data:** deals.csv (current stage only), data to 2024-05-01\n" in out
    assert "- **Win rate:** 46% (closed deals only: 43%)\n" in out
    assert "| Stage | Entered | Advanced | Lost | Open |" in out
    assert "| Discovery | 11 | 8 | 1 | 2 | 89% (" in out
    assert "| Proposal \\| Quote | 6 | 3 | 2 | 1 |" in out
    assert "\nNo stage is clearly below plan.\n" in out
    assert "**Bottleneck:**" not in out


# 20 won (EUR 8,000 and 12,000: average 10,000); lost 10 at discovery, 5 at demo, 20 at the
# proposal; 4 open at the proposal. Discovery: 59 entered, 49 advanced → 49/59 (plan 0.6);
# Demo 49, 44 → 44/49 (plan 0.5); Proposal | Quote 44 entered, 20 advanced, 20 lost → 20/40
# (plan 0.9).
MANY_ROWS = (
    [f"W{i},Won,{8000 if i % 2 else 12000},,,ann," for i in range(20)]
    + [f"L{i},Lost,,,,ann,discovery" for i in range(10)]
    + [f"M{i},Lost,,,,bob,demo" for i in range(5)]
    + [f"P{i},Lost,,,,bob,proposal" for i in range(20)]
    + [f"O{i},Proposal Sent,,,,ann," for i in range(4)]
)


def test_bottleneck_with_strong_evidence(files: dict[str, Path]) -> None:
    deals = write(files["deals"].parent, "many.csv", HEADER + "\n".join(MANY_ROWS) + "\n")
    document = analyze_json(files, deals=deals)
    stages = document["stages"]
    counts = [(s["entered"], s["advanced"], s["lost"], s["open"]) for s in stages]
    assert counts == [(59, 49, 10, 0), (49, 44, 5, 0), (44, 20, 20, 4)]
    # Proposal | Quote: 20 of 40 at a plan of 0.9: P(X ≤ 20) ≤ exp(−2·40·0.4²) = exp(−12.8)
    # = 2.8e-6 (Hoeffding), far beyond the 1 − 0.1/3 = 0.9667 needed with 3 stages judged;
    # the other two are above plan.
    found = document["bottleneck"]
    assert set(found) == BOTTLENECK_KEYS
    assert found["stage"] == "proposal"
    assert found["probability_below_plan"] > 1 - 2.8e-6
    assert found["probability_below_plan"] == stages[2]["probability_below_plan"]
    # (0.9 − 0.5) × 44 entered × 1 (the last stage) = 17.6 extra wins × EUR 10,000
    assert found["extra_wins"] == pytest.approx(17.6)
    assert found["revenue_gain"] == pytest.approx(176_000)
    low, high = found["revenue_gain_interval"]
    assert 0 < low < 176_000 < high
    text = analyze(files, deals=deals).stdout
    assert "Bottleneck: Proposal | Quote — 99.9% sure it converts below the planned 90%" in text
    assert "≈ EUR 176,000" in text
    assert "No stage is clearly below plan." not in text


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "markdown"])
def test_format_short_option_and_output_file(files: dict[str, Path], fmt: str) -> None:
    target = files["deals"].parent / "out" / f"report.{fmt}"
    result = analyze(files, "-f", fmt, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == analyze(files, "-f", fmt).stdout
    assert not ANSI.search(target.read_text(encoding="utf-8"))


def test_output_refuses_to_overwrite_without_force(files: dict[str, Path]) -> None:
    target = write(files["deals"].parent, "report.json", "keep me\n")
    line = error_line(analyze(files, "-f", "json", "-o", str(target)))
    assert "already exists; use --force to overwrite it" in line
    assert target.read_text(encoding="utf-8") == "keep me\n"
    forced = analyze(files, "-f", "json", "-o", str(target), "--force")
    assert forced.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["deals"]["total"] == 11


def test_unknown_format(files: dict[str, Path]) -> None:
    line = error_line(analyze(files, "--format", "xml"))
    assert line == ("salesflow: error: --format xml: choose one of text, json, csv, markdown, html")


# --- where the data comes from --------------------------------------------------------------


def test_no_deal_data(files: dict[str, Path]) -> None:
    result = invoke("analyze", "-p", "process.yaml")
    assert_clean_exit(result)
    line = error_line(result)
    assert "no deal data: pass --deals FILE, set SALESFLOW_DEALS" in line


def test_deals_from_the_environment(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESFLOW_DEALS", str(files["deals"]))
    result = invoke("analyze", "-p", "process.yaml", "-f", "json")
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deals"]["total"] == 11


def test_deals_and_process_from_salesflow_toml(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = files["deals"].parent
    write(root, "salesflow.toml", 'process = "process.yaml"\ndeals = "deals.csv"\n')
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")  # found upwards; paths relative to the file
    result = invoke("analyze", "-f", "json")
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert Path(document["source"]) == root / "deals.csv"
    assert document["deals"]["total"] == 11


HISTORY = """\
deal_id,stage,entered_at
D01,Discovery,2024-01-05
D01,Demo,2024-01-15
"""


def test_configured_history_travels_with_the_configured_deals(files: dict[str, Path]) -> None:
    root = files["deals"].parent
    write(root, "history.csv", HISTORY)
    write(root, "salesflow.toml", 'deals = "deals.csv"\nhistory = "history.csv"\n')
    configured = invoke("analyze", "-p", "process.yaml", "-f", "json")
    assert_clean_exit(configured)
    assert json.loads(configured.stdout)["shape"] == "stage history"
    # --deals on the command line: the configured history belongs to other data.
    document = analyze_json(files)
    assert document["shape"] == "current stage only"


def test_missing_deals_file(files: dict[str, Path]) -> None:
    line = error_line(analyze(files, deals=files["deals"].parent / "nope.csv"))
    assert "nope.csv: no such file" in line


def test_missing_column_named_in_the_process_file(files: dict[str, Path]) -> None:
    write(
        files["process"].parent,
        "process.yaml",
        PROCESS + "data:\n  columns: {amount: deal_value}\n",
    )
    line = error_line(analyze(files))
    assert "no column 'deal_value'" in line
    assert "data.columns.amount" in line
    assert (
        "its columns: deal_id, stage, amount, created_at, closed_at, owner, lost_at_stage" in line
    )


def test_missing_required_column(files: dict[str, Path]) -> None:
    deals = write(files["deals"].parent, "no-stage.csv", "deal_id,amount\nD1,10\n")
    line = error_line(analyze(files, deals=deals))
    assert "no column 'stage'" in line
    assert "its columns: deal_id, amount" in line


def test_map_and_date_format(files: dict[str, Path]) -> None:
    deals = write(
        files["deals"].parent,
        "crm.csv",
        "Id,Deal Stage,Created\nA,Won,05/01/2024\nB,Demo,06/02/2024\nC,Lost,07/03/2024\n",
    )
    document = analyze_json(
        files,
        "--map",
        "id=Id",
        "--map",
        "stage=Deal Stage",
        "--map",
        "created=Created",
        "--date-format",
        "%d/%m/%Y",
        "--since",
        "2024-02-01",
        deals=deals,
    )
    assert document["deals"] == {"total": 2, "won": 0, "lost": 1, "open": 1}


def test_unknown_map_key(files: dict[str, Path]) -> None:
    line = error_line(analyze(files, "--map", "colour=stage"))
    assert "--map colour=…: unknown key" in line


def test_stage_dates_give_days_in_stage(files: dict[str, Path]) -> None:
    deals = write(
        files["deals"].parent,
        "wide.csv",
        "deal_id,stage,discovery_date,demo_date,closed_at\n"
        "A,Demo,2024-01-01,2024-01-16,\n"
        "B,Lost,2024-01-01,,2024-01-05\n"
        "C,Discovery,2024-01-10,,\n"
        "E,Won,2024-01-02,2024-01-04,2024-01-20\n",
    )
    document = analyze_json(
        files,
        "--map",
        "stage_dates.discovery=discovery_date",
        "--map",
        "stage_dates.demo=demo_date",
        deals=deals,
    )
    assert document["shape"] == "wide stage dates"
    # the end of the data: E's close, 2024-01-20
    assert document["as_of"] == "2024-01-20"
    discovery, demo, proposal = document["stages"]
    # Discovery: E advanced at 2 (→ demo 01-04), B lost at 4 (→ close 01-05), C open 01-10 →
    # 01-20 = 10 (censored), A advanced at 15 (→ demo 01-16).
    # Aalen–Johansen: 2: 4 at risk → F 1/4, S 3/4; 4: S 2/4; C censored; 15: 1 at risk, A
    # advances → F 1/4 + 2/4 = 3/4. Counting only the decided deals: 2 of 3.
    assert discovery["conversion_method"] == "survival"
    assert discovery["conversion"] == pytest.approx(3 / 4)
    assert discovery["naive_conversion"] == pytest.approx(2 / 3)
    # Kaplan–Meier of leaving: 2 → 3/4, 4 → 2/4 (median 4), 15 → 0 (p80 15)
    assert (discovery["completed_stays"], discovery["open_stays"]) == (3, 1)
    assert discovery["median_days"] == pytest.approx(4)
    assert discovery["p80_days"] == pytest.approx(15)
    # advancing: 1/4 at 2, 3/4 at 15 → half of 3/4 at 15; losing: all of its 1/4 at 4
    assert discovery["median_days_to_advance"] == pytest.approx(15)
    assert discovery["median_days_to_lose"] == pytest.approx(4)
    # Demo: A open 01-16 → 01-20 = 4 (censored), E advanced at 16 (→ won 01-20): 1
    assert demo["conversion_method"] == "survival"
    assert demo["conversion"] == pytest.approx(1)
    assert (demo["median_days"], demo["completed_stays"], demo["open_stays"]) == (16, 1, 1)
    # Proposal | Quote has no date column: counted, and the only note says so
    assert proposal["conversion_method"] == "counts"
    assert proposal["conversion"] == pytest.approx(1)  # E won
    assert proposal["median_days"] is None
    assert len(document["notes"]) == 1
    assert document["notes"][0].startswith("Proposal | Quote: no dates when deals entered")
    # win rate 3/4 · 1 · 1; closed deals only: E won, B lost
    assert document["win_rate"] == pytest.approx(3 / 4)
    assert document["closed_win_rate"] == pytest.approx(1 / 2)
    # cycle from the first date: B lost 4, C censored 10, E won 18 (01-02 → 01-20), A censored
    # 19: F(won) = 3/4·1/2 = 3/8 at 18, its final value: median 18
    assert document["median_cycle_days"] == pytest.approx(18)


# --- bad data -------------------------------------------------------------------------------


def test_unmapped_labels_are_an_error(files: dict[str, Path]) -> None:
    deals = write(
        files["deals"].parent,
        "unmapped.csv",
        HEADER + ROWS + "X1,Mystery,,,,ann,\nX2, Mystery ,,,,ann,\nX3,Limbo,,,,bob,\n",
    )
    line = error_line(analyze(files, deals=deals))
    assert "unmapped.csv: 3 rows with a stage label that matches no stage or outcome" in line
    assert '"Mystery" (2), "Limbo" (1)' in line  # most frequent first
    assert '"Limbo" (1)' in line
    assert "--unmapped ignore" in line


def test_unmapped_ignore_skips_with_a_warning(files: dict[str, Path]) -> None:
    deals = write(files["deals"].parent, "unmapped.csv", HEADER + ROWS + "X1,Mystery,,,,ann,\n")
    result = analyze(files, "--unmapped", "ignore", "-f", "json", deals=deals)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deals"]["total"] == 11
    assert "salesflow: warning: unmapped.csv: 1 row with a stage label" in result.stderr
    assert "these deals are skipped" in result.stderr
    quiet = analyze(files, "--unmapped", "ignore", "-q", deals=deals)
    assert quiet.exit_code == 0
    assert quiet.stderr == ""


def test_unmapped_bad_choice(files: dict[str, Path]) -> None:
    line = error_line(analyze(files, "--unmapped", "skip"))
    assert "--unmapped skip: choose one of error, ignore" in line


def test_bad_values_are_warnings_naming_the_row(files: dict[str, Path]) -> None:
    rows = ROWS.replace("2024-02-15", "2024-13-45").replace("8000", "eight")
    deals = write(files["deals"].parent, "bad.csv", HEADER + rows)
    result = analyze(files, "-f", "json", deals=deals)
    assert result.exit_code == 0, result.output
    assert "bad.csv: 1 row whose created_at is not a date (first: row 9)" in result.stderr
    assert "bad.csv: 1 row whose amount is not a number (first: row 3)" in result.stderr
    assert "salesflow validate --deals" in result.stderr
    document = json.loads(result.stdout)
    assert document["deals"]["total"] == 11  # the rows still count; the value is missing
    assert document["avg_won_amount"] == pytest.approx(11000)


def test_duplicate_ids_use_the_first_row(files: dict[str, Path]) -> None:
    deals = write(files["deals"].parent, "dupes.csv", HEADER + ROWS + "D01,Lost,,,,ann,\n")
    result = analyze(files, "-f", "json", deals=deals)
    assert result.exit_code == 0
    assert "dupes.csv: 1 deal id on more than one row" in result.stderr
    assert json.loads(result.stdout)["deals"] == {"total": 11, "won": 3, "lost": 4, "open": 4}


def test_bad_since(files: dict[str, Path]) -> None:
    line = error_line(analyze(files, "--since", "last week"))
    assert "--since last week: expected a date as YYYY-MM-DD" in line


# --- --by and the date window ---------------------------------------------------------------


def test_by_owner(files: dict[str, Path]) -> None:
    document = analyze_json(files, "--by", "owner")
    assert document["by"] == "owner"
    groups = document["groups"]
    assert [group["key"] for group in groups] == ["ann", "bob"]
    for group in groups:
        assert set(group) == GROUP_KEYS
        assert group["small"] is True  # far fewer than 30 closed deals
        assert [stage["id"] for stage in group["stages"]] == ["discovery", "demo", "proposal"]
    ann, bob = groups
    assert (ann["deals"], ann["won"], ann["lost"], ann["open"]) == (6, 2, 2, 2)
    assert (bob["deals"], bob["won"], bob["lost"], bob["open"]) == (5, 1, 2, 2)
    assert document["deals"]["total"] == ann["deals"] + bob["deals"]


def test_by_owner_in_text_and_csv(files: dict[str, Path]) -> None:
    text = analyze(files, "--by", "owner").stdout
    assert "By owner: conversion per stage" in text
    assert "ann (small)" in text and "bob (small)" in text
    rows = list(csv.DictReader(io.StringIO(analyze(files, "--by", "owner", "-f", "csv").stdout)))
    assert [row["group"] for row in rows] == ["*"] * 3 + ["ann"] * 3 + ["bob"] * 3


def test_by_unknown_column(files: dict[str, Path]) -> None:
    line = error_line(analyze(files, "--by", "region"))
    assert "--by region: deals.csv has no such column; its columns: deal_id, stage" in line


def test_since_and_until(files: dict[str, Path]) -> None:
    document = analyze_json(files, "--since", "2024-02-01", "--until", "2024-03-31")
    assert (document["since"], document["until"]) == ("2024-02-01", "2024-03-31")
    # Created in February or March: D03, D05, D06, D07, D08, D09, as they stood at the end of
    # 31 March: D03 won (03-15), D05 lost (03-01); D06 and D07 were lost in April, so still open
    # then, like D08 and D09. Without stage dates an open deal is placed at the first stage.
    assert document["deals"] == {"total": 6, "won": 1, "lost": 1, "open": 4}
    assert document["as_of"] == "2024-03-31"
    text = analyze(files, "--since", "2024-02-01", "--until", "2024-03-31").stdout
    assert "created 2024-02-01 to 2024-03-31" in text


def test_until_includes_the_whole_day(files: dict[str, Path]) -> None:
    document = analyze_json(files, "--until", "2024-01-05")
    assert document["deals"]["total"] == 1  # D01, created on 2024-01-05


# --- hostile input (issue 10): one line and exit 2, never exit 3 or invalid JSON -----------------


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--until", "9999-12-31"),
            "salesflow: error: --until 9999-12-31: choose a date between 1900 and 2200",
        ),
        (
            ("--since", "0001-01-01"),
            "salesflow: error: --since 0001-01-01: choose a date between 1900 and 2200",
        ),
    ],
)
def test_dates_at_the_ends_of_the_calendar(
    files: dict[str, Path], args: tuple[str, ...], message: str
) -> None:
    assert error_line(analyze(files, *args)) == message


@pytest.mark.timeout(30)
def test_until_the_last_sane_day_still_works(files: dict[str, Path]) -> None:
    assert analyze_json(files, "--until", "2200-12-31")["until"] == "2200-12-31"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("amount", ["1e308", "-1e308", "1e400"])
def test_an_amount_beyond_the_range_is_refused_with_its_row(
    files: dict[str, Path], amount: str
) -> None:
    deals = write(files["deals"].parent, "huge.csv", HEADER + ROWS + f"D99,Won,{amount},,,,\n")
    line = error_line(analyze(files, "--format", "json", deals=deals))
    assert line.startswith("salesflow: error: huge.csv: 1 row whose amount is infinite, NaN")
    assert line.endswith(f"(first: row {len(ROWS.splitlines()) + 2})")


@pytest.mark.timeout(30)
def test_nan_and_infinity_in_parquet_never_reach_json(files: dict[str, Path]) -> None:
    import duckdb

    path = files["deals"].parent / "nan.parquet"
    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES ('A', 'Won', 'nan'::DOUBLE), ('B', 'Won', 'inf'::DOUBLE), "
        f"('C', 'Won', 5.0)) t(deal_id, stage, amount)) TO '{path}'"
    )
    line = error_line(analyze(files, "--format", "json", deals=path))
    assert "nan.parquet: 2 rows whose amount is infinite, NaN" in line


def test_the_json_writer_refuses_nan_as_a_bug(tmp_path: Path) -> None:
    """Non-finite numbers are refused at load; one that slips through is a loud bug, never
    `NaN` in a JSON file."""
    from salesflow.reporters import analyze_json
    from tests.sources.deal_data import report

    real = report(tmp_path, "deal_id,stage,amount\nA,Won,10\n")
    json.loads(analyze_json.render(real, False))
    funnel = real.funnel.model_copy(update={"avg_won_amount": float("nan")})
    with pytest.raises(ValueError, match="not JSON compliant"):
        analyze_json.render(real.model_copy(update={"funnel": funnel}), False)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (  # UTF-16 with a byte-order mark is read (test_a_utf16_file_with_a_bom_is_read)
            "deal_id,stage\nA,Won\n".encode("utf-16-le"),
            "salesflow: error: bad.csv: the file looks like UTF-16 text without a byte-order mark; "
            "declare data.encoding: utf-16-le (or utf-16-be) in the process file",
        ),
        (
            ("deal_id,stage," + "x" * 140_000 + "\nA,Won,1\n").encode(),
            "salesflow: error: bad.csv: a column name in the header is longer than 128 KB",
        ),
    ],
)
def test_unreadable_csv_headers(files: dict[str, Path], content: bytes, message: str) -> None:
    path = files["deals"].parent / "bad.csv"
    path.write_bytes(content)
    assert error_line(analyze(files, deals=path)) == message


def test_a_utf16_file_with_a_bom_is_read(files: dict[str, Path]) -> None:
    path = files["deals"].parent / "utf16.csv"
    path.write_bytes((HEADER + ROWS).encode("utf-16"))
    utf16, utf8 = analyze_json(files, deals=path), analyze_json(files)
    assert (utf16.pop("source"), utf8.pop("source")) == ("utf16.csv", "deals.csv")
    notes, same_notes = utf16.pop("notes"), utf8.pop("notes")
    assert utf16 == utf8
    assert notes[1:] == same_notes  # and first a note naming the encoding read
    assert notes[0].startswith("utf16.csv: not UTF-8, read as utf-16")


@pytest.mark.timeout(30)
def test_a_5000_character_path(files: dict[str, Path]) -> None:
    result = invoke("analyze", "-p", files["process"].name, "--deals", "d" * 5000)
    assert_clean_exit(result)
    line = error_line(result)
    assert line.endswith("…: cannot be read: File name too long")
    assert len(line) < 300


# --- one process per pipeline -----------------------------------------------------------------

PIPELINES = """\
Record ID,Deal Name,Deal Stage,Pipeline,Amount,Create Date,Close Date
1,A,Closed Won,Sales Pipeline,1000,2024-01-01,2024-01-20
2,B,Closed Lost,Sales Pipeline,1000,2024-01-01,2024-01-20
3,C,Closed Won,Renewals,50000,2024-01-01,2024-01-20
4,D,Closed Won,Renewals,50000,2024-01-01,2024-01-20
"""
REFUSED_PIPELINES = (
    """salesflow: error: pipes.csv: column 'Pipeline' holds deals of 2 pipelines: "Renewals" """
    """(2), "Sales Pipeline" (2); set data.pipeline to the pipeline this process describes (one """
    "process per pipeline), or, to analyse several together on purpose, choose them with "
    """data.where: {"Pipeline": ["Renewals", "Sales Pipeline"]}, or --where Pipeline=Renewals """
    "--where 'Pipeline=Sales Pipeline'"
)


@pytest.fixture
def hubspot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`salesflow init --crm hubspot` and an export of two pipelines, sharing the outcome labels."""
    assert invoke("init", "--no-ci", "--crm", "hubspot", str(tmp_path)).exit_code == 0
    write(tmp_path, "pipes.csv", PIPELINES)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "process.yaml"


@pytest.mark.parametrize(
    "command",
    [
        ("analyze", "--format", "json"),
        ("validate",),
        ("forecast", "--leads", "10"),
        ("backtest",),
        ("onboard",),
    ],
)
def test_deals_of_several_pipelines_are_refused_by_every_command(
    hubspot: Path, command: tuple[str, ...]
) -> None:
    """Else the Renewals deals' wins would count in the Sales Pipeline's win rate (0.75, an
    average won deal of 33,666.67) with no warning."""
    result = invoke(*command, "-p", "process.yaml", "--deals", "pipes.csv")
    assert_clean_exit(result)
    assert error_line(result) == REFUSED_PIPELINES


@pytest.mark.parametrize(
    ("edit", "where", "won"),
    [
        (("  # pipeline: Sales Pipeline", "  pipeline: Sales Pipeline"), (), 1),
        ((), ("--where", "Pipeline=Sales Pipeline", "--where", "Pipeline=Renewals"), 3),
    ],
)
def test_a_chosen_pipeline_or_several_on_purpose_are_analysed(
    hubspot: Path, edit: tuple[str, ...], where: tuple[str, ...], won: int
) -> None:
    if edit:
        text = hubspot.read_text(encoding="utf-8")
        hubspot.write_text(text.replace(*edit), encoding="utf-8")
    result = invoke("analyze", "-p", "process.yaml", "--deals", "pipes.csv", "-f", "json", *where)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["deals"]["won"], document["deals"]["lost"]) == (won, 1)
