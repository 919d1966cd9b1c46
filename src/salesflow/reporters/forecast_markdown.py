"""`forecast --format markdown`: the same forecast as `text`, as GitHub-flavoured markdown for a
pull-request comment, a wiki page or a CI job summary. Deterministic and without colour."""

from __future__ import annotations

from salesflow.model.forecast import Forecast
from salesflow.reporters.analyze_format import count, money, number, percent
from salesflow.reporters.forecast_rows import (
    dispersion_line,
    has_plan_weight,
    month_headers,
    month_rows,
    open_deals,
    rates_source,
    size_line,
    spread_words,
)
from salesflow.reporters.safety import md_text as escape

BAR_WIDTH = 20
FULL = "█"
MAX_LEADS_TEXT = "more than 10,000,000"


def render(forecast: Forecast, color: bool) -> str:
    del color
    blocks = [
        f"# {escape(forecast.process)}: revenue forecast",
        _summary(forecast),
        "## Stages",
        _stage_table(forecast),
        "## Revenue distribution",
        _histogram(forecast),
    ]
    if forecast.target is not None:
        blocks += ["## Target", _target(forecast)]
    if forecast.months:
        blocks += ["## Revenue by month", _months(forecast)]
    if forecast.pipeline is not None:
        blocks += ["## Open pipeline", _pipeline(forecast)]
    blocks += [f"**Note:** {escape(note)}" for note in forecast.notes]
    return "\n\n".join(blocks) + "\n"


def _summary(forecast: Forecast) -> str:
    cur = forecast.currency
    revenue = forecast.revenue
    lines = [
        f"- **Leads:** {count(forecast.leads)}",
        f"- **Rates:** {rates_source(forecast)}",
        f"- **Expected revenue:** {money(revenue.mean, cur)} ({spread_words(revenue, cur)})",
        f"- **Expected wins:** {number(forecast.expected_wins)} ({spread_words(forecast.wins)})",
        f"- **Deal size:** {size_line(forecast)}",
        f"- **Simulations:** {count(forecast.sims)}, seed {forecast.seed}",
    ]
    spread = dispersion_line(forecast)
    if spread:
        lines.append(f"- **Between cohorts:** {spread}")
    return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _stage_table(forecast: Forecast) -> str:
    weighted = has_plan_weight(forecast)
    plan = ["Plan weight"] if weighted else []
    headers = ["Stage", "Conversion", *plan, "Advanced", "Lost", "Expected entering"]
    lines = [_row(headers), _row(["---", *("--:" for _ in headers[1:])])]
    for stage in forecast.stages:
        weight = [percent(stage.plan_weight)] if weighted else []
        lines.append(
            _row(
                [
                    escape(stage.name),
                    percent(stage.conversion),
                    *weight,
                    count(stage.advanced),
                    count(stage.lost),
                    number(stage.expected_entering),
                ]
            )
        )
    return "\n".join(lines)


def _histogram(forecast: Forecast) -> str:
    histogram = forecast.histogram
    peak = max(histogram.counts, default=0) or 1
    total = sum(histogram.counts) or 1
    lines = [_row(["Revenue from", "Share", ""]), _row(["--:", "--:", "---"])]
    for low, bucket in zip(histogram.edges, histogram.counts, strict=False):
        bar = FULL * max(1, round(bucket / peak * BAR_WIDTH)) if bucket else ""
        lines.append(_row([money(low, forecast.currency), percent(bucket / total), bar]))
    return "\n".join(lines)


def _target(forecast: Forecast) -> str:
    target = forecast.target
    assert target is not None
    mean = count(target.leads_needed_mean)
    p90 = count(target.leads_needed_p90) if target.leads_needed_p90 else MAX_LEADS_TEXT
    return (
        f"**Target {money(target.amount, forecast.currency)}:** reached with probability "
        f"{percent(target.probability)}. Leads needed: {mean} to reach it on average, "
        f"{p90} to reach it with 90% confidence."
    )


def _months(forecast: Forecast) -> str:
    headers = month_headers(forecast)
    lines = [_row(list(headers)), _row(["---", *("--:" for _ in headers[1:])])]
    for row in month_rows(forecast):
        lines.append(_row([escape(row[0]), *row[1:]]))
    return "\n".join(lines)


def _pipeline(forecast: Forecast) -> str:
    pipeline = forecast.pipeline
    assert pipeline is not None
    cur = forecast.currency
    return (
        f"**Open pipeline:** {open_deals(forecast)}, weighted "
        f"{money(pipeline.expected_revenue, cur)} ({spread_words(pipeline.revenue, cur)})"
    )
