"""Revenue forecast from a lead count (DESIGN section 5): the simulation, turned into a report."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from salesflow.analytics.simulation import (
    DealSizes,
    Floats,
    Ints,
    Rates,
    percentiles,
    simulate,
    simulate_cohorts,
    simulate_pipeline,
    simulate_pipeline_total,
)
from salesflow.errors import InputError
from salesflow.model import Process
from salesflow.model.forecast import (
    Distribution,
    Forecast,
    Histogram,
    Month,
    Pipeline,
    Source,
    StageRate,
    Target,
)

DAYS_PER_MONTH = 30.44
SEARCH_SIMS = 20_000
CONFIDENCE = 0.9
MAX_LEADS = 10_000_000
HISTOGRAM_BINS = 20
MAX_MONTHS = 240  # the monthly table stops 20 years after its start
CALENDAR_CELLS = 25_000_000  # simulations × months held at once for the monthly table (200 MB)


@dataclass(frozen=True)
class OpenDeals:
    """Open deals per stage: how many, each one's chance to win, their average amount."""

    counts: Ints
    probabilities: Floats
    amounts: Floats


@dataclass(frozen=True)
class Inputs:
    process: Process
    source: Source
    rates: Rates
    sizes: DealSizes
    stage_days: list[float]
    closed_deals: int
    open_deals: OpenDeals | None = None


@dataclass(frozen=True)
class Request:
    leads: int
    sims: int = 100_000
    seed: int = 1
    target: float | None = None
    horizon: int | None = None
    start: date | None = None
    pipeline: bool = False


def forecast(inputs: Inputs, request: Request) -> Forecast:
    outcome = simulate(inputs.rates, inputs.sizes, request.leads, request.sims, request.seed)
    expected = inputs.rates.expected()
    return Forecast(
        process=inputs.process.name,
        currency=inputs.process.currency,
        source=inputs.source,
        leads=request.leads,
        sims=request.sims,
        seed=request.seed,
        closed_deals=inputs.closed_deals,
        expected_wins=request.leads * float(np.prod(expected)),
        wins=_distribution(outcome.wins.astype(np.float64)),
        revenue=_distribution(outcome.revenue),
        deal_size=inputs.sizes.mean,
        stages=_stages(inputs, request.leads),
        histogram=_histogram(outcome.revenue),
        target=_target(inputs, request, outcome.revenue) if request.target else None,
        months=_months(inputs, request) if request.horizon else [],
        pipeline=_pipeline(inputs, request) if request.pipeline else None,
        notes=_notes(inputs) + _calendar_notes(inputs, request),
    )


def _distribution(values: Floats) -> Distribution:
    mean, p10, p50, p90 = percentiles(values)
    return Distribution(mean=mean, p10=p10, p50=p50, p90=p90)


def _stages(inputs: Inputs, leads: int) -> list[StageRate]:
    expected = inputs.rates.expected()
    entering = float(leads)
    rates = []
    for k, stage in enumerate(inputs.process.stages):
        advanced, lost = inputs.rates.advanced, inputs.rates.lost
        rates.append(
            StageRate(
                id=stage.id,
                name=stage.name,
                conversion=float(expected[k]),
                advanced=int(advanced[k]) if advanced is not None else None,
                lost=int(lost[k]) if lost is not None else None,
                expected_entering=entering,
            )
        )
        entering *= float(expected[k])
    return rates


def _histogram(revenue: Floats) -> Histogram:
    low, high = np.percentile(revenue, [0.5, 99.5])
    if high <= low:
        high = low + 1.0
    counts, edges = np.histogram(
        np.clip(revenue, low, high), bins=HISTOGRAM_BINS, range=(low, high)
    )
    return Histogram(edges=[float(e) for e in edges], counts=[int(c) for c in counts])


def _target(inputs: Inputs, request: Request, revenue: Floats) -> Target:
    assert request.target is not None
    per_lead = float(np.prod(inputs.rates.expected())) * inputs.sizes.mean
    mean_needed = math.ceil(request.target / per_lead) if per_lead > 0 else None
    return Target(
        amount=request.target,
        probability=float((revenue >= request.target).mean()),
        leads_needed_mean=mean_needed,
        leads_needed_p90=_leads_for(inputs, request, mean_needed) if mean_needed else None,
    )


def _leads_for(inputs: Inputs, request: Request, start: int) -> int | None:
    """The fewest leads that reach the target with 90% probability: doubling, then bisection,
    every step on the same random numbers. The simulated probability rises with the leads only
    roughly (binomial draws are not coupled across lead counts), so the answer can be a few
    leads high: well within the noise of the forecast itself."""
    assert request.target is not None
    target = request.target
    sims = min(request.sims, SEARCH_SIMS)

    def reaches(leads: int) -> bool:
        outcome = simulate(inputs.rates, inputs.sizes, leads, sims, request.seed)
        return float((outcome.revenue >= target).mean()) >= CONFIDENCE

    high = max(start, 1)
    while not reaches(high):
        if high >= MAX_LEADS:
            return None
        high = min(high * 2, MAX_LEADS)
    low = high // 2 if high > start else 0
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if reaches(middle) else (middle, high)
    return high


