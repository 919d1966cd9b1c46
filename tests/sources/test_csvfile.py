"""A CSV file made ready for DuckDB: Excel's `sep=;` first line honoured with the rows keeping
their line numbers, and lines ending with a carriage return alone (Excel's "CSV (Macintosh)")
read as lines."""

from __future__ import annotations

import codecs
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from salesflow.errors import DataError
from tests.helpers import VALID_PROCESS, invoke
from tests.sources.deal_data import problems, process_yaml, tables, write

DEALS = ["deal_id;stage;amount", "A;Alpha;1", "B;Nowhere;2", "", "C;Elsewhere;3"]


def _deal_ids(path: Path) -> list[str]:
    built = tables(path.parent, deals_path=path)
    return [row[0] for row in built.con.execute("SELECT deal_id FROM deals_raw").fetchall()]


def _unmapped_rows(path: Path) -> list[int]:
    found = problems(path.parent, deals_path=path)
    unmapped = next(problem for problem in found if problem.code == "unmapped-label")
    return sorted(detail.row for detail in unmapped.examples)


# --- Excel's sep= line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "delimiter", "end"),
    [
        ("sep=;", ";", "\r\n"),
        ("sep=,", ",", "\n"),
        ("SEP=|", "|", "\n"),
        ("sep=\t", "\t", "\r\n"),
        ("\ufeffsep=;", ";", "\r\n"),  # after a UTF-8 byte-order mark
        ("sep=;;;", ";", "\n"),  # written as a row of empty cells
    ],
)
def test_a_sep_line_declares_the_delimiter(
    tmp_path: Path, first: str, delimiter: str, end: str
) -> None:
    lines = [first, *(line.replace(";", delimiter) for line in DEALS)]
    path = write(tmp_path, "deals.csv", end.join(lines) + end)
    assert _deal_ids(path) == ["A", "B", "C"]


def test_rows_after_a_sep_line_keep_their_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "deals.csv", "\n".join(["sep=;", *DEALS]) + "\n")
    assert _unmapped_rows(path) == [4, 6]  # sep=; is line 1, the header line 2


def test_a_short_row_after_a_sep_line_is_named_by_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "deals.csv", "sep=;\ndeal_id;stage;amount\nA;Alpha;1\nB;Alpha\n")
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=path)
    assert str(raised.value) == (
        f"{path} row 4: the row does not fit the header: the header has 3 fields (B;Alpha)"
    )


def test_a_sep_line_in_a_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv.gz"
    lines = [line for line in DEALS if line]  # a gzip file's blank lines are not counted
    path.write_bytes(gzip.compress(("\n".join(["sep=;", *lines]) + "\n").encode()))
    assert _deal_ids(path) == ["A", "B", "C"]
    assert _unmapped_rows(path) == [4, 5]


def test_a_sep_line_in_a_cp1252_file_with_a_footer(tmp_path: Path) -> None:
    text = "\r\n".join(["sep=;", *DEALS, "", '"Confidential"', ""])
    path = tmp_path / "deals.csv"
    path.write_bytes(text.replace("Alpha", "Alpha €").encode("cp1252"))
    built = tables(tmp_path, deals_path=path, process=process_yaml("  encoding: cp1252\n"))
    rows = built.con.execute("SELECT deal_id FROM deals_raw").fetchall()
    assert rows == [("A",), ("B",), ("C",)]
    assert built.deals.notes == (f"{path}: the footer line after the data was left out",)


def test_files_read_together_must_all_start_with_a_sep_line_or_none(tmp_path: Path) -> None:
    write(tmp_path, "deals-1.csv", "deal_id;stage\nA;Alpha\n")
    write(tmp_path, "deals-2.csv", "sep=;\ndeal_id;stage\nB;Beta\n")
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=tmp_path / "deals-*.csv")
    assert str(raised.value) == (
        f"{tmp_path / 'deals-2.csv'}: starts with Excel's sep= line and "
        f"{tmp_path / 'deals-1.csv'} does not; files read together must start alike (delete the "
        "sep= line)"
    )


