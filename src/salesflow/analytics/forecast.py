"""Revenue forecast from a lead count (docs/forecast.md): the simulation, turned into a report."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from salesflow.analytics.deal_sizes import DealSizes
from salesflow.analytics.lead_search import LeadPaths, fewest_leads
from salesflow.analytics.phasing import DAYS_PER_MONTH, Lag, cohort_shares, label, spread_wins
from salesflow.analytics.pipeline import OpenGroups
from salesflow.analytics.progress import Progress, no_progress
from salesflow.analytics.simulation import (
    NO_DISPERSION,
    Dispersion,
    Floats,
    Rates,
    cohort_wins,
    even_cohorts,
    percentiles,
    price,
    simulate,
    slices,
)
from salesflow.model import Process
from salesflow.model.forecast import (
    AmountsFrom,
    Distribution,
    Forecast,
    Histogram,
    Month,
    Pipeline,
    Source,
    StageRate,
    Target,
)

SEARCH_SIMS = 20_000
CONFIDENCE = 0.9
MAX_LEADS = 10_000_000
HISTOGRAM_BINS = 20
CALENDAR_CELLS = 25_000_000  # simulations × calendar columns held at once (200 MB)
SEARCHING = "finding the leads needed for the target"
MONTHS = "simulating revenue by month"
PIPELINE = "simulating the open pipeline"


@dataclass(frozen=True)
class Inputs:
    process: Process
    source: Source
    rates: Rates
    sizes: DealSizes
    lag: Lag  # days from lead to won, among the wins
    closed_deals: int
    open_deals: OpenGroups | None = None
    data_end: date | None = None
    dispersion: Dispersion = NO_DISPERSION
    notes: list[str] = field(default_factory=list)
    amounts_from: AmountsFrom = "won"  # whose amounts `sizes` rests on
    lead_time_note: str | None = None  # with --horizon: what the time from lead to won rests on
    open_time_notes: list[str] = field(default_factory=list)  # ... and the open deals' time to go


@dataclass(frozen=True)
class Request:
    leads: int
    sims: int = 100_000
    seed: int = 1
    target: float | None = None
    horizon: int | None = None
    start: date | None = None
    pipeline: bool = False


def forecast(inputs: Inputs, request: Request, progress: Progress = no_progress) -> Forecast:
    """The forecast; `progress` hears how far each simulation has come."""
    outcome = simulate(
        inputs.rates,
        inputs.sizes,
        request.leads,
        request.sims,
        request.seed,
        inputs.dispersion,
        progress,
    )
    return Forecast(
        process=inputs.process.name,
        currency=inputs.process.currency,
        source=inputs.source,
        leads=request.leads,
        sims=request.sims,
        seed=request.seed,
        closed_deals=inputs.closed_deals,
        expected_wins=request.leads * inputs.rates.win_rate(),
        wins=_distribution(outcome.wins.astype(np.float64)),
        revenue=_distribution(outcome.revenue),
        deal_size=inputs.sizes.mean,
        deal_size_model=inputs.sizes.model,
        won_amounts=inputs.sizes.observed,
        amounts_from=inputs.amounts_from,
        dispersion=inputs.dispersion.rho,
        dispersion_cohorts=inputs.dispersion.cohorts,
        stages=_stages(inputs, request.leads),
        histogram=_histogram(outcome.revenue),
        target=_target(inputs, request, outcome.revenue, progress) if request.target else None,
        months=_months(inputs, request, progress) if request.horizon else [],
        pipeline=_pipeline(inputs, request, progress) if request.pipeline else None,
        notes=[*inputs.notes, *_calendar_notes(inputs, request)],
    )


def _distribution(values: Floats) -> Distribution:
    mean, p10, p50, p90 = percentiles(values)
    return Distribution(mean=mean, p10=p10, p50=p50, p90=p90)


def _stages(inputs: Inputs, leads: int) -> list[StageRate]:
    expected = inputs.rates.expected()
    weights = inputs.rates.plan_weight()
    advanced, lost = inputs.rates.advanced, inputs.rates.lost
    entering = float(leads)
    rates = []
    for k, stage in enumerate(inputs.process.stages):
        rates.append(
            StageRate(
                id=stage.id,
                name=stage.name,
                conversion=float(expected[k]),
                plan_weight=float(weights[k]),
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


def _target(
    inputs: Inputs, request: Request, revenue: Floats, progress: Progress = no_progress
) -> Target:
    assert request.target is not None
    progress(SEARCHING, 0, 0)
    per_lead = inputs.rates.win_rate() * inputs.sizes.mean
    mean_needed = math.ceil(request.target / per_lead) if per_lead > 0 else None
    return Target(
        amount=request.target,
        probability=float((revenue >= request.target).mean()),
        leads_needed_mean=mean_needed,
        leads_needed_p90=_leads_for(inputs, request, mean_needed) if mean_needed else None,
    )


def _leads_for(inputs: Inputs, request: Request, start: int) -> int | None:
    """The fewest leads that reach the target with 90% probability, on min(sims, SEARCH_SIMS)
    simulations coupled across lead counts (analytics/lead_search.py)."""
    assert request.target is not None
    sims = min(request.sims, SEARCH_SIMS)
    paths = LeadPaths.start(inputs.rates, inputs.sizes, sims, request.seed, inputs.dispersion)
    return fewest_leads(paths, request.target, CONFIDENCE, start, MAX_LEADS)


# --- the months ----------------------------------------------------------------------------------


def first_month(request: Request, today: date | None = None) -> date:
    """The first month of the calendar: --start, else the month after today."""
    if request.start is not None:
        return date(request.start.year, request.start.month, 1)
    day = today or date.today()
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def calendar_sims(request: Request) -> int:
    """Simulations behind the monthly table: all of them, unless the table (its months plus an
    "earlier" and a "later" column) would not fit in CALENDAR_CELLS."""
    assert request.horizon is not None
    return max(min(request.sims, CALENDAR_CELLS // (request.horizon + 2)), 1)


def _months(inputs: Inputs, request: Request, progress: Progress = no_progress) -> list[Month]:
    """Monthly cohorts of new leads, each win landing a drawn time-to-win after its lead; and,
    with --pipeline, the open deals landing when their time still to go says. Both use each
    simulation's conversion draws, and the table is held once, filled chunk by chunk."""
    assert request.horizon is not None
    months = request.horizon
    start = first_month(request)
    sims = calendar_sims(request)
    cohorts = even_cohorts(request.leads, months)
    shares = [cohort_shares(inputs.lag, c, months) for c in range(months)]
    groups = inputs.open_deals if request.pipeline else None
    end = inputs.data_end or start
    landing = groups.shares((end - start).days / DAYS_PER_MONTH, months) if groups else None
    rng = np.random.default_rng(request.seed)
    every = inputs.sizes.draw(rng, sims)
    total = np.zeros((sims, months + 2))
    from_new, from_pipeline = np.zeros(months + 2), np.zeros(months + 2)
    for rows in slices(sims, months + 2):
        size = rows.stop - rows.start
        drawn = inputs.rates.draw(rng, size)
        wins = cohort_wins(rng, inputs.rates, inputs.dispersion, cohorts, size, drawn)
        landed = np.zeros((size, months + 2), dtype=np.int64)
        for c in range(months):
            landed += spread_wins(rng, wins[:, c], shares[c])
        total[rows] = price(rng, landed, every.take(rows))
        from_new += total[rows].sum(axis=0)
        if groups is not None and landing is not None:
            pipeline = _landed_pipeline(groups, rng, drawn, landing)
            total[rows] += pipeline
            from_pipeline += pipeline.sum(axis=0)
        progress(MONTHS, rows.stop, sims)
    return _month_rows(total, from_new / sims, from_pipeline / sims, start, months)


