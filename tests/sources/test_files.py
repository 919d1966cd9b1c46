"""Messages for a CSV row that does not fit the header: the row's own text in brackets, on one
line, terminal-safe and shortened, whatever DuckDB's error quotes around it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from salesflow.errors import DataError
from salesflow.sources.files import explain
from tests.helpers import VALID_PROCESS, invoke
from tests.sources.deal_data import tables, write

NOTE = "deal_id,stage,amount\n1,Closed Won,100\n\nThis is a note\n3,Closed Won,200\n"


def _duckdb_error(original: str) -> duckdb.Error:
    """DuckDB's text for a row with too few fields (2.0), quoting the row as `original`."""
    return duckdb.Error(
        "Invalid Input Error: CSV Error on Line: 4\n"
        f"Original Line: {original}\n"
        "Expected Number of Columns: 3 Found: 1\n"
        "Possible fixes:\n* Enable null padding (null_padding=true)\n\n  file = deals.csv\n"
    )


def test_a_note_after_a_blank_line_is_shown_in_the_message(tmp_path: Path) -> None:
    with pytest.raises(DataError) as raised:
        tables(tmp_path, NOTE)
    assert str(raised.value) == (
        f"{tmp_path / 'deals.csv'} row 4: the row does not fit the header: the header has 3 "
        "fields (This is a note)"
    )


def test_the_message_names_the_row_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "process.yaml", VALID_PROCESS)
    write(tmp_path, "notes.csv", NOTE)
    result = invoke("analyze", "-p", "process.yaml", "--deals", "notes.csv")
    assert result.exit_code == 2
    assert result.stderr == (
        "salesflow: error: notes.csv row 4: the row does not fit the header: the header has 3 "
        "fields (This is a note)\n"
    )


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("\nThis is a note", "(This is a note)"),  # DuckDB quotes the blank line before it
        ('\n"Confidential"', '("Confidential")'),
        ('A,"first line\nsecond line"', '(A,"first line second line")'),
        ("A,\x1b[31mred\x07,\u202eevil", "(A,\ufffd[31mred\ufffd,\ufffdevil)"),
        ("x" * 200, f"({'x' * 79}…)"),
    ],
    ids=["blank line before", "footer-like", "multi-line field", "controls", "long"],
)
def test_the_row_is_shown_on_one_safe_short_line(original: str, shown: str) -> None:
    message = explain(_duckdb_error(original), "deals.csv")
    assert (
        message
        == f"deals.csv row 4: the row does not fit the header: the header has 3 fields {shown}"
    )


def test_an_empty_row_text_shows_no_brackets() -> None:
    message = explain(_duckdb_error("\n"), "deals.csv")
    assert message == "deals.csv row 4: the row does not fit the header: the header has 3 fields"
