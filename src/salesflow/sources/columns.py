"""Which column of the data means what: the process file's `data:` section, `--map` overrides,
and the rule that a default name the data lacks is simply unused while a name someone wrote
down must exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from salesflow.errors import DataError
from salesflow.model import Process

DEAL_KEYS = ("id", "stage", "status", "amount", "created", "closed", "owner", "lost_stage")
HISTORY_KEYS = ("deal", "stage", "entered")
REQUIRED_DEAL_KEYS = ("id", "stage")
K = TypeVar("K", str, int)
HISTORY_PREFIX = "history."
DATES_PREFIX = "stage_dates."


@dataclass(frozen=True)
class Wanted:
    """A column we look for, and who asked for it (for the error message)."""

    name: str
    asked_by: str | None  # None: the default name, used only when present


@dataclass(frozen=True)
class ResolvedColumns:
    deals: dict[str, str] = field(default_factory=dict)
    stage_dates: dict[int, str] = field(default_factory=dict)
    history: dict[str, str] = field(default_factory=dict)


def check_map_keys(mapping: dict[str, str], process: Process) -> None:
    """Refuse `--map` keys we do not know, before any data is read."""
    stage_ids = process.stage_ids()
    known = [*DEAL_KEYS, *(HISTORY_PREFIX + k for k in HISTORY_KEYS)]
    known += [DATES_PREFIX + s for s in stage_ids]
    for key in mapping:
        if key not in known:
            raise DataError(f"--map {key}=…: unknown key; known keys: {', '.join(known)}")


def wanted_deal_columns(process: Process, mapping: dict[str, str]) -> dict[str, Wanted]:
    columns = process.data.columns
    written = columns.model_fields_set
    wanted: dict[str, Wanted] = {}
    for key in DEAL_KEYS:
        if key in mapping:
            wanted[key] = Wanted(mapping[key], f"--map {key}={mapping[key]}")
        else:
            asked = f"data.columns.{key} in the process file" if key in written else None
            wanted[key] = Wanted(getattr(columns, key), asked)
    return wanted


def wanted_stage_dates(process: Process, mapping: dict[str, str]) -> dict[int, Wanted]:
    wanted: dict[int, Wanted] = {}
    for index, stage_id in enumerate(process.stage_ids()):
        override = mapping.get(DATES_PREFIX + stage_id)
        if override is not None:
            wanted[index] = Wanted(override, f"--map {DATES_PREFIX}{stage_id}={override}")
        elif stage_id in process.data.stage_dates:
            column = process.data.stage_dates[stage_id]
            wanted[index] = Wanted(column, f"data.stage_dates.{stage_id} in the process file")
    return wanted


def wanted_history_columns(process: Process, mapping: dict[str, str]) -> dict[str, Wanted]:
    columns = process.data.history_columns
    wanted: dict[str, Wanted] = {}
    for key in HISTORY_KEYS:
        override = mapping.get(HISTORY_PREFIX + key)
        name = override or getattr(columns, key)
        wanted[key] = Wanted(name, "the stage history")
    return wanted


def resolve(
    wanted: dict[K, Wanted], available: list[str], file: str, required: tuple[K, ...] = ()
) -> dict[K, str]:
    """Map each wanted key to a column of the data (exact name, else a unique case-insensitive
    match). A column someone asked for, or a required one, must exist."""
    resolved: dict[K, str] = {}
    for key, want in wanted.items():
        found = _find(want.name, available)
        if found is not None:
            resolved[key] = found
        elif want.asked_by is not None or key in required:
            reason = want.asked_by or f"the default name for `{key}`"
            raise DataError(
                f"{file} has no column '{want.name}' ({reason}); its columns: "
                f"{', '.join(available)}"
            )
    return resolved


def _find(name: str, available: list[str]) -> str | None:
    if name in available:
        return name
    folded = [column for column in available if column.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None
