"""Text amounts and number formats: `data.number_format` / `--number-format` read them exactly;
without one, a value whose reading depends on the convention is refused with its rows."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from salesflow.sources import parse
from salesflow.sources.problems import AMBIGUOUS_AMOUNT
from tests.helpers import invoke, write
from tests.sources.deal_data import PROCESS_YAML, problems, process_yaml, report

FORMATS = list(parse.NUMBER_FORMATS)
FIX = "declare data.number_format"


def _read(values: list[str], number_format: str | None = None) -> list[float | None]:
    """Each text value as salesflow reads it."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[value] for value in values])
    typed = parse.amount("a", "VARCHAR", number_format)
    return [row[0] for row in con.execute(f"SELECT {typed} FROM t ORDER BY rowid").fetchall()]


def _one(value: str, number_format: str | None = None) -> float | None:
    return _read([value], number_format)[0]


def _ambiguous(value: str) -> bool:
    con = duckdb.connect()
    row = con.execute(f"SELECT {parse.ambiguous('v')} FROM (SELECT ? AS v)", [value]).fetchone()
    return bool(row and row[0])


# ---- without a declared format ----------------------------------------------------------------

UNAMBIGUOUS = [
    ("$12,000.00", 12000.0),  # both marks: the last one is the decimal mark
    ("USD 12,000.50", 12000.5),
    ("1,234.56", 1234.56),
    ("1.234,56", 1234.56),
    ("1.234.567,89", 1234567.89),
    ("1,234,567.89", 1234567.89),
    ("12 000,50 €", 12000.5),
    ("1'234.56", 1234.56),
    ("1,5", 1.5),  # one or two digits after a single comma: a decimal comma
    ("1,50", 1.5),
    ("-1.200,50", -1200.5),
    ("1.5", 1.5),  # one or two digits after a single dot: a decimal point
    ("1.25", 1.25),
    ("0.500", 0.5),  # a leading 0 is no thousands group
    ("0,500", 0.5),
    ("1234.567", 1234.567),  # four digits before: no thousands group either
    ("1200.5", 1200.5),
    ("1e5", 100000.0),
    ("(500)", -500.0),
    ("12.5 EUR", 12.5),
    ("1 234", 1234.0),
]


@pytest.mark.parametrize(("text", "value"), UNAMBIGUOUS)
def test_unambiguous_text_reads_without_a_format(text: str, value: float) -> None:
    assert _one(text) == pytest.approx(value)
    assert not _ambiguous(text)


AMBIGUOUS = ["12.000", "1.234.567", "€ 2.500", "12.000 €", "1,234,50", "1,234", "12,000",
             "$1,200", "USD 2,500", "1,234,567", "-12.000", "1.200", "2.500k"]  # fmt: skip


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_text_that_depends_on_the_convention_is_not_read(text: str) -> None:
    assert _one(text) is None
    assert _ambiguous(text)


@pytest.mark.parametrize("text", ["12.5.0", "1,2,3", "n/a", "5 kg", "inf", "1,234.5.6", "5m"])
def test_malformed_text_is_unreadable_not_ambiguous(text: str) -> None:
    assert _one(text) is None
    assert not _ambiguous(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5k", 1500.0),
        ("1.5K", 1500.0),
        ("2M", 2_000_000.0),
        ("2 M", 2_000_000.0),
        ("$2.5k", 2500.0),
        ("€1,5k", 1500.0),
        ("USD 3k", 3000.0),
        ("3k EUR", 3000.0),
        ("(2k)", -2000.0),
        ("1,234.5k", 1_234_500.0),
    ],
)
def test_k_and_m_suffixes(text: str, value: float) -> None:
    assert _one(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["2m", "2 mm", "2kk", "k5", "2 kg"])
def test_other_suffixes_are_unreadable(text: str) -> None:
    assert _one(text) is None


# ---- with a declared format -------------------------------------------------------------------

