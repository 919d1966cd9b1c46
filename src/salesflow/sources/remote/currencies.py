"""A database's currency column: each deal's amount converted to the process currency by
`data.rates` on the server, as a file's is (sources.currency, sources.rules).

The column's values are few, so they are read first, grouped, and given their meaning here by
the rules a file's get: three letters are a code in any case (`eur` is EUR), a symbol is its
currency (`€`, and `$` the process's dollar), an empty value is the process currency. The
amount is then multiplied by a `CASE` over those values. A value whose currency has no rate makes
its amounts unknown, and the command refuses the data (`unknown-currency`), as for a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from salesflow.diagnostics import Severity
from salesflow.model import Process
from salesflow.model.data import DataProblem
from salesflow.sources import currency
from salesflow.sources.engine import Engine
from salesflow.sources.problems import UNKNOWN_CURRENCY, unknown_currency_statement
from salesflow.sources.remote.relations import CURRENCY, Layout, opaque

CODE = re.compile(r"[A-Za-z]{3}")


@dataclass(frozen=True)
class Currencies:
    """The currency column's values as written (trimmed), each with its code and rows."""

    column: str
    values: tuple[tuple[str, str, int], ...]  # (written, code, rows)


def read_currencies(engine: Engine, layout: Layout) -> Currencies | None:
    """The values of the currency column among the rows the metrics may use (not filtered out,
    not ignored); None without a currency column or without amounts."""
    column = layout.columns.get("currency")
    if column is None or layout.columns.get("amount") is None:
        return None
    rows = engine.rows(
        f"SELECT {CURRENCY}, count(*) FROM deals_raw "
        f"WHERE {opaque(f'left_out IS NULL AND {CURRENCY} IS NOT NULL')} GROUP BY {CURRENCY}"
    )
    values = sorted((str(value), code_of(str(value), layout.process), int(n)) for value, n in rows)
    return Currencies(column, tuple(values))


def code_of(written: str, process: Process) -> str:
    """A value of the currency column as a code, as sources.currency.code reads it."""
    if CODE.fullmatch(written):
        return written.upper()
    if written == "$":
        return currency.dollar(process)
    return currency.SYMBOLS.get(written, written)


def unknown_currencies(name: str, currencies: Currencies, process: Process) -> DataProblem:
    """Rows in a currency that is neither the process's nor in data.rates, per code, most rows
    first: the statement a file's check makes (sources.problems)."""
    known = set(currency.known(process))
    counts: dict[str, int] = {}
    for _, code, rows in currencies.values:
        if code not in known:
            counts[code] = counts.get(code, 0) + rows
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    statement = unknown_currency_statement(process, ranked)
    return DataProblem(name, UNKNOWN_CURRENCY, Severity.ERROR, sum(counts.values()), statement)
