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
