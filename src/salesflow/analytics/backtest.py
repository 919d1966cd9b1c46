"""Replay the data as of past cutoffs: forecast each cutoff's next leads with only what was known
then, and compare with what those leads actually won (docs/backtest.md).

The forecast itself comes from one function, `_revenue_draws`; everything else here decides
which cutoffs can be scored (enough data then, outcomes known now) and scores them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from salesflow.analytics import dispersion, scores
from salesflow.analytics.cohort_outcomes import (
    MATURITY_QUANTILE,
    OPEN_SHARE,
    STALE_QUANTILE,
    Hindsight,
    cohort,
    stale_deals,
    timestamp,
    won_cycle_days,
)
from salesflow.analytics.deal_sizes import DealSizes
from salesflow.analytics.forecast_inputs import cycle_through, planned_prior
from salesflow.analytics.funnel import Tally, stage_conversions
from salesflow.analytics.simulation import Rates, even_cohorts, simulate_cohorts
from salesflow.analytics.stage_events import deals_as_of, stage_stays
from salesflow.errors import InputError
from salesflow.model.backtest import Backtest, BacktestPoint, Status
from salesflow.model.forecast import Distribution
from salesflow.model.limits import FIRST_YEAR, LAST_YEAR
from salesflow.sources.canonical import DealTables, last_date_sql

MIN_CLOSED = 30  # closed deals known at a cutoff before its rates are worth a forecast
MIN_WON = 5
MAX_CUTOFFS = 600  # fifty years of monthly cutoffs

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Settings:
    cutoffs: list[date]
    horizon_months: int = 3
    sims: int = 20_000
    seed: int = 1


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return (
        date(day.year + year, month + 1, 1)
        if day.day == 1
        else _clamped(day.year + year, month + 1, day.day)
    )


def _clamped(year: int, month: int, day: int) -> date:
    """The day, or the last day of the month when it has fewer days (31 → 30, 28 or 29)."""
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is out of range")
    for candidate in range(day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day, 28))


def check_span(first: date, last: date, what: str) -> None:
    """Refuse dates outside FIRST_YEAR … LAST_YEAR: they are typing errors, and date arithmetic
    near the ends of the calendar overflows."""
    for day in (first, last):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise InputError(
                f"{what} {day.isoformat()}: dates must fall between {FIRST_YEAR} and {LAST_YEAR}"
            )


def data_span(tables: DealTables) -> tuple[date, date]:
    """The first day a deal was seen and the last date anywhere in the data (an open deal's close
    date is a planned one, not something that happened)."""
    latest = last_date_sql(tables.stage_count)
    row = tables.con.execute(f"SELECT min(first_seen), {latest} FROM funnel_deals").fetchone()
    if not row or row[0] is None:
        raise ValueError("no dated deals")
    return _day(row[0]), _day(row[1])


def period_cutoffs(tables: DealTables, every_months: int) -> list[date]:
    """Period starts after the first full period of data, up to the end of the data."""
    first, last = data_span(tables)
    check_span(first, last, f"{tables.deals.path}: the data has a date")
    cutoff = add_months(date(first.year, first.month, 1), every_months)
    cutoffs: list[date] = []
    while cutoff <= last:
        if len(cutoffs) == MAX_CUTOFFS:
            raise InputError(
                f"{tables.deals.path}: the data runs from {first.isoformat()} to "
                f"{last.isoformat()}, more than {MAX_CUTOFFS} cutoffs; choose a longer --every "
                "period or give --cutoff dates (is a date in the data mistyped?)"
            )
        cutoffs.append(cutoff)
        cutoff = add_months(cutoff, every_months)
    return cutoffs


def backtest(tables: DealTables, settings: Settings) -> Backtest:
    data_start, data_end = data_span(tables)
    check_span(data_start, data_end, f"{tables.deals.path}: the data has a date")
    if len(settings.cutoffs) > MAX_CUTOFFS:
        raise InputError(f"{len(settings.cutoffs)} cutoffs: at most {MAX_CUTOFFS}")
    for cutoff in settings.cutoffs:
        check_span(cutoff, cutoff, "--cutoff")
    hindsight = Hindsight.of(tables, data_end)
    points = [_point(tables, cutoff, settings, hindsight) for cutoff in settings.cutoffs]
    summary = summarize([p for p in points if p.status == "scored"])
    return Backtest(
        process=tables.process.name,
        currency=tables.process.currency,
        horizon_months=settings.horizon_months,
        data_end=data_end.isoformat(),
        maturity_days=hindsight.maturity_days,
        points=points,
        scored=summary.scored,
        mape=summary.mape,
        bias=summary.bias,
        coverage=summary.coverage,
        crps=summary.crps,
        baseline_crps=summary.baseline_crps,
        skill=summary.skill,
        baseline_mape=summary.baseline_mape,
        notes=_notes(tables, points, settings.horizon_months, hindsight),
    )


@dataclass(frozen=True)
class Summary:
    scored: int
    mape: float | None
    bias: float | None
    coverage: float | None
    crps: float | None
    baseline_crps: float | None
    skill: float | None
    baseline_mape: float | None


def summarize(scored: list[BacktestPoint]) -> Summary:
    """The aggregate scores over the scored cutoffs; the baseline's, and the skill, over those
    of them that have a baseline."""
    means = [p.forecast.mean for p in scored]
    actuals = [p.actual for p in scored]
    paired = [p for p in scored if p.baseline is not None and p.baseline_crps is not None]
    baseline_crps = [p.baseline_crps or 0.0 for p in paired]
    return Summary(
        scored=len(scored),
        mape=scores.mape(means, actuals),
        bias=scores.relative_bias(means, actuals),
        coverage=scores.mean([1.0 if p.inside else 0.0 for p in scored]),
        crps=scores.mean([p.crps or 0.0 for p in scored]),
        baseline_crps=scores.mean(baseline_crps),
        skill=scores.skill([p.crps or 0.0 for p in paired], baseline_crps),
        baseline_mape=scores.mape([p.baseline or 0.0 for p in paired], [p.actual for p in paired]),
    )


NO_FORECAST = Distribution(mean=0.0, p10=0.0, p50=0.0, p90=0.0)


def _point(
    tables: DealTables, cutoff: date, settings: Settings, hindsight: Hindsight
) -> BacktestPoint:
    end = add_months(cutoff, settings.horizon_months)
    tally, closed = _tally_at(tables, cutoff)
    outcome = cohort(tables, cutoff, end, hindsight)
    enough = closed >= MIN_CLOSED and tally.won >= MIN_WON
    draws = _revenue_draws(tables, cutoff, tally, outcome.leads, settings) if enough else None
    status = _status(enough, hindsight.mature(end), outcome.settled)
    point = BacktestPoint(
        cutoff=cutoff.isoformat(),
        status=status,
        closed_deals=closed,
        won_deals=tally.won,
        leads=outcome.leads,
        forecast=_distribution(draws) if draws is not None else NO_FORECAST,
        actual=outcome.actual,
        mature=False,
        error=None,
        inside=None,
        baseline=_baseline(tables, cutoff, settings.horizon_months, outcome.leads),
        open_deals=outcome.open,
        stale_deals=outcome.stale,
    )
    return _scored(point, draws) if status == "scored" and draws is not None else point


def _status(enough: bool, mature: bool, settled: bool) -> Status:
    if not enough:
        return "too little data"
    if not mature:
        return "too young"
    return "scored" if settled else "still open"


def _scored(point: BacktestPoint, draws: Floats) -> BacktestPoint:
    """The point with its scores: only a scored cutoff has them. The draws are dropped after."""
    forecast, actual, baseline = point.forecast, point.actual, point.baseline
    return point.model_copy(
        update={
            "mature": True,
            "error": (forecast.mean - actual) / actual if actual > 0 else None,
            "inside": forecast.p10 <= actual <= forecast.p90,
            "crps": scores.crps_sample(draws, actual),
            "baseline_crps": None if baseline is None else scores.crps_point(baseline, actual),
        }
    )


def _revenue_draws(
    tables: DealTables, cutoff: date, tally: Tally, leads: int, settings: Settings
) -> Floats:
    """The forecast being tested: simulated revenue of `leads` new leads, as `horizon` monthly
    cohorts, from what was known at `cutoff` only (`tally`: the deals as they stood then; the
    conversions' survival posterior, the deals won before it, the variation between the cohorts
    mature by then). Every score reads this array and nothing else of the model, so a new
    forecast model is tested by changing this function alone."""
    rates = _rates_at(tables, cutoff, tally)
    sizes = DealSizes(
        amounts=_won_amounts(tables, cutoff), planned=tables.process.assumptions.deal_size
    )
    moment = _moment(cutoff)
    as_of = deals_as_of(moment, tables.stage_count)
    spread = dispersion.measure(tables.con, moment, as_of).dispersion
    cohorts = even_cohorts(leads, settings.horizon_months)
    _, revenue = simulate_cohorts(rates, sizes, cohorts, settings.sims, settings.seed, spread)
    return np.asarray(revenue.sum(axis=1), dtype=np.float64)


def _distribution(draws: Floats) -> Distribution:
    p10, p50, p90 = np.percentile(draws, [10, 50, 90])
    return Distribution(mean=float(draws.mean()), p10=float(p10), p50=float(p50), p90=float(p90))


def _tally_at(tables: DealTables, cutoff: date) -> tuple[Tally, int]:
    """Deals seen before the cutoff, as they stood then (stage_events.deals_as_of)."""
    as_of = deals_as_of(_moment(cutoff), tables.stage_count)
    rows = tables.con.execute(f"SELECT status, position, count(*) FROM {as_of} GROUP BY ALL")
    tally = Tally.empty(tables.stage_count)
    for status, position, count in rows.fetchall():
        tally.add(status, int(position), int(count))
    return tally, tally.won + sum(tally.lost_at)


def _rates_at(tables: DealTables, cutoff: date, tally: Tally) -> Rates:
    """The conversions known at the cutoff, with the deals open then censored there: the same
    survival estimates as `analyze` on the data as it stood."""
    moment = _moment(cutoff)
    as_of = deals_as_of(moment, tables.stage_count)
    stays = stage_stays(
        tables.engine, "'*'", tables.stage_count, tables.dated_stages, moment, as_of
    ).get("*", {})
    conversions = stage_conversions(tally, stays)
    return Rates(
        through=cycle_through(tables, stays),
        advanced=np.array(tally.advanced(), dtype=np.int64),
        lost=np.array(tally.lost_at, dtype=np.int64),
        estimated=np.array([c.share if c else 0.0 for c in conversions]),
        effective=np.array([c.effective_deals if c else 0.0 for c in conversions]),
        prior=planned_prior(tables.process),
    )


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _won_amounts(tables: DealTables, cutoff: date) -> Floats:
    as_of = deals_as_of(_moment(cutoff), tables.stage_count)
    rows = tables.con.execute(
        f"SELECT amount FROM {as_of} WHERE status = 'won' AND amount IS NOT NULL ORDER BY amount"
    ).fetchnumpy()  # ordered: the seeded bootstrap draws amounts by position
    return np.asarray(rows["amount"], dtype=np.float64)


def _baseline(tables: DealTables, cutoff: date, months: int, leads: int) -> float | None:
    """The naive forecast: revenue per lead of the latest `months` of leads whose outcome was
    (mostly) known at the cutoff, times this period's leads. Those leads were first seen in a
    window that ends one maturity before the cutoff (the MATURITY_QUANTILE of the sales cycle
    of the deals won by then), and their revenue is what they had won by the cutoff: nothing
    after the cutoff is used. None when that window has no leads."""
    lag = won_cycle_days(tables, MATURITY_QUANTILE, before=cutoff) or 0.0
    end = cutoff - timedelta(days=math.ceil(lag))
    start = add_months(end, -months)
    as_of = deals_as_of(_moment(cutoff), tables.stage_count)
    row = tables.con.execute(
        f"""
        SELECT count(*), coalesce(sum(amount ORDER BY amount) FILTER (WHERE status = 'won'), 0)
        FROM {as_of}
        WHERE first_seen >= {timestamp(start)} AND first_seen < {timestamp(end)}
        """
    ).fetchone()
    if not row or not row[0]:
        return None
    return float(row[1]) / int(row[0]) * leads


def _day(value: object) -> date:
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def _notes(
    tables: DealTables, points: list[BacktestPoint], months: int, hindsight: Hindsight
) -> list[str]:
    notes = []
    little, young, still_open = (
        sum(1 for p in points if p.status == status)
        for status in ("too little data", "too young", "still open")
    )
    if little:
        notes.append(
            f"{little} cutoff(s) had too little data: fewer than {MIN_CLOSED} closed or "
            f"{MIN_WON} won deals known then"
        )
    if young:
        notes.append(
            f"{young} cutoff(s) too young to score: their leads had not had time to close by the "
            "end of the data"
        )
    if still_open:
        notes.append(
            f"{still_open} cutoff(s) left out, not scored as if their open deals were lost: those "
            f"deals could add more than {OPEN_SHARE:.0%} to the revenue their leads won"
        )
    starts = [
        date.fromisoformat(p.cutoff) for p in points if p.status == "scored" and p.stale_deals
    ]
    stale = stale_deals(tables, [(day, add_months(day, months)) for day in starts], hindsight)
    if stale:
        notes.append(
            f"{stale} open deal(s) of the scored cohorts were first seen more than "
            f"{hindsight.stale_days or 0:.0f} days before the end of the data (longer than "
            f"{STALE_QUANTILE:.0%} of won deals took to win): counted as stale, not going to win"
        )
    return notes
