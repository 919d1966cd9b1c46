"""`backtest --format text`: the table for people in a terminal."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table

from salesflow.model.forecast import Backtest
from salesflow.reporters.backtest_rows import HEADERS, rows, summary


def render(backtest: Backtest, color: bool) -> str:
    console = Console(
        file=io.StringIO(),
        width=120,
        height=50,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(
        f"{backtest.process} · backtest of {backtest.horizon_months}-month lead cohorts · data "
        f"to {backtest.data_end} · a cohort is scored {backtest.maturity_days:.0f} days after "
        "its period (90% of won deals close by then)"
    )
    table = Table(box=box.SIMPLE_HEAD)
    for header in HEADERS:
        table.add_column(header, justify="left" if header == "cutoff" else "right")
    for row in rows(backtest):
        table.add_row(*row)
    console.print(table)
    console.print(summary(backtest))
    for note in backtest.notes:
        console.print(f"Note: {note}", style="dim")
    output = console.file.getvalue() if isinstance(console.file, io.StringIO) else ""
    return "\n".join(line.rstrip() for line in output.splitlines()) + "\n"
