"""Changes grouped for people: process-wide first, then each stage in the new order."""

from __future__ import annotations

from salesflow.model.diff import Change, Level, ProcessDiff

PROCESS = "process"


def groups(diff: ProcessDiff) -> list[tuple[str, list[Change]]]:
    order: list[str] = []
    grouped: dict[str, list[Change]] = {}
    for change in diff.changes:
        key = change.stage or PROCESS
        if key not in grouped:
            order.append(key)
            grouped[key] = []
        grouped[key].append(change)
    order.sort(key=lambda key: key != PROCESS)
    return [(key, sorted(grouped[key], key=lambda c: c.severity.rank)) for key in order]


def summary(diff: ProcessDiff) -> str:
    if not diff.changes:
        return "No semantic changes."
    counts = [f"{diff.count(level)} {level.value}" for level in Level if diff.count(level)]
    noun = "change" if len(diff.changes) == 1 else "changes"
    return f"{len(diff.changes)} {noun}: " + ", ".join(counts)
