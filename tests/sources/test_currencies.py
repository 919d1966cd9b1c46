"""Currencies: the currency column, else the amount's symbol or code, else the process's;
converted by data.rates; a currency with no rate refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import invoke
from tests.sources.deal_data import problems, process_yaml, tables, write

DEALS = """\
deal_id,stage,amount
W1,Closed Won,€ 100
W2,Closed Won,12.50 EUR
W3,Closed Won,$10
W4,Closed Won,£ 2
W5,Closed Won,7
"""
RATES = "  rates: {EUR: 1.5, GBP: 2}\n"


def amounts(directory: Path, deals: str, data: str) -> list[tuple[str, float]]:
    built = tables(directory, deals, process=process_yaml(data), number_format="1,234.56")
    rows = built.con.execute("SELECT currency, amount FROM deals ORDER BY _row").fetchall()
    return [(str(c), float(a)) for c, a in rows]


def test_symbols_and_codes_are_captured_and_converted(tmp_path: Path) -> None:
    assert amounts(tmp_path, DEALS, RATES) == [
        ("EUR", 150.0),
        ("EUR", 18.75),
        ("USD", 10.0),
        ("GBP", 4.0),
        ("USD", 7.0),
    ]


def test_the_currency_column_wins_and_a_disagreement_is_refused(tmp_path: Path) -> None:
    deals = "deal_id,stage,amount,currency\nW1,Closed Won,100,eur\nW2,Closed Won,€ 5,USD\n"
    assert amounts(tmp_path, deals, RATES)[0] == ("EUR", 150.0)
    found = {p.code: p for p in problems(tmp_path, deals, process=process_yaml(RATES))}
    mismatch = found["currency-mismatch"]
    assert mismatch.count == 1 and mismatch.examples[0].row == 3
    assert "amount is in EUR but currency says USD" in mismatch.examples[0].message


def test_a_currency_without_a_rate_is_refused_with_counts(tmp_path: Path) -> None:
    found = {
        p.code: p for p in problems(tmp_path, DEALS, process=process_yaml("  rates: {GBP: 2}\n"))
    }
    unknown = found["unknown-currency"]
    assert unknown.count == 2 and [e.row for e in unknown.examples] == [2]
    assert "in a currency other than USD with no rate: EUR (2); add data.rates" in unknown.statement


def test_dollar_is_the_process_dollar(tmp_path: Path) -> None:
    process = process_yaml("").replace("name: Four stages", "name: Four stages\ncurrency: CAD")
    built = tables(tmp_path, "deal_id,stage,amount\nW1,Closed Won,$10\n", process=process)
    assert built.con.execute("SELECT currency FROM deals").fetchall() == [("CAD",)]


def test_mixed_currencies_through_analyze(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "process.yaml", process_yaml(RATES))
    write(tmp_path, "deals.csv", DEALS)
    result = invoke(
        "analyze",
        "-p",
        "process.yaml",
        "--deals",
        "deals.csv",
        "--format",
        "json",
        "--number-format",
        "1,234.56",
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["deals"]["won"] == 5
    assert document["avg_won_amount"] == (150 + 18.75 + 10 + 4 + 7) / 5
    write(tmp_path, "process.yaml", process_yaml(""))
    refused = invoke(
        "analyze", "-p", "process.yaml", "--deals", "deals.csv", "--number-format", "1,234.56"
    )
    assert refused.exit_code == 2
    assert "EUR (2), GBP (1); add data.rates" in refused.output


SUFFIXED = """\
deal_id,stage,amount
W1,Closed Won,12K GBP
W2,Closed Won,2M EUR
W3,Closed Won,GBP 12K
W4,Closed Won,1.5k EUR
W5,Closed Won,3 k gbp
W6,Closed Won,7
"""


def test_a_suffix_before_a_code_keeps_the_code(tmp_path: Path) -> None:
    assert amounts(tmp_path, SUFFIXED, RATES) == [
        ("GBP", 24_000.0),
        ("EUR", 3_000_000.0),
        ("GBP", 24_000.0),
        ("EUR", 2_250.0),
        ("GBP", 6_000.0),
        ("USD", 7.0),
    ]


def test_a_suffix_before_a_code_without_its_rate_is_refused(tmp_path: Path) -> None:
    found = {p.code: p for p in problems(tmp_path, SUFFIXED, process=process_yaml(""))}
    unknown = found["unknown-currency"]
    assert unknown.count == 5
    assert "with no rate: GBP (3), EUR (2); add data.rates" in unknown.statement


def test_a_suffix_before_a_code_through_analyze(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "process.yaml", process_yaml("  rates: {EUR: 1.10, GBP: 1.25}\n"))
    write(tmp_path, "deals.csv", SUFFIXED.replace("W6,Closed Won,7\n", ""))
    result = invoke("analyze", "-p", "process.yaml", "--deals", "deals.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    expected = (15_000 + 2_200_000 + 15_000 + 1_650 + 3_750) / 5
    assert json.loads(result.stdout)["avg_won_amount"] == pytest.approx(expected)
    write(tmp_path, "process.yaml", process_yaml(""))
    refused = invoke("validate", "process.yaml", "--deals", "deals.csv")
    assert refused.exit_code == 1, refused.output
    assert "with no rate: GBP (3), EUR (2)" in refused.stdout


def _in(currency: str, rates: str) -> str:
    return process_yaml(rates).replace(
        "name: Four stages", f"name: Four stages\ncurrency: {currency}"
    )


DOLLARS_WITH_A_COLUMN = """\
deal_id,stage,amount,currency
W1,Closed Won,"$1,000.00",USD
W2,Closed Won,"$2,000.00",CAD
L1,Closed Lost,500,CAD
"""


def test_a_dollar_agrees_with_any_dollar_in_the_currency_column(tmp_path: Path) -> None:
    process = _in("CAD", "  rates: {USD: 1.35}\n")
    built = tables(tmp_path, DOLLARS_WITH_A_COLUMN, process=process)
    rows = built.con.execute("SELECT currency, amount FROM deals ORDER BY _row").fetchall()
    assert rows == [("USD", pytest.approx(1350.0)), ("CAD", 2000.0), ("CAD", 500.0)]
    found = problems(tmp_path, DOLLARS_WITH_A_COLUMN, process=process)
    assert "currency-mismatch" not in {p.code for p in found}


def test_a_dollar_against_another_currency_is_still_refused(tmp_path: Path) -> None:
    deals = "deal_id,stage,amount,currency\nW1,Closed Won,$5,EUR\nW2,Closed Won,£ 5,USD\n"
    found = {p.code: p for p in problems(tmp_path, deals, process=process_yaml(RATES))}
    mismatch = found["currency-mismatch"]
    assert mismatch.count == 2
    assert [e.message for e in mismatch.examples] == [
        "amount is in $ but currency says EUR",
        "amount is in GBP but currency says USD",
    ]


def test_a_yen_is_the_yen_or_the_yuan(tmp_path: Path) -> None:
    deals = "deal_id,stage,amount,currency\nW1,Closed Won,¥100,CNY\nW2,Closed Won,¥100,\n"
    built = tables(tmp_path, deals, process=_in("USD", "  rates: {JPY: 0.01, CNY: 0.1}\n"))
    rows = built.con.execute("SELECT currency, amount FROM deals ORDER BY _row").fetchall()
    assert rows == [("CNY", pytest.approx(10.0)), ("JPY", pytest.approx(1.0))]
    in_yuan = tables(tmp_path, deals, process=_in("CNY", "  rates: {JPY: 0.05}\n"))
    rows = in_yuan.con.execute("SELECT currency FROM deals ORDER BY _row").fetchall()
    assert rows == [("CNY",), ("CNY",)]


def test_a_dollar_with_a_currency_column_through_analyze(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "process.yaml", _in("CAD", "  rates: {USD: 1.35, EUR: 1.5}\n"))
    write(tmp_path, "deals.csv", DOLLARS_WITH_A_COLUMN)
    result = invoke("analyze", "-p", "process.yaml", "--deals", "deals.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["avg_won_amount"] == pytest.approx((1350 + 2000) / 2)
    write(tmp_path, "deals.csv", DOLLARS_WITH_A_COLUMN.replace(",CAD\n", ",EUR\n", 1))
    refused = invoke("analyze", "-p", "process.yaml", "--deals", "deals.csv")
    assert refused.exit_code == 2
    assert "1 row whose amount is written in another currency than currency says" in (
        refused.stderr
    )
