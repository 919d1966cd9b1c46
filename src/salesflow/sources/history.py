"""A stage-history table (one row per stage entry, like Salesforce's OpportunityHistory) read
into `history_raw` (file order; the view `history_rows` adds `_row`) and pivoted into
`history_wide`: per deal, when it first entered each stage."""

from __future__ import annotations

import duckdb

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.sources import parse
from salesflow.sources.files import Source, explain
from salesflow.sources.labels import lookup, outcome_labels, stage_labels


def create_history_tables(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    columns: dict[str, str],
    date_format: str | None,
    process: Process,
) -> None:
    entered = parse.timestamp(columns["entered"], source.columns[columns["entered"]], date_format)
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
            {parse.bad_text(columns["entered"], entered)} AS entered_at_bad
        FROM {source.relation}
        """,
        f"CREATE TEMP VIEW history_rows AS SELECT rowid + {source.first_row} AS _row, * "
        "FROM history_raw",
        _pivot_sql(len(process.stages)),
    ]
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
