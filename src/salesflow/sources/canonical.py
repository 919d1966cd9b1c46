"""Build the canonical model (DESIGN section 4) inside DuckDB from any of the three shapes.

Tables created on the connection:

- `deals`: one row per data row, typed: `_row` (row number in the file), `deal_id`, `amount`,
  `created_at`, `closed_at`, `group_key`, the matched `label_stage`/`label_outcome`/
  `status_outcome`/`lost_stage`, `e0 … e{n-1}` (when the deal entered each stage, from the wide
  date columns and the history, whichever is earlier) and, for the messages, the raw text of any
  value that could not be read (`*_bad`) or label that matched nothing (`unmapped_label`).
- `canonical` (view): adds `status` (won / lost / open) and `position` (the furthest stage
  reached; for a lost deal the stage it was lost at).
- `funnel_deals` (view): the rows the metrics use.

Entry dates are kept as one column per stage rather than as rows: the time in each stage is then a
difference of two columns, with no window sort over the whole history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.sources import parse
from salesflow.sources.columns import (
    REQUIRED_DEAL_KEYS,
    ResolvedColumns,
    check_map_keys,
    resolve,
    wanted_deal_columns,
    wanted_history_columns,
    wanted_stage_dates,
)
from salesflow.sources.files import Source, open_source
from salesflow.sources.history import create_history_tables
from salesflow.sources.labels import create_label_table
from salesflow.sources.options import DataOptions

TYPED_DATE_KEYS = ("created", "closed")


@dataclass(frozen=True)
class DealTables:
    """What was built, for the metrics and the messages."""

    con: duckdb.DuckDBPyConnection
    process: Process
    options: DataOptions
    deals: Source
    history: Source | None
    columns: ResolvedColumns
    group_column: str | None

    @property
    def stage_count(self) -> int:
        return len(self.process.stages)

    @property
    def shape(self) -> str:
        parts = ["wide stage dates"] if self.columns.stage_dates else []
        if self.history is not None:
            parts.append("stage history")
        return " + ".join(parts) or "current stage only"

    @property
    def has_dates(self) -> bool:
        return bool(self.columns.stage_dates) or self.history is not None


def build(con: duckdb.DuckDBPyConnection, process: Process, options: DataOptions) -> DealTables:
    check_map_keys(options.mapping, process)
    create_label_table(con, process)
    deals = open_source(con, options.deals, options.table, "deals_db")
    history = _open_history(con, options)
    available = list(deals.columns)
    columns = ResolvedColumns(
        deals=resolve(
            wanted_deal_columns(process, options.mapping), available, deals.name, REQUIRED_DEAL_KEYS
        ),
        stage_dates=resolve(wanted_stage_dates(process, options.mapping), available, deals.name),
        history=_history_columns(history, process, options),
    )
    group_column = _group_column(options.by, columns, available, deals.name)
    if history is not None:
        create_history_tables(con, history, columns.history, options.date_format, process)
    tables = DealTables(con, process, options, deals, history, columns, group_column)
    _run(con, _deals_sql(tables), deals.path)
    _run(con, _canonical_sql(tables), deals.path)
    _run(con, _duplicates_sql(), deals.path)
    _run(con, _funnel_sql(tables), deals.path)
    return tables


def _history_columns(
    source: Source | None, process: Process, options: DataOptions
) -> dict[str, str]:
    if source is None:
        return {}
    wanted = wanted_history_columns(process, options.mapping)
    return resolve(wanted, list(source.columns), source.name, tuple(wanted))


def _open_history(con: duckdb.DuckDBPyConnection, options: DataOptions) -> Source | None:
    if options.history is None:
        return None
    return open_source(con, options.history, options.history_table, "history_db")


def _group_column(
    by: str | None, columns: ResolvedColumns, available: list[str], file: str
) -> str | None:
    if by is None:
        return None
    if by in columns.deals:
        return columns.deals[by]
    matches = [column for column in available if column.casefold() == by.casefold()]
    if not matches:
        raise DataError(
            f"--by {by}: {file} has no such column; its columns: {', '.join(available)}"
        )
    return matches[0]


def _run(con: duckdb.DuckDBPyConnection, sql: str, path: str) -> None:
    try:
        con.execute(sql)
    except duckdb.Error as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise DataError(f"{path}: cannot be read: {message}") from None


def _typed_columns(tables: DealTables) -> list[str]:
    """SELECT items of the `typed` step: every value parsed, with its raw text when bad."""
    columns = tables.columns.deals
    types = tables.deals.columns
    date_format = tables.options.date_format
    items = [
        "_row",
        f"{parse.text(columns['id'])} AS deal_id",
        f"{parse.text(columns['stage'])} AS stage_text",
        f"{parse.label(columns['stage'])} AS stage_label",
        _optional(columns, "status", parse.label, "status_label"),
        _optional(columns, "lost_stage", parse.label, "lost_label"),
        _optional(columns, "lost_stage", parse.text, "lost_text"),
        f"{parse.text(tables.group_column)} AS group_key"
        if tables.group_column
        else "NULL AS group_key",
    ]
    if "amount" in columns:
        typed = parse.amount(columns["amount"], types[columns["amount"]])
        items += [f"{typed} AS amount", f"{parse.bad_text(columns['amount'], typed)} AS amount_bad"]
    else:
        items += ["NULL::DOUBLE AS amount", "NULL::VARCHAR AS amount_bad"]
    for key, name in (("created", "created_at"), ("closed", "closed_at")):
        items += _date_items(columns.get(key), types, date_format, name)
    for index in range(tables.stage_count):
        items += _date_items(tables.columns.stage_dates.get(index), types, date_format, f"d{index}")
    return items


def _optional(columns: dict[str, str], key: str, parser: Callable[[str], str], name: str) -> str:
    if key not in columns:
        return f"NULL::VARCHAR AS {name}"
    return f"{parser(columns[key])} AS {name}"


def _date_items(
    column: str | None, types: dict[str, str], date_format: str | None, name: str
) -> list[str]:
    if column is None:
        return [f"NULL::TIMESTAMP AS {name}", f"NULL::VARCHAR AS {name}_bad"]
    typed = parse.timestamp(column, types[column], date_format)
    return [f"{typed} AS {name}", f"{parse.bad_text(column, typed)} AS {name}_bad"]


def _deals_sql(tables: DealTables) -> str:
    n = tables.stage_count
    offset = tables.deals.first_row - 1
    history_join = "LEFT JOIN history_wide h ON h.deal_id = t.deal_id" if tables.history else ""
    entries = ", ".join(
        f"least(t.d{k}, h.h{k}) AS e{k}" if tables.history else f"t.d{k} AS e{k}" for k in range(n)
    )
    bad_dates = ", ".join(f"t.d{k}_bad" for k in range(n))
    return f"""
    CREATE TEMP TABLE deals AS
    WITH src AS (
        SELECT *, row_number() OVER () + {offset} AS _row FROM {tables.deals.relation}
    ),
    typed AS (SELECT {", ".join(_typed_columns(tables))} FROM src)
    SELECT
        t._row, t.deal_id, t.amount, t.created_at, t.closed_at, t.group_key,
        sl.stage_index AS label_stage,
        sl.outcome AS label_outcome,
        st.outcome AS status_outcome,
        ll.stage_index AS lost_stage,
        CASE WHEN t.stage_label IS NOT NULL AND sl.label IS NULL THEN t.stage_text END
            AS unmapped_label,
        CASE WHEN t.lost_label IS NOT NULL AND ll.label IS NULL THEN t.lost_text END
            AS unmapped_lost,
        t.amount_bad, t.created_at_bad, t.closed_at_bad,
        {entries},
        {bad_dates}
    FROM typed t
    LEFT JOIN labels sl ON sl.label = t.stage_label
    LEFT JOIN (SELECT label, outcome FROM labels WHERE outcome IS NOT NULL) st
        ON st.label = t.status_label
    LEFT JOIN (SELECT label, stage_index FROM labels WHERE stage_index IS NOT NULL) ll
        ON ll.label = t.lost_label
    {history_join}
    """


def _canonical_sql(tables: DealTables) -> str:
    n = tables.stage_count
    furthest_dated = " ".join(f"WHEN e{k} IS NOT NULL THEN {k}" for k in reversed(range(n)))
    return f"""
    CREATE TEMP VIEW canonical AS
    SELECT *,
        CASE status
            WHEN 'won' THEN {n - 1}
            WHEN 'lost' THEN coalesce(lost_stage, furthest, 0)
            ELSE furthest
        END AS position,
        status = 'lost' AND lost_stage IS NULL AND furthest IS NULL AS lost_unplaced,
        coalesce(created_at, least({", ".join(f"e{k}" for k in range(n))})) AS first_seen
    FROM (
        SELECT *,
            coalesce(status_outcome, label_outcome, 'open') AS status,
            greatest(label_stage, CASE {furthest_dated} END) AS furthest
        FROM deals
    )
    """


def _duplicates_sql() -> str:
    """Rows that repeat an earlier row's deal id; the first row of each id is the one used."""
    return """
    CREATE TEMP TABLE duplicate_rows AS
    SELECT unnest(rows[2:]) AS _row, deal_id
    FROM (
        SELECT deal_id, list(_row ORDER BY _row) AS rows
        FROM deals WHERE deal_id IS NOT NULL
        GROUP BY deal_id HAVING count(*) > 1
    )
    """


def _funnel_sql(tables: DealTables) -> str:
    conditions = [
        "deal_id IS NOT NULL",
        "unmapped_label IS NULL",
        "position IS NOT NULL",
        "_row NOT IN (SELECT _row FROM duplicate_rows)",
    ]
    conditions += _window_conditions(tables.options.since, tables.options.until)
    return (
        f"CREATE TEMP VIEW funnel_deals AS SELECT * FROM canonical WHERE {' AND '.join(conditions)}"
    )


def _window_conditions(since: date | None, until: date | None) -> list[str]:
    conditions = []
    if since is not None:
        conditions.append(f"first_seen >= TIMESTAMP '{since.isoformat()}'")
    if until is not None:
        conditions.append(f"first_seen < TIMESTAMP '{(until + timedelta(days=1)).isoformat()}'")
    return conditions
