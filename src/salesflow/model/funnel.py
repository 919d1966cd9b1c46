"""The results of `salesflow analyze`: funnel metrics per stage, overall and per group."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Result(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class StageMetrics(Result):
    """One stage. `conversion` is the chance that a deal entering the stage eventually advances,
    with deals still open counted as unfinished (survival estimate), or `naive_conversion` =
    advanced / (advanced + lost) when the data has no entry dates for the stage
    (`conversion_method` says which)."""

    id: str
    name: str
    entered: int
    advanced: int
    lost: int
    open: int
    conversion: float | None
    conversion_ci: tuple[float, float] | None
    conversion_method: str
    effective_deals: float | None
    undecided: float
    naive_conversion: float | None
    planned_conversion: float | None
    gap_points: float | None
    probability_below_plan: float | None
    cumulative_conversion: float | None
    win_probability: float | None
    median_days: float | None
    p80_days: float | None
    median_days_to_advance: float | None
    median_days_to_lose: float | None
    completed_stays: int
    open_stays: int


class DealCounts(Result):
    total: int
    won: int
    lost: int
    open: int


class Bottleneck(Result):
    """The stage clearly below plan where reaching the plan would add the most won revenue;
    the gain's 80% interval carries what we do not know about the conversions and deal size."""

    stage: str
    probability_below_plan: float
    extra_wins: float
    revenue_gain: float | None
    revenue_gain_interval: tuple[float, float] | None


class Funnel(Result):
    """Every metric for one set of deals (all of them, or one group of `--by`)."""

    deals: DealCounts
    win_rate: float | None
    closed_win_rate: float | None
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
    as_of: str | None
    funnel: Funnel
    by: str | None = None
    groups: list[Group] = []
    notes: list[str] = []
    ignored_rows: int = 0  # rows dropped by data.ignore
