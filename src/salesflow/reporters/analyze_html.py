"""`analyze --format html`: the report as one standalone web page, with pictures: the funnel
against the plan, the conversion of each stage with its interval and the days in stage, each
with its numbers as a table, then the goals, the groups and the notes. No script, nothing fetched;
deterministic and without colour codes."""

from __future__ import annotations

from salesflow.model.funnel import FunnelReport
from salesflow.reporters.analyze_format import (
    MISSING,
    bottleneck_sentence,
    count,
    days,
    group_numbers,
    has_durations,
    money,
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
from salesflow.reporters.analyze_html_charts import conversion_figure, days_figure, funnel_figure
from salesflow.reporters.html_page import Html, facts, heading, page, paragraph, table

SMALL = " (small)"


def render(report: FunnelReport, color: bool) -> str:
    del color
    stages = report.funnel.stages
    blocks = [facts(_summary(report)), _bottleneck(report)]
    if stages:
        blocks += [funnel_figure(report.funnel), conversion_figure(stages)]
    if has_durations(stages):
        blocks.append(days_figure(stages))
    blocks += _team_goals(report) + _groups(report) + _person_goals(report)
    blocks += [paragraph(f"Note: {note}", "note") for note in report.notes]
    return page(f"{report.process}: funnel analysis", blocks)


def _summary(report: FunnelReport) -> list[tuple[str, str]]:
    funnel = report.funnel
    deals = funnel.deals
    span = window(report)
    data = f"{report.source} ({report.shape})" + (f", {span}" if span else "")
    data += f", data to {report.as_of}" if report.as_of else ""
    velocity = funnel.velocity_per_day
    won = (
        f"average {money(funnel.avg_won_amount, report.currency)}, "
        f"median {money(funnel.median_won_amount, report.currency)}"
    )
    split = f"{count(deals.won)} won, {count(deals.lost)} lost, {count(deals.open)} open"
    return [
        ("Data", data),
        ("Deals", f"{count(deals.total)} — {split}"),
        ("Win rate", win_rate_words(funnel)),
        ("Won amount", won),
        ("Median sales cycle", days(funnel.median_cycle_days)),
        (
            "Velocity",
            MISSING if velocity is None else f"{money(velocity, report.currency)} per day",
        ),
    ]


def _bottleneck(report: FunnelReport) -> Html:
    sentence = bottleneck_sentence(report.funnel, report.currency)
    return paragraph(sentence, "flag" if report.funnel.bottleneck is not None else None)


def _team_goals(report: FunnelReport) -> list[Html]:
    if report.goals is None:
        return []
    lines = team_lines(report.goals, report.currency)
    if not lines:
        return []
    return [
        heading(goals_title(report.goals)),
        facts([(label, words) for label, words, _ in lines]),
    ]


def _groups(report: FunnelReport) -> list[Html]:
    if not report.groups:
        return []
    stages = report.funnel.stages
    by = (report.by or "group").capitalize()
    headers = [by, "Deals", "Won", "Lost", "Open", "Win rate", *(stage.name for stage in stages)]
    rows = [
        [group.key + (SMALL if group.small else ""), *group_numbers(group, [s.id for s in stages])]
        for group in report.groups
    ]
    blocks = [
        heading(f"By {report.by or 'group'}"),
        table(f"Deals and conversion per stage by {report.by or 'group'}", headers, rows),
    ]
    if any(group.small for group in report.groups):
        blocks.append(
            paragraph("(small): too few closed deals to judge the rates of this group.", "note")
        )
    return blocks


def _person_goals(report: FunnelReport) -> list[Html]:
    by = (report.by or "owner").capitalize()
    blocks: list[Html] = []
    quotas = quota_groups(report)
    if quotas:
        rows = [[group.key, *quota_cells(goals)] for group, goals in quotas]
        title = quota_title(report)
        blocks += [heading(title), table(title, [by, *QUOTA_HEADERS], rows, text_columns=2)]
        blocks.append(paragraph(QUOTA_NOTE, "note"))
    rates = rate_groups(report)
    if rates:
        rows = [[group.key, *rate_cells(goal)] for group, goal in rates]
        title = rate_title(report, rates[0][1])
        blocks += [heading(title), table(title, [by, *RATE_HEADERS], rows)]
        blocks.append(paragraph(RATE_NOTE, "note"))
    return blocks