def _months(inputs: Inputs, request: Request) -> list[Month]:
    """Leads arrive evenly through each month of the horizon, so a month's cohort closes evenly
    through the month that starts `lag` later: split between the two months it overlaps."""
    assert request.horizon is not None
    start = request.start or date.today()
    cohorts = _spread(request.leads, request.horizon)
    sims = calendar_sims(request)
    revenue = simulate_cohorts(inputs.rates, inputs.sizes, cohorts, sims, request.seed)
    lag = sum(inputs.stage_days) / DAYS_PER_MONTH
    calendar = _shift(revenue, np.arange(request.horizon, dtype=np.float64) + lag, spread=True)
    if request.pipeline and inputs.open_deals is not None:
        # Open deals are counted from today and close at a point; the calendar starts at `start`
        # (deals expected to close before it are outside it).
        if start < date(date.today().year, date.today().month, 1):
            raise InputError(
                f"--start {start:%Y-%m}: with --pipeline the months start this month or later, "
                "since open deals are counted from today"
            )
        already = (start - date.today()).days / DAYS_PER_MONTH
        arrival = _remaining_months(inputs) - already
        pipeline = _pipeline_revenue(inputs, request, sims)
        calendar = _add(calendar, _shift(pipeline, arrival, spread=False))
    return _month_rows(calendar, start)


def _spread(leads: int, months: int) -> Ints:
    base, extra = divmod(leads, months)
    return np.array([base + (1 if m < extra else 0) for m in range(months)], dtype=np.int64)


def _shift(revenue: Floats, arrival: Floats, spread: bool) -> Floats:
    """(sims, sources) revenue arriving at month offsets → (sims, months). With `spread`, a
    source arrives evenly over the month from its offset (a cohort), else at that point (an open
    deal); what arrives before month 0 or from month MAX_MONTHS on is left out, so that the
    table's size never depends on how long the stages take."""
    last = float(np.clip(np.floor(arrival.max(initial=0.0)), 0, MAX_MONTHS))
    months = min(int(last) + 2, MAX_MONTHS)
    calendar = np.zeros((revenue.shape[0], months))
    for column, when in enumerate(arrival):
        if not when < MAX_MONTHS:
            continue
        month, fraction = int(np.floor(when)), float(when - np.floor(when))
        share = (1 - fraction) if spread else 1.0
        if 0 <= month < months:
            calendar[:, month] += revenue[:, column] * share
        if spread and 0 <= month + 1 < months:
            calendar[:, month + 1] += revenue[:, column] * fraction
    return calendar


def _add(first: Floats, second: Floats) -> Floats:
    """The two calendars summed, in the wider one (no third table of the same size)."""
    wide, narrow = (first, second) if first.shape[1] >= second.shape[1] else (second, first)
    wide[:, : narrow.shape[1]] += narrow
    return wide


def _month_rows(calendar: Floats, start: date) -> list[Month]:
    rows = []
    last = int(np.nonzero(calendar.mean(axis=0) > 0)[0].max(initial=0))
    for index in range(last + 1):
        mean, p10, p50, p90 = percentiles(calendar[:, index])
        year, month = divmod(start.month - 1 + index, 12)
        label = f"{start.year + year:04d}-{month + 1:02d}"
        rows.append(Month(month=label, mean=mean, p10=p10, p50=p50, p90=p90))
    return rows


def calendar_sims(request: Request) -> int:
    """Simulations behind the monthly table: all of them, unless the table (up to MAX_MONTHS
    wide) would not fit in CALENDAR_CELLS."""
    return max(min(request.sims, CALENDAR_CELLS // (MAX_MONTHS + 1)), 1)


def _pipeline_revenue(inputs: Inputs, request: Request, sims: int) -> Floats:
    deals = inputs.open_deals
    assert deals is not None
    return simulate_pipeline(
        deals.counts, deals.probabilities, deals.amounts, sims, request.seed + 1
    )


def _remaining_months(inputs: Inputs) -> Floats:
    """An open deal in stage s has, on average, half of s and all later stages still to go."""
    days = np.array(inputs.stage_days, dtype=np.float64)
    remaining = [days[s] / 2 + days[s + 1 :].sum() for s in range(len(days))]
    return np.array(remaining, dtype=np.float64) / DAYS_PER_MONTH


def _pipeline(inputs: Inputs, request: Request) -> Pipeline | None:
    deals = inputs.open_deals
    if deals is None:
        return None
    revenue = simulate_pipeline_total(
        deals.counts, deals.probabilities, deals.amounts, request.sims, request.seed + 1
    )
    expected = float((deals.counts * deals.probabilities * deals.amounts).sum())
    return Pipeline(
        open_deals=int(deals.counts.sum()),
        expected_revenue=expected,
        revenue=_distribution(revenue),
    )


def _calendar_notes(inputs: Inputs, request: Request) -> list[str]:
    if not request.horizon:
        return []
    notes = []
    sims = calendar_sims(request)
    if sims < request.sims:
        notes.append(f"the revenue per month rests on the first {sims:,} simulations")
    lag = sum(inputs.stage_days) / DAYS_PER_MONTH
    latest = max([lag + request.horizon, *(_remaining_months(inputs) if request.pipeline else [])])
    if not latest < MAX_MONTHS:
        notes.append(
            f"revenue expected {MAX_MONTHS} months or more after the start is left out of the "
            "months (the stages take that long)"
        )
    return notes


def _notes(inputs: Inputs) -> list[str]:
    if inputs.source == "plan":
        return [
            "rates and deal size come from the plan in the process file: the interval covers "
            "process noise only, not uncertainty in the rates"
        ]
    return [f"rates rest on {inputs.closed_deals:,} closed deals"]
