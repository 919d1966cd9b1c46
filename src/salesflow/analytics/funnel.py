"""Funnel metrics over the canonical deals (DESIGN section 4): counts and durations in DuckDB,
the arithmetic on the few resulting numbers in Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from salesflow.analytics.stats import product, ratio, wilson_interval
from salesflow.model import Process
from salesflow.model.funnel import Bottleneck, DealCounts, Funnel, StageMetrics

OVERALL = "'*'"
SECONDS_PER_DAY = 86400.0


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
    median_cycle_days: float | None


@dataclass(frozen=True)
class Stay:
    median: float | None
    p80: float | None
    completed: int
    open: int


NO_AMOUNTS = Amounts(0, None, None, None)


def tallies(con: duckdb.DuckDBPyConnection, group: str, stages: int) -> dict[str, Tally]:
    rows = con.execute(
        f"SELECT {group} AS g, position, status, count(*) FROM funnel_deals GROUP BY ALL"
    ).fetchall()
    result: dict[str, Tally] = {}
    for key, position, status, count in rows:
        result.setdefault(str(key), Tally.empty(stages)).add(status, int(position), int(count))
    return result


def amounts(con: duckdb.DuckDBPyConnection, group: str) -> dict[str, Amounts]:
    won = "status = 'won' AND amount IS NOT NULL"
    cycle = f"date_diff('second', created_at, closed_at) / {SECONDS_PER_DAY}"
    rows = con.execute(
        f"""
        SELECT {group} AS g,
            count(*) FILTER (WHERE {won}),
            avg(amount) FILTER (WHERE {won}),
            median(amount) FILTER (WHERE {won}),
            median({cycle}) FILTER (WHERE status = 'won' AND closed_at >= created_at)
        FROM funnel_deals GROUP BY ALL
        """
    ).fetchall()
    return {
        str(row[0]): Amounts(int(row[1]), _float(row[2]), _float(row[3]), _float(row[4]))
        for row in rows
    }


def stays(con: duckdb.DuckDBPyConnection, group: str, stages: int) -> dict[str, list[Stay]]:
    """Days in each stage: from entering it to entering the next stage with a date, or to the
    close for the last stage a closed deal entered. Stays of deals still in the stage are open:
    they are counted, not measured."""
    items = []
    for k in range(stages):
        later = [f"e{j}" for j in range(k + 1, stages)]
        next_entry = f"coalesce({', '.join(later)})" if later else "NULL::TIMESTAMP"
        end = f"coalesce({next_entry}, CASE WHEN status <> 'open' THEN closed_at END)"
        days = f"(date_diff('second', e{k}, {end}) / {SECONDS_PER_DAY})"
        items += [
            f"quantile_cont({days}, [0.5, 0.8]) FILTER (WHERE {days} >= 0)",
            f"count(*) FILTER (WHERE {days} >= 0)",
            f"count(*) FILTER (WHERE e{k} IS NOT NULL AND status = 'open' AND position = {k})",
        ]
    rows = con.execute(
        f"SELECT {group} AS g, {', '.join(items)} FROM funnel_deals GROUP BY ALL"
    ).fetchall()
    return {str(row[0]): _stays(row[1:], stages) for row in rows}


def _stays(values: tuple[Any, ...], stages: int) -> list[Stay]:
    result = []
    for k in range(stages):
        quantiles, completed, open_stays = values[3 * k : 3 * k + 3]
        median, p80 = (quantiles or [None, None])[:2]
        result.append(Stay(_float(median), _float(p80), int(completed), int(open_stays)))
    return result


def build_funnel(
    process: Process, tally: Tally, money: Amounts, stage_stays: list[Stay] | None
) -> Funnel:
    stages = _stage_metrics(process, tally, stage_stays)
    counts = DealCounts(
        total=tally.won + sum(tally.lost_at) + sum(tally.open_at),
        won=tally.won,
        lost=sum(tally.lost_at),
        open=sum(tally.open_at),
    )
    win_rate = ratio(counts.won, counts.won + counts.lost)
    deal_size = money.average or process.assumptions.deal_size
    return Funnel(
        deals=counts,
        win_rate=win_rate,
        avg_won_amount=money.average,
        median_won_amount=money.median,
        median_cycle_days=money.median_cycle_days,
        velocity_per_day=_velocity(counts.open, win_rate, money.average, money.median_cycle_days),
        bottleneck=find_bottleneck(stages, deal_size),
        stages=stages,
    )


def _stage_metrics(
    process: Process, tally: Tally, stage_stays: list[Stay] | None
) -> list[StageMetrics]:
    count = len(process.stages)
    conversions: list[float | None] = []
    raw = []
    for k, advanced in zip(range(count), tally.advanced(), strict=True):
        lost, open_ = tally.lost_at[k], tally.open_at[k]
        conversions.append(ratio(advanced, advanced + lost))
        raw.append((tally.entered(k), advanced, lost, open_))
    metrics = []
    for k, stage in enumerate(process.stages):
        entered, advanced, lost, open_ = raw[k]
        conversion = conversions[k]
        planned = stage.expected.conversion
        stay = stage_stays[k] if stage_stays else Stay(None, None, 0, 0)
        metrics.append(
            StageMetrics(
                id=stage.id,
                name=stage.name,
                entered=entered,
                advanced=advanced,
                lost=lost,
                open=open_,
                conversion=conversion,
                conversion_ci=wilson_interval(advanced, advanced + lost),
                planned_conversion=planned,
                gap_points=None
                if conversion is None or planned is None
                else round((conversion - planned) * 100, 10),
                cumulative_conversion=product(conversions[: k + 1]),
                win_probability=product(conversions[k:]),
                median_days=stay.median,
                p80_days=stay.p80,
                completed_stays=stay.completed,
                open_stays=stay.open,
            )
        )
    return metrics


def find_bottleneck(stages: list[StageMetrics], deal_size: float | None) -> Bottleneck | None:
    """The stage where converting at plan would add the most wins: the shortfall in points times
    the deals decided there, each extra one winning with the observed odds of the stages after."""
    best: Bottleneck | None = None
    for k, stage in enumerate(stages):
        if stage.conversion is None or stage.planned_conversion is None:
            continue
        shortfall = stage.planned_conversion - stage.conversion
        onward = product(later.conversion for later in stages[k + 1 :])
        if shortfall <= 0 or onward is None:
            continue
        extra_wins = shortfall * (stage.advanced + stage.lost) * onward
        if best is None or extra_wins > best.extra_wins:
            gain = extra_wins * deal_size if deal_size is not None else None
            best = Bottleneck(stage=stage.id, extra_wins=extra_wins, revenue_gain=gain)
    return best


def _velocity(
    open_deals: int, win_rate: float | None, average: float | None, cycle: float | None
) -> float | None:
    """Sales velocity: open deals × win rate × average won amount ÷ sales cycle (days)."""
    if win_rate is None or average is None or not cycle:
        return None
    return open_deals * win_rate * average / cycle


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
