"""Calibration of the comparison behind `salesflow impact`: a stage's conversion under two
versions of the process (analytics/comparison.py), on data from a known process.

    python benchmarks/impact_calibration.py [--replicates 2000] [--seed 1] [--scenarios a,b]
        [--out FILE]

prints a markdown report (for docs/benchmarks.md) to stdout, and to `--out` as well when given;
progress goes to stderr. A measurement, not a test: it exits 0 whatever the numbers are.

The method, in plain words:

1. The truth. One stage; a deal that enters it advances with probability p (the true
   conversion) and is otherwise lost. Its time in the stage is gamma-distributed (shape 2) with
   a mean of 20 days if it advances and 60 days if it is lost: lost deals linger, as in most
   CRMs, so that counting the closed deals would overstate the conversion. The process changes on
   day 0: deals entering before it convert with the old version's p, deals entering on or after
   it with the new version's.
2. The data. Each version's deals enter uniformly over its window (the old one's ends on day 0,
   the new one's starts there); the export is taken at the end of the new window, and a deal
   still in the stage then is open (censored). So the newer version has more open deals, and
   fewer days of follow-up. Stays are counted in whole days as analytics/stage_events.py counts
   them, turned into `Stays` by its own `stays_of`, and each version's conversion is
   `survival_conversion` (Aalen–Johansen, the code `analyze` and `impact` run).
3. The measurement. `compare_conversions(before, after, effect)` on each replicate: bias of the
   change (mean of estimate − truth), coverage of its 95% interval (share of replicates whose
   interval holds the true change; also of Newcombe's interval without the allowance for
   undecided deals, for contrast), the share of each verdict, and how often P(better) is at
   least 0.975 or at most 0.025. With no true change a `better` or `worse` verdict is false
   (target: at most 5%); with a true change of the planned effect and both versions sized so
   that their expected decided deals reach `deals_needed`, the share of the right verdict is the
   power (target: about 80%). ± figures are Monte Carlo standard errors.

Scenarios (`--scenarios`, default all; the old version's deals enter over 180 days):
`no-change` (0.40 → 0.40, 600 deals each, the new ones over 180 days), `plus-10` (0.40 → 0.50,
effect 0.10, sized), `minus-15` (0.50 → 0.35, effect 0.15, sized), `thin` (0.40 → 0.50, 30 deals
after, over 90 days), `heavy-censoring` (0.40 → 0.40, the new version's 600 deals entering over
the last 45 days: most still open) and `slow-wins` (the same, but advancing takes 60 days on
average and being lost 20: the open deals are mostly future wins, the worst case for the
estimate). "Sized": each version has as many deals as make its expected number of decided deals
at the export equal `deals_needed` for the true before share.

Replicate r of a scenario draws from SeedSequence(seed, spawn_key=(crc32(name), r)): choosing other
scenarios does not change a scenario's data. Only numpy, the standard library and salesflow.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from salesflow.analytics.comparison import (
    Comparison,
    Verdict,
    compare_conversions,
    deals_needed,
    newcombe_interval,
)
from salesflow.analytics.estimates import Conversion, survival_conversion
from salesflow.analytics.stage_events import ADVANCED, LOST, OPEN, Stays, stays_of

Floats = NDArray[np.float64]
SHAPE = 2.0  # of the gamma times in the stage
ADVANCE_MEAN = 20.0  # days
LOSS_MEAN = 60.0  # days
COVERAGE = 0.93
FALSE_VERDICTS = 0.05
POWER = 0.80
POWER_SLACK = 0.05  # "about 80%": within 5 points


# --- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    before_share: float
    after_share: float
    effect: float
    before_window: float  # days before the change over which the old version's deals enter
    after_window: float  # days after it (the export is at its end)
    before_deals: int | None = None  # None: sized (see the module's docstring)
    after_deals: int | None = None
    advance_mean: float = ADVANCE_MEAN  # days in the stage of a deal that advances
    loss_mean: float = LOSS_MEAN  # of one that is lost

    @property
    def true_change(self) -> float:
        return self.after_share - self.before_share

    @property
    def sized(self) -> bool:
        return self.before_deals is None or self.after_deals is None

    def deals(self) -> tuple[int, int]:
        """Deals entering under each version: as given, or sized."""
        needed = deals_needed(self.before_share, self.effect)
        before = self.before_deals or sized_deals(
            needed, self.decided_share(self.before_share, self.before_window, self.after_window)
        )
        after = self.after_deals or sized_deals(
            needed, self.decided_share(self.after_share, self.after_window, 0.0)
        )
        return before, after

    def decided_share(self, share: float, window: float, follow_up: float) -> float:
        """The expected share of a version's deals decided at the export: deals enter uniformly
        over `window` days that end `follow_up` days before the export."""
        waited = np.linspace(follow_up, follow_up + window, 20_001)
        decided = share * gamma2_cdf(waited, self.advance_mean)
        decided += (1 - share) * gamma2_cdf(waited, self.loss_mean)
        return float(np.mean((decided[1:] + decided[:-1]) / 2))


FLAT, SIZED = (0.40, 0.40), None
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("no-change", "entering over 180 + 180 days", *FLAT, 0.10, 180, 180, 600, 600),
        Scenario("plus-10", "sized, over 180 + 180 days", 0.40, 0.50, 0.10, 180, 180, SIZED, SIZED),
        Scenario(
            "minus-15", "sized, over 180 + 180 days", 0.50, 0.35, 0.15, 180, 180, SIZED, SIZED
        ),
        Scenario("thin", "30 deals after, over 180 + 90 days", 0.40, 0.50, 0.10, 180, 90, 600, 30),
        Scenario("heavy-censoring", "over 180 + 45 days", *FLAT, 0.10, 180, 45, 600, 600),
        Scenario(
            "slow-wins",
            "over 180 + 45 days; open deals are mostly future wins",
            *FLAT,
            0.10,
            180,
            45,
            600,
            600,
            advance_mean=LOSS_MEAN,
            loss_mean=ADVANCE_MEAN,
        ),
    )
}


def gamma2_cdf(days: Floats, mean: float) -> Floats:
    scale = mean / SHAPE
    return np.asarray(1.0 - np.exp(-days / scale) * (1.0 + days / scale), dtype=np.float64)


def sized_deals(needed: int, decided_share: float) -> int:
    return math.ceil(needed / decided_share)


# --- one replicate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    comparison: Comparison | None  # None when a version had no decided deal
    unwidened: tuple[float, float] | None
    before: Conversion | None
    after: Conversion | None
    decided: tuple[int, int]
    after_open_share: float


@dataclass(frozen=True)
class Cohort:
    """One version's deals: their true conversion, how many, and when they enter (days)."""

    share: float
    deals: int
    start: float
    end: float


