"""Rows read by Python loaded into a DuckDB table in one scan of NumPy arrays, one per column.
A spreadsheet's or a SQLite table's (`load_rows`) are typed by what their values are: whole
numbers → BIGINT, numbers → DOUBLE, dates → TIMESTAMP, anything else (or a mix) → text. A
database's canonical deals (`load_typed`) come with their types."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np

from salesflow.sources.connection import quote_name

EXACT_INTEGER = 2**53  # beyond this a whole number does not survive a DOUBLE
Column = tuple[Any, str]  # a NumPy array and the SQL type it becomes


def load_rows(
    con: duckdb.DuckDBPyConnection, table: str, names: list[str], rows: Sequence[Sequence[Any]]
) -> None:
    """CREATE TEMP TABLE `table` from `rows` (each as long as `names`), in their order."""
    grid = np.empty((len(rows), len(names)), dtype=object)
    if rows:
        grid[:] = rows
    columns = [_column(grid[:, i]) for i in range(len(names))]
    arrays = {f"c{i}": array for i, (array, _) in enumerate(columns)}
    typed = [(name, kind) for name, (_, kind) in zip(names, columns, strict=True)]
    _create(con, table, arrays, typed)


NUMERIC_TYPES = ("DOUBLE", "INTEGER", "BIGINT")


def load_typed(
    con: duckdb.DuckDBPyConnection,
    table: str,
    types: dict[str, str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """CREATE TEMP TABLE `table` from `rows` whose columns' SQL types are known (a database's
    canonical deals): numbers as NumPy floats (None as NaN, which DuckDB reads as NULL), the
    rest as the Python values DuckDB converts itself (a million datetimes in 0.3 s, where NumPy
    takes 1.4 s), each then cast to its type."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(types)
    arrays = {
        f"c{i}": np.array(values, dtype=np.float64 if kind in NUMERIC_TYPES else object)
        for i, (values, kind) in enumerate(zip(columns, types.values(), strict=True))
    }
    _create(con, table, arrays, list(types.items()))


def _create(
    con: duckdb.DuckDBPyConnection, table: str, arrays: dict[str, Any], typed: list[tuple[str, str]]
) -> None:
    """The table from the arrays (c0, c1, …), each cast to the type given with its name."""
    selected = ", ".join(
        f"CAST(c{i} AS {kind}) AS {quote_name(name)}" for i, (name, kind) in enumerate(typed)
    )
    view = f"salesflow_rows_{table}"
    con.register(view, arrays)
    try:
        con.execute(f"CREATE TEMP TABLE {quote_name(table)} AS SELECT {selected} FROM {view}")
    finally:
        con.unregister(view)


def _column(cells: Any) -> Column:
    """A column (an object array) as NumPy values and their SQL type."""
    empty = (cells == None) | (cells == "")  # noqa: E711 - elementwise comparison
    kinds = set(map(type, cells[~empty]))
    if kinds <= {str}:
        return cells, "VARCHAR"
    if kinds <= {int, float} and _exact(cells[~empty], kinds):
        return _numbers(cells, empty)
    if kinds <= {date, datetime}:
        stamps = cells.copy()
        stamps[empty] = None
        return np.array(stamps, dtype="datetime64[us]"), "TIMESTAMP"
    return np.array([_text(cell) for cell in cells], dtype=object), "VARCHAR"


def _exact(cells: Any, kinds: set[type]) -> bool:
    """Numbers NumPy holds exactly: an integer beyond 2**53 (an id) stays text."""
    return int not in kinds or all(abs(cell) < EXACT_INTEGER for cell in cells if type(cell) is int)


def _numbers(cells: Any, empty: Any) -> Column:
    values = cells.copy()
    values[empty] = math.nan
    array = values.astype(np.float64)
    finite = array[~empty]
    whole = bool(np.all(finite == np.trunc(finite))) and bool(
        np.all(np.abs(finite) < EXACT_INTEGER)
    )
    return array, "BIGINT" if whole else "DOUBLE"


def _text(cell: Any) -> str | None:
    """A cell as text: dates in ISO form, whole numbers without a trailing .0."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < EXACT_INTEGER:
        return str(int(cell))
    if isinstance(cell, bytes):
        return cell.hex()
    return str(cell)
