"""Replay the data as of past cutoffs: forecast each cutoff's next leads with only what was known
then, and compare with what those leads actually won (DESIGN section 5, `salesflow backtest`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from salesflow.analytics.funnel import Tally, stage_conversions
from salesflow.analytics.simulation import DealSizes, Rates, percentiles, simulate
from salesflow.analytics.stage_events import deals_as_of, stage_stays
from salesflow.errors import InputError
from salesflow.model.backtest import Backtest, BacktestPoint
from salesflow.model.forecast import Distribution
from salesflow.sources.canonical import DealTables

MIN_CLOSED = 30  # closed deals known at a cutoff before its rates are worth a forecast
MIN_WON = 5
MATURITY_QUANTILE = 0.9
FIRST_YEAR, LAST_YEAR = 1900, 2200  # dates outside these years are refused, never replayed
MAX_CUTOFFS = 600  # fifty years of monthly cutoffs


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
    """The first day a deal was seen and the last date anywhere in the data."""
    dates = ", ".join(["closed_at", *(f"e{k}" for k in range(tables.stage_count))])
    row = tables.con.execute(
        f"SELECT min(first_seen), max(greatest(first_seen, {dates})) FROM funnel_deals"
    ).fetchone()
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
    maturity = _maturity_days(tables)
    points = [_point(tables, cutoff, settings, data_end, maturity) for cutoff in settings.cutoffs]
    scored = [p for p in points if p.mature and p.error is not None]
    return Backtest(
        process=tables.process.name,
        currency=tables.process.currency,
        horizon_months=settings.horizon_months,
        data_end=data_end.isoformat(),
        maturity_days=maturity,
        points=points,
        scored=len(scored),
        mape=_mean([abs(p.error) for p in scored if p.error is not None]),
        bias=_mean([p.error for p in scored if p.error is not None]),
        coverage=_mean([1.0 if p.inside else 0.0 for p in scored]),
        baseline_mape=_mean(
            [abs(p.baseline - p.actual) / p.actual for p in scored if p.baseline is not None]
        ),
        notes=_notes(points),
    )


def _point(
    tables: DealTables, cutoff: date, settings: Settings, data_end: date, maturity: float
) -> BacktestPoint:
    end = add_months(cutoff, settings.horizon_months)
    tally, closed = _tally_at(tables, cutoff)
    leads, actual = _cohort(tables, cutoff, end)
    rates = _rates_at(tables, cutoff, tally)
    sizes = DealSizes(
        amounts=_won_amounts(tables, cutoff), planned=tables.process.assumptions.deal_size
    )
    enough = closed >= MIN_CLOSED and tally.won >= MIN_WON
    forecast = _distribution(rates, sizes, leads, settings) if enough else None
    mature = end + timedelta(days=maturity) <= data_end
    error = (forecast.p50 - actual) / actual if forecast and actual > 0 else None
    status = "too little data" if not enough else ("scored" if mature else "too young")
    return BacktestPoint(
        cutoff=cutoff.isoformat(),
        status=status,
        closed_deals=closed,
        won_deals=tally.won,
        leads=leads,
        forecast=forecast or Distribution(mean=0.0, p10=0.0, p50=0.0, p90=0.0),
        actual=actual,
        mature=status == "scored",
        error=error,
        inside=(forecast.p10 <= actual <= forecast.p90) if forecast else None,
        baseline=_baseline(tables, cutoff, settings.horizon_months, leads),
    )


def _distribution(rates: Rates, sizes: DealSizes, leads: int, settings: Settings) -> Distribution:
    outcome = simulate(rates, sizes, leads, settings.sims, settings.seed)
    mean, p10, p50, p90 = percentiles(outcome.revenue)
    return Distribution(mean=mean, p10=p10, p50=p50, p90=p90)


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
        tables.con, "'*'", tables.stage_count, tables.dated_stages, moment, as_of
    ).get("*", {})
    conversions = stage_conversions(tally, stays)
    return Rates(
        advanced=np.array(tally.advanced(), dtype=np.int64),
        lost=np.array(tally.lost_at, dtype=np.int64),
        estimated=np.array([c.share if c else 0.0 for c in conversions]),
        effective=np.array([c.effective_deals if c else 0.0 for c in conversions]),
    )


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _won_amounts(tables: DealTables, cutoff: date) -> np.ndarray:
    rows = tables.con.execute(
        "SELECT amount FROM funnel_deals WHERE status = 'won' AND amount IS NOT NULL "
        f"AND closed_at < TIMESTAMP '{cutoff.isoformat()}'"
    ).fetchnumpy()
    return np.asarray(rows["amount"], dtype=np.float64)


def _cohort(tables: DealTables, start: date, end: date) -> tuple[int, float]:
    """The leads first seen in [start, end) and the revenue they eventually won."""
    row = tables.con.execute(
        f"""
        SELECT count(*), coalesce(sum(amount) FILTER (WHERE status = 'won'), 0)
        FROM funnel_deals
        WHERE first_seen >= TIMESTAMP '{start.isoformat()}'
          AND first_seen < TIMESTAMP '{end.isoformat()}'
        """
    ).fetchone()
    return (int(row[0]), float(row[1])) if row else (0, 0.0)


def _baseline(tables: DealTables, cutoff: date, months: int, leads: int) -> float | None:
    """The naive forecast: last period's won revenue per lead, times this period's leads."""
    start = add_months(cutoff, -months)
    row = tables.con.execute(
        f"""
        SELECT
            sum(amount) FILTER (WHERE status = 'won' AND closed_at >= TIMESTAMP '{start}'
                                AND closed_at < TIMESTAMP '{cutoff}'),
            count(*) FILTER (WHERE first_seen >= TIMESTAMP '{start}'
                             AND first_seen < TIMESTAMP '{cutoff}')
        FROM funnel_deals
        """
    ).fetchone()
    if not row or not row[1]:
        return None
    return float(row[0] or 0.0) / int(row[1]) * leads


def _maturity_days(tables: DealTables) -> float:
    """How long after its period a cohort needs before its result is known: the 90th percentile
    of the sales cycle of won deals."""
    row = tables.con.execute(
        f"SELECT quantile_cont(date_diff('second', first_seen, closed_at) / 86400.0, "
        f"{MATURITY_QUANTILE}) FROM funnel_deals WHERE status = 'won' AND closed_at >= first_seen"
    ).fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _day(value: object) -> date:
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def _notes(points: list[BacktestPoint]) -> list[str]:
    notes = []
    little = sum(1 for p in points if p.status == "too little data")
    young = sum(1 for p in points if p.status == "too young")
    if little:
        notes.append(
            f"{little} cutoff(s) had too little data: fewer than {MIN_CLOSED} closed or "
            f"{MIN_WON} won deals known then"
        )
    if young:
        notes.append(
            f"{young} cutoff(s) too young to score: their leads had not had time to close by "
            "the end of the data"
        )
    return notes
