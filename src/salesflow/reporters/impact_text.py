"""`impact --format text`: one table per version, for people in a terminal, laid out for `width`
columns (WIDTH when not given): the intervals go first, then the role (the summary line above
the table names the changed stages); only then do the stage names and verdicts wrap, at spaces
(reporters/columns.py)."""

from __future__ import annotations

from rich.console import JustifyMethod, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from salesflow.model.impact import ImpactReport, StageImpact, VersionImpact
from salesflow.reporters.analyze_format import MISSING, points
from salesflow.reporters.columns import Column, Drop, fitted
from salesflow.reporters.impact_rows import (
    HEADERS,
    cohort,
    days,
    heading,
    rows,
    split_notes,
    version_line,
    window_lines,
)
from salesflow.reporters.safety import terminal_line, terminal_text
from salesflow.reporters.terminal import render_to_text

WIDTH = 140
INDENT = (0, 0, 0, 2)  # the version's lines under its heading, wrapped lines too
LEFT = ("stage", "role", "verdict")
# the columns whose cells carry a 95% interval, and their header without it
BARE = {
    "before": "before",
    "after": "after",
    "change, points (95%)": "change, points",
    "median days (change, 95%)": "median days (change)",
}


def render(report: ImpactReport, color: bool, width: int | None = None) -> str:
    parts: list[RenderableType] = [Text(terminal_line(heading(report)), style="bold")]
    for version in report.versions:
        parts += _version(version, width or WIDTH)
    parts += [Text(terminal_text(f"Note: {note}"), style="dim") for note in report.notes]
    return render_to_text(parts, width or WIDTH, color)


def _version(version: VersionImpact, width: int) -> list[RenderableType]:
    notes = [*split_notes(version), *version.notes]
    return [
        Text(""),
        Text(terminal_line(version_line(version))),
        Padding(Text(terminal_line(version.summary), style="bold"), INDENT),
        *(Padding(Text(terminal_line(line)), INDENT) for line in window_lines(version)),
        Text(""),
        _table(version, width),
        *(Text(terminal_text(f"Note: {note}"), style="dim") for note in notes),
    ]


def _table(version: VersionImpact, width: int) -> Table:
    cells = [[terminal_line(cell) for cell in row] for row in rows(version)]
    bare = [_bare_cells(stage) for stage in version.stages]
    columns = []
    for index, header in enumerate(HEADERS):
        justify: JustifyMethod = "left" if header in LEFT else "right"
        column = [row[index] for row in cells]
        if header in BARE:
            shorter = [row[header] for row in bare]
            columns.append(Column(header, column, justify, drop=Drop.INTERVAL))
            columns.append(Column(BARE[header], shorter, justify, instead_of=Drop.INTERVAL))
            continue
        drop = Drop.DERIVED if header == "role" else Drop.NEVER
        wraps = header in ("stage", "verdict")
        columns.append(Column(header, column, justify, drop=drop, name=wraps))
    return fitted(columns, width)


def _bare_cells(stage: StageImpact) -> dict[str, str]:
    """The cells of the BARE columns without their intervals."""
    no_interval = {"conversion_ci": None}
    change = MISSING if stage.change is None else points(stage.change * 100)
    cells = (
        cohort(stage.before.model_copy(update=no_interval)),
        cohort(stage.after.model_copy(update=no_interval)),
        change,
        days(stage.model_copy(update={"median_days_change_ci": None})),
    )
    return {header: terminal_line(cell) for header, cell in zip(BARE, cells, strict=True)}
