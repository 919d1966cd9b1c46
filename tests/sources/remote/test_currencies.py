"""The currency column's values and the amounts' symbols read by the rules a file's get: code_of
against the SQL of sources.currency.code run in DuckDB (the file's reading), each row's rate and
disagreement against the file's, and the refusal of a currency with no rate or of a column and
an amount that disagree."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.model import Process
from salesflow.sources import currency
from salesflow.sources.options import DataOptions
from salesflow.sources.remote.amount_reading import MARK
from salesflow.sources.remote.currencies import (
    Currencies,
    code_of,
    currency_mismatches,
    row_code,
    unknown_currencies,
)
from salesflow.sources.remote.relations import Layout
from tests.sources.remote.test_dialect_sql import PROCESS

CON = duckdb.connect()


def _file_code(value: str, process: Process) -> str:
    """The code a file's currency column gives `value` (sources.currency.code, in DuckDB)."""
    sql = f"SELECT {currency.code('c', process)} FROM (SELECT ? AS c)"
    found = CON.execute(sql, [value]).fetchone()
    assert found is not None
    return str(found[0])


@given(st.text(alphabet="aBcEuRsdD$€£¥₹ 1.", min_size=1, max_size=4).map(str.strip))
@settings(max_examples=200, deadline=None)
def test_a_value_reads_as_the_file_reads_it(value: str) -> None:
    if value:
        assert code_of(value, PROCESS) == _file_code(value, PROCESS)


def test_codes_and_symbols() -> None:
    assert [code_of(v, PROCESS) for v in ("eur", "Usd", "€", "$", "£", "EURO", "¥")] == [
        "EUR",
        "USD",
        "EUR",
        "USD",
        "GBP",
        "EURO",
        "JPY",
    ]
    assert [code_of(v, _in("CNY")) for v in ("$", "¥")] == ["USD", "CNY"]


def _in(code: str, rates: dict[str, float] | None = None) -> Process:
    data = PROCESS.data.model_copy(update={"rates": rates or {}})
    return PROCESS.model_copy(update={"currency": code, "data": data})


COLUMN = st.sampled_from([None, "EUR", "eur", "USD", "cad", "€", "$", "£", "¥", "CNY", "EURO"])
MARKS = st.sampled_from([None, "EUR", "GBP", "INR", "$", "¥", "USD", "CAD", "JPY"])
PROCESSES = st.sampled_from(
    [
        _in("USD", {"EUR": 1.1, "CAD": 0.7, "JPY": 0.01}),
        _in("CAD", {"USD": 1.35}),
        _in("EUR", {"USD": 0.9, "CNY": 0.13}),
        _in("CNY", {"JPY": 0.05}),
    ]
)


def _file_row(written: str | None, mark: str | None, process: Process) -> tuple[object, ...]:
    """The rate and disagreement a file's rules give a row (sources.rules, sources.problems)."""
    given = currency.code("c", process)
    row = f"coalesce({given}, {currency.meaning('m', process)}, '{process.currency}')"
    sql = (
        f"SELECT {currency.rate(row, process)}, {currency.contradicts(given, 'm')} "
        "FROM (SELECT ?::VARCHAR AS c, ?::VARCHAR AS m)"
    )
    found = CON.execute(sql, [written, mark]).fetchone()
    assert found is not None
    return (found[0], bool(found[1]))


def _database_row(written: str | None, mark: str | None, process: Process) -> tuple[object, ...]:
    """The rate the server's CASE gives the row, and whether the problem counts it."""
    currencies = Currencies("c", ((written, mark, 1),), marks=True)
    sql = (
        f"SELECT {currencies.rate(process)} FROM (SELECT ?::VARCHAR AS c, ?::VARCHAR AS {MARK}) src"
    )
    found = CON.execute(sql, [written, mark]).fetchone()
    assert found is not None
    layout = Layout(process, DataOptions(deals="db"), "deals", {"amount": "amount"})
    return (found[0], currency_mismatches("db", currencies, layout).count == 1)


@given(COLUMN, MARKS, PROCESSES)
@settings(max_examples=200, deadline=None)
def test_each_row_is_converted_and_checked_as_a_file_does(
    written: str | None, mark: str | None, process: Process
) -> None:
    assert _database_row(written, mark, process) == _file_row(written, mark, process)


def test_a_dollar_agrees_with_any_dollar_of_the_column() -> None:
    values = (("USD", "$", 3), ("cad", "$", 2), ("CAD", None, 4), (None, "$", 1))
    layout = Layout(_in("CAD"), DataOptions(deals="db"), "deals", {"amount": "amount"})
    assert currency_mismatches("db", Currencies("currency", values, True), layout).count == 0
    assert [row_code(w, m, _in("CAD")) for w, m, _ in values] == ["USD", "CAD", "CAD", "CAD"]


def test_a_column_an_amount_contradicts_is_one_refused_problem() -> None:
    values = (("EUR", "$", 3), ("USD", "EUR", 2), ("USD", "$", 5), ("JPY", "¥", 1), ("€", "EUR", 1))
    layout = Layout(PROCESS, DataOptions(deals="db"), "deals", {"amount": "amount"})
    problem = currency_mismatches("db", Currencies("currency", values, True), layout)
    assert (problem.code, problem.count) == ("currency-mismatch", 5)
    assert problem.summary == (
        "5 rows whose amount is written in another currency than currency says "
        "(such as $ against EUR); correct one"
    )


def test_rows_in_currencies_with_no_rate_are_one_refused_problem() -> None:
    values = (("EUR", None, 3), ("gbp", None, 2), ("£", None, 5), ("CHF", None, 7))
    problem = unknown_currencies("db", Currencies("currency", values), PROCESS)
    assert problem.code == "unknown-currency"
    assert problem.count == 14
    assert problem.summary.startswith(
        "14 rows in a currency other than USD with no rate: CHF (7), GBP (7); add data.rates"
    )


def test_no_problem_when_every_currency_has_a_rate() -> None:
    values = (("EUR", None, 3), ("usd", None, 2))
    assert unknown_currencies("db", Currencies("currency", values), PROCESS).count == 0


@pytest.mark.parametrize("column", ["currency", None])
def test_an_amount_symbol_with_no_rate_is_refused(column: str | None) -> None:
    """Without a currency column, or where it is empty, the amount's symbol is the currency."""
    values = ((None, "GBP", 2), (None, "$", 3), (None, "EUR", 4), (None, None, 5))
    problem = unknown_currencies("db", Currencies(column, values, True), PROCESS)
    assert problem.count == 2
    assert "with no rate: GBP (2); add data.rates" in problem.summary
