"""Funnel metrics over the canonical deals (docs/analyze.md): counts and stays in DuckDB, the
survival arithmetic on the few resulting numbers in numpy (analytics/estimates.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from salesflow.analytics.bottleneck import DealSize, find_bottleneck
from salesflow.analytics.estimates import (
    COUNTS,
    NO_DURATIONS,
    SURVIVAL,
    Conversion,
    Durations,
    counted_conversion,
    durations,
    median_cycle,
    survival_conversion,
)
from salesflow.analytics.stage_events import ADVANCED, LOST, OPEN, Stays
from salesflow.analytics.stats import probability_below, product, ratio, wilson_interval
from salesflow.model import Process
from salesflow.model.funnel import DealCounts, Funnel, StageMetrics
from salesflow.model.process import Stage
from salesflow.sources.engine import Rows

OVERALL = "'*'"


@dataclass
class Tally:
    """Deals by outcome and position for one group."""

    won: int
    lost_at: list[int]
    open_at: list[int]

    @classmethod
    def empty(cls, stages: int) -> Tally:
        return cls(0, [0] * stages, [0] * stages)

    def add(self, status: str, position: int, count: int) -> None:
        if status == "won":
            self.won += count
        elif status == "lost":
            self.lost_at[position] += count
        else:
            self.open_at[position] += count

    def entered(self, stage: int) -> int:
        """Won deals reached every stage; others every stage up to their position."""
        return self.won + sum(self.lost_at[stage:]) + sum(self.open_at[stage:])

    def advanced(self) -> list[int]:
        """Per stage: deals that reached a later stage or won."""
        return [
            self.entered(k) - self.lost_at[k] - self.open_at[k] for k in range(len(self.lost_at))
        ]


@dataclass(frozen=True)
class Amounts:
    won_with_amount: int
    average: float | None
    median: float | None
    spread: float | None


NO_AMOUNTS = Amounts(0, None, None, None)


@dataclass(frozen=True)
class Observed:
    """What one group's figures are built from: counts, won amounts, and (when the data has
    dates) the stays per dated stage and, under the key `len(stages)`, the sales cycle; `dated`
    names the stages the data has entry dates for."""

    tally: Tally
    money: Amounts
    stays: dict[int, Stays]
    dated: frozenset[int] = frozenset()


def tallies_of(rows: Rows, stages: int) -> dict[str, Tally]:
    """The tally of each group from stage_events.stay_rows: its cycle rows (k = `stages`) count
    every deal by outcome and position."""
    outcomes = {ADVANCED: "won", LOST: "lost", OPEN: "open"}
    result: dict[str, Tally] = {}
    for key, k, _, event, _, position, count in rows:
        if int(k) == stages:
            tally = result.setdefault(str(key), Tally.empty(stages))
            tally.add(outcomes[int(event)], int(position), int(count))
    return result


def amounts_sql(group: str, deals: str = "funnel_deals") -> str:
    """(g, count, mean, median, spread) of the won amounts per group: the query of `amounts`."""
    return f"""
        SELECT g, count(*) AS n, avg(amount) AS mean_,
            avg(CASE WHEN 2 * rank_ IN (n_, n_ + 1, n_ + 2) THEN amount END) AS median_,
            stddev_samp(amount) AS spread_
        FROM (
            SELECT {group} AS g, amount,
                row_number() OVER (PARTITION BY {group} ORDER BY amount) AS rank_,
                count(*) OVER (PARTITION BY {group}) AS n_
            FROM {deals} WHERE status = 'won' AND amount IS NOT NULL
        ) won
        GROUP BY g
        """


def amounts_of(rows: Rows) -> dict[str, Amounts]:
    return {
        str(row[0]): Amounts(int(row[1]), _float(row[2]), _float(row[3]), _float(row[4]))
        for row in rows
    }


def build_funnel(process: Process, observed: Observed) -> Funnel:
    tally, money = observed.tally, observed.money
    stages = _stage_metrics(process, observed)
    counts = DealCounts(
        total=tally.won + sum(tally.lost_at) + sum(tally.open_at),
        won=tally.won,
        lost=sum(tally.lost_at),
        open=sum(tally.open_at),
    )
    win_rate = stages[-1].cumulative_conversion if stages else None
    cycle = median_cycle(observed.stays.get(len(process.stages)))
    size = DealSize(money.average, money.spread, money.won_with_amount)
    if money.average is None:
        size = DealSize(process.assumptions.deal_size)
    return Funnel(
        deals=counts,
        win_rate=win_rate,
        closed_win_rate=ratio(counts.won, counts.won + counts.lost),
        avg_won_amount=money.average,
        median_won_amount=money.median,
        median_cycle_days=cycle,
        velocity_per_day=_velocity(counts.open, win_rate, money.average, cycle),
        bottleneck=find_bottleneck(stages, size),
        stages=stages,
    )


def stage_conversions(tally: Tally, stays: dict[int, Stays]) -> list[Conversion | None]:
    """Each stage's conversion: from its stays where the data dates them, else from counts."""
    advanced = tally.advanced()
    return [
        survival_conversion(stays[k])
        if k in stays
        else counted_conversion(advanced[k], tally.lost_at[k])
        for k in range(len(advanced))
    ]


