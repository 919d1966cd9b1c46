"""The labels that map CRM data onto the process: stage ids, names and aliases, and outcomes.

They become DuckDB MAP literals, looked up per row: unlike a join, a lookup keeps the rows in
file order, so a table's `rowid` stays its row number in the file.
"""

from __future__ import annotations

from salesflow.model import Process
from salesflow.model.labels import DOTTED_I, LOST, WON, fold
from salesflow.sources.connection import quote_text

__all__ = ["LOST", "WON", "fold", "lookup", "outcome_labels", "sql_fold", "stage_labels"]

# DuckDB has no NFKC normalisation nor case folding; these steps after nfc_normalize and lower()
# give the same text as model.labels.fold for full-width forms, ß/ẞ/SS, final sigma and İ.
FULL_WIDTH = "".join(chr(code) for code in range(0xFF01, 0xFF5F))
ASCII = "".join(chr(code) for code in range(0x21, 0x7F))
SQL_REPLACEMENTS = (("ß", "ss"), ("ς", "σ"), (DOTTED_I, "i"))


def stage_labels(process: Process) -> dict[str, int]:
    """Folded label → stage index."""
    labels: dict[str, int] = {}
    for index, stage in enumerate(process.stages):
        for text in (stage.id, stage.name, *stage.aliases):
            labels.setdefault(fold(text), index)
    for index, stage in enumerate(process.stages):
        for text in (stage.id, stage.name, *stage.aliases):
            labels.setdefault(_as_written(text), index)
    return labels


def outcome_labels(process: Process) -> dict[str, str]:
    """Folded label → 'won' or 'lost' (the words themselves included)."""
    labels: dict[str, str] = {}
    outcomes = ((WON, process.outcomes.won), (LOST, process.outcomes.lost))
    for key, outcome in outcomes:
        for text in (key, outcome.name, *outcome.aliases):
            labels.setdefault(fold(text), key)
    for key, outcome in outcomes:
        for text in (key, outcome.name, *outcome.aliases):
            labels.setdefault(_as_written(text), key)
    return labels


def lookup(mapping: dict[str, int] | dict[str, str], key_sql: str) -> str:
    """SQL looking `key_sql` up in a MAP literal of `mapping`; NULL when absent."""
    entries = ", ".join(f"'{quote_text(k)}': {_literal(v)}" for k, v in mapping.items())
    return f"(MAP {{{entries}}})[{key_sql}]"


def sql_fold(value_sql: str) -> str:
    """SQL folding a label as `fold` does (trimmed text in, NULL stays NULL). ASCII text, most
    labels, only needs lower(); translate() is slow, so it runs only on text with a full-width
    character."""
    lowered = f"lower(nfc_normalize({value_sql}))"
    widths = f"'{FULL_WIDTH}', '{quote_text(ASCII)}'"
    narrowed = (
        f"CASE WHEN regexp_matches({value_sql}, '[{FULL_WIDTH[0]}-{FULL_WIDTH[-1]}]') "
        f"THEN translate({lowered}, {widths}) ELSE {lowered} END"
    )
    for before, after in SQL_REPLACEMENTS:
        narrowed = f"replace({narrowed}, '{before}', '{after}')"
    return (
        f"CASE WHEN strlen({value_sql}) = length({value_sql}) THEN lower({value_sql}) "
        f"ELSE {narrowed} END"
    )


def _as_written(text: str) -> str:
    """A second key per label: lower-cased only, as DuckDB lower-cases the data, so that a label
    with compatibility characters that `sql_fold` does not fold (a ligature, a superscript)
    still matches data that writes it the same way."""
    return text.strip().lower()


def _literal(value: int | str) -> str:
    return str(value) if isinstance(value, int) else f"'{quote_text(value)}'"
