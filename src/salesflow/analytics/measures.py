"""Everything `analyze` counts, in one statement: the end of the data, the stays and the tally
of each stage (stage_events.stays_sql) and the won amounts (funnel.amounts_sql), for all deals
and for each `--by` group.

One statement rather than one per figure, because a database computes the canonical deals once
per statement (PostgreSQL materialises them when a statement reads them twice): the same work
then serves every figure. The end of the data comes in the statement too: every deal carries it
(funnel_deals.last_date), and the stays read their clock from it. The branches share one row
shape, tagged by `part`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salesflow.analytics.funnel import Amounts, Tally, amounts_of, amounts_sql, tallies_of
from salesflow.analytics.stage_events import Stays, data_end, stays_of, stays_sql
from salesflow.sources.canonical import DealTables, latest_sql, window_end
from salesflow.sources.engine import Rows

STAY_COLUMNS = ("g", "k", "t", "event", "timed", "at_", "n")
AMOUNT_COLUMNS = ("g", "n", "mean_", "median_", "spread_")
SHAPE = {  # every branch's columns, in order, with their types
    "part": "VARCHAR",
    "grouping_": "INTEGER",
    "g": "VARCHAR",
    "k": "INTEGER",
    "t": "DOUBLE",
    "event": "INTEGER",
    "timed": "BOOLEAN",
    "at_": "INTEGER",
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


def measure(tables: DealTables, groupings: list[str]) -> Measures:
    """The figures of each grouping (SQL giving each deal's group key)."""
    until = window_end(tables.options.until)
    # the end of the data is a column of every deal (funnel_deals.last_date): a subquery or a
    # joined one-row relation was evaluated again per mention, or per deal, by PostgreSQL
    latest = f"(SELECT {latest_sql(tables.stage_count)} AS last_)"
    branches = [_branch("end", 0, latest, ("last_",))]
    for index, group in enumerate(groupings):
        clock = f"epoch({_capped('last_date', until)})"
        deals = f"(SELECT *, {clock} AS at_s FROM funnel_deals) clocked"
        stays = stays_sql(group, tables.stage_count, tables.dated_stages, "at_s", deals)
        branches.append(_branch("stay", index, f"({stays})", STAY_COLUMNS))
        branches.append(_branch("amount", index, f"({amounts_sql(group)})", AMOUNT_COLUMNS))
    rows = tables.engine.rows(" UNION ALL ".join(branches))
    return _measures(rows, len(groupings), tables.stage_count, until)


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


def _measures(rows: Rows, groupings: int, stages: int, until: datetime | None) -> Measures:
    names = list(SHAPE)
    end: datetime | None = None
    stays: list[Rows] = [[] for _ in range(groupings)]
    amounts: list[Rows] = [[] for _ in range(groupings)]
    for row in rows:
        value: dict[str, Any] = dict(zip(names, row, strict=True))
        part, grouping = value["part"], int(value["grouping_"])
        if part == "end":
            end = data_end(value["last_"], until)
        elif part == "stay":
            stays[grouping].append(tuple(value[n] for n in STAY_COLUMNS))
        else:
            amounts[grouping].append(tuple(value[n] for n in AMOUNT_COLUMNS))
    return Measures(
        end,
        [stays_of(part) if end is not None else {} for part in stays],
        [tallies_of(part, stages) for part in stays],
        [amounts_of(part) for part in amounts],
    )
