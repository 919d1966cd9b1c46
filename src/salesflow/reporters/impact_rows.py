"""The cells of `impact`'s reports for people (text and markdown): one row per stage."""

from __future__ import annotations

from datetime import date, timedelta

from salesflow.model.impact import Cohort, ImpactReport, StageImpact, VersionImpact
from salesflow.model.impact import shown_probability as probability
from salesflow.reporters.analyze_format import MISSING, count, interval, number, points

HEADERS = (
    "stage",
    "role",
    "before",
    "after",
    "change, points (95%)",
    "P better",
    "median days (change, 95%)",
    "verdict",
)
CHANGED, CONTROL = "changed", "control"


def heading(report: ImpactReport) -> str:
    data_end = f" · data to {report.as_of}" if report.as_of else ""
    return f"{report.process} · what each version did, stage by stage{data_end}"


def version_line(version: VersionImpact) -> str:
    dated = "its effective date" if version.dated_by == "file" else "commit date"
    return (
        f"{version.revision[:10]} · took effect {version.date} ({dated}) · "
        f"{version.author} · {version.subject}"
    )


def window_lines(version: VersionImpact) -> list[str]:
    """Which deals each side holds: one line when every stage is compared over the same
    windows, else one per group of stages."""
    groups: dict[str, list[str]] = {}
    for stage in version.stages:
        spans = f"deals that entered {_span(stage.before)}, against {_span(stage.after)}"
        groups.setdefault(spans, []).append(stage.name)
    if len(groups) == 1:
        return [f"compared: {spans}" for spans in groups]
    return [f"{', '.join(names)}: {spans}" for spans, names in groups.items()]


def rows(version: VersionImpact) -> list[tuple[str, ...]]:
    return [_row(stage) for stage in version.stages]


def _row(stage: StageImpact) -> tuple[str, ...]:
    return (
        stage.name,
        CHANGED if stage.changed else CONTROL,
        cohort(stage.before),
        cohort(stage.after),
        change(stage),
        MISSING if stage.probability_better is None else probability(stage.probability_better),
        days(stage),
        verdict(stage),
    )


def days(stage: StageImpact) -> str:
    """The median days before and after, and the change with its 95% interval where it is
    known: "8 → 11 (+3; -1 to +6)"."""
    moved = f"{_days(stage.before)} → {_days(stage.after)}"
    if stage.median_days_change is None:
        return moved
    change = _signed(stage.median_days_change)
    if stage.median_days_change_ci is None:
        return f"{moved} ({change})"
    low, high = (_signed(end) for end in stage.median_days_change_ci)
    return f"{moved} ({change}; {low} to {high})"


def _signed(value: float) -> str:
    if value == round(value):
        return "0" if value == 0 else f"{value:+.0f}"
    return points(value)


def cohort(side: Cohort) -> str:
    """The conversion with its interval, and how many deals entered: "62% (55–69) of 410"."""
    return f"{interval(side.conversion, side.conversion_ci)} of {count(side.deals)}"


def change(stage: StageImpact) -> str:
    if stage.change is None or stage.change_ci is None:
        return MISSING
    low, high = stage.change_ci
    return f"{points(stage.change * 100)} ({points(low * 100)} to {points(high * 100)})"


def verdict(stage: StageImpact) -> str:
    if stage.verdict is None:
        return "no data on one side"
    if stage.verdict == "control":
        if stage.change is None:
            return "no data on one side"
        return "moved: not this version" if stage.moved else "steady"
    if stage.verdict == "too early to tell" and stage.deals_short:
        return f"too early: {stage.deals_short:,} more deals"
    return stage.verdict


def split_notes(version: VersionImpact) -> list[str]:
    by_creation = [stage.name for stage in version.stages if stage.split_by == "creation"]
    if not by_creation:
        return []
    return [
        f"{', '.join(by_creation)}: no dates when deals entered, so deals are split by the day "
        "they were created"
    ]


def _span(side: Cohort) -> str:
    if side.entered_until == side.entered_from:
        return "on no day (replaced the day it took effect)"
    if side.entered_until is None:
        return f"{side.entered_from} onwards"
    last = date.fromisoformat(side.entered_until) - timedelta(days=1)
    return f"{side.entered_from} to {last.isoformat()}"


def _days(side: Cohort) -> str:
    value = side.median_days
    if value is None:
        return MISSING
    return f"{value:.0f}" if value == round(value) else number(value)
