"""Problems in a database's deals: labels and status values that match nothing (refused unless
--unmapped ignore), rows without a deal id, and currencies with no rate (refused). The first
are counted from the label combinations the vocabulary read (sources.remote.vocabulary), or,
when there were too many of those to bring back, in one scan on the server; the currencies from
their values (sources.remote.currencies). A database has no row numbers, so each problem lists
its values, not rows."""

from __future__ import annotations

from salesflow.diagnostics import Severity
from salesflow.model.data import DataProblem
from salesflow.sources.engine import Engine, Rows
from salesflow.sources.parse import FIRST_YEAR, LAST_YEAR, within
from salesflow.sources.problems import AMOUNT_OUT_OF_RANGE, out_of_range_tail, plural
from salesflow.sources.remote.combinations import left_out, meanings, written
from salesflow.sources.remote.currencies import currency_mismatches, unknown_currencies
from salesflow.sources.remote.relations import Layout, Unreadable, date_columns, opaque
from salesflow.sources.remote.session import Session
from salesflow.sources.remote.vocabulary import Combination, Vocabulary

LISTED = 10
SPECS = (  # column of deals_raw, what it is, problem code, how to fix it
    ("unmapped_label", "stage", "unmapped-label", "add each to a stage's aliases"),
    ("unmapped_lost", "lost stage", "unmapped-lost-stage", "add each to a stage's aliases"),
    (
        "unmapped_status",
        "status",
        "unmapped-status",
        "add each to outcomes.won or outcomes.lost aliases, a stage's aliases, or data.ignore",
    ),
)


def remote_problems(engine: Engine, name: str, history: str | None = None) -> list[DataProblem]:
    """The problems of rows (unmapped label, lost stage, status, count, rows without an id),
    each column's values summed here; `history` names the history's source."""
    layout = engine.layout if isinstance(engine, Session) else None
    combinations = layout.vocabulary.combinations if layout is not None else None
    if layout is not None and combinations is not None:
        rows = _combination_rows(layout.vocabulary, combinations)
    else:
        rows = _counted_rows(engine)
    found: list[dict[str, tuple[str, int]]] = [{} for _ in SPECS]
    missing = wild = 0
    for row in rows:
        missing += int(row[4] or 0)
        wild += int(row[5] or 0)
        for index, value in enumerate(row[:3]):
            if value is not None:
                _add(found[index], str(value), int(row[3]))
    problems = [
        _unmapped(name, values, *spec[1:]) for values, spec in zip(found, SPECS, strict=True)
    ]
    problems.append(_missing_ids(name, missing))
    if layout is not None:
        problems += _value_problems(name, layout, wild)
        problems += [_not_read(history or name, item) for item in layout.unreadable_dates]
        problems += [_not_read(name, item, "a number") for item in layout.unreadable_amounts]
    return [problem for problem in problems if problem.count]


def _value_problems(name: str, layout: Layout, wild: int) -> list[DataProblem]:
    """Dates read as none (a warning), absurd amounts, currencies with no rate and currencies
    the amount and the currency column disagree on (refused)."""
    problems = [_dates_read_as_none(name, date_columns(layout), layout.bad_date_rows)]
    if "amount" in layout.columns:
        tail = out_of_range_tail(layout.columns["amount"])
        statement = f"{plural(wild, 'row')} {tail}"
        problems.append(DataProblem(name, AMOUNT_OUT_OF_RANGE, Severity.ERROR, wild, statement))
    if layout.currencies is not None:
        problems.append(unknown_currencies(name, layout.currencies, layout.process))
        problems.append(currency_mismatches(name, layout.currencies, layout))
    return problems


def _combination_rows(vocabulary: Vocabulary, combinations: tuple[Combination, ...]) -> Rows:
    """The rows `_counted_rows` would count, from the combinations."""
    rows: Rows = []
    for combination in combinations:
        meant = meanings(vocabulary, combination)
        if left_out(meant):
            continue
        values = written(combination)  # in the order of SPECS
        unmapped = [value if meant[key].unmapped else None for key, value in values.items()]
        counts = (combination.count, combination.missing_ids, combination.wild_amounts)
        rows.append((*unmapped, *counts))
    return rows


def _counted_rows(engine: Engine) -> Rows:
    """One plain GROUP BY of the three problem columns, which a database splits across its
    workers (grouping sets it counts on one core)."""
    columns = [spec[0] for spec in SPECS]
    wild = f"amount IS NOT NULL AND NOT {within('amount')}"
    return engine.rows(
        f"SELECT {', '.join(columns)}, count(*), "
        "sum(CASE WHEN deal_id IS NULL THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN {wild} THEN 1 ELSE 0 END) "
        f"FROM deals_raw WHERE {opaque('left_out IS NULL')} GROUP BY {', '.join(columns)}"
    )


def _add(values: dict[str, tuple[str, int]], value: str, count: int) -> None:
    """Values that differ only in case are one label (as they are matched)."""
    key = value.lower()
    shown, before = values.get(key, (value, 0))
    values[key] = (min(shown, value), before + count)


def _unmapped(
    name: str, values: dict[str, tuple[str, int]], what: str, code: str, hint: str
) -> DataProblem:
    ranked = sorted(values.values(), key=lambda item: (-item[1], item[0]))
    count = sum(n for _, n in ranked)
    listed = ", ".join(f'"{value}" ({n:,})' for value, n in ranked[:LISTED])
    more = f" and {len(ranked) - LISTED} more" if len(ranked) > LISTED else ""
    statement = (
        f"{plural(count, 'deal')} with a {what} that matches no stage or outcome: {listed}{more}"
    )
    hint = f"{hint} (--unmapped ignore skips them)"
    return DataProblem(name, code, Severity.ERROR, count, statement, [], hint)


def _dates_read_as_none(name: str, columns: list[str], count: int) -> DataProblem:
    """A warning, as in a file: such a date is read as no date (sources.remote.build)."""
    statement = (
        f"{plural(count, 'row')} with a date before {FIRST_YEAR} or after {LAST_YEAR} in "
        f"{', '.join(columns)}: read as no date"
    )
    return DataProblem(name, "bad-date", Severity.ERROR, count, statement)


def _not_read(name: str, item: Unreadable, what: str = "a date") -> DataProblem:
    """As a file says it (sources.problems), naming the first such value instead of rows."""
    rows = plural(item.rows, "history row" if item.history else "row")
    statement = f'{rows} whose {item.column} is not {what}, such as "{item.first}"'
    code = "bad-date" if what == "a date" else "bad-amount"
    return DataProblem(name, code, Severity.ERROR, item.rows, statement)


def _missing_ids(name: str, count: int) -> DataProblem:
    statement = f"{plural(count, 'row')} without a deal id; they are left out"
    return DataProblem(name, "missing-id", Severity.WARNING, count, statement)
