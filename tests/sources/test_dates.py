"""Text dates read by the declared format, or by the one detected per column; time zones to UTC;
dates that read either way refused (sources.dates, sources.parse)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from salesflow.errors import DataError
from salesflow.sources.dates import Scan, choose, date_formats, detected_family
from salesflow.sources.files import Source
from tests.helpers import invoke
from tests.helpers import write as write_file
from tests.sources.deal_data import PROCESS_YAML, process_yaml, report, tables


def _created(tmp_path: Path, *values: str, **options: object) -> list[datetime | None]:
    rows = "".join(f"D{i},Alpha,{value}\n" for i, value in enumerate(values))
    built = tables(tmp_path, f"deal_id,stage,created_at\n{rows}", **options)  # type: ignore[arg-type]
    return [
        row[0] for row in built.con.execute("SELECT created_at FROM deals ORDER BY _row").fetchall()
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("2024-03-05", "2024-03-13 10:00:00"), [datetime(2024, 3, 5), datetime(2024, 3, 13, 10)]),
        (("3/5/2024", "3/13/2024 6:41 PM"), [datetime(2024, 3, 5), datetime(2024, 3, 13, 18, 41)]),
        (("5/3/2024", "13/3/2024 18:41"), [datetime(2024, 3, 5), datetime(2024, 3, 13, 18, 41)]),
        (
            ("5.3.2024", "13.03.2024 18:41:07"),
            [datetime(2024, 3, 5), datetime(2024, 3, 13, 18, 41, 7)],
        ),
        (("05-03-2024", "13-03-2024"), [datetime(2024, 3, 5), datetime(2024, 3, 13)]),
        (("5.3.24", "13.3.24"), [datetime(2024, 3, 5), datetime(2024, 3, 13)]),
        (
            ("3/13/2024 12:05 AM", "3/13/2024 12:05 PM"),
            [datetime(2024, 3, 13, 0, 5), datetime(2024, 3, 13, 12, 5)],
        ),
    ],
)
def test_each_format_is_detected(
    tmp_path: Path, values: tuple[str, ...], expected: list[datetime]
) -> None:
    assert _created(tmp_path, *values) == expected


@pytest.mark.parametrize(
    ("value", "utc"),
    [
        ("2024-03-05T10:00:00Z", datetime(2024, 3, 5, 10, 0)),
        ("2024-03-05T10:00:00+02:00", datetime(2024, 3, 5, 8, 0)),
        ("2024-03-05 10:00:00 -0500", datetime(2024, 3, 5, 15, 0)),
        ("2024-03-05 10:00 EST", datetime(2024, 3, 5, 15, 0)),
        ("2024-07-05 10:00 EDT", datetime(2024, 7, 5, 14, 0)),
        ("2024-07-05 10:00 PST", datetime(2024, 7, 5, 18, 0)),
        ("2024-07-05 10:00 CEST", datetime(2024, 7, 5, 8, 0)),
        ("2024-07-05 10:00 CET", datetime(2024, 7, 5, 9, 0)),
        ("2024-07-05 10:00 BST", datetime(2024, 7, 5, 9, 0)),
        ("2024-07-05 10:00 UTC", datetime(2024, 7, 5, 10, 0)),
        ("2024-03-05 6:41 PM", datetime(2024, 3, 5, 18, 41)),
    ],
)
def test_zones_are_converted_to_utc(tmp_path: Path, value: str, utc: datetime) -> None:
    assert _created(tmp_path, value) == [utc]


def test_am_pm_and_a_zone_in_m_d_y(tmp_path: Path) -> None:
    values = ("3/13/2024 6:41 PM CST", "3/5/2024 11:59 PM +05:30")
    assert _created(tmp_path, *values) == [
        datetime(2024, 3, 14, 0, 41),
        datetime(2024, 3, 5, 18, 29),
    ]


def test_a_zone_naming_several_offsets_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        _created(tmp_path, "3/13/2024 6:41 PM IST", "3/14/2024 6:41 PM")
    message = str(caught.value)
    assert "column 'created_at': time zone IST (in 3/13/2024 6:41 PM IST)" in message
    assert "with an offset such as +05:30" in message


def test_dates_that_read_either_way_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        _created(tmp_path, "3/5/2024", "4/6/2024", "12/12/2024", "1/2/2024", "5/4/2024")
    assert str(caught.value) == (
        f"{tmp_path / 'deals.csv'}: column 'created_at': dates such as 1/2/2024, 3/5/2024, "
        "4/6/2024 read either way (month/day or day/month); declare the format in "
        'data.date_format, e.g. {"created_at": "%m/%d/%Y"} or {"created_at": "%d/%m/%Y"}'
    )


def test_one_value_decides_the_order(tmp_path: Path) -> None:
    assert _created(tmp_path, "3/5/2024", "13/05/2024") == [
        datetime(2024, 5, 3),
        datetime(2024, 5, 13),
    ]


def test_values_no_format_reads_are_flagged_when_most_read(tmp_path: Path) -> None:
    assert _created(tmp_path, "3/15/2024", "3/16/2024", "soon") == [
        datetime(2024, 3, 15),
        datetime(2024, 3, 16),
        None,
    ]


def test_a_column_mostly_unreadable_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        DataError, match="column 'created_at': no date format reads most of its values"
    ):
        _created(tmp_path, "March 5", "March 6", "March 7", "3/16/2024")


def _scan(either_way: list[str]) -> Scan:
    read = {"ISO 8601": 0, "%m/%d/%Y": 2, "%d/%m/%Y": 2, "%d.%m.%Y": 0, "%d-%m-%Y": 0}
    return Scan(values=2, read=read, either_way=either_way, unreadable=[], unknown_zones=[])


def test_the_order_hint_decides_only_when_values_read_either_way() -> None:
    assert choose(_scan(["3/5/2024"]), "dmy", "f.csv", "c") == "%d/%m/%Y"
    assert choose(_scan(["3/5/2024"]), "mdy", "f.csv", "c") == "%m/%d/%Y"
    with pytest.raises(DataError, match="read either way"):
        choose(_scan(["3/5/2024"]), None, "f.csv", "c")
    # 5/5/2024 is the same day either way: no need for a hint
    assert choose(_scan([]), None, "f.csv", "c") == "%m/%d/%Y"


def test_a_format_per_column(tmp_path: Path) -> None:
    process = process_yaml('  date_format: {created_at: "%d/%m/%Y", closed_at: "%m/%d/%Y"}\n')
    deals = "deal_id,stage,created_at,closed_at\nA,Won,3/5/2024,3/5/2024\n"
    built = tables(tmp_path, deals, process=process)
    row = built.con.execute("SELECT created_at, closed_at FROM deals").fetchone()
    assert row == (datetime(2024, 5, 3), datetime(2024, 3, 5))


def test_a_format_for_a_column_not_read_as_a_date_is_refused(tmp_path: Path) -> None:
    process = process_yaml('  date_format: {Closed On: "%d/%m/%Y"}\n')
    with pytest.raises(DataError) as caught:
        tables(tmp_path, "deal_id,stage,created_at\nA,Alpha,2024-01-01\n", process=process)
    assert str(caught.value) == (
        "data.date_format: 'Closed On' is not a column read as a date; the date columns: created_at"
    )


def test_the_flag_applies_to_every_column_before_the_process_file(tmp_path: Path) -> None:
    process = process_yaml('  date_format: "%m/%d/%Y"\n')
    deals = "deal_id,stage,created_at\nA,Alpha,3/5/2024\n"
    built = tables(tmp_path, deals, process=process, date_format="%d/%m/%Y")
    assert built.con.execute("SELECT created_at FROM deals").fetchone() == (datetime(2024, 5, 3),)
    built = tables(tmp_path, deals, process=process)
    assert built.con.execute("SELECT created_at FROM deals").fetchone() == (datetime(2024, 3, 5),)


def test_history_dates_are_detected_apart_from_the_deals(tmp_path: Path) -> None:
    deals = "deal_id,stage,created_at\nA,Beta,2024-03-05\n"
    history = "deal_id,stage,entered_at\nA,Alpha,3/5/2024 9:00 AM\nA,Beta,3/13/2024 6:41 PM\n"
    built = tables(tmp_path, deals, history=history)
    entered = built.con.execute("SELECT entered_at FROM history_raw ORDER BY rowid").fetchall()
    assert entered == [(datetime(2024, 3, 5, 9, 0),), (datetime(2024, 3, 13, 18, 41),)]


def test_the_window_says_how_many_undated_deals_it_left_out(tmp_path: Path) -> None:
    deals = "deal_id,stage,created_at\nA,Alpha,2024-03-05\nB,Alpha,\nC,Beta,\nD,Alpha,2023-01-01\n"
    notes = report(tmp_path, deals, since=date(2024, 1, 1)).notes
    assert "--since/--until left out 2 deals with no date" in notes
    assert not [n for n in report(tmp_path, deals).notes if n.startswith("--since")]


def test_the_cli_refuses_ambiguous_dates_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, "p.yaml", PROCESS_YAML)
    write_file(
        tmp_path, "deals.csv", "deal_id,stage,created_at\nA,Alpha,3/5/2024\nB,Alpha,4/6/2024\n"
    )
    result = invoke("analyze", "-p", "p.yaml", "--deals", "deals.csv")
    assert result.exit_code == 2
    assert "column 'created_at': dates such as 3/5/2024, 4/6/2024 read either way" in result.stderr
    declared = invoke(
        "analyze", "-p", "p.yaml", "--deals", "deals.csv", "--date-format", "%d/%m/%Y"
    )
    assert declared.exit_code == 0, declared.output


def test_every_column_is_detected_in_one_statement_as_alone() -> None:
    """The date columns are scanned together (one plan, one read of the file); each comes out
    as when it is detected alone, an empty one as no dates."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES "
        "('3/5/2024', '05.03.2024 18:41', NULL, '5.3.24', '2024-03-05'), "
        "('3/13/2024 6:41 PM', '13.03.2024 09:02', NULL, '13.3.24', '2024-03-13'), "
        "('12/1/2023', '01.12.2023 00:00', '', NULL, NULL)"
        ") v(us, eu, empty, short, iso)"
    )
    columns = ["us", "eu", "empty", "short", "iso"]
    source = Source("t.csv", "csv", "t", dict.fromkeys(columns, "VARCHAR"))
    statements: list[str] = []
    traced = Traced(con, statements)
    together = date_formats(traced, source, columns, (None, None))  # type: ignore[arg-type]
    scans = [sql for sql in statements if "GROUP BY c" in sql]
    assert len(scans) == 1
    for column in ("us", "eu", "short"):
        assert together[column] == detected_family(con, source, column, None)[1]
    assert together["us"][0] == "%m/%d/%Y"
    assert together["eu"][0] == "%d.%m.%Y %H:%M"
    assert together["iso"] == () and together["empty"] == ()


class Traced:
    """A DuckDB connection that notes the statements it runs."""

    def __init__(self, con: duckdb.DuckDBPyConnection, statements: list[str]) -> None:
        self.con, self.statements = con, statements

    def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
        self.statements.append(sql)
        return self.con.execute(sql, *args)
