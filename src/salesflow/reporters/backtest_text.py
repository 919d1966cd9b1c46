"""`backtest --format text`: the table for people in a terminal."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from salesflow.model.backtest import Backtest
from salesflow.reporters.backtest_rows import HEADERS, rows, summary
from salesflow.reporters.safety import terminal_line, terminal_text
from salesflow.reporters.terminal import render_to_text

WIDTH = 120


def render(backtest: Backtest, color: bool) -> str:
    heading = Text(
        f"{terminal_line(backtest.process)} · backtest of {backtest.horizon_months}-month lead "
        f"cohorts · data to {backtest.data_end} · a cohort is scored "
        f"{backtest.maturity_days:.0f} days after its period (90% of won deals close by then) · "
        f"amounts in {terminal_line(backtest.currency)}"
    )
    table = Table(box=box.SIMPLE_HEAD)
    for header in HEADERS:
        table.add_column(header, justify="left" if header == "cutoff" else "right")
    for row in rows(backtest):
        table.add_row(*(terminal_line(cell) for cell in row))
    notes = [Text(terminal_text(f"Note: {note}"), style="dim") for note in backtest.notes]
    return render_to_text([heading, table, Text(summary(backtest)), *notes], WIDTH, color)
