"""The rows of the backtest table, shared by the text and markdown reports. Amounts are whole
currency units without the currency code (the heading names it), so that the table fits."""

from __future__ import annotations

from salesflow.model.backtest import Backtest, BacktestPoint
from salesflow.reporters.analyze_format import MISSING, percent

HEADERS = (
    "cutoff",
    "leads",
    "forecast mean",
    "P10–P90",
    "actual",
    "error",
    "inside",
    "CRPS",
    "naive",
    "naive CRPS",
)


def rows(backtest: Backtest) -> list[tuple[str, ...]]:
    return [_row(point) for point in backtest.points]


def _row(point: BacktestPoint) -> tuple[str, ...]:
    forecast = point.forecast
    if not point.mature:
        return (
            point.cutoff,
            f"{point.leads:,}",
            point.status,
            _still_open(point),
            _amount(point.actual),
            *("",) * 5,
        )
    return (
        point.cutoff,
        f"{point.leads:,}",
        _amount(forecast.mean),
        f"{_amount(forecast.p10)} – {_amount(forecast.p90)}",
        _amount(point.actual),
        _signed(point.error),
        "yes" if point.inside else "no",
        _amount(point.crps),
        _amount(point.baseline),
        _amount(point.baseline_crps),
    )


def _still_open(point: BacktestPoint) -> str:
    if point.status != "still open":
        return ""
    return f"{point.open_deals:,} deal{'' if point.open_deals == 1 else 's'} open"


def summary(backtest: Backtest) -> str:
    if not backtest.scored:
        return "No cutoff could be scored yet: the data is too short, too young or still open."
    return (
        f"{backtest.scored} cutoffs scored · actual inside P10–P90 in "
        f"{percent(backtest.coverage)} (an honest 80% interval covers about 80%) · CRPS "
        f"{_amount(backtest.crps)} against {_amount(backtest.baseline_crps)} for the naive "
        f"baseline (skill {_signed(backtest.skill)}) · bias {_signed(backtest.bias)} · MAPE "
        f"{percent(backtest.mape)} (naive {percent(backtest.baseline_mape)})"
    )


def _amount(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.0f}"


def _signed(share: float | None) -> str:
    if share is None:
        return MISSING
    text = percent(share)
    return text if text.startswith("-") else "+" + text
