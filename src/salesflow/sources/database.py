"""A table or view of a DuckDB database file, attached read-only.

A view is SQL that runs with our rights: `read_csv('/etc/…')`, `'~/secret.parquet'` or
`getenv('TOKEN')` in a view would show another file's contents (or a secret) in salesflow's
messages. So a view is accepted only when its query, read without running it, references
nothing but the database's own tables and views (themselves checked) and CTEs: no table
function, no file name, no other database, no function that reads outside the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from salesflow.errors import DataError
from salesflow.sources.connection import quote_name, quote_text

FORBIDDEN_FUNCTIONS = frozenset(
    {"getenv", "current_setting", "read_text", "read_blob", "glob", "query", "query_table"}
)


def attached_relation(con: duckdb.DuckDBPyConnection, file: Path, table: str, alias: str) -> str:
    try:
        con.execute(f"ATTACH '{quote_text(str(file))}' AS {quote_name(alias)} (READ_ONLY)")
    except duckdb.Error as error:
        raise DataError(f"{file}: cannot open the DuckDB database: {_first_line(error)}") from None
    tables = _names(con, "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", alias)
    views = dict(
        con.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE database_name = ? AND NOT internal",
            [alias],
        ).fetchall()
    )
    if table not in tables and table not in views:
        known = ", ".join(sorted([*tables, *views])) or "none"
        raise DataError(f"{file}: no table '{table}' (tables: {known}); choose one with --table")
    if table in views:
        reason = _unsafe_view(table, views, {name.lower() for name in tables}, set())
        if reason:
            raise DataError(
                f"{file}: view '{table}' is refused: it {reason}; salesflow reads only the "
                "database's own tables (export the view as a table, or use the file directly)"
            )
    return f"{quote_name(alias)}.{quote_name(table)}"


def _names(con: duckdb.DuckDBPyConnection, sql: str, alias: str) -> list[str]:
    return [str(row[0]) for row in con.execute(sql, [alias]).fetchall()]


def _unsafe_view(name: str, views: dict[str, str], tables: set[str], seen: set[str]) -> str | None:
    """Why the view may read outside the database, or None when it cannot."""
    seen.add(name.lower())
    tree = _parse(views[name])
    if tree is None:
        return "cannot be checked (its SQL could not be read)"
    ctes = {str(key).lower() for key in _values(tree, "key")}
    by_name = {view.lower(): view for view in views}
    for node in _nodes(tree):
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            return "reads through a table function (a file, a glob or another source)"
        if node.get("class") == "FUNCTION" and str(node.get("function_name")).lower() in (
            FORBIDDEN_FUNCTIONS
        ):
            return f"calls {node['function_name']}()"
        if kind == "BASE_TABLE":
            reason = _unsafe_table(node, tables, ctes, by_name, views, seen)
            if reason:
                return reason
    return None


def _unsafe_table(
    node: dict[str, Any],
    tables: set[str],
    ctes: set[str],
    by_name: dict[str, str],
    views: dict[str, str],
    seen: set[str],
) -> str | None:
    target = str(node.get("table_name", "")).lower()
    if node.get("catalog_name") or node.get("schema_name", "") not in ("", "main"):
        return f"reads '{node.get('table_name')}' from another database or schema"
    if target in tables or target in ctes:
        return None
    if target in by_name:
        if target in seen:
            return None
        return _unsafe_view(by_name[target], views, tables, seen)
    return f"reads '{node.get('table_name')}', which is not a table of the database (a file?)"


def _parse(create_view: str) -> dict[str, Any] | None:
    """The parse tree of the view's query (the CREATE VIEW statement after its first AS)."""
    starts = [
        offset
        for offset, kind in duckdb.tokenize(create_view)
        if kind == duckdb.token_type.keyword and create_view[offset : offset + 2].upper() == "AS"
    ]
    if not starts:
        return None
    query = create_view[starts[0] + 2 :].strip().rstrip(";")
    try:
        row = duckdb.execute("SELECT json_serialize_sql(?)", [query]).fetchone()
    except duckdb.Error:
        return None
    tree: dict[str, Any] = json.loads(row[0]) if row else {"error": True}
    return None if tree.get("error") else tree


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _nodes(value)


def _values(tree: Any, key: str) -> Iterator[Any]:
    for node in _nodes(tree):
        if key in node and "value" in node:
            yield node[key]


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
