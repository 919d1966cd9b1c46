"""The values a database's readings read as nothing, counted once the labels are known, among
the deals kept (as a file counts them) and in the history: the warnings name each column and
its first such value."""

from __future__ import annotations

import dataclasses

from salesflow.sources.engine import Engine
from salesflow.sources.remote.relations import (
    Layout,
    Unreadable,
    read_texts,
    unreadable_history_dates_sql,
    unreadable_sql,
)


def count_unreadable(engine: Engine, layout: Layout) -> Layout:
    """The layout with the values read as nothing counted, among the deals kept: of each text
    column read by a reading (sources.remote.relations.read_texts: the dates, the amount), the
    dates outside the years a file's dates may have (with `sane_dates`), and of the history's
    text dates."""
    in_dates: list[Unreadable] = []
    in_amounts: list[Unreadable] = []
    deals = unreadable_sql(layout)
    row = engine.rows(deals)[0] if deals is not None else ()
    for index, (column, _) in enumerate(read_texts(layout)):
        count, first = int(row[2 * index] or 0), str(row[2 * index + 1])
        found = Unreadable(column, count, first, history=False)
        (in_dates if column in layout.text_dates else in_amounts).append(found)
    history = unreadable_history_dates_sql(layout)
    entered = layout.history_columns.get("entered")
    if history is not None and entered is not None:
        count, first = engine.rows(history)[0]
        in_dates.append(Unreadable(entered, int(count or 0), str(first), history=True))
    return dataclasses.replace(
        layout,
        bad_date_rows=int(row[-1] or 0) if layout.sane_dates else 0,
        unreadable_dates=tuple(item for item in in_dates if item.rows),
        unreadable_amounts=tuple(item for item in in_amounts if item.rows),
    )
