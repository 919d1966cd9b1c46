"""`forecast --format text`: the forecast for people in a terminal, drawn with rich.

Laid out for `width` columns (the CLI passes the terminal's; WIDTH when not given, as in the
golden files): the month table drops P10 and P90 before a row wraps (reporters/columns.py), the
histogram's bars narrow. Colour only when `color` is set.
"""

from __future__ import annotations

import bisect

from rich.cells import cell_len
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from salesflow.model.forecast import Forecast, Month
from salesflow.reporters.analyze_format import count, money, number, percent
from salesflow.reporters.columns import Column, Drop, fitted
from salesflow.reporters.forecast_rows import (
    dispersion_line,
    has_plan_weight,
    month_headers,
    month_rows,
    open_deals,
    size_line,
)
from salesflow.reporters.safety import terminal_line, terminal_text
from salesflow.reporters.terminal import render_to_text, unbroken

WIDTH = 100
BAR_WIDTH = 40
MIN_BAR_WIDTH = 10
BAR = "█"
MARK = "◀"
PIPELINE_MARK = "*"
PIPELINE_LEGEND = (
    f"{PIPELINE_MARK} more than half of the month's expected revenue comes from the open pipeline"
)
OUTSIDE = ("earlier", "later")


def render(forecast: Forecast, color: bool, width: int | None = None) -> str:
    return render_to_text(_parts(forecast, width or WIDTH), width or WIDTH, color)


def _parts(forecast: Forecast, width: int) -> list[RenderableType]:
    parts: list[RenderableType] = [
        _headline(forecast),
        Text(""),
        _stage_table(forecast, width),
        Text(""),
        _histogram(forecast, width),
    ]
    if forecast.target is not None:
        parts += [Text(""), _target(forecast)]
    if forecast.months:
        parts += [Text(""), _months(forecast, width), *_month_legend(forecast)]
    if forecast.pipeline is not None:
        parts += [Text(""), _pipeline(forecast)]
    if forecast.notes:
        parts.append(Text(""))
    parts += [Text(terminal_text(f"Note: {note}"), style="dim") for note in forecast.notes]
    return parts


def _headline(forecast: Forecast) -> Text:
    cur = forecast.currency
    source = (
        f"rates from data ({forecast.closed_deals:,} closed deals)"
        if forecast.source == "data"
        else "rates from the plan in the process file"
    )
    revenue = forecast.revenue
    text = Text()
    text.append(f"{terminal_line(forecast.process)} · {forecast.leads:,} leads · {source}\n")
    text.append("Expected revenue ", style="bold")
    text.append(unbroken(money(revenue.mean, cur)), style="bold green")
    text.append(
        unbroken(
            f"  (P10 {money(revenue.p10, cur)} · P50 {money(revenue.p50, cur)} · "
            f"P90 {money(revenue.p90, cur)})\n"
        )
    )
    wins = forecast.wins
    text.append(
        unbroken(
            f"Expected wins {number(forecast.expected_wins)}  (P10 {number(wins.p10)} · "
            f"P50 {number(wins.p50)} · P90 {number(wins.p90)}) · {size_line(forecast)}\n"
        )
    )
    spread = dispersion_line(forecast)
    tail = f" · {spread}" if spread else ""
    text.append(f"{forecast.sims:,} simulations, seed {forecast.seed}{tail}", style="dim")
    return text


def _stage_table(forecast: Forecast, width: int) -> Table:
    stages = forecast.stages
    weights = (
        [Column("plan weight", [percent(stage.plan_weight) for stage in stages])]
        if has_plan_weight(forecast)
        else []
    )
    columns = [
        Column("stage", [Text(terminal_line(stage.name)) for stage in stages], "left", name=True),
        Column("conversion", [percent(stage.conversion) for stage in stages]),
        *weights,
        Column("advanced", [count(stage.advanced) for stage in stages]),
        Column("lost", [count(stage.lost) for stage in stages]),
        Column("expected entering", [number(stage.expected_entering) for stage in stages]),
    ]
    return fitted(columns, width)


# --- the histogram -------------------------------------------------------------------------


