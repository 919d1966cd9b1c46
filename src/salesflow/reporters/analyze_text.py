"""`analyze --format text`: the report for people in a terminal, drawn with rich.

Laid out for `width` columns (the CLI passes the terminal's; WIDTH when not given, as in the
golden files): the tables drop their intervals, then the P80, then what other columns already
give, before a row wraps (reporters/columns.py). Colour only when `color` is set.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group, RenderableType
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
from salesflow.reporters.columns import Column, Drop, fitted
from salesflow.reporters.safety import terminal_line, terminal_text
from salesflow.reporters.terminal import render_to_text, unbroken

WIDTH = 100
BAR_WIDTH = 40
MIN_BAR_WIDTH = 10
CHART_GAP = 2  # between the chart's columns
EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
VERDICT_STYLE = {-1: "red", 0: "", 1: "green"}


def render(report: FunnelReport, color: bool, width: int | None = None) -> str:
    return render_to_text(_parts(report, width or WIDTH), width or WIDTH, color)


def _parts(report: FunnelReport, width: int) -> list[RenderableType]:
    funnel = report.funnel
    parts: list[RenderableType] = [
        *_header(report),
        Text(""),
        _stage_table(funnel.stages, width),
        Text(""),
    ]
    if has_durations(funnel.stages):
        parts += [_duration_table(funnel.stages, width), Text("")]
    parts += [
        _funnel_chart(funnel.stages, width),
        Text(""),
        _bottleneck(funnel, report.currency),
    ]
    if report.goals is not None:
        parts += [Text(""), *_team_goals(report)]
    if report.groups:
        parts += [Text(""), _group_table(report, width)]
    parts += _person_goals(report, width)
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
        unbroken(
            f"Won amount: average {money(funnel.avg_won_amount, report.currency)} · "
            f"median {money(funnel.median_won_amount, report.currency)}"
        )
    )
    speed = Text(
        unbroken(
            f"Median sales cycle {days(funnel.median_cycle_days)} · "
            f"velocity {_per_day(funnel.velocity_per_day, report.currency)}"
        )
    )
    return [title, deals, amounts, speed]


def _per_day(value: float | None, currency: str) -> str:
    return MISSING if value is None else f"{money(value, currency)} per day"


def _stage_table(stages: list[StageMetrics], width: int) -> Table:
    """The stage table: the interval goes first as the width narrows, then Open (entered −
    advanced − lost) and Cumul.; a number is never squeezed or cut (reporters/columns.py)."""
    conversion = [interval(stage.conversion, stage.conversion_ci) for stage in stages]
    gaps = [Text(points(s.gap_points), style=VERDICT_STYLE[plan_verdict(s)]) for s in stages]
    columns = [
        _names("Stage", [stage.name for stage in stages]),
        Column("Entered", [count(stage.entered) for stage in stages]),
        Column("Advanced", [count(stage.advanced) for stage in stages]),
        Column("Lost", [count(stage.lost) for stage in stages]),
        Column("Open", [count(stage.open) for stage in stages], drop=Drop.DERIVED),
        Column("Conversion\n(95% CI)", conversion, drop=Drop.INTERVAL),
        Column(
            "Conversion",
            [percent(stage.conversion) for stage in stages],
            instead_of=Drop.INTERVAL,
        ),
        Column("Plan", [percent(stage.planned_conversion) for stage in stages]),
        Column("Gap\npts", gaps),
        Column(
            "Cumul.",
            [percent(stage.cumulative_conversion) for stage in stages],
            drop=Drop.DERIVED,
        ),
        Column("Win\nprob.", [percent(stage.win_probability) for stage in stages]),
    ]
    return fitted(columns, width)


def _names(header: str, names: list[str]) -> Column:
    """The rows' names: the one column that may wrap (at spaces) when nothing else can give."""
    return Column(header, [Text(terminal_line(name)) for name in names], "left", name=True)


def _duration_table(stages: list[StageMetrics], width: int) -> Table:
    cells = [duration_cells(stage) for stage in stages]
    headers = ("Median", "95% CI", "P80", "Advance\nmedian", "Lose\nmedian")
    drops = (Drop.NEVER, Drop.INTERVAL, Drop.P80, Drop.NEVER, Drop.NEVER)
    columns = [
        _names("Stage", [stage.name for stage in stages]),
        *(
            Column(header, [row[index] for row in cells], drop=drop)
            for index, (header, drop) in enumerate(zip(headers, drops, strict=True))
        ),
    ]
    return fitted(columns, width, title="Days in stage")


