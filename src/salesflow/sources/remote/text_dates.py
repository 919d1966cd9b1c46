"""Dates a database holds as text (a CSV loaded as it was), read as a file reads them.

A column whose values are all written as ISO 8601 (2024-03-05, with a time and an offset or
not) is cast on the server. Any other column is detected as a file's is (sources.dates: which
family of formats reads its values, m/d/Y against d/m/Y decided by the values, else by the order
the table's other date columns show, else the history table's, else the preset's date order,
refused when they read either way with nothing to settle them or the columns disagree): its
values, grouped by their shape (a million timestamps come down to a few thousand groups), are
brought back with their counts and scanned by the file's own code in the local DuckDB. Every
column is scanned before any is settled, as a file's are. The family found is then read on the
server (sources.remote.date_reading); the values it cannot read are counted and named, as a file
names them. A column that is mostly ISO 8601 with a few values in other forms, or whose values
carry a time zone after a day-month-year date, is refused with one line: convert it in --query.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from salesflow.errors import DataError
from salesflow.sources import dates
from salesflow.sources.connection import quote_name
from salesflow.sources.engine import Engine
from salesflow.sources.files import Source
from salesflow.sources.parse import zone
from salesflow.sources.remote.date_reading import READABLE, TextDate
from salesflow.sources.remote.relations import (
    Layout,
    date_columns,
    text,
)
from salesflow.sources.remote.shapes import Shapes, load_shapes

ISO_DAY = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$"
MAX_SHAPES = 200_000  # groups of values brought back for the detection


@dataclass(frozen=True)
class _Scanned:
    """A text date column not all written as ISO 8601, as the detection found it."""

    column: str
    table: str  # its alias: "src" (the deals) or "history"
    scan: dates.Scan
    first_other: str  # its first value not written as ISO 8601
    zoned: str | None  # its first value with a time zone


def read_text_dates(
    engine: Engine,
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    source: str,
    order: dates.Order | None,
) -> Layout:
    """The layout with the reading of each text date column not written as ISO 8601 (`order`:
    the preset's date order, for dates that read either way)."""
    scanned = [_scanned(engine, con, where, source) for where in _text_dates(layout)]
    found = [column for column in scanned if column is not None]
    if not found:
        return layout
    names = {"src": source, "history": f"{source} ({layout.options.history_table})"}
    evidence = _evidence(found, names["src"], names["history"])
    read = [(c, _reading(c, names[c.table], order, evidence[c.table])) for c in found]
    readings = {c.column: reading for c, reading in read if c.table != "history"}
    history = next((reading for c, reading in read if c.table == "history"), None)
    return dataclasses.replace(layout, text_dates=readings, history_text_date=history)


def _scanned(
    engine: Engine, con: duckdb.DuckDBPyConnection, where: tuple[str, str, str], source: str
) -> _Scanned | None:
    """The column's scan, unless all its values are written as ISO 8601."""
    column, relation, table = where
    first = _first_other(engine, column, relation, table)
    if first is None:
        return None
    scan = dates.scan_column(con, _grouped_values(engine, con, where, source), column)
    zoned = con.execute(
        f"SELECT v FROM sf_date_values WHERE {zone('v')} <> '' ORDER BY v LIMIT 1"
    ).fetchone()
    return _Scanned(column, table, scan, first, None if zoned is None else str(zoned[0]))


def _evidence(
    found: list[_Scanned], source: str, history: str
) -> dict[str, tuple[dates.Evidence, ...]]:
    """Per table, the orders its own columns show, then those of the other table."""
    deals = _shown(found, "src", source)
    stages = _shown(found, "history", history)
    return {"src": (deals, stages), "history": (stages, deals)}


def _shown(found: list[_Scanned], table: str, name: str) -> dates.Evidence:
    shown = {c.column: dates.shown_order(c.scan) for c in found if c.table == table}
    return dates.Evidence(name, {column: o for column, o in shown.items() if o is not None})


def _first_other(engine: Engine, column: str, relation: str, table: str) -> str | None:
    """The first value of the column not written as ISO 8601, if any."""
    value = text(column, table)
    rows = engine.rows(
        f"SELECT {value} FROM {relation} {table} WHERE {value} IS NOT NULL "
        f"AND NOT regexp_matches({value}, '{ISO_DAY}') LIMIT 1"
    )
    return str(rows[0][0]) if rows else None


def _reading(
    found: _Scanned, source: str, order: dates.Order | None, evidence: Sequence[dates.Evidence]
) -> TextDate:
    column = found.column
    family, formats = dates.family_of(found.scan, order, source, column, evidence)
    if family not in READABLE:
        raise DataError(
            f"{source}: column '{column}' holds dates as text mostly written YYYY-MM-DD, but not "
            f'all (first: "{found.first_other}"); convert it in --query (e.g. to_date) or store '
            "it as a date"
        )
    if found.zoned is not None:
        raise DataError(
            f"{source}: column '{column}' holds dates as text with a time zone "
            f'(first: "{found.zoned}"), read from files only; convert it in --query (e.g. '
            "to_timestamp) or store it as a timestamp with time zone"
        )
    return TextDate(family, formats[0])


def _grouped_values(
    engine: Engine,
    con: duckdb.DuckDBPyConnection,
    where: tuple[str, str, str],
    source: str,
) -> Source:
    """The column's values, one of each shape with how many rows have that shape, in the local
    DuckDB as a relation of as many rows (the scan counts rows)."""
    column, relation, table = where
    too_many = (
        f"{source}: column '{column}' holds dates as text in more than {MAX_SHAPES:,} shapes; "
        "convert it in --query (e.g. to_date) or store it as a date"
    )
    shapes = Shapes(column, relation, table, dates.SIGNATURE, MAX_SHAPES, too_many)
    load_shapes(engine, con, shapes, "sf_date_values")
    expanded = f"(SELECT v AS {quote_name(column)} FROM sf_date_values, range(n))"
    return Source(source, "database", expanded, {column: "VARCHAR"})


def _text_dates(layout: Layout) -> list[tuple[str, str, str]]:
    """(column, relation, alias) of each date column held as text."""
    found = [(c, layout.deals, "src") for c in date_columns(layout) if c in layout.text_columns]
    entered = layout.history_columns.get("entered")
    if layout.history and entered and entered in layout.history_text:
        found.append((entered, layout.history, "history"))
    return found
