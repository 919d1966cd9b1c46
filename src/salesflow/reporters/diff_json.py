"""`diff --format json`: the contract documented in docs/diff.md."""

from __future__ import annotations

import json
from typing import Any

from salesflow.model.diff import Level, PlanImpact, ProcessDiff

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
                include={
                    "kind",
                    "severity",
                    "stage",
                    "stage_name",
                    "path",
                    "before",
                    "after",
                    "message",
                    "reason",
                },
                mode="json",
            )
            for change in diff.changes
        ],
        "summary": {level.value: diff.count(level) for level in Level},
    }
    if diff.impact is not None:
        result["impact"] = _impact(diff.impact)
    return result


def _impact(impact: PlanImpact) -> dict[str, Any]:
    """Computed amounts rounded to the cent (no 120959.99999999999); `difference` is null
    across a currency change."""
    difference = None if impact.difference is None else round(impact.difference, 2)
    return {
        "leads": impact.leads,
        "before": round(impact.before, 2),
        "after": round(impact.after, 2),
        "difference": difference,
        "currency_before": impact.currency_before,
        "currency_after": impact.currency_after,
    }
