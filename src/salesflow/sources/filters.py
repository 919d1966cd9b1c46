"""Row filters: `data.pipeline`, `data.where` and `--where`. Equality and membership on the
trimmed text; the values are bound as parameters, never written into the SQL."""

from __future__ import annotations

import duckdb

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.sources.columns import Wanted, resolve
from salesflow.sources.connection import quote_name
from salesflow.sources.options import DataOptions

Filters = dict[str, tuple[str, ...]]  # column of the data → the values kept
SHOWN_VALUES = 8


def wanted_filters(
    process: Process, options: DataOptions, columns: dict[str, str], available: list[str], file: str
) -> Filters:
    """The filters, each keyed by the data's column: data.pipeline, then data.where, then
    --where, a later one replacing an earlier one's filter on the same column."""
    filters: Filters = {}
    pipeline = process.data.pipeline
    if pipeline is not None:
        column = columns.get("pipeline")
        if column is None:
            name = options.mapping.get("pipeline", process.data.columns.pipeline)
            column = _column(name, f"data.pipeline: {pipeline}", available, file)
        filters[column] = (pipeline,)
    for name, values in process.data.where.items():
        column = _column(name, f"data.where.{name}", available, file)
        filters[column] = tuple(values) if isinstance(values, list) else (values,)
    given: Filters = {}
    for name, value in options.where:
        column = _column(name, f"--where {name}={value}", available, file)
        given[column] = (*given.get(column, ()), value)
    return {**filters, **given}


def _column(name: str, asked_by: str, available: list[str], file: str) -> str:
    return resolve({name: Wanted(name, asked_by)}, available, file)[name]


def bind(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    for index, values in enumerate(filters.values()):
        con.execute(f"SET VARIABLE {_variable(index)} = ?", [[v.strip() for v in values]])


def kept_sql(filters: Filters) -> str | None:
    """SQL true for a row every filter keeps (None without filters); run after `bind`."""
    if not filters:
        return None
    tests = [_test(index, column) for index, column in enumerate(filters)]
    return f"coalesce({' AND '.join(tests)}, false)"


def _test(index: int, column: str) -> str:
    value = f"trim(CAST({quote_name(column)} AS VARCHAR))"
    return f"list_contains(getvariable('{_variable(index)}'), {value})"


def _variable(index: int) -> str:
    return f"salesflow_where_{index}"


def check_kept(con: duckdb.DuckDBPyConnection, filters: Filters, relation: str, file: str) -> None:
    """Refuse filters that keep no row, naming the values the filtered columns have."""
    if not filters:
        return
    row = con.execute(
        "SELECT count(*) FILTER (WHERE left_out IS DISTINCT FROM 'filter') FROM deals_raw"
    ).fetchone()
    if row and row[0]:
        return
    for index, column in enumerate(filters):
        found = con.execute(
            f"SELECT count(*) FILTER (WHERE {_test(index, column)}) FROM {relation}"
        ).fetchone()
        if not (found and found[0]):
            raise DataError(f"{file}: {_no_match(con, column, filters[column], relation)}")
    raise DataError(f"{file}: no row matches every filter ({_described(filters)})")


def _no_match(
    con: duckdb.DuckDBPyConnection, column: str, values: tuple[str, ...], relation: str
) -> str:
    value = f"trim(CAST({quote_name(column)} AS VARCHAR))"
    rows = con.execute(
        f"SELECT {value}, count(*) FROM {relation} GROUP BY 1 ORDER BY 2 DESC, 1 "
        f"LIMIT {SHOWN_VALUES + 1}"
    ).fetchall()
    shown = ", ".join(
        f'"{v}" ({n:,})' if v is not None else f"(empty) ({n:,})" for v, n in rows[:SHOWN_VALUES]
    )
    more = ", …" if len(rows) > SHOWN_VALUES else ""
    wanted = " or ".join(f'"{v.strip()}"' for v in values)
    return f"no row has {column} {wanted}; its values: {shown}{more}"


def _described(filters: Filters) -> str:
    return "; ".join(f"{c} = {' or '.join(v)}" for c, v in filters.items())
