"""Everything `analyze` counts: the end of the data, then for all deals and for each `--by`
group the stays and the tally of each stage (stage_events.stays_sql) and the won amounts
(funnel.amounts_sql).

One statement per figure, each reading the canonical deals once (`kept_deals`): a database then
folds the canonical relations into the statement and can split it across its workers, where a
statement reading them twice makes PostgreSQL compute and store them apart, on one core. The
end of the data comes first: the stays count open deals up to it, as a number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from salesflow.analytics.funnel import Amounts, Tally, amounts_of, amounts_sql, tallies_of
from salesflow.analytics.stage_events import (
    Stays,
    export_date,
    seconds,
    stay_rows,
    stays_of,
    stays_sql,
)
from salesflow.sources.canonical import DealTables, window_end


@dataclass(frozen=True)
class Measures:
    """Per grouping (its index in the list given): the stays, tallies and amounts by group."""

    end: datetime | None
    stays: list[dict[str, dict[int, Stays]]]
    tallies: list[dict[str, Tally]]
    amounts: list[dict[str, Amounts]]


def measure(tables: DealTables, groupings: list[str]) -> Measures:
    """The figures of each grouping (SQL giving each deal's group key)."""
    engine, stages = tables.engine, tables.stage_count
    end = export_date(engine, stages, window_end(tables.options.until))
    at = seconds(end)
    stays, tallies, amounts = [], [], []
    for group in groupings:
        counted = engine.rows(stays_sql(group, stages, tables.dated_stages, at, KEPT))
        rows = stay_rows(counted, stages)
        stays.append(stays_of(rows) if end is not None else {})
        tallies.append(tallies_of(rows, stages))
        amounts.append(amounts_of(engine.rows(amounts_sql(group, KEPT))))
    return Measures(end, stays, tallies, amounts)


KEPT = "kept_deals"
