"""`salesflow validate -p P --deals D`: data problems with row numbers, in every format, and
the exit codes (0 clean or warnings only, 1 problems, 2 unusable input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import assert_clean_exit, invoke, write
from tests.sources.deal_data import PROCESS_YAML

# Eight clean deals on rows 2–9; each case below adds row 10.
CLEAN = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage
C1,a,,2024-01-01,,
C2,b,,2024-01-01,,
C3,c,,2024-01-01,,
C4,d,,2024-01-01,,
C5,Won,100,2024-01-01,2024-01-10,
C6,Won,200,2024-01-01,2024-01-10,
C7,Lost,,2024-01-01,2024-01-10,b
C8,Lost,,2024-01-01,2024-01-10,c
"""
CLEAN_HISTORY = """\
deal_id,stage,entered_at
C1,a,2024-01-01
C2,a,2024-01-01
C2,b,2024-01-02
C3,a,2024-01-01
C3,c,2024-01-03
C4,d,2024-01-04
C5,a,2024-01-01
C6,a,2024-01-01
"""

# (code, row 10 of the deals, row 10 of the history, detail row, detail message); the problem
# is in the history when only the history has a row 10
ERRORS = [
    ("bad-date", "C9,a,,2016-13-45,,", "", 10, 'created_at "2016-13-45" is not a date'),
    ("bad-date", "C9,a,,2024-01-01,31/12/2024,", "", 10, 'closed_at "31/12/2024" is not a date'),
    (
        "bad-amount",
        "C9,Won,12.5.0,2024-01-01,2024-01-02,",
        "",
        10,
        'amount "12.5.0" is not a number',
    ),
    ("duplicate-id", "C4,a,,2024-01-01,,", "", 5, 'duplicate id "C4" in rows 5 and 10'),
    (
        "unmapped-label",
        "C9,Limbo,,2024-01-01,,",
        "",
        10,
        'stage "Limbo" matches no stage or outcome (1 row)',
    ),
    ("missing-id", ",a,,2024-01-01,,", "", 10, "the deal id is empty"),
    (
        "unmapped-lost-stage",
        "C9,Lost,,2024-01-01,2024-01-02,Limbo",
        "C9,b,2024-01-01",  # its history places it: no lost-without-stage warning
        10,
        'lost stage "Limbo" matches no stage or outcome (1 row)',
    ),
    ("missing-stage", "C9,,,2024-01-01,,", "", 10, 'deal "C9" is open but has no stage'),
    ("won-without-amount", "C9,Won,,2024-01-01,2024-01-02,", "", 10, 'won deal "C9" has no amount'),
    (
        "closed-before-created",
        "C9,Lost,,2024-01-05,2024-01-02,a",
        "",
        10,
        "closed_at 2024-01-02 is before created_at 2024-01-05",
    ),
    ("bad-date", "", "C7,b,soon", 10, 'entered_at "soon" is not a date'),
    ("unknown-deal", "", "X1,a,2024-01-01", 10, 'deal "X1" is not in deals.csv'),
    (
        "unmapped-label",
        "",
        "C7,Limbo,2024-01-01",
        10,
        'stage "Limbo" matches no stage or outcome (1 row)',
    ),
]
IDS = [
    f"{code}-{'deals' if deals else 'history'}-{i}" for i, (code, deals, *_) in enumerate(ERRORS)
]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "p.yaml", PROCESS_YAML)


def _validate(*args: str, deals: str = CLEAN, history: str | None = None) -> tuple[str, ...]:
    write(Path.cwd(), "deals.csv", deals)
    extra: tuple[str, ...] = ()
    if history is not None:
        write(Path.cwd(), "history.csv", history)
        extra = ("--history", "history.csv")
    return ("validate", "-p", "p.yaml", "--deals", "deals.csv", *extra, *args)


def test_clean_data() -> None:
    result = invoke(*_validate(history=CLEAN_HISTORY))
    assert_clean_exit(result)
    assert result.exit_code == 0
    assert result.stdout == "✓ 3 files valid\n"
    assert result.stderr == ""


def _case(deals_row: str, history_row: str) -> tuple[str, str, str]:
    """(deals text, history text, the file the problem is in)."""
    deals = CLEAN + (deals_row + "\n" if deals_row else "")
    history = CLEAN_HISTORY + (history_row + "\n" if history_row else "")
    return deals, history, "deals.csv" if deals_row else "history.csv"


@pytest.mark.parametrize(("code", "deals_row", "history_row", "row", "message"), ERRORS, ids=IDS)
def test_error_text(code: str, deals_row: str, history_row: str, row: int, message: str) -> None:
    deals, history, file = _case(deals_row, history_row)
    result = invoke(*_validate(deals=deals, history=history))
    assert_clean_exit(result)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"  {file} row {row}: {message}" in lines
    summary = next(line for line in lines if line.startswith(f"{file}: error {code}: "))
    assert lines[lines.index(summary) + 1] == f"  {file} row {row}: {message}"
    assert lines[-1] == "✗ 1 error, 0 warnings in 1 of 3 files"