def simulate_stays(
    scenario: Scenario, cohort: Cohort, export: float, rng: np.random.Generator
) -> tuple[Stays, int, int]:
    """Stays of the cohort's deals, seen at `export`: the stays, the decided deals and the open
    ones."""
    entered = rng.uniform(cohort.start, cohort.end, cohort.deals)
    advances = rng.random(cohort.deals) < cohort.share
    means = np.where(advances, scenario.advance_mean, scenario.loss_mean)
    duration = rng.gamma(SHAPE, means / SHAPE)
    waited = export - entered
    open_now = duration > waited
    days = np.where(open_now, waited, duration)
    events = np.where(open_now, OPEN, np.where(advances, ADVANCED, LOST))
    return stays_from(days, events), int((~open_now).sum()), int(open_now.sum())


def stays_from(days: Floats, events: NDArray[np.int64]) -> Stays:
    """`Stays` through the code that reads them from SQL: rows (group, stage, days, event, timed,
    position, count) as stage_events.stays_sql returns them, days rounded as it rounds."""
    whole = np.maximum(np.floor(days + 0.5), 0.0)  # SQL round(): half away from zero
    keys, counts = np.unique(
        np.stack([whole, events.astype(np.float64)]), axis=1, return_counts=True
    )
    rows = [
        ("all", 0, float(t), int(e), True, None, int(n))
        for (t, e), n in zip(keys.T, counts, strict=True)
    ]
    return stays_of(rows)["all"][0]


