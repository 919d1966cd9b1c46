"""The labels a database's deals use, read once (one GROUP BY of their combinations, with the
history's stage values) and matched here, in Python, exactly as labels in a file are
(model.labels.fold: NFKC, case folding).

The canonical relations then join each row to a small table of its column's values, by the
value as the server writes it: no string function runs on every row, and a database whose
lower() only knows ASCII (PostgreSQL in the C locale) matches `ÉTAPE` as a file would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.model.labels import fold
from salesflow.sources.connection import quote_name, quote_text
from salesflow.sources.engine import Engine, Rows
from salesflow.sources.labels import outcome_labels, stage_labels
from salesflow.sources.options import DataOptions
from salesflow.sources.parse import FIRST_YEAR, LAST_YEAR, text, within
from salesflow.sources.status import ignored_values, open_labels

Span = tuple[datetime | None, datetime | None]  # the earliest and latest date read
MAX_VALUES = 10_000  # distinct values of one label column: more is not a label column
MAX_COMBINATIONS = MAX_VALUES * 4  # of the deals' labels, brought back to count the problems
FIELDS = ("stage", "status", "lost_stage")


@dataclass(frozen=True)
class Meaning:
    """What one written value means: its stage, its outcome, whether it drops the row, whether
    it says won/lost/open at all (a status), whether it matches nothing."""

    stage: int | None = None
    outcome: str | None = None
    ignored: bool = False
    open: bool = False
    unmapped: bool = False


@dataclass(frozen=True)
class Combination:
    """One combination of the deals' written labels (stage, status, lost stage), how many rows
    have it, how many of those have no deal id, and (when the scan read them) their latest
    dates."""

    stage: str | None
    status: str | None
    lost_stage: str | None
    count: int
    missing_ids: int
    latest: datetime | None = None  # the latest creation or stage entry of those rows
    closed: datetime | None = None  # their latest close
    wild_amounts: int = 0  # rows whose amount is infinite, NaN or beyond ±MAX_AMOUNT
    pipeline: str | None = None  # their pipeline, when the scan reads it (Scan.pipeline)


@dataclass(frozen=True)
class Vocabulary:
    """Each label column's written values (as the server casts them to text) and their meaning;
    the deals' combinations of them, counted, unless there were too many to bring back."""

    values: dict[str, dict[str, Meaning]] = field(default_factory=dict)
    combinations: tuple[Combination, ...] | None = None
    dated: bool = False  # whether the combinations carry the rows' latest dates
    # the earliest and latest date of the deals and the history; None when not read
    span: Span | None = None

    def sane(self) -> bool:
        """Whether every date is within the years a file's dates may have (sources.parse)."""
        if self.span is None:
            return False
        first, last = self.span
        return (first is None or first.year >= FIRST_YEAR) and (
            last is None or last.year <= LAST_YEAR
        )

    def relation(self, name: str) -> str:
        """The values of column `name` as a relation (raw, stage, outcome, ignored, open_,
        unmapped), written out in the query."""
        rows = [_row(raw, meaning) for raw, meaning in sorted(self.values.get(name, {}).items())]
        return " UNION ALL ".join(rows or [_row(None, Meaning())])


@dataclass(frozen=True)
class Scan:
    """What the label scan reads: the deals' mapped columns, the history's stage column, the
    deals' and history's relations, the condition that keeps a row (`--where`), and, for deals
    without a stage history, SQL for each row's latest creation or stage entry and its close
    (the end of the data then comes from the scan: sources.remote.combinations)."""

    columns: dict[str, str]
    history_column: str | None
    deals: str
    history: str | None
    kept: str
    dates: tuple[str, str] | None = None
    amount: str | None = None  # SQL of each row's amount, as the server reads it
    span: tuple[str, str] | None = None  # SQL of the earliest and latest of a row's dates
    history_entered: str | None = None  # SQL of a history row's entry date
    # the pipeline column, read (as trimmed text) when no filter chooses its pipelines
    pipeline: str | None = None


