"""Dates a database holds as text (a CSV loaded as it was) are read only when written as ISO
8601 (2024-03-05, with a time and an offset or not): `03/05/2024` would be read by the server's
own date style, which may take it either way. Anything else is refused, naming the column and the
first such value, before any figure is computed."""

from __future__ import annotations

from salesflow.errors import DataError
from salesflow.sources.engine import Engine
from salesflow.sources.remote.relations import Layout, text

ISO_DAY = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T].*)?$"


def check_text_dates(engine: Engine, layout: Layout, source: str) -> None:
    for column, relation, table in _text_dates(layout):
        value = text(column, table)
        rows = engine.rows(
            f"SELECT {value} FROM {relation} {table} WHERE {value} IS NOT NULL "
            f"AND NOT regexp_matches({value}, '{ISO_DAY}') LIMIT 1"
        )
        if rows:
            raise DataError(
                f"{source}: column '{column}' holds dates as text not written YYYY-MM-DD (first: "
                f'"{rows[0][0]}"); convert it in --query (e.g. to_date) or store it as a date'
            )


def _text_dates(layout: Layout) -> list[tuple[str, str, str]]:
    """(column, relation, alias) of each date column held as text."""
    columns = [layout.columns.get(key) for key in ("created", "closed")] + [layout.closed_lost]
    columns += list(layout.stage_dates.values())
    found = [(c, layout.deals, "src") for c in columns if c and c in layout.text_columns]
    entered = layout.history_columns.get("entered")
    if layout.history and entered and entered in layout.history_text:
        found.append((entered, layout.history, "history"))
    return found