DECLARED = [
    # (format, text, value or None when it does not fit)
    ("1,234.56", "12.000", 12.0),
    ("1,234.56", "1,234", 1234.0),
    ("1,234.56", "1,234,567.89", 1234567.89),
    ("1,234.56", "$12,000", 12000.0),
    ("1,234.56", "1.5k", 1500.0),
    ("1,234.56", "1200.5", 1200.5),
    ("1,234.56", "1.234,56", None),
    ("1,234.56", "1,234,50", None),
    ("1,234.56", "1,5", None),
    ("1,234.56", "12 000", None),
    ("1.234,56", "12.000", 12000.0),
    ("1.234,56", "€ 2.500", 2500.0),
    ("1.234,56", "12.000 €", 12000.0),
    ("1.234,56", "1.234.567", 1234567.0),
    ("1.234,56", "1.234,56", 1234.56),
    ("1.234,56", "1,234", 1.234),
    ("1.234,56", "1,5k", 1500.0),
    ("1.234,56", "-1.200,50", -1200.5),
    ("1.234,56", "1200", 1200.0),
    ("1.234,56", "1200.5", None),
    ("1.234,56", "1,234,50", None),
    ("1.234,56", "$12,000.00", None),
    ("1.234,56", "0.500", None),
    ("1.234,56", "12.00", None),
    ("1 234,56", "12 000,50 €", 12000.5),
    ("1 234,56", "1\u00a0234\u00a0567,8", 1234567.8),  # no-break spaces
    ("1 234,56", "1\u202f234,5", 1234.5),
    ("1 234,56", "1234,5", 1234.5),
    ("1 234,56", "12.000", None),
    ("1 234,56", "12 00", None),
    ("1'234.56", "1'234.56", 1234.56),
    ("1'234.56", "CHF 1'234'567.50", 1234567.5),
    ("1'234.56", "1\u2019234.5", 1234.5),
    ("1'234.56", "12.000", 12.0),
    ("1'234.56", "1,234.56", None),
    ("1'234.56", "12'00", None),
]


@pytest.mark.parametrize(("number_format", "text", "value"), DECLARED)
def test_a_declared_format_reads_exactly(
    number_format: str, text: str, value: float | None
) -> None:
    read = _one(text, number_format)
    assert read == (None if value is None else pytest.approx(value))


@pytest.mark.parametrize("number_format", FORMATS)
def test_plain_numbers_read_in_every_format(number_format: str) -> None:
    assert _read(["1200", "1e5", "-7", "(300)", "2M"], number_format) == [
        1200.0,
        100000.0,
        -7.0,
        -300.0,
        2_000_000.0,
    ]


# ---- the fast path and typed columns ----------------------------------------------------------


@pytest.mark.parametrize("number_format", [None, "1,234.56", "1'234.56"])
def test_plain_numbers_take_the_fast_path(number_format: str | None) -> None:
    """A value DuckDB reads as a number skips the cleaning (unless it may be a thousands
    group): the typed expression's first branch returns it."""
    fast = parse._fast("v", "TRY_CAST(v AS DOUBLE)", number_format)
    con = duckdb.connect()
    for value in ["1200.5", "1e5", "1200", "-3.25", "123456.789", "1.5"]:
        row = con.execute(f"SELECT {fast} FROM (SELECT ? AS v)", [value]).fetchone()
        assert row == (True,), value
    if number_format is None:  # a possible thousands group leaves the fast path
        for value in ["12.000", "-1.200", "999.999"]:
            row = con.execute(f"SELECT {fast} FROM (SELECT ? AS v)", [value]).fetchone()
            assert row == (False,), value


@pytest.mark.parametrize("number_format", ["1.234,56", "1 234,56"])
def test_a_decimal_comma_format_keeps_dots_off_the_fast_path(number_format: str) -> None:
    fast = parse._fast("v", "TRY_CAST(v AS DOUBLE)", number_format)
    con = duckdb.connect()
    assert con.execute(f"SELECT {fast} FROM (SELECT '1200' AS v)").fetchone() == (True,)
    assert con.execute(f"SELECT {fast} FROM (SELECT '12.000' AS v)").fetchone() == (False,)


