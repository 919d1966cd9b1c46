"""The currency column's values read by the rules a file's get: code_of against the SQL of
sources.currency.code run in DuckDB (the file's reading), and the refusal of a currency with no
rate."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.model import Process
from salesflow.sources import currency
from salesflow.sources.remote.currencies import Currencies, code_of, unknown_currencies
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
    assert [code_of(v, PROCESS) for v in ("eur", "Usd", "€", "$", "£", "EURO")] == [
        "EUR",
        "USD",
        "EUR",
        "USD",
        "GBP",
        "EURO",
    ]


def test_rows_in_currencies_with_no_rate_are_one_refused_problem() -> None:
    values = (("EUR", "EUR", 3), ("gbp", "GBP", 2), ("£", "GBP", 5), ("CHF", "CHF", 7))
    problem = unknown_currencies("db", Currencies("currency", values), PROCESS)
    assert problem.code == "unknown-currency"
    assert problem.count == 14
    assert problem.summary.startswith(
        "14 rows in a currency other than USD with no rate: CHF (7), GBP (7); add data.rates"
    )


def test_no_problem_when_every_currency_has_a_rate() -> None:
    values = (("EUR", "EUR", 3), ("usd", "USD", 2))
    assert unknown_currencies("db", Currencies("currency", values), PROCESS).count == 0
