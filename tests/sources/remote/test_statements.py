"""The end of the data as a constant (sources.remote.statements.Statements.know_data_end)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest

from salesflow.sources.canonical import latest_sql
from salesflow.sources.remote.statements import Statements

STAGES = 3


def statements() -> Statements:
    layout: Any = SimpleNamespace(stages=STAGES)  # the constant needs only the stage count
    return Statements(layout, "postgres")


@pytest.mark.parametrize(
    ("latest", "constant"),
    [
        (datetime(2026, 10, 31, 17, 5, 1, 250), "CAST('2026-10-31 17:05:01.000250' AS TIMESTAMP)"),
        (
            datetime(2026, 11, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))),
            "CAST('2026-10-31 23:30:00' AS TIMESTAMP)",
        ),
        (datetime(2026, 1, 1, tzinfo=UTC), "CAST('2026-01-01 00:00:00' AS TIMESTAMP)"),
        (None, "CAST(NULL AS TIMESTAMP)"),
    ],
)
def test_the_end_of_the_data_is_written_as_a_constant(latest: object, constant: str) -> None:
    written = statements()
    written.know_data_end(latest)
    assert written.data_end == constant
    query = f"SELECT {latest_sql(STAGES)} AS last_"
    assert written._constant_end(query) == f"SELECT {constant} AS last_"


def test_an_unknown_value_keeps_the_subquery() -> None:
    written = statements()
    written.know_data_end("2026-10-31")
    assert written.data_end is None
    query = f"SELECT {latest_sql(STAGES)} AS last_"
    assert written._constant_end(query) == query