@pytest.mark.parametrize("number_format", [None, *FORMATS])
def test_numbers_typed_by_the_file_are_never_affected(
    tmp_path: Path, number_format: str | None
) -> None:
    path = tmp_path / "deals.parquet"
    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES ('A', 'Won', 12.0), ('B', 'Won', 1234.5)) "
        f"t(deal_id, stage, amount)) TO '{path}' (FORMAT PARQUET)"
    )
    kwargs = {"number_format": number_format} if number_format else {}
    assert problems(tmp_path, deals_path=path, **kwargs) == []
    assert report(tmp_path, deals_path=path, **kwargs).funnel.avg_won_amount == pytest.approx(
        (12.0 + 1234.5) / 2
    )


def test_numeric_database_columns_are_never_affected(tmp_path: Path) -> None:
    path = tmp_path / "deals.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE deals (deal_id VARCHAR, stage VARCHAR, amount DECIMAL(12, 3))")
    con.execute("INSERT INTO deals VALUES ('A', 'Won', 12.000), ('B', 'Won', 1.500)")
    con.close()
    assert problems(tmp_path, deals_path=path) == []
    assert report(tmp_path, deals_path=path).funnel.avg_won_amount == pytest.approx(6.75)


def test_csv_text_is_text(tmp_path: Path) -> None:
    """CSV columns are read as text: 12.000 there is ambiguous like any other text."""
    deals = "deal_id,stage,amount\nA,Won,12.000\nB,Won,1.5\n"
    assert [p.code for p in problems(tmp_path, deals)] == [AMBIGUOUS_AMOUNT]


# ---- problems, the process file and the commands ----------------------------------------------

# A process in euros: the amounts below are all in its currency, so only their number format is
# in question (amounts in another currency without data.rates are refused: test_currencies.py).
EUR_PROCESS = PROCESS_YAML.replace("name: Four stages\n", "name: Four stages\ncurrency: EUR\n")
DEALS = """\
deal_id,stage,amount
A,Won,"12.000 €"
B,Won,"€ 2.500"
C,Won,"€12,000.00"
D,Won,n/a
E,Won,"1,234,50"
F,Won,1.5k
"""


def test_ambiguous_amounts_are_a_problem_with_rows_and_the_fix(tmp_path: Path) -> None:
    found = problems(tmp_path, DEALS, process=EUR_PROCESS)
    assert [(p.code, p.count) for p in found] == [(AMBIGUOUS_AMOUNT, 3), ("bad-amount", 1)]
    ambiguous = found[0]
    assert ambiguous.summary.startswith(
        "3 rows whose amount reads differently by number format (thousands or decimals?); "
        f"{FIX} in the process file"
    )
    assert [(d.row, d.message.split(";")[0]) for d in ambiguous.examples] == [
        (2, 'amount "12.000 €" depends on the number format'),
        (3, 'amount "€ 2.500" depends on the number format'),
        (6, 'amount "1,234,50" depends on the number format'),
    ]
    assert all(FIX in d.message for d in ambiguous.examples)
    assert [d.row for d in found[1].examples] == [5]


def test_the_process_file_format_reads_them(tmp_path: Path) -> None:
    process = EUR_PROCESS + 'data:\n  number_format: "1.234,56"\n'
    found = problems(tmp_path, DEALS, process=process)
    # €12,000.00 does not fit 1.234,56, nor does n/a, nor 1,234,50, nor 1.5k (a dot only groups)
    assert [(p.code, [d.row for d in p.examples]) for p in found] == [("bad-amount", [4, 5, 6, 7])]
    european = 'deal_id,stage,amount\nA,Won,12.000 €\nB,Won,€ 2.500\nC,Won,"1,5k"\n'
    assert problems(tmp_path, european, process=process) == []
    funnel = report(tmp_path, european, process=process).funnel
    assert funnel.avg_won_amount == pytest.approx((12000 + 2500 + 1500) / 3)


