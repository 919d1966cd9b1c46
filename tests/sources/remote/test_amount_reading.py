"""A text amount read on a database (sources.remote.amount_reading) is the amount a file reads
from the same text (sources.parse.amount, no declared number format) for text without letters,
and refused (read differently) for what only a file cleans; its SQL runs in every dialect."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.sources import parse
from salesflow.sources.remote.amount_reading import AMOUNT, with_amount
from salesflow.sources.remote.transpile import to_dialect
from tests.sources.remote.test_dialect_sql import DIALECTS

CON = duckdb.connect()
VALUES = "(SELECT unnest(?::VARCHAR[]) AS v, unnest(range(?)) AS i)"
TRICKY = [
    "1,000.00",
    "$1,234.50",
    "(500.00)",
    "-12.5",
    "1.234,56",
    "1 234,56",
    "12.000",
    "1,234",
    "1,5",
    "0.123",
    "0,123",
    "12,345,678.9",
    "1.234.567",
    "1,234,50",
    "€ 99",
    "99 €",
    "1e5",
    ".5",
    "5.",
    "--5",
    "1-2",
    "-",
    ".",
    ",",
    "1,2,3",
    "1.2.3,4",
    "1'234.56",
    "(1,000)",
    "n/a",
    "",
    "12.0000",
    "123.456",
    "1234.567",
    "10.000,5",
    "$-5",
    "+7",
    "1e400",
    "1000000000000000000",
]


def _file(values: list[str]) -> list[object]:
    return _read(values, f"SELECT {parse.amount('v', 'VARCHAR')} FROM {VALUES} src ORDER BY i")


def _database(values: list[str]) -> list[object]:
    relation = with_amount(VALUES, "src", "v")
    return _read(values, f"SELECT {AMOUNT} FROM {relation} src ORDER BY i")


def _read(values: list[str], sql: str) -> list[object]:
    return [row[0] for row in CON.execute(sql, [values, len(values)]).fetchall()]


def test_tricky_amounts_read_as_a_file_reads_them() -> None:
    read = _database(TRICKY)
    assert read == _file(TRICKY)
    assert 10 < sum(amount is not None for amount in read) < len(TRICKY) - 10


def test_what_only_a_file_cleans_reads_otherwise() -> None:
    """Currency codes and k/M suffixes: found by the check on the data (text_amounts)."""
    values = ["USD 1,000.00", "1,000.00 EUR", "5k", "1.2M"]
    assert all(read is None for read in _database(values))
    assert all(read is not None for read in _file(values))


PIECES = st.sampled_from(
    ["0", "1", "7", "12", "000", "999", ".", ",", " ", "-", "$", "€", "(", ")", "'"]
)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(PIECES, min_size=1, max_size=9).map("".join), min_size=1, max_size=150))
def test_any_text_without_letters_reads_as_a_file_reads_it(values: list[str]) -> None:
    values = [value.strip() or "0" for value in values]  # read trimmed, never empty
    assert _database(values) == _file(values)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_reading_translates_to_every_dialect(dialect: str) -> None:
    sql = f"SELECT {AMOUNT} FROM {with_amount('x', 'src', 'amount')} src"
    assert sqlglot.parse_one(to_dialect(sql, dialect), read=dialect) is not None
