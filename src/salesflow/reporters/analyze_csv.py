"""`analyze --format csv`: one row per stage, for spreadsheets and scripts.

Rows of the whole funnel come first with `group` set to `*`, then, with `--by`, the rows of each
group in the report's order. Numbers are written unrounded (Python's `repr` of the float); a
missing value is an empty field. A text cell that a spreadsheet would read as a formula (it
starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`; numbers never
do. Lines end with `\\n`. See docs/analyze.md.
"""

from __future__ import annotations

import csv
import io

from salesflow.model.funnel import Funnel, FunnelReport, StageMetrics
from salesflow.reporters.safety import csv_cell

OVERALL = "*"
COLUMNS = (
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
    "p80_days",
    "median_days_to_advance",
    "median_days_to_lose",
    "completed_stays",
    "open_stays",
)
Value = str | int | float | None


def render(report: FunnelReport, color: bool) -> str:
    del color
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_rows(OVERALL, report.funnel))
    for group in report.groups:
        writer.writerows(_rows(group.key, group.funnel))
    return buffer.getvalue()


def _rows(group: str, funnel: Funnel) -> list[list[str]]:
    return [[csv_cell(value) for value in _values(group, stage)] for stage in funnel.stages]


def _values(group: str, stage: StageMetrics) -> list[Value]:
    low, high = stage.conversion_ci if stage.conversion_ci is not None else (None, None)
    return [
        group,
        stage.id,
        stage.name,
        stage.entered,
        stage.advanced,
        stage.lost,
        stage.open,
        stage.conversion,
        low,
        high,
        stage.conversion_method,
        stage.naive_conversion,
        stage.planned_conversion,
        stage.gap_points,
        stage.probability_below_plan,
        stage.cumulative_conversion,
        stage.win_probability,
        stage.median_days,
        stage.p80_days,
        stage.median_days_to_advance,
        stage.median_days_to_lose,
        stage.completed_stays,
        stage.open_stays,
    ]
