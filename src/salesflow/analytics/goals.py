"""The process's goals and the team's quotas against the data (docs/analyze.md, "Goals and
quotas"): the whole team's in the overall funnel, each person's with `--by owner`.

Quotas are pro-rated over the window (`goal_data.goal_window`) and compared with the revenue won
in it; a shortfall, a win rate below its goal or a sales cycle above it is flagged only when it
is credible (`goal_stats`, `cycle_goal`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from salesflow.analytics.cycle_goal import NO_EVIDENCE, cycle_evidence
from salesflow.analytics.goal_data import (
    GROUP_KEY,
    NO_GROUP,
    Window,
    Won,
    goal_window,
    summed,
    won_by_all,
    won_in_window,
)
from salesflow.analytics.goal_stats import (
    credible,
    discoveries,
    dispersion,
    judged_shortfall,
    win_rate_evidence,
)
from salesflow.analytics.survival import EventTable
from salesflow.model import Goals, Member, Process, Quota
from salesflow.model.funnel import (
    CycleGoal,
    Funnel,
    GoalWindow,
    PersonGoals,
    RevenueGoal,
    TeamGoals,
    WinRateGoal,
)
from salesflow.model.labels import fold
from salesflow.sources.canonical import DealTables

DAYS_PER = {"month": 365.25 / 12, "quarter": 365.25 / 4, "year": 365.25}
LISTED_NAMES = 10


@dataclass(frozen=True)
class Judged:
    """The team's goals, each owner's (by group key) and the notes about them."""

    team: TeamGoals | None = None
    people: dict[str, PersonGoals] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Revenue:
    """The revenue won in the window: the team's, and each owner's by group key."""

    team: Won
    owners: dict[str, Won]


@dataclass(frozen=True)
class Measured:
    """What every revenue goal is judged with: the window, the revenue won in it (None without
    amounts or a window), and the dispersion D of the team's won amounts (goal_stats)."""

    window: Window | None
    revenue: Revenue | None
    spread: float | None


def prorated(quota: Quota, days: int) -> float:
    """The quota for `days` days: amount × days ÷ the days of its period."""
    return quota.amount * days / DAYS_PER[quota.per]


def by_owner(tables: DealTables) -> bool:
    """Whether `--by` is the owner column (`--by owner`, or the column data.columns.owner
    names)."""
    owner = tables.columns.deals.get("owner")
    return tables.group_column is not None and tables.group_column == owner


def judge_goals(
    tables: DealTables,
    funnel: Funnel,
    groups: dict[str, Funnel],
    as_of: str | None,
    cycle: EventTable | None,
) -> Judged:
    """Nothing, and no query, unless the process sets goals, quotas or a team. `cycle`: the
    sales cycle's timed stays, which the cycle goal is judged with."""
    process = tables.process
    if not process.has_goals():
        return Judged()
    window = goal_window(tables, date.fromisoformat(as_of) if as_of else None)
    per_owner = by_owner(tables)
    revenue = _revenue_won(tables, window, per_owner)
    measured = Measured(window, revenue, _team_spread(process, revenue))
    team = _team(process, funnel, measured, cycle)
    owners = _owners(groups, revenue) if per_owner else []
    judged = {key: _person(process, key, groups.get(key), measured) for key in owners}
    people, held_back = flagged_together(judged)
    notes = _measure_notes(process, measured, tables) + _name_notes(process, owners) + held_back
    return Judged(team, people, notes)


def flagged_together(people: dict[str, PersonGoals]) -> tuple[dict[str, PersonGoals], list[str]]:
    """The people's verdicts (short of quota, win rate below the goal) decided together
    (goal_stats.discoveries), and a note naming who reached 0.9 alone but is not flagged."""
    keys = list(people)
    quotas = [people[key].quota for key in keys]
    rates = [people[key].win_rate for key in keys]
    short_odds = [quota.probability_shortfall if quota else None for quota in quotas]
    below_odds = [rate.probability_below if rate else None for rate in rates]
    short, below = discoveries(short_odds), discoveries(below_odds)
    result = {
        key: people[key].model_copy(
            update={
                "quota": quota.model_copy(update={"shortfall": flag}) if quota else None,
                "win_rate": rate.model_copy(update={"below": low}) if rate else None,
            }
        )
        for key, quota, rate, flag, low in zip(keys, quotas, rates, short, below, strict=True)
    }
    notes = [
        _held_back(what, held)
        for what, held in (
            ("short of quota", _held(keys, short_odds, short)),
            ("below the win-rate goal", _held(keys, below_odds, below)),
        )
        if held
    ]
    return result, notes


