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
D01,Closed Won,"$12,000.00",2024-01-05,2024-02-10,ann,
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
# Proposal | Quote: entered 6, advanced 3, lost 2, open 1 → 3/5, plan 0.9: the bottleneck,
# 0.3 × 5 decided × 1 = 1.5 extra wins × EUR 10,000 average = EUR 15,000.
# Won amounts 12,000, 8,000, 10,000; cycles 36, 51 and 43 days.

TOP_KEYS = {
    "version",
    "process",
    "currency",
    "source",
    "shape",
    "since",
    "until",
    "deals",
    "win_rate",
    "avg_won_amount",
    "median_won_amount",
    "median_cycle_days",
    "velocity_per_day",
    "bottleneck",
    "stages",
    "by",
    "groups",
    "notes",
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
    "planned_conversion",
    "gap_points",
    "cumulative_conversion",
    "win_probability",
    "median_days",
    "p80_days",
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
    "planned_conversion",
    "gap_points",
    "cumulative_conversion",
    "win_probability",
    "median_days",
    "p80_days",
]


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
    assert document["version"] == 1
    assert document["process"] == "Test sales"
    assert document["currency"] == "EUR"
    assert document["shape"] == "current stage only"
    assert document["since"] is None and document["until"] is None
    assert document["deals"] == {"total": 11, "won": 3, "lost": 4, "open": 4}
    assert document["win_rate"] == pytest.approx(3 / 7)
    assert document["avg_won_amount"] == pytest.approx(10000)
    assert document["median_won_amount"] == pytest.approx(10000)
    assert document["median_cycle_days"] == pytest.approx(43)
    assert document["velocity_per_day"] == pytest.approx(4 * 3 / 7 * 10000 / 43)
    assert document["bottleneck"] == {
        "stage": "proposal",
        "extra_wins": pytest.approx(1.5),
        "revenue_gain": pytest.approx(15000),
    }
    assert document["by"] is None and document["groups"] == []
    assert len(document["notes"]) == 1  # no stage dates: no days in stage
    stages = document["stages"]
    assert [stage["id"] for stage in stages] == ["discovery", "demo", "proposal"]
    for stage in stages:
        assert set(stage) == STAGE_KEYS
        assert stage["entered"] == stage["advanced"] + stage["lost"] + stage["open"]
        assert stage["median_days"] is None and stage["p80_days"] is None
    counts = [(s["entered"], s["advanced"], s["lost"], s["open"]) for s in stages]
    assert counts == [(11, 8, 1, 2), (8, 6, 1, 1), (6, 3, 2, 1)]
    conversions = [8 / 9, 6 / 7, 3 / 5]
    assert [s["conversion"] for s in stages] == pytest.approx(conversions)
    assert stages[2]["planned_conversion"] == 0.9
    assert stages[2]["gap_points"] == pytest.approx(-30)
    assert stages[1]["cumulative_conversion"] == pytest.approx(8 / 9 * 6 / 7)
    assert stages[1]["win_probability"] == pytest.approx(6 / 7 * 3 / 5)
    low, high = stages[2]["conversion_ci"]
    assert 0 <= low < 0.6 < high <= 1


def test_text_names_every_stage(files: dict[str, Path]) -> None:
    result = analyze(files)
    assert result.exit_code == 0
    assert not ANSI.search(result.stdout)  # not a terminal
    for name in ("Discovery", "Demo", "Proposal | Quote"):
        assert name in result.stdout
    assert "11 deals: 3 won, 4 lost, 4 open · win rate 43%" in result.stdout
    assert "average EUR 10,000 · median EUR 10,000" in result.stdout
    assert (
        "Bottleneck: Proposal | Quote — reaching the planned 90% would add ≈ 1.5 wins, "
        "≈ EUR 15,000" in result.stdout
    )
    assert "Note: days in stage need" in result.stdout


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
    assert rows[0]["median_days"] == ""


def test_markdown_has_the_tables(files: dict[str, Path]) -> None:
    result = analyze(files, "--format", "markdown")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("# Test sales: funnel analysis\n")
    assert "| Stage | Entered | Advanced | Lost | Open |" in out
    assert "| Discovery | 11 | 8 | 1 | 2 | 89% (" in out
    assert "| Proposal \\| Quote | 6 | 3 | 2 | 1 |" in out
    assert "**Bottleneck:** Proposal \\| Quote" in out


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
    assert line == (
        "salesflow: error: unknown format 'xml'; choose one of: text, json, csv, markdown"
    )


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
        "A,Demo,2024-01-01,2024-01-11,\n"
        "B,Lost,2024-01-01,,2024-01-05\n"
        "C,Discovery,2024-01-20,,\n",
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
    discovery = document["stages"][0]
    assert (discovery["completed_stays"], discovery["open_stays"]) == (2, 1)
    assert discovery["median_days"] == pytest.approx(7)  # stays of 10 and 4 days
    assert document["notes"] == []


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
    assert "--unmapped skip: choose error or ignore" in line


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
    # Created in February or March: D03, D05, D06, D07, D08, D09.
    assert document["deals"] == {"total": 6, "won": 1, "lost": 3, "open": 2}
    text = analyze(files, "--since", "2024-02-01", "--until", "2024-03-31").stdout
    assert "created 2024-02-01 to 2024-03-31" in text


def test_until_includes_the_whole_day(files: dict[str, Path]) -> None:
    document = analyze_json(files, "--until", "2024-01-05")
    assert document["deals"]["total"] == 1  # D01, created on 2024-01-05