def _landed_pipeline(
    groups: OpenGroups, rng: np.random.Generator, drawn: Floats, landing: Floats
) -> Floats:
    """(sims, columns) revenue of the open deals won in each simulation, by calendar column."""
    wins = groups.wins(rng, drawn)
    calendar = np.zeros((drawn.shape[0], landing.shape[1]))
    for g in range(len(groups.count)):
        calendar += spread_wins(rng, wins[:, g], landing[g]) * groups.amount[g]
    return calendar


def _month_rows(
    total: Floats, from_new: Floats, from_pipeline: Floats, start: date, months: int
) -> list[Month]:
    """One row per month, and "earlier" / "later" when they hold revenue."""
    rows = []
    for index in range(months + 2):
        if index in (0, months + 1) and not total[:, index].any():
            continue
        name = "earlier" if index == 0 else "later" if index == months + 1 else None
        mean, p10, p50, p90 = percentiles(total[:, index])
        rows.append(
            Month(
                month=name or label(start.year, start.month, index - 1),
                mean=mean,
                p10=p10,
                p50=p50,
                p90=p90,
                new_leads=float(from_new[index]),
                pipeline=float(from_pipeline[index]),
            )
        )
    return rows


# --- the open pipeline ---------------------------------------------------------------------------


def _pipeline(
    inputs: Inputs, request: Request, progress: Progress = no_progress
) -> Pipeline | None:
    groups = inputs.open_deals
    if groups is None:
        return None
    rng = np.random.default_rng(request.seed + 1)
    parts = []
    for rows in slices(request.sims, max(len(groups.count), 1)):
        parts.append(
            groups.wins(rng, inputs.rates.draw(rng, rows.stop - rows.start)) @ groups.amount
        )
        progress(PIPELINE, rows.stop, request.sims)
    revenue = np.concatenate(parts) if parts else np.zeros(request.sims)
    return Pipeline(
        open_deals=groups.deals,
        expected_revenue=groups.expected(inputs.rates),
        revenue=_distribution(revenue),
    )


def _calendar_notes(inputs: Inputs, request: Request) -> list[str]:
    if not request.horizon:
        return []
    notes = [inputs.lead_time_note] if inputs.lead_time_note else []
    if request.pipeline and inputs.open_deals is not None:
        notes += inputs.open_time_notes
    sims = calendar_sims(request)
    if sims < request.sims:
        notes.append(f"the revenue per month rests on the first {sims:,} simulations")
    return notes
