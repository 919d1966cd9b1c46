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
    return data_end(engine.latest(f"SELECT {last_date_sql(stages)} FROM first_rows"), until)


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

    Each deal yields one key per dated stage it reached (a won deal is at the last stage) and
    one for its cycle: an array chosen by its position, whose expressions are written for that
    position (a stage behind the deal was left by advancing), unnested. Each key packs the
    pair's stage, outcome, whole days and whether both ends are known, and one plain GROUP BY
    counts them: a database can split that count across its workers, and evaluates a stage's
    expressions only for the deals that reached it (PostgreSQL could not split grouping sets
    over every deal and stage, and computed a join of each deal to its stages slower than the
    array: see docs/data-sources.md). The deals are a subquery that carries the `FENCE`
    column, so that PostgreSQL computes a deal's columns once, not once per mention.

    `at` is SQL for the end of the data in seconds (a number, or NULL without dates)."""
    # the deal's outcome as the cycle's event: won is advancing
    outcome = f"CASE status WHEN 'won' THEN {ADVANCED} WHEN 'lost' THEN {LOST} ELSE {OPEN} END"
    arrays = " ".join(
        f"WHEN {position} THEN [{', '.join(_keys(position, stages, dated, at))}]"
        for position in range(stages)
    )
    columns = ", ".join([f"{group} AS g", f"{outcome} AS outcome_", *_exits(stages, dated)])
    # the key cast again: an element of Snowflake's FLATTEN is a VARIANT
    return f"""
        SELECT g, CAST(key AS BIGINT) AS key, count(*) AS n
        FROM (
            SELECT g, unnest(CASE position {arrays} END) AS key
            FROM (SELECT *, {columns}, TRUE AS {FENCE} FROM {deals}) d
            WHERE d.{FENCE}
        ) paired
        GROUP BY g, key
        """


def _exits(stages: int, dated: set[int]) -> list[str]:
    """For each dated stage k, `x{k}_`: when a deal that advanced from it left it (its next
    entry, else its close if won), computed once per deal."""
    won_close = "CASE WHEN status = 'won' THEN s_closed END"
    return [
        f"coalesce({', '.join([*(f's{j}' for j in range(k + 1, stages)), won_close])}) AS x{k}_"
        for k in sorted(dated)
    ]


# Whole days of a stay take the key's lowest bits: 2**28 days (735,000 years) is more than any
# two timestamps of any target are apart (PostgreSQL's and DuckDB's span under 300,000 years).
DAY_SLOTS = 2**28


def _keys(position: int, stages: int, dated: set[int], at: str) -> list[str]:
    """The packed keys of a deal at `position`: each dated stage up to it, then the cycle (slot
    `stages` + position)."""
    items = [(k, _stage_item(k, position, at)) for k in sorted(dated) if k <= position]
    items.append((stages + position, _cycle_item(at)))
    return [_key(slot, item) for slot, item in items]


def _key(slot: int, item: dict[str, str]) -> str:
    """((slot * 3 + event) * 2 + timed) * DAY_SLOTS + days, as a BIGINT (timed: both ends known
    and the exit not before the start)."""
    exit_at, start = item["exit"], item["start"]
    timed = (
        f"CASE WHEN coalesce(({item['known']}) AND {exit_at} >= {start}, FALSE) THEN 1 ELSE 0 END"
    )
    days = f"round(({exit_at} - {start}) / {SECONDS_PER_DAY})"
    return (
        f"CAST({slot * 3} + {item['event']} AS BIGINT) * {2 * DAY_SLOTS} + {timed} * {DAY_SLOTS}"
        f" + CAST(greatest({days}, 0) AS BIGINT)"
    )


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


def _stage_item(k: int, position: int, at: str) -> dict[str, str]:
    """The stay in stage k of a deal at `position` (k <= position; `outcome_`: 1 won, 2 lost,
    0 open). Times are the canonical seconds columns (s0 …, s_first, s_closed: no date function
    runs per stage and deal)."""
    known = f"s{k} IS NOT NULL"
    if position > k:  # it advanced from here
        return {"event": str(ADVANCED), "exit": f"x{k}_", "start": f"s{k}", "known": known}
    # Still here, or decided here. A deal still open in a stage it has no entry date for has
    # waited at least since its last known entry.
    exit_at = f"CASE outcome_ WHEN {ADVANCED} THEN x{k}_ WHEN {LOST} THEN s_closed ELSE {at} END"
    earlier = _greatest([f"s{j}" for j in range(k)])
    start = f"coalesce(s{k}, CASE WHEN outcome_ = {OPEN} THEN coalesce({earlier}, s_first) END)"
    return {"event": "outcome_", "exit": exit_at, "start": start, "known": known}


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
