"""Calibration of the quota shortfall verdict of `salesflow analyze --by owner`.

    python benchmarks/quota_calibration.py [--replicates 4000] [--seed 1]

Each replicate is a team of TEAM people whose wins over the window are Poisson with mean
`expected_wins × rate` and whose amounts are lognormal (σ given; mean exp(σ²/2)). A person's quota
over the window is `expected_wins` times the mean amount, so `rate` 1 is exactly on quota. Each
person is judged as `analyze` judges them (analytics.goal_stats.revenue_shortfall with D the
larger of their own Σx²/Σx and the team's) and flagged when the probability is at least 0.9.

Printed per σ and expected wins: the share flagged when on quota (the false alarms: at most 0.1
is the promise), at 75% and at 50% of quota (the power), and, for comparison, the false alarms of
the normal approximation Φ((quota − won) / √Σx²) with a person without wins flagged when the
quota is positive.

A measurement, not a test: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from salesflow.analytics.goal_stats import CREDIBLE, dispersion, revenue_shortfall

TEAM = 8
SIGMAS = (0.0, 0.5, 1.0, 1.5)
EXPECTED_WINS = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
RATES = (1.0, 0.75, 0.5)


def flagged_shares(
    rng: np.random.Generator, sigma: float, wins: float, replicates: int
) -> tuple[list[float], float]:
    """(share flagged at each of RATES, share the normal approximation flags on quota)."""
    target = wins * math.exp(sigma**2 / 2)
    flags = [0] * len(RATES)
    normal = 0
    for _ in range(replicates):
        for index, rate in enumerate(RATES):
            team = [rng.lognormal(0.0, sigma, rng.poisson(wins * rate)) for _ in range(TEAM)]
            total = sum(float(x.sum()) for x in team)
            squares = sum(float((x * x).sum()) for x in team)
            team_spread = dispersion(total, squares)
            person = team[0]
            won = float(person.sum())
            own = dispersion(won, float((person**2).sum()))
            spread = max((d for d in (own, team_spread) if d), default=None)
            if spread is not None and revenue_shortfall(target, won, spread) >= CREDIBLE:
                flags[index] += 1
            if rate == 1.0:
                sd = math.sqrt(float((person**2).sum()))
                z = (target - won) / sd if sd > 0 else math.inf
                normal += 0.5 * math.erfc(-z / math.sqrt(2)) >= CREDIBLE
    return [f / replicates for f in flags], normal / replicates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print("sigma  wins on quota  flagged on quota  at 75%  at 50%  normal approx. on quota")
    for sigma in SIGMAS:
        for wins in EXPECTED_WINS:
            shares, normal = flagged_shares(rng, sigma, wins, args.replicates)
            on, three_quarters, half = shares
            print(
                f"{sigma:5.1f}  {wins:13g}  {on:16.3f}  {three_quarters:6.3f}  {half:6.3f}  "
                f"{normal:23.3f}"
            )


if __name__ == "__main__":
    main()
