"""A text date read on a database (sources.remote.date_reading) is the date a file reads from the
same text (sources.parse, DuckDB's try_strptime), for every family, whichever format is its
column's most frequent; and its SQL runs in every dialect."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.sources import dates, parse
from salesflow.sources.remote.date_reading import READABLE, TextDate, reading_column, with_readings
from salesflow.sources.remote.transpile import to_dialect
from tests.sources.remote.test_dialect_sql import DIALECTS

CON = duckdb.connect()
READINGS = [
    TextDate(family, first) for family in sorted(READABLE) for first in dates.FAMILIES[family]
]
TRICKY = [
    "3/5/2024",
    "03/05/2024",
    "3/5/24",
    "3/5/69",
    "3/5/68",
    "3/5/024",
    "3/5/0024",
    "3/5/12024",
    "13/5/2024",
    "2/29/2024",
    "2/29/2023",
    "29/2/2024",
    "31/4/2024",
    "4/31/2024",
    "0/5/2024",
    "3/0/2024",
    "3/5/2024 9:02",
    "3/5/2024 9:2",
    "3/5/2024  21:02:59",
    "3/5/2024 24:00",
    "3/5/2024 9:60",
    "3/5/2024 9:02:60",
    "3/5/2024 9:02 PM",
    "3/5/2024 12:00 AM",
    "3/5/2024 12:30 pm",
    "3/5/2024 0:30 AM",
    "3/5/2024 13:00 PM",
    "3/5/2024 9:02PM",
    "3/5/2024 9:02:03 am",
    "3/5/2024 9:02:03.5",
    "3/5/24 9:02 PM",
    "5.3.2024",
    "05.03.24 18:45",
    "5-3-2024",
    "05-03-24",
    "5-3-2024 9:02:03",
    "2024-03-05",
    "3/5/2024 EST",
    "3/5/2024 9:02 XM",
    "N/A",
    "3//2024",
    "+3/5/2024",
    "3/5/2024 9:",
    "3/5/1899",
    "3/5/2201",
]


VALUES = "(SELECT unnest(?::VARCHAR[]) AS v, unnest(range(?)) AS i)"


def _file_reads(values: list[str], reading: TextDate) -> list[object]:
    formats = (reading.first, *(f for f in dates.FAMILIES[reading.family] if f != reading.first))
    file = parse.sane_years(parse.reading("v", "VARCHAR", "trim(v)", formats))
    return _read(values, f"SELECT {file} FROM {VALUES} src ORDER BY i")


def _database_reads(values: list[str], reading: TextDate) -> list[object]:
    relation = with_readings(VALUES, "src", [("v", reading)])
    return _read(values, f"SELECT {reading_column(0)} FROM {relation} src ORDER BY i")


def _read(values: list[str], sql: str) -> list[object]:
    rows = CON.execute(sql, [values, len(values)]).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize("reading", READINGS, ids=lambda r: f"{r.family} first {r.first}")
def test_tricky_values_read_as_a_file_reads_them(reading: TextDate) -> None:
    values = [v.replace("/", reading.separator) for v in TRICKY] + TRICKY
    read = _database_reads(values, reading)
    assert read == _file_reads(values, reading)
    assert 10 < sum(date is not None for date in read) < len(values) - 10


DIGITS = st.one_of(
    st.integers(0, 61).map(str),
    st.integers(0, 9).map(lambda n: f"0{n}"),
    st.sampled_from(["1899", "1900", "2024", "2200", "2201", "24", "68", "69", "024"]),
    st.text("0123456789", max_size=5),
)
SPACES = st.sampled_from(["", " ", "  ", "\t"])
NOON = st.sampled_from(["", " AM", " pm", "  PM", "AM", " XM"])


@st.composite
def written(draw: st.DrawFn, separator: str) -> str:
    sep = st.sampled_from([separator, separator, "/", ".", "-", ""])
    value = f"{draw(DIGITS)}{draw(sep)}{draw(DIGITS)}{draw(sep)}{draw(DIGITS)}"
    if draw(st.booleans()):
        time = f"{draw(DIGITS)}:{draw(DIGITS)}"
        if draw(st.booleans()):
            time += f":{draw(DIGITS)}"
        value += f"{draw(SPACES)}{time}{draw(NOON)}"
    return value


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_any_text_reads_as_a_file_reads_it(data: st.DataObject) -> None:
    reading = data.draw(st.sampled_from(READINGS))
    values = data.draw(st.lists(written(reading.separator), min_size=1, max_size=120))
    values = [value.strip() or "x" for value in values]  # read trimmed, never empty
    assert _database_reads(values, reading) == _file_reads(values, reading)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_reading_and_the_grouping_translate_to_every_dialect(dialect: str) -> None:
    reading = TextDate(dates.MDY, "%m/%d/%Y %I:%M %p")
    relation = with_readings("x", "src", [("v", reading)])
    sql = f"SELECT {reading_column(0)}, count(*) FROM {relation} src GROUP BY {dates.SIGNATURE}, 1"
    written_sql = to_dialect(sql, dialect)
    assert sqlglot.parse_one(written_sql, read=dialect) is not None
