"""The statements a database gets: the canonical CTEs a metric's query reads (each transpiled
once per command) in front of that query (transpiled on its own)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from salesflow.sources.remote.relations import Layout, relations
from salesflow.sources.remote.transpile import to_dialect

QUOTED = re.compile(r"\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'")


@dataclass
class Statements:
    """The statements of one layout for one dialect, each CTE transpiled once."""

    layout: Layout
    dialect: str
    _bodies: dict[str, str] = field(default_factory=dict)

    def statement(self, query: str) -> str:
        """`query` (DuckDB's dialect, over the canonical relations) after the CTEs it reads."""
        ctes = [f"{name} AS ({self._body(name, sql)})" for name, sql in needed(self.layout, query)]
        written = to_dialect(query, self.dialect)
        return "WITH " + ",\n".join(ctes) + "\n" + written if ctes else written

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
