"""The canonical relations over a database table, as CTEs in DuckDB's dialect (transpiled per
target by sources.remote.transpile): the same names and columns the local build makes
(sources.canonical), so the metrics' queries run unchanged.

A database's columns are typed, so values are cast, not parsed: amounts to DOUBLE, dates to
TIMESTAMP (in UTC). Labels are matched by sources.remote.vocabulary: each row joins the small
table of its column's values. Every CTE reads only the one before it, so no dialect has to accept
a column alias in the SELECT that defines it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from salesflow.model import Process
from salesflow.sources import parse
from salesflow.sources.canonical import (
    ANALYSED,
    as_of_items,
    latest_sql,
    seconds_columns,
    seconds_names,
    window_conditions,
    window_end,
)
from salesflow.sources.connection import quote_name, quote_text
from salesflow.sources.options import DataOptions
from salesflow.sources.pipelines import PIPELINE_KEY, unchosen_pipeline
from salesflow.sources.remote.amount_reading import AMOUNT, AMOUNT_AS_WRITTEN, MARK, with_amount
from salesflow.sources.remote.date_reading import TextDate, reading_column, with_readings
from salesflow.sources.remote.vocabulary import Scan, Vocabulary

if TYPE_CHECKING:
    from salesflow.sources.remote.currencies import Currencies

FUNNEL_COLUMNS = (
    "deal_id",
    "last_date",
    "group_key",
    "amount",
    "created_at",
    "closed_at",
    "status",
    "position",
    "first_seen",
)
KEPT_COLUMNS = tuple(column for column in FUNNEL_COLUMNS if column != "last_date")
CURRENCY = "currency_raw"  # the currency column as written, trimmed (sources.remote.currencies)
CURRENCY_MARK = "currency_mark"  # the currency symbol a text amount writes (its mark)


@dataclass(frozen=True)
class Unreadable:
    """A text column (a date, or the amount) whose reading reads some values as none."""

    column: str
    rows: int
    first: str  # the first such value, in text order
    history: bool  # the history's entered column, else a deals column


@dataclass(frozen=True)
class Layout:
    """Where each canonical field is read from: `deals` and `history` are relations (a quoted
    table name, or a parenthesised query); the dicts map canonical keys to their columns."""

    process: Process
    options: DataOptions
    deals: str
    columns: dict[str, str]
    stage_dates: dict[int, str] = field(default_factory=dict)
    history: str | None = None
    history_columns: dict[str, str] = field(default_factory=dict)
    group_column: str | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    # columns the database holds as text (a CSV loaded as it was): read as trimmed text, empty
    # as NULL, then cast; a date with a UTC offset is converted to UTC
    text_columns: frozenset[str] = frozenset()
    history_text: frozenset[str] = frozenset()
    # the currency column's values, read once the labels are known (sources.remote.currencies)
    currencies: Currencies | None = None
    # a second closing-date column, for lost deals (Pipedrive's Lost time): a deal closed at
    # the later of the two, as in a file
    closed_lost: str | None = None
    # whether the label scan saw a date outside the years a file's dates may have (a CRM's
    # 9999-12-31): then every date is read through that check, and such a date is no date
    sane_dates: bool = False
    bad_date_rows: int = 0  # rows with such a date among the deals (a warning)
    # text date columns written day-month-year, and how each is read (sources.remote.text_dates)
    text_dates: dict[str, TextDate] = field(default_factory=dict)
    history_text_date: TextDate | None = None
    # their values read as no date, deals then history
    unreadable_dates: tuple[Unreadable, ...] = ()
    # an amount column held as text not all plain numbers, read by a file's rules
    # (sources.remote.text_amounts), and its values no rule reads
    text_amount: bool = False
    unreadable_amounts: tuple[Unreadable, ...] = ()
    # whether some of its values write a currency symbol: each row's is read (its mark)
    amount_marks: bool = False

    @property
    def stages(self) -> int:
        return len(self.process.stages)


def relations(layout: Layout) -> dict[str, str]:
    ctes = {"typed": _typed(layout), "deals_raw": _deals_raw(layout)}
    if layout.history is not None:
        ctes["history_rows"] = _history_rows(layout)
        ctes["history_wide"] = _history_wide(layout)
    ctes["dated"] = _dated(layout)
    ctes["judged"] = _judged(layout)
    ctes["first_rows"] = _first_rows(layout)
    ctes["kept_deals"] = kept_deals_sql(layout)
    ctes["funnel_deals"] = funnel_deals_sql(layout)
    return ctes


def label_scan(layout: Layout) -> Scan:
    """What the label scan reads (sources.remote.vocabulary): also each row's amount (to count
    the absurd ones), the earliest and latest of its dates and of the history's (to find a date
    no file would read), and, without a stage history, its latest creation or stage entry and
    its close: the end of the data."""
    columns = layout.columns
    dates = None
    if layout.history is None:
        entries = [columns.get("created"), *layout.stage_dates.values()]
        typed_entries = [_date(layout, c) for c in entries if c]
        latest = _extreme("greatest", typed_entries or ["CAST(NULL AS TIMESTAMP)"])
        dates = (latest, _closed(layout))
    history_stage = layout.history_columns.get("stage")
    kept = kept_sql(layout.filters)
    # as stored (a date column is not converted per row), and the latest only where the end of
    # the data is not read already (with wide dates it is the later of `dates`)
    read = [_stored(layout, column, "TIMESTAMP") for column in date_columns(layout)]
    last = _extreme("greatest", read) if read and dates is None else "CAST(NULL AS TIMESTAMP)"
    span = (f"CAST({_extreme('least', read)} AS TIMESTAMP)", last) if read else None
    entered = layout.history_columns.get("entered")
    if layout.history is not None and entered is not None:
        span_history = _date(layout, entered, "history")
    else:
        span_history = None
    return Scan(
        columns,
        history_stage,
        deals_relation(layout),
        history_relation(layout),
        kept,
        dates,
        _stored(layout, columns["amount"], "DOUBLE") if "amount" in columns else None,
        span,
        span_history,
        pipeline=unchosen_pipeline(columns, layout.filters),
    )


def _stored(layout: Layout, column: str, kind: str) -> str:
    """A column for a comparison in the label scan: a typed one as it is stored (PostgreSQL
    converts a numeric to a double through text, and a date need not become a timestamp to be
    compared), one held as text read as the canonical relations read it (the amount as written,
    before the bounds a file applies)."""
    if column in layout.text_columns:
        if kind == "TIMESTAMP":
            return _timestamp(layout, column)
        if layout.text_amount and column == layout.columns.get("amount"):
            return f"src.{AMOUNT_AS_WRITTEN}"
        return typed(column, kind, layout.text_columns)
    return f"src.{quote_name(column)}"


def _extreme(function: str, items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{function}({', '.join(items)})"


def entry_columns(stages: int) -> list[str]:
    return [f"e{k}" for k in range(stages)]


def text(column: str, table: str = "src") -> str:
    """A column of the source (`src`) or of the history as trimmed text, NULL when empty."""
    return parse.text(column, table)


def raw(column: str | None, table: str = "src") -> str:
    """A label column as the server writes it as text (the key of sources.remote.vocabulary)."""
    if column is None:
        return "CAST(NULL AS VARCHAR)"
    return f"CAST({table}.{quote_name(column)} AS VARCHAR)"


def kept_sql(filters: dict[str, tuple[str, ...]]) -> str:
    """True for a row every `--where`/`data.where` filter keeps."""
    tests = [
        f"trim(CAST(src.{quote_name(column)} AS VARCHAR)) IN ({_list([v.strip() for v in values])})"
        for column, values in filters.items()
    ]
    return f"coalesce({' AND '.join(tests)}, FALSE)" if tests else "TRUE"


def _typed(layout: Layout) -> str:
    columns = layout.columns
    items = [
        f"{text(columns['id'])} AS deal_id",
        f"{raw(columns['stage'])} AS stage_raw",
        f"{raw(columns.get('status'))} AS status_raw",
        f"{raw(columns.get('lost_stage'))} AS lost_raw",
        f"{_amount(layout)} AS amount",
        f"{_date(layout, columns.get('created'))} AS created_at",
        f"{_closed(layout)} AS closed_at",
        *(f"{_date(layout, layout.stage_dates.get(k))} AS d{k}" for k in range(layout.stages)),
        f"{text(layout.group_column)} AS group_key" if layout.group_column else _null("group_key"),
        f"{kept_sql(layout.filters)} AS kept_",
    ]
    pipeline = unchosen_pipeline(columns, layout.filters)
    items += [f"{text(pipeline)} AS {PIPELINE_KEY}"] if pipeline else []
    if layout.sane_dates:
        items.append(f"{_bad_dates(layout)} AS bad_dates_")
    for index, (column, reading) in enumerate(read_texts(layout)):
        value = text(column)
        items.append(f"CASE WHEN {reading} IS NULL THEN {value} END AS unread_{index}_")
    if columns.get("currency") is not None and columns.get("amount") is not None:
        items.append(f"{text(columns['currency'])} AS {CURRENCY}")
    if layout.amount_marks:
        items.append(f"src.{MARK} AS {CURRENCY_MARK}")
    return f"SELECT {', '.join(items)} FROM {deals_relation(layout)} src"


def _closed(layout: Layout) -> str:
    closed = [layout.columns.get("closed"), layout.closed_lost]
    return _extreme(
        "greatest", [_date(layout, c) for c in closed if c] or ["CAST(NULL AS TIMESTAMP)"]
    )


def _amount(layout: Layout) -> str:
    """The amount in the process currency: multiplied by the rate of the deal's currency (1 when
    it has none), NULL in a currency with no rate (refused: sources.remote.currencies)."""
    amount = typed(layout.columns.get("amount"), "DOUBLE", layout.text_columns)
    if layout.text_amount:
        amount = f"src.{AMOUNT}"
    currencies = layout.currencies
    if currencies is None:
        return amount
    return f"{amount} * {currencies.rate(layout.process)}"


def _deals_raw(layout: Layout) -> str:
    """Each row with what its labels mean (the vocabulary's tables joined by written value). A
    label column the data does not have is joined to nothing: its meanings are constants."""
    has_status = layout.columns.get("status") is not None
    has_lost = layout.columns.get("lost_stage") is not None
    status = (
        [
            "st.outcome AS status_outcome",
            "st.raw IS NOT NULL AS status_given",
            "CASE WHEN st.unmapped THEN t.status_raw END AS unmapped_status",
        ]
        if has_status
        else [_null("status_outcome"), "FALSE AS status_given", _null("unmapped_status")]
    )
    lost = (
        ["l.stage AS lost_stage", "CASE WHEN l.unmapped THEN t.lost_raw END AS unmapped_lost"]
        if has_lost
        else ["CAST(NULL AS INTEGER) AS lost_stage", _null("unmapped_lost")]
    )
    ignored = "coalesce(s.ignored, FALSE)"
    if has_status:
        ignored += " OR coalesce(st.ignored, FALSE)"
    items = [
        "s.stage AS label_stage",
        "s.outcome AS label_outcome",
        "CASE WHEN s.unmapped THEN t.stage_raw END AS unmapped_label",
        *status,
        *lost,
        f"CASE WHEN NOT t.kept_ THEN 'filter' WHEN {ignored} THEN 'ignored' END AS left_out",
    ]
    joined = [("s", "stage", "stage_raw")]
    joined += [("st", "status", "status_raw")] if has_status else []
    joined += [("l", "lost_stage", "lost_raw")] if has_lost else []
    joins = " ".join(
        f"LEFT JOIN ({layout.vocabulary.relation(name)}) {alias} ON {alias}.raw = t.{column}"
        for alias, name, column in joined
    )
    return f"SELECT t.*, {', '.join(items)} FROM typed t {joins}"


def _history_rows(layout: Layout) -> str:
    columns = layout.history_columns
    stages = layout.vocabulary.relation("history")
    return (
        f"SELECT {text(columns['deal'], 'history')} AS deal_id, m.stage AS stage_index, "
        f"{_date(layout, columns['entered'], 'history')} AS entered "
        f"FROM {history_relation(layout)} history "
        f"LEFT JOIN ({stages}) m ON m.raw = {raw(columns['stage'], 'history')}"
    )


def _history_wide(layout: Layout) -> str:
    firsts = ", ".join(
        f"min(CASE WHEN stage_index = {k} THEN entered END) AS h{k}" for k in range(layout.stages)
    )
    # rows of no stage (a close, a label left out) would only add groups of NULLs
    kept = "deal_id IS NOT NULL AND stage_index IS NOT NULL"
    return f"SELECT deal_id, {firsts} FROM history_rows WHERE {kept} GROUP BY deal_id"


def _dated(layout: Layout) -> str:
    def entry(k: int) -> str:
        sources = [f"r.d{k}"] + ([f"h.h{k}"] if layout.history is not None else [])
        return f"least({', '.join(sources)})" if len(sources) > 1 else sources[0]

    entries = ", ".join(f"{entry(k)} AS e{k}" for k in range(layout.stages))
    joined = "deals_raw r"
    if layout.history is not None:
        joined += " LEFT JOIN history_wide h ON h.deal_id = r.deal_id"
    return f"SELECT r.*, {entries} FROM {joined} WHERE {opaque('r.left_out IS NULL')}"


def _judged(layout: Layout) -> str:
    """The outcome (a status value decides alone; without one, the label) and the furthest
    stage the label or the dates show."""
    n = layout.stages
    status = (
        "CASE WHEN status_given THEN coalesce(status_outcome, 'open') "
        "ELSE coalesce(label_outcome, 'open') END"
    )
    dated = " ".join(f"WHEN e{k} IS NOT NULL THEN {k}" for k in reversed(range(n)))
    return (
        f"SELECT *, {status} AS status, greatest(label_stage, CASE {dated} END) AS furthest "
        "FROM dated"
    )


def _first_rows(layout: Layout) -> str:
    """Only the canonical columns the metrics read: a database that keeps this relation for a
    statement that reads it twice (PostgreSQL does) keeps a narrow one."""
    n = layout.stages
    position = (
        f"CASE status WHEN 'won' THEN {n - 1} WHEN 'lost' THEN coalesce(lost_stage, furthest, 0) "
        "ELSE furthest END"
    )
    first_seen = f"coalesce(created_at, least({', '.join(entry_columns(n))}))"
    seconds = seconds_columns(n, first_seen)
    kept = ["deal_id", "group_key", "amount", "created_at", "closed_at", "status"]
    kept += [*entry_columns(n), "unmapped_label", "unmapped_status"]
    return (
        f"SELECT {', '.join(kept)}, {position} AS position, {first_seen} AS first_seen, "
        f"{seconds} FROM judged"
    )


def kept_deals_sql(layout: Layout) -> str:
    """kept_deals over first_rows: the funnel's deals without the end of the data, so that a
    statement reading them reads first_rows once (DuckDB's dialect: it also runs on first_rows
    fetched)."""
    options = layout.options
    conditions = [*ANALYSED, *window_conditions(options.since, options.until)]
    columns = [*KEPT_COLUMNS, *entry_columns(layout.stages), *seconds_names(layout.stages)]
    kept = f"SELECT {', '.join(columns)} FROM first_rows WHERE {opaque(' AND '.join(conditions))}"
    end = window_end(options.until)
    return kept if end is None else _as_of(kept, end, columns, layout.stages)


def funnel_deals_sql(layout: Layout) -> str:
    """funnel_deals: kept_deals, each carrying the end of the data (`last_date`)."""
    columns = [*FUNNEL_COLUMNS, *entry_columns(layout.stages), *seconds_names(layout.stages)]
    latest = f"{latest_sql(layout.stages)} AS last_date"
    listed = ", ".join(latest if column == "last_date" else column for column in columns)
    return f"SELECT {listed} FROM kept_deals"


def _as_of(kept: str, end: datetime, columns: list[str], stages: int) -> str:
    replaced = as_of_items(end, stages)
    items = [f"{replaced[c]} AS {c}" if c in replaced else c for c in columns]
    condition = f"first_seen < TIMESTAMP '{end.isoformat(sep=' ')}'"
    return f"SELECT {', '.join(items)} FROM ({kept}) kept WHERE {condition}"


def opaque(condition: str) -> str:
    """`condition` as one a planner cannot estimate: it then assumes half the rows pass. Each
    test of a computed column for NULL counts as passing 1 row in 200 in PostgreSQL's
    estimates, so that after the few that keep a deal it expects a handful of deals, and plans
    the statements counting them on one core (docs/data-sources.md)."""
    return f"coalesce({condition}, FALSE)"


def _date(layout: Layout, column: str | None, table: str = "src") -> str:
    """A date column as a TIMESTAMP; with `sane_dates`, NULL outside the years a file's dates
    may have (sources.parse.sane_years: 1900–2200), as a file reads it."""
    value = _timestamp(layout, column, table)
    return parse.sane_years(value) if layout.sane_dates and column is not None else value


def _timestamp(layout: Layout, column: str | None, table: str = "src") -> str:
    """A date column as a TIMESTAMP, a text one written day-month-year by its reading (a column
    of `deals_relation`, `history_relation`)."""
    if table == "history":
        if layout.history_text_date is not None:
            return f"history.{reading_column(0)}"
        return typed(column, "TIMESTAMP", layout.history_text, table)
    if column in layout.text_dates:
        return f"src.{reading_column(list(layout.text_dates).index(column))}"
    return typed(column, "TIMESTAMP", layout.text_columns, table)


def deals_relation(layout: Layout) -> str:
    """The deals' relation, with the readings of its text dates written day-month-year and of
    its text amounts."""
    relation = with_readings(layout.deals, "src", list(layout.text_dates.items()))
    amount = layout.columns.get("amount")
    if not layout.text_amount or amount is None:
        return relation
    return with_amount(relation, "src", amount, layout.amount_marks)


def history_relation(layout: Layout) -> str | None:
    """The history's relation, with the reading of its entered column when it needs one."""
    entered = layout.history_columns.get("entered")
    if layout.history is None or layout.history_text_date is None or entered is None:
        return layout.history
    return with_readings(layout.history, "history", [(entered, layout.history_text_date)])


def read_texts(layout: Layout) -> list[tuple[str, str]]:
    """(column, its reading) of each text column of the deals read by a reading rather than a
    cast: the dates written day-month-year, then the amount (as written: see _stored)."""
    read = [(column, _timestamp(layout, column)) for column in layout.text_dates]
    amount = layout.columns.get("amount")
    if layout.text_amount and amount is not None:
        read.append((amount, f"src.{AMOUNT_AS_WRITTEN}"))
    return read


def unreadable_sql(layout: Layout) -> str | None:
    """SQL over deals_raw, among the rows kept: for each of `read_texts`, the rows whose text its
    reading reads as nothing and the first such text; then, with `sane_dates`, the rows with a
    date outside the years a file's dates may have."""
    items = [f"count(unread_{i}_), min(unread_{i}_)" for i in range(len(read_texts(layout)))]
    if layout.sane_dates:
        items.append("sum(bad_dates_)")
    if not items:
        return None
    return f"SELECT {', '.join(items)} FROM deals_raw WHERE {opaque('left_out IS NULL')}"


def unreadable_history_dates_sql(layout: Layout) -> str | None:
    """SQL: the history rows whose entered text its reading reads as no date, and the first."""
    entered = layout.history_columns.get("entered")
    if layout.history is None or layout.history_text_date is None or entered is None:
        return None
    value = text(entered, "history")
    bad = f"CASE WHEN {value} IS NOT NULL AND {_timestamp(layout, entered, 'history')} IS NULL "
    bad += f"THEN {value} END"
    return f"SELECT count({bad}), min({bad}) FROM {history_relation(layout)} history"


def _bad_dates(layout: Layout) -> str:
    """SQL: 1 for a row with a date outside the years a file's dates may have, else 0."""
    read = [_timestamp(layout, c) for c in date_columns(layout)]
    tests = " OR ".join(
        f"({value} IS NOT NULL AND {parse.sane_years(value)} IS NULL)" for value in read
    )
    return f"CASE WHEN {tests} THEN 1 ELSE 0 END" if read else "0"


def date_columns(layout: Layout) -> list[str]:
    """The deals' columns read as dates."""
    keys = [layout.columns.get("created"), layout.columns.get("closed"), layout.closed_lost]
    return [c for c in dict.fromkeys([*keys, *layout.stage_dates.values()]) if c]


def typed(column: str | None, kind: str, text_columns: frozenset[str], table: str = "src") -> str:
    """A column as `kind`: cast as it is, or, held as text, trimmed, empty as NULL, and a
    timestamp read with its UTC offset (then in UTC, the session's time zone)."""
    if column is None:
        return f"CAST(NULL AS {kind})"
    if column not in text_columns:
        return f"CAST({table}.{quote_name(column)} AS {kind})"
    value = text(column, table)
    if kind == "TIMESTAMP":
        return f"CAST(CAST({value} AS TIMESTAMPTZ) AS TIMESTAMP)"
    return f"CAST({value} AS {kind})"


def _null(name: str) -> str:
    return f"CAST(NULL AS VARCHAR) AS {name}"


def _list(values: list[str]) -> str:
    return ", ".join(f"'{quote_text(value)}'" for value in dict.fromkeys(values)) or "NULL"
