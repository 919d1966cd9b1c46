"""The two pictures of `forecast --format html`, each with its numbers as a table: the revenue
distribution with P10, P50, P90 and the target marked, and the revenue by month, split into
what the open pipeline and the new leads bring when the forecast has both."""

from __future__ import annotations

from salesflow.model.forecast import Forecast, Month
from salesflow.reporters.analyze_format import count, money, percent
from salesflow.reporters.forecast_rows import month_headers, month_rows
from salesflow.reporters.html_page import Html, figure
from salesflow.reporters.svg import Key, rounded_top
from salesflow.reporters.svg_charts import Axis, Bins, Column, Mark, Part, columns, histogram


def distribution_figure(forecast: Forecast) -> Html:
    cur = forecast.currency
    histogram_ = forecast.histogram
    total = sum(histogram_.counts) or 1
    shares = [bucket / total for bucket in histogram_.counts]
    ranges = bin_ranges(histogram_.edges, cur)
    bins = Bins(
        histogram_.edges,
        shares,
        [f"{words}: {percent(share)}" for words, share in zip(ranges, shares, strict=True)],
    )
    x_axis = Axis(histogram_.edges[-1], lambda value: money(value, cur), f"revenue ({cur})")
    y_axis = Axis(rounded_top(max(shares, default=0.0)), _percent_tick, "share of simulations")
    chart = histogram("Revenue distribution", bins, _marks(forecast), x_axis, y_axis)
    rows = [
        [words, percent(share), count(bucket)]
        for words, share, bucket in zip(ranges, shares, histogram_.counts, strict=True)
    ]
    caption = (
        f"The revenue of the new leads over {count(forecast.sims)} simulations: each bar is the "
        "share of simulations in its range; the first bar also holds every lower result and "
        "the last (≥) every higher one. The dashed lines are P10 and P90 (80% of the "
        "simulations fall between them), the solid one P50"
        + (", and the orange one the target." if forecast.target is not None else ".")
    )
    headers = ["Revenue", "Share", "Simulations"]
    return figure("Revenue distribution", chart, caption, headers, rows)


def bin_ranges(edges: list[float], currency: str) -> list[str]:
    """Each bin in words; the first and last bins hold what lies beyond the edges."""
    count_ = len(edges) - 1
    words = []
    for index in range(count_):
        low, high = edges[index], edges[index + 1]
        if index == count_ - 1:
            words.append(f"≥ {money(low, currency)}")
        elif index == 0:
            words.append(f"< {money(high, currency)}")
        else:
            words.append(f"{money(low, currency)} to {high:,.0f}")
    return words


def _marks(forecast: Forecast) -> list[Mark]:
    cur = forecast.currency
    revenue = forecast.revenue
    marks = [
        Mark(revenue.p10, "quantile-mark", f"P10 {money(revenue.p10, cur)}"),
        Mark(revenue.p50, "p50-mark", f"P50 {money(revenue.p50, cur)}"),
        Mark(revenue.p90, "quantile-mark", f"P90 {money(revenue.p90, cur)}"),
    ]
    if forecast.target is not None:
        amount = forecast.target.amount
        marks.append(Mark(amount, "target-mark", f"Target {money(amount, cur)}"))
    return marks


def _percent_tick(share: float) -> str:
    return f"{round(share * 100, 1):g}%"


def months_figure(forecast: Forecast) -> Html:
    cur = forecast.currency
    split = forecast.pipeline is not None
    items = [_month_column(month, cur, split) for month in forecast.months]
    top = max((max(m.p90, m.mean, m.new_leads + m.pipeline) for m in forecast.months), default=0.0)
    axis = Axis(rounded_top(top), lambda value: money(value, cur), f"revenue ({cur})")
    keys = (
        [Key("pipeline", "from the open pipeline"), Key("new-leads", "from new leads")]
        if split
        else [Key("new-leads", "mean revenue")]
    )
    chart = columns("Revenue by month", items, axis, [*keys, Key("whisker", "P10 to P90", False)])
    rows = month_rows(forecast)
    caption = "The mean revenue landing in each month, with the P10 to P90 range." + (
        " The light part comes from the open pipeline, the dark part from the new leads."
        if split
        else ""
    )
    return figure("Revenue by month", chart, caption, month_headers(forecast), rows)


def _month_column(month: Month, currency: str, split: bool) -> Column:
    def part(value: float, css: str, what: str) -> Part:
        return Part(value, css, f"{month.month}, {what}: {money(value, currency)}")

    parts = (
        [
            part(month.pipeline, "pipeline", "open pipeline"),
            part(month.new_leads, "new-leads", "new leads"),
        ]
        if split
        else [part(month.mean, "new-leads", "mean")]
    )
    spread = f"{month.month}: P10 {money(month.p10, currency)}, P90 {money(month.p90, currency)}"
    return Column(month.month, parts, (month.p10, month.p90), spread)