def replicate(scenario: Scenario, sizes: tuple[int, int], rng: np.random.Generator) -> Outcome:
    export = scenario.after_window
    old = Cohort(scenario.before_share, sizes[0], -scenario.before_window, 0.0)
    new = Cohort(scenario.after_share, sizes[1], 0.0, scenario.after_window)
    before_stays, before_decided, _ = simulate_stays(scenario, old, export, rng)
    after_stays, after_decided, after_open = simulate_stays(scenario, new, export, rng)
    before, after = survival_conversion(before_stays), survival_conversion(after_stays)
    decided = (before_decided, after_decided)
    open_share = after_open / sizes[1]
    if before is None or after is None:
        return Outcome(None, None, before, after, decided, open_share)
    comparison = compare_conversions(before, after, scenario.effect)
    return Outcome(comparison, newcombe_interval(before, after), before, after, decided, open_share)


def rng_for(seed: int, scenario: Scenario, r: int) -> np.random.Generator:
    key = (zlib.crc32(scenario.name.encode()), r)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


# --- the measurement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """A share of replicates and its Monte Carlo standard error."""

    value: float
    error: float

    @classmethod
    def of(cls, hits: Sequence[bool]) -> Share:
        if not hits:
            return cls(math.nan, math.nan)
        p = sum(hits) / len(hits)
        return cls(p, math.sqrt(p * (1 - p) / len(hits)))

    def __str__(self) -> str:
        return f"{self.value:.3f} ± {self.error:.3f}"


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    sizes: tuple[int, int]
    outcomes: list[Outcome]

    @property
    def compared(self) -> list[Comparison]:
        return [o.comparison for o in self.outcomes if o.comparison is not None]

    def bias(self) -> tuple[float, float]:
        errors = [c.change - self.scenario.true_change for c in self.compared]
        spread = statistics.stdev(errors) / math.sqrt(len(errors)) if len(errors) > 1 else 0.0
        return statistics.fmean(errors), spread

    def coverage(self) -> Share:
        truth = self.scenario.true_change
        return Share.of([c.interval[0] <= truth <= c.interval[1] for c in self.compared])

    def unwidened_coverage(self) -> Share:
        truth = self.scenario.true_change
        intervals = [o.unwidened for o in self.outcomes if o.unwidened is not None]
        return Share.of([low <= truth <= high for low, high in intervals])

    def verdicts(self, *kinds: Verdict) -> Share:
        return Share.of([c.verdict in kinds for c in self.compared])

    def right_verdict(self) -> Verdict | None:
        change = self.scenario.true_change
        if abs(change) < 1e-12:
            return None
        return Verdict.BETTER if change > 0 else Verdict.WORSE

    def confident(self) -> Share:
        """How often P(better) is at least 0.975 or at most 0.025."""
        return Share.of([abs(c.probability_better - 0.5) >= 0.475 for c in self.compared])

    def mean(self, values: Sequence[float]) -> float:
        return statistics.fmean(values) if values else math.nan

    def decided(self, index: int) -> float:
        return self.mean([o.decided[index] for o in self.outcomes])

    def effective(self, which: str) -> float:
        conversions = [getattr(o, which) for o in self.outcomes]
        return self.mean([c.effective_deals for c in conversions if c is not None])

    def undecided_after(self) -> float:
        return self.mean([o.after.undecided for o in self.outcomes if o.after is not None])


def measure(scenario: Scenario, replicates: int, seed: int) -> Result:
    sizes = scenario.deals()
    outcomes = [replicate(scenario, sizes, rng_for(seed, scenario, r)) for r in range(replicates)]
    return Result(scenario, sizes, outcomes)


# --- the report --------------------------------------------------------------------------------

HEADER = (
    "| scenario | true change | deals before / after | decided before / after | effective"
    " before / after | deals needed | open after | undecided after | bias of the change"
    " | coverage | coverage unwidened | better | worse | no clear change | too early"
    " | mean P(better) | P(better) ≥ 0.975 or ≤ 0.025 |"
)