def _held(keys: list[str], odds: list[float | None], flags: list[bool]) -> list[str]:
    """Who reaches 0.9 alone but is not flagged together with the others."""
    return [
        key
        for key, probability, flag in zip(keys, odds, flags, strict=True)
        if credible(probability) and not flag
    ]


def _held_back(what: str, names: list[str]) -> str:
    return (
        f"{_listed(names)} {'is' if len(names) == 1 else 'are'} not marked {what} although the "
        "probability reaches 0.9: with several people judged at once, a verdict needs more "
        "evidence, so that at most 1 in 10 of those marked is expected to be on target "
        '(docs/analyze.md, "Many people at once")'
    )


def _owners(groups: dict[str, Funnel], revenue: Revenue | None) -> list[str]:
    """The owners of the analysed deals and, with `--since`, those who won in the window only
    deals created before it (their revenue counts for the window)."""
    won = list(revenue.owners) if revenue else []
    return sorted(key for key in {*groups, *won} if key != NO_GROUP)


def _team(
    process: Process, funnel: Funnel, measured: Measured, cycle: EventTable | None
) -> TeamGoals:
    goals, window, revenue = process.goals, measured.window, measured.revenue
    shown = None
    if window is not None:
        shown = GoalWindow(
            start=window.start.isoformat(), end=window.end.isoformat(), days=window.days
        )
    return TeamGoals(
        window=shown,
        revenue=_revenue_goal(goals.revenue, "goals", measured, revenue.team if revenue else None),
        win_rate=_win_rate(goals.win_rate, funnel),
        cycle_days=_cycle_goal(goals, funnel, cycle),
    )


def _cycle_goal(goals: Goals, funnel: Funnel, cycle: EventTable | None) -> CycleGoal | None:
    if goals.cycle_days is None:
        return None
    goal = float(goals.cycle_days)
    median = funnel.median_cycle_days
    evidence = NO_EVIDENCE
    if cycle is not None and median is not None:
        evidence = cycle_evidence(cycle, goal)
    return CycleGoal(
        goal=goal,
        median_cycle_days=median,
        median_cycle_days_ci=evidence.interval,
        probability_above=evidence.probability_above,
        above=credible(evidence.probability_above),
    )


def _revenue_won(tables: DealTables, window: Window | None, per_owner: bool) -> Revenue | None:
    if window is None or "amount" not in tables.columns.deals:
        return None
    if not per_owner:
        return Revenue(won_by_all(tables, window), {})
    owners = won_in_window(tables, window, GROUP_KEY)
    return Revenue(summed(owners), owners)


def _team_spread(process: Process, revenue: Revenue | None) -> float | None:
    """D of the team's won amounts; the planned deal size (all deals that size) without any."""
    measured = dispersion(revenue.team.total, revenue.team.squares) if revenue else None
    return measured or process.assumptions.deal_size


def _person(process: Process, key: str, funnel: Funnel | None, measured: Measured) -> PersonGoals:
    member = _team_by_name(process).get(fold(key))
    quota, source = _quota_of(process, member)
    won = measured.revenue.owners.get(key, Won()) if measured.revenue else None
    return PersonGoals(
        in_team=member is not None,
        role=member.role if member else None,
        role_title=_role_title(process, member.role) if member else None,
        quota=_revenue_goal(quota, source, measured, won),
        win_rate=_win_rate(process.goals.win_rate, funnel),
    )