def _stage_metrics(process: Process, observed: Observed) -> list[StageMetrics]:
    tally = observed.tally
    conversions = stage_conversions(tally, observed.stays)
    timings: list[Durations] = [
        durations(observed.stays[k]) if k in observed.stays else NO_DURATIONS
        for k in range(len(process.stages))
    ]
    shares = [c.share if c else None for c in conversions]
    return [
        _stage(stage, k, tally, conversions[k], shares, timings[k], k in observed.dated)
        for k, stage in enumerate(process.stages)
    ]


def _stage(
    stage: Stage,
    k: int,
    tally: Tally,
    conversion: Conversion | None,
    shares: list[float | None],
    timing: Durations,
    dated: bool,
) -> StageMetrics:
    lost = tally.lost_at[k]
    advanced = tally.entered(k) - lost - tally.open_at[k]
    share = conversion.share if conversion else None
    planned = stage.expected.conversion
    return StageMetrics(
        id=stage.id,
        name=stage.name,
        entered=tally.entered(k),
        advanced=advanced,
        lost=lost,
        open=tally.open_at[k],
        conversion=share,
        conversion_ci=conversion_interval(conversion),
        conversion_method=SURVIVAL if dated else COUNTS,
        effective_deals=conversion.effective_deals if conversion else None,
        undecided=conversion.undecided if conversion else 0.0,
        naive_conversion=ratio(advanced, advanced + lost),
        planned_conversion=planned,
        gap_points=None if share is None or planned is None else round((share - planned) * 100, 10),
        probability_below_plan=_below_plan(conversion, planned),
        cumulative_conversion=product(shares[: k + 1]),
        win_probability=product(shares[k:]),
        median_days=timing.median,
        median_days_ci=timing.median_ci,
        p80_days=timing.p80,
        planned_days=stage.expected.days,
        median_days_to_advance=timing.to_advance,
        median_days_to_lose=timing.to_lose,
        completed_stays=timing.completed,
        open_stays=timing.open,
    )


def conversion_interval(conversion: Conversion | None) -> tuple[float, float] | None:
    """The Wilson interval at the effective number of deals, its upper end raised by the
    undecided share: those deals may all still advance."""
    if conversion is None:
        return None
    deals = conversion.effective_deals
    interval = wilson_interval(conversion.share * deals, deals)
    if interval is None:
        return None
    low, high = interval
    return low, min(high + conversion.undecided, 1.0)


def _below_plan(conversion: Conversion | None, planned: float | None) -> float | None:
    """Judged with the benefit of the doubt: the undecided deals as if they all advance."""
    if conversion is None or planned is None:
        return None
    share = min(conversion.share + conversion.undecided, 1.0)
    return probability_below(share, conversion.effective_deals, planned)


def _velocity(
    open_deals: int, win_rate: float | None, average: float | None, cycle: float | None
) -> float | None:
    """Sales velocity: open deals × win rate × average won amount ÷ sales cycle (days)."""
    if win_rate is None or average is None or not cycle:
        return None
    return open_deals * win_rate * average / cycle


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
