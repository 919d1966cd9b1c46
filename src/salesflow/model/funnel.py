"""The results of `salesflow analyze`: funnel metrics per stage, overall and per group."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Result(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class StageMetrics(Result):
    """One stage. `conversion` = advanced / (advanced + lost): open deals are not failures."""

    id: str
    name: str
    entered: int
    advanced: int
    lost: int
    open: int
    conversion: float | None
    conversion_ci: tuple[float, float] | None
    planned_conversion: float | None
    gap_points: float | None
    cumulative_conversion: float | None
    win_probability: float | None
    median_days: float | None
    p80_days: float | None
    completed_stays: int
    open_stays: int


class DealCounts(Result):
    total: int
    won: int
    lost: int
    open: int


class Bottleneck(Result):
    """The stage where reaching the planned conversion would add the most won revenue."""

    stage: str
    extra_wins: float
    revenue_gain: float | None


class Funnel(Result):
    """Every metric for one set of deals (all of them, or one group of `--by`)."""

    deals: DealCounts
    win_rate: float | None
    avg_won_amount: float | None
    median_won_amount: float | None
    median_cycle_days: float | None
    velocity_per_day: float | None
    bottleneck: Bottleneck | None
    stages: list[StageMetrics]


class Group(Result):
    key: str
    small: bool
    funnel: Funnel


class FunnelReport(Result):
    process: str
    currency: str
    source: str
    shape: str
    since: str | None
    until: str | None
    funnel: Funnel
    by: str | None = None
    groups: list[Group] = []
    notes: list[str] = []
