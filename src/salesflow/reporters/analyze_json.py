"""`analyze --format json`: the stable contract documented in docs/analyze.md."""

from __future__ import annotations

import json
from typing import Any

from salesflow.model.funnel import Funnel, FunnelReport, Group

SCHEMA_VERSION = 2


def render(report: FunnelReport, color: bool) -> str:
    del color
    return json.dumps(document(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def document(report: FunnelReport) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "process": report.process,
        "currency": report.currency,
        "source": report.source,
        "shape": report.shape,
        "since": report.since,
        "until": report.until,
        "as_of": report.as_of,
        **funnel_fields(report.funnel),
        "by": report.by,
        "groups": [group_fields(group, report.goals is not None) for group in report.groups],
        "notes": report.notes,
        "ignored_rows": report.ignored_rows,
        **({} if report.goals is None else {"goals": report.goals.model_dump(mode="json")}),
    }


def funnel_fields(funnel: Funnel) -> dict[str, Any]:
    return {
        "deals": funnel.deals.model_dump(),
        "win_rate": funnel.win_rate,
        "closed_win_rate": funnel.closed_win_rate,
        "avg_won_amount": funnel.avg_won_amount,
        "median_won_amount": funnel.median_won_amount,
        "median_cycle_days": funnel.median_cycle_days,
        "velocity_per_day": funnel.velocity_per_day,
        "bottleneck": _bottleneck(funnel),
        "stages": [
            {**stage.model_dump(), "conversion_ci": _pair(stage.conversion_ci)}
            for stage in funnel.stages
        ],
    }


def group_fields(group: Group, goals: bool = False) -> dict[str, Any]:
    """A group's figures; with `goals` (the report has them), its `goals` too (null for a
    group that is not a person)."""
    fields = funnel_fields(group.funnel)
    counts = fields.pop("deals")
    person = group.goals.model_dump(mode="json") if group.goals else None
    return {
        "key": group.key,
        "deals": counts["total"],
        "won": counts["won"],
        "lost": counts["lost"],
        "open": counts["open"],
        "small": group.small,
        **fields,
        **({"goals": person} if goals else {}),
    }


def _bottleneck(funnel: Funnel) -> dict[str, Any] | None:
    found = funnel.bottleneck
    if found is None:
        return None
    return {**found.model_dump(), "revenue_gain_interval": _pair(found.revenue_gain_interval)}


def _pair(pair: tuple[float, float] | None) -> list[float] | None:
    return list(pair) if pair is not None else None
