"""What the user told us about their deal data (flags, environment, configuration)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Unmapped(StrEnum):
    ERROR = "error"
    IGNORE = "ignore"


@dataclass(frozen=True)
class DataOptions:
    deals: str
    history: str | None = None
    table: str | None = None  # None: the process file's data.table, else "deals"
    history_table: str = "stage_history"
    mapping: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    number_format: str | None = None  # a key of sources.parse.NUMBER_FORMATS
    unmapped: Unmapped = Unmapped.ERROR
    since: date | None = None
    until: date | None = None
    by: str | None = None
    sheet: str | None = None  # the sheet of a spreadsheet deals file
    preset: str | None = None  # overrides the process file's data.preset
    # `--where COLUMN=VALUE`: replaces data.where's filter on that column; repeated, either value
    where: tuple[tuple[str, str], ...] = ()
    process_dir: str | None = None  # where `data.join` files are looked for
    query: str | None = None  # a database's deals as a SELECT (instead of `table`)
    history_query: str | None = None  # a database's stage history as a SELECT
    timeout: float | None = None  # seconds a database may spend on one statement
