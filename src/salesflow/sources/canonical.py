"""Build the canonical model (docs/data-sources.md) inside DuckDB from any of the three shapes.

Relations created on the connection:

- `deals_raw` (table): one row per data row, in file order, typed: `deal_id`, `amount`,
  `created_at`, `closed_at`, `group_key`, the matched `label_stage`/`label_outcome`/
  `status_outcome`/`lost_stage`, `d0 … d{n-1}` (wide stage dates) and, for the messages, the raw
  text of any value that could not be read (`*_bad`) or label that matched nothing
  (`unmapped_label`, `unmapped_lost`).
- `deals`: adds `_row` (the row number in the file) and `e0 … e{n-1}`, when the deal entered each
  stage (from the wide dates and the history, whichever is earlier).
- `canonical` (view): adds `status` (won / lost / open) and `position` (the furthest stage
  reached; for a lost deal the stage it was lost at).
- `duplicate_rows`: rows that repeat an earlier row's deal id; `first_rows` (view): the others.
- `kept_deals` (view): the rows the metrics use; `funnel_deals` (view): the same, each with the
  end of the data (`last_date`).

Row numbers come from `rowid`: a table created from a plain scan keeps the file's order, so no
window over the whole file is needed (it doubled the load time). Entry dates stay one column per
stage rather than rows: the time in each stage is a difference of two columns, with no sort.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import duckdb

from salesflow.errors import DataError, InputError
from salesflow.model import Process
from salesflow.sources import dates, parse
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
from salesflow.sources.engine import Engine, LocalEngine
from salesflow.sources.files import Source, explain, open_source
from salesflow.sources.filters import Filters, bind, check_kept, wanted_filters
from salesflow.sources.history import create_history_tables
from salesflow.sources.joins import join_files
from salesflow.sources.labels import lookup, outcome_labels, stage_labels
from salesflow.sources.options import DataOptions
from salesflow.sources.pipelines import (
    PIPELINE_KEY,
    pipelines_sql,
    refuse_mixed_pipelines,
    unchosen_pipeline,
)
from salesflow.sources.preset_dates import preset_stage_dates
from salesflow.sources.presets import Preset, preset_named, with_preset_outcomes
from salesflow.sources.remote.urls import is_database_url
from salesflow.sources.rules import amount_item, has_left_out, rule_columns, rule_inputs

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
    filters: Filters = field(default_factory=dict)
    remote: Engine | None = None  # the database the aggregates run in (sources.remote)

    @property
    def engine(self) -> Engine:
        """Where the aggregate queries over `first_rows` and `funnel_deals` run."""
        return self.remote or LocalEngine(self.con)

    @property
    def read_notes(self) -> list[str]:
        """How the files were read, where the user should know (an encoding guessed, a footer
        left out)."""
        sources = [self.deals, *([self.history] if self.history else [])]
        return [note for source in sources for note in source.notes]

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

    @property
    def rows_read(self) -> int | None:
        """How many data rows were read (a file's), for the progress; None for a database,
        where counting would be another scan."""
        if self.remote is not None:
            return None
        found = self.con.execute("SELECT count(*) FROM deals_raw").fetchone()
        return int(found[0]) if found else None

    @property
    def dated_stages(self) -> set[int]:
        """The stages whose entry dates the data can give (a date column, or the history)."""
        if self.history is not None:
            return set(range(self.stage_count))
        return set(self.columns.stage_dates)


def build(con: duckdb.DuckDBPyConnection, process: Process, options: DataOptions) -> DealTables:
    if is_database_url(options.deals):
        from salesflow.sources.remote.build import build_remote

        return build_remote(con, process, options)
    if options.query is not None:
        raise InputError(
            f"--query reads a database, but --deals {options.deals} is a file: give a database "
            "URL (postgresql://…), or --table for a DuckDB or SQLite file"
        )
    check_map_keys(options.mapping, process)
    deals = open_source(
        con,
        options.deals,
        options.table or process.data.table or "deals",
        "deals_db",
        sheet=options.sheet,
        encoding=process.data.encoding,
    )
    history = _open_history(con, options, process.data.encoding)
    deals = join_files(con, deals, process, options)
    available = list(deals.columns)
    preset = preset_named(options.preset or process.data.preset)
    process = with_preset_outcomes(process, preset)
    wanted = wanted_deal_columns(process, options.mapping, available, preset)
    found_dates = preset_stage_dates(preset, process, available, deals.name)
    columns = ResolvedColumns(
        deals=resolve(wanted, available, deals.name, REQUIRED_DEAL_KEYS),
        stage_dates=resolve(
            wanted_stage_dates(process, options.mapping, found_dates), available, deals.name
        ),
        history=_history_columns(history, process, options, preset),
        closed_lost=closed_lost_column(process, options.mapping, available, preset),
    )
    grouped_by = group_column(options.by, columns, available, deals.name)
    filters = wanted_filters(process, options, columns.deals, available, deals.name)
    bind(con, filters)
    tables = DealTables(con, process, options, deals, history, columns, grouped_by, filters)
    deal_formats, history_formats = _date_formats(tables)
    if history is not None:
        create_history_tables(con, history, columns.history, history_formats, process)
    _run(con, _deals_raw_sql(tables, deal_formats), deals.path)
    check_kept(con, filters, deals.relation, deals.name)
    _check_one_pipeline(tables)
    for sql in (_deals_sql(tables), _canonical_sql(tables)):
        _run(con, sql, deals.path)
    _run(con, _duplicates_sql(_has_duplicates(con)), deals.path)
    _run(con, _funnel_sql(tables), deals.path)
    return tables


def _check_one_pipeline(tables: DealTables) -> None:
    """Refuse the deals of several pipelines when none is chosen (sources.pipelines)."""
    column = _pipeline_column(tables)
    if column is not None:
        rows = tables.con.execute(pipelines_sql(has_left_out(tables))).fetchall()
        refuse_mixed_pipelines(rows, column, tables.deals.name)


def _pipeline_column(tables: DealTables) -> str | None:
    return unchosen_pipeline(tables.columns.deals, tables.filters)


def _history_columns(
    source: Source | None, process: Process, options: DataOptions, preset: Preset | None
) -> dict[str, str]:
    if source is None:
        return {}
    available = list(source.columns)
    wanted = wanted_history_columns(process, options.mapping, available, preset)
    required = tuple(key for key, want in wanted.items() if want.asked_by is not None)
    return resolve(wanted, available, source.name, required)


def _open_history(
    con: duckdb.DuckDBPyConnection, options: DataOptions, encoding: str | None
) -> Source | None:
    if options.history is None:
        return None
    return open_source(con, options.history, options.history_table, "history_db", encoding=encoding)


def group_column(
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
        raise DataError(explain(error, path)) from None


def _typed_columns(
    tables: DealTables, layers: parse.DateLayers, date_format: dates.Formats
) -> list[str]:
    """SELECT items of the `typed` step: every value parsed, with its raw text when bad (the
    dates read in the inner `layers`, by `date_format`)."""
    columns = tables.columns.deals
    types = tables.deals.columns
    items = [
        f"{parse.text(columns['id'])} AS deal_id",
        f"{parse.text(columns['stage'])} AS stage_text",
        f"{parse.label(columns['stage'])} AS stage_label",
        _optional(columns, "status", parse.label, "status_label"),
        _optional(columns, "lost_stage", parse.label, "lost_label"),
        _optional(columns, "lost_stage", parse.text, "lost_text"),
    ]
    if tables.group_column:
        items.append(f"{parse.text(tables.group_column)} AS group_key")
    pipeline = _pipeline_column(tables)
    if pipeline is not None:
        items.append(f"{parse.text(pipeline)} AS {PIPELINE_KEY}")
    if "amount" in columns:
        number_format = tables.options.number_format or tables.process.data.number_format
        typed = parse.amount(columns["amount"], types[columns["amount"]], number_format)
        items += [f"{typed} AS amount", f"{parse.bad_text(columns['amount'], typed)} AS amount_bad"]
    for key, name in (("created", "created_at"), ("closed", "closed_at")):
        if key in columns:
            items += _date_items(columns[key], types, date_format, name, layers)
    for index, column in sorted(tables.columns.stage_dates.items()):
        items += _date_items(column, types, date_format, f"d{index}", layers)
    if _closed_lost(tables):
        lost = tables.columns.closed_lost or ""
        items += _date_items(lost, types, date_format, "lost_at", layers)
    return items + rule_inputs(tables)


def _closed_lost(tables: DealTables) -> bool:
    """A second closing-date column (Pipedrive's Lost time beside its Won time)."""
    return tables.columns.closed_lost is not None and "closed" in tables.columns.deals


def _typed_sql(tables: DealTables, date_format: dates.Formats) -> str:
    """The typed step; with two closing-date columns, the deal closed at the later of them (a
    deal reopened and closed again keeps both)."""
    layers = parse.DateLayers()
    items = _typed_columns(tables, layers, date_format)
    typed = f"SELECT {', '.join(items)} FROM {layers.wrap(tables.deals.relation)}"
    if not _closed_lost(tables):
        return typed
    return (
        "SELECT * REPLACE (greatest(closed_at, lost_at) AS closed_at, "
        f"coalesce(closed_at_bad, lost_at_bad) AS closed_at_bad) FROM ({typed})"
    )


def _stored(tables: DealTables) -> list[str]:
    """The typed columns deals_raw keeps: only those the data has (a column of NULLs costs as
    much to store as one of values)."""
    columns = tables.columns.deals
    stored = ["deal_id"]
    stored += ["group_key"] if tables.group_column else []
    stored += [PIPELINE_KEY] if _pipeline_column(tables) else []
    stored += ["amount", "amount_bad"] if "amount" in columns else []
    for key, name in (("created", "created_at"), ("closed", "closed_at")):
        stored += [name, f"{name}_bad"] if key in columns else []
    for index in sorted(tables.columns.stage_dates):
        stored += [f"d{index}", f"d{index}_bad"]
    return stored


def _placeholders(tables: DealTables) -> list[str]:
    """NULL stand-ins, in the `deals` view, for the canonical columns the data lacks."""
    stored = set(_stored(tables))
    columns = tables.columns.deals
    absent = [
        *(
            []
            if "status" in columns
            else [
                ("status_outcome", "VARCHAR"),
                ("status_given", "BOOLEAN"),
                ("unmapped_status", "VARCHAR"),
            ]
        ),
        *(
            []
            if "lost_stage" in columns
            else [("lost_stage", "INTEGER"), ("unmapped_lost", "VARCHAR")]
        ),
    ]
    wanted = [
        *absent,
        ("group_key", "VARCHAR"),
        ("amount", "DOUBLE"),
        ("amount_bad", "VARCHAR"),
        ("created_at", "TIMESTAMP"),
        ("created_at_bad", "VARCHAR"),
        ("closed_at", "TIMESTAMP"),
        ("closed_at_bad", "VARCHAR"),
    ]
    return [f"NULL::{kind} AS {name}" for name, kind in wanted if name not in stored]


def _optional(columns: dict[str, str], key: str, parser: Callable[[str], str], name: str) -> str:
    if key not in columns:
        return f"NULL::VARCHAR AS {name}"
    return f"{parser(columns[key])} AS {name}"


def _date_items(
    column: str,
    types: dict[str, str],
    date_format: Mapping[str, tuple[str, ...]],
    name: str,
    layers: parse.DateLayers,
) -> list[str]:
    text, read = layers.add(column, types[column], date_format.get(column, ()))
    sane = parse.sane_years(read)
    return [f"{sane} AS {name}", f"CASE WHEN {sane} IS NULL THEN {text} END AS {name}_bad"]


def _date_formats(tables: DealTables) -> tuple[dates.Formats, dates.Formats]:
    """The formats each date column of the deals and of the history is read by (sources.dates),
    the two files read together (a column whose dates read either way follows its own file's
    other date columns, else the other file's, else the preset's date order), once the
    data.date_format map is checked against every date column."""
    columns = tables.columns
    read = [columns.deals[key] for key in TYPED_DATE_KEYS if key in columns.deals]
    read += [column for _, column in sorted(columns.stage_dates.items())]
    read += [columns.closed_lost] if _closed_lost(tables) and columns.closed_lost else []
    configured = tables.process.data.date_format
    entered = [columns.history["entered"]] if "entered" in columns.history else []
    dates.check_format_columns(configured, [*read, *entered])
    preset = preset_named(tables.options.preset or tables.process.data.preset)
    order = preset.date_order if preset else None
    history = [(tables.history, entered)] if tables.history is not None else []
    files = [(tables.deals, read), *history]
    declared = (tables.options.date_format, configured)
    found = dates.formats_read_together(tables.con, files, declared, order)
    return found[0], (found[1] if tables.history is not None else {})


def _deals_raw_sql(tables: DealTables, date_format: dates.Formats) -> str:
    stages = stage_labels(tables.process)
    outcomes = outcome_labels(tables.process)
    labels = [
        f"{lookup(stages, 'stage_label')} AS label_stage",
        f"{lookup(outcomes, 'stage_label')} AS label_outcome",
        "CASE WHEN stage_label IS NOT NULL AND label_stage IS NULL AND label_outcome IS NULL "
        "THEN stage_text END AS unmapped_label",
    ]
    if "status" in tables.columns.deals:
        labels += [
            f"{lookup(outcomes, 'status_label')} AS status_outcome",
            "status_label IS NOT NULL AS status_given",
        ]
    if "lost_stage" in tables.columns.deals:
        labels += [
            f"{lookup(stages, 'lost_label')} AS lost_stage",
            f"CASE WHEN lost_label IS NOT NULL AND lost_stage IS NULL AND "
            f"{lookup(outcomes, 'lost_label')} IS NULL THEN lost_text END AS unmapped_lost",
        ]
    stored = [amount_item(tables) if item == "amount" else item for item in _stored(tables)]
    return f"""
    CREATE TEMP TABLE deals_raw AS
    SELECT {", ".join([*stored, *labels, *rule_columns(tables)])}
    FROM ({_typed_sql(tables, date_format)})
    """


def _deals_sql(tables: DealTables) -> str:
    row = f"rowid + {tables.deals.first_row} AS _row"
    extra = ", ".join([*_placeholders(tables), *_entries(tables)])
    kept = " WHERE r.left_out IS NULL" if has_left_out(tables) else ""
    if tables.history is None:
        return f"CREATE TEMP VIEW deals AS SELECT {row}, *, {extra} FROM deals_raw r{kept}"
    return f"""
    CREATE TEMP TABLE deals AS
    SELECT r.{row}, r.*, {extra}
    FROM deals_raw r LEFT JOIN history_wide h ON h.deal_id = r.deal_id{kept}
    """


def _entries(tables: DealTables) -> list[str]:
    """e0 … e{n-1}: the date a deal entered each stage, from its date column, its history, the
    earlier of the two, or none."""
    entries = []
    for k in range(tables.stage_count):
        sources = ([f"r.d{k}"] if k in tables.columns.stage_dates else []) + (
            [f"h.h{k}"] if tables.history is not None else []
        )
        if "field" in tables.columns.history and "created" in tables.columns.deals:
            # a field history dates the stage a deal was created in by its created date
            sources.append(f"CASE WHEN h.start_stage = {k} THEN r.created_at END")
        value = f"least({', '.join(sources)})" if sources else "NULL::TIMESTAMP"
        entries.append(f"{value} AS e{k}")
    return entries


def _canonical_sql(tables: DealTables) -> str:
    n = tables.stage_count
    # A status value decides alone (won, lost, anything else open); without one, the label.
    status = (
        "CASE WHEN status_given THEN coalesce(status_outcome, 'open') "
        "ELSE coalesce(label_outcome, 'open') END"
    )
    furthest_dated = " ".join(f"WHEN e{k} IS NOT NULL THEN {k}" for k in reversed(range(n)))
    first_seen = f"coalesce(created_at, least({', '.join(f'e{k}' for k in range(n))}))"
    return f"""
    CREATE TEMP VIEW canonical AS
    SELECT *,
        CASE status
            WHEN 'won' THEN {n - 1}
            WHEN 'lost' THEN coalesce(lost_stage, furthest, 0)
            ELSE furthest
        END AS position,
        status = 'lost' AND lost_stage IS NULL AND furthest IS NULL AS lost_unplaced,
        {first_seen} AS first_seen,
        {seconds_columns(n, first_seen)}
    FROM (
        SELECT *,
            {status} AS status,
            greatest(label_stage, CASE {furthest_dated} END) AS furthest
        FROM deals
    )
    """


def _has_duplicates(con: duckdb.DuckDBPyConnection) -> bool:
    """A distinct count is several times cheaper than grouping the ids to find the repeats."""
    row = con.execute("SELECT count(deal_id) > count(DISTINCT deal_id) FROM deals_raw").fetchone()
    return bool(row and row[0])


def _duplicates_sql(any_duplicates: bool) -> str:
    """Rows that repeat an earlier row's deal id; the first row of each id is the one used."""
    if not any_duplicates:
        return "CREATE TEMP TABLE duplicate_rows (_row BIGINT, deal_id VARCHAR)"
    return """
    CREATE TEMP TABLE duplicate_rows AS
    WITH repeated AS (
        SELECT deal_id, min(_row) AS first_row FROM deals
        WHERE deal_id IS NOT NULL GROUP BY deal_id HAVING count(*) > 1
    )
    SELECT d._row, d.deal_id FROM deals d JOIN repeated r ON r.deal_id = d.deal_id
    WHERE d._row > r.first_row
    """


# The first rows `analyze` counts, before any window: an id, a mapped label and status, and a
# place in the funnel.
ANALYSED = (
    "deal_id IS NOT NULL",
    "unmapped_label IS NULL",
    "position IS NOT NULL",
    "unmapped_status IS NULL",
)


def _funnel_sql(tables: DealTables) -> str:
    """With `--until`, the deals are taken as they stood at the end of that day: what happened
    later is not known yet (stage_events censors the open stays there)."""
    conditions = [*ANALYSED, *window_conditions(tables.options.since, tables.options.until)]
    kept = f"SELECT * FROM first_rows WHERE {' AND '.join(conditions)}"
    end = window_end(tables.options.until)
    if end is not None:
        kept = as_of_sql(f"({kept})", end, tables.stage_count)
    return f"""
    CREATE TEMP VIEW first_rows AS
    SELECT * FROM canonical WHERE _row NOT IN (SELECT _row FROM duplicate_rows);
    CREATE TEMP VIEW kept_deals AS {kept};
    CREATE TEMP VIEW funnel_deals AS
    SELECT *, {latest_sql(tables.stage_count)} AS last_date FROM kept_deals
    """


def window_end(until: date | None) -> datetime | None:
    """The end of the `--until` day, where the analysis stops watching."""
    return None if until is None else datetime.combine(until + timedelta(days=1), time())


def as_of_sql(deals: str, cutoff: datetime, stages: int) -> str:
    """The `deals` first seen before `cutoff`, as they stood then (`as_of_items`)."""
    at = f"TIMESTAMP '{cutoff.isoformat(sep=' ')}'"
    replaced = ", ".join(
        f"{value} AS {name}" for name, value in as_of_items(cutoff, stages).items()
    )
    return f"SELECT * REPLACE ({replaced}) FROM {deals} WHERE first_seen < {at}"


def last_date_sql(stages: int) -> str:
    """The latest date of the data, an aggregate over the canonical deals: when each was first
    seen, entered a stage, or closed (a close only once closed: an open deal's close date may
    be a planned one)."""
    entries = ", ".join(f"e{k}" for k in range(stages))
    return f"max(greatest(first_seen, CASE WHEN status <> 'open' THEN closed_at END, {entries}))"


def latest_sql(stages: int) -> str:
    """The latest date of all first rows, as a scalar subquery: funnel_deals carries it on every
    row (`last_date`), so that a statement counting stays reads where the data ends from a
    column (a database computes an uncorrelated subquery once; mentioned in every stage's
    expression, PostgreSQL would compute it once per mention)."""
    return f"(SELECT {last_date_sql(stages)} FROM first_rows)"


def seconds_columns(stages: int, first_seen: str = "first_seen") -> str:
    """The canonical times as seconds since 1970 (s0 …, s_first, s_closed), for arithmetic
    that runs once per stage: no database then evaluates a date function per stage and deal."""
    items = [f"epoch(e{k}) AS s{k}" for k in range(stages)]
    return ", ".join([*items, f"epoch({first_seen}) AS s_first", "epoch(closed_at) AS s_closed"])


def seconds_names(stages: int) -> list[str]:
    return [*(f"s{k}" for k in range(stages)), "s_first", "s_closed"]


def as_of_items(cutoff: datetime, stages: int) -> dict[str, str]:
    """The columns that change when deals are taken as they stood at `cutoff`: closed only if
    closed before it, entries after it not yet made, an open deal at the furthest stage entered
    by then (the first stage when it has no date). A deal won or lost without a close date
    counts as closed from its last known date (its latest stage date, else when it was first
    seen), otherwise it would look open at every cutoff; its close date stays unknown (NULL)."""
    at = f"TIMESTAMP '{cutoff.isoformat(sep=' ')}'"
    last_known = f"coalesce(greatest({', '.join(f'e{k}' for k in range(stages))}), first_seen)"
    closed = f"(status <> 'open' AND coalesce(closed_at, {last_known}) < {at})"
    dated = " ".join(f"WHEN e{k} < {at} THEN {k}" for k in reversed(range(stages)))
    return {
        "status": f"CASE WHEN {closed} THEN status ELSE 'open' END",
        "position": f"CASE WHEN {closed} THEN position ELSE coalesce(CASE {dated} END, 0) END",
        "closed_at": f"CASE WHEN {closed} THEN closed_at END",
        "s_closed": f"CASE WHEN {closed} THEN s_closed END",
        **{f"e{k}": f"CASE WHEN e{k} < {at} THEN e{k} END" for k in range(stages)},
        **{f"s{k}": f"CASE WHEN e{k} < {at} THEN s{k} END" for k in range(stages)},
    }


def window_conditions(since: date | None, until: date | None) -> list[str]:
    conditions = []
    if since is not None:
        conditions.append(f"first_seen >= TIMESTAMP '{since.isoformat()}'")
    if until is not None:
        conditions.append(f"first_seen < TIMESTAMP '{(until + timedelta(days=1)).isoformat()}'")
    return conditions
