"""A stage-history table (one row per stage entry, like Salesforce's OpportunityHistory) read
into `history_raw` (file order; the view `history_rows` adds `_row`) and pivoted into
`history_wide`: per deal, when it first entered each stage. A field-history table (a `field`
column) is read by sources.field_history."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.sources import parse
from salesflow.sources.field_history import field_history_sql, field_pivot_sql
from salesflow.sources.files import Source, explain
from salesflow.sources.labels import lookup, outcome_labels, stage_labels


def create_history_tables(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    columns: dict[str, str],
    date_formats: Mapping[str, tuple[str, ...]],
    process: Process,
) -> None:
    """`date_formats`: the formats the entry date is read by (sources.dates)."""
    layers = parse.DateLayers()
    entered_column = columns["entered"]
    text, read = layers.add(
        entered_column, source.columns[entered_column], date_formats[entered_column]
    )
    entered = parse.sane_years(read)
    entered_bad = f"CASE WHEN {entered} IS NULL THEN {text} END"
    relation = layers.wrap(source.relation)
    label = parse.label(columns["stage"])
    stages, outcomes = stage_labels(process), outcome_labels(process)
    statements = [
        f"""
        CREATE TEMP TABLE history_raw AS
        SELECT
            {parse.text(columns["deal"])} AS deal_id,
            {lookup(stages, label)} AS stage_index,
            CASE WHEN {label} IS NOT NULL AND {lookup(stages, label)} IS NULL
                AND {lookup(outcomes, label)} IS NULL THEN {parse.text(columns["stage"])} END
                AS unmapped_label,
            {entered} AS entered_at,
            {entered_bad} AS entered_at_bad
        FROM {relation}
        """,
        f"CREATE TEMP VIEW history_rows AS SELECT rowid + {source.first_row} AS _row, * "
        "FROM history_raw",
        _pivot_sql(len(process.stages)),
    ]
    if "field" in columns:
        statements[0] = field_history_sql(relation, columns, (entered, entered_bad), process)
        statements[2] = field_pivot_sql(len(process.stages))
    for sql in statements:
        try:
            con.execute(sql)
        except duckdb.Error as error:
            raise DataError(explain(error, source.path)) from None


def _pivot_sql(stage_count: int) -> str:
    columns = ", ".join(
        f"min(entered_at) FILTER (WHERE stage_index = {k}) AS h{k}" for k in range(stage_count)
    )
    return f"""
    CREATE TEMP TABLE history_wide AS
    SELECT deal_id, {columns}
    FROM history_raw
    WHERE deal_id IS NOT NULL AND stage_index IS NOT NULL
    GROUP BY deal_id
    """
