"""Currencies of amounts: the currency column, else the symbol or code written in the amount,
else the process currency; converted to the process currency by `data.rates` before any metric.
"""

from __future__ import annotations

from salesflow.model import Process
from salesflow.sources.connection import quote_text
from salesflow.sources.parse import NUMERIC_TYPES, text

SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
# Currencies written with a plain `$`: in a process kept in one of them, `$` is that currency.
DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "ARS", "CLP", "COP")
LEADING_CODE = r"^([A-Za-z]{3})\s*[^A-Za-z\s]"
TRAILING_CODE = r"[^A-Za-z\s]\s*([A-Za-z]{3})$"
RATES_FIX = "add data.rates to the process file (e.g. EUR: 1.08, what one EUR is worth)"


def dollar(process: Process) -> str:
    return process.currency if process.currency in DOLLARS else "USD"


def captured(column: str, column_type: str, process: Process) -> str | None:
    """SQL: the currency an amount's text names (a code or a symbol), NULL when it names none
    or is a plain number (checked first: most amounts are); None for a numeric column."""
    if column_type.startswith(NUMERIC_TYPES) or column_type.startswith("DECIMAL"):
        return None
    raw = text(column)
    code = (
        f"coalesce(NULLIF(regexp_extract({raw}, '{LEADING_CODE}', 1), ''), "
        f"NULLIF(regexp_extract({raw}, '{TRAILING_CODE}', 1), ''))"
    )
    symbols = " ".join(
        f"WHEN contains({raw}, '{symbol}') THEN '{name}'" for symbol, name in SYMBOLS.items()
    )
    return (
        f"CASE WHEN TRY_CAST({raw} AS DOUBLE) IS NOT NULL THEN NULL "
        f"ELSE coalesce(upper({code}), CASE {symbols} "
        f"WHEN contains({raw}, '$') THEN '{dollar(process)}' END) END"
    )


def code(column: str, process: Process) -> str:
    """SQL: a currency column's value as a code (`eur` and `€` are EUR); other text as written."""
    value = text(column)
    symbols = " ".join(f"WHEN '{symbol}' THEN '{name}'" for symbol, name in SYMBOLS.items())
    return (
        f"CASE WHEN regexp_full_match({value}, '[A-Za-z]{{3}}') THEN upper({value}) "
        f"ELSE CASE {value} {symbols} WHEN '$' THEN '{dollar(process)}' ELSE {value} END END"
    )


def rate(currency_sql: str, process: Process) -> str:
    """SQL: what one unit of the currency is worth in the process currency; NULL when unknown."""
    rates = {process.currency: 1.0, **process.data.rates}
    cases = " ".join(f"WHEN '{quote_text(c)}' THEN {r!r}::DOUBLE" for c, r in rates.items())
    return f"CASE {currency_sql} {cases} END"


def known(process: Process) -> list[str]:
    return [process.currency, *process.data.rates]
