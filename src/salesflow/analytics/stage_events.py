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
from salesflow.sources.canonical import as_of_sql, last_date_sql
from salesflow.sources.engine import FENCE, Engine, Rows

ADVANCED, LOST, OPEN = 1, 2, 0
SECONDS_PER_DAY = 86400.0
EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Stays:
    """The stays of one stage (or the cycle) of one group: every stay, and the timed ones."""

    all: EventTable
    timed: EventTable


def export_date(engine: Engine, stages: int, until: datetime | None = None) -> datetime | None:
    """The end of the data: its latest date (a close only when the deal is closed, since an
    open deal's close date may be a planned one in the future), or `until` when earlier."""
    rows = engine.rows(f"SELECT {last_date_sql(stages)} FROM first_rows")
    return data_end(rows[0][0] if rows else None, until)


def data_end(latest: object, until: datetime | None) -> datetime | None:
    if not isinstance(latest, datetime):
        return None
    return min(latest, until) if until is not None else latest


def stage_stays(
    engine: Engine,
    group: str,
    stages: int,
    dated: set[int],
    end: datetime,
    deals: str = "funnel_deals",
) -> dict[str, dict[int, Stays]]:
    """For each group: the stays of each dated stage, and under key `stages` the sales cycle,
    of the `deals` (a relation with the canonical columns) as they stood at `end`."""
    rows = engine.rows(stays_sql(group, stages, dated, seconds(end), deals))
    return stays_of(stay_rows(rows, stages))


def stays_sql(group: str, stages: int, dated: set[int], at: str, deals: str) -> str:
    """A query of rows (group, key, count): how the stays in each dated stage, and the sales
    cycle, ended, counted (`stay_rows` unpacks the key).

    Each deal is paired with every dated stage it reached (a won deal is at the last stage) and
    with its cycle (slot -1, which every position reaches). Each pair's outcome, whole days and
    whether both ends are known are packed into one integer, and one plain GROUP BY counts the
    pairs: a database can split that count across its workers, and evaluates a stage's
    expressions only for the deals that reached it (PostgreSQL could not split grouping sets
    over every deal and stage: see docs/data-sources.md). The deals, their pairs and the keys are
    subqueries that carry the `FENCE` column, so that PostgreSQL computes a deal's columns once,
    not once per pair, and a pair's days once, not once per mention.

    `at` is SQL for the end of the data in seconds (a number, or NULL without dates)."""
    items = {k: _stage_item(k, stages, at) for k in sorted(dated)}
    cycle = _cycle_item(at)

    def pick(name: str) -> str:
        chosen = " ".join(f"WHEN {k} THEN {item[name]}" for k, item in items.items())
        return f"CASE slot {chosen} ELSE {cycle[name]} END" if chosen else cycle[name]

    # the deal's outcome as the cycle's event: won is advancing
    outcome = f"CASE status WHEN 'won' THEN {ADVANCED} WHEN 'lost' THEN {LOST} ELSE {OPEN} END"
    slot = f"CASE WHEN slot < 0 THEN {stages} + position ELSE slot END"
    days = f"(({pick('exit')}) - ({pick('start')})) / {SECONDS_PER_DAY}"
    timed = "CASE WHEN coalesce(known_ AND days_ >= 0, FALSE) THEN 1 ELSE 0 END"
    key = (
        f"((CAST(slot_ AS BIGINT) * 3 + event_) * 2 + {timed}) * {DAY_SLOTS} "
        "+ CAST(greatest(round(days_), 0) AS BIGINT)"
    )
    return f"""
        SELECT g, key, count(*) AS n
        FROM (
            SELECT g, {key} AS key, TRUE AS {FENCE}
            FROM (
                SELECT g, {slot} AS slot_, {pick("event")} AS event_, {days} AS days_,
                    {pick("known")} AS known_, TRUE AS {FENCE}
                FROM (SELECT *, {group} AS g, {outcome} AS outcome_, TRUE AS {FENCE} FROM {deals}) d
                JOIN {_reach(sorted(dated))}
                WHERE d.{FENCE}
            ) paired
            WHERE {FENCE}
        ) keyed
        WHERE {FENCE}
        GROUP BY g, key
        """