def test_the_option_overrides_the_process_file(tmp_path: Path) -> None:
    process = process_yaml('  number_format: "1.234,56"\n')
    deals = 'deal_id,stage,amount\nA,Won,"1,234"\nB,Won,12.000\n'
    funnel = report(tmp_path, deals, process=process, number_format="1,234.56").funnel
    assert funnel.avg_won_amount == pytest.approx((1234 + 12) / 2)


def test_an_unknown_format_is_a_process_file_error(tmp_path: Path) -> None:
    process = write(tmp_path, "p.yaml", process_yaml('  number_format: "1_234.56"\n'))
    result = invoke("validate", str(process))
    assert result.exit_code != 0
    assert "number_format" in result.output


def _cli_files(tmp_path: Path, data: str = "") -> tuple[Path, Path]:
    process = write(tmp_path, "p.yaml", EUR_PROCESS + (f"data:\n{data}" if data else ""))
    deals = write(tmp_path, "deals.csv", DEALS.replace("D,Won,n/a\n", ""))
    return process, deals


@pytest.mark.parametrize("command", [["analyze"], ["forecast", "--leads", "10"], ["backtest"]])
def test_commands_refuse_ambiguous_amounts(tmp_path: Path, command: list[str]) -> None:
    process, deals = _cli_files(tmp_path)
    result = invoke(*command, "-p", str(process), "--deals", str(deals))
    assert result.exit_code == 2, result.output
    assert "3 rows whose amount reads differently by number format" in result.stderr
    assert FIX in result.stderr
    assert "row 2" in result.stderr


def test_analyze_reads_them_with_the_flag(tmp_path: Path) -> None:
    process, _ = _cli_files(tmp_path)
    deals = write(tmp_path, "eu.csv", 'deal_id,stage,amount\nA,Won,12.000 €\nB,Won,"1,5k"\n')
    result = invoke(
        "analyze", "-p", str(process), "--deals", str(deals), "--number-format", "1.234,56",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["avg_won_amount"] == pytest.approx((12000 + 1500) / 2)


def test_analyze_reads_them_with_the_process_file(tmp_path: Path) -> None:
    process, _ = _cli_files(tmp_path, '  number_format: "1.234,56"\n')
    deals = write(tmp_path, "eu.csv", 'deal_id,stage,amount\nA,Won,12.000 €\nB,Won,"1,5k"\n')
    result = invoke("analyze", "-p", str(process), "--deals", str(deals), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["avg_won_amount"] == pytest.approx(6750)


def test_an_unknown_flag_value_is_an_input_error(tmp_path: Path) -> None:
    process, deals = _cli_files(tmp_path)
    result = invoke(
        "analyze", "-p", str(process), "--deals", str(deals), "--number-format", "1.234.56"
    )
    assert result.exit_code == 2
    assert "--number-format 1.234.56: choose one of 1,234.56, 1.234,56, 1 234,56, 1'234.56" in (
        result.stderr
    )


def test_validate_deals_lists_the_rows(tmp_path: Path) -> None:
    process, deals = _cli_files(tmp_path)
    result = invoke("validate", str(process), "--deals", str(deals), "--format", "json")
    assert result.exit_code == 1, result.output
    text = result.stdout
    assert AMBIGUOUS_AMOUNT in text
    assert FIX in text
    for value in ("12.000 €", "€ 2.500", "1,234,50"):
        assert value in json.loads(json.dumps(text))
    flagged = invoke(
        "validate", str(process), "--deals", str(deals), "--number-format", "1,234.56"
    )  # €12,000.00 and 1.5k fit; 12.000 € reads 12, € 2.500 2.5; 1,234,50 does not fit
    assert AMBIGUOUS_AMOUNT not in flagged.stdout
    assert "1,234,50" in flagged.stdout
