"""A table of a SQLite database, read through the standard library (read-only) into DuckDB
in the table's rowid order."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import duckdb

from salesflow.errors import DataError
from salesflow.sources.columnar import load_rows
from salesflow.sources.connection import quote_name
from salesflow.sources.headers import check_header


def load_sqlite_table(
    con: duckdb.DuckDBPyConnection, file: Path, table: str, target: str
) -> list[str]:
    """CREATE TEMP TABLE `target` from `table` of the SQLite file; its column names."""
    try:
        with closing(_connect(file)) as database:
            _check_table(database, file, table)
            cursor = _select(database, table)
            names = [str(column[0]) for column in cursor.description]
            rows = cursor.fetchall()
    except sqlite3.Error as error:
        raise DataError(f"{file}: cannot be read as a SQLite database: {error}") from None
    check_header(str(file), names)
    load_rows(con, target, names, rows)
    return names


def _connect(file: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(file.resolve()))}?mode=ro"
    database = sqlite3.connect(uri, uri=True)
    database.text_factory = lambda raw: raw.decode("utf-8", errors="replace")
    return database


def _check_table(database: sqlite3.Connection, file: Path, table: str) -> None:
    tables = [
        str(row[0])
        for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    if table not in tables:
        known = ", ".join(tables) or "none"
        raise DataError(f"{file}: no table '{table}' (tables: {known}); choose one with --table")


def _select(database: sqlite3.Connection, table: str) -> sqlite3.Cursor:
    """The rows in rowid order (a WITHOUT ROWID table or a view: in the order SQLite gives)."""
    try:
        return database.execute(f"SELECT * FROM {quote_name(table)} ORDER BY rowid")
    except sqlite3.OperationalError:
        return database.execute(f"SELECT * FROM {quote_name(table)}")