# Whole days of a stay take the key's lowest bits: 2**28 days (735,000 years) is more than any
# two timestamps of any target are apart (PostgreSQL's and DuckDB's span under 300,000 years).
DAY_SLOTS = 2**28


def _reach(dated: list[int]) -> str:
    """The slots a deal reached, with the join condition: each dated stage up to its position,
    and the cycle (-1). (Listing each position's slots for a join on equality was no faster
    in PostgreSQL, which then expected fewer pairs than deals and sorted them to count.)"""
    slots = ", ".join(f"({k})" for k in [-1, *dated])
    return f"(VALUES {slots}) AS reach(slot) ON reach.slot <= d.position"


def stay_rows(rows: Rows, stages: int) -> Rows:
    """The rows of `stays_sql` as (group, k, days, event, timed, position, count): k is the
    stage, or `stages` for the cycle, whose rows carry the deal's position (else None)."""
    return [(group, *_unpacked(int(key), stages), n) for group, key, n in rows]


def _unpacked(key: int, stages: int) -> tuple[int, float, int, bool, int | None]:
    rest, days = divmod(key, DAY_SLOTS)
    rest, timed = divmod(rest, 2)
    slot, event = divmod(rest, 3)
    k, position = (slot, None) if slot < stages else (stages, slot - stages)
    return k, float(days), event, bool(timed), position


def deals_as_of(cutoff: datetime, stages: int) -> str:
    """The analysed deals as they stood at `cutoff`, as a relation (sources.canonical.as_of_sql:
    a deal won or lost without a close date is closed from its last known date)."""
    return f"({as_of_sql('funnel_deals', cutoff, stages)})"


def seconds(moment: datetime | None) -> str:
    """A naive (UTC) moment as seconds since 1970, as the canonical seconds columns count."""
    if moment is None:
        return "CAST(NULL AS DOUBLE)"
    return f"{(moment - EPOCH).total_seconds():.6f}"


def _stage_item(k: int, stages: int, at: str) -> dict[str, str]:
    """A stay in stage k, of a deal that reached it (`outcome_`: 1 won, 2 lost, 0 open). Times
    are the canonical seconds columns (s0 …, s_first, s_closed: no date function runs per stage
    and deal)."""
    later = [f"s{j}" for j in range(k + 1, stages)]
    next_entry = f"coalesce({', '.join(later)})" if later else "NULL::DOUBLE"
    earlier = _greatest([f"s{j}" for j in range(k)])
    advanced = f"(outcome_ = {ADVANCED} OR position > {k})"
    # paired only with the stages it reached: at stage k a deal that did not advance is there
    event = (
        f"CASE WHEN {advanced} THEN {ADVANCED} WHEN outcome_ = {LOST} THEN {LOST} ELSE {OPEN} END"
    )
    exit_at = (
        f"CASE WHEN {advanced} THEN coalesce({next_entry}, "
        f"CASE WHEN outcome_ = {ADVANCED} THEN s_closed END) "
        f"WHEN outcome_ = {LOST} THEN s_closed ELSE {at} END"
    )
    # A deal still open in a stage it has no entry date for has waited at least since its last
    # known entry.
    start = (
        f"coalesce(s{k}, CASE WHEN outcome_ = {OPEN} AND position = {k} "
        f"THEN coalesce({earlier}, s_first) END)"
    )
    return {"event": event, "exit": exit_at, "start": start, "known": f"s{k} IS NOT NULL"}


def _greatest(columns: list[str]) -> str:
    if not columns:
        return "NULL::DOUBLE"
    return columns[0] if len(columns) == 1 else f"greatest({', '.join(columns)})"


def _cycle_item(at: str) -> dict[str, str]:
    exit_at = f"CASE WHEN outcome_ = {OPEN} THEN {at} ELSE s_closed END"
    return {"event": "outcome_", "exit": exit_at, "start": "s_first", "known": "TRUE"}


def stays_of(rows: Rows) -> dict[str, dict[int, Stays]]:
    """The stays of each group and stage, from `stay_rows`."""
    parts: dict[tuple[str, int], list[tuple[float, int, bool, float]]] = defaultdict(list)
    for group, stage, t, event, timed, _, n in rows:
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
