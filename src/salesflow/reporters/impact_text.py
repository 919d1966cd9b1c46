"""`impact --format text`: one table per version, for people in a terminal."""

from __future__ import annotations

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from salesflow.model.impact import ImpactReport, VersionImpact
from salesflow.reporters.impact_rows import (
    HEADERS,
    heading,
    rows,
    split_notes,
    version_line,
    window_lines,
)
from salesflow.reporters.safety import terminal_line, terminal_text
from salesflow.reporters.terminal import render_to_text

WIDTH = 140


def render(report: ImpactReport, color: bool) -> str:
    parts: list[RenderableType] = [Text(terminal_line(heading(report)), style="bold")]
    for version in report.versions:
        parts += _version(version)
    parts += [Text(terminal_text(f"Note: {note}"), style="dim") for note in report.notes]
    return render_to_text(parts, WIDTH, color)


def _version(version: VersionImpact) -> list[RenderableType]:
    table = Table(box=box.SIMPLE_HEAD)
    for header in HEADERS:
        table.add_column(
            header, justify="left" if header in ("stage", "role", "verdict") else "right"
        )
    for row in rows(version):
        table.add_row(*(terminal_line(cell) for cell in row))
    notes = [*split_notes(version), *version.notes]
    return [
        Text(""),
        Text(terminal_line(version_line(version))),
        Text(terminal_line(f"  {version.summary}"), style="bold"),
        *(Text(terminal_line(f"  {line}")) for line in window_lines(version)),
        table,
        *(Text(terminal_text(f"Note: {note}"), style="dim") for note in notes),
    ]
