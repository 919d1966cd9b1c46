"""Which column of the data means what: the process file's `data:` section, `--map` overrides,
and the rule that a default name the data lacks is simply unused while a name someone wrote
down must exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.sources.presets import Preset

DEAL_KEYS = (
    "id",
    "stage",
    "status",
    "amount",
    "created",
    "closed",
    "owner",
    "lost_stage",
    "currency",
    "pipeline",
)
HISTORY_KEYS = ("deal", "stage", "entered")
REQUIRED_DEAL_KEYS = ("id", "stage")
K = TypeVar("K", str, int)
HISTORY_PREFIX = "history."
DATES_PREFIX = "stage_dates."
HISTORY_FIELD = HISTORY_PREFIX + "field"


@dataclass(frozen=True)
class Wanted:
    """A column we look for, and who asked for it (for the error message)."""

    name: str
    asked_by: str | None  # None: the default name, used only when present
    looked_for: tuple[str, ...] = ()  # a preset's names, none of which the data has


@dataclass(frozen=True)
class ResolvedColumns:
    deals: dict[str, str] = field(default_factory=dict)
    stage_dates: dict[int, str] = field(default_factory=dict)
    history: dict[str, str] = field(default_factory=dict)
    closed_lost: str | None = None  # a second closing-date column, for lost deals (Pipedrive)


def check_map_keys(mapping: dict[str, str], process: Process) -> None:
    """Refuse `--map` keys we do not know, before any data is read."""
    stage_ids = process.stage_ids()
    known = [*DEAL_KEYS, *(HISTORY_PREFIX + k for k in HISTORY_KEYS), HISTORY_FIELD]
    known += [DATES_PREFIX + s for s in stage_ids]
    for key in mapping:
        if key not in known:
            raise DataError(f"--map {key}=…: unknown key; known keys: {', '.join(known)}")


def wanted_deal_columns(
    process: Process,
    mapping: dict[str, str],
    available: list[str] | None = None,
    preset: Preset | None = None,
) -> dict[str, Wanted]:
    """What `--map` or `data.columns` name; else the preset's first name the data has; else
    the default name."""
    columns = process.data.columns
    written = columns.model_fields_set
    wanted: dict[str, Wanted] = {}
    for key in DEAL_KEYS:
        if key in mapping:
            wanted[key] = Wanted(mapping[key], f"--map {key}={mapping[key]}")
        elif key in written:
            wanted[key] = Wanted(getattr(columns, key), f"data.columns.{key} in the process file")
        else:
            names = preset.columns.get(key, ()) if preset else ()
            wanted[key] = _first_present(names, available or [], getattr(columns, key))
    return wanted


def closed_lost_column(
    process: Process, mapping: dict[str, str], available: list[str], preset: Preset | None
) -> str | None:
    """The preset's lost-date column, used only while the closing date is the preset's too."""
    if preset is None or "closed" in mapping or "closed" in process.data.columns.model_fields_set:
        return None
    return next((c for n in preset.closed_lost if (c := _find(n, available)) is not None), None)


def _first_present(names: tuple[str, ...], available: list[str], default: str) -> Wanted:
    for name in names:
        if _find(name, available) is not None:
            return Wanted(name, None)
    return Wanted(default, None, names)


def wanted_stage_dates(
    process: Process, mapping: dict[str, str], preset_columns: dict[int, str] | None = None
) -> dict[int, Wanted]:
    """Stage dates `--map` or `data.stage_dates` name, else those a preset found."""
    wanted = {index: Wanted(column, None) for index, column in (preset_columns or {}).items()}
    for index, stage_id in enumerate(process.stage_ids()):
        override = mapping.get(DATES_PREFIX + stage_id)
        if override is not None:
            wanted[index] = Wanted(override, f"--map {DATES_PREFIX}{stage_id}={override}")
        elif stage_id in process.data.stage_dates:
            column = process.data.stage_dates[stage_id]
            wanted[index] = Wanted(column, f"data.stage_dates.{stage_id} in the process file")
    return wanted


def wanted_history_columns(
    process: Process,
    mapping: dict[str, str],
    available: list[str] | None = None,
    preset: Preset | None = None,
) -> dict[str, Wanted]:
    """The stage history's columns. A field-history table (a `field` column, named or found by
    the preset) adds `field` and, from a preset, `old`; there `stage` is the new value and
    `entered` the edit date."""
    columns = process.data.history_columns
    written = columns.model_fields_set
    candidates = _history_candidates(preset, available or [])
    keys = [*HISTORY_KEYS]
    keys += ["field"] if "field" in candidates or columns.field or HISTORY_FIELD in mapping else []
    keys += ["old"] if "old" in candidates else []
    wanted: dict[str, Wanted] = {}
    for key in keys:
        default = getattr(columns, key, None) or key
        if HISTORY_PREFIX + key in mapping:
            override = mapping[HISTORY_PREFIX + key]
            wanted[key] = Wanted(override, f"--map {HISTORY_PREFIX}{key}={override}")
        elif key in written:
            wanted[key] = Wanted(default, f"data.history_columns.{key} in the process file")
        else:
            found = _first_present(candidates.get(key, ()), available or [], default)
            asked = None if key == "old" else "the stage history"  # old: the start is unknown
            wanted[key] = Wanted(found.name, asked, found.looked_for)
    return wanted


def _history_candidates(preset: Preset | None, available: list[str]) -> dict[str, tuple[str, ...]]:
    """The preset's field-history layout when the data has its field column, else its plain
    history layout."""
    if preset is None:
        return {}
    layout = preset.field_history
    if layout is not None and any(_find(name, available) for name in layout.field):
        return {
            "deal": layout.deal,
            "stage": layout.new,
            "entered": layout.edited,
            "field": layout.field,
            "old": layout.old,
        }
    return dict(preset.history)


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
            raise DataError(_missing(key, _asked_together(wanted, want), available, file))
    return resolved


def _asked_together(wanted: dict[K, Wanted], want: Wanted) -> Wanted:
    """A missing column several keys name, with every one of them (reported once)."""
    askers = [w.asked_by for w in wanted.values() if w.name == want.name and w.asked_by]
    if len(askers) < 2:
        return want
    return Wanted(want.name, " and ".join(dict.fromkeys(askers)), want.looked_for)


def _missing(key: K, want: Wanted, available: list[str], file: str) -> str:
    if want.looked_for:
        names = ", ".join(f"'{name}'" for name in (*want.looked_for, want.name))
        return (
            f"{file} has no column for `{key}` (looked for {names}); its columns: "
            f"{', '.join(available)}; name it in data.columns.{key}"
        )
    reason = want.asked_by or f"the default name for `{key}`"
    return f"{file} has no column '{want.name}' ({reason}); its columns: {', '.join(available)}"


def _find(name: str, available: list[str]) -> str | None:
    if name in available:
        return name
    folded = [column for column in available if column.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None
