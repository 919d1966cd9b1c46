"""`analyze --format text`: the report for people in a terminal, drawn with rich.

Rendered into a string at a fixed width of 100 columns, so that the output does not depend on
the terminal and can be compared with golden files. Colour only when `color` is set.
"""

from __future__ import annotations

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from salesflow.model.funnel import Funnel, FunnelReport, StageMetrics
from salesflow.model.funnel import Group as DealGroup
from salesflow.reporters.analyze_format import (
    MISSING,
    bottleneck_sentence,
    count,
    days,
    deal_summary,
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
from salesflow.reporters.safety import terminal_line, terminal_text
from salesflow.reporters.terminal import console, render_to_text

WIDTH = 100
BAR_WIDTH = 40
NAME_WIDTH = 24
MIN_NAME_WIDTH = 12
EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
STAGE_HEADERS = (
    "Entered",
    "Advanced",
    "Lost",
    "Open",
    "Conversion\n(95% CI)",
    "Plan",
    "Gap\npts",
    "Cumul.",
    "Win\nprob.",
)
DURATION_TEXT_HEADERS = ("Median", "P80", "Advance\nmedian", "Lose\nmedian")
VERDICT_STYLE = {-1: "red", 0: "", 1: "green"}


def render(report: FunnelReport, color: bool) -> str:
    parts = _parts(report)
    return render_to_text(parts, max(WIDTH, _minimum_width(parts)), color)


def _minimum_width(parts: list[RenderableType]) -> int:
    """The width below which a table would have to drop columns: rich squeezes tables to fit,
    and with huge counts that could hide a column, so the report grows wider instead."""
    probe = console(10_000, color=False)
    tables = [part for part in parts if isinstance(part, Table)]
    return max((Measurement.get(probe, probe.options, t).minimum for t in tables), default=0)


def _parts(report: FunnelReport) -> list[RenderableType]:
    funnel = report.funnel
    parts: list[RenderableType] = [
        *_header(report),
        Text(""),
        _stage_table(funnel.stages),
        Text(""),
    ]
    if has_durations(funnel.stages):
        parts += [_duration_table(funnel.stages), Text("")]
    parts += [
        _funnel_chart(funnel.stages),
        Text(""),
        _bottleneck(funnel, report.currency),
    ]
    if report.goals is not None:
        parts += [Text(""), *_team_goals(report)]
    if report.groups:
        parts += [Text(""), _group_table(report)]
    parts += _person_goals(report)
    if report.notes:
        parts.append(Text(""))
        parts += [Text(terminal_text(f"Note: {note}"), style="dim") for note in report.notes]
    return parts


def _header(report: FunnelReport) -> list[Text]:
    funnel = report.funnel
    source = f"{report.source} ({report.shape})"
    span = window(report)
    title = Text(terminal_line(report.process), style="bold")
    title.append(terminal_line(f" · {source}" + (f" · {span}" if span else "")))
    on = f" on {report.as_of}" if report.as_of else ""
    deals = Text(deal_summary(funnel) + on + " · win rate ")
    deals.append(win_rate_words(funnel), style="bold")
    amounts = Text(
        f"Won amount: average {money(funnel.avg_won_amount, report.currency)} · "
        f"median {money(funnel.median_won_amount, report.currency)}"
    )
    speed = Text(
        f"Median sales cycle {days(funnel.median_cycle_days)} · "
        f"velocity {_per_day(funnel.velocity_per_day, report.currency)}"
    )
    return [title, deals, amounts, speed]


def _per_day(value: float | None, currency: str) -> str:
    return MISSING if value is None else f"{money(value, currency)} per day"


def _stage_table(stages: list[StageMetrics]) -> Table:
    rows = [_stage_cells(stage) for stage in stages]
    table = _table()
    _name_column(table, "Stage")
    _fixed_columns(table, STAGE_HEADERS, rows)
    for row in rows:
        table.add_row(*row)
    return table


def _name_column(table: Table, header: str) -> None:
    """The one column that may wrap when the table is too wide for the report."""
    table.add_column(header, min_width=MIN_NAME_WIDTH, max_width=NAME_WIDTH, overflow="fold")


def _fixed_columns(table: Table, headers: tuple[str, ...], rows: list[list[Text | str]]) -> None:
    """Columns as wide as their widest cell (or header word), never squeezed: rich would
    otherwise shrink them by their longest word ("62% (55–69)") and cut off the last ones.
    Headers wrap at spaces and at the line breaks they contain."""
    for index, header in enumerate(headers, start=1):
        cells = [cell_len(str(row[index])) for row in rows]
        words = [cell_len(word) for word in header.split()]
        width = max([*cells, *words, 1])
        table.add_column(header, justify="right", width=width)


def _stage_cells(stage: StageMetrics) -> list[Text | str]:
    return [
        Text(terminal_line(stage.name)),
        count(stage.entered),
        count(stage.advanced),
        count(stage.lost),
        count(stage.open),
        interval(stage.conversion, stage.conversion_ci),
        percent(stage.planned_conversion),
        Text(points(stage.gap_points), style=VERDICT_STYLE[plan_verdict(stage)]),
        percent(stage.cumulative_conversion),
        percent(stage.win_probability),
    ]


def _duration_table(stages: list[StageMetrics]) -> Table:
    rows: list[list[Text | str]] = [
        [Text(terminal_line(stage.name)), *duration_cells(stage)] for stage in stages
    ]
    table = _table(title="Days in stage")
    _name_column(table, "Stage")
    _fixed_columns(table, DURATION_TEXT_HEADERS, rows)
    for row in rows:
        table.add_row(*row)
    return table


def _funnel_chart(stages: list[StageMetrics]) -> Group:
    top = stages[0].entered if stages else 0
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
    table.add_column(max_width=NAME_WIDTH, overflow="ellipsis", no_wrap=True)
    table.add_column(width=BAR_WIDTH, no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for stage in stages:
        share = stage.entered / top if top else None
        table.add_row(
            Text(terminal_line(stage.name)),
            Text(_bar(share or 0.0), style="cyan"),
            count(stage.entered),
            percent(share),
        )
    return Group(Text("Funnel: deals that entered each stage", style="bold"), table)


def _bar(share: float) -> str:
    """A horizontal bar of BAR_WIDTH cells for share 1, drawn in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, share)) * BAR_WIDTH * 8)
    full, part = divmod(eighths, 8)
    return FULL * full + (EIGHTHS[part] if part else "")


def _bottleneck(funnel: Funnel, currency: str) -> Text:
    sentence = terminal_line(bottleneck_sentence(funnel, currency))
    if funnel.bottleneck is None:
        return Text(sentence, style="green")
    label, _, rest = sentence.partition(":")
    text = Text()
    text.append(label + ":", style="bold red")
    text.append(rest)
    return text


def _group_table(report: FunnelReport) -> Table:
    stages = report.funnel.stages
    stage_ids = [stage.id for stage in stages]
    rows = [_group_cells(group, stage_ids) for group in report.groups]
    short = [terminal_line(short_name(stage.name)) for stage in stages]
    headers = ("Deals", "Won", "Lost", "Open", "Win rate", *short)
    by = terminal_line(report.by or "group")
    table = _table(title=f"By {by}: conversion per stage")
    _name_column(table, by.capitalize())
    _fixed_columns(table, headers, rows)
    for group, row in zip(report.groups, rows, strict=True):
        table.add_row(*row, style=_dim(group))
    return table


def short_name(name: str) -> str:
    """A short column header: each word longer than 6 characters cut to 4 and a dot
    ("Technical Validation" → "Tech. Vali.")."""
    return " ".join(word if len(word) <= 6 else word[:4] + "." for word in name.split())


def _table(title: str | None = None) -> Table:
    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )


def _group_cells(group: DealGroup, stage_ids: list[str]) -> list[Text | str]:
    key = Text(terminal_line(group.key))
    if group.small:
        key.append(" (small)")
    return [key, *group_numbers(group, stage_ids)]


def _dim(group: DealGroup) -> str:
    return "dim" if group.small else ""


def _team_goals(report: FunnelReport) -> list[RenderableType]:
    goals = report.goals
    if goals is None:
        return []
    parts: list[RenderableType] = [Text(goals_title(goals), style="bold")]
    for label, words, flagged in team_lines(goals, report.currency):
        line = Text(f"{label}: ", style="bold red" if flagged else "")
        line.append(terminal_line(words))
        parts.append(line)
    if len(parts) == 1:
        parts.append(Text("Set goals: in the process file to compare the team with them."))
    return parts


def _person_goals(report: FunnelReport) -> list[RenderableType]:
    """The quota table and the win-rate table of `--by owner`, each with its note."""
    parts: list[RenderableType] = []
    quotas = [(group.key, quota_cells(goals)) for group, goals in quota_groups(report)]
    if quotas:
        table = _goal_table(quota_title(report), QUOTA_HEADERS, quotas, report.by)
        parts += [Text(""), table, Text(QUOTA_NOTE, style="dim")]
    rates = rate_groups(report)
    if rates:
        rows = [(group.key, rate_cells(goal)) for group, goal in rates]
        table = _goal_table(rate_title(report, rates[0][1]), RATE_HEADERS, rows, report.by)
        parts += [Text(""), table, Text(RATE_NOTE, style="dim")]
    return parts


def _goal_table(
    title: str, headers: tuple[str, ...], rows: list[tuple[str, list[str]]], by: str | None
) -> Table:
    """Owners' rows whose last cell is a verdict, in bold red when there is one."""
    cells: list[list[Text | str]] = [
        [
            Text(terminal_line(key)),
            *map(terminal_line, values[:-1]),
            Text(values[-1], style="" if values[-1] == MISSING else "bold red"),
        ]
        for key, values in rows
    ]
    table = _table(title=terminal_line(title))
    _name_column(table, terminal_line(by or "owner").capitalize())
    _fixed_columns(table, headers, cells)
    for row in cells:
        table.add_row(*row)
    return table
