"""Dates a database holds as text (a CSV loaded as it was), read as a file reads them.

A column whose values are all written as ISO 8601 (2024-03-05, with a time and an offset or
not) is cast on the server. Any other column is detected as a file's is (sources.dates: which
family of formats reads its values, m/d/Y against d/m/Y decided by the values or the preset's
date order, refused when they read either way): its values, grouped by their shape (a million
timestamps come down to a few thousand groups), are brought back with their counts and scanned
by the file's own code in the local DuckDB. The family found is then read on the server
(sources.remote.date_reading); the values it cannot read are counted and named, as a file names
them. A column that is mostly ISO 8601 with a few values in other forms, or whose values carry
a time zone after a day-month-year date, is refused with one line: convert it in --query.
"""

from __future__ import annotations

import dataclasses

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


def read_text_dates(
    engine: Engine,
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    source: str,
    order: dates.Order | None,
) -> Layout:
    """The layout with the reading of each text date column not written as ISO 8601 (`order`:
    the preset's date order, for dates that read either way)."""
    readings: dict[str, TextDate] = {}
    history: TextDate | None = None
    for column, relation, table in _text_dates(layout):
        first = _first_other(engine, column, relation, table)
        if first is None:
            continue
        reading = _detect(engine, con, (column, relation, table), source, order, first)
        if table == "history":
            history = reading
        else:
            readings[column] = reading
    if not readings and history is None:
        return layout
    return dataclasses.replace(layout, text_dates=readings, history_text_date=history)


def _first_other(engine: Engine, column: str, relation: str, table: str) -> str | None:
    """The first value of the column not written as ISO 8601, if any."""
    value = text(column, table)
    rows = engine.rows(
        f"SELECT {value} FROM {relation} {table} WHERE {value} IS NOT NULL "
        f"AND NOT regexp_matches({value}, '{ISO_DAY}') LIMIT 1"
    )
    return str(rows[0][0]) if rows else None


def _detect(
    engine: Engine,
    con: duckdb.DuckDBPyConnection,
    where: tuple[str, str, str],
    source: str,
    order: dates.Order | None,
    first_other: str,
) -> TextDate:
    column = where[0]
    local = _grouped_values(engine, con, where, source)
    family, formats = dates.detected_family(con, local, column, order)
    if family not in READABLE:
        raise DataError(
            f"{source}: column '{column}' holds dates as text mostly written YYYY-MM-DD, but not "
            f'all (first: "{first_other}"); convert it in --query (e.g. to_date) or store it as '
            "a date"
        )
    zoned = con.execute(
        f"SELECT v FROM sf_date_values WHERE {zone('v')} <> '' ORDER BY v LIMIT 1"
    ).fetchone()
    if zoned is not None:
        raise DataError(
            f"{source}: column '{column}' holds dates as text with a time zone "
            f'(first: "{zoned[0]}"), read from files only; convert it in --query (e.g. '
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
