"""The three pictures of `analyze --format html`, each with its numbers as a table: the funnel
against the plan, the conversion of each stage with its 95% interval, and the days in stage."""

from __future__ import annotations

from salesflow.model.funnel import Funnel, StageMetrics
from salesflow.reporters.analyze_format import (
    DURATION_HEADERS,
    count,
    days,
    days_interval,
    duration_cells,
    interval,
    number,
    percent,
    plan_verdict,
    points,
    stay_days,
)
from salesflow.reporters.html_page import Html, figure
from salesflow.reporters.svg import Key, rounded_top, tick_number
from salesflow.reporters.svg_charts import Axis, Bar, Row, Tick, bar_rows

WON = "Won"
SHARE_AXIS = Axis(1.0, lambda value: f"{value * 100:.0f}%", "share of deals", step_count=5)
VERDICTS = {-1: "below plan", 0: "", 1: "above plan"}


def _reach(stages: list[StageMetrics]) -> list[tuple[str, float | None, float | None]]:
    """(row, measured, plan) for every stage and then Won: the share of new deals that get that
    far, from the measured conversions and from the planned ones."""
    rows: list[tuple[str, float | None, float | None]] = []
    measured: float | None = 1.0
    planned: float | None = 1.0
    for stage in stages:
        rows.append((stage.name, measured, planned))
        measured = stage.cumulative_conversion
        plan = stage.planned_conversion
        planned = planned * plan if planned is not None and plan is not None else None
    rows.append((WON, measured, planned))
    return rows


def funnel_figure(funnel: Funnel) -> Html:
    stages = funnel.stages
    reach = _reach(stages)
    with_plan = any(plan is not None for _, _, plan in reach[1:])
    rows = [_reach_row(name, measured, plan, with_plan) for name, measured, plan in reach]
    keys = [Key("measured", "measured")] + ([Key("plan", "plan")] if with_plan else [])
    chart = bar_rows("Funnel against plan", rows, SHARE_AXIS, keys)
    entered = [count(stage.entered) for stage in stages] + [count(funnel.deals.won)]
    cells = [
        [name, deals, percent(measured), percent(plan)]
        for (name, measured, plan), deals in zip(reach, entered, strict=True)
    ]
    headers = ["Stage", "Entered", "Reached (measured)", "Reached (plan)"]
    caption = (
        "The share of new deals that reach each stage and are won: measured, from each stage's "
        "conversion (deals still open count as unfinished), and as planned, from the process "
        "file's expected conversions. Where the measured bar falls short of the plan, the "
        "funnel leaks more than planned before that stage."
    )
    return figure("Funnel against plan", chart, caption, headers, cells)


def _reach_row(name: str, measured: float | None, plan: float | None, with_plan: bool) -> Row:
    bars = [Bar(measured, "measured", f"{name}, measured: {percent(measured)}", percent(measured))]
    if with_plan:
        bars.append(Bar(plan, "plan", f"{name}, plan: {percent(plan)}", percent(plan)))
    return Row(name, bars)


def conversion_figure(stages: list[StageMetrics]) -> Html:
    rows = [_conversion_row(stage) for stage in stages]
    keys = [Key("measured", "conversion")]
    if any(plan_verdict(stage) < 0 for stage in stages):
        keys.append(Key("below", "below plan"))
    keys.append(Key("whisker", "95% interval", bar=False))
    if any(stage.planned_conversion is not None for stage in stages):
        keys.append(Key("plan-mark", "plan", bar=False))
    chart = bar_rows("Conversion per stage", rows, SHARE_AXIS, keys)
    headers = ["Stage", "Conversion", "95% interval", "Plan", "Gap (pts)", "Reading"]
    cells = [
        [
            stage.name,
            percent(stage.conversion),
            _interval_words(stage.conversion_ci),
            percent(stage.planned_conversion),
            points(stage.gap_points),
            VERDICTS[plan_verdict(stage)],
        ]
        for stage in stages
    ]
    caption = (
        "The chance that a deal entering the stage advances, with its 95% interval (the line "
        "with caps) and the plan (the dark mark). A stage is below plan when the plan lies "
        "above the whole interval: then the gap is more than chance."
    )
    return figure("Conversion per stage", chart, caption, headers, cells)


