"""A stage-history table (one row per stage entry, like Salesforce's OpportunityHistory) read
into `history_rows` and pivoted into `history_wide`: per deal, when it first entered each stage."""

from __future__ import annotations

import duckdb

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.sources import parse
from salesflow.sources.files import Source


def create_history_tables(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    columns: dict[str, str],
    date_format: str | None,
    process: Process,
) -> None:
    entered = parse.timestamp(columns["entered"], source.columns[columns["entered"]], date_format)
    offset = source.first_row - 1
    statements = [
        f"""
        CREATE TEMP TABLE history_rows AS
        WITH src AS (
            SELECT *, row_number() OVER () + {offset} AS _row FROM {source.relation}
        )
        SELECT
            src._row,
            {parse.text(columns["deal"])} AS deal_id,
            l.stage_index,
            l.outcome,
            CASE WHEN l.label IS NULL THEN {parse.text(columns["stage"])} END AS unmapped_label,
            {entered} AS entered_at,
            {parse.bad_text(columns["entered"], entered)} AS entered_at_bad
        FROM src LEFT JOIN labels l ON l.label = {parse.label(columns["stage"])}
        """,
        _pivot_sql(len(process.stages)),
    ]
    for sql in statements:
        try:
            con.execute(sql)
        except duckdb.Error as error:
            first = str(error).strip().splitlines()[0]
            raise DataError(f"{source.path}: cannot be read: {first}") from None


def _pivot_sql(stage_count: int) -> str:
    columns = ", ".join(
        f"min(entered_at) FILTER (WHERE stage_index = {k}) AS h{k}" for k in range(stage_count)
    )
    return f"""
    CREATE TEMP TABLE history_wide AS
    SELECT deal_id, {columns}
    FROM history_rows
    WHERE deal_id IS NOT NULL AND stage_index IS NOT NULL
    GROUP BY deal_id
    """
