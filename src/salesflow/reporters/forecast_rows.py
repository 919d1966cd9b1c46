"""Rows shared by the text and markdown forecast reports: the month table and the lines that say
what the deal size and the spread between cohorts rest on."""

from __future__ import annotations

from salesflow.model.forecast import Forecast, Month
from salesflow.reporters.analyze_format import money

SIZE_MODELS = {
    "bootstrap": "resampled from {n}",
    "lognormal": "lognormal fitted to {n}",
    "plan": "lognormal around the plan's deal size",
}


def month_headers(forecast: Forecast) -> tuple[str, ...]:
    split = ("new leads", "pipeline") if forecast.pipeline is not None else ()
    return ("month", "P10", "P50", "P90", "mean", *split)


def month_rows(forecast: Forecast) -> list[tuple[str, ...]]:
    return [_month(month, forecast) for month in forecast.months]


def _month(month: Month, forecast: Forecast) -> tuple[str, ...]:
    cur = forecast.currency
    split = (
        (money(month.new_leads, cur), money(month.pipeline, cur))
        if forecast.pipeline is not None
        else ()
    )
    return (
        month.month,
        money(month.p10, cur),
        money(month.p50, cur),
        money(month.p90, cur),
        money(month.mean, cur),
        *split,
    )


def size_line(forecast: Forecast) -> str:
    amounts = "won amount" if forecast.won_amounts == 1 else "won amounts"
    model = SIZE_MODELS[forecast.deal_size_model].format(n=f"{forecast.won_amounts:,} {amounts}")
    return f"average deal {money(forecast.deal_size, forecast.currency)} ({model})"


def dispersion_line(forecast: Forecast) -> str | None:
    if forecast.source != "data":
        return None
    if not forecast.dispersion_cohorts:
        return "cohort-to-cohort variation not measured"
    return (
        f"cohort-to-cohort variation ρ = {forecast.dispersion:.4f} "
        f"({forecast.dispersion_cohorts:,} monthly cohorts)"
    )


def open_deals(forecast: Forecast) -> str:
    """ "1 deal", "172 deals": the open pipeline's size."""
    assert forecast.pipeline is not None
    number = forecast.pipeline.open_deals
    return f"{number:,} deal" if number == 1 else f"{number:,} deals"


def has_plan_weight(forecast: Forecast) -> bool:
    return any(stage.plan_weight > 0 for stage in forecast.stages)
