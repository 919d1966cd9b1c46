"""Row rules of the canonical build (sources.canonical): which rows the filters and
`data.ignore` leave out, status values that say neither won, lost nor open, each row's currency
and its amount in the process currency, and deals a joined file has no row for.

Each rule costs only when used: without filters, ignore, currencies or joins nothing is added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salesflow.sources import currency, parse
from salesflow.sources.filters import kept_sql
from salesflow.sources.joins import MISSED
from salesflow.sources.status import ignored_sql, unmapped_sql

if TYPE_CHECKING:
    from salesflow.sources.canonical import DealTables


def rule_inputs(tables: DealTables) -> list[str]:
    """Items of the typed step (over the file's columns) that the rules need."""
    columns = tables.columns.deals
    items = [f"{parse.text(columns['status'])} AS status_text"] if "status" in columns else []
    kept = kept_sql(tables.filters)
    items += [f"{kept} AS kept_"] if kept else []
    items += [f"{MISSED} AS join_missed"] if tables.process.data.join else []
    if uses_currencies(tables):
        if "currency" in columns:
            code = currency.code(columns["currency"], tables.process)
            items.append(f"{code} AS currency_given")
        written = _captured(tables)
        items += [f"{written} AS currency_written"] if written else []
    return items


def rule_columns(tables: DealTables) -> list[str]:
    """Items of deals_raw (over the typed step and the matched labels): `unmapped_status`,
    `left_out` ('filter', 'ignored' or NULL), `join_missed`, `currency` (and the currency
    column's and the amount text's, to compare)."""
    columns = tables.columns.deals
    items = []
    if "status" in columns:
        items += ["status_text", f"{unmapped_sql(tables.process)} AS unmapped_status"]
    left_out = _left_out(tables)
    items += [f"{left_out} AS left_out"] if left_out else []
    items += ["join_missed"] if tables.process.data.join else []
    if uses_currencies(tables):
        items += [*_currency_inputs(tables), f"{_row_currency(tables)} AS currency"]
    return items


def amount_item(tables: DealTables) -> str:
    """The amount in the process currency: NULL in a currency with no rate (refused)."""
    if not uses_currencies(tables):
        return "amount"
    return f"amount * {currency.rate(_row_currency(tables), tables.process)} AS amount"


def has_left_out(tables: DealTables) -> bool:
    return _left_out(tables) is not None


def uses_currencies(tables: DealTables) -> bool:
    """Whether a row may be in another currency: a currency column, or amounts as text."""
    columns = tables.columns.deals
    return "amount" in columns and ("currency" in columns or _captured(tables) is not None)


def _left_out(tables: DealTables) -> str | None:
    folded = ["stage_label", *(["status_label"] if "status" in tables.columns.deals else [])]
    ignored = ignored_sql(tables.process, tables.options, folded)
    cases = ["WHEN NOT kept_ THEN 'filter'"] if tables.filters else []
    cases += [f"WHEN {ignored} THEN 'ignored'"] if ignored else []
    return f"CASE {' '.join(cases)} END" if cases else None


def _captured(tables: DealTables) -> str | None:
    column = tables.columns.deals.get("amount")
    if column is None:
        return None
    return currency.captured(column, tables.deals.columns[column])


def _currency_inputs(tables: DealTables) -> list[str]:
    given = ["currency_given"] if "currency" in tables.columns.deals else []
    return given + (["currency_written"] if _captured(tables) else [])


def _row_currency(tables: DealTables) -> str:
    """The currency column, else the amount's symbol or code, else the process currency."""
    inputs = ["currency_given"] if "currency" in tables.columns.deals else []
    if _captured(tables):
        inputs.append(currency.meaning("currency_written", tables.process))
    return f"coalesce({', '.join(inputs)}, '{tables.process.currency}')"


def ignored_rows(tables: DealTables) -> int:
    """Rows `data.ignore` dropped (among those the filters keep)."""
    if not has_left_out(tables):
        return 0
    rows = tables.engine.rows("SELECT count(*) FROM deals_raw WHERE left_out = 'ignored'")
    return int(rows[0][0]) if rows else 0
