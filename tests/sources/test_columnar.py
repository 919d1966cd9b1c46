"""sources.columnar.load_typed: rows whose types are known (a database's canonical deals) become
a table of those types, NULLs kept, timestamps to the microsecond, as many rows as given."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from salesflow.sources.columnar import load_typed

TYPES = {
    "deal_id": "VARCHAR",
    "amount": "DOUBLE",
    "position": "INTEGER",
    "created_at": "TIMESTAMP",
    "nothing": "TIMESTAMP",
}


def test_each_column_has_its_type_and_its_nulls() -> None:
    con = duckdb.connect()
    rows = [
        ("D1", 1500.25, 2, datetime(2024, 3, 5, 18, 41, 7, 123456), None),
        ("D2", None, None, None, None),
        (None, Decimal("12.5"), 0, datetime(1999, 12, 31), None),
    ]
    load_typed(con, "first_rows", TYPES, rows)
    described = {name: kind for name, kind, *_ in con.execute("DESCRIBE first_rows").fetchall()}
    assert described == TYPES
    assert con.execute("SELECT * FROM first_rows").fetchall() == [
        ("D1", 1500.25, 2, datetime(2024, 3, 5, 18, 41, 7, 123456), None),
        ("D2", None, None, None, None),
        (None, 12.5, 0, datetime(1999, 12, 31), None),
    ]


def test_nulls_before_the_first_value_do_not_change_a_type() -> None:
    con = duckdb.connect()
    rows = [("D", None, None, None, None)] * 5000 + [("E", 1.0, 1, datetime(2024, 1, 2), None)]
    load_typed(con, "t", TYPES, rows)
    assert con.execute("SELECT count(created_at), max(created_at) FROM t").fetchone() == (
        1,
        datetime(2024, 1, 2),
    )


@pytest.mark.parametrize("rows", [[], [("D", 1.0, 1, None, None)]])
def test_no_rows_or_one(rows: list[tuple[object, ...]]) -> None:
    con = duckdb.connect()
    load_typed(con, "t", TYPES, rows)
    assert con.execute("SELECT count(*) FROM t").fetchone() == (len(rows),)
