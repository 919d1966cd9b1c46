"""Status values: each must say won, lost or open; `data.ignore` values drop their rows."""

from __future__ import annotations

from salesflow.model import Process
from salesflow.sources.connection import quote_text
from salesflow.sources.labels import fold, stage_labels
from salesflow.sources.options import DataOptions
from salesflow.sources.presets import preset_named

OPEN = "open"


def ignored_values(process: Process, options: DataOptions) -> list[str]:
    """The status or stage values whose rows are dropped and counted."""
    preset = preset_named(options.preset or process.data.preset)
    return [*process.data.ignore, *(preset.ignore if preset else ())]


def open_labels(process: Process) -> list[str]:
    """Status values that mean open: `open` and the stage labels (the deal is in that stage)."""
    return [OPEN, *stage_labels(process)]


def ignored_sql(process: Process, options: DataOptions, folded: list[str]) -> str | None:
    """SQL true for a row whose folded status or stage label is ignored; None without ignore."""
    values = ignored_values(process, options)
    if not values:
        return None
    listed = ", ".join(f"'{quote_text(v)}'" for v in dict.fromkeys(fold(v) for v in values))
    return " OR ".join(f"coalesce({label} IN ({listed}), false)" for label in folded)


def unmapped_sql(process: Process) -> str:
    """SQL: the status text when it says neither won, lost nor open (from `status_label`)."""
    listed = ", ".join(f"'{quote_text(label)}'" for label in open_labels(process))
    return (
        "CASE WHEN status_label IS NOT NULL AND status_outcome IS NULL "
        f"AND status_label NOT IN ({listed}) THEN status_text END"
    )
