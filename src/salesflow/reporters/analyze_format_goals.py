"""Goals and quotas in the `analyze` reports for people (text and markdown): the team's lines
and each owner's row, as plain strings (the reporters escape and style them). A verdict is
written only when it is credible (the flags of the report); otherwise the probability says how
far from credible it is."""

from __future__ import annotations

from salesflow.model.funnel import (
    CycleGoal,
    FunnelReport,
    Group,
    PersonGoals,
    RevenueGoal,
    TeamGoals,
    WinRateGoal,
)
from salesflow.reporters.analyze_format import (
    MISSING,
    certainty,
    days,
    days_interval,
    interval,
    money,
    percent,
)

QUOTA_HEADERS = ("Role", "Quota", "Pro-rated", "Won", "Attained", "P(short)", "Verdict")
RATE_HEADERS = ("Win rate (95% CI)", "P(below)", "Verdict")
SHORT = "short"
BELOW = "below"
NOT_IN_TEAM = "not in team"
ROLE_MARK = "*"
QUOTA_NOTE = (
    f"Quotas pro-rated over the window ({ROLE_MARK} the role's quota) against the revenue won "
    "in it. P(short): how likely each person is to be truly short. People are marked short "
    "together, so that at most 1 in 10 of those marked is expected to be on quota (one person "
    "alone: at 90%)."
)
RATE_NOTE = (
    "People are marked below together, so that at most 1 in 10 of those marked is expected to "
    "meet the goal (one person alone: at 90%; P(below))."
)


def goals_title(goals: TeamGoals) -> str:
    window = goals.window
    if window is None:
        return "Goals"
    return f"Goals, {window.start} to {window.end} ({window.days:,} days)"


def team_lines(goals: TeamGoals, currency: str) -> list[tuple[str, str, bool]]:
    """(label, text, flagged) for each goal of the team."""
    lines = []
    if goals.revenue is not None:
        lines.append(("Revenue", revenue_words(goals.revenue, currency), goals.revenue.shortfall))
    if goals.win_rate is not None:
        lines.append(("Win rate", win_rate_words(goals.win_rate), goals.win_rate.below))
    if goals.cycle_days is not None:
        lines.append(("Sales cycle", cycle_words(goals.cycle_days), goals.cycle_days.above))
    return lines


def revenue_words(goal: RevenueGoal, currency: str) -> str:
    """'USD 1,584,830 won, 88% of USD 1,798,768 (USD 1,800,000 per year, pro-rated);
    P(short) 78%: not credible'."""
    target = f"{money(goal.amount, currency)} per {goal.per}"
    if goal.prorated is None or goal.won is None:
        return f"{target}; not measured"
    text = (
        f"{money(goal.won, currency)} won, {percent(goal.attainment)} of "
        f"{money(goal.prorated, currency)} ({target}, pro-rated)"
    )
    return text + _verdict("P(short)", goal.probability_shortfall, goal.shortfall, "short")


def win_rate_words(goal: WinRateGoal) -> str:
    """'5.2% (4.2–6.5) against the goal of 6.0%; P(below) 89%: not credible'."""
    text = f"{interval(goal.win_rate, goal.win_rate_ci)} against the goal of {percent(goal.goal)}"
    return text + _verdict("P(below)", goal.probability_below, goal.below, "below the goal")


def cycle_words(goal: CycleGoal) -> str:
    """'median 92 days (81–104) against the goal of 60 days; P(above) 99.9%: credibly above the
    goal'."""
    ci = goal.median_cycle_days_ci
    text = f"median {days(goal.median_cycle_days)}"
    if ci is not None:
        text += f" ({days_interval(ci)})"
    text += f" against the goal of {days(goal.goal)}"
    if goal.median_cycle_days is None:
        return text + "; not measured (no won deal dated from its start to its close)"
    if goal.probability_above is None:
        return text + " (no verdict: too few won deals to tell)"
    return text + _verdict("P(above)", goal.probability_above, goal.above, "above the goal")


def _verdict(name: str, probability: float | None, flagged: bool, finding: str) -> str:
    if probability is None:
        return ""
    said = f"credibly {finding}" if flagged else "not credible"
    return f"; {name} {certainty(probability)}: {said}"


def quota_groups(report: FunnelReport) -> list[tuple[Group, PersonGoals]]:
    """The owners measured against a quota or listed in team."""
    return [
        (group, goals)
        for group in report.groups
        if (goals := group.goals) is not None and (goals.in_team or goals.quota is not None)
    ]


def rate_groups(report: FunnelReport) -> list[tuple[Group, WinRateGoal]]:
    """The owners whose win rate is compared with the goal."""
    return [
        (group, group.goals.win_rate)
        for group in report.groups
        if group.goals is not None and group.goals.win_rate is not None
    ]


def quota_title(report: FunnelReport) -> str:
    window = report.goals.window if report.goals else None
    span = f", {window.start} to {window.end}" if window else ""
    return f"By {report.by or 'owner'}: quota{span} ({report.currency})"


def rate_title(report: FunnelReport, goal: WinRateGoal) -> str:
    return f"By {report.by or 'owner'}: win rate against the goal of {percent(goal.goal)}"


def quota_cells(goals: PersonGoals) -> list[str]:
    """An owner's row after the key, under QUOTA_HEADERS (amounts without the currency)."""
    quota = goals.quota
    role = goals.role_title or goals.role or (MISSING if goals.in_team else NOT_IN_TEAM)
    if quota is None:
        return [role, *[MISSING] * (len(QUOTA_HEADERS) - 1)]
    mark = ROLE_MARK if quota.source == "role" else ""
    return [
        role,
        f"{quota.amount:,.0f}/{quota.per}{mark}",
        _amount(quota.prorated),
        _amount(quota.won),
        percent(quota.attainment),
        _probability(quota.probability_shortfall),
        SHORT if quota.shortfall else MISSING,
    ]


def rate_cells(goal: WinRateGoal) -> list[str]:
    """An owner's row after the key, under RATE_HEADERS."""
    return [
        interval(goal.win_rate, goal.win_rate_ci),
        _probability(goal.probability_below),
        BELOW if goal.below else MISSING,
    ]


def _amount(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.0f}"


def _probability(value: float | None) -> str:
    return MISSING if value is None else certainty(value)
