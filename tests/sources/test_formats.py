"""The same deals from CSV, gzip CSV, Parquet and a DuckDB database give the same report;
columns are found by the process file's names, `--map` overrides, and missing ones are named."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import duckdb
import pytest

from salesflow.errors import DataError
from tests.sources.deal_data import (
    counts,
    days,
    metrics,
    problems,
    process_yaml,
    report,
    tables,
    write,
)

DEALS = """\
deal_id,stage,amount,created_at,closed_at,owner,lost_at_stage
F1,b,,2024-01-01,,ann,
F2,a,500,2024-01-01,,bob,
F3,Won,3000,2024-01-01,2024-01-31,ann,
F4,Lost,,2024-01-01,2024-01-12,bob,
F5,Lost,,2024-01-01,2024-01-03,ann,a
F6,Lost,,2024-01-05,2024-01-06,bob,
F7,Won,"$9,000.00",2024-01-03,2024-01-13,ann,
"""
HISTORY = """\
deal_id,stage,entered_at
F1,a,2024-01-01
F1,b,2024-01-04
F2,a,2024-01-01
F2,c,2024-01-10
F3,a,2024-01-01
F3,b,2024-01-02
F3,c,2024-01-05
F3,d,2024-01-20
F4,a,2024-01-01
F4,b,2024-01-06
F5,a,2024-01-01
F7,a,2024-01-03
F7,c,2024-01-08
"""
# The same deals as tests/sources/test_history.py:
#   won 2 (F3 F7); lost a 2 (F5 F6), b 1 (F4); open b 1 (F1), c 1 (F2)
EXPECTED_COUNTS = [(7, 5, 2, 0), (5, 3, 1, 1), (3, 2, 0, 1), (2, 2, 0, 0)]


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _to_parquet(csv_path: Path) -> Path:
    target = csv_path.with_suffix(".parquet")
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_csv('{_sql_path(csv_path)}')) "
        f"TO '{_sql_path(target)}' (FORMAT parquet)"
    )
    return target


def _to_gzip(csv_path: Path) -> Path:
    target = csv_path.with_name(csv_path.name + ".gz")
    target.write_bytes(gzip.compress(csv_path.read_bytes()))
    return target


def _to_duckdb(
    deals_csv: Path, history_csv: Path, target: Path, deals_table: str, history_table: str
) -> Path:
    con = duckdb.connect(str(target))
    # typed columns: amounts as DOUBLE, dates as DATE (read_csv detects them)
    con.execute(
        f'CREATE TABLE "{deals_table}" AS SELECT * REPLACE ('
        "CAST(replace(replace(amount, '$', ''), ',', '') AS DOUBLE) AS amount) "
        f"FROM read_csv('{_sql_path(deals_csv)}', types = {{'amount': 'VARCHAR'}})"
    )
    con.execute(
        f"CREATE TABLE \"{history_table}\" AS SELECT * FROM read_csv('{_sql_path(history_csv)}')"
    )
    con.close()
    return target


@pytest.fixture
def files(tmp_path: Path) -> dict[str, tuple[Path, Path]]:
    deals_csv = write(tmp_path, "deals.csv", DEALS)
    history_csv = write(tmp_path, "history.csv", HISTORY)
    database = _to_duckdb(deals_csv, history_csv, tmp_path / "crm.duckdb", "deals", "stage_history")
    return {
        "csv": (deals_csv, history_csv),
        "gzip": (_to_gzip(deals_csv), _to_gzip(history_csv)),
        "parquet": (_to_parquet(deals_csv), _to_parquet(history_csv)),
        "duckdb": (database, database),
    }


def test_every_format_gives_the_same_report(
    tmp_path: Path, files: dict[str, tuple[Path, Path]]
) -> None:
    reports = {
        kind: report(tmp_path, deals_path=deals, history_path=history, by="owner")
        for kind, (deals, history) in files.items()
    }
    expected = reports["csv"]
    assert counts(expected.funnel) == EXPECTED_COUNTS
    assert expected.funnel.avg_won_amount == pytest.approx(6000)
    # a: F3 1, F5 2 (lost), F1 3, F4 5, F7 5, F2 9, nothing open (F6 lost undated): Kaplan–Meier
    # S 5/6, 4/6, 3/6 at 3 (median 3), 1/6 at 5 (p80 5)
    assert days(expected.funnel)[0] == (pytest.approx(3.0), pytest.approx(5.0), 6, 0)
    # b: F3 advanced at 3, F4 lost at 6, F2 and F7 advanced with b skipped (untimed); F1 open
    # 01-04 → 01-31 = 27, censored after every decision: advanced / entered = 3/5
    assert expected.funnel.stages[1].conversion == pytest.approx(3 / 5)
    assert [g.key for g in expected.groups] == ["ann", "bob"]
    for kind, other in reports.items():
        assert metrics(other) == metrics(expected), kind
        assert other.source == str(files[kind][0])


def test_mixed_formats(tmp_path: Path, files: dict[str, tuple[Path, Path]]) -> None:
    expected = metrics(report(tmp_path, deals_path=files["csv"][0], history_path=files["csv"][1]))
    mixed = report(tmp_path, deals_path=files["parquet"][0], history_path=files["gzip"][1])
    assert metrics(mixed) == expected


def test_other_table_names(tmp_path: Path) -> None:
    database = _to_duckdb(
        write(tmp_path, "deals.csv", DEALS),
        write(tmp_path, "history.csv", HISTORY),
        tmp_path / "other.duckdb",
        "opportunities",
        "moves",
    )
    result = report(
        tmp_path,
        deals_path=database,
        history_path=database,
        table="opportunities",
        history_table="moves",
    )
    assert counts(result.funnel) == EXPECTED_COUNTS
    with pytest.raises(DataError) as error:
        tables(tmp_path, deals_path=database)
    assert "no table 'deals' (tables: moves, opportunities); choose one with --table" in str(
        error.value
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        tables(tmp_path, deals_path=tmp_path / "nowhere.csv")


# --- columns -------------------------------------------------------------------------------

COLUMNS = "deal_id, stage, amount, created_at, closed_at, owner, lost_at_stage"


def test_default_names_the_data_lacks_are_unused(tmp_path: Path) -> None:
    result = report(tmp_path, "deal_id,stage\n1,a\n2,Won\n3,Lost\n")
    # won 1, lost 1 at a, open 1 at a
    assert counts(result.funnel) == [(3, 1, 1, 1), (1, 1, 0, 0), (1, 1, 0, 0), (1, 1, 0, 0)]
    assert result.funnel.avg_won_amount is None


def test_column_names_match_case_insensitively(tmp_path: Path) -> None:
    result = report(tmp_path, "Deal_ID,STAGE,Amount\n1,a,\n2,Won,100\n")
    assert result.funnel.deals.model_dump() == {"total": 2, "won": 1, "lost": 0, "open": 1}
    assert result.funnel.avg_won_amount == 100


@pytest.mark.parametrize(
    ("data", "column", "reason"),
    [
        (
            "  columns: {amount: Deal Value}\n",
            "Deal Value",
            "data.columns.amount in the process file",
        ),
        ("  columns: {owner: Rep}\n", "Rep", "data.columns.owner in the process file"),
        ("  stage_dates: {b: b_entered}\n", "b_entered", "data.stage_dates.b in the process file"),
        ("  columns: {id: Record ID}\n", "Record ID", "data.columns.id in the process file"),
    ],
)
def test_a_column_named_in_the_process_file_must_exist(
    tmp_path: Path, data: str, column: str, reason: str
) -> None:
    with pytest.raises(DataError) as error:
        tables(tmp_path, DEALS, process=process_yaml(data))
    message = str(error.value)
    assert f"has no column '{column}' ({reason}); its columns: {COLUMNS}" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("header", "missing", "key"),
    [("stage,amount", "deal_id", "id"), ("deal_id,amount", "stage", "stage")],
)
def test_id_and_stage_are_required(tmp_path: Path, header: str, missing: str, key: str) -> None:
    with pytest.raises(DataError) as error:
        tables(tmp_path, f"{header}\nx,y\n")
    assert f"has no column '{missing}' (the default name for `{key}`)" in str(error.value)
    assert f"its columns: {header.replace(',', ', ')}" in str(error.value)


def test_history_columns_are_required(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        tables(tmp_path, DEALS, history="deal_id,stage,when\nF1,a,2024-01-01\n")
    assert "history.csv has no column 'entered_at'" in str(error.value)
    assert "its columns: deal_id, stage, when" in str(error.value)


def test_by_an_unknown_column(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        tables(tmp_path, DEALS, by="region")
    assert f"--by region: {tmp_path / 'deals.csv'} has no such column; its columns: {COLUMNS}" in (
        str(error.value)
    )


def test_by_any_column(tmp_path: Path) -> None:
    deals = "deal_id,stage,Segment\n1,a,SMB\n2,Won,SMB\n3,a,\n"
    result = report(tmp_path, deals, by="segment")
    assert [(g.key, g.funnel.deals.total) for g in result.groups] == [("(none)", 1), ("SMB", 2)]


# --- --map ---------------------------------------------------------------------------------

RENAMED = """\
Record ID,Deal Stage,Deal Value,Create Date,Close Date,Rep,Lost Stage,Entered B
F1,b,,2024-01-01,,ann,,2024-01-04
F2,a,500,2024-01-01,,bob,,
F3,Won,3000,2024-01-01,2024-01-31,ann,,2024-01-02
F4,Lost,,2024-01-01,2024-01-12,bob,,2024-01-06
F5,Lost,,2024-01-01,2024-01-03,ann,a,
F6,Lost,,2024-01-05,2024-01-06,bob,,
F7,Won,"$9,000.00",2024-01-03,2024-01-13,ann,,
"""
RENAMED_HISTORY = """\
Opportunity,Step,At
F1,a,2024-01-01
F2,a,2024-01-01
F2,c,2024-01-10
F3,a,2024-01-01
F3,c,2024-01-05
F3,d,2024-01-20
F4,a,2024-01-01
F5,a,2024-01-01
F7,a,2024-01-03
F7,c,2024-01-08
"""
MAPPING = {
    "id": "Record ID",
    "stage": "Deal Stage",
    "amount": "Deal Value",
    "created": "Create Date",
    "closed": "Close Date",
    "owner": "Rep",
    "lost_stage": "Lost Stage",
    "stage_dates.b": "Entered B",
    "history.deal": "Opportunity",
    "history.stage": "Step",
    "history.entered": "At",
}


def test_map_overrides_every_column(tmp_path: Path) -> None:
    # stage b's dates moved from the history to a wide column: the same entries, the same report
    expected = report(tmp_path, DEALS, history=HISTORY, by="owner")
    other = tmp_path / "renamed"
    other.mkdir()
    mapped = report(other, RENAMED, history=RENAMED_HISTORY, mapping=MAPPING, by="owner")
    assert counts(mapped.funnel) == EXPECTED_COUNTS
    assert mapped.shape == "wide stage dates + stage history"
    assert metrics(mapped) | {"shape": None} == metrics(expected) | {"shape": None}


def test_map_beats_the_process_file(tmp_path: Path) -> None:
    named = process_yaml("  columns: {amount: Nowhere}\n  stage_dates: {b: Nowhere Either}\n")
    deals = "deal_id,stage,Deal Value,b_at\n1,Won,250,2024-01-01\n"
    result = report(
        tmp_path,
        deals,
        process=named,
        mapping={"amount": "Deal Value", "stage_dates.b": "b_at"},
    )
    assert result.funnel.avg_won_amount == 250
    assert result.shape == "wide stage dates"


@pytest.mark.parametrize("key", ["colour", "stage_dates.zz", "history.when", "stage_dates"])
def test_unknown_map_key(tmp_path: Path, key: str) -> None:
    with pytest.raises(DataError) as error:
        tables(tmp_path, DEALS, mapping={key: "x"})
    message = str(error.value)
    assert message.startswith(f"--map {key}=…: unknown key; known keys: id, stage, status")
    assert "stage_dates.a, stage_dates.b, stage_dates.c, stage_dates.d" in message
    assert "history.deal, history.stage, history.entered" in message


def test_map_to_a_missing_column(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        tables(tmp_path, DEALS, mapping={"amount": "Value"})
    assert f"has no column 'Value' (--map amount=Value); its columns: {COLUMNS}" in str(error.value)
    with pytest.raises(DataError) as error:
        tables(tmp_path, DEALS, history=HISTORY, mapping={"history.deal": "Opp"})
    assert "history.csv has no column 'Opp'" in str(error.value)


# --- row numbers ---------------------------------------------------------------------------


def test_row_numbers_per_format(tmp_path: Path) -> None:
    deals_csv = write(tmp_path, "deals.csv", DEALS + "F3,a,,2024-02-01,,ann,\n")
    history_csv = write(tmp_path, "history.csv", HISTORY)
    database = _to_duckdb(deals_csv, history_csv, tmp_path / "crm.duckdb", "deals", "stage_history")
    # a CSV's header is row 1; Parquet and DuckDB tables count from the first record
    expected = {
        deals_csv: 'duplicate id "F3" in rows 4 and 9',
        _to_parquet(deals_csv): 'duplicate id "F3" in rows 3 and 8',
        database: 'duplicate id "F3" in rows 3 and 8',
    }
    for path, message in expected.items():
        (problem,) = [p for p in problems(tmp_path, deals_path=path) if p.code == "duplicate-id"]
        assert [d.message for d in problem.examples] == [message], path


def test_row_numbers_in_a_large_file(tmp_path: Path) -> None:
    # 100,000 rows read in parallel: the bad amounts keep their places
    size = 100_000
    bad = [7, 33_333, 50_001, size - 1]
    lines = [f"D{i},a,{'bad' if i in bad else i}" for i in range(size)]
    deals_csv = write(tmp_path, "deals.csv", "deal_id,stage,amount\n" + "\n".join(lines) + "\n")
    parquet = tmp_path / "deals.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_csv('{_sql_path(deals_csv)}', all_varchar = true)) "
        f"TO '{_sql_path(parquet)}' (FORMAT parquet, ROW_GROUP_SIZE 10000)"
    )
    for path, first in ((deals_csv, 2), (parquet, 1)):
        (problem,) = problems(tmp_path, deals_path=path)
        assert problem.count == 4
        assert [d.row for d in problem.examples] == [i + first for i in bad]


def test_header_only(tmp_path: Path) -> None:
    result = report(tmp_path, "deal_id,stage\n", history="deal_id,stage,entered_at\n")
    assert result.funnel.deals.model_dump() == {"total": 0, "won": 0, "lost": 0, "open": 0}
    assert counts(result.funnel) == [(0, 0, 0, 0)] * 4
    assert [s.conversion for s in result.funnel.stages] == [None] * 4
    assert result.funnel.win_rate is None
    assert result.funnel.bottleneck is None
    # not "no dates when deals entered": the stages lack nothing but deals
    assert result.notes == ["no deals to analyse"]


def test_a_window_with_no_deals_says_so(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, since=date(2030, 1, 1), until=date(2030, 12, 31))
    assert result.funnel.deals.total == 0
    assert result.notes == [
        "no deals to analyse in the window --since 2030-01-01, --until 2030-12-31"
    ]


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="empty"):
        tables(tmp_path, "")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "deal_id,stage,amount\nA,a,1\nB,a,2,3\nC,a,4\n",
            "deals.csv row 3: the row does not fit the header: the header has 3 fields (B,a,2,3)",
        ),
        (
            "deal_id,stage,amount\nA,a,1\nB,a\n",
            "deals.csv row 3: the row does not fit the header: the header has 3 fields (B,a)",
        ),
        ("deal_id,stage,deal_id\n1,a,2\n", "deals.csv: column 'deal_id' appears more than once"),
    ],
)
def test_rows_that_do_not_fit_the_header(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataError) as error:
        tables(tmp_path, text)
    assert message in str(error.value)


def test_other_delimiters(tmp_path: Path) -> None:
    # semicolons (with decimal commas) and tabs read like commas
    semicolons = 'deal_id;stage;amount\nA;a;\nB;Won;"2.000,50"\nC;Won;1000\n'
    tabs = "deal_id\tstage\tamount\nA\ta\t\nB\tWon\t2000.50\nC\tWon\t1000\n"
    for name, text in (("semi", semicolons), ("tabs", tabs)):
        directory = tmp_path / name
        directory.mkdir()
        funnel = report(directory, text).funnel
        assert funnel.deals.model_dump() == {"total": 3, "won": 2, "lost": 0, "open": 1}
        assert funnel.avg_won_amount == pytest.approx(1500.25)


def test_a_csv_that_is_not_utf8_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"deal_id,stage\nA,Alpha\nB,Caf\x81\n")  # 0x81: neither UTF-8 nor cp1252
    with pytest.raises(DataError) as caught:
        report(tmp_path, deals_path=path)
    assert str(caught.value) == (
        f"{path} row 3: the file is not text in any encoding tried (UTF-8, UTF-16 (with a "
        "byte-order mark) and cp1252); declare data.encoding in the process file"
    )


def test_a_ragged_row_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        report(tmp_path, "deal_id,stage\nA,Alpha\nB,Beta,extra,more\n")
    message = str(caught.value)
    assert message.endswith(
        "row 3: the row does not fit the header: the header has 2 fields (B,Beta,extra,more)"
    )
