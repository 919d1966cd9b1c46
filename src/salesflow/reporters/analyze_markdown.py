"""`analyze --format markdown`: the same report as `text`, as GitHub-flavoured markdown for a pull
request comment, a wiki page or a CI job summary. Deterministic and without colour."""

from __future__ import annotations

from salesflow.model.funnel import Funnel, FunnelReport, Group, StageMetrics
from salesflow.reporters.analyze_format import (
    DURATION_HEADERS,
    MISSING,
    bottleneck_sentence,
    count,
    days,
    duration_cells,
    group_numbers,
    has_durations,
    interval,
    money,
    percent,
    plan_verdict,
    points,
    win_rate_words,
    window,
)
from salesflow.reporters.safety import md_text as escape

BAR_WIDTH = 20
FULL = "█"

STAGE_HEADERS = (
    ("Stage", "---"),
    ("Entered", "--:"),
    ("Advanced", "--:"),
    ("Lost", "--:"),
    ("Open", "--:"),
    ("Conversion (95% CI)", "--:"),
    ("Plan", "--:"),
    ("Gap (pts)", "--:"),
    ("Cumulative", "--:"),
    ("Win prob.", "--:"),
)


def render(report: FunnelReport, color: bool) -> str:
    del color
    funnel = report.funnel
    blocks = [
        f"# {escape(report.process)}: funnel analysis",
        _summary(report),
        "## Stages",
        _stage_table(funnel.stages),
        "Gap in **bold**: the plan lies outside the 95% interval of the conversion. A "
        "bottleneck is named only on stronger evidence, judged over all stages at once.",
    ]
    if has_durations(funnel.stages):
        blocks += ["## Days in stage", _duration_table(funnel.stages)]
    blocks += [
        "## Funnel",
        _funnel_table(funnel.stages),
        _bottleneck(funnel, report.currency),
    ]
    if report.groups:
        blocks += [f"## By {escape(report.by or 'group')}", _group_table(report)]
    blocks += [f"**Note:** {escape(note)}" for note in report.notes]
    return "\n\n".join(blocks) + "\n"


def _summary(report: FunnelReport) -> str:
    funnel = report.funnel
    deals = funnel.deals
    span = window(report)
    data = f"{escape(report.source)} ({escape(report.shape)})" + (f", {span}" if span else "")
    data += f", data to {report.as_of}" if report.as_of else ""
    velocity = funnel.velocity_per_day
    lines = [
        f"- **Data:** {data}",
        f"- **Deals:** {count(deals.total)} — {count(deals.won)} won, {count(deals.lost)} lost, "
        f"{count(deals.open)} open",
        f"- **Win rate:** {win_rate_words(funnel)}",
        f"- **Won amount:** average {money(funnel.avg_won_amount, report.currency)}, "
        f"median {money(funnel.median_won_amount, report.currency)}",
        f"- **Median sales cycle:** {days(funnel.median_cycle_days)}",
        "- **Velocity:** "
        + (MISSING if velocity is None else f"{money(velocity, report.currency)} per day"),
    ]
    return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _stage_table(stages: list[StageMetrics]) -> str:
    lines = [
        _row([header for header, _ in STAGE_HEADERS]),
        _row([align for _, align in STAGE_HEADERS]),
    ]
    for stage in stages:
        gap = points(stage.gap_points)
        lines.append(
            _row(
                [
                    escape(stage.name),
                    count(stage.entered),
                    count(stage.advanced),
                    count(stage.lost),
                    count(stage.open),
                    interval(stage.conversion, stage.conversion_ci),
                    percent(stage.planned_conversion),
                    f"**{gap}**" if plan_verdict(stage) else gap,
                    percent(stage.cumulative_conversion),
                    percent(stage.win_probability),
                ]
            )
        )
    return "\n".join(lines)


def _duration_table(stages: list[StageMetrics]) -> str:
    headers = ["Stage", *DURATION_HEADERS]
    lines = [_row(headers), _row(["---", *["--:"] * len(DURATION_HEADERS)])]
    lines += [_row([escape(stage.name), *duration_cells(stage)]) for stage in stages]
    return "\n".join(lines)


def _funnel_table(stages: list[StageMetrics]) -> str:
    top = stages[0].entered if stages else 0
    lines = [_row(["Stage", "Entered", "Share", ""]), _row(["---", "--:", "--:", "---"])]
    for stage in stages:
        share = stage.entered / top if top else None
        lines.append(_row([escape(stage.name), count(stage.entered), percent(share), _bar(share)]))
    return "\n".join(lines)


def _bar(share: float | None) -> str:
    if not share:
        return ""
    return FULL * max(1, round(min(share, 1.0) * BAR_WIDTH))


def _bottleneck(funnel: Funnel, currency: str) -> str:
    sentence = bottleneck_sentence(funnel, currency)
    if funnel.bottleneck is None:
        return sentence
    label, _, rest = sentence.partition(": ")
    return f"**{label}:** {escape(rest)}"


def _group_table(report: FunnelReport) -> str:
    stages = report.funnel.stages
    headers = [escape((report.by or "group").capitalize()), "Deals", "Won", "Lost", "Open"]
    headers += ["Win rate", *(escape(stage.name) for stage in stages)]
    lines = [_row(headers), _row(["---", *["--:"] * (len(headers) - 1)])]
    for group in report.groups:
        lines.append(_row(_group_cells(group, [stage.id for stage in stages])))
    if any(group.small for group in report.groups):
        lines += ["", "*(small)*: too few closed deals to judge the rates of this group."]
    return "\n".join(lines)


def _group_cells(group: Group, stage_ids: list[str]) -> list[str]:
    key = escape(group.key) + (" *(small)*" if group.small else "")
    return [key, *group_numbers(group, stage_ids)]
