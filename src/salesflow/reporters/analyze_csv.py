"""`analyze --format csv`: one row per stage, for spreadsheets and scripts.

Rows of the whole funnel come first with `group` set to `*`, then, with `--by`, the rows of each
group in the report's order. When the process sets goals or quotas, GOAL_COLUMNS follow, the
same on every row of a group: the team's goals on the `*` rows, each person's with `--by owner`
(empty for a group that is not a person).

Numbers are written unrounded (Python's `repr` of the float); a
missing value is an empty field. A text cell that a spreadsheet would read as a formula (it
starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`; numbers never
do. Lines end with `\\n`. See docs/analyze.md.
"""

from __future__ import annotations

import csv
import io

from salesflow.model.funnel import (
    Funnel,
    FunnelReport,
    PersonGoals,
    RevenueGoal,
    StageMetrics,
    WinRateGoal,
)
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
    "median_days_low",
    "median_days_high",
    "p80_days",
    "planned_days",
    "median_days_to_advance",
    "median_days_to_lose",
    "completed_stays",
    "open_stays",
)
GOAL_COLUMNS = (
    "role",
    "quota",
    "quota_per",
    "quota_source",
    "prorated_quota",
    "won_in_window",
    "wins_in_window",
    "attainment",
    "probability_shortfall",
    "shortfall",
    "win_rate_goal",
    "win_rate_low",
    "win_rate_high",
    "probability_below_goal",
    "below_goal",
)
Value = str | int | float | None


def render(report: FunnelReport, color: bool) -> str:
    del color
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    goals = report.goals
    writer.writerow(COLUMNS if goals is None else (*COLUMNS, *GOAL_COLUMNS))
    team = None if goals is None else _goal_values("", goals.revenue, goals.win_rate)
    writer.writerows(_rows(OVERALL, report.funnel, team))
    for group in report.groups:
        person = None if goals is None else _person_values(group.goals)
        writer.writerows(_rows(group.key, group.funnel, person))
    return buffer.getvalue()


def _person_values(goals: PersonGoals | None) -> list[Value]:
    if goals is None:
        return [None] * len(GOAL_COLUMNS)
    return _goal_values(goals.role, goals.quota, goals.win_rate)


def _goal_values(
    role: str | None, quota: RevenueGoal | None, rate: WinRateGoal | None
) -> list[Value]:
    return [role, *_quota_values(quota), *_rate_values(rate)]


def _rows(group: str, funnel: Funnel, goals: list[Value] | None) -> list[list[str]]:
    extra = goals or []
    return [
        [csv_cell(value) for value in [*_values(group, stage), *extra]] for stage in funnel.stages
    ]


def _quota_values(goal: RevenueGoal | None) -> list[Value]:
    if goal is None:
        return [None] * 9
    return [
        goal.amount,
        goal.per,
        goal.source,
        goal.prorated,
        goal.won,
        goal.wins,
        goal.attainment,
        goal.probability_shortfall,
        goal.shortfall,
    ]


def _rate_values(goal: WinRateGoal | None) -> list[Value]:
    if goal is None:
        return [None] * 5
    low, high = goal.win_rate_ci if goal.win_rate_ci is not None else (None, None)
    return [goal.goal, low, high, goal.probability_below, goal.below]


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
        *(stage.median_days_ci or (None, None)),
        stage.p80_days,
        stage.planned_days,
        stage.median_days_to_advance,
        stage.median_days_to_lose,
        stage.completed_stays,
        stage.open_stays,
    ]
