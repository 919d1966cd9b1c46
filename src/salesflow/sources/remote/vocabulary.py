"""The labels a database's deals use, read once (one small GROUP BY per label column) and
matched here, in Python, exactly as labels in a file are (model.labels.fold: NFKC, case folding).

The canonical relations then join each row to a small table of its column's values, by the
value as the server writes it: no string function runs on every row, and a database whose
lower() only knows ASCII (PostgreSQL in the C locale) matches `ÉTAPE` as a file would."""

from __future__ import annotations

from dataclasses import dataclass, field

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.model.labels import fold
from salesflow.sources.connection import quote_name, quote_text
from salesflow.sources.engine import Engine
from salesflow.sources.labels import outcome_labels, stage_labels
from salesflow.sources.options import DataOptions
from salesflow.sources.status import ignored_values, open_labels

MAX_VALUES = 10_000  # distinct values of one label column: more is not a label column
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
class Vocabulary:
    """Each label column's written values (as the server casts them to text) and their meaning."""

    values: dict[str, dict[str, Meaning]] = field(default_factory=dict)

    def relation(self, name: str) -> str:
        """The values of column `name` as a relation (raw, stage, outcome, ignored, open_,
        unmapped), written out in the query."""
        rows = [_row(raw, meaning) for raw, meaning in sorted(self.values.get(name, {}).items())]
        return " UNION ALL ".join(rows or [_row(None, Meaning())])


def discover(
    engine: Engine,
    process: Process,
    columns: dict[str, str],
    history_column: str | None,
    relations: tuple[str, str | None],
    kept: str,
    options: DataOptions,
) -> Vocabulary:
    """Read the values of each label column (the deals' stage, status and lost stage, the
    history's stage) and give each its meaning."""
    deals, history = relations
    selects = [
        f"SELECT '{key}' AS field, CAST({quote_name(columns[key])} AS VARCHAR) AS raw "
        f"FROM {deals} src WHERE {kept}"
        for key in FIELDS
        if key in columns
    ]
    if history is not None and history_column is not None:
        selects.append(
            f"SELECT 'history' AS field, CAST({quote_name(history_column)} AS VARCHAR) AS raw "
            f"FROM {history} history"
        )
    rows = engine.rows(
        f"SELECT field, raw FROM ({' UNION ALL '.join(selects)}) labels "
        f"WHERE raw IS NOT NULL GROUP BY field, raw LIMIT {MAX_VALUES * 4 + 1}"
    )
    found: dict[str, list[str]] = {}
    for name, raw in rows:
        found.setdefault(str(name), []).append(str(raw))
    for name, raws in found.items():
        if len(raws) > MAX_VALUES:
            raise DataError(
                f"the {name} column has more than {MAX_VALUES:,} distinct values: map a column "
                "of stage or status labels"
            )
    return Vocabulary(
        {name: _meanings(name, raws, process, options) for name, raws in found.items()}
    )


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
