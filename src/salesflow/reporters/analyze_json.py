"""`analyze --format json`: the stable contract documented in docs/analyze.md."""

from __future__ import annotations

import json
from typing import Any

from salesflow.model.funnel import Funnel, FunnelReport, Group

SCHEMA_VERSION = 1


def render(report: FunnelReport, color: bool) -> str:
    del color
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"


def document(report: FunnelReport) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "process": report.process,
        "currency": report.currency,
        "source": report.source,
        "shape": report.shape,
        "since": report.since,
        "until": report.until,
        **funnel_fields(report.funnel),
        "by": report.by,
        "groups": [group_fields(group) for group in report.groups],
        "notes": report.notes,
    }


def funnel_fields(funnel: Funnel) -> dict[str, Any]:
    return {
        "deals": funnel.deals.model_dump(),
        "win_rate": funnel.win_rate,
        "avg_won_amount": funnel.avg_won_amount,
        "median_won_amount": funnel.median_won_amount,
        "median_cycle_days": funnel.median_cycle_days,
        "velocity_per_day": funnel.velocity_per_day,
        "bottleneck": funnel.bottleneck.model_dump() if funnel.bottleneck else None,
        "stages": [
            {**stage.model_dump(), "conversion_ci": _pair(stage.conversion_ci)}
            for stage in funnel.stages
        ],
    }


def group_fields(group: Group) -> dict[str, Any]:
    fields = funnel_fields(group.funnel)
    counts = fields.pop("deals")
    return {
        "key": group.key,
        "deals": counts["total"],
        "won": counts["won"],
        "lost": counts["lost"],
        "open": counts["open"],
        "small": group.small,
        **fields,
    }


def _pair(pair: tuple[float, float] | None) -> list[float] | None:
    return list(pair) if pair is not None else None
