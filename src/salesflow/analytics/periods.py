"""Each stage's deals split by the period in which they entered it: the periods between the days
the versions of the process took effect.

A deal counts for a stage in the period of the day it entered the stage (its entry date there;
the day it was first seen when the data has no entry date for it). All stages come from one
statement: one grouping per stage, whose group is the period of the deal's entry into that stage
(analytics.measures). Periods merge into windows in Python: their tallies add up and their stays
are pooled, so a window's conversion is estimated from its deals as one cohort."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from salesflow.analytics.estimates import Conversion, durations
from salesflow.analytics.funnel import Tally, stage_conversions
from salesflow.analytics.measures import Measures, measure
from salesflow.analytics.stage_events import Stays
from salesflow.analytics.survival import EventTable
from salesflow.sources.canonical import DealTables

NO_PERIOD = "-"


@dataclass(frozen=True)
class Observed:
    """One stage's deals in a period (or a window of periods): their tally, and their stays in
    the stage where the data dates it."""

    tally: Tally
    stays: Stays | None

    def conversion(self, stage: int) -> Conversion | None:
        stays = {stage: self.stays} if self.stays is not None else {}
        return stage_conversions(self.tally, stays)[stage]

    def median_days(self) -> float | None:
        return durations(self.stays).median if self.stays is not None else None


@dataclass(frozen=True)
class Periods:
    """Per stage, the deals of each period (index of the version in effect; -1 before the first
    version), and the end of the data."""

    stages: list[dict[int, Observed]]
    end: datetime | None

    def window(self, stage: int, first: int, stop: int) -> Observed | None:
        """The deals that entered `stage` in periods first … stop − 1, pooled."""
        found = [self.stages[stage][p] for p in range(first, stop) if p in self.stages[stage]]
        return pooled(found) if found else None


def periods(tables: DealTables, starts: list[date]) -> Periods:
    """`starts`: the day each version took effect, in order."""
    stages = tables.stage_count
    groupings = [period_sql(_entered(tables, k), starts) for k in range(stages)]
    # per stage, its own stays by version and the counts (from the cycle's keys): no other
    # stage's stays, no won amounts
    timed = [tables.dated_stages & {k} for k in range(stages)]
    measures = measure(tables, groupings, amounts=False, timed=timed)
    return Periods([_stage(measures, k) for k in range(stages)], measures.end)


def period_sql(entered: str, starts: list[date]) -> str:
    """The index of the version in effect when the deal entered (a day belongs to the version
    that took effect on it)."""
    cases = " ".join(
        f"WHEN {entered} < TIMESTAMP '{start.isoformat()} 00:00:00' THEN '{index - 1}'"
        for index, start in enumerate(starts)
    )
    return f"CASE WHEN {entered} IS NULL THEN '{NO_PERIOD}' {cases} ELSE '{len(starts) - 1}' END"


def _entered(tables: DealTables, stage: int) -> str:
    if stage in tables.dated_stages:
        return f"coalesce(e{stage}, first_seen)"
    return "first_seen"


def _stage(measures: Measures, stage: int) -> dict[int, Observed]:
    stays, tallies = measures.stays[stage], measures.tallies[stage]
    return {
        int(period): Observed(tally, stays.get(period, {}).get(stage))
        for period, tally in tallies.items()
        if period != NO_PERIOD
    }


def pooled(parts: list[Observed]) -> Observed:
    tallies = [part.tally for part in parts]
    stays = [part.stays for part in parts if part.stays is not None]
    tally = Tally(
        sum(t.won for t in tallies),
        _sums(t.lost_at for t in tallies),
        _sums(t.open_at for t in tallies),
    )
    if not stays:
        return Observed(tally, None)
    return Observed(
        tally,
        Stays(
            all=_pooled_table([s.all for s in stays]), timed=_pooled_table([s.timed for s in stays])
        ),
    )


def _sums(rows: Iterable[list[int]]) -> list[int]:
    return [sum(column) for column in zip(*rows, strict=True)]


def _pooled_table(tables: list[EventTable]) -> EventTable:
    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(table, name) for table in tables])

    return EventTable.of(joined("times"), joined("first"), joined("second"), joined("censored"))
