"""A database's currencies: each deal's amount converted to the process currency by `data.rates`
on the server, as a file's is (sources.currency, sources.rules).

A row's currency is its currency column, else the symbol its text amount writes (its mark, read
on the server when some value writes one: sources.remote.text_amounts), else the process
currency. The pairs of column value and mark are few, so they are read first, grouped, and
given their meaning here by the rules a file's get: three letters are a code in any case (`eur`
is EUR), a symbol is its currency (`€`, and `$` the process's dollar), an empty value is the
process currency. The amount is then multiplied by a `CASE` over those values. A currency with
no rate makes its amounts unknown, and the command refuses the data (`unknown-currency`); a
column and a mark that disagree (`€ 5` with USD; `$` agrees with any dollar) are refused too
(`currency-mismatch`), as for a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from salesflow.diagnostics import Severity
from salesflow.model import Process
from salesflow.model.data import DataProblem
from salesflow.sources import currency
from salesflow.sources.connection import quote_text
from salesflow.sources.engine import Engine
from salesflow.sources.problems import (
    CURRENCY_MISMATCH,
    UNKNOWN_CURRENCY,
    plural,
    unknown_currency_statement,
)
from salesflow.sources.remote.amount_reading import MARK
from salesflow.sources.remote.relations import CURRENCY, CURRENCY_MARK, Layout, opaque, text

CODE = re.compile(r"[A-Za-z]{3}")
ONE = "CAST(1.0 AS DOUBLE)"
Written = tuple[str | None, str | None, int]  # (the column's value, the amount's mark, rows)


@dataclass(frozen=True)
class Currencies:
    """The currency column's values as written (trimmed) with the marks of the amounts, each
    pair with its rows; `column` is None without a currency column, `marks` whether the amounts
    write any."""

    column: str | None
    values: tuple[Written, ...]
    marks: bool = False

    def rate(self, process: Process) -> str:
        """SQL: what one unit of each row's currency is worth in the process currency."""
        unwritten = self._mark_rate(process) if self.marks else ONE
        if self.column is None:
            return unwritten
        rates = rates_of(process)
        value = text(self.column)
        cases = " ".join(
            f"WHEN '{quote_text(written)}' THEN {_double(rates[code])}"
            for written, code in self._column_codes(process)
            if code in rates
        )
        given = f"CASE {value} {cases} END" if cases else "CAST(NULL AS DOUBLE)"
        return f"CASE WHEN {value} IS NULL THEN {unwritten} ELSE {given} END"

    def _mark_rate(self, process: Process) -> str:
        """SQL: the rate of the amount's mark (a code, or a shared symbol), 1 without one."""
        rates = rates_of(process)
        mark = f"src.{MARK}"
        marks = [*currency.SHARED, *rates]
        cases = " ".join(
            f"WHEN '{quote_text(m)}' THEN {_double(rates[code])}"
            for m in marks
            if (code := currency.mark_code(m, process)) in rates
        )
        return f"CASE WHEN {mark} IS NULL THEN {ONE} ELSE CASE {mark} {cases} END END"

    def _column_codes(self, process: Process) -> list[tuple[str, str]]:
        written = sorted({value for value, _, _ in self.values if value is not None})
        return [(value, code_of(value, process)) for value in written]


def read_currencies(engine: Engine, layout: Layout) -> Currencies | None:
    """The pairs of currency column value and amount mark among the rows the metrics may use
    (not filtered out, not ignored); None without amounts, or without a currency column and
    marks."""
    column = layout.columns.get("currency")
    keys = [CURRENCY] if column is not None else []
    keys += [CURRENCY_MARK] if layout.amount_marks else []
    if not keys or layout.columns.get("amount") is None:
        return None
    written = " OR ".join(f"{key} IS NOT NULL" for key in keys)
    written = f"({written})" if len(keys) > 1 else written
    rows = engine.rows(
        f"SELECT {', '.join(keys)}, count(*) FROM deals_raw "
        f"WHERE {opaque(f'left_out IS NULL AND {written}')} GROUP BY {', '.join(keys)}"
    )
    values = sorted(
        (_written(row, column is not None, layout.amount_marks) for row in rows),
        key=lambda value: (value[0] or "", value[1] or ""),
    )
    return Currencies(column, tuple(values), layout.amount_marks)


def _written(row: tuple[object, ...], has_column: bool, has_marks: bool) -> Written:
    cells = list(row)
    value = cells.pop(0) if has_column else None
    mark = cells.pop(0) if has_marks else None
    return (_text(value), _text(mark), int(str(cells[0])))


def code_of(written: str, process: Process) -> str:
    """A value of the currency column as a code, as sources.currency.code reads it."""
    if CODE.fullmatch(written):
        return written.upper()
    if written in currency.SHARED or written in currency.SYMBOLS:
        return currency.symbol_code(written, process)
    return written


def row_code(written: str | None, mark: str | None, process: Process) -> str:
    """A row's currency: its column's, else its amount's mark's, else the process's."""
    if written is not None:
        return code_of(written, process)
    return process.currency if mark is None else currency.mark_code(mark, process)


def rates_of(process: Process) -> dict[str, float]:
    return {process.currency: 1.0, **process.data.rates}


def unknown_currencies(name: str, currencies: Currencies, process: Process) -> DataProblem:
    """Rows in a currency that is neither the process's nor in data.rates, per code, most rows
    first: the statement a file's check makes (sources.problems)."""
    known = set(currency.known(process))
    counts: dict[str, int] = {}
    for written, mark, rows in currencies.values:
        code = row_code(written, mark, process)
        if code not in known:
            counts[code] = counts.get(code, 0) + rows
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    statement = unknown_currency_statement(process, ranked)
    return DataProblem(name, UNKNOWN_CURRENCY, Severity.ERROR, sum(counts.values()), statement)


def currency_mismatches(name: str, currencies: Currencies, layout: Layout) -> DataProblem:
    """Rows whose amount writes another currency than the currency column says (a shared symbol
    agrees with each of its currencies), as a file's check says it, with the first pair."""
    found = [
        (mark, code, rows)
        for written, mark, rows in currencies.values
        if written is not None and mark is not None
        if not currency.agrees(code := code_of(written, layout.process), mark)
    ]
    count = sum(rows for _, _, rows in found)
    amount, named = layout.columns.get("amount"), currencies.column
    first = f" (such as {found[0][0]} against {found[0][1]})" if found else ""
    statement = (
        f"{plural(count, 'row')} whose {amount} is written in another currency than {named} "
        f"says{first}; correct one"
    )
    return DataProblem(name, CURRENCY_MISMATCH, Severity.ERROR, count, statement)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _double(rate: float) -> str:
    return f"CAST({rate!r} AS DOUBLE)"