@pytest.mark.parametrize(("code", "deals_row", "history_row", "row", "message"), ERRORS, ids=IDS)
def test_error_json(code: str, deals_row: str, history_row: str, row: int, message: str) -> None:
    deals, history, file = _case(deals_row, history_row)
    result = invoke(*_validate("--format", "json", deals=deals, history=history))
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    assert document["summary"] == {"files": 3, "errors": 1, "warnings": 0}
    (data_file,) = [f for f in document["files"] if f["file"] == file]
    assert data_file["valid"] is False
    (issue,) = data_file["issues"]
    assert issue["code"] == code
    assert issue["severity"] == "error"
    assert (issue["line"], issue["column"]) == (0, 0)
    assert issue["details"] == [{"row": row, "message": message}]


@pytest.mark.parametrize(("code", "deals_row", "history_row", "row", "message"), ERRORS, ids=IDS)
def test_error_github(code: str, deals_row: str, history_row: str, row: int, message: str) -> None:
    deals, history, file = _case(deals_row, history_row)
    result = invoke(*_validate("--format", "github", deals=deals, history=history))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"::error file={file},title=salesflow {code}::")
    escaped = message.replace("%", "%25")
    assert lines[1] == f"::error file={file},line={row},title=salesflow {code}::{escaped}"


WARNING_ONLY = CLEAN + "C9,Lost,,2024-01-01,2024-01-02,\n"


def test_warning_only() -> None:
    result = invoke(*_validate(deals=WARNING_ONLY))
    assert_clean_exit(result)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "deals.csv: warning lost-without-stage: 1 lost deal with no lost stage, stage date or "
        "history: counted as lost at the first stage"
    )
    assert lines[1] == '  deals.csv row 10: lost deal "C9" shows no stage it was lost at'
    assert lines[-1] == "✓ 2 files valid (0 errors, 1 warning)"


def test_warning_only_strict() -> None:
    result = invoke(*_validate("--strict", deals=WARNING_ONLY))
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "✗ 0 errors, 1 warning in 1 of 2 files"


def test_warning_github() -> None:
    result = invoke(*_validate("--format", "github", deals=WARNING_ONLY))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == (
        "::warning file=deals.csv,line=10,title=salesflow lost-without-stage::"
        'lost deal "C9" shows no stage it was lost at'
    )


def test_several_problems_are_all_listed() -> None:
    deals = CLEAN + "C9,a,abc,2016-13-45,,\nC4,Limbo,,2024-01-01,,\n"
    result = invoke(*_validate(deals=deals))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    for line in (
        '  deals.csv row 11: stage "Limbo" matches no stage or outcome (1 row)',
        '  deals.csv row 5: duplicate id "C4" in rows 5 and 11',
        '  deals.csv row 10: amount "abc" is not a number',
        '  deals.csv row 10: created_at "2016-13-45" is not a date',
    ):
        assert line in lines
    assert lines[-1] == "✗ 4 errors, 0 warnings in 1 of 2 files"


def test_date_format_flag() -> None:
    deals = CLEAN.replace("2024-01-01", "01/01/2024").replace("2024-01-10", "10/01/2024")
    result = invoke(*_validate("--date-format", "%d/%m/%Y", deals=deals))
    assert result.exit_code == 0, result.stdout
    # without it, dates that read either way (01/01/2024, 10/01/2024) are refused
    refused = invoke(*_validate(deals=deals))
    assert refused.exit_code == 2, refused.output
    assert "10/01/2024 read either way" in refused.output


def test_map_flag() -> None:
    """`--map amount=Deal Value` makes that column the amount: an unreadable value in it is
    reported only with the flag (without it the column is not read at all)."""
    renamed = CLEAN.replace("amount", "Deal Value", 1)
    assert invoke(*_validate("--map", "amount=Deal Value", deals=renamed)).exit_code == 0
    deals = renamed.replace("C6,Won,200", "C6,Won,lots")
    mapped = invoke(*_validate("--map", "amount=Deal Value", deals=deals))
    assert mapped.exit_code == 1, mapped.output
    assert 'deals.csv row 7: Deal Value "lots" is not a number' in mapped.stdout
    unmapped = invoke(*_validate(deals=deals))
    assert unmapped.exit_code == 0, unmapped.output
    assert "Deal Value" not in unmapped.stdout
    # and the column must exist: with the default name there is no `Deal Value`
    assert invoke(*_validate("--map", "amount=Deal Value", deals=CLEAN)).exit_code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--map", "amount=Value"),
            "salesflow: error: deals.csv has no column 'Value' (--map amount=Value); its columns: "
            "deal_id, stage, amount, created_at, closed_at, lost_at_stage",
        ),
        (
            ("--map", "colour=x"),
            "salesflow: error: --map colour=…: unknown key; known keys: id, stage, status, amount, "
            "created, closed, owner, lost_stage, currency, pipeline, history.deal, "
            "history.stage, history.entered, history.field, stage_dates.a, stage_dates.b, "
            "stage_dates.c, stage_dates.d",
        ),
        (
            ("--map", "amount"),
            "salesflow: error: --map amount: expected KEY=COLUMN, e.g. --map amount=Amount",
        ),
    ],
)
def test_unusable_columns_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = invoke(*_validate(*args))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message + "\n"


