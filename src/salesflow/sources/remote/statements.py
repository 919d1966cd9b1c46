"""The statements a database gets: the canonical CTEs a metric's query reads (each transpiled
once per command) in front of that query (transpiled on its own).

The end of the data (sources.canonical.latest_sql, a subquery over first_rows that every
funnel_deals row carries) is written as a constant once it is known (`data_end`): a statement
that read first_rows twice, for the end and for the deals, made PostgreSQL store all of first_rows
apart, on one core, before counting anything (it took 4 of the 9 s of analyze's statement on
1M deals); with the constant, first_rows is folded into the one scan."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from salesflow.sources.canonical import latest_sql
from salesflow.sources.remote.relations import Layout, relations
from salesflow.sources.remote.transpile import to_dialect

QUOTED = re.compile(r"\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'")


@dataclass
class Statements:
    """The statements of one layout for one dialect, each CTE transpiled once."""

    layout: Layout
    dialect: str
    data_end: str | None = None  # the end of the data as a constant, once it is known
    _bodies: dict[str, str] = field(default_factory=dict)

    def statement(self, query: str) -> str:
        """`query` (DuckDB's dialect, over the canonical relations) after the CTEs it reads."""
        query = self._constant_end(query)
        ctes = [f"{name} AS ({self._body(name, sql)})" for name, sql in self._needed(query)]
        written = to_dialect(query, self.dialect)
        return "WITH " + ",\n".join(ctes) + "\n" + written if ctes else written

    def reads_data_end(self, query: str) -> bool:
        """Whether `query` reads the end of the data, itself or through funnel_deals."""
        latest = latest_sql(self.layout.stages)
        return any(latest in sql for sql in (query, *(body for _, body in self._needed(query))))

    def know_data_end(self, latest: object) -> None:
        """The end of the data, as the server computed it: written as a constant from now on."""
        if isinstance(latest, datetime):
            if latest.tzinfo is not None:
                latest = latest.astimezone(UTC).replace(tzinfo=None)
            self.data_end = f"CAST('{latest.isoformat(sep=' ')}' AS TIMESTAMP)"
        elif latest is None:
            self.data_end = "CAST(NULL AS TIMESTAMP)"
        self._bodies.clear()

    def _needed(self, query: str) -> list[tuple[str, str]]:
        return [(name, self._constant_end(sql)) for name, sql in needed(self.layout, query)]

    def _constant_end(self, sql: str) -> str:
        if self.data_end is None:
            return sql
        return sql.replace(latest_sql(self.layout.stages), self.data_end)

    def _body(self, name: str, sql: str) -> str:
        if name not in self._bodies:
            self._bodies[name] = to_dialect(sql, self.dialect)
        return self._bodies[name]


def needed(layout: Layout, query: str) -> list[tuple[str, str]]:
    """The canonical CTEs `query` reads, directly or through another, in order. Only those: a
    CTE read twice, even by one that is never used, is computed apart (in PostgreSQL, on one
    core, into a temporary store) rather than folded into the query."""
    ctes = relations(layout)
    wanted: set[str] = set()
    pending = [query]
    while pending:
        text = QUOTED.sub(" ", pending.pop())  # a quoted table name is not a CTE
        for name in ctes:
            if name not in wanted and re.search(rf"\b{name}\b", text):
                wanted.add(name)
                pending.append(ctes[name])
    return [(name, sql) for name, sql in ctes.items() if name in wanted]