def _histogram(forecast: Forecast, width: int) -> Text:
    """A bar per bin, labelled by its lower edge; the last bin also holds every simulation above
    its upper edge (the forecast clips at the 99.5th percentile), so it reads "≥ X". The bins
    holding P10, P50, P90 and the target are marked."""
    histogram = forecast.histogram
    peak = max(histogram.counts, default=0) or 1
    total = sum(histogram.counts) or 1
    labels = _bin_labels(forecast)
    shares = [percent(bucket / total) for bucket in histogram.counts]
    marks = _marks(forecast)
    label_width = max(map(cell_len, labels), default=0)
    share_width = max(map(cell_len, shares), default=0)
    mark_width = max((cell_len(mark) + 2 for mark in marks.values()), default=0)
    room = width - label_width - share_width - mark_width - 2
    bar_width = max(MIN_BAR_WIDTH, min(BAR_WIDTH, room))
    text = Text()
    text.append("Revenue distribution", style="bold")
    for index, bucket in enumerate(histogram.counts):
        text.append(f"\n{labels[index].rjust(label_width)} ")
        text.append((BAR * round(bucket / peak * bar_width)).ljust(bar_width), style="cyan")
        text.append(f" {shares[index].rjust(share_width)}")
        if index in marks:
            text.append(f"  {marks[index]}")
    return text


def _bin_labels(forecast: Forecast) -> list[str]:
    edges = forecast.histogram.edges
    labels = [money(low, forecast.currency) for low in edges[:-1]]
    if labels:
        labels[-1] = f"≥ {labels[-1]}"
    return labels


def _marks(forecast: Forecast) -> dict[int, str]:
    """{bin: "◀ P50 · target"}: where the percentiles of revenue and the target fall."""
    revenue = forecast.revenue
    named = [("P10", revenue.p10), ("P50", revenue.p50), ("P90", revenue.p90)]
    if forecast.target is not None:
        named.append(("target", forecast.target.amount))
    found: dict[int, list[str]] = {}
    for name, value in named:
        found.setdefault(_bin_of(forecast, value), []).append(name)
    return {index: f"{MARK} {' · '.join(names)}" for index, names in found.items()}


def _bin_of(forecast: Forecast, value: float) -> int:
    """The bin holding `value`: below the first edge, the first; from the last bin's lower
    edge up, the last."""
    edges = forecast.histogram.edges
    bins = len(forecast.histogram.counts)
    return min(max(bisect.bisect_right(edges, value) - 1, 0), max(bins - 1, 0))


# --- the target, the months and the pipeline -------------------------------------------------


def _target(forecast: Forecast) -> Text:
    target = forecast.target
    assert target is not None
    cur = forecast.currency
    mean = count(target.leads_needed_mean)
    p90 = count(target.leads_needed_p90) if target.leads_needed_p90 else "more than 10,000,000"
    return Text(
        unbroken(
            f"Target {money(target.amount, cur)}: reached with probability "
            f"{percent(target.probability)}. Leads needed: {mean} to reach it on average, "
            f"{p90} to reach it with 90% confidence."
        )
    )


def _months(forecast: Forecast, width: int) -> Table:
    """One row per month of the horizon, and "earlier" / "later" for revenue landing outside
    it; with the pipeline, the months it mostly pays for marked."""
    headers = month_headers(forecast)
    rows = month_rows(forecast)
    names = [
        Text(terminal_line(row[0]) + (f" {PIPELINE_MARK}" if _from_pipeline(month) else ""))
        for row, month in zip(rows, forecast.months, strict=True)
    ]
    columns = [Column(headers[0], names, "left", name=True)]
    for index, header in enumerate(headers[1:], start=1):
        drop = Drop.INTERVAL if header in ("P10", "P90") else Drop.NEVER
        columns.append(Column(header, [row[index] for row in rows], drop=drop))
    return fitted(columns, width, title="Revenue by month")


def _from_pipeline(month: Month) -> bool:
    return month.pipeline > month.new_leads


def _month_legend(forecast: Forecast) -> list[Text]:
    """What the marks and the rows outside the horizon mean, when there are any."""
    lines = []
    if any(_from_pipeline(month) for month in forecast.months):
        lines.append(Text(PIPELINE_LEGEND, style="dim"))
    calendar = [month.month for month in forecast.months if month.month not in OUTSIDE]
    shown = {month.month for month in forecast.months}
    if calendar and shown & set(OUTSIDE):
        sides = {"earlier": f"before {calendar[0]}", "later": f"after {calendar[-1]}"}
        words = " · ".join(f"{row}: {sides[row]}" for row in OUTSIDE if row in shown)
        months = f"{len(calendar)} month{'' if len(calendar) == 1 else 's'}"
        lines.append(Text(f"{words} (outside the {months})", style="dim"))
    return lines


def _pipeline(forecast: Forecast) -> Text:
    pipeline = forecast.pipeline
    assert pipeline is not None
    cur = forecast.currency
    revenue = pipeline.revenue
    weighted = money(pipeline.expected_revenue, cur)
    return Text(
        unbroken(
            f"Open pipeline: {open_deals(forecast)}, weighted {weighted} "
            f"(P10 {money(revenue.p10, cur)} · P50 {money(revenue.p50, cur)} · "
            f"P90 {money(revenue.p90, cur)})"
        )
    )