def test_files_read_together_after_sep_lines_keep_their_line_numbers(tmp_path: Path) -> None:
    write(tmp_path, "deals-1.csv", "sep=;\ndeal_id;stage\nA;Alpha\nB;Nowhere\n")
    write(tmp_path, "deals-2.csv", "sep=;\ndeal_id;stage\nC;Elsewhere\n")
    found = problems(tmp_path, deals_path=tmp_path / "deals-*.csv")
    unmapped = next(problem for problem in found if problem.code == "unmapped-label")
    rows = {detail.message.split(" (in ")[-1]: detail.row for detail in unmapped.examples}
    assert rows == {f"{tmp_path / 'deals-1.csv'})": 4, f"{tmp_path / 'deals-2.csv'})": 3}


def test_analyze_reads_a_file_with_a_sep_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deals = "sep=;\r\ndeal_id;stage;amount\r\n1;Closed Won;1000\r\n2;Closed Lost;500\r\n"
    document = _analyze(tmp_path, deals.encode(), monkeypatch)
    assert document["deals"]["total"] == 2
    assert document["avg_won_amount"] == 1000


# --- lines ending with a carriage return alone --------------------------------------------------


def test_lines_ending_with_a_carriage_return_alone_are_read(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes("\r".join(DEALS).encode() + b"\r")
    assert _deal_ids(path) == ["A", "B", "C"]
    assert _unmapped_rows(path) == [3, 5]
    assert tables(tmp_path, deals_path=path).deals.notes == ()


def test_a_short_row_among_carriage_return_lines_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_bytes(b"deal_id,stage,amount\rA,Alpha,1\r\rB,Alpha\rC,Beta,2\r")
    with pytest.raises(DataError) as raised:
        tables(tmp_path, deals_path=path)
    assert str(raised.value) == (
        f"{path} row 4: the row does not fit the header: the header has 3 fields (B,Alpha)"
    )


def test_a_carriage_return_file_with_a_sep_line_and_a_footer(tmp_path: Path) -> None:
    text = "\r".join(["sep=;", *DEALS, "", '"Confidential Information - Do Not Distribute"'])
    path = tmp_path / "deals.csv"
    path.write_bytes(codecs.BOM_UTF8 + text.encode() + b"\r")
    assert _deal_ids(path) == ["A", "B", "C"]
    assert _unmapped_rows(path) == [4, 6]


def test_analyze_reads_an_excel_macintosh_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deals = "deal_id,stage,amount,notes\r1,Closed Won,1000,Café\r2,Closed Lost,500,\r"
    document = _analyze(tmp_path, deals.encode("mac-roman"), monkeypatch)
    assert document["deals"]["total"] == 2
    assert document["avg_won_amount"] == 1000
    assert document["notes"][0] == (
        "deals.csv: not UTF-8, read as mac-roman (Excel's CSV (Macintosh), as its line endings "
        "suggest); declare data.encoding if that is wrong"
    )


def test_a_gzip_file_with_carriage_return_lines_is_refused_plainly(tmp_path: Path) -> None:
    process = write(tmp_path, "process.yaml", VALID_PROCESS)
    deals = tmp_path / "deals.csv.gz"
    deals.write_bytes(gzip.compress(b"deal_id,stage\r1,Closed Won\r"))
    result = invoke("analyze", "-p", str(process), "--deals", str(deals))
    assert result.exit_code == 2
    assert result.stderr == (
        f"salesflow: error: {deals}: lines end with a carriage return alone (old Mac format); "
        "save it as CSV UTF-8\n"
    )


def _analyze(directory: Path, deals: bytes, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`analyze -f json` run in `directory` on the deals, written as deals.csv."""
    monkeypatch.chdir(directory)
    write(directory, "process.yaml", VALID_PROCESS)
    (directory / "deals.csv").write_bytes(deals)
    result = invoke("analyze", "-p", "process.yaml", "--deals", "deals.csv", "-f", "json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document
