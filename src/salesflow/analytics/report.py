"""Assemble the `analyze` report: the whole funnel, and one per group with `--by`."""

from __future__ import annotations

from datetime import date, datetime

from salesflow.analytics.estimates import COUNTS
from salesflow.analytics.funnel import (
    NO_AMOUNTS,
    OVERALL,
    Observed,
    Tally,
    amounts,
    build_funnel,
    tallies,
)
from salesflow.analytics.stage_events import Stays, export_date, stage_stays
from salesflow.model.funnel import Funnel, FunnelReport, Group
from salesflow.sources.canonical import DealTables, window_end

MIN_CLOSED_TO_JUDGE = 30
UNDECIDED_NOTE = 0.05  # a share of a stage's deals whose fate the data cannot tell yet
GROUP_KEY = "coalesce(group_key, '(none)')"


def analyze(tables: DealTables) -> FunnelReport:
    end = export_date(tables.con, tables.stage_count, window_end(tables.options.until))
    overall = _funnels(tables, OVERALL, end)
    funnel = overall.get("*") or _empty(tables)
    groups: list[Group] = []
    if tables.group_column is not None:
        groups = [
            Group(key=key, small=f.deals.won + f.deals.lost < MIN_CLOSED_TO_JUDGE, funnel=f)
            for key, f in sorted(_funnels(tables, GROUP_KEY, end).items())
        ]
    options = tables.options
    return FunnelReport(
        process=tables.process.name,
        currency=tables.process.currency,
        source=tables.deals.path,
        shape=tables.shape,
        since=options.since.isoformat() if options.since else None,
        until=options.until.isoformat() if options.until else None,
        as_of=_day(end, tables.options.until),
        funnel=funnel,
        by=options.by,
        groups=groups,
        notes=_notes(tables, funnel),
    )


def _funnels(tables: DealTables, group: str, end: datetime | None) -> dict[str, Funnel]:
    stages = tables.stage_count
    counted = tallies(tables.con, group, stages)
    money = amounts(tables.con, group)
    stays: dict[str, dict[int, Stays]] = {}
    if end is not None:
        stays = stage_stays(tables.con, group, stages, tables.dated_stages, end)
    return {
        key: build_funnel(
            tables.process,
            Observed(
                tally,
                money.get(key, NO_AMOUNTS),
                stays.get(key, {}),
                frozenset(tables.dated_stages) if end is not None else frozenset(),
            ),
        )
        for key, tally in counted.items()
    }


def _day(end: datetime | None, until: date | None) -> str | None:
    """The last day the data covers: the `--until` day when it cut the data short."""
    if end is None:
        return None
    return until.isoformat() if until and end == window_end(until) else end.date().isoformat()


def _empty(tables: DealTables) -> Funnel:
    return build_funnel(tables.process, Observed(Tally.empty(tables.stage_count), NO_AMOUNTS, {}))


def _notes(tables: DealTables, funnel: Funnel) -> list[str]:
    notes = [] if tables.has_dates else [UNDATED]
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


EQUAL_CLOCKS = "which assumes lost deals are closed as fast as deals advance"
UNDATED = (
    "no dates when deals entered stages: conversions are advanced ÷ (advanced + lost), "
    f"{EQUAL_CLOCKS}, and there are no days in stage; map data.stage_dates or pass --history"
)


def _names(names: list[str]) -> str:
    return ", ".join(names)
