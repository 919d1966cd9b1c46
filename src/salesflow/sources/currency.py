"""Currencies of amounts: the currency column, else the symbol or code written in the amount,
else the process currency; converted to the process currency by `data.rates` before any metric.

What an amount's text writes is its *mark*: a code (`EUR 1,200.00`, `12K GBP`), the currency of
a symbol only one currency writes (`€` EUR), or a symbol several write, as written (`$`, `¥`).
A shared symbol is the process currency when that is one of its currencies, else the first; it
agrees with a currency column naming any of its currencies (`$1,000.00` with USD or CAD), while
a code or an unshared symbol that differs from the column is refused (`currency-mismatch`).
"""

from __future__ import annotations

from salesflow.model import Process
from salesflow.sources.connection import quote_text
from salesflow.sources.parse import NUMERIC_TYPES, text

# Symbols only one currency writes.
SYMBOLS = {"€": "EUR", "£": "GBP", "₹": "INR"}
# Currencies written with a plain `$`: in a process kept in one of them, `$` is that currency.
DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "ARS", "CLP", "COP")
YENS = ("JPY", "CNY")  # `¥`: the yen, and the yuan (CN¥)
SHARED = {"$": DOLLARS, "¥": YENS}
# The order in which an amount's symbols are looked for: the first found is its mark.
LOOKED_FOR = ("€", "£", "¥", "₹", "$")
LEADING_CODE = r"^([A-Za-z]{3})\s*[^A-Za-z\s]"
# A code after the number, or after its `k`/`M` suffix (`12 EUR`, `12K GBP`, `1.5k EUR`).
TRAILING_CODE = r"[^A-Za-z\s]\s*(?:[kKM]\s*)?([A-Za-z]{3})$"
RATES_FIX = "add data.rates to the process file (e.g. EUR: 1.08, what one EUR is worth)"


def symbol_code(symbol: str, process: Process) -> str:
    """The currency a symbol (a key of SYMBOLS or SHARED) is in `process`."""
    shared = SHARED.get(symbol)
    if shared is None:
        return SYMBOLS[symbol]
    return process.currency if process.currency in shared else shared[0]


def mark_of(symbol: str) -> str:
    """The mark of an amount written with `symbol`: its code, or the symbol when shared."""
    return symbol if symbol in SHARED else SYMBOLS[symbol]


def symbol_mark(value: str) -> str:
    """SQL: the mark of the first symbol in the text `value` (see LOOKED_FOR), NULL without
    one; in functions every database has (sources.remote.amount_reading sends it)."""
    cases = " ".join(
        f"WHEN strpos({value}, '{symbol}') > 0 THEN '{mark_of(symbol)}'" for symbol in LOOKED_FOR
    )
    return f"CASE {cases} END"


def captured(column: str, column_type: str) -> str | None:
    """SQL: the mark an amount's text writes (a code, else a symbol's: see symbol_mark), NULL
    when it writes none or is a plain number (checked first: most amounts are); None for a
    numeric column."""
    if column_type.startswith(NUMERIC_TYPES) or column_type.startswith("DECIMAL"):
        return None
    raw = text(column)
    code = (
        f"coalesce(NULLIF(regexp_extract({raw}, '{LEADING_CODE}', 1), ''), "
        f"NULLIF(regexp_extract({raw}, '{TRAILING_CODE}', 1), ''))"
    )
    return (
        f"CASE WHEN TRY_CAST({raw} AS DOUBLE) IS NOT NULL THEN NULL "
        f"ELSE coalesce(upper({code}), {symbol_mark(raw)}) END"
    )


def meaning(mark: str, process: Process) -> str:
    """SQL: the currency a mark (SQL) is in `process`: a shared symbol's (symbol_code)."""
    cases = " ".join(f"WHEN '{symbol}' THEN '{symbol_code(symbol, process)}'" for symbol in SHARED)
    return f"CASE {mark} {cases} ELSE {mark} END"


def contradicts(given: str, mark: str) -> str:
    """SQL: whether a currency column's code `given` and an amount's `mark` (both SQL) disagree:
    both there, different, and not a shared symbol with one of its currencies."""
    agreeing = " ".join(
        f"WHEN '{symbol}' THEN {given} IN ({_listed(codes)})" for symbol, codes in SHARED.items()
    )
    return (
        f"({given} IS NOT NULL AND {mark} IS NOT NULL AND {given} <> {mark} "
        f"AND NOT CASE {mark} {agreeing} ELSE false END)"
    )


def mark_code(mark: str, process: Process) -> str:
    """The currency a mark is in `process` (as `meaning` reads it)."""
    return symbol_code(mark, process) if mark in SHARED else mark


def agrees(given: str, mark: str) -> bool:
    """Whether a currency column's code and an amount's mark agree (as `contradicts` reads)."""
    return given == mark or given in SHARED.get(mark, ())


def code(column: str, process: Process) -> str:
    """SQL: a currency column's value as a code (`eur` and `€` are EUR); other text as written."""
    value = text(column)
    symbols = " ".join(
        f"WHEN '{symbol}' THEN '{symbol_code(symbol, process)}'" for symbol in LOOKED_FOR
    )
    return (
        f"CASE WHEN regexp_full_match({value}, '[A-Za-z]{{3}}') THEN upper({value}) "
        f"ELSE CASE {value} {symbols} ELSE {value} END END"
    )


def rate(currency_sql: str, process: Process) -> str:
    """SQL: what one unit of the currency is worth in the process currency; NULL when unknown."""
    rates = {process.currency: 1.0, **process.data.rates}
    cases = " ".join(f"WHEN '{quote_text(c)}' THEN {r!r}::DOUBLE" for c, r in rates.items())
    return f"CASE {currency_sql} {cases} END"


def known(process: Process) -> list[str]:
    return [process.currency, *process.data.rates]


def _listed(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{c}'" for c in codes)
