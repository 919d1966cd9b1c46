"""SQLite databases read through the standard library, read-only, in rowid order."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from salesflow.errors import DataError
from salesflow.sources.connection import connect
from salesflow.sources.files import open_source
from tests.sources.deal_data import problems, tables


def _database(path: Path, rows: list[tuple[object, ...]]) -> Path:
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE deals (deal_id INTEGER, stage TEXT, amount REAL)")
        database.execute("CREATE TABLE notes (text TEXT)")
        database.executemany("INSERT INTO deals VALUES (?, ?, ?)", rows)
    return path


def test_a_table_is_read_in_rowid_order_with_its_types(tmp_path: Path) -> None:
    path = _database(
        tmp_path / "crm.db", [(3, "Beta", 10.5), (1, "Alpha", None), (2, "Nowhere", 1)]
    )
    built = tables(tmp_path, deals_path=path)
    assert built.deals.columns == {"deal_id": "BIGINT", "stage": "VARCHAR", "amount": "DOUBLE"}
    assert built.con.execute("SELECT deal_id, amount FROM deals_raw").fetchall() == [
        ("3", 10.5),
        ("1", None),
        ("2", 1.0),
    ]
    unmapped = next(p for p in problems(tmp_path, deals_path=path) if p.code == "unmapped-label")
    assert [d.row for d in unmapped.examples] == [3]


def test_table_is_chosen_and_an_unknown_one_lists_the_tables(tmp_path: Path) -> None:
    path = _database(tmp_path / "crm.sqlite", [])
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=path, table="opportunities")
    assert str(raised.value) == (
        f"{path}: no table 'opportunities' (tables: deals, notes); choose one with --table"
    )


def test_the_database_is_opened_read_only(tmp_path: Path) -> None:
    path = _database(tmp_path / "crm.db", [(1, "Alpha", 1)])
    before = path.read_bytes()
    tables(tmp_path, deals_path=path)
    assert path.read_bytes() == before
    assert not (tmp_path / "crm.db-journal").exists()


def test_many_rows_load_quickly(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE deals (deal_id TEXT, stage TEXT, amount REAL)")
        database.executemany(
            "INSERT INTO deals VALUES (?, 'Alpha', ?)", ((f"D{i}", i * 1.5) for i in range(200_000))
        )
    started = time.perf_counter()
    con = connect()
    source = open_source(con, str(path), "deals", "deals_db")
    assert con.execute(f"SELECT count(*) FROM {source.relation}").fetchone() == (200_000,)
    assert time.perf_counter() - started < 3.0
