"""The labels that map CRM data onto the process: stage ids, names and aliases, and outcomes."""

from __future__ import annotations

import duckdb

from salesflow.model import Process

WON = "won"
LOST = "lost"


def label_rows(process: Process) -> list[tuple[str, int | None, str | None]]:
    """(label, stage index, outcome), labels trimmed and lower-cased."""
    rows: dict[str, tuple[str, int | None, str | None]] = {}
    for index, stage in enumerate(process.stages):
        for text in (stage.id, stage.name, *stage.aliases):
            rows.setdefault(_fold(text), (_fold(text), index, None))
    outcomes = ((WON, process.outcomes.won), (LOST, process.outcomes.lost))
    for key, outcome in outcomes:
        for text in (key, outcome.name, *outcome.aliases):
            rows.setdefault(_fold(text), (_fold(text), None, key))
    return list(rows.values())


def create_label_table(con: duckdb.DuckDBPyConnection, process: Process) -> None:
    con.execute("CREATE TEMP TABLE labels (label VARCHAR, stage_index INTEGER, outcome VARCHAR)")
    con.executemany("INSERT INTO labels VALUES (?, ?, ?)", label_rows(process))


def _fold(text: str) -> str:
    return text.strip().lower()
