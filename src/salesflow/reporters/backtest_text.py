"""`backtest --format text`: the table for people in a terminal, laid out for `width` columns
(WIDTH when not given): the P10–P90 interval goes first, then the error and the inside flag
(which the forecast and the actual give), before a row wraps (reporters/columns.py)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from salesflow.model.backtest import Backtest
from salesflow.reporters.backtest_rows import HEADERS, rows, summary
from salesflow.reporters.columns import Column, Drop, fitted
from salesflow.reporters.safety import terminal_line, terminal_text
from salesflow.reporters.terminal import render_to_text, unbroken

WIDTH = 120
DROPS = {"P10–P90": Drop.INTERVAL, "error": Drop.DERIVED, "inside": Drop.DERIVED}


def render(backtest: Backtest, color: bool, width: int | None = None) -> str:
    heading = Text(
        f"{terminal_line(backtest.process)} · backtest of {backtest.horizon_months}-month lead "
        f"cohorts · data to {backtest.data_end} · a cohort is scored "
        f"{backtest.maturity_days:.0f} days after its period (90% of won deals close by then) · "
        f"amounts in {terminal_line(backtest.currency)}"
    )
    cells = [[terminal_line(cell) for cell in row] for row in rows(backtest)]
    columns = [
        Column(
            header,
            [row[index] for row in cells],
            "left" if index == 0 else "right",
            drop=DROPS.get(header, Drop.NEVER),
            name=index == 0,
        )
        for index, header in enumerate(HEADERS)
    ]
    table = fitted(columns, width or WIDTH)
    notes = [Text(terminal_text(f"Note: {note}"), style="dim") for note in backtest.notes]
    parts: list[RenderableType] = [
        heading,
        Text(""),
        table,
        Text(""),
        Text(unbroken(summary(backtest))),
        *notes,
    ]
    return render_to_text(parts, width or WIDTH, color)
