"""What became of a cohort of leads by the end of the data, and whether it is known well enough to
score a forecast of it (`salesflow backtest`).

A deal still open at the end of the data has no outcome yet: it is censored, never counted as
revenue 0. A cohort is *mature* when its period ended at least the MATURITY_QUANTILE of the won
sales cycle before the end of the data, and *settled* when its deals still open could add at most
OPEN_SHARE to the revenue it won, even if every one of them won. An open deal older than the
STALE_QUANTILE of the won sales cycle is *stale*: almost no won deal took that long, so it is
counted as not going to win. Deals won or lost without a close date are decided all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from salesflow.sources.canonical import DealTables

MATURITY_QUANTILE = 0.9  # of the won sales cycle: how long a cohort waits before it is scored
STALE_QUANTILE = 0.99  # an open deal older than this quantile of the won cycle will not win
OPEN_SHARE = 0.05  # the most the open deals of a scored cohort could add to its revenue


@dataclass(frozen=True)
class Hindsight:
    """What the end of the data tells about every cohort: it decides which cutoffs can be
    scored, and never feeds a forecast."""

    data_end: date
    maturity_days: float  # MATURITY_QUANTILE of the won sales cycle (0 without won deals)
    stale_days: float | None  # STALE_QUANTILE of the won sales cycle; None without won deals
    typical_amount: float  # the potential of an open deal with no amount: the mean won amount

    @classmethod
    def of(cls, tables: DealTables, data_end: date) -> Hindsight:
        row = tables.con.execute(
            "SELECT avg(amount) FROM funnel_deals WHERE status = 'won' AND amount IS NOT NULL"
        ).fetchone()
        return cls(
            data_end=data_end,
            maturity_days=won_cycle_days(tables, MATURITY_QUANTILE) or 0.0,
            stale_days=won_cycle_days(tables, STALE_QUANTILE),
            typical_amount=float(row[0]) if row and row[0] is not None else 0.0,
        )

    def mature(self, period_end: date) -> bool:
        return period_end + timedelta(days=self.maturity_days) <= self.data_end

    def stale_sql(self) -> str:
        """The condition that makes a deal open at the end of the data stale."""
        if self.stale_days is None:
            return "FALSE"
        age = f"date_diff('second', first_seen, {timestamp(self.data_end)}) / 86400.0"
        return f"({age} > {self.stale_days})"


@dataclass(frozen=True)
class Cohort:
    """The leads first seen in a period and what became of them by the end of the data."""

    leads: int
    actual: float  # the revenue they won
    open: int  # still open at the end of the data, and not stale
    stale: int  # still open, but stale: counted as not going to win
    open_potential: float  # what the open ones would add if they all won

    @property
    def settled(self) -> bool:
        return self.open_potential <= OPEN_SHARE * self.actual


def cohort(tables: DealTables, start: date, end: date, hindsight: Hindsight) -> Cohort:
    """The leads first seen in [start, end) and what became of them by the end of the data."""
    stale = hindsight.stale_sql()
    open_amount = f"coalesce(amount, {hindsight.typical_amount})"
    # the sums ordered: summed in parallel, doubles give other last digits from run to run
    row = tables.con.execute(
        f"""
        SELECT count(*),
            coalesce(sum(amount ORDER BY amount) FILTER (WHERE status = 'won'), 0),
            count(*) FILTER (WHERE status = 'open' AND NOT {stale}),
            count(*) FILTER (WHERE status = 'open' AND {stale}),
            coalesce(sum({open_amount} ORDER BY {open_amount})
                     FILTER (WHERE status = 'open' AND NOT {stale}), 0)
        FROM funnel_deals
        WHERE {_within(start, end)}
        """
    ).fetchone()
    assert row is not None
    return Cohort(int(row[0]), float(row[1]), int(row[2]), int(row[3]), float(row[4]))


def stale_deals(tables: DealTables, periods: list[tuple[date, date]], hindsight: Hindsight) -> int:
    """How many distinct stale deals the periods' cohorts hold together (they may overlap)."""
    if not periods:
        return 0
    within = " OR ".join(f"({_within(start, end)})" for start, end in periods)
    row = tables.con.execute(
        f"SELECT count(*) FROM funnel_deals WHERE status = 'open' AND {hindsight.stale_sql()} "
        f"AND ({within})"
    ).fetchone()
    return int(row[0]) if row else 0


def won_cycle_days(tables: DealTables, quantile: float, before: date | None = None) -> float | None:
    """A quantile of the sales cycle (first seen → won, in days) of the won deals with a close
    date, only those closed before `before` when given; None when there are none."""
    known = "" if before is None else f" AND closed_at < {timestamp(before)}"
    return cycle_quantile(tables.con, quantile, "funnel_deals", known)


def cycle_quantile(
    con: duckdb.DuckDBPyConnection, quantile: float, deals: str, condition: str = ""
) -> float | None:
    """The quantile of first seen → won (days) over the won deals of the relation `deals` that
    have a close date (and meet `condition`, an SQL `AND …`); None when there are none."""
    row = con.execute(
        f"SELECT quantile_cont(date_diff('second', first_seen, closed_at) / 86400.0, {quantile})"
        f" FROM {deals} WHERE status = 'won' AND closed_at >= first_seen{condition}"
    ).fetchone()
    return float(row[0]) if row and row[0] is not None else None


def timestamp(day: date) -> str:
    return f"TIMESTAMP '{day.isoformat()}'"


def _within(start: date, end: date) -> str:
    return f"first_seen >= {timestamp(start)} AND first_seen < {timestamp(end)}"