def _funnel_chart(stages: list[StageMetrics], width: int) -> Group:
    """A bar per stage, BAR_WIDTH cells for the first stage, narrower when the width is short."""
    top = stages[0].entered if stages else 0
    shares = [stage.entered / top if top else None for stage in stages]
    names = [Text(terminal_line(stage.name)) for stage in stages]
    counts = [count(stage.entered) for stage in stages]
    shown = [percent(share) for share in shares]
    widest_name = max(map(cell_len, map(str, names)), default=0)
    fixed = widest_name + _widest(counts) + _widest(shown) + 3 * CHART_GAP
    bar_width = max(MIN_BAR_WIDTH, min(BAR_WIDTH, width - fixed))
    table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
    table.add_column()
    table.add_column(width=bar_width, no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for name, share, entered, part in zip(names, shares, counts, shown, strict=True):
        table.add_row(name, Text(_bar(share or 0.0, bar_width), style="cyan"), entered, part)
    return Group(Text("Funnel: deals that entered each stage", style="bold"), table)


def _widest(cells: list[str]) -> int:
    return max(map(cell_len, cells), default=0)


def _bar(share: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of `width` cells for share 1, drawn in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, part = divmod(eighths, 8)
    return FULL * full + (EIGHTHS[part] if part else "")


def _bottleneck(funnel: Funnel, currency: str) -> Text:
    sentence = unbroken(terminal_line(bottleneck_sentence(funnel, currency)))
    if funnel.bottleneck is None:
        return Text(sentence, style="green")
    label, _, rest = sentence.partition(":")
    text = Text()
    text.append(label + ":", style="bold red")
    text.append(rest)
    return text


def _group_table(report: FunnelReport, width: int) -> Table:
    stages = report.funnel.stages
    stage_ids = [stage.id for stage in stages]
    rows = [group_numbers(group, stage_ids) for group in report.groups]
    short = [terminal_line(short_name(stage.name)) for stage in stages]
    headers = ("Deals", "Won", "Lost", "Open", "Win rate", *short)
    by = terminal_line(report.by or "group")
    keys = [_group_key(group) for group in report.groups]
    columns = [
        Column(by.capitalize(), keys, "left", name=True),
        *(
            Column(header, [row[index] for row in rows], drop=_group_drop(header))
            for index, header in enumerate(headers)
        ),
    ]
    styles = [_dim(group) for group in report.groups]
    return fitted(columns, width, title=f"By {by}: conversion per stage", row_styles=styles)


def _group_drop(header: str) -> Drop:
    """The counts behind the win rate go before the conversion per stage does."""
    return Drop.DERIVED if header in ("Won", "Lost", "Open") else Drop.NEVER


def short_name(name: str) -> str:
    """A short column header: each word longer than 6 characters cut to 4 and a dot
    ("Technical Validation" → "Tech. Vali.")."""
    return " ".join(word if len(word) <= 6 else word[:4] + "." for word in name.split())


def _group_key(group: DealGroup) -> Text:
    key = Text(terminal_line(group.key))
    if group.small:
        key.append(" (small)")
    return key


def _dim(group: DealGroup) -> str:
    return "dim" if group.small else ""


def _team_goals(report: FunnelReport) -> list[RenderableType]:
    goals = report.goals
    if goals is None:
        return []
    parts: list[RenderableType] = [Text(goals_title(goals), style="bold")]
    for label, words, flagged in team_lines(goals, report.currency):
        line = Text(f"{label}: ", style="bold red" if flagged else "")
        line.append(unbroken(terminal_line(words)))
        parts.append(line)
    if len(parts) == 1:
        parts.append(Text("Set goals: in the process file to compare the team with them."))
    return parts


def _person_goals(report: FunnelReport, width: int) -> list[RenderableType]:
    """The quota table and the win-rate table of `--by owner`, each with its note."""
    parts: list[RenderableType] = []
    quotas = [(group.key, quota_cells(goals)) for group, goals in quota_groups(report)]
    if quotas:
        table = _goal_table(quota_title(report), _quota_columns(quotas), report.by, width)
        parts += [Text(""), table, Text(QUOTA_NOTE, style="dim")]
    rates = rate_groups(report)
    if rates:
        rows = [(group.key, rate_cells(goal)) for group, goal in rates]
        columns = _rate_columns(rows, [percent(goal.win_rate) for _, goal in rates])
        table = _goal_table(rate_title(report, rates[0][1]), columns, report.by, width)
        parts += [Text(""), table, Text(RATE_NOTE, style="dim")]
    return parts


def _quota_columns(rows: list[tuple[str, list[str]]]) -> tuple[list[str], list[Column]]:
    """The pro-rated quota goes first: the quota and the window give it."""
    drops = {"Pro-rated": Drop.DERIVED}
    return _owner_columns(rows, QUOTA_HEADERS, drops)


def _rate_columns(
    rows: list[tuple[str, list[str]]], rates: list[str]
) -> tuple[list[str], list[Column]]:
    """The win rate loses its interval before the table wraps."""
    keys, columns = _owner_columns(rows, RATE_HEADERS, {RATE_HEADERS[0]: Drop.INTERVAL})
    bare = Column("Win rate", rates, instead_of=Drop.INTERVAL)
    return keys, [columns[0], bare, *columns[1:]]


def _owner_columns(
    rows: list[tuple[str, list[str]]], headers: tuple[str, ...], drops: dict[str, Drop]
) -> tuple[list[str], list[Column]]:
    """Owners' rows whose last cell is a verdict, in bold red when there is one."""
    keys = [key for key, _ in rows]
    columns = [
        Column(
            header,
            [terminal_line(values[index]) for _, values in rows],
            drop=drops.get(header, Drop.NEVER),
        )
        for index, header in enumerate(headers[:-1])
    ]
    verdicts = [
        Text(values[-1], style="" if values[-1] == MISSING else "bold red") for _, values in rows
    ]
    return keys, [*columns, Column(headers[-1], verdicts)]


def _goal_table(
    title: str, keyed: tuple[list[str], list[Column]], by: str | None, width: int
) -> Table:
    keys, columns = keyed
    header = terminal_line(by or "owner").capitalize()
    names = Column(header, [Text(terminal_line(key)) for key in keys], "left", name=True)
    return fitted([names, *columns], width, title=terminal_line(title))
