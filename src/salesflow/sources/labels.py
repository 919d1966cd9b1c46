"""The labels that map CRM data onto the process: stage ids, names and aliases, and outcomes.

They become DuckDB MAP literals, looked up per row: unlike a join, a lookup keeps the rows in
file order, so a table's `rowid` stays its row number in the file.
"""

from __future__ import annotations

from salesflow.model import Process
from salesflow.sources.connection import quote_text

WON = "won"
LOST = "lost"


def stage_labels(process: Process) -> dict[str, int]:
    """Folded label → stage index."""
    labels: dict[str, int] = {}
    for index, stage in enumerate(process.stages):
        for text in (stage.id, stage.name, *stage.aliases):
            labels.setdefault(fold(text), index)
    return labels


def outcome_labels(process: Process) -> dict[str, str]:
    """Folded label → 'won' or 'lost' (the words themselves included)."""
    labels: dict[str, str] = {}
    for key, outcome in ((WON, process.outcomes.won), (LOST, process.outcomes.lost)):
        for text in (key, outcome.name, *outcome.aliases):
            labels.setdefault(fold(text), key)
    return labels


def lookup(mapping: dict[str, int] | dict[str, str], key_sql: str) -> str:
    """SQL looking `key_sql` up in a MAP literal of `mapping`; NULL when absent."""
    entries = ", ".join(f"'{quote_text(k)}': {_literal(v)}" for k, v in mapping.items())
    return f"(MAP {{{entries}}})[{key_sql}]"


def fold(text: str) -> str:
    return text.strip().lower()


def _literal(value: int | str) -> str:
    return str(value) if isinstance(value, int) else f"'{quote_text(value)}'"
