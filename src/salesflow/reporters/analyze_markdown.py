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
from salesflow.reporters.analyze_format_goals import (
    QUOTA_HEADERS,
    QUOTA_NOTE,
    RATE_HEADERS,
    RATE_NOTE,
    goals_title,
    quota_cells,
    quota_groups,
    quota_title,
    rate_cells,
    rate_groups,
    rate_title,
    team_lines,
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
    if report.goals is not None:
        blocks += _team_goals(report)
    if report.groups:
        blocks += [f"## By {escape(report.by or 'group')}", _group_table(report)]
    blocks += _person_goals(report)
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


def _team_goals(report: FunnelReport) -> list[str]:
    if report.goals is None:
        return []
    lines = [  # generated text: figures, the currency code and the period
        f"- **{label}:** " + (f"**{words}**" if flagged else words)
        for label, words, flagged in team_lines(report.goals, report.currency)
    ]
    return [f"## {goals_title(report.goals)}", "\n".join(lines)] if lines else []


def _person_goals(report: FunnelReport) -> list[str]:
    blocks: list[str] = []
    # the role is the process file's text; the quota's `*` (the role's quota) is no emphasis
    quotas = [
        (group.key, [escape(role), *(cell.replace("*", "\\*") for cell in cells)])
        for group, goals in quota_groups(report)
        for role, *cells in [quota_cells(goals)]
    ]
    if quotas:
        table = _goal_table(QUOTA_HEADERS, quotas, report, text_columns=1)
        blocks += [f"### {escape(quota_title(report))}", table, QUOTA_NOTE.replace("*", "\\*")]
    rates = rate_groups(report)
    if rates:
        rows = [(group.key, rate_cells(goal)) for group, goal in rates]
        table = _goal_table(RATE_HEADERS, rows, report, text_columns=0)
        blocks += [f"### {escape(rate_title(report, rates[0][1]))}", table, RATE_NOTE]
    return blocks


def _goal_table(
    headers: tuple[str, ...],
    rows: list[tuple[str, list[str]]],
    report: FunnelReport,
    text_columns: int,
) -> str:
    """Owners' rows after their key: `text_columns` cells of text, then figures; the verdict
    (the last cell) in bold when there is one. Cells come escaped where they hold user text."""
    names = [escape((report.by or "owner").capitalize()), *headers]
    aligns = ["---"] * (1 + text_columns) + ["--:"] * (len(headers) - text_columns)
    lines = [_row(names), _row(aligns)]
    for key, cells in rows:
        verdict = cells[-1] if cells[-1] == MISSING else f"**{cells[-1]}**"
        lines.append(_row([escape(key), *cells[:-1], verdict]))
    return "\n".join(lines)
