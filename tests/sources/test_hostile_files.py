"""Hostile deal data (issue 10): files and values that crashed, hung or misled; each is refused
with a one-line message naming the file (and the rows, for values), fast."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from salesflow.errors import DataError
from salesflow.sources import files, parse
from salesflow.sources.connection import connect
from salesflow.sources.headers import check_header
from tests.sources.deal_data import problems, report, tables, write

pytestmark = pytest.mark.timeout(30)


def test_a_utf16_csv_without_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes("deal_id,stage\nA,Alpha\n".encode("utf-16-le"))
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=path)
    assert "looks like UTF-16 text without a byte-order mark" in str(raised.value)
    assert "\ufffd" not in str(raised.value) and "d e a l" not in str(raised.value)


def test_a_header_in_no_known_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(b"deal_id,st\x81ge\nA,Alpha\n")  # 0x81: neither UTF-8 nor cp1252
    with pytest.raises(DataError, match="row 1: the file is not text in any encoding tried"):
        tables(tmp_path, deals_path=path)


def test_a_header_field_over_128_kb(tmp_path: Path) -> None:
    deals = "deal_id,stage," + "x" * 140_000 + "\nA,Alpha,1\n"
    with pytest.raises(DataError, match="a column name in the header is longer than 128 KB"):
        tables(tmp_path, deals)


def test_a_header_line_over_1_mb_is_not_read_whole(tmp_path: Path) -> None:
    deals = "deal_id,stage," + ",".join(f"c{i}" for i in range(200_000)) + "\n"
    with pytest.raises(DataError, match="the header line is longer than 1,024 KB"):
        tables(tmp_path, deals)


def test_duplicate_columns_are_found_in_linear_time(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(40_000)) + ",c17,c5"
    path = write(tmp_path, "wide.csv", header + "\n")
    started = time.perf_counter()
    with pytest.raises(DataError, match="column 'c17' appears more than once"):
        check_header(str(path), header.split(","))
    assert time.perf_counter() - started < 2.0  # quadratic: 22 s


def test_a_path_too_long_for_the_system(tmp_path: Path) -> None:
    long = str(tmp_path / ("a" * 5000))
    with pytest.raises(DataError) as raised:
        files.open_source(connect(), long, "deals", "deals_db")
    message = str(raised.value)
    assert "cannot be read: File name too long" in message
    assert len(message) < 300 and "\n" not in message


@pytest.mark.parametrize(
    "text",
    [
        'Binder Error: No function matches the given name and argument types "trim(INTEGER[])"',
        "Invalid Input Error: Error in file: Parallel CSV Reader: could not parse, "
        "CSV Error on Line: 12\nmore detail",
    ],
)
def test_duckdb_error_texts_do_not_reach_the_user(text: str) -> None:
    message = files.explain(duckdb.Error(text), "deals.csv")
    assert "Binder Error" not in message and "Parallel CSV Reader" not in message
    assert "Invalid Input Error" not in message
    assert message.startswith("deals.csv")
    assert "\n" not in message


@pytest.mark.parametrize("amount", ["1e308", "-1e308", "1e400", "2e15"])
def test_amounts_beyond_the_range_are_refused_with_rows(tmp_path: Path, amount: str) -> None:
    deals = f"deal_id,stage,amount\nA,Won,10\nB,Won,{amount}\n"
    found = problems(tmp_path, deals)
    assert [(p.code, p.count, [d.row for d in p.examples]) for p in found] == [
        ("amount-out-of-range", 1, [3])
    ]
    assert found[0].examples[0].message == f'amount "{amount}" is not a finite amount within ±1e15'
    assert report(tmp_path, deals).funnel.avg_won_amount == 10  # never Infinity or NaN


def test_an_amount_of_a_quadrillion_still_reads(tmp_path: Path) -> None:
    deals = f"deal_id,stage,amount\nA,Won,{parse.MAX_AMOUNT:.0f}\n"
    assert problems(tmp_path, deals) == []


def test_non_finite_amounts_in_parquet_are_refused_with_rows(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES ('A', 'Won', 'nan'::DOUBLE), ('B', 'Won', 'inf'::DOUBLE), "
        f"('C', 'Won', 5.0), ('D', 'Won', 1e308)) t(deal_id, stage, amount)) TO '{path}'"
    )
    found = problems(tmp_path, deals_path=path)
    assert [(p.code, p.count, [d.row for d in p.examples]) for p in found] == [
        ("amount-out-of-range", 3, [1, 2, 4])
    ]
    assert report(tmp_path, deals_path=path).funnel.avg_won_amount == 5


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2262-04-12", "1899-12-31"])
def test_dates_outside_sane_years_are_unreadable(tmp_path: Path, day: str) -> None:
    deals = f"deal_id,stage,created_at\nA,Alpha,2024-01-01\nB,Alpha,{day}\n"
    found = problems(tmp_path, deals)
    assert [(p.code, [(d.row, d.message) for d in p.examples]) for p in found] == [
        ("bad-date", [(3, f'created_at "{day}" is not a date')])
    ]
