"""A text column's values brought back one of each shape, for the file's own code to read them
in the local DuckDB (sources.remote.text_dates, text_amounts): a million values come down to a
few thousand shapes, and how a file reads a value depends only on its shape."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from salesflow.errors import DataError
from salesflow.sources.engine import Engine
from salesflow.sources.remote.relations import text


@dataclass(frozen=True)
class Shapes:
    """Which values to group: the text `column` of `relation` (aliased `alias`), those `keep`
    keeps (SQL over `v`), grouped by `shape` (SQL over `v`), at most `limit` groups, else
    refused with `too_many`."""

    column: str
    relation: str
    alias: str
    shape: str
    limit: int
    too_many: str
    keep: str = "TRUE"


def load_shapes(engine: Engine, con: duckdb.DuckDBPyConnection, shapes: Shapes, table: str) -> int:
    """The local table `table` (v, n): one non-empty value `v` of each shape, and how many rows
    have that shape. Returns the number of shapes."""
    from salesflow.sources.columnar import load_typed  # numpy: only for such a column

    value = text(shapes.column, shapes.alias)
    rows = engine.rows(
        f"SELECT min(v), count(*) FROM (SELECT {value} AS v FROM {shapes.relation} "
        f"{shapes.alias}) g WHERE v IS NOT NULL AND {shapes.keep} GROUP BY {shapes.shape} "
        f"LIMIT {shapes.limit + 1}"
    )
    if len(rows) > shapes.limit:
        raise DataError(shapes.too_many)
    con.execute(f"DROP TABLE IF EXISTS {table}")
    load_typed(con, table, {"v": "VARCHAR", "n": "BIGINT"}, rows)
    return len(rows)
