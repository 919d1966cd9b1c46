"""`diff --format json`: the contract documented in docs/diff.md."""

from __future__ import annotations

import json
from typing import Any

from salesflow.model.diff import Level, ProcessDiff

SCHEMA_VERSION = 1


def render(diff: ProcessDiff, color: bool) -> str:
    del color
    return json.dumps(document(diff), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def document(diff: ProcessDiff) -> dict[str, Any]:
    result: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "before": diff.before,
        "after": diff.after,
        "changes": [
            change.model_dump(
                include={"kind", "severity", "stage", "path", "before", "after", "message"},
                mode="json",
            )
            for change in diff.changes
        ],
        "summary": {level.value: diff.count(level) for level in Level},
    }
    if diff.impact is not None:
        result["impact"] = diff.impact.model_dump()
    return result