def _conversion_row(stage: StageMetrics) -> Row:
    css = "below" if plan_verdict(stage) < 0 else "measured"
    bar = Bar(
        stage.conversion,
        css,
        f"{stage.name}: {interval(stage.conversion, stage.conversion_ci)}",
        percent(stage.conversion),
        stage.conversion_ci,
    )
    plan = stage.planned_conversion
    ticks = (
        [] if plan is None else [Tick(plan, "plan-mark", f"{stage.name}, plan: {percent(plan)}")]
    )
    return Row(stage.name, [bar], ticks)


def _interval_words(ci: tuple[float, float] | None) -> str:
    if ci is None:
        return percent(None)
    return f"{number(ci[0] * 100)}–{number(ci[1] * 100)}%"


def days_figure(stages: list[StageMetrics]) -> Html:
    longest = [
        value
        for s in stages
        for value in (s.median_days, s.p80_days, s.planned_days, *(_bounded(s) or ()))
        if value is not None
    ]
    axis = Axis(rounded_top(max(longest, default=1.0)), tick_number, "days in stage")
    rows = [_days_row(stage) for stage in stages]
    keys = [Key("median", "median days")]
    if any(_bounded(stage) for stage in stages):
        keys.append(Key("whisker", "95% interval of the median", bar=False))
    if any(stage.p80_days is not None for stage in stages):
        keys.append(Key("p80-mark", "80% of stays end by", bar=False))
    with_plan = any(stage.planned_days is not None for stage in stages)
    if with_plan:
        keys.append(Key("plan-mark", "planned median", bar=False))
    chart = bar_rows("Days in stage", rows, axis, keys)
    cells = [[stage.name, *duration_cells(stage)] for stage in stages]
    headers = ["Stage", *DURATION_HEADERS]
    if with_plan:
        cells = [
            [*row[:3], number(stage.planned_days), *row[3:]]
            for row, stage in zip(cells, stages, strict=True)
        ]
        headers = [*headers[:3], "Planned median", *headers[3:]]
    caption = (
        "How long deals stay in each stage: the median (half of the stays end sooner) with its "
        "95% interval, and the "
        'day by which 80% of them end, deals still in the stage included. "Not reached": so '
        "many deals are still there that the share was never reached."
    )
    if with_plan:
        caption += " The dark mark is the median the process file plans (expected.days)."
    return figure("Days in stage", chart, caption, headers, cells)


def _days_row(stage: StageMetrics) -> Row:
    median = _days_words(stage, stage.median_days)
    p80 = stage.p80_days
    shown = median
    if p80 is None and stage.median_days is not None:
        shown += f" (80%: {_days_words(stage, p80)})"
    ci = days_interval(stage.median_days_ci)
    words = f"{stage.name}, median: {median}" + (f" (95% CI {ci})" if stage.median_days_ci else "")
    bar = Bar(stage.median_days, "median", words, shown, _bounded(stage))
    ticks = []
    if p80 is not None:
        words = f"{stage.name}, 80% of stays end by: {_days_words(stage, p80)}"
        ticks.append(Tick(p80, "p80-mark", words))
    if stage.planned_days is not None:
        words = f"{stage.name}, planned median: {days(stage.planned_days)}"
        ticks.append(Tick(stage.planned_days, "plan-mark", words))
    return Row(stage.name, [bar], ticks)


def _bounded(stage: StageMetrics) -> tuple[float, float] | None:
    """The median's interval when both of its ends are known (drawn as a whisker)."""
    ci = stage.median_days_ci
    return (ci[0], ci[1]) if ci is not None and ci[1] is not None else None


def _days_words(stage: StageMetrics, value: float | None) -> str:
    """ "12 days", or "not reached" / a dash as in the days table."""
    return stay_days(stage, value) if value is None else days(value)
