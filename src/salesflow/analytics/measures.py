"""Everything `analyze` counts: the end of the data, then for all deals and for each `--by`
group the stays and the tally of each stage (stage_events.stays_sql) and the won amounts
(funnel.amounts_sql).

The engine says which way is cheaper (`Engine.one_pass`). In a database without a stage
history, one statement per figure, each reading the canonical deals once (`kept_deals`): the
database then folds the canonical relations into the statement and can split it across its
workers, where a statement reading them twice makes PostgreSQL compute and store them apart,
then count on one core. The end of the data comes first (`Engine.latest`: a database
without a stage history knows it from its label scan): the stays count open deals up to it, as
a number.

Otherwise one statement: locally the canonical deals are a table already and DuckDB runs each
statement on every core, so one pass serves every figure (one statement per figure measured 8%
slower on 1M deals, the median of five paired runs); in a database with a stage history, each
statement would aggregate the history per deal again, which costs more than splitting gains.
Every deal then carries the end of the data (funnel_deals.last_date), the stays read their clock
from it, and the branches share one row shape, tagged by `part`.

With `--by` (all deals, then one grouping), the stays of all deals are not counted again: every
deal is in exactly one group, so they are the groups' stays summed key by key. The won amounts
are (their median needs every amount)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import zip_longest
from typing import Any

from salesflow.analytics.funnel import (
    OVERALL,
    Amounts,
    Tally,
    amounts_of,
    amounts_sql,
    tallies_of,
)
from salesflow.analytics.stage_events import (
    Stays,
    data_end,
    export_date,
    seconds,
    stay_rows,
    stays_of,
    stays_sql,
)
from salesflow.sources.canonical import DealTables, latest_sql, window_end
from salesflow.sources.engine import Rows

KEPT = "kept_deals"
STAY_COLUMNS = ("g", "key", "n")
AMOUNT_COLUMNS = ("g", "n", "mean_", "median_", "spread_")
SHAPE = {  # every branch's columns, in order, with their types
    "part": "VARCHAR",
    "grouping_": "INTEGER",
    "g": "VARCHAR",
    "key": "BIGINT",
    "n": "BIGINT",
    "mean_": "DOUBLE",
    "median_": "DOUBLE",
    "spread_": "DOUBLE",
    "last_": "TIMESTAMP",
}


@dataclass(frozen=True)
class Measures:
    """Per grouping (its index in the list given): the stays, tallies and amounts by group."""

    end: datetime | None
    stays: list[dict[str, dict[int, Stays]]]
    tallies: list[dict[str, Tally]]
    amounts: list[dict[str, Amounts]]


def measure(
    tables: DealTables,
    groupings: list[str],
    amounts: bool = True,
    timed: list[set[int]] | None = None,
) -> Measures:
    """The figures of each grouping (SQL giving each deal's group key); without `amounts`, no
    won amounts (none for any group) and no statement for them. `timed`: for each grouping, the
    dated stages whose stays are counted (default: all of them; the cycle's always are)."""
    plan = Plan(groupings, amounts, timed or [tables.dated_stages] * len(groupings))
    run = _together if tables.engine.one_pass else _apart
    end, stays, won = run(tables, plan)
    if plan.summed:
        stays[0] = _summed(stays[1])
    return _measures(end, stays, won, tables.stage_count)


@dataclass(frozen=True)
class Plan:
    """What to count: each grouping's stays (but the first's when they are the others' summed)
    and, with `amounts`, its won amounts."""

    groupings: list[str]
    amounts: bool
    timed: list[set[int]]

    @property
    def summed(self) -> bool:
        """All deals, then one grouping: the stays of all deals are the groups' summed."""
        return len(self.groupings) == 2 and self.groupings[0] == OVERALL

    def counted(self) -> list[int]:
        """The groupings whose stays are counted."""
        return list(range(1 if self.summed else 0, len(self.groupings)))


Counted = tuple[datetime | None, list[Rows], list[Rows]]  # the end, stays and amounts by grouping


def _apart(tables: DealTables, plan: Plan) -> Counted:
    """One statement per figure (see the module's docstring), each stays statement run beside
    an amounts statement (Engine.rows_each)."""
    engine, stages, groupings = tables.engine, tables.stage_count, plan.groupings
    end = export_date(engine, stages, window_end(tables.options.until))
    at = seconds(end)
    stays: list[Rows] = [[] for _ in groupings]
    won: list[Rows] = [[] for _ in groupings]
    stay_jobs = [
        (stays, i, stays_sql(groupings[i], stages, plan.timed[i], at, KEPT)) for i in plan.counted()
    ]
    amount_jobs = [(won, i, amounts_sql(g, KEPT)) for i, g in enumerate(groupings)]
    for pair in zip_longest(stay_jobs, amount_jobs if plan.amounts else []):
        jobs = [job for job in pair if job is not None]
        results = engine.rows_each([sql for _, _, sql in jobs])
        for (target, index, _), rows in zip(jobs, results, strict=True):
            target[index] = rows
    return end, stays, won


def _summed(group_stays: Rows) -> Rows:
    """The stays of all deals from those of the groups: each key's count summed."""
    counts: Counter[int] = Counter()
    for _, key, n in group_stays:
        counts[int(key)] += int(n)
    return [("*", key, n) for key, n in sorted(counts.items())]


def _together(tables: DealTables, plan: Plan) -> Counted:
    """Every figure in one statement (see the module's docstring)."""
    until = window_end(tables.options.until)
    latest = f"(SELECT {latest_sql(tables.stage_count)} AS last_)"
    branches = [_branch("end", 0, latest, ("last_",))]
    clock = f"epoch({_capped('last_date', until)})"
    deals = f"(SELECT *, {clock} AS at_s FROM funnel_deals) clocked"
    counted = plan.counted()
    for index, group in enumerate(plan.groupings):
        if index in counted:
            stays = stays_sql(group, tables.stage_count, plan.timed[index], "at_s", deals)
            branches.append(_branch("stay", index, f"({stays})", STAY_COLUMNS))
        if plan.amounts:
            branches.append(_branch("amount", index, f"({amounts_sql(group)})", AMOUNT_COLUMNS))
    rows = tables.engine.rows(" UNION ALL ".join(branches))
    return _parts(rows, len(plan.groupings), until)


def _parts(
    rows: Rows, groupings: int, until: datetime | None
) -> tuple[datetime | None, list[Rows], list[Rows]]:
    """The end of the data, then each grouping's stay rows and amount rows, from the branches
    of one statement (tagged by `part` and `grouping_`)."""
    stays: list[Rows] = [[] for _ in range(groupings)]
    amounts: list[Rows] = [[] for _ in range(groupings)]
    end: datetime | None = None
    for row in rows:
        value: dict[str, Any] = dict(zip(SHAPE, row, strict=True))
        part, index = value["part"], int(value["grouping_"])
        if part == "end":
            end = data_end(value["last_"], until)
        elif part == "stay":
            stays[index].append(tuple(value[n] for n in STAY_COLUMNS))
        else:
            amounts[index].append(tuple(value[n] for n in AMOUNT_COLUMNS))
    return end, stays, amounts


def _capped(column: str, until: datetime | None) -> str:
    if until is None:
        return column
    return f"least({column}, TIMESTAMP '{until.isoformat(sep=' ')}')"


def _branch(part: str, grouping: int, relation: str, columns: tuple[str, ...]) -> str:
    items = [f"'{part}' AS part", f"{grouping} AS grouping_"]
    items += [
        f"CAST({name if name in columns else 'NULL'} AS {kind}) AS {name}"
        for name, kind in SHAPE.items()
        if name not in ("part", "grouping_")
    ]
    return f"SELECT {', '.join(items)} FROM {relation} {part}_{grouping}"


def _measures(
    end: datetime | None, stays: list[Rows], amounts: list[Rows], stages: int
) -> Measures:
    unpacked = [stay_rows(rows, stages) for rows in stays]
    return Measures(
        end,
        [stays_of(rows) if end is not None else {} for rows in unpacked],
        [tallies_of(rows, stages) for rows in unpacked],
        [amounts_of(rows) for rows in amounts],
    )
