"""A text amount read on a database (sources.remote.amount_reading) is the amount a file reads
from the same text (sources.parse.amount, no declared number format), in the same currency
(sources.currency.captured), for text without letters, and refused (read differently:
sources.remote.text_amounts) for what only a file cleans; its SQL runs in every dialect."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.errors import DataError
from salesflow.sources import currency, parse
from salesflow.sources.remote.amount_reading import AMOUNT, MARK, with_amount
from salesflow.sources.remote.text_amounts import Reading, compared, refuse_differences
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


def _file_marks(values: list[str]) -> list[object]:
    return _read(values, f"SELECT {currency.captured('v', 'VARCHAR')} FROM {VALUES} src ORDER BY i")


def _database_marks(values: list[str]) -> list[object]:
    relation = with_amount(VALUES, "src", "v", marks=True)
    return _read(values, f"SELECT {MARK} FROM {relation} src ORDER BY i")


def _read(values: list[str], sql: str) -> list[object]:
    return [row[0] for row in CON.execute(sql, [values, len(values)]).fetchall()]


def _readings(values: list[str]) -> list[Reading]:
    """Each value as text_amounts compares it (one of each shape, in the local DuckDB)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE shapes AS SELECT unnest(?::VARCHAR[]) AS v", [values])
    return compared(con, "shapes")


def test_tricky_amounts_read_as_a_file_reads_them() -> None:
    read = _database(TRICKY)
    assert read == _file(TRICKY)
    assert 10 < sum(amount is not None for amount in read) < len(TRICKY) - 10


def test_tricky_amounts_write_the_currency_a_file_reads() -> None:
    marks = _database_marks(TRICKY)
    assert marks == _file_marks(TRICKY)
    assert {"$", "EUR"} <= {mark for mark in marks if mark is not None}


def test_what_only_a_file_cleans_reads_otherwise() -> None:
    """Currency codes and k/M suffixes (before a code too): found by the check on the data
    (text_amounts), which refuses the column."""
    values = ["USD 1,000.00", "1,000.00 EUR", "5k", "1.2M", "12K GBP", "2M EUR", "1.5k EUR"]
    assert all(read is None for read in _database(values))
    assert all(read is not None for read in _file(values))
    for value in values:
        with pytest.raises(DataError, match="read from files only"):
            refuse_differences(_readings([value]), "amount", "db")


def test_symbols_are_read_in_their_currency_and_the_column_is_not_refused() -> None:
    readings = _readings(["€ 99.50", "$1,234.50", "£ 2", "¥100", "(12.50)"])
    assert {r.value: (r.server, r.server_mark) for r in readings} == {
        "€ 99.50": (99.5, "EUR"),
        "$1,234.50": (1234.5, "$"),
        "£ 2": (2.0, "GBP"),
        "¥100": (100.0, "¥"),
        "(12.50)": (-12.5, None),
    }
    assert not any(reading.differs() for reading in readings)
    refuse_differences(readings, "amount", "db")


def test_a_value_read_in_another_currency_is_refused() -> None:
    reading = Reading("€ 5", 5.0, 5.0, False, "EUR", None)
    assert reading.differs()
    with pytest.raises(DataError, match='such as "€ 5", read from files only'):
        refuse_differences([reading], "amount", "db")


PIECES = st.sampled_from(
    ["0", "1", "7", "12", "000", "999", ".", ",", " ", "-", "$", "€", "(", ")", "'", "£", "¥"]
)
# Suffixes and codes, in any case: what only a file reads.
LETTERS = st.sampled_from(["k", "K", "M", "EUR", "gbp", "Usd", "n/a", "e5"])
NUMBERS = st.sampled_from(["12", "1.5", "2", "1,000.00", "0.5", "999", "12.000"])


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(PIECES, min_size=1, max_size=9).map("".join), min_size=1, max_size=150))
def test_any_text_without_letters_reads_as_a_file_reads_it(values: list[str]) -> None:
    values = [value.strip() or "0" for value in values]  # read trimmed, never empty
    assert _database(values) == _file(values)
    assert _database_marks(values) == _file_marks(values)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(PIECES, LETTERS), min_size=1, max_size=7).map("".join),
        min_size=1,
        max_size=100,
    )
)
def test_any_text_the_database_reads_it_reads_as_a_file_else_refuses(values: list[str]) -> None:
    """With letters too: a value the server reads is the file's amount in the file's currency;
    one the file reads and the server does not makes the column refused."""
    values = [value.strip() or "0" for value in values]
    for reading in _readings(values):
        if reading.server is not None:
            assert (reading.server, reading.server_mark) == (reading.file, reading.file_mark)
        assert reading.differs() == (reading.file != reading.server)


@settings(max_examples=40, deadline=None)
@given(
    NUMBERS,
    st.sampled_from(["", " "]),
    st.sampled_from([("k", 1000), ("K", 1000), ("M", 1_000_000)]),
    st.sampled_from(["", " "]),
    st.sampled_from(["EUR", "gbp", "Usd", "CAD"]),
    st.booleans(),
)
def test_a_suffix_and_a_code_read_in_a_file_and_refused_on_the_server(
    number: str,
    space: str,
    suffix: tuple[str, int],
    gap: str,
    code: str,
    leading: bool,
) -> None:
    """`12K GBP`, `GBP 12K`, `1.5k EUR`: the file reads the number times the suffix, in the
    code's currency (or refuses it as ambiguous, `12.000`); the server reads no number, so the
    column is refused, never read in another currency."""
    letter, scale = suffix
    written = f"{number}{space}{letter}"
    value = f"{code}{gap}{written}" if leading else f"{written}{gap}{code}"
    (reading,) = _readings([value])
    plain = _file([number])[0]
    assert reading.file == (None if plain is None else pytest.approx(plain * scale))
    assert reading.file_mark == code.upper()
    assert reading.server is None and reading.server_mark is None
    assert reading.differs() == (plain is not None)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_reading_translates_to_every_dialect(dialect: str) -> None:
    sql = f"SELECT {AMOUNT}, {MARK} FROM {with_amount('x', 'src', 'amount', marks=True)} src"
    assert sqlglot.parse_one(to_dialect(sql, dialect), read=dialect) is not None
