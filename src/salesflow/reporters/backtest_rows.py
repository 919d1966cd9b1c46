"""The rows of the backtest table, shared by the text and markdown reports."""

from __future__ import annotations

from salesflow.model.backtest import Backtest, BacktestPoint
from salesflow.reporters.analyze_format import MISSING, money, percent

HEADERS = ("cutoff", "leads", "forecast P50", "P10–P90", "actual", "error", "inside", "naive")


def rows(backtest: Backtest) -> list[tuple[str, ...]]:
    return [_row(point, backtest.currency) for point in backtest.points]


def _row(point: BacktestPoint, currency: str) -> tuple[str, ...]:
    forecast = point.forecast
    if not point.mature:
        return (
            point.cutoff,
            f"{point.leads:,}",
            point.status,
            "",
            money(point.actual, currency),
            "",
            "",
            "",
        )
    return (
        point.cutoff,
        f"{point.leads:,}",
        money(forecast.p50, currency),
        f"{money(forecast.p10, currency)} – {money(forecast.p90, currency)}",
        money(point.actual, currency),
        _signed(point.error),
        "yes" if point.inside else "no",
        money(point.baseline, currency) if point.baseline is not None else MISSING,
    )


def summary(backtest: Backtest) -> str:
    if not backtest.scored:
        return "No cutoff could be scored yet: the data is too short or too young."
    return (
        f"{backtest.scored} cutoffs scored · MAPE {percent(backtest.mape)} · bias "
        f"{_signed(backtest.bias)} · actual inside P10–P90 in {percent(backtest.coverage)} "
        f"(an honest 80% interval covers about 80%) · naive baseline MAPE "
        f"{percent(backtest.baseline_mape)}"
    )


def _signed(share: float | None) -> str:
    if share is None:
        return MISSING
    text = percent(share)
    return text if text.startswith("-") else "+" + text
