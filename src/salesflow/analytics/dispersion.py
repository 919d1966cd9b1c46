"""How much the chance to win varies from one monthly cohort of leads to the next, beyond the
binomial noise of its size: the intra-cohort correlation ρ of a beta-binomial model, by the method
of moments (Kleinman, JASA 1973), from the cohorts whose outcome is known.

Under the model a cohort of n leads wins a number with variance n·p(1 − p)·(1 + (n − 1)ρ); the
size-weighted spread of the cohorts' win rates, S = Σ nᵢ(p̂ᵢ − p̂)², has expectation
p(1 − p)·[(K − 1) + ρ·(N − Σnᵢ²/N − (K − 1))] for K cohorts of N leads in all, which is solved
for ρ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import numpy as np

from salesflow.analytics.cohort_outcomes import MATURITY_QUANTILE, cycle_quantile
from salesflow.analytics.simulation import Dispersion, Floats

MIN_COHORTS = 6  # mature monthly cohorts needed to measure the variation
MIN_LEADS = 10  # a cohort with fewer leads says too little about its own rate
MAX_RHO = 0.5


@dataclass(frozen=True)
class Measured:
    dispersion: Dispersion
    note: str | None = None


def moment_rho(leads: Floats, wins: Floats) -> float:
    """ρ by the method of moments, clipped to [0, MAX_RHO]; 0 when every cohort converts alike
    or nothing (or everything) was won."""
    total = float(leads.sum())
    if len(leads) < 2 or total <= 0:
        return 0.0
    mean = float(wins.sum()) / total
    if not 0 < mean < 1:
        return 0.0
    spread = float((leads * (wins / leads - mean) ** 2).sum())
    room = total - float((leads**2).sum()) / total - (len(leads) - 1)
    if room <= 0:
        return 0.0
    rho = (spread / (mean * (1 - mean)) - (len(leads) - 1)) / room
    return float(np.clip(rho, 0.0, MAX_RHO))


def measure(
    con: duckdb.DuckDBPyConnection, end: datetime | None, deals: str = "funnel_deals"
) -> Measured:
    """The dispersion of the monthly cohorts of `deals` that were mature at `end`: their month
    ended at least the 90th percentile of the won sales cycle before it."""
    if end is None:
        return Measured(Dispersion(), "no dated leads: no cohort-to-cohort variation measured")
    leads, wins = _mature_cohorts(con, end, deals)
    if len(leads) < MIN_COHORTS:
        return Measured(
            Dispersion(),
            f"{len(leads)} mature monthly cohort(s) of {MIN_LEADS}+ leads, fewer than "
            f"{MIN_COHORTS}: cohort-to-cohort variation not measured (taken as none)",
        )
    return Measured(Dispersion(moment_rho(leads, wins), len(leads)))


def _mature_cohorts(
    con: duckdb.DuckDBPyConnection, end: datetime, deals: str
) -> tuple[Floats, Floats]:
    # In `deals` as they stood at `end`, only deals closed by then have a close date.
    maturity = cycle_quantile(con, MATURITY_QUANTILE, deals) or 0.0
    last_month = end - timedelta(days=maturity)
    rows = con.execute(
        f"""
        SELECT date_trunc('month', first_seen) AS m, count(*) AS n,
               count(*) FILTER (WHERE status = 'won') AS w
        FROM {deals}
        WHERE first_seen IS NOT NULL AND first_seen <= ?
        GROUP BY m
        HAVING m + INTERVAL 1 MONTH <= ? AND count(*) >= ?
        ORDER BY m
        """,
        [end, last_month, MIN_LEADS],
    ).fetchnumpy()
    return rows["n"].astype(np.float64), rows["w"].astype(np.float64)
