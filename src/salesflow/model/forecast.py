"""The results of `salesflow forecast` and `salesflow backtest`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from salesflow.model.funnel import Result

Source = Literal["data", "plan"]
AmountsFrom = Literal["won", "open_and_lost"]  # whose amounts the deal size rests on


class Distribution(Result):
    """A simulated quantity: its mean and 10th, 50th and 90th percentiles."""

    mean: float
    p10: float
    p50: float
    p90: float


class StageRate(Result):
    id: str
    name: str
    conversion: float
    plan_weight: float = 0.0
    advanced: int | None
    lost: int | None
    expected_entering: float


class Target(Result):
    amount: float
    probability: float
    leads_needed_mean: int | None
    leads_needed_p90: int | None


class Month(Result):
    """A calendar month (YYYY-MM), or "earlier" / "later" for what lands outside the months."""

    month: str
    mean: float
    p10: float
    p50: float
    p90: float
    new_leads: float = 0.0
    pipeline: float = 0.0


class Histogram(Result):
    edges: list[float]
    counts: list[int]


class Pipeline(Result):
    open_deals: int
    expected_revenue: float
    revenue: Distribution


class Forecast(Result):
    process: str
    currency: str
    source: Source
    leads: int
    sims: int
    seed: int
    closed_deals: int
    expected_wins: float
    wins: Distribution
    revenue: Distribution
    deal_size: float
    deal_size_model: Literal["bootstrap", "lognormal", "plan"] = "plan"
    won_amounts: int = 0
    amounts_from: AmountsFrom = "won"
    dispersion: float = 0.0
    dispersion_cohorts: int = 0
    stages: list[StageRate]
    histogram: Histogram
    target: Target | None = None
    months: list[Month] = Field(default_factory=list)
    pipeline: Pipeline | None = None
    notes: list[str] = Field(default_factory=list)
