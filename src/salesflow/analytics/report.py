"""Assemble the `analyze` report: the whole funnel, and one per group with `--by`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from salesflow.analytics.estimates import COUNTS
from salesflow.analytics.funnel import (
    NO_AMOUNTS,
    OVERALL,
    Observed,
    Tally,
    build_funnel,
)
from salesflow.analytics.goal_data import GROUP_KEY
from salesflow.analytics.goals import judge_goals
from salesflow.analytics.measures import Measures, measure
from salesflow.analytics.stage_events import Stays
from salesflow.model.funnel import Funnel, FunnelReport, Group, PersonGoals
from salesflow.sources.canonical import DealTables, window_end
from salesflow.sources.rules import ignored_rows

MIN_CLOSED_TO_JUDGE = 30
UNDECIDED_NOTE = 0.05  # a share of a stage's deals whose fate the data cannot tell yet


@dataclass(frozen=True)
class Overall:
    """The funnel of all deals, with the stays it was estimated from and the end of the data."""

    funnel: Funnel
    stays: dict[int, Stays]
    end: datetime | None


def overall(tables: DealTables) -> Overall:
    return _overall(tables, measure(tables, [OVERALL]))


def _overall(tables: DealTables, measures: Measures) -> Overall:
    funnel = _funnels(tables, measures, 0).get("*") or Counted(_empty(tables), {})
    return Overall(funnel.funnel, funnel.stays, measures.end)


def analyze(tables: DealTables) -> FunnelReport:
    by = tables.group_column is not None
    measures = measure(tables, [OVERALL, GROUP_KEY] if by else [OVERALL])
    whole = _overall(tables, measures)
    funnel = whole.funnel
    counted = sorted(_funnels(tables, measures, 1).items()) if by else []
    options = tables.options
    as_of = last_day(whole.end, options.until)
    cycle = whole.stays.get(len(tables.process.stages))
    groups_funnels = {key: c.funnel for key, c in counted}
    goals = judge_goals(tables, funnel, groups_funnels, as_of, cycle.timed if cycle else None)
    groups = [
        Group(
            key=key,
            small=c.funnel.deals.won + c.funnel.deals.lost < MIN_CLOSED_TO_JUDGE,
            funnel=c.funnel,
            goals=goals.people.get(key),
        )
        for key, c in counted
    ]
    if goals.people:
        groups = _with_people_without_deals(tables, groups, goals.people)
    ignored = ignored_rows(tables)
    return FunnelReport(
        process=tables.process.name,
        currency=tables.process.currency,
        source=tables.deals.path,
        shape=tables.shape,
        since=options.since.isoformat() if options.since else None,
        until=options.until.isoformat() if options.until else None,
        as_of=as_of,
        funnel=funnel,
        by=options.by,
        groups=groups,
        notes=_notes(tables, funnel) + _ignored_note(ignored) + goals.notes,
        ignored_rows=ignored,
        goals=goals.team,
    )


def _with_people_without_deals(
    tables: DealTables, groups: list[Group], people: dict[str, PersonGoals]
) -> list[Group]:
    """With `--since`, an owner may have won in the window only deals created before it: a group
    of no deals, for their quota."""
    known = {group.key for group in groups}
    missing = [key for key in people if key not in known]
    if not missing:
        return groups
    empty = _empty(tables)
    added = [Group(key=key, small=True, funnel=empty, goals=people[key]) for key in missing]
    return sorted([*groups, *added], key=lambda group: group.key)


@dataclass(frozen=True)
class Counted:
    funnel: Funnel
    stays: dict[int, Stays]


def _funnels(tables: DealTables, measures: Measures, grouping: int) -> dict[str, Counted]:
    """The funnel of each group of one grouping, with its stays."""
    stays = measures.stays[grouping]
    money = measures.amounts[grouping]
    dated = frozenset(tables.dated_stages) if measures.end is not None else frozenset()
    return {
        key: Counted(
            build_funnel(
                tables.process,
                Observed(tally, money.get(key, NO_AMOUNTS), stays.get(key, {}), dated),
            ),
            stays.get(key, {}),
        )
        for key, tally in measures.tallies[grouping].items()
    }


def last_day(end: datetime | None, until: date | None) -> str | None:
    """The last day the data covers: the `--until` day when it cut the data short."""
    if end is None:
        return None
    return until.isoformat() if until and end == window_end(until) else end.date().isoformat()


def _empty(tables: DealTables) -> Funnel:
    return build_funnel(tables.process, Observed(Tally.empty(tables.stage_count), NO_AMOUNTS, {}))


def _notes(tables: DealTables, funnel: Funnel) -> list[str]:
    notes = list(tables.read_notes)
    left_out = _undated_left_out(tables)
    if left_out:
        notes.append(
            f"--since/--until left out {left_out:,} deal{'s' * (left_out != 1)} with no date"
        )
    if funnel.deals.total == 0:  # what the stages lack says nothing then
        return [*notes, _no_deals(tables)]
    notes += [] if tables.has_dates else [UNDATED]
    undated = [s.name for s in funnel.stages if s.conversion_method == COUNTS]
    if undated and tables.has_dates:
        notes.append(
            f"{_names(undated)}: no dates when deals entered, so conversion is advanced ÷ "
            f"(advanced + lost), {EQUAL_CLOCKS}; map data.stage_dates for them"
        )
    unknown = [s.name for s in funnel.stages if s.entered and s.conversion is None]
    if unknown:
        notes.append(f"{_names(unknown)}: no deal has advanced or been lost yet, no conversion")
    notes += [
        f"{s.name}: {s.undecided:.0%} of its deals are still open after the longest recorded "
        "decision; they count as not advancing, so the conversion may be low by up to that "
        "much (the interval allows for it)"
        for s in funnel.stages
        if s.undecided >= UNDECIDED_NOTE
    ]
    return notes


def _no_deals(tables: DealTables) -> str:
    options = tables.options
    window = [
        f"{flag} {day.isoformat()}"
        for flag, day in (("--since", options.since), ("--until", options.until))
        if day is not None
    ]
    where = f" in the window {', '.join(window)}" if window else ""
    return f"no deals to analyse{where}"


def _undated_left_out(tables: DealTables) -> int:
    """Deals the window left out only because they have no date at all (no first-seen date)."""
    if tables.options.since is None and tables.options.until is None:
        return 0
    rows = tables.engine.rows(
        "SELECT count(*) FROM first_rows WHERE first_seen IS NULL AND deal_id IS NOT NULL "
        "AND unmapped_label IS NULL AND position IS NOT NULL"
    )
    return int(rows[0][0]) if rows else 0


EQUAL_CLOCKS = "which assumes lost deals are closed as fast as deals advance"
UNDATED = (
    "no dates when deals entered stages: conversions are advanced ÷ (advanced + lost), "
    f"{EQUAL_CLOCKS}, and there are no days in stage; map data.stage_dates or pass --history"
)


def _ignored_note(ignored: int) -> list[str]:
    if not ignored:
        return []
    rows = f"{ignored:,} row" + ("" if ignored == 1 else "s")
    return [f"{rows} left out: their status or stage is in data.ignore"]


def _names(names: list[str]) -> str:
    return ", ".join(names)
