"""Rows shared by the forecast reports (text, markdown, html): the month table and the words that
say what the rates, the deal size and the spread between cohorts rest on."""

from __future__ import annotations

from salesflow.model.forecast import Distribution, Forecast, Month
from salesflow.reporters.analyze_format import count, money, number

SIZE_MODELS = {
    "bootstrap": "resampled from {n}",
    "lognormal": "lognormal fitted to {n}",
    "plan": "lognormal around the plan's deal size",
}
# whose amounts the deal size rests on: one, many
AMOUNTS = {
    "won": ("won amount", "won amounts"),
    "open_and_lost": ("amount of an open or lost deal", "amounts of open and lost deals"),
}


def rates_source(forecast: Forecast) -> str:
    if forecast.source == "data":
        deals = forecast.closed_deals
        return f"from data ({count(deals)} closed {'deal' if deals == 1 else 'deals'})"
    return "from the plan in the process file (no closed deals)"


def spread_words(values: Distribution, currency: str | None = None) -> str:
    """ "P10 … · P50 … · P90 …", as money when a currency is given, else as numbers."""

    def shown(value: float) -> str:
        return money(value, currency) if currency is not None else number(value)

    return f"P10 {shown(values.p10)} · P50 {shown(values.p50)} · P90 {shown(values.p90)}"


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
    """ "average deal USD 3,000 (lognormal fitted to 5 won amounts)": the deal size, its model and
    whose amounts it rests on, for every format that has a headline."""
    one, many = AMOUNTS[forecast.amounts_from]
    counted = f"{forecast.won_amounts:,} {one if forecast.won_amounts == 1 else many}"
    model = SIZE_MODELS[forecast.deal_size_model].format(n=counted)
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
