"""The canonical tables of deal data that lives in a database (`--deals postgresql://…`).

Nothing is copied: the canonical relations are CTEs over the table (or `--query`), and the
metrics' aggregates run on the server (sources.remote.session). Commands that need each deal
(forecast, backtest, onboard) fetch the canonical columns only, computed there (`fetch_deals`).
"""

from __future__ import annotations

import dataclasses
import re

import duckdb

from salesflow.errors import DataError, InputError
from salesflow.model import Process
from salesflow.sources.canonical import DealTables, group_column, seconds_names
from salesflow.sources.columns import (
    REQUIRED_DEAL_KEYS,
    ResolvedColumns,
    check_map_keys,
    closed_lost_column,
    resolve,
    wanted_deal_columns,
    wanted_history_columns,
    wanted_stage_dates,
)
from salesflow.sources.connection import quote_name, quote_text
from salesflow.sources.engine import Rows
from salesflow.sources.files import Source
from salesflow.sources.filters import wanted_filters
from salesflow.sources.options import DataOptions
from salesflow.sources.pipelines import (
    pipelines_sql,
    ranked,
    refuse_mixed_pipelines,
    unchosen_pipeline,
)
from salesflow.sources.preset_dates import preset_stage_dates
from salesflow.sources.presets import Preset, preset_named, with_preset_outcomes
from salesflow.sources.remote.combinations import pipeline_counts
from salesflow.sources.remote.currencies import read_currencies
from salesflow.sources.remote.drivers import connect
from salesflow.sources.remote.opened import opened
from salesflow.sources.remote.relations import (
    KEPT_COLUMNS,
    Layout,
    entry_columns,
    funnel_deals_sql,
    kept_deals_sql,
    label_scan,
)
from salesflow.sources.remote.session import Session
from salesflow.sources.remote.text_amounts import read_text_amounts
from salesflow.sources.remote.text_dates import read_text_dates
from salesflow.sources.remote.transpile import check_query, to_duckdb
from salesflow.sources.remote.unread import count_unreadable
from salesflow.sources.remote.urls import DatabaseUrl, is_database_url, parse_url
from salesflow.sources.remote.vocabulary import discover

PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FIELD_HISTORY = (
    "is for field-history exports (a row per changed field); select the stage rows with a view "
    "or --history-query instead"
)
CANONICAL_TYPES = {
    "deal_id": "VARCHAR",
    "group_key": "VARCHAR",
    "amount": "DOUBLE",
    "status": "VARCHAR",
    "position": "INTEGER",
    "unmapped_label": "VARCHAR",
    "unmapped_status": "VARCHAR",
}
FILES_ONLY = (
    ("sheet", "--sheet is for spreadsheets"),
    ("date_format", "--date-format is for text files; a database's dates are typed"),
    ("number_format", "--number-format is for text files; a database's amounts are typed"),
)


def build_remote(
    con: duckdb.DuckDBPyConnection, process: Process, options: DataOptions
) -> DealTables:
    url = parse_url(options.deals)
    _refuse_file_settings(url, process, options)
    check_map_keys(options.mapping, process)
    preset = preset_named(options.preset or process.data.preset)
    process = with_preset_outcomes(process, preset)
    session = Session(url, connect(url, options.timeout), options.timeout)
    opened(session.close)
    try:
        return _tables(con, process, options, preset, url, session)
    except BaseException:  # a refusal (or Ctrl-C) leaves no connection, transaction or lock open
        session.close()
        raise


