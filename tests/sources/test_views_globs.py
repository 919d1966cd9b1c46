"""DuckDB views (read-only, refused when they may read files) and several CSV files by glob."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from salesflow.errors import DataError
from tests.sources.deal_data import problems, tables, write


def _database(path: Path, view: str) -> Path:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE raw AS SELECT * FROM (VALUES ('A', 'Alpha'), ('B', 'Beta')) t(deal_id, stage)"
    )
    con.execute(f"CREATE VIEW deals AS {view}")
    con.close()
    return path


def test_a_view_of_the_database_own_tables_is_read(tmp_path: Path) -> None:
    path = _database(tmp_path / "crm.duckdb", "WITH w AS (SELECT * FROM raw) SELECT * FROM w")
    built = tables(tmp_path, deals_path=path)
    assert built.con.execute("SELECT deal_id FROM deals_raw").fetchall() == [("A",), ("B",)]


@pytest.mark.parametrize(
    ("view", "reason"),
    [
        ("SELECT * FROM read_csv('{secret}')", "reads through a table function"),
        ("SELECT * FROM '{secret}'", "reads '{secret}', which is not a table"),
        ("SELECT current_setting('temp_directory') AS deal_id", "calls current_setting()"),
    ],
)
def test_a_view_that_may_read_files_is_refused(tmp_path: Path, view: str, reason: str) -> None:
    secret = write(tmp_path, "secret.csv", "deal_id,stage\nS,Alpha\n")
    path = _database(tmp_path / "crm.duckdb", view.format(secret=secret))
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=path)
    expected = f"{path}: view 'deals' is refused: it {reason.format(secret=secret)}"
    assert str(raised.value).startswith(expected)


def test_several_csv_files_are_read_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, "deals-2.csv", "deal_id,stage\nC,Alpha\nD,Nowhere\n")
    write(tmp_path, "deals-1.csv", "deal_id,stage\nA,Alpha\n\nB,Nowhere\n")
    pattern = str(tmp_path / "deals-*.csv")
    built = tables(tmp_path, deals_path=Path(pattern))
    assert built.con.execute("SELECT deal_id FROM deals_raw").fetchall() == [
        ("A",),
        ("B",),
        ("C",),
        ("D",),
    ]
    found = problems(tmp_path, deals_path=Path(pattern))
    unmapped = next(p for p in found if p.code == "unmapped-label")
    assert [(d.row, d.message.split(" (in ")[-1]) for d in unmapped.examples] == [
        (4, f"{tmp_path / 'deals-1.csv'})")
    ]
    assert unmapped.file == pattern


def test_files_with_different_headers_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "deals-1.csv", "deal_id,stage\nA,Alpha\n")
    write(tmp_path, "deals-2.csv", "deal_id,stage,amount\nB,Beta,1\n")
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=tmp_path / "deals-*.csv")
    assert str(raised.value).startswith(
        f"{tmp_path / 'deals-2.csv'}: its header differs from that of {tmp_path / 'deals-1.csv'}"
    )


def test_a_glob_matching_nothing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no file matches"):
        tables(tmp_path, deals_path=tmp_path / "none-*.csv")
