"""Text reports laid out for the terminal's width: `COLUMNS` when stdout is not a terminal (as in
CliRunner), on the bundled examples at 80, 100 and 200 columns. No line is longer than the width,
no table row wraps (each stage is on one line of each table), the intervals go at 80 and stay at
200; the width decision itself (terminal, COLUMNS, default)."""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from salesflow.cli import console
from tests.helpers import REPO, invoke

PROCESS, DEALS = "examples/process.yaml", "examples/deals.csv"  # relative: the golden names them
STAGES = (
    "Lead",
    "Qualification",
    "Discovery",
    "Solution Demo",
    "Technical Validation",
    "Proposal",
    "Negotiation",
)
WIDTHS = (80, 100, 200)
MONTH_ROW = re.compile(r"^\d{4}-\d{2}\b")
LEGEND = re.compile(r"^(\* |\S+: )")  # the lines under the month table that explain it


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def run(command: str, width: int | None, *args: str) -> Result:
    env = {"COLUMNS": str(width) if width else None, "FORCE_COLOR": None}
    result = invoke(command, "-p", PROCESS, "--deals", DEALS, *args, env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # stderr is no terminal here: no progress
    return result


@functools.cache
def analyze(width: int) -> str:
    return run("analyze", width).stdout


@functools.cache
def forecast(width: int) -> str:
    """With every part: the target, six months from 2027-01 and the open pipeline."""
    args = ("--leads", "100", "--sims", "2000", "--target", "200k", "--pipeline")
    return run("forecast", width, *args, "--horizon", "6", "--start", "2027-01").stdout


def rows_of(text: str, title: str) -> list[str]:
    """The rows of the table under the first line starting with `title`: the lines after its
    rule, up to the first blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    rule = next(i for i in range(start, len(lines)) if lines[i].startswith("─"))
    end = next((i for i in range(rule, len(lines)) if not lines[i].strip()), len(lines))
    return [line for line in lines[rule + 1 : end] if not LEGEND.match(line)]


def assert_fits(text: str, width: int) -> None:
    too_long = [line for line in text.splitlines() if len(line) > width]
    assert not too_long, too_long


def assert_one_line_per_stage(rows: list[str]) -> None:
    """One row per stage, each starting with the stage's whole name: nothing wrapped."""
    assert len(rows) == len(STAGES), rows
    for row, stage in zip(rows, STAGES, strict=True):
        assert row.startswith(stage + "  "), row


@pytest.mark.parametrize("width", WIDTHS)
def test_analyze_fits_without_wrapping_a_row(width: int) -> None:
    out = analyze(width)
    assert_fits(out, width)
    assert_one_line_per_stage(rows_of(out, "Stage"))
    assert_one_line_per_stage(rows_of(out, "Days in stage"))
    chart = out.split("Funnel: deals that entered each stage\n")[1].splitlines()[: len(STAGES)]
    for row, stage in zip(chart, STAGES, strict=True):
        assert row.startswith(stage + " ") and "█" in row, row
    for stage in STAGES:  # the stage table, the days table and the chart
        assert sum(line.startswith(stage + " ") for line in out.splitlines()) == 3


@pytest.mark.parametrize(("width", "intervals"), [(80, False), (100, True), (200, True)])
def test_analyze_drops_the_intervals_before_a_row_would_wrap(width: int, intervals: bool) -> None:
    out = analyze(width)
    first = rows_of(out, "Stage")[0]
    assert ("(95% CI)" in out) is intervals
    assert ("40% (38–42)" in first) is intervals
    assert "40%" in first  # the conversion itself stays


@pytest.mark.parametrize("width", WIDTHS)
def test_forecast_fits_without_wrapping_a_row(width: int) -> None:
    out = forecast(width)
    assert_fits(out, width)
    assert_one_line_per_stage(rows_of(out, "stage"))
    months = rows_of(out, "Revenue by month")
    assert [MONTH_ROW.match(row) is not None for row in months].count(True) == 6
    header = out.split("Revenue by month\n")[1].splitlines()[0]
    assert ("P10" in header and "P90" in header) is (width > 80)
    assert "P50" in header and "mean" in header


def test_forecast_horizon_6_has_6_month_rows_and_says_what_the_others_are() -> None:
    out = forecast(100)
    months = rows_of(out, "Revenue by month")
    calendar = [row.split()[0] for row in months if MONTH_ROW.match(row)]
    assert calendar == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"]
    assert [row.split()[0] for row in months if not MONTH_ROW.match(row)] == ["earlier", "later"]
    assert "earlier: before 2027-01 · later: after 2027-06 (outside the 6 months)" in out
    marked = [row.split()[0] for row in months if row.split()[1] == "*"]
    assert marked[0] == "earlier"  # all of it from the open pipeline
    assert "* more than half of the month's expected revenue comes from the open pipeline" in out


@pytest.mark.parametrize("width", [80, 200])
def test_analyze_golden(width: int, golden: Callable[[str, str], None]) -> None:
    golden(f"analyze_examples_{width}.txt", analyze(width))


def test_without_columns_the_report_keeps_its_width(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    run("analyze", None, "-o", str(target))
    assert target.read_text(encoding="utf-8") == analyze(100)


def test_diff_wraps_at_spaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (REPO / PROCESS).read_text(encoding="utf-8")
    after = before.replace("conversion: 0.75", "conversion: 0.8").replace(
        "name: Technical Validation", "name: Technical Validation Of The Customer's Own Data"
    )
    (tmp_path / "a.yaml").write_text(before, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(after, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ("diff", "a.yaml", "b.yaml")
    wide = invoke(*args, env={"COLUMNS": "1000"}).stdout
    narrow = invoke(*args, env={"COLUMNS": "50"}).stdout
    assert max(map(len, wide.splitlines())) > 50
    assert_fits(narrow, 50)
    assert narrow.split() == wide.split()  # only the line breaks moved: no word split
    continued = [line for line in narrow.splitlines() if line.startswith(" " * 11)]
    assert continued  # a change's text continues under itself


# --- the width decision ---------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return 1


@pytest.mark.parametrize(
    ("tty", "columns", "expected"),
    [
        (True, None, 132),  # the terminal's own width
        (True, "90", 132),  # a terminal's size wins over a stale COLUMNS
        (False, "90", 90),  # piped: COLUMNS
        (False, " 72 ", 72),
        (False, None, None),  # piped, no COLUMNS: each report's default
        (False, "0", None),
        (False, "wide", None),
        (False, "-5", None),
        (False, "999999", console.MAX_WIDTH),
    ],
)
def test_report_width(
    tty: bool, columns: str | None, expected: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdout", Terminal() if tty else io.StringIO())
    monkeypatch.setattr(console.os, "get_terminal_size", lambda fd: os.terminal_size((132, 40)))
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert console.report_width() == expected


def test_a_terminal_whose_size_is_unknown_falls_back_to_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unknown(fd: int) -> object:
        raise OSError("not a terminal")

    monkeypatch.setattr("sys.stdout", Terminal())
    monkeypatch.setattr(console.os, "get_terminal_size", unknown)
    monkeypatch.setenv("COLUMNS", "77")
    assert console.report_width() == 77


def test_log_wraps_at_spaces_under_each_line() -> None:
    from salesflow.cli.log import _text

    row = {
        "commit": "6577029b94c0ffee",
        "date": "2025-07-01",
        "author": "Ann Example",
        "subject": "Stricter exit criteria for Technical Validation and a new Negotiation owner",
        "summary": "2 warning: planned conversion of Technical Validation: 75% → 80% (+5 pts); "
        "stage Negotiation: owner account_executive → sales_manager",
        "measured": "Technical Validation +4.1 pts, too early to tell (P better 0.81)",
    }
    wide = _text([row])
    narrow = _text([row], 60)
    assert len(wide.splitlines()) == 3
    assert all(len(line) <= 60 for line in narrow.splitlines())
    assert narrow.split() == wide.split()  # no word split
    assert narrow.splitlines() == [
        "6577029b94  2025-07-01  Ann Example  Stricter exit criteria",
        "            for Technical Validation and a new Negotiation",
        "            owner",
        "    2 warning: planned conversion of Technical Validation:",
        "      75% → 80% (+5 pts); stage Negotiation: owner",
        "      account_executive → sales_manager",
        "    measured: Technical Validation +4.1 pts, too early to",
        "      tell (P better 0.81)",
    ]
