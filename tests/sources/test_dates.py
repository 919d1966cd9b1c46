"""Text dates read by the declared format, or by the one detected per column; time zones to UTC;
dates that read either way settled by the file's other columns, else refused (sources.dates,
sources.parse)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.errors import DataError
from salesflow.sources.dates import (
    DMY,
    MDY,
    Evidence,
    Order,
    Scan,
    choose,
    date_formats,
    detected_family,
    shown_order,
)
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


def test_the_files_other_columns_settle_before_the_hint() -> None:
    either_way = _scan(["3/5/2024"])
    own = Evidence("f.csv", {"Created Date": "dmy"})
    assert choose(either_way, "mdy", "f.csv", "c", [own]) == DMY
    # the file's own columns first, then those of the file read with it, then the hint
    other = Evidence("h.csv", {"Edit Date": "mdy"})
    assert choose(either_way, "dmy", "f.csv", "c", [Evidence("f.csv", {}), other]) == MDY
    assert choose(either_way, "mdy", "f.csv", "c", [own, other]) == DMY
    assert choose(either_way, "dmy", "f.csv", "c", [Evidence("f.csv", {}), other]) == MDY
    assert choose(either_way, "dmy", "f.csv", "c", [Evidence("f.csv", {})]) == DMY
    disagreeing = Evidence("f.csv", {"a": "mdy", "b": "dmy"})
    with pytest.raises(DataError, match=r"the date columns of f\.csv disagree"):
        choose(either_way, "mdy", "f.csv", "c", [disagreeing, own])


def test_only_a_value_one_order_reads_shows_the_order() -> None:
    read = {"ISO 8601": 0, MDY: 3, DMY: 2, "%d.%m.%Y": 0, "%d-%m-%Y": 0}
    shown = Scan(values=3, read=read, either_way=["3/5/2024"], unreadable=[], unknown_zones=[])
    assert shown_order(shown) == "mdy"
    assert shown_order(_scan(["3/5/2024"])) is None  # reads either way
    assert shown_order(_scan([])) is None  # 5/5/2024: the same day either way
    dots = {**read, MDY: 0, DMY: 0, "%d.%m.%Y": 3}
    assert shown_order(Scan(3, dots, [], [], [])) is None  # 13.03.2024: no other order


def _read(tmp_path: Path, deals: str, **options: object) -> list[tuple[object, ...]]:
    built = tables(tmp_path, deals, **options)  # type: ignore[arg-type]
    return built.con.execute("SELECT created_at, closed_at FROM deals ORDER BY _row").fetchall()


def test_a_column_that_reads_either_way_follows_the_files_other_columns(tmp_path: Path) -> None:
    """One export, one locale: 13/01/2024 shows the file is day first, so 05/02/2024 is
    5 February (refused before, for reading either way)."""
    deals = "deal_id,stage,created_at,closed_at\nA,Won,13/01/2024,05/02/2024\n"
    deals += "B,Won,20/01/2024,10/02/2024\n"
    assert _read(tmp_path, deals) == [
        (datetime(2024, 1, 13), datetime(2024, 2, 5)),
        (datetime(2024, 1, 20), datetime(2024, 2, 10)),
    ]


def test_a_declared_format_shows_the_files_order(tmp_path: Path) -> None:
    process = process_yaml('  date_format: {created_at: "%d/%m/%Y"}\n')
    deals = "deal_id,stage,created_at,closed_at\nA,Won,3/5/2024,4/6/2024\n"
    assert _read(tmp_path, deals, process=process) == [(datetime(2024, 5, 3), datetime(2024, 6, 4))]


def test_columns_that_disagree_leave_a_column_that_reads_either_way_refused(
    tmp_path: Path,
) -> None:
    process = process_yaml("  stage_dates: {a: a_date}\n")
    deals = "deal_id,stage,created_at,closed_at,a_date\nA,Won,13/01/2024,1/14/2024,3/5/2024\n"
    with pytest.raises(DataError) as caught:
        tables(tmp_path, deals, process=process)
    assert str(caught.value) == (
        f"{tmp_path / 'deals.csv'}: column 'a_date': dates such as 3/5/2024 read either way "
        f"(month/day or day/month), and the date columns of {tmp_path / 'deals.csv'} disagree "
        "on the order ('created_at' day/month, 'closed_at' month/day); declare the format in "
        'data.date_format, e.g. {"a_date": "%m/%d/%Y"} or {"a_date": "%d/%m/%Y"}'
    )


def test_the_history_settles_the_deals_when_they_show_no_order(tmp_path: Path) -> None:
    deals = "deal_id,stage,created_at\nA,Beta,3/5/2024\n"
    history = "deal_id,stage,entered_at\nA,Alpha,3/5/2024 9:00\nA,Beta,13/05/2024 18:41\n"
    built = tables(tmp_path, deals, history=history)
    assert built.con.execute("SELECT created_at FROM deals").fetchall() == [(datetime(2024, 5, 3),)]


def test_the_deals_settle_the_history_when_it_shows_no_order(tmp_path: Path) -> None:
    deals = "deal_id,stage,created_at\nA,Beta,13/05/2024\n"
    history = "deal_id,stage,entered_at\nA,Alpha,3/5/2024 9:00\nA,Beta,4/5/2024 18:41\n"
    built = tables(tmp_path, deals, history=history)
    entered = built.con.execute("SELECT entered_at FROM history_raw ORDER BY rowid").fetchall()
    assert entered == [(datetime(2024, 5, 3, 9, 0),), (datetime(2024, 5, 4, 18, 41),)]


def test_a_files_own_columns_come_before_the_other_files(tmp_path: Path) -> None:
    deals = "deal_id,stage,created_at,closed_at\nA,Beta,13/05/2024,3/6/2024\n"
    history = "deal_id,stage,entered_at\nA,Alpha,3/5/2024 9:00 AM\nA,Beta,5/13/2024 6:41 PM\n"
    built = tables(tmp_path, deals, history=history)
    assert built.con.execute("SELECT closed_at FROM deals").fetchall() == [(datetime(2024, 6, 3),)]
    entered = built.con.execute("SELECT entered_at FROM history_raw ORDER BY rowid").fetchall()
    assert entered == [(datetime(2024, 3, 5, 9, 0),), (datetime(2024, 5, 13, 18, 41),)]


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


DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    order=st.sampled_from(["mdy", "dmy"]),
    hint=st.sampled_from(["mdy", "dmy", None]),
    columns=st.lists(st.lists(DAYS, min_size=1, max_size=5), min_size=1, max_size=4),
    data=st.data(),
)
def test_a_file_in_one_locale_reads_right_once_any_column_shows_its_order(
    order: Order, hint: Order | None, columns: list[list[date]], data: st.DataObject
) -> None:
    """A file's dates all written in one order: once any column holds a date only that order
    reads (a day over 12), every column reads right, whatever the hint says; with none, the hint
    reads them, or they are refused. Shuffling the rows and the columns changes nothing."""
    written: dict[str, list[str | None]] = {
        f"c{i}": [_written(day, order) for day in days] for i, days in enumerate(columns)
    }
    reading = _read_columns(written, hint)
    assert reading == _expected(columns, order, hint)
    rows = list(range(max(map(len, columns))))
    shuffled_rows = data.draw(st.permutations(rows))
    shuffled = {
        name: [_padded(written[name], row) for row in shuffled_rows]
        for name in data.draw(st.permutations(list(written)))
    }
    assert _read_columns(shuffled, hint) == reading


def _written(day: date, order: Order) -> str:
    first, second = (day.month, day.day) if order == "mdy" else (day.day, day.month)
    return f"{first}/{second}/{day.year}"


def _padded(values: list[str | None], row: int) -> str | None:
    return values[row] if row < len(values) else None


def _expected(
    columns: list[list[date]], order: Order, hint: Order | None
) -> dict[str, list[datetime]] | str:
    days = [day for column in columns for day in column]
    swapped = hint is not None and hint != order and all(day.day <= 12 for day in days)
    if hint is None and all(day.day <= 12 for day in days) and any(d.day != d.month for d in days):
        return "refused"
    return {
        f"c{i}": sorted(
            datetime(d.year, d.day, d.month) if swapped else datetime(d.year, d.month, d.day)
            for d in column
        )
        for i, column in enumerate(columns)
    }


def _read_columns(
    columns: dict[str, list[str | None]], hint: Order | None
) -> dict[str, list[datetime]] | str:
    """Each column's dates (sorted) as date_formats reads them from one table, or "refused"."""
    con = duckdb.connect()
    names = list(columns)
    con.execute(f"CREATE TABLE t ({', '.join(f'{name} VARCHAR' for name in names)})")
    rows = [
        list(row) for row in zip(*(_full(columns[name], columns) for name in names), strict=True)
    ]
    con.executemany(f"INSERT INTO t VALUES ({', '.join(['?'] * len(names))})", rows)
    source = Source("t.csv", "csv", "t", dict.fromkeys(names, "VARCHAR"))
    try:
        formats = date_formats(con, source, names, (None, None), hint)
    except DataError:
        return "refused"
    return {
        name: sorted(_strptime(value, formats[name]) for value in columns[name] if value)
        for name in sorted(names)
    }


def _full(values: list[str | None], columns: dict[str, list[str | None]]) -> list[str | None]:
    longest = max(len(column) for column in columns.values())
    return values + [None] * (longest - len(values))


def _strptime(value: str, formats: tuple[str, ...]) -> datetime:
    for date_format in formats:
        try:
            return datetime.strptime(value, date_format)
        except ValueError:
            continue
    raise AssertionError(f"{value} read by none of {formats}")
