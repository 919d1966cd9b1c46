"""`forecast --format html`: the forecast as one standalone web page, with pictures: the revenue
distribution with P10, P50, P90 and the target marked, and the revenue by month, each with its
numbers as a table, then the target, the open pipeline, the stages and the notes. No script,
nothing fetched; deterministic and without colour codes."""

from __future__ import annotations

from salesflow.model.forecast import Forecast
from salesflow.reporters.analyze_format import count, money, number, percent
from salesflow.reporters.forecast_html_charts import distribution_figure, months_figure
from salesflow.reporters.forecast_rows import (
    dispersion_line,
    has_plan_weight,
    open_deals,
    rates_source,
    size_line,
    spread_words,
)
from salesflow.reporters.html_page import Html, facts, heading, page, paragraph, table

MAX_LEADS_TEXT = "more than 10,000,000"


def render(forecast: Forecast, color: bool) -> str:
    del color
    blocks = [facts(_summary(forecast))]
    if forecast.target is not None:
        blocks.append(_target(forecast))
    if forecast.pipeline is not None:
        blocks.append(_pipeline(forecast))
    blocks.append(distribution_figure(forecast))
    if forecast.months:
        blocks.append(months_figure(forecast))
    blocks += [heading("Stages"), _stage_table(forecast)]
    blocks += [paragraph(f"Note: {note}", "note") for note in forecast.notes]
    return page(f"{forecast.process}: revenue forecast", blocks)


def _summary(forecast: Forecast) -> list[tuple[str, str]]:
    cur = forecast.currency
    revenue = forecast.revenue
    items = [
        ("Leads", count(forecast.leads)),
        ("Rates", rates_source(forecast)),
        ("Expected revenue", f"{money(revenue.mean, cur)} ({spread_words(revenue, cur)})"),
        ("Expected wins", f"{number(forecast.expected_wins)} ({spread_words(forecast.wins)})"),
        ("Deal size", size_line(forecast)),
        ("Simulations", f"{count(forecast.sims)}, seed {forecast.seed}"),
    ]
    spread = dispersion_line(forecast)
    if spread:
        items.append(("Between cohorts", spread))
    return items


def _target(forecast: Forecast) -> Html:
    target = forecast.target
    assert target is not None
    mean = count(target.leads_needed_mean)
    p90 = count(target.leads_needed_p90) if target.leads_needed_p90 else MAX_LEADS_TEXT
    return paragraph(
        f"Target {money(target.amount, forecast.currency)}: reached with probability "
        f"{percent(target.probability)}. Leads needed: {mean} to reach it on average, "
        f"{p90} to reach it with 90% confidence."
    )


def _pipeline(forecast: Forecast) -> Html:
    pipeline = forecast.pipeline
    assert pipeline is not None
    cur = forecast.currency
    return paragraph(
        f"Open pipeline: {open_deals(forecast)}, weighted "
        f"{money(pipeline.expected_revenue, cur)} ({spread_words(pipeline.revenue, cur)})"
    )


def _stage_table(forecast: Forecast) -> Html:
    weighted = has_plan_weight(forecast)
    plan = ["Plan weight"] if weighted else []
    headers = ["Stage", "Conversion", *plan, "Advanced", "Lost", "Expected entering"]
    rows = [
        [
            stage.name,
            percent(stage.conversion),
            *([percent(stage.plan_weight)] if weighted else []),
            count(stage.advanced),
            count(stage.lost),
            number(stage.expected_entering),
        ]
        for stage in forecast.stages
    ]
    return table("Conversion and expected leads per stage", headers, rows)
