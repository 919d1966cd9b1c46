"""What a plan change means in money: the plan's expected revenue for the same leads."""

from __future__ import annotations

import math

from salesflow.model import Process
from salesflow.model.diff import PlanImpact


def plan_revenue(process: Process, leads: int) -> float | None:
    """leads × Π planned conversion × planned deal size; None when the plan has a gap."""
    rates = [stage.expected.conversion for stage in process.stages]
    size = process.assumptions.deal_size
    if size is None or any(rate is None for rate in rates):
        return None
    return leads * math.prod(rate for rate in rates if rate is not None) * size


def impact(before: Process, after: Process, leads: int) -> PlanImpact | None:
    """Both plans' revenue, each in its own currency; no difference across a currency change
    (there is no exchange rate in a process file to convert with)."""
    old, new = plan_revenue(before, leads), plan_revenue(after, leads)
    if old is None or new is None:
        return None
    same_currency = before.currency == after.currency
    return PlanImpact(
        leads=leads,
        before=old,
        after=new,
        difference=new - old if same_currency else None,
        currency_before=before.currency,
        currency_after=after.currency,
    )