def test_a_row_that_does_not_fit_the_header() -> None:
    result = invoke(*_validate(deals=CLEAN + "C9,a,,2024-01-01,,,extra\n"))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        "salesflow: error: deals.csv row 10: the row does not fit the header: "
        "the header has 6 fields"
    )
    assert result.stderr.count("\n") == 1


def test_missing_column_named_in_the_process_file(tmp_path: Path) -> None:
    write(tmp_path, "p.yaml", PROCESS_YAML + "data:\n  columns: {owner: Rep}\n")
    result = invoke(*_validate())
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "deals.csv has no column 'Rep' (data.columns.owner in the process file)" in result.stderr


def test_missing_deals_file() -> None:
    result = invoke("validate", "-p", "p.yaml", "--deals", "nowhere.csv")
    assert result.exit_code == 2
    assert result.stderr == "salesflow: error: nowhere.csv: no such file\n"


def test_deals_with_two_process_files(tmp_path: Path) -> None:
    write(tmp_path, "q.yaml", PROCESS_YAML)
    write(tmp_path, "deals.csv", CLEAN)
    result = invoke("validate", "p.yaml", "q.yaml", "--deals", "deals.csv")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "salesflow: error: --deals checks data against one process file; give only one\n"
    )


def test_process_errors_skip_the_data(tmp_path: Path) -> None:
    write(tmp_path, "p.yaml", PROCESS_YAML.replace("owner: ae", "owner: nobody", 1))
    result = invoke(*_validate(deals=CLEAN + "C9,a,,2016-13-45,,\n"))
    assert result.exit_code == 1
    assert "unknown-owner" in result.stdout
    assert "deals.csv" not in result.stdout


# --- output safety: a cell cannot forge a line or reach the terminal with escape sequences -----

FORGED_CELL = '"Limbo\n::error file=p.yaml,line=1::forged\nFORGED \x1b]52;c;ZXZpbA==\x07\x1b[2J"'


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_cell_cannot_forge_a_line_or_send_escape_sequences(fmt: str) -> None:
    deals = CLEAN + f"C9,{FORGED_CELL},,2024-01-01,,\n"
    result = invoke(*_validate("--format", fmt, deals=deals))
    assert_clean_exit(result)
    assert result.exit_code == 1
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out
    assert not any(line.startswith(("::error file=p.yaml", "FORGED")) for line in out.splitlines())
    assert "Limbo" in out
    if fmt == "github":
        assert all(line.startswith("::") for line in out.splitlines())


def test_data_flag_checks_the_configured_deals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "process.yaml", PROCESS_YAML)
    write(tmp_path, "deals.csv", CLEAN + "C9,Limbo,,2024-01-01,,\n")
    write(tmp_path, "salesflow.toml", 'process = "process.yaml"\ndeals = "deals.csv"\n')
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "--data")
    assert result.exit_code == 1
    assert 'deals.csv row 10: stage "Limbo" matches no stage or outcome' in result.stdout
    assert invoke("validate").exit_code == 0  # the process alone


def test_data_flag_without_configured_deals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "process.yaml", PROCESS_YAML)
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "--data", env={"SALESFLOW_DEALS": None})
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "no deal data: pass --deals FILE" in result.stderr


def test_a_column_mapped_twice_is_reported_once(tmp_path: Path) -> None:
    process = PROCESS_YAML + "data:\n  columns: {created: when, closed: when}\n"
    write(tmp_path, "p.yaml", process)
    write(tmp_path, "d.csv", "deal_id,stage,when\nA,a,2024-01-01\nB,b,zzz\n")
    result = invoke("validate", "-p", str(tmp_path / "p.yaml"), "--deals", str(tmp_path / "d.csv"))
    assert result.exit_code == 1
    assert result.stdout.count('row 3: when "zzz" is not a date') == 1
    write(tmp_path, "e.csv", "deal_id,stage\nA,a\n")
    missing = invoke("validate", "-p", str(tmp_path / "p.yaml"), "--deals", str(tmp_path / "e.csv"))
    assert missing.exit_code == 2
    assert missing.stderr.count("has no column 'when'") == 1
    assert "data.columns.created in the process file and data.columns.closed" in missing.stderr


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["validate", "--deals"], ["validate", "--data"]),
        (["validate", "--deals", "--strict"], ["validate", "--data", "--strict"]),
        (["validate", "--deals", "d.csv"], ["validate", "--deals", "d.csv"]),
        (["validate", "--deals", "-"], ["validate", "--deals", "-"]),
        (["validate", "--", "--deals"], ["validate", "--", "--deals"]),
    ],
)
def test_a_bare_deals_flag_checks_the_configured_data(
    arguments: list[str], expected: list[str]
) -> None:
    from salesflow.cli.app import configured_deals

    assert configured_deals(arguments) == expected
