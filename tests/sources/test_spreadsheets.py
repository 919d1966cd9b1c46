"""Spreadsheets (.xlsx, .ods) read through python-calamine: sheets, types, row numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from salesflow.errors import DataError
from salesflow.sources.connection import connect
from salesflow.sources.files import open_source
from tests.sources.deal_data import problems, tables
from tests.sources.sheets import Cell, write_ods, write_xlsx

HEADER: list[Cell] = ["deal_id", "stage", "amount", "created_at"]
ROWS: list[list[Cell]] = [
    HEADER,
    ["A", "Alpha", 1200, date(2024, 1, 5)],
    [None, None, None, None],  # an empty row: row 3 of the sheet
    ["B", "Closed Won", 2500.5, date(2024, 2, 1)],
    ["C", "Nowhere", 10, date(2024, 3, 1)],
]


@pytest.mark.parametrize("writer", [write_xlsx, write_ods])
def test_a_sheet_is_read_with_types_and_spreadsheet_rows(tmp_path: Path, writer) -> None:  # type: ignore[no-untyped-def]
    path = writer(tmp_path / "deals.bin", {"Deals": ROWS})  # content decides, not the name
    built = tables(tmp_path, deals_path=path)
    assert built.deals.columns == {
        "deal_id": "VARCHAR",
        "stage": "VARCHAR",
        "amount": "DOUBLE",
        "created_at": "TIMESTAMP",
    }
    rows = built.con.execute("SELECT deal_id, amount, created_at FROM deals_raw").fetchall()
    assert [(r[0], r[1], r[2].date()) for r in rows] == [
        ("A", 1200.0, date(2024, 1, 5)),
        ("B", 2500.5, date(2024, 2, 1)),
        ("C", 10.0, date(2024, 3, 1)),
    ]
    unmapped = next(p for p in problems(tmp_path, deals_path=path) if p.code == "unmapped-label")
    assert [d.row for d in unmapped.examples] == [5]  # header row 1, empty row 3 counted


def test_sheet_is_chosen_by_name_and_an_unknown_one_is_listed(tmp_path: Path) -> None:
    other: list[list[Cell]] = [HEADER, ["Z", "Beta", 1, date(2024, 1, 1)]]
    path = write_xlsx(tmp_path / "deals.xlsx", {"Summary": [["x"], [1]], "Deals": other})
    built = tables(tmp_path, deals_path=path, sheet="Deals")
    assert built.con.execute("SELECT deal_id FROM deals_raw").fetchall() == [("Z",)]
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=path, sheet="Deels")
    assert str(raised.value) == (
        f'{path}: no sheet "Deels" (sheets: "Summary", "Deals"); choose one with --sheet'
    )


def test_the_first_sheet_is_the_default(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "deals.xlsx", {"Deals": ROWS, "Other": [["x"], [1]]})
    assert tables(tmp_path, deals_path=path).con.execute(
        "SELECT count(*) FROM deals_raw"
    ).fetchone() == (3,)


def test_mixed_cells_become_text_and_whole_numbers_stay_whole(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["deal_id", "stage", "when"],
        [1001, "Alpha", date(2024, 1, 5)],
        [1002, "Alpha", "2024-01-09"],
    ]
    source = open_source(connect(), str(write_xlsx(tmp_path / "d.xlsx", {"S": rows})), "", "x")
    assert source.columns == {"deal_id": "BIGINT", "stage": "VARCHAR", "when": "VARCHAR"}


def test_a_header_cell_without_a_name_is_refused(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [["deal_id", None, "stage"], ["A", 1, "Alpha"]]
    path = write_xlsx(tmp_path / "deals.xlsx", {"S": rows})
    with pytest.raises(DataError, match="column 2 of the header has no name"):
        tables(tmp_path, deals_path=path)


def test_a_zip_that_is_not_a_spreadsheet_says_what_to_do(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "deals.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("deals.csv", "deal_id,stage\nA,Alpha\n")
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=path)
    assert str(raised.value) == (
        f"{path}: is a zip archive, not a spreadsheet or CSV; unzip it and name the CSV, "
        "Excel or OpenDocument file inside"
    )


def test_a_damaged_xls_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deals.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=path)
    assert str(raised.value).startswith(f"{path}: cannot be read as an Excel 97-2003 workbook")
    assert "\n" not in str(raised.value)
