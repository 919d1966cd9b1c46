"""`impact --format json`: the contract documented in docs/impact.md."""

from __future__ import annotations

import json

from salesflow.model.impact import ImpactReport

SCHEMA_VERSION = 1


def render(report: ImpactReport, color: bool) -> str:
    del color
    document = {"version": SCHEMA_VERSION, **report.model_dump(mode="json")}
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
