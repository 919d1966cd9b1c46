"""The result of `salesflow backtest`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from salesflow.model.forecast import Distribution
from salesflow.model.funnel import Result

Status = Literal["scored", "too little data", "too young", "still open"]


class BacktestPoint(Result):
    """One cutoff: what the forecast said with what was known then, and what happened. The
    scores (`error`, `inside`, `crps`, `baseline_crps`) are set only when the cutoff is scored."""

    cutoff: str
    status: Status
    closed_deals: int
    won_deals: int
    leads: int
    forecast: Distribution
    actual: float
    mature: bool
    error: float | None
    inside: bool | None
    crps: float | None = None
    baseline: float | None
    baseline_crps: float | None = None
    open_deals: int = 0
    stale_deals: int = 0


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
    crps: float | None = None
    baseline_crps: float | None = None
    skill: float | None = None
    baseline_mape: float | None
    notes: list[str] = Field(default_factory=list)