def discover(engine: Engine, process: Process, scan: Scan, options: DataOptions) -> Vocabulary:
    """Read the values of each label column (the deals' stage, status and lost stage, the
    history's stage) and give each its meaning. The deals' values come as counted combinations
    (`Vocabulary.combinations`), from which the problems and the end of the data are found
    without another pass over the deals (sources.remote.combinations); when there are too many
    to bring back, each column's values are read alone and those are computed on the server."""
    rows = engine.rows(_combinations_sql(scan))
    if len(rows) > MAX_COMBINATIONS:
        found, combinations, span = _values(engine, scan), None, None
    else:
        found, combinations, span = _split(rows)
    for name, raws in found.items():
        if len(raws) > MAX_VALUES:
            raise DataError(
                f"the {name} column has more than {MAX_VALUES:,} distinct values: map a column "
                "of stage or status labels"
            )
    meanings = {name: _meanings(name, raws, process, options) for name, raws in found.items()}
    return Vocabulary(meanings, combinations, dated=scan.dates is not None, span=span)


def _combinations_sql(scan: Scan) -> str:
    """Each combination of the deals' label values, with how many rows have it, how many of
    those have no deal id (rows a filter drops not counted) and their latest dates; then each
    value of the history's stage column."""
    items = [f"{_label(scan.columns.get(key))} AS {key}_" for key in FIELDS]
    missing = f"CASE WHEN {text(scan.columns['id'], 'src')} IS NULL THEN 1 ELSE 0 END"
    latest, closed = scan.dates or ("CAST(NULL AS TIMESTAMP)", "CAST(NULL AS TIMESTAMP)")
    items += [f"{missing} AS missing_", f"{latest} AS latest_", f"{closed} AS closed_"]
    first, last = scan.span or ("CAST(NULL AS TIMESTAMP)", "CAST(NULL AS TIMESTAMP)")
    items += [f"{_wild(scan.amount)} AS wild_", f"{first} AS first_", f"{last} AS last_"]
    keys = [f"{key}_" for key in FIELDS]
    pipeline = ""  # the last column, when the scan reads the pipeline
    if scan.pipeline is not None:
        items.append(f"{text(scan.pipeline, 'src')} AS pipeline_")
        keys.append("pipeline_")
        pipeline = ", pipeline_"
    grouped = ", ".join(keys)
    selects = [
        f"SELECT 'deals' AS field, {', '.join(keys[:3])}, sum(missing_) AS missing, "
        "count(*) AS n, max(latest_) AS latest, max(closed_) AS closed, sum(wild_) AS wild, "
        f"min(first_) AS first_date, max(last_) AS last_date{pipeline} "
        f"FROM (SELECT {', '.join(items)} FROM {scan.deals} src WHERE {scan.kept}) labels "
        f"GROUP BY {grouped}"
    ]
    history = _history_stages(scan, "stage_", scan.history_entered or "CAST(NULL AS TIMESTAMP)")
    if history is not None:
        selects.append(
            "SELECT 'history' AS field, stage_, NULL, NULL, 0, count(*), "
            "CAST(NULL AS TIMESTAMP), CAST(NULL AS TIMESTAMP), 0, min(entered_), max(entered_)"
            f"{', NULL' if pipeline else ''} FROM {history} GROUP BY stage_"
        )
    return f"{' UNION ALL '.join(selects)} LIMIT {MAX_COMBINATIONS + 1}"


def _wild(amount: str | None) -> str:
    """SQL: 1 for a row whose amount is infinite, NaN or beyond ±MAX_AMOUNT (refused, as in a
    file: sources.problems), else 0."""
    if amount is None:
        return "0"
    return f"CASE WHEN {amount} IS NOT NULL AND NOT {within(amount)} THEN 1 ELSE 0 END"


def _history_stages(scan: Scan, name: str, entered: str | None = None) -> str | None:
    """The history's stage column as a relation of one column, `name`, and `entered_` when
    `entered` is given (None without a stage column)."""
    if scan.history is None or scan.history_column is None:
        return None
    dates = f", {entered} AS entered_" if entered is not None else ""
    return (
        f"(SELECT {_label(scan.history_column)} AS {name}{dates} FROM {scan.history} history) "
        "labels"
    )


def _label(column: str | None) -> str:
    return "CAST(NULL AS VARCHAR)" if column is None else f"CAST({quote_name(column)} AS VARCHAR)"


