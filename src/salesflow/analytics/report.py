"""Assemble the `analyze` report: the whole funnel, and one per group with `--by`."""

from __future__ import annotations

from salesflow.analytics.funnel import (
    NO_AMOUNTS,
    OVERALL,
    Stay,
    Tally,
    amounts,
    build_funnel,
    stays,
    tallies,
)
from salesflow.model.funnel import Funnel, FunnelReport, Group
from salesflow.sources.canonical import DealTables

MIN_CLOSED_TO_JUDGE = 30
GROUP_KEY = "coalesce(group_key, '(none)')"


def analyze(tables: DealTables) -> FunnelReport:
    overall = _funnels(tables, OVERALL)
    funnel = overall.get("*") or _empty(tables)
    groups: list[Group] = []
    if tables.group_column is not None:
        groups = [
            Group(key=key, small=f.deals.won + f.deals.lost < MIN_CLOSED_TO_JUDGE, funnel=f)
            for key, f in sorted(_funnels(tables, GROUP_KEY).items())
        ]
    options = tables.options
    return FunnelReport(
        process=tables.process.name,
        currency=tables.process.currency,
        source=tables.deals.path,
        shape=tables.shape,
        since=options.since.isoformat() if options.since else None,
        until=options.until.isoformat() if options.until else None,
        funnel=funnel,
        by=options.by,
        groups=groups,
        notes=_notes(tables),
    )


def _funnels(tables: DealTables, group: str) -> dict[str, Funnel]:
    stages = tables.stage_count
    counted = tallies(tables.con, group, stages)
    money = amounts(tables.con, group)
    durations: dict[str, list[Stay]] = stays(tables.con, group, stages) if tables.has_dates else {}
    return {
        key: build_funnel(tables.process, tally, money.get(key, NO_AMOUNTS), durations.get(key))
        for key, tally in counted.items()
    }


def _empty(tables: DealTables) -> Funnel:
    return build_funnel(tables.process, Tally.empty(tables.stage_count), NO_AMOUNTS, None)


def _notes(tables: DealTables) -> list[str]:
    if tables.has_dates:
        return []
    return [
        "days in stage need the dates deals entered stages: map data.stage_dates or pass --history"
    ]
