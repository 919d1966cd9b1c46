"""Calibration of the quota shortfall verdict of `salesflow analyze --by owner`.

    python benchmarks/quota_calibration.py [--replicates 4000] [--seed 1] [--team]

Each replicate is a team of TEAM people whose wins over the window are Poisson with mean
`expected_wins × rate` and whose amounts are lognormal (σ given; mean exp(σ²/2)). A person's quota
over the window is `expected_wins` times the mean amount, so `rate` 1 is exactly on quota. Each
person is judged as `analyze` judges them (analytics.goal_stats.judged_shortfall: D the larger
of their own Σx²/Σx and the team's) and flagged when the probability is at least 0.9.

Printed per σ and expected wins: the share flagged when on quota (the false alarms: at most 0.1
is the promise), at 75% and at 50% of quota (the power), and, for comparison, the false alarms of
the normal approximation Φ((quota − won) / √Σx²) with a person without wins flagged when the
quota is positive.

With `--team`: the verdicts of a whole team decided together (analytics.goal_stats.discoveries,
Benjamini–Hochberg at a false-discovery rate of 0.1) against each person alone at 0.9. Teams of
8 and 20, σ 1, 10 and 30 expected wins; either everyone on quota, or a quarter of the team at 50%
of quota. Printed: the share of replicates where anyone on quota is flagged (family-wise), the
false-discovery rate (the mean share of on-quota people among those flagged, 0 when none is),
and the power (the share of the people at 50% who are flagged).

A measurement, not a test: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import itertools
import math

import numpy as np

from salesflow.analytics.goal_stats import (
    CREDIBLE,
    credible,
    discoveries,
    dispersion,
    judged_shortfall,
)

TEAM = 8
SIGMAS = (0.0, 0.5, 1.0, 1.5)
EXPECTED_WINS = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
RATES = (1.0, 0.75, 0.5)


def team_spread(team: list[np.ndarray]) -> float | None:
    """D of everyone's won amounts."""
    return dispersion(sum(float(x.sum()) for x in team), sum(float((x * x).sum()) for x in team))


def judged(person: np.ndarray, target: float, spread: float | None) -> float | None:
    """The person's probability of a shortfall, as analyze judges it."""
    return judged_shortfall(target, float(person.sum()), float((person**2).sum()), spread)


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
            person = team[0]
            flags[index] += credible(judged(person, target, team_spread(team)))
            if rate == 1.0:
                sd = math.sqrt(float((person**2).sum()))
                z = (target - float(person.sum())) / sd if sd > 0 else math.inf
                normal += 0.5 * math.erfc(-z / math.sqrt(2)) >= CREDIBLE
    return [f / replicates for f in flags], normal / replicates


TEAM_SIZES = (8, 20)
TEAM_WINS = (10.0, 30.0)
SHORT_SHARES = (0.0, 0.25)


def team_probabilities(
    rng: np.random.Generator, size: int, sigma: float, wins: float, short: int
) -> list[float | None]:
    """Each person's probability of a shortfall, judged as analyze judges them; the first
    `short` people win at half their quota's rate."""
    target = wins * math.exp(sigma**2 / 2)
    rates = [0.5 if person < short else 1.0 for person in range(size)]
    team = [rng.lognormal(0.0, sigma, rng.poisson(wins * rate)) for rate in rates]
    spread = team_spread(team)
    return [judged(person, target, spread) for person in team]


def team_rates(
    rng: np.random.Generator, size: int, wins: float, short_share: float, replicates: int
) -> dict[str, tuple[float, float, float]]:
    """Per rule (alone at 0.9, together): (family-wise false flags, false-discovery rate,
    power)."""
    short = round(size * short_share)
    sums = {"alone": [0.0, 0.0, 0.0], "together": [0.0, 0.0, 0.0]}
    for _ in range(replicates):
        found = team_probabilities(rng, size, 1.0, wins, short)
        rules = {"alone": [credible(p) for p in found], "together": discoveries(found)}
        for rule, flags in rules.items():
            false = sum(flags[short:])
            sums[rule][0] += false > 0
            sums[rule][1] += false / max(sum(flags), 1)
            sums[rule][2] += sum(flags[:short]) / short if short else 0.0
    return {
        rule: (a / replicates, b / replicates, c / replicates) for rule, (a, b, c) in sums.items()
    }


def print_team(rng: np.random.Generator, replicates: int) -> None:
    print("team  wins  short  rule      anyone on quota flagged  false-discovery rate  power")
    for size, wins, share in itertools.product(TEAM_SIZES, TEAM_WINS, SHORT_SHARES):
        rates = team_rates(rng, size, wins, share, replicates)
        for rule, (anyone, fdr, power) in rates.items():
            print(
                f"{size:4d}  {wins:4g}  {share:5.2f}  {rule:8s}  {anyone:23.3f}  "
                f"{fdr:20.3f}  {power:5.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--team", action="store_true", help="whole teams judged together")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    if args.team:
        print_team(rng, args.replicates)
        return
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