def _split(rows: Rows) -> tuple[dict[str, list[str]], tuple[Combination, ...], Span]:
    """Each label column's values, the deals' combinations, and the earliest and latest date of
    the deals and the history, from `_combinations_sql`."""
    found: dict[str, dict[str, None]] = {}
    combinations = []
    firsts: list[datetime] = []
    lasts: list[datetime] = []
    for row in rows:
        field_name, stage, status, lost, missing, n, latest, closed, wild, first, last = row[:11]
        values = (stage, status, lost)
        names = ("history",) if field_name == "history" else FIELDS
        for name, value in zip(names, values, strict=False):
            if value is not None:
                found.setdefault(name, {})[str(value)] = None
        # with wide dates the latest is that of the end of the data (`last` is not read)
        firsts += [first] if first is not None else []
        lasts += [date for date in (last, latest, closed) if date is not None]
        if field_name == "deals":
            stage_, status_, lost_ = (None if value is None else str(value) for value in values)
            counts = (int(n), int(missing or 0))
            pipeline = None if len(row) < 12 or row[11] is None else str(row[11])
            combination = Combination(
                stage_, status_, lost_, *counts, latest, closed, int(wild or 0), pipeline=pipeline
            )
            combinations.append(combination)
    read: Span = (min(firsts, default=None), max(lasts, default=None))
    return {name: list(values) for name, values in found.items()}, tuple(combinations), read


def _values(engine: Engine, scan: Scan) -> dict[str, list[str]]:
    """Each label column's values, read alone (too many combinations to bring back)."""
    selects = [
        f"SELECT '{key}' AS field, {_label(scan.columns[key])} AS raw "
        f"FROM {scan.deals} src WHERE {scan.kept}"
        for key in FIELDS
        if key in scan.columns
    ]
    history = _history_stages(scan, "raw")
    if history is not None:
        selects.append(f"SELECT 'history' AS field, raw FROM {history}")
    rows = engine.rows(
        f"SELECT field, raw FROM ({' UNION ALL '.join(selects)}) labels "
        f"WHERE raw IS NOT NULL GROUP BY field, raw LIMIT {MAX_VALUES * 4 + 1}"
    )
    found: dict[str, list[str]] = {}
    for name, raw in rows:
        found.setdefault(str(name), []).append(str(raw))
    return found


def _meanings(
    name: str, raws: list[str], process: Process, options: DataOptions
) -> dict[str, Meaning]:
    stages, outcomes = stage_labels(process), outcome_labels(process)
    ignored = {fold(value) for value in ignored_values(process, options)}
    opens = set(open_labels(process))
    meanings = {}
    for raw in raws:
        text = raw.strip()
        if not text:
            continue
        keys = (fold(text), text.lower())
        stage = next((stages[key] for key in keys if key in stages), None)
        outcome = next((outcomes[key] for key in keys if key in outcomes), None)
        is_open = any(key in opens for key in keys)
        meanings[raw] = Meaning(
            stage=stage if name != "status" else None,
            outcome=outcome,
            ignored=name in ("stage", "status") and keys[0] in ignored,
            open=is_open,
            unmapped=_unmapped(name, stage, outcome, is_open),
        )
    return meanings


def _unmapped(name: str, stage: int | None, outcome: str | None, is_open: bool) -> bool:
    if name == "status":
        return outcome is None and not is_open
    return stage is None and outcome is None


def _row(raw: str | None, meaning: Meaning) -> str:
    written = "CAST(NULL AS VARCHAR)" if raw is None else f"'{quote_text(raw)}'"
    stage = "CAST(NULL AS INTEGER)" if meaning.stage is None else str(meaning.stage)
    outcome = "CAST(NULL AS VARCHAR)" if meaning.outcome is None else f"'{meaning.outcome}'"
    flags = [str(flag).upper() for flag in (meaning.ignored, meaning.open, meaning.unmapped)]
    return (
        f"SELECT {written} AS raw, {stage} AS stage, {outcome} AS outcome, {flags[0]} AS ignored, "
        f"{flags[1]} AS open_, {flags[2]} AS unmapped"
    )
