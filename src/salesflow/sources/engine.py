"""Where the metrics' SQL runs: the embedded DuckDB, or the team's own database.

The aggregate queries of `analyze` are written once, in DuckDB's dialect, over the canonical
relations (`first_rows`, `funnel_deals`). Locally they run as they are; against a database
(sources.remote) they are prefixed with the canonical CTEs and transpiled to its dialect, so
only their small results cross the network."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb

Rows = list[tuple[Any, ...]]

# A boolean column, TRUE, that a subquery carries and its outer query filters on. PostgreSQL gets
# a volatile value there (sources.remote.transpile), which keeps it from merging the subquery
# into the outer query: it then computes the subquery's columns once per row instead of
# repeating their expressions wherever the outer query uses them.
FENCE = "fence_"


class Engine(Protocol):
    def rows(self, sql: str) -> Rows:
        """The rows of a SELECT written in DuckDB's dialect."""
        ...

    def rows_each(self, sqls: Sequence[str]) -> list[Rows]:
        """The rows of each SELECT, which a database may compute at the same time."""
        ...

    def latest(self, sql: str) -> object:
        """The value of `sql`, one aggregate giving the latest date of the first rows, unless the
        engine knows it already."""
        ...

    @property
    def one_pass(self) -> bool:
        """Whether one statement computing every figure beats one statement per figure: true
        where the canonical deals are cheap to read several times in a statement (a table in
        DuckDB) or costly to compute again per statement (a database aggregating a stage
        history per deal); false where each statement should read them once, so that the
        database can run it on all its workers (analytics.measures)."""
        ...


@dataclass(frozen=True)
class LocalEngine:
    con: duckdb.DuckDBPyConnection

    def rows(self, sql: str) -> Rows:
        return self.con.execute(sql).fetchall()

    def rows_each(self, sqls: Sequence[str]) -> list[Rows]:
        return [self.rows(sql) for sql in sqls]

    def latest(self, sql: str) -> object:
        return first_value(self.rows(sql))

    @property
    def one_pass(self) -> bool:
        return True


def first_value(rows: Rows) -> object:
    return rows[0][0] if rows else None
