"""Amounts a database holds as text (a CSV loaded as it was), read as a file reads them.

A plain number (`1234.5`, `-12`, `1e5`) is cast on the server. Other text (`1,000.00` from a
Salesforce report, `$1,234.50`, `(500)`, `1.234,56`) is read by SQL every target runs without
an error (sources.remote.amount_reading): the file's own rules without a declared number format
(the last mark decides decimals, `12.000` is refused as ambiguous, parentheses are negative),
in functions every server has. Whether that reading is the file's is proved on the data itself:
the column's values that are not plain numbers are grouped by their shape (each digit as 0 or
1: whether a digit is zero is all the rules look at), one value of each shape comes back, and
the file's reader and the server's reading read it in the local DuckDB. A shape the two read
differently (a currency code or a `k` suffix, which only the file's reader cleans)
is refused with one line, as is one whose reading depends on the number format; the rows no
rule reads are counted once the labels are known (sources.remote.unread)
and named in a warning, as a file names them. The currency a value writes is compared too: a
shape the server reads in another currency than the file is refused. When some value writes a
currency symbol (`€ 99`, `$1,000.00`), the server reads each row's (only then: it costs a few
comparisons per row), and it converts and checks it as a file does (sources.remote.currencies).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import duckdb

from salesflow.errors import DataError
from salesflow.sources import currency, parse
from salesflow.sources.engine import Engine
from salesflow.sources.remote.amount_reading import AMOUNT, MARK, plain, with_amount
from salesflow.sources.remote.relations import Layout
from salesflow.sources.remote.shapes import Shapes, load_shapes

MAX_SHAPES = 50_000


class Reading(NamedTuple):
    """A value of one shape as the file's reader and the server's reading read it."""

    value: str
    file: object  # the amount, NULL when unread
    server: object
    ambiguous: bool  # unread by the file only because its reading depends on the number format
    file_mark: str | None  # the currency it writes (sources.currency.captured)
    server_mark: str | None

    def differs(self) -> bool:
        """Read otherwise by the server: another amount, or the same in another currency."""
        return self.file != self.server or (
            self.server is not None and self.file_mark != self.server_mark
        )


def read_text_amounts(
    engine: Engine, con: duckdb.DuckDBPyConnection, layout: Layout, source: str
) -> Layout:
    """The layout reading its text amount column as a file does, when it is not all plain
    numbers."""
    column = layout.columns.get("amount")
    if column is None or column not in layout.text_columns:
        return layout
    too_many = (
        f"{source}: column '{column}' holds amounts as text in more than {MAX_SHAPES:,} "
        "shapes; convert it in --query (e.g. to numeric) or store it as a number"
    )
    digits = "translate(v, '0123456789', '0111111111')"
    shapes = Shapes(column, layout.deals, "src", digits, MAX_SHAPES, too_many, f"NOT {plain('v')}")
    if not load_shapes(engine, con, shapes, "sf_amount_shapes"):
        return layout
    readings = compared(con, "sf_amount_shapes")
    refuse_differences(readings, column, source)
    marks = any(reading.server_mark is not None for reading in readings)
    return dataclasses.replace(layout, text_amount=True, amount_marks=marks)


def compared(con: duckdb.DuckDBPyConnection, table: str) -> list[Reading]:
    """The reading of each value `v` of the local `table` (one of each shape)."""
    file = parse.amount("v", "VARCHAR")
    file_mark = currency.captured("v", "VARCHAR")
    relation = with_amount(table, "src", "v", marks=True)
    rows = con.execute(
        f"SELECT v, {file}, {AMOUNT}, {parse.ambiguous(parse.text('v'))}, {file_mark}, {MARK} "
        f"FROM {relation} src ORDER BY v"
    ).fetchall()
    return [Reading(str(row[0]), row[1], row[2], bool(row[3]), row[4], row[5]) for row in rows]


def refuse_differences(readings: list[Reading], column: str, source: str) -> None:
    """Refuse the column when a value reads differently by number format, or on the server."""
    ambiguous = [r.value for r in readings if r.file is None and r.ambiguous]
    if ambiguous:
        raise DataError(
            f"{source}: column '{column}': amounts such as {', '.join(ambiguous[:3])} read "
            "differently by number format (thousands or decimals?); convert it in --query "
            "(e.g. remove the thousands separators and cast to numeric)"
        )
    different = [reading.value for reading in readings if reading.differs()]
    if different:
        raise DataError(
            f"{source}: column '{column}' holds amounts as text such as \"{different[0]}\", "
            "read from files only; convert it in --query (e.g. remove the currency code and "
            "cast to numeric) or store it as a number"
        )
