"""A DuckDB connection set up to spill to disk rather than grow without bound."""

from __future__ import annotations

import tempfile

import duckdb

MEMORY_LIMIT = "1536MB"


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": 2})
    con.execute(f"SET temp_directory = '{quote_text(tempfile.gettempdir())}/salesflow-duckdb'")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    return con


def quote_text(text: str) -> str:
    """Escape text for a single-quoted SQL string literal."""
    return text.replace("'", "''")


def quote_name(name: str) -> str:
    """Quote an identifier (a column or table name) for SQL."""
    return '"' + name.replace('"', '""') + '"'
