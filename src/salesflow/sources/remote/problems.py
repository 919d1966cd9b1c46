"""Problems in a database's deals, found with aggregate queries on the server: labels and status
values that match nothing (refused unless --unmapped ignore), deals without an id. A database
has no row numbers, so each problem lists its values, not rows."""

from __future__ import annotations

from salesflow.diagnostics import Severity
from salesflow.model.data import DataProblem
from salesflow.sources.engine import Engine

LISTED = 10
UNMAPPED = (
    ("unmapped_label", "stage", "unmapped-label", "add each to a stage's aliases"),
    ("unmapped_lost", "lost stage", "unmapped-lost-stage", "add each to a stage's aliases"),
    (
        "unmapped_status",
        "status",
        "unmapped-status",
        "add each to outcomes.won or outcomes.lost aliases, a stage's aliases, or data.ignore",
    ),
)


def remote_problems(session: Engine, name: str) -> list[DataProblem]:
    problems = [_unmapped(session, name, *spec) for spec in UNMAPPED]
    problems.append(_missing_ids(session, name))
    return [problem for problem in problems if problem.count]


def _unmapped(
    session: Engine, name: str, column: str, what: str, code: str, hint: str
) -> DataProblem:
    rows = session.rows(
        f"SELECT min({column}), count(*) FROM deals_raw WHERE {column} IS NOT NULL "
        f"AND left_out IS NULL GROUP BY lower({column}) ORDER BY 2 DESC, 1"
    )
    count = sum(int(n) for _, n in rows)
    listed = ", ".join(f'"{value}" ({int(n):,})' for value, n in rows[:LISTED])
    more = f" and {len(rows) - LISTED} more" if len(rows) > LISTED else ""
    statement = (
        f"{_plural(count, 'deal')} with a {what} that matches no stage or outcome: {listed}{more}"
    )
    return DataProblem(
        name, code, Severity.ERROR, count, statement, [], f"{hint} (--unmapped ignore skips them)"
    )


def _missing_ids(session: Engine, name: str) -> DataProblem:
    rows = session.rows("SELECT count(*) FROM deals_raw WHERE deal_id IS NULL AND left_out IS NULL")
    count = int(rows[0][0]) if rows else 0
    statement = f"{_plural(count, 'row')} without a deal id; they are left out"
    return DataProblem(name, "missing-id", Severity.WARNING, count, statement)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