def _tables(
    con: duckdb.DuckDBPyConnection,
    process: Process,
    options: DataOptions,
    preset: Preset | None,
    url: DatabaseUrl,
    session: Session,
) -> DealTables:
    data = process.data
    query = options.query or (None if options.table else data.query)
    relation = _relation(url, query, options.table or data.table or "deals", "--query")
    types = session.columns(relation)
    available = list(types)
    deals = Source(url.shown, url.scheme, relation, types)
    history = _history(session, url, process, options)
    columns = _columns(process, options, preset, deals, history)
    group = group_column(options.by, columns, available, url.shown)
    filters = wanted_filters(process, options, columns.deals, available, url.shown)
    layout = Layout(
        process,
        options,
        relation,
        columns.deals,
        columns.stage_dates,
        history.relation if history else None,
        columns.history,
        group,
        filters,
        text_columns=_text(deals),
        history_text=_text(history),
        closed_lost=columns.closed_lost if "closed" in columns.deals else None,
    )
    order = preset.date_order if preset else None
    layout = read_text_dates(session, con, layout, url.shown, order)  # before the label scan
    layout = read_text_amounts(session, con, layout, url.shown)
    vocabulary = discover(session, process, label_scan(layout), options)
    layout = dataclasses.replace(layout, vocabulary=vocabulary)
    if not vocabulary.sane():
        layout = _read_dates_as_a_file_does(layout)
    session.relayout(layout)
    _check_one_pipeline(session, layout, url.shown)
    currencies = read_currencies(session, layout)
    counted = count_unreadable(session, layout)
    if currencies is not None or counted != layout:
        session.relayout(dataclasses.replace(counted, currencies=currencies))
    _refuse_duplicates(session, None if query else relation, columns.deals["id"])
    return DealTables(con, process, options, deals, history, columns, group, filters, session)


def fetch_deals(tables: DealTables) -> DealTables:
    """The tables with the canonical deals fetched into the local DuckDB (computed on the
    server, canonical columns only), for the commands that need each deal: first_rows once,
    and funnel_deals over it locally, by the same SQL the server would run."""
    session = tables.remote
    if not isinstance(session, Session) or session.layout is None:
        return tables
    stages = tables.stage_count
    columns = list(KEPT_COLUMNS)
    columns += [*entry_columns(stages), *seconds_names(stages), "unmapped_label", "unmapped_status"]
    rows = session.rows(f"SELECT {', '.join(columns)} FROM first_rows ORDER BY deal_id")
    types = {**CANONICAL_TYPES, **dict.fromkeys(seconds_names(stages), "DOUBLE")}
    _store(
        tables.con,
        "first_rows",
        {column: types.get(column, "TIMESTAMP") for column in columns},
        rows,
    )
    tables.con.execute(f"CREATE TEMP VIEW kept_deals AS {kept_deals_sql(session.layout)}")
    tables.con.execute(f"CREATE TEMP VIEW funnel_deals AS {funnel_deals_sql(session.layout)}")
    ignored = session.rows("SELECT count(*) FROM deals_raw WHERE left_out = 'ignored'")
    tables.con.execute(
        "CREATE TEMP TABLE deals_raw AS SELECT 'ignored' AS left_out FROM range(?)",
        [int(ignored[0][0])],
    )
    return dataclasses.replace(tables, remote=None)


def _store(con: duckdb.DuckDBPyConnection, name: str, types: dict[str, str], rows: Rows) -> None:
    """CREATE TEMP TABLE `name` from the fetched rows, each column in its canonical type (a
    column of NULLs included)."""
    from salesflow.sources.columnar import load_typed  # numpy: not needed by `analyze`

    load_typed(con, name, types, rows)


def _check_one_pipeline(session: Session, layout: Layout, name: str) -> None:
    """Refuse the deals of several pipelines when none is chosen, as a file's (counted from the
    label combinations, else by a statement)."""
    column = unchosen_pipeline(layout.columns, layout.filters)
    if column is None:
        return
    counts = pipeline_counts(layout.vocabulary)
    rows = session.rows(pipelines_sql()) if counts is None else ranked(counts)
    refuse_mixed_pipelines(rows, column, name)


def _read_dates_as_a_file_does(layout: Layout) -> Layout:
    """The label scan saw a date no file would read (before 1900 or after 2200, such as a CRM's
    9999-12-31), or could not look: every date is then read through that check, such a date is
    no date (as in a file: sources.parse.sane_years), and the rows with one are counted for
    a warning (count_unreadable). The end of the data is then computed by a statement, not from
    the scan."""
    vocabulary = dataclasses.replace(layout.vocabulary, dated=False)
    return dataclasses.replace(layout, sane_dates=True, vocabulary=vocabulary)


