"""Calibration of the sales cycle verdict of `salesflow analyze` (`goals.cycle_days`).

    python benchmarks/cycle_calibration.py [--replicates 1000] [--seed 1]

Each replicate is a team's deals, created at a constant rate over the WINDOW days before the
export. A deal is won with probability WIN_SHARE, after a lognormal time (median MEDIAN days, σ
SIGMA); otherwise lost after a lognormal time (median LOSS_MEDIAN days, σ SIGMA). A deal whose
outcome comes after the export is still open (censored there). Times are whole days, rounded as
`analyze` rounds them. The deals are judged as `analyze` judges them
(analytics.cycle_goal.cycle_evidence over the cycle's stays) and flagged when P(above) is at
least 0.9.

The truth is the median of the won deals' whole days: the first day d with P(T < d + 0.5) ≥ 1/2.
Printed per expected number of wins and window: the share of intervals that hold the truth (95%
promised), the median estimate's relative bias, the share flagged when the goal is the truth
(the false alarms: at most 0.1 is the promise), when the truth is 25% and 50% above the goal
(the power), and the share with no verdict (too few wins).

A measurement, not a test: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from salesflow.analytics.cycle_goal import cycle_evidence
from salesflow.analytics.goal_stats import credible
from salesflow.analytics.survival import EventTable, aalen_johansen, incidence_median

MEDIAN = 60.0
LOSS_MEDIAN = 40.0
SIGMA = 0.6
WIN_SHARE = 0.3
EXPECTED_WINS = (10, 30, 100, 1000)
WINDOWS = (730.0, 180.0)
RATIOS = (1.0, 1.25, 1.5)  # the true median over the goal


def truth() -> float:
    """The first whole day by which half of the won deals are won, rounded as analyze rounds."""
    day = 0
    while _lognormal_cdf(day + 0.5) < 0.5:
        day += 1
    return float(day)


def _lognormal_cdf(days: float) -> float:
    return 0.5 * math.erfc(-(math.log(days) - math.log(MEDIAN)) / (SIGMA * math.sqrt(2)))


def simulated(rng: np.random.Generator, wins: int, window: float) -> EventTable:
    """One team's cycle stays: won, lost, or open at the export."""
    deals = rng.poisson(wins / WIN_SHARE)
    won = rng.random(deals) < WIN_SHARE
    medians = np.where(won, MEDIAN, LOSS_MEDIAN)
    days = medians * np.exp(SIGMA * rng.standard_normal(deals))
    follow_up = rng.uniform(0.0, window, deals)
    ended = days <= follow_up
    observed = np.round(np.where(ended, days, follow_up))
    return EventTable.of(
        observed,
        (ended & won).astype(np.float64),
        (ended & ~won).astype(np.float64),
        (~ended).astype(np.float64),
    )


def judged(rng: np.random.Generator, wins: int, window: float, replicates: int) -> list[float]:
    """[coverage, relative bias, flagged at each of RATIOS, no verdict]."""
    true = truth()
    covered = no_verdict = 0
    flags = [0] * len(RATIOS)
    estimates = []
    for _ in range(replicates):
        table = simulated(rng, wins, window)
        median = incidence_median(table.times, aalen_johansen(table).first)
        if median is not None:
            estimates.append(median)
        for index, ratio in enumerate(RATIOS):
            evidence = cycle_evidence(table, true / ratio)
            flags[index] += credible(evidence.probability_above)
            if ratio == 1.0:
                interval = evidence.interval
                no_verdict += interval is None
                covered += interval is not None and interval[0] <= true <= interval[1]
    bias = (float(np.mean(estimates)) - true) / true if estimates else math.nan
    judged_count = max(replicates - no_verdict, 1)
    return [
        covered / judged_count,
        bias,
        *(flag / replicates for flag in flags),
        no_verdict / replicates,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"true median {truth():g} days; won share {WIN_SHARE}, σ {SIGMA}")
    print("wins  window  coverage  rel. bias  flagged at goal  at +25%  at +50%  no verdict")
    for wins in EXPECTED_WINS:
        for window in WINDOWS:
            cover, bias, at_goal, quarter, half, none = judged(rng, wins, window, args.replicates)
            print(
                f"{wins:4d}  {window:6g}  {cover:8.3f}  {bias:+9.3f}  {at_goal:15.3f}  "
                f"{quarter:7.3f}  {half:7.3f}  {none:10.3f}"
            )


if __name__ == "__main__":
    main()
