"""A sheet of an .xlsx, .xls or .ods file, read by python-calamine into a DuckDB table.

Row numbers are the spreadsheet's: its first non-empty row is the header, and empty rows
(which a spreadsheet still numbers) are left out but counted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from salesflow.errors import DataError
from salesflow.sources.columnar import load_rows
from salesflow.sources.headers import check_header

KINDS = {
    "xlsx": "Excel workbook",
    "xls": "Excel 97-2003 workbook",
    "ods": "OpenDocument spreadsheet",
}


@dataclass(frozen=True)
class Sheet:
    table: str
    columns: list[str]
    first_row: int  # the spreadsheet row of the first data row
    skipped: tuple[int, ...]  # the spreadsheet rows left out because they were empty


def load_sheet(
    con: duckdb.DuckDBPyConnection, file: Path, kind: str, sheet: str | None, table: str
) -> Sheet:
    rows, top = _read(file, kind, sheet)
    if not rows:
        raise DataError(f"{file}: the sheet is empty")
    header = _header(rows[0])
    width = len(header)
    if width == 0:
        raise DataError(f"{file}: the first row of the sheet is not a header of column names")
    check_header(str(file), header)
    body, skipped = [], []
    for number, row in enumerate(rows[1:]):
        cells = list(row[:width])
        if all(cell == "" or cell is None for cell in row):
            skipped.append(top + 2 + number)
            continue
        if any(cell != "" and cell is not None for cell in row[width:]):
            raise DataError(
                f"{file} row {top + 2 + number}: a value beyond the last named column "
                f"(the header has {width} names)"
            )
        body.append(cells + [None] * (width - len(cells)))
    load_rows(con, table, header, body)
    return Sheet(table, header, top + 2, tuple(skipped))


def _read(file: Path, kind: str, sheet: str | None) -> tuple[list[list[Any]], int]:
    from python_calamine import CalamineError, CalamineWorkbook  # only when a sheet is read

    try:
        with file.open("rb") as handle:
            book = CalamineWorkbook.from_filelike(handle)
            names = book.sheet_names
            chosen = sheet if sheet is not None else (names[0] if names else None)
            if chosen not in names:
                listed = ", ".join(f'"{name}"' for name in names) or "none"
                raise DataError(
                    f'{file}: no sheet "{sheet}" (sheets: {listed}); choose one with --sheet'
                )
            data = book.get_sheet_by_name(chosen)
            rows = data.to_python(skip_empty_area=True)
            start = data.start
    except (CalamineError, OSError, ValueError) as error:
        what = KINDS[kind]
        raise DataError(f"{file}: cannot be read as an {what}: {error}") from None
    return rows, (start[0] if start else 0)


def _header(cells: list[Any]) -> list[str]:
    names = [_name(cell) for cell in cells]
    while names and not names[-1]:
        names.pop()  # formatted but empty columns after the table
    return names


def _name(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()
