"""`forecast --format text`: the forecast for people in a terminal, drawn with rich at a fixed
width, so that output is stable; colour only when `color` is set."""

from __future__ import annotations

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from salesflow.model.forecast import Forecast
from salesflow.reporters.analyze_format import count, money, number, percent
from salesflow.reporters.forecast_rows import (
    dispersion_line,
    has_plan_weight,
    month_headers,
    month_rows,
    open_deals,
    size_line,
)
from salesflow.reporters.safety import terminal_line, terminal_text
from salesflow.reporters.terminal import render_to_text

WIDTH = 100
BAR_WIDTH = 40
BAR = "█"


def render(forecast: Forecast, color: bool) -> str:
    return render_to_text(_parts(forecast), WIDTH, color)


def _parts(forecast: Forecast) -> list[RenderableType]:
    parts: list[RenderableType] = [
        _headline(forecast),
        _stage_table(forecast),
        _histogram(forecast),
    ]
    if forecast.target is not None:
        parts.append(_target(forecast))
    if forecast.months:
        parts.append(_months(forecast))
    if forecast.pipeline is not None:
        parts.append(_pipeline(forecast))
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
    text.append(money(revenue.mean, cur), style="bold green")
    text.append(
        f"  (P10 {money(revenue.p10, cur)} · P50 {money(revenue.p50, cur)} · "
        f"P90 {money(revenue.p90, cur)})\n"
    )
    wins = forecast.wins
    text.append(
        f"Expected wins {number(forecast.expected_wins)}  (P10 {number(wins.p10)} · "
        f"P50 {number(wins.p50)} · P90 {number(wins.p90)}) · {size_line(forecast)}\n"
    )
    spread = dispersion_line(forecast)
    tail = f" · {spread}" if spread else ""
    text.append(f"{forecast.sims:,} simulations, seed {forecast.seed}{tail}", style="dim")
    return text


def _stage_table(forecast: Forecast) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title=None, pad_edge=False)
    weighted = has_plan_weight(forecast)
    headers = ("stage", "conversion", *(("plan weight",) if weighted else ()), "advanced", "lost")
    for header in (*headers, "expected entering"):
        table.add_column(header, justify="left" if header == "stage" else "right")
    for stage in forecast.stages:
        weight = (percent(stage.plan_weight),) if weighted else ()
        table.add_row(
            terminal_line(stage.name),
            percent(stage.conversion),
            *weight,
            count(stage.advanced),
            count(stage.lost),
            number(stage.expected_entering),
        )
    return table


def _histogram(forecast: Forecast) -> Text:
    histogram = forecast.histogram
    peak = max(histogram.counts) or 1
    total = sum(histogram.counts) or 1
    text = Text()
    text.append("Revenue distribution\n", style="bold")
    for index, bucket in enumerate(histogram.counts):
        low = histogram.edges[index]
        bar = BAR * round(bucket / peak * BAR_WIDTH)
        label = money(low, forecast.currency).rjust(14)
        text.append(f"{label} ")
        text.append(bar.ljust(BAR_WIDTH), style="cyan")
        text.append(f" {percent(bucket / total)}\n")
    return text


def _target(forecast: Forecast) -> Text:
    target = forecast.target
    assert target is not None
    cur = forecast.currency
    mean = count(target.leads_needed_mean)
    p90 = count(target.leads_needed_p90) if target.leads_needed_p90 else "more than 10,000,000"
    return Text(
        f"Target {money(target.amount, cur)}: reached with probability "
        f"{percent(target.probability)}. Leads needed: {mean} to reach it on average, "
        f"{p90} to reach it with 90% confidence."
    )


def _months(forecast: Forecast) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Revenue by month", title_justify="left")
    for header in month_headers(forecast):
        table.add_column(header, justify="left" if header == "month" else "right")
    for row in month_rows(forecast):
        table.add_row(terminal_line(row[0]), *row[1:])
    return table


def _pipeline(forecast: Forecast) -> Text:
    pipeline = forecast.pipeline
    assert pipeline is not None
    cur = forecast.currency
    revenue = pipeline.revenue
    weighted = money(pipeline.expected_revenue, cur)
    return Text(
        f"Open pipeline: {open_deals(forecast)}, weighted {weighted} "
        f"(P10 {money(revenue.p10, cur)} · P50 {money(revenue.p50, cur)} · "
        f"P90 {money(revenue.p90, cur)})"
    )