def _role_title(process: Process, role: str) -> str:
    return next((known.title for known in process.roles if known.id == role), role)


def _team_by_name(process: Process) -> dict[str, Member]:
    """Members by folded name: owners are matched as stage labels are (model.labels.fold)."""
    members: dict[str, Member] = {}
    for member in process.team:
        members.setdefault(fold(member.name), member)
    return members


def _quota_of(process: Process, member: Member | None) -> tuple[Quota | None, str]:
    if member is None:
        return None, ""
    if member.quota is not None:
        return member.quota, "own"
    role = next((r for r in process.roles if r.id == member.role), None)
    return (role.quota, "role") if role else (None, "")


def _revenue_goal(
    quota: Quota | None, source: str, measured: Measured, won: Won | None
) -> RevenueGoal | None:
    if quota is None:
        return None
    window = measured.window
    target = prorated(quota, window.days) if window else None
    probability = None
    if target is not None and won is not None:
        probability = judged_shortfall(target, won.total, won.squares, measured.spread)
    return RevenueGoal(
        amount=quota.amount,
        per=quota.per,
        source=source,
        prorated=target,
        won=won.total if won else None,
        wins=won.wins if won else 0,
        attainment=won.total / target if won and target else None,
        probability_shortfall=probability,
        shortfall=credible(probability),
    )


def _win_rate(goal: float | None, funnel: Funnel | None) -> WinRateGoal | None:
    """None for a person without deals in the analysed data (who won only older deals)."""
    if goal is None:
        return None
    evidence = win_rate_evidence(funnel.stages) if funnel else None
    probability = evidence.probability_below(goal) if evidence else None
    return WinRateGoal(
        goal=goal,
        win_rate=funnel.win_rate if funnel else None,
        win_rate_ci=evidence.interval() if evidence else None,
        effective_deals=evidence.effective_deals if evidence else None,
        probability_below=probability,
        below=credible(probability),
    )


def _measure_notes(process: Process, measured: Measured, tables: DealTables) -> list[str]:
    quotas = (
        process.goals.revenue is not None
        or any(member.quota for member in process.team)
        or any(role.quota for role in process.roles)
    )
    if not quotas:
        return []
    if measured.window is None:
        return [
            "quotas and the revenue goal are not measured: the data has no dates to pro-rate "
            "them over"
        ]
    if "amount" not in tables.columns.deals:
        return ["quotas and the revenue goal are not measured: the data has no amounts"]
    if measured.spread is None:
        return [
            "no deal was won with an amount in the window: whether a quota is missed cannot be "
            "judged; set assumptions.deal_size to judge it by the planned deal size"
        ]
    return []


def _name_notes(process: Process, owners: list[str]) -> list[str]:
    """With `--by owner`: the people of `team` without deals (a warning, as a misspelt name
    looks the same), and the owners `team` does not list (once, as a list)."""
    if not owners or not process.team:
        return []
    found = {fold(owner) for owner in owners}
    listed = _team_by_name(process)
    absent = [member.name for member in process.team if fold(member.name) not in found]
    unlisted = [owner for owner in owners if fold(owner) not in listed]
    notes = []
    if absent:
        notes.append(
            f"{_people(len(absent))} in team {'has' if len(absent) == 1 else 'have'} no deals "
            f"in the data: {_listed(absent)}; check the names against the owner column"
        )
    if unlisted:
        notes.append(
            f"{_count(len(unlisted), 'owner')} in the data {'is' if len(unlisted) == 1 else 'are'} "
            f"not in team (no role or quota): {_listed(unlisted)}"
        )
    spellings: dict[str, list[str]] = {}
    for owner in owners:
        if fold(owner) in listed:
            spellings.setdefault(fold(owner), []).append(owner)
    doubled = [name for names in spellings.values() if len(names) > 1 for name in names]
    if doubled:
        notes.append(
            "the owner column spells one person of team several ways, each measured against "
            f"the whole quota: {_listed(doubled)}"
        )
    return notes


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED_NAMES])
    more = len(names) - LISTED_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count:,} people"


def _count(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
