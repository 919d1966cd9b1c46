"""`forecast --format json`: the stable contract documented in docs/forecast.md."""

from __future__ import annotations

import json
from typing import Any

from salesflow.model.forecast import Forecast

SCHEMA_VERSION = 1


def render(forecast: Forecast, color: bool) -> str:
    del color
    return json.dumps(document(forecast), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def document(forecast: Forecast) -> dict[str, Any]:
    result: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "process": forecast.process,
        "currency": forecast.currency,
        "source": forecast.source,
        "closed_deals": forecast.closed_deals,
        "leads": forecast.leads,
        "sims": forecast.sims,
        "seed": forecast.seed,
        "expected_wins": forecast.expected_wins,
        "wins": forecast.wins.model_dump(),
        "revenue": forecast.revenue.model_dump(),
        "deal_size": forecast.deal_size,
        "deal_size_model": forecast.deal_size_model,
        "won_amounts": forecast.won_amounts,
        "amounts_from": forecast.amounts_from,
        "dispersion": forecast.dispersion,
        "dispersion_cohorts": forecast.dispersion_cohorts,
        "stages": [
            {
                "id": s.id,
                "conversion": s.conversion,
                "plan_weight": s.plan_weight,
                "expected_entering": s.expected_entering,
                "advanced": s.advanced,
                "lost": s.lost,
            }
            for s in forecast.stages
        ],
        "histogram": forecast.histogram.model_dump(),
        "notes": forecast.notes,
    }
    if forecast.target is not None:
        result["target"] = forecast.target.model_dump()
    if forecast.months:
        result["months"] = [month.model_dump() for month in forecast.months]
    if forecast.pipeline is not None:
        result["pipeline"] = forecast.pipeline.model_dump()
    return result