def _columns(
    process: Process,
    options: DataOptions,
    preset: Preset | None,
    deals: Source,
    history: Source | None,
) -> ResolvedColumns:
    """The columns of each canonical field, by `data.columns`, `--map` and the preset's names,
    as for a file; a preset's field-history shape is refused (select the stage rows instead)."""
    available = list(deals.columns)
    found_dates = preset_stage_dates(preset, process, available, deals.path)
    wanted = wanted_deal_columns(process, options.mapping, available, preset)
    columns = ResolvedColumns(
        deals=resolve(wanted, available, deals.path, REQUIRED_DEAL_KEYS),
        stage_dates=resolve(
            wanted_stage_dates(process, options.mapping, found_dates), available, deals.path
        ),
        closed_lost=closed_lost_column(process, options.mapping, available, preset),
    )
    if history is None:
        return columns
    names = list(history.columns)
    wanted_history = wanted_history_columns(process, options.mapping, names, preset)
    needed = tuple(key for key, want in wanted_history.items() if want.asked_by is not None)
    resolved = resolve(wanted_history, names, history.path, needed)
    if "field" in resolved:
        raise InputError(f"{history.path}: {FIELD_HISTORY}")
    return dataclasses.replace(columns, history=resolved)


def _refuse_file_settings(url: DatabaseUrl, process: Process, options: DataOptions) -> None:
    for key, reason in FILES_ONLY:
        if getattr(options, key):
            raise InputError(f"{url.shown}: {reason}")
    data = process.data
    if data.join:
        raise InputError(f"{url.shown}: data.join is for files; join in --query instead")
    if data.history_columns.field:
        raise InputError(f"{url.shown}: data.history_columns.field {FIELD_HISTORY}")


def _relation(url: DatabaseUrl, query: str | None, table: str, flag: str) -> str:
    """The relation to read: the query (checked to be one SELECT, then in DuckDB's dialect for
    the CTEs), else the table, each part of a dotted name quoted."""
    if query is not None:
        check_query(query, url.target.dialect, f"{flag}")
        return f"({to_duckdb(query, url.target.dialect)})"
    return ".".join(_table_part(part) for part in table.split("."))


def _text(source: Source | None) -> frozenset[str]:
    if source is None:
        return frozenset()
    return frozenset(name for name, kind in source.columns.items() if kind == "text")


def _table_part(name: str) -> str:
    """A plain name stays unquoted, so each database applies its own case rule (Snowflake
    upper-cases, PostgreSQL lower-cases); any other is quoted exactly."""
    return name if PLAIN_NAME.fullmatch(name) else quote_name(name)


def _history(
    session: Session, url: DatabaseUrl, process: Process, options: DataOptions
) -> Source | None:
    if options.history is None:
        return None
    if not is_database_url(options.history) or parse_url(options.history).shown != url.shown:
        raise InputError(
            f"--history {options.history}: with --deals {url.shown}, the history must be a "
            "table of the same database (pass the same URL with --history-table)"
        )
    relation = _relation(url, options.history_query, options.history_table, "--history-query")
    types = session.columns(relation)
    return Source(f"{url.shown} ({options.history_table})", url.scheme, relation, types)


def _refuse_duplicates(session: Session, table: str | None, id_column: str) -> None:
    """Refuse deal ids on more than one row, unless the table's own unique index (a primary
    key, as every CRM sync makes) already rules them out."""
    if table is not None and _unique_in_postgres(session, table, id_column):
        return
    rows = session.rows(
        "SELECT count(*), min(deal_id) FROM (SELECT deal_id FROM deals_raw "
        "WHERE deal_id IS NOT NULL AND left_out IS NULL GROUP BY deal_id HAVING count(*) > 1) d"
    )
    repeated, first = (int(rows[0][0]), rows[0][1]) if rows else (0, None)
    if repeated:
        raise DataError(
            f"{session.url.shown}: {repeated:,} deal id{'s' * (repeated != 1)} on more than one "
            f'row (first: "{first}"); a database table must have one row per deal: choose them '
            "with --query"
        )


UNIQUE_INDEX = """
SELECT count(*) FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE i.indrelid = to_regclass('{table}') AND i.indisunique AND i.indnkeyatts = 1
AND i.indpred IS NULL AND a.attname = '{column}'
"""


def _unique_in_postgres(session: Session, table: str, column: str) -> bool:
    if session.url.target.dialect != "postgres":
        return False
    sql = UNIQUE_INDEX.format(table=quote_text(table), column=quote_text(column))
    rows = session.run_native(sql)
    return bool(rows and rows[0][0])
