"""Amounts a database holds as text (a CSV loaded as it was) are cast on the server, which reads
only plain numbers (`1234.5`, `-12`, `1e5`). A file's reader also cleans currency symbols,
thousands separators and `k` suffixes, and names each row it cannot read; on a database such
text would stop the statement with the server's own error. So it is looked for first, and
refused with one line naming the column and the first such value."""

from __future__ import annotations

from salesflow.errors import DataError
from salesflow.sources.engine import Engine
from salesflow.sources.remote.relations import Layout, text

PLAIN_NUMBER = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"


def check_text_amounts(engine: Engine, layout: Layout, source: str) -> None:
    column = layout.columns.get("amount")
    if column is None or column not in layout.text_columns:
        return
    value = text(column)
    rows = engine.rows(
        f"SELECT {value} FROM {layout.deals} src WHERE {value} IS NOT NULL "
        f"AND NOT regexp_matches({value}, '{PLAIN_NUMBER}') LIMIT 1"
    )
    if rows:
        raise DataError(
            f"{source}: column '{column}' holds amounts as text not written as plain numbers "
            f'(first: "{rows[0][0]}"); convert it in --query (e.g. remove the currency symbol '
            "and the thousands separators, then cast to numeric) or store it as a number"
        )
