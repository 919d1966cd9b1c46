"""Problems in deal data: each with its count and the first rows, never silently dropped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import duckdb

from salesflow.diagnostics import Issue, RowDetail, Severity
from salesflow.model import Process
from salesflow.model.data import DataProblem
from salesflow.sources import currency, parse
from salesflow.sources.canonical import DealTables
from salesflow.sources.connection import quote_text
from salesflow.sources.files import Source
from salesflow.sources.rules import uses_currencies

EXAMPLES = 5
LISTED_LABELS = 10
AMOUNT_OUT_OF_RANGE = "amount-out-of-range"  # refused by the commands, not only warned about
AMBIGUOUS_AMOUNT = "ambiguous-amount"  # refused too: 12.000 is 12 or 12,000 by convention
UNMAPPED_STATUS = "unmapped-status"  # refused unless --unmapped ignore, like unmapped labels
UNKNOWN_CURRENCY = "unknown-currency"  # refused: an amount in a currency with no rate
CURRENCY_MISMATCH = "currency-mismatch"  # refused: the currency column and the amount disagree
NUMBER_FORMAT_FIX = (
    'declare data.number_format in the process file ("1,234.56", "1.234,56", "1 234,56" or '
    '"1\'234.56") or pass --number-format'
)


@dataclass(frozen=True)
class Check:
    """A query for offending rows: `where` selects them from `table`; `select` fetches the
    values that `describe` turns into the message of one row."""

    code: str
    noun: str
    tail: str
    table: str
    where: str
    select: str
    describe: Callable[[tuple[Any, ...]], str]
    severity: Severity = Severity.ERROR


def find_problems(tables: DealTables) -> list[DataProblem]:
    """Every problem found, in a stable order."""
    if tables.remote is not None:
        from salesflow.sources.remote.problems import remote_problems

        history = tables.history.path if tables.history is not None else None
        return remote_problems(tables.remote, tables.deals.path, history)
    problems = [*_deal_problems(tables), *_history_problems(tables)]
    return [problem for problem in problems if problem.count]


def problem_issues(problems: list[DataProblem]) -> list[Issue]:
    """Each problem as one issue for its file, carrying its first rows as details."""
    return [
        Issue(
            problem.file,
            0,
            0,
            "",
            problem.code,
            problem.severity,
            problem.summary,
            tuple(problem.examples),
        )
        for problem in problems
    ]


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def out_of_range_tail(column: str) -> str:
    """What an `amount-out-of-range` problem says after its count of rows."""
    return f"whose {column} is infinite, NaN or beyond ±{parse.MAX_AMOUNT:,.0f}"


def unknown_currency_statement(process: Process, values: list[tuple[str, int]]) -> str:
    """The `unknown-currency` statement: rows per currency code, most first."""
    count = sum(n for _, n in values)
    listed = ", ".join(f"{value} ({n:,})" for value, n in values)
    return (
        f"{plural(count, 'row')} in a currency other than {process.currency} with no rate: "
        f"{listed}; {currency.RATES_FIX}"
    )


def _deal_problems(tables: DealTables) -> Iterator[DataProblem]:
    con, source = tables.con, tables.deals
    yield _unmapped(con, "deals", source, "unmapped_label", "stage", "unmapped-label")
    yield _unmapped(con, "deals", source, "unmapped_lost", "lost stage", "unmapped-lost-stage")
    yield _duplicates(con, source)
    if "status" in tables.columns.deals:
        yield _unmapped_status(con, source)
    if uses_currencies(tables):
        yield _unknown_currencies(con, source, tables.process)
    yield from _run_all(con, source, list(_deal_checks(tables)))


def _deal_checks(tables: DealTables) -> Iterator[Check]:
    yield Check(
        "missing-id",
        "row",
        "with no deal id",
        "deals",
        "deal_id IS NULL",
        "1",
        lambda row: "the deal id is empty",
    )
    yield from _bad_value_checks(tables)
    yield from _rule_checks(tables)
    yield Check(
        "missing-stage",
        "open deal",
        "with no stage",
        "first_rows",
        "deal_id IS NOT NULL AND status = 'open' AND unmapped_label IS NULL AND position IS NULL",
        "deal_id",
        lambda row: f'deal "{row[0]}" is open but has no stage',
    )
    if "amount" in tables.columns.deals:
        yield Check(
            "won-without-amount",
            "won deal",
            "with no amount",
            "first_rows",
            "status = 'won' AND amount IS NULL AND amount_bad IS NULL",
            "deal_id",
            lambda row: f'won deal "{row[0]}" has no amount',
        )
    if tables.has_dates:
        yield _dates_out_of_order(tables.stage_count)
    yield Check(
        "closed-before-created",
        "deal",
        "with closed_at before created_at",
        "first_rows",
        "closed_at < created_at",
        "strftime(closed_at, '%Y-%m-%d'), strftime(created_at, '%Y-%m-%d')",
        lambda row: f"closed_at {row[0]} is before created_at {row[1]}",
    )
    yield Check(
        "lost-without-stage",
        "lost deal",
        "with no lost stage, stage date or history: counted as lost at the first stage",
        "first_rows",
        "lost_unplaced",
        "deal_id",
        lambda row: f'lost deal "{row[0]}" shows no stage it was lost at',
        Severity.WARNING,
    )


def _rule_checks(tables: DealTables) -> Iterator[Check]:
    columns = tables.columns.deals
    if uses_currencies(tables) and "currency" in columns and "amount" in columns:
        amount, named = columns["amount"], columns["currency"]
        yield Check(
            CURRENCY_MISMATCH,
            "row",
            f"whose {amount} is written in another currency than {named} says; correct one",
            "deals",
            currency.contradicts("currency_given", "currency_written"),
            "currency_written, currency_given",
            lambda row: f"{amount} is in {row[0]} but {named} says {row[1]}",
        )
    for join in tables.process.data.join:
        file = join.file
        yield Check(
            "unmatched-join",
            "deal",
            f"with no row in {file}: its columns are empty for them",
            "deals",
            f"list_contains(string_split(join_missed, ', '), '{quote_text(file)}')",
            "deal_id",
            lambda row, file=file: f'deal "{row[0]}" has no row in {file}',  # type: ignore[misc]
            Severity.WARNING,
        )


def _dates_out_of_order(stages: int) -> Check:
    """A deal that entered a stage after a later one: those stays cannot be measured."""
    pairs = [
        f"e{k} > least({', '.join(f'e{j}' for j in range(k + 1, stages))})"
        for k in range(stages - 1)
    ]
    return Check(
        "dates-out-of-order",
        "deal",
        "entered a stage after a later one; those days in stage are not measured",
        "first_rows",
        " OR ".join(pairs) or "false",
        "deal_id",
        lambda row: f'deal "{row[0]}" entered a stage after a later stage',
        Severity.WARNING,
    )


def _bad_value_checks(tables: DealTables) -> Iterator[Check]:
    columns = tables.columns.deals
    if "amount" in columns:
        column = columns["amount"]
        wild = parse.out_of_range("amount_bad", tables.deals.columns[column])
        yield Check(
            AMOUNT_OUT_OF_RANGE,
            "row",
            out_of_range_tail(column),
            "deals",
            wild,
            "amount_bad",
            lambda row: f'{column} "{row[0]}" is not a finite amount within ±1e15',
        )
        unreadable = _bad_value("deals", "amount_bad", column, "a number")
        if not (tables.options.number_format or tables.process.data.number_format):
            unclear = f"amount_bad IS NOT NULL AND {parse.ambiguous('amount_bad')}"
            yield Check(
                AMBIGUOUS_AMOUNT,
                "row",
                f"whose {column} reads differently by number format (thousands or decimals?); "
                f"{NUMBER_FORMAT_FIX}",
                "deals",
                unclear,
                "amount_bad",
                lambda row: (
                    f'{column} "{row[0]}" depends on the number format; {NUMBER_FORMAT_FIX}'
                ),
            )
            wild = f"({wild} OR {unclear})"
        yield replace(unreadable, where=f"{unreadable.where} AND NOT {wild}")
    for key, field in (("created", "created_at_bad"), ("closed", "closed_at_bad")):
        if key in columns:
            yield _bad_value("deals", field, columns[key], "a date")
    for index, column in tables.columns.stage_dates.items():
        yield _bad_value("deals", f"d{index}_bad", column, "a date")


def _bad_value(table: str, field: str, column: str, what: str) -> Check:
    return Check(
        "bad-amount" if what == "a number" else "bad-date",
        "row",
        f"whose {column} is not {what}",
        table,
        f"{field} IS NOT NULL",
        field,
        lambda row: f'{column} "{row[0]}" is not {what}',
    )


def _history_problems(tables: DealTables) -> Iterator[DataProblem]:
    if tables.history is None:
        return
    con, source, deals_file = tables.con, tables.history, tables.deals.name
    yield _unmapped(con, "history_rows", source, "unmapped_label", "stage", "unmapped-label")
    entered = tables.columns.history["entered"]
    checks = [
        _bad_value("history_rows", "entered_at_bad", entered, "a date"),
        Check(
            "unknown-deal",
            "history row",
            f"for a deal that is not in {deals_file}",
            "history_rows",
            "deal_id IS NOT NULL AND deal_id NOT IN "
            "(SELECT deal_id FROM deals_raw WHERE deal_id IS NOT NULL)",
            "deal_id",
            lambda row: f'deal "{row[0]}" is not in {deals_file}',
        ),
    ]
    yield from _run_all(con, source, checks)


def _run_all(
    con: duckdb.DuckDBPyConnection, source: Source, checks: list[Check]
) -> Iterator[DataProblem]:
    """Count every check in one scan per table (a scan per check cost more than the checks),
    then fetch the first rows of those that found something."""
    counts: dict[int, int] = {}
    for table in dict.fromkeys(check.table for check in checks):
        mine = [(i, check) for i, check in enumerate(checks) if check.table == table]
        filters = ", ".join(f"count(*) FILTER (WHERE {check.where})" for _, check in mine)
        row = con.execute(f"SELECT {filters} FROM {table}").fetchone() or ()
        counts.update({i: int(n or 0) for (i, _), n in zip(mine, row, strict=True)})
    for index, check in enumerate(checks):
        yield _run(con, source, check, counts[index])


def _run(con: duckdb.DuckDBPyConnection, source: Source, check: Check, count: int) -> DataProblem:
    file = source.name
    summary = f"{plural(count, check.noun)} {check.tail}"
    if not count:
        return DataProblem(file, check.code, check.severity, 0, summary)
    rows = con.execute(
        f"SELECT _row, {check.select} FROM {check.table} WHERE {check.where} "
        f"ORDER BY _row LIMIT {EXAMPLES}"
    ).fetchall()
    examples = [_detail(source, int(row[0]), check.describe(tuple(row[1:]))) for row in rows]
    return DataProblem(file, check.code, check.severity, count, summary, examples)


def _unmapped(
    con: duckdb.DuckDBPyConnection, table: str, source: Source, field: str, what: str, code: str
) -> DataProblem:
    """Labels that match nothing, grouped as they are matched: ignoring case and spaces."""
    labels = con.execute(
        f"SELECT arg_min({field}, _row), count(*), min(_row) FROM {table} "
        f"WHERE {field} IS NOT NULL "
        f"GROUP BY lower({field}) ORDER BY 2 DESC, 1"
    ).fetchall()
    count = sum(int(label[1]) for label in labels)
    listed = ", ".join(f'"{label[0]}" ({label[1]:,})' for label in labels[:LISTED_LABELS])
    more = f" and {len(labels) - LISTED_LABELS} more" if len(labels) > LISTED_LABELS else ""
    statement = (
        f"{plural(count, 'row')} with a {what} label that matches no stage or outcome: "
        f"{listed}{more}"
    )
    examples = [
        _detail(
            source,
            int(label[2]),
            f'{what} "{label[0]}" matches no stage or outcome ({plural(int(label[1]), "row")})',
        )
        for label in labels[:EXAMPLES]
    ]
    hint = "add each to a stage's aliases (--unmapped ignore skips them)"
    return DataProblem(source.name, code, Severity.ERROR, count, statement, examples, hint)


def _unmapped_status(con: duckdb.DuckDBPyConnection, source: Source) -> DataProblem:
    """Status values that say neither won, lost nor open: a deal is open only when the data says
    so."""
    values = _grouped(con, "unmapped_status", "lower(unmapped_status)")
    count = sum(n for _, n, _ in values)
    listed = ", ".join(f'"{value}" ({n:,})' for value, n, _ in values[:LISTED_LABELS])
    more = f" and {len(values) - LISTED_LABELS} more" if len(values) > LISTED_LABELS else ""
    statement = (
        f"{plural(count, 'row')} with a status that means neither won, lost nor open: "
        f"{listed}{more}"
    )
    examples = [
        RowDetail(source.display_row(row), f'status "{value}" is not won, lost or open')
        for value, _, row in values[:EXAMPLES]
    ]
    hint = (
        "add each to outcomes.won or outcomes.lost aliases, to a stage's aliases (open there), "
        "or to data.ignore (rows dropped)"
    )
    return DataProblem(
        source.name, UNMAPPED_STATUS, Severity.ERROR, count, statement, examples, hint
    )


def _unknown_currencies(
    con: duckdb.DuckDBPyConnection, source: Source, process: Process
) -> DataProblem:
    """Rows in a currency that is neither the process's nor in data.rates: refused."""
    known = ", ".join(f"'{quote_text(code)}'" for code in currency.known(process))
    values = _grouped(con, "currency", "currency", f"currency NOT IN ({known})")
    count = sum(n for _, n, _ in values)
    statement = unknown_currency_statement(process, [(value, n) for value, n, _ in values])
    examples = [
        RowDetail(source.display_row(row), f"the amount is in {value}, which has no rate")
        for value, _, row in values[:EXAMPLES]
    ]
    return DataProblem(source.name, UNKNOWN_CURRENCY, Severity.ERROR, count, statement, examples)


