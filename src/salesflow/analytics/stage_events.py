"""How each stay in a stage ended, counted in DuckDB per group, stage, day and outcome: the only
numbers the survival estimates need (analytics/survival.py does the arithmetic on them).

A deal that reached stage k has one stay there, measured in whole days from its entry into the
stage (time origin) to the first of: entering a later stage or winning (it advanced), being lost
there, or the end of the data (still open there: censored). The sales cycle is the same count
from a deal's first-seen date to won, lost or the end of the data.

A stay is *timed* when both ends are known: the stage's entry date and the exit (or the end of
the data). Conversion uses every stay, an untimed decided one at day 0 (a skipped stage, or an
exit with no date, cannot wait on open deals); durations use only timed stays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from salesflow.analytics.survival import EventTable
from salesflow.sources.canonical import as_of_sql
from salesflow.sources.engine import Engine, Rows

ADVANCED, LOST, OPEN = 1, 2, 0
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Stays:
    """The stays of one stage (or the cycle) of one group: every stay, and the timed ones."""

    all: EventTable
    timed: EventTable


def export_date(engine: Engine, stages: int, until: datetime | None = None) -> datetime | None:
    """The end of the data: its latest date (a close only when the deal is closed, since an
    open deal's close date may be a planned one in the future), or `until` when earlier."""
    entries = ", ".join(f"e{k}" for k in range(stages))
    rows = engine.rows(
        "SELECT max(greatest(first_seen, CASE WHEN status <> 'open' THEN closed_at END, "
        f"{entries})) FROM first_rows"
    )
    value = rows[0][0] if rows else None
    if not isinstance(value, datetime):
        return None
    return min(value, until) if until is not None else value


def stage_stays(
    engine: Engine,
    group: str,
    stages: int,
    dated: set[int],
    end: datetime,
    deals: str = "funnel_deals",
) -> dict[str, dict[int, Stays]]:
    """For each group: the stays of each dated stage, and under key `stages` the sales cycle,
    of the `deals` (a relation with the canonical columns) as they stood at `end`.

    One scan, portable to every SQL dialect: each deal's row carries its stay in every stage
    (event_k, t_k, timed_k), and GROUPING SETS count them stage by stage; GROUPING() tells
    which stage a result row counts. (Pairing each deal with every stage number instead, by a
    cross join, made PostgreSQL evaluate the canonical columns once per pair.)"""
    at = _timestamp(end)
    items = {k: _stage_item(k, stages, at) for k in sorted(dated)}
    items[stages] = _cycle_item(stages, at)
    fields = ", ".join(
        f"{item[field]} AS {field}_{k}"
        for k, item in items.items()
        for field in ("event", "t", "timed")
    )
    columns = ", ".join(f"event_{k}, t_{k}, timed_{k}" for k in items)
    sets = ", ".join(f"(g, event_{k}, t_{k}, timed_{k})" for k in items)
    which = " ".join(f"WHEN GROUPING(event_{k}) = 0 THEN {k}" for k in items)

    def pick(field: str) -> str:
        cases = " ".join(f"WHEN {k} THEN {field}_{k}" for k in items)
        return f"CASE k {cases} END"

    rows = engine.rows(
        f"""
        SELECT g, k, {pick("t")}, {pick("event")} AS event, {pick("timed")}, n
        FROM (
            SELECT g, CASE {which} END AS k, {columns}, count(*) AS n
            FROM (SELECT {group} AS g, {fields} FROM {deals}) d
            GROUP BY GROUPING SETS ({sets})
        ) counted
        WHERE {pick("event")} IS NOT NULL
        """
    )
    return _tables(rows)


def deals_as_of(cutoff: datetime, stages: int) -> str:
    """The analysed deals as they stood at `cutoff`, as a relation (sources.canonical.as_of_sql:
    a deal won or lost without a close date is closed from its last known date)."""
    return f"({as_of_sql('funnel_deals', cutoff, stages)})"


def _timestamp(moment: datetime) -> str:
    return f"TIMESTAMP '{moment.isoformat(sep=' ')}'"


def _stage_item(k: int, stages: int, at: str) -> dict[str, str]:
    later = [f"e{j}" for j in range(k + 1, stages)]
    next_entry = f"coalesce({', '.join(later)})" if later else "NULL::TIMESTAMP"
    earlier = f"greatest({', '.join(f'e{j}' for j in range(k))})" if k else "NULL::TIMESTAMP"
    advanced = f"(status = 'won' OR position > {k})"
    event = (
        f"CASE WHEN {advanced} THEN {ADVANCED} WHEN position < {k} THEN NULL "
        f"WHEN status = 'lost' THEN {LOST} ELSE {OPEN} END"
    )
    exit_at = (
        f"CASE WHEN {advanced} THEN coalesce({next_entry}, "
        f"CASE WHEN status = 'won' THEN closed_at END) "
        f"WHEN status = 'lost' THEN closed_at ELSE {at} END"
    )
    # A deal still open in a stage it has no entry date for has waited at least since its last
    # known entry.
    start = (
        f"coalesce(e{k}, CASE WHEN status = 'open' AND position = {k} "
        f"THEN coalesce({earlier}, first_seen) END)"
    )
    return _item(str(k), event, start, exit_at, f"e{k} IS NOT NULL")


def _cycle_item(stages: int, at: str) -> dict[str, str]:
    event = f"CASE status WHEN 'won' THEN {ADVANCED} WHEN 'lost' THEN {LOST} ELSE {OPEN} END"
    exit_at = f"CASE WHEN status = 'open' THEN {at} ELSE closed_at END"
    return _item(str(stages), event, "first_seen", exit_at, "TRUE")


def _item(k: str, event: str, start: str, exit_at: str, known_start: str) -> dict[str, str]:
    """Each field names `days` once: a database may evaluate it once per mention."""
    days = f"(epoch({exit_at}) - epoch({start})) / {SECONDS_PER_DAY}"
    return {
        "event": event,
        "t": f"greatest(round({days}), 0)",
        "timed": f"coalesce({known_start} AND {days} >= 0, FALSE)",
    }


def _tables(rows: Rows) -> dict[str, dict[int, Stays]]:
    parts: dict[tuple[str, int], list[tuple[float, int, bool, float]]] = defaultdict(list)
    for group, stage, t, event, timed, n in rows:
        parts[(str(group), int(stage))].append((float(t), int(event), bool(timed), float(n)))
    result: dict[str, dict[int, Stays]] = defaultdict(dict)
    for (group, stage), part in parts.items():
        times, events, timed, counts = (np.asarray(column) for column in zip(*part, strict=True))
        result[group][stage] = _stays(
            times.astype(np.float64),
            events.astype(np.int64),
            timed.astype(bool),
            counts.astype(np.float64),
        )
    return dict(result)


def _stays(times: np.ndarray, events: np.ndarray, timed: np.ndarray, counts: np.ndarray) -> Stays:
    def table(keep: np.ndarray) -> EventTable:
        kept = counts * keep
        return EventTable.of(
            times, kept * (events == ADVANCED), kept * (events == LOST), kept * (events == OPEN)
        )

    return Stays(all=table(np.ones_like(timed)), timed=table(timed))
