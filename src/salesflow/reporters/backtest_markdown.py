"""`backtest --format markdown`: the same table, for a pull request or a wiki."""

from __future__ import annotations

from salesflow.model.backtest import Backtest
from salesflow.reporters.backtest_rows import HEADERS, rows, summary
from salesflow.reporters.safety import md_text


def render(backtest: Backtest, color: bool) -> str:
    del color
    lines = [
        f"# Forecast backtest: {md_text(backtest.process)}",
        "",
        f"{backtest.horizon_months}-month lead cohorts; data to {backtest.data_end}; amounts in "
        f"{md_text(backtest.currency)}.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" if h == "cutoff" else "---:" for h in HEADERS) + "|",
        *("| " + " | ".join(md_text(cell) for cell in row) + " |" for row in rows(backtest)),
        "",
        summary(backtest),
        *(f"\n*Note: {md_text(note)}*" for note in backtest.notes),
    ]
    return "\n".join(lines) + "\n"
