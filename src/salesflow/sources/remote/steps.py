"""Columns computed in steps, each a subquery over the one before that carries a `FENCE`
column: PostgreSQL would otherwise merge the subqueries and repeat each step's expressions at
every use in the next (a date's year is used eight times), which made a million rows take
minutes (sources.remote.transpile gives the fence a volatile value there)."""

from __future__ import annotations

from collections.abc import Sequence

from salesflow.sources.engine import FENCE


def in_steps(relation: str, alias: str, steps: Sequence[Sequence[str]]) -> str:
    """`relation` (aliased `alias` at every step) with the items of each step added to its
    columns, a step's items reading the columns of the steps before; parenthesised, without
    the alias (the caller adds it)."""
    wrapped = f"{relation} {alias}"
    for level, items in enumerate(steps):
        fence = f"TRUE AS {FENCE}{alias}_{level}"
        wrapped = f"(SELECT {alias}.*, {', '.join(items)}, {fence} FROM {wrapped}) {alias}"
    return wrapped[: -len(alias) - 1]