def row(result: Result) -> str:
    s = result.scenario
    bias, error = result.bias()
    needed = result.mean([c.deals_needed for c in result.compared])
    cells = [
        s.name,
        f"{s.true_change:+.2f}",
        f"{result.sizes[0]:,} / {result.sizes[1]:,}",
        f"{result.decided(0):.0f} / {result.decided(1):.0f}",
        f"{result.effective('before'):.0f} / {result.effective('after'):.0f}",
        f"{needed:.0f}",
        f"{result.mean([o.after_open_share for o in result.outcomes]):.0%}",
        f"{result.undecided_after():.3f}",
        f"{bias:+.4f} ± {error:.4f}",
        str(result.coverage()),
        str(result.unwidened_coverage()),
        *(str(result.verdicts(v)) for v in Verdict),
        f"{result.mean([c.probability_better for c in result.compared]):.3f}",
        str(result.confident()),
    ]
    return "| " + " | ".join(cells) + " |"


def checks(result: Result) -> list[str]:
    """PASS/FAIL/INFO lines against the targets."""
    name = result.scenario.name
    coverage = result.coverage().value
    lines = [verdict_line(coverage >= COVERAGE, name, f"coverage ≥ {COVERAGE}", coverage)]
    right = result.right_verdict()
    if right is None:
        false = result.verdicts(Verdict.BETTER, Verdict.WORSE).value
        lines.append(verdict_line(false <= FALSE_VERDICTS, name, "false verdicts ≤ 0.05", false))
    elif result.scenario.sized:
        power = result.verdicts(right).value
        met = abs(power - POWER) <= POWER_SLACK
        lines.append(verdict_line(met, name, f"power ({right}) ≈ {POWER}", power))
    else:
        early = result.verdicts(Verdict.TOO_EARLY).value
        lines.append(f"INFO    {name:<16} too early to tell: {early:.3f}")
    return lines


def verdict_line(met: bool, name: str, target: str, value: float) -> str:
    return f"{'PASS' if met else 'FAIL'}    {name:<16} {target}: {value:.3f}"


def legend(s: Scenario) -> str:
    return (
        f"{s.before_share:.2f} → {s.after_share:.2f}, effect {s.effect:.2f}; {s.summary};"
        f" days in the stage {s.advance_mean:.0f} to advance, {s.loss_mean:.0f} to be lost"
    )


def render(results: Sequence[Result], replicates: int, seed: int, elapsed: float) -> str:
    lines = [
        f"{replicates} replicates per scenario, seed {seed}; numpy {np.__version__};"
        f" {elapsed:.0f} s.",
        "",
        *(f"- `{r.scenario.name}`: {legend(r.scenario)}" for r in results),
        "",
        HEADER,
        "|" + "---|" * HEADER.count(" | ") + "---|",
        *(row(r) for r in results),
        "",
        "```text",
        *(line for r in results for line in checks(r)),
        "```",
    ]
    skipped = sum(len(r.outcomes) - len(r.compared) for r in results)
    if skipped:
        lines.append(f"\n{skipped} replicates had a version without any decided deal.")
    return "\n".join(lines)


# --- the command line --------------------------------------------------------------------------


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be at least 1")
    return value


def scenario_list(text: str) -> list[Scenario]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from: {', '.join(SCENARIOS)}")
    return [SCENARIOS[name] for name in names]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Bias, coverage and verdicts of the comparison behind `salesflow impact`."
    )
    parser.add_argument("--replicates", type=positive, default=2000, help="per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scenarios",
        type=scenario_list,
        default=list(SCENARIOS.values()),
        help=f"comma-separated, from: {', '.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument("--out", type=Path, help="also write the markdown report here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    results = []
    for scenario in args.scenarios:
        begun = time.perf_counter()
        results.append(measure(scenario, args.replicates, args.seed))
        print(f"{scenario.name}: {time.perf_counter() - begun:.1f} s", file=sys.stderr)
    report = render(results, args.replicates, args.seed, time.perf_counter() - started)
    print(report)
    if args.out is not None:
        args.out.write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
