"""The result of `salesflow backtest`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from salesflow.model.forecast import Distribution
from salesflow.model.funnel import Result


class BacktestPoint(Result):
    """One cutoff: what the forecast said with what was known then, and what happened."""

    cutoff: str
    status: Literal["scored", "too little data", "too young"]
    closed_deals: int
    won_deals: int
    leads: int
    forecast: Distribution
    actual: float
    mature: bool
    error: float | None
    inside: bool | None
    baseline: float | None


class Backtest(Result):
    process: str
    currency: str
    horizon_months: int
    data_end: str
    maturity_days: float
    points: list[BacktestPoint]
    scored: int
    mape: float | None
    bias: float | None
    coverage: float | None
    baseline_mape: float | None
    notes: list[str] = Field(default_factory=list)
