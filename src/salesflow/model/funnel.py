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
    # the median's 95% interval; its upper end None when the data cannot bound it yet
    median_days_ci: tuple[float, float | None] | None = None
    p80_days: float | None
    planned_days: float | None
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


class GoalWindow(Result):
    """The days quotas are pro-rated over: from `--since` (else the first day of the data) to
    the report's `as_of`, both included."""

    start: str
    end: str
    days: int


class RevenueGoal(Result):
    """A quota (`source` "own" or "role") or the team's revenue goal ("goals"), pro-rated over
    the window, against the revenue won in it. `shortfall` is set only when the probability of
    a real shortfall is at least 0.9."""

    amount: float
    per: str
    source: str
    prorated: float | None
    won: float | None
    wins: int
    attainment: float | None
    probability_shortfall: float | None
    shortfall: bool


class WinRateGoal(Result):
    """The win rate against the goal; `below` only when the probability it is truly below the
    goal is at least 0.9."""

    goal: float
    win_rate: float | None
    win_rate_ci: tuple[float, float] | None
    effective_deals: float | None
    probability_below: float | None
    below: bool


class CycleGoal(Result):
    """The median sales cycle against the goal; `above` only when the probability it is truly
    above the goal is at least 0.9 (analytics.cycle_goal)."""

    goal: float
    median_cycle_days: float | None
    median_cycle_days_ci: tuple[float, float] | None
    probability_above: float | None
    above: bool


class PersonGoals(Result):
    """A group of `--by owner`: the person's role and quota from `team` (none when the owner is
    not listed there), and their win rate against the process goal."""

    in_team: bool
    role: str | None  # the role's id
    role_title: str | None = None
    quota: RevenueGoal | None
    win_rate: WinRateGoal | None


class TeamGoals(Result):
    window: GoalWindow | None
    revenue: RevenueGoal | None
    win_rate: WinRateGoal | None
    cycle_days: CycleGoal | None


class Group(Result):
    key: str
    small: bool
    funnel: Funnel
    goals: PersonGoals | None = None  # with `--by owner` when the process sets goals or quotas


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
    goals: TeamGoals | None = None  # when the process sets goals, quotas or a team