def _grouped(
    con: duckdb.DuckDBPyConnection, field: str, key: str, where: str = "true"
) -> list[tuple[str, int, int]]:
    """(value as first written, rows, first row) per value of `field`, most frequent first."""
    rows = con.execute(
        f"SELECT arg_min({field}, _row), count(*), min(_row) FROM deals "
        f"WHERE {field} IS NOT NULL AND {where} GROUP BY {key} ORDER BY 2 DESC, 1"
    ).fetchall()
    return [(str(value), int(n), int(first)) for value, n, first in rows]


def _duplicates(con: duckdb.DuckDBPyConnection, source: Source) -> DataProblem:
    count = _scalar(con, "SELECT count(DISTINCT deal_id) FROM duplicate_rows")
    rows = con.execute(
        "SELECT deal_id, list(_row ORDER BY _row) FROM deals "
        "WHERE deal_id IN (SELECT deal_id FROM duplicate_rows) "
        f"GROUP BY deal_id ORDER BY min(_row) LIMIT {EXAMPLES}"
    ).fetchall()
    examples = [
        _detail(
            source,
            int(row[1][0]),
            f'duplicate id "{row[0]}" in rows {_row_list([source.display_row(r) for r in row[1]])}',
        )
        for row in rows
    ]
    summary = f"{plural(count, 'deal id')} on more than one row; the first row of each is used"
    return DataProblem(source.name, "duplicate-id", Severity.ERROR, count, summary, examples)


def _detail(source: Source, row: int, message: str) -> RowDetail:
    """A row as its file numbers it; when the source is several files, the message names
    the row's own file."""
    file = source.row_file(row)
    return RowDetail(source.display_row(row), f"{message} (in {file})" if file else message)


def _row_list(numbers: list[int]) -> str:
    shown = [str(number) for number in numbers[:3]]
    listed = ", ".join(shown[:-1]) + " and " + shown[-1]
    return listed + (f" (and {len(numbers) - 3} more)" if len(numbers) > 3 else "")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0
