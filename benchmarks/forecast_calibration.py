"""Calibration of `salesflow forecast`: does its P10–P90 interval hold the revenue a fresh cohort
really brings, about 80% of the time, and is its mean unbiased?

    python benchmarks/calibration.py forecast [--replicates 100] [--seed 1] [--scenarios a,b]
        [--jobs N] [--sims 20000] [--out FILE] [--export-at "YYYY-MM-DD HH:MM:SS"]

(`python benchmarks/forecast_calibration.py ...` does the same.) It prints a markdown report (for
docs/benchmarks.md) to stdout, and to `--out` as well when given; progress goes to stderr. It is a
measurement, not a test: it exits 0 whatever the numbers are, and non-zero only when the script
itself cannot run.

Scenarios (`--scenarios`, default all). Every one is the 3-stage funnel of benchmarks/calibration.py
(conversions 0.6/0.5/0.4, median days to advance 12/15/18, lost deals 3x slower, amounts lognormal
with mean 12,000 and σ 0.6), forecasting 200 new leads from a history whose size is chosen so that
the stated number of deals is closed at the export on average (deals = closed / (1 − open share)):

- `closed-30`, `closed-140`, `closed-900`: about 30, 140 and 900 closed deals, 30% open;
- `heavy-tails`: about 900 closed, amounts lognormal with σ 1.6 (the same mean, 12,000);
- `leads-1000`: about 900 closed, 1,000 new leads;
- `slow-losses-40-open`: about 900 closed, 40% open;
- `closed-30-plan`: like `closed-30`, but the process file declares a plan 20% off the truth
  (every `expected.conversion` × 0.8, `assumptions.deal_size` × 1.2), so that shrinking toward the
  plan is tested honestly: the plan is not the truth;
- `pipeline`: about 900 closed, 30% open; `forecast --leads 0 --pipeline`, whose
  `pipeline.revenue` interval is compared with what the deals open at the export really bring.

Every other scenario's process file declares no plan (no `expected.conversion`, no
`assumptions.deal_size`): the forecast learns from the data only.

The method, in plain words: each replicate draws a CRM export from the known process with
calibration.simulate (deals arriving uniformly over a window that ends at the export, open where
they stand at the export) and runs `python -m salesflow forecast -p PROCESS --deals DEALS
--leads L -f json -q --sims 20000 --seed R` on it (R the replicate's number). Then it draws what
really happens: a fresh cohort of L leads from the same process, followed until every deal is won
or lost, whose revenue is the sum of its won amounts. The replicate records whether that revenue
fell inside [P10, P90], above P90 or below P10, and the forecast mean against the true expected
revenue L × Π p × E[amount]. For `pipeline`, the history is drawn a second time from the same
random state without an export (every deal followed to its end; simulate draws everything up
front, so both are the same deals): the realised pipeline revenue is the sum of the amounts of
the deals open at the export that eventually win, and its true expectation given the export is
Σ amount × P(win | stage, days in it): a deal that has already stayed a days in stage k advances
with probability p S_adv(a) / (p S_adv(a) + (1 − p) S_lost(a)) (S the lognormal survival of each
clock), then wins with the product of the later conversions. `--leads 0` is accepted, so the
pipeline is forecast alone.

A run that exits non-zero is a failure, recorded with the first line of its stderr; coverage and
bias are over the runs that produced a forecast. ± figures are Monte Carlo standard errors
(√(p(1 − p)/R) for a share, the standard deviation over replicates / √R for a bias). Replicate r
of a scenario draws from calibration.replicate_rng(seed, scenario, r), so choosing other scenarios
does not change a scenario's data. Only numpy and the standard library are used.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

# benchmarks/ is not a package: calibration.py is found through the path above.
import calibration as cal

LEADS = 200
SIMS = 20_000
REPLICATES = 100
COVERAGE_BAND = (0.70, 0.90)
PLAN_ERROR = (0.8, 1.2)  # the plan of `closed-30-plan`: conversions × 0.8, deal size × 1.2


# --- scenarios ---------------------------------------------------------------------------------


def deals_for(closed: int, open_share: float) -> int:
    """Deals per history for `closed` of them to be closed at the export on average."""
    return round(closed / (1.0 - open_share))


def funnel(
    name: str,
    summary: str,
    closed: int,
    open_share: float = 0.30,
    amount_sigma: float = cal.AMOUNT_SIGMA,
) -> cal.Scenario:
    """The 3-stage funnel, lost deals 3x slower, with a history of about `closed` closed deals."""
    deals = deals_for(closed, open_share)
    return cal.Scenario(
        name,
        summary,
        cal.THREE,
        cal.THREE_DAYS,
        loss_factor=3.0,
        open_share=open_share,
        deals=deals,
        amount_sigma=amount_sigma,
    )


@dataclass(frozen=True)
class ForecastScenario:
    """A known process, its history, and what is forecast from it."""

    truth: cal.Scenario  # the process and the shape of the history export
    leads: int = LEADS
    plan: cal.Plan | None = None  # declared in the process file; None: learn from data only
    pipeline: bool = False  # forecast the open deals (`--leads 0 --pipeline`), not new leads

    @property
    def name(self) -> str:
        return self.truth.name

    @property
    def expected_revenue(self) -> float:
        """L × Π p × E[amount]: the true expected revenue of the new leads."""
        return self.leads * math.prod(self.truth.conversions) * cal.AMOUNT_MEAN


def off_plan(truth: cal.Scenario) -> cal.Plan:
    conversions, size = PLAN_ERROR
    return cal.Plan(tuple(p * conversions for p in truth.conversions), cal.AMOUNT_MEAN * size)


PLANNED = funnel("closed-30-plan", "30 closed, a plan 20% off", 30)
SCENARIOS: dict[str, ForecastScenario] = {
    s.name: s
    for s in (
        ForecastScenario(funnel("closed-30", "about 30 closed deals", 30)),
        ForecastScenario(funnel("closed-140", "about 140 closed deals", 140)),
        ForecastScenario(funnel("closed-900", "about 900 closed deals", 900)),
        ForecastScenario(funnel("heavy-tails", "amounts lognormal σ 1.6", 900, amount_sigma=1.6)),
        ForecastScenario(funnel("leads-1000", "1,000 new leads", 900), leads=1000),
        ForecastScenario(
            funnel("slow-losses-40-open", "lost 3x slower, 40% open", 900, open_share=0.40)
        ),
        ForecastScenario(PLANNED, plan=off_plan(PLANNED)),
        ForecastScenario(funnel("pipeline", "open deals, --pipeline", 900), leads=0, pipeline=True),
    )
}


# --- what really happens -----------------------------------------------------------------------


def cohort_revenue(truth: cal.Scenario, leads: int, rng: np.random.Generator) -> float:
    """The revenue of a fresh cohort of `leads`, every deal followed until it is won or lost."""
    cohort = cal.simulate(truth, leads, 1.0, rng, export_day=math.inf)
    return float(cohort.amount[cohort.status == cal.WON].sum())


def pipeline_revenue(history: cal.Deals, fates: cal.Deals) -> float:
    """The amounts of the deals open in `history` that `fates` (the same deals followed to their
    end) shows won."""
    won_later = (history.status == cal.OPEN) & (fates.status == cal.WON)
    return float(history.amount[won_later].sum())


def survival(days: float, median: float, sigma: float) -> float:
    """P(a lognormal stay with this median lasts more than `days`); erfc keeps the far tail."""
    return 0.5 * math.erfc((math.log(days) - math.log(median)) / (sigma * math.sqrt(2.0)))


def win_probability(truth: cal.Scenario, stage: int, days_in_stage: float) -> float:
    """P(win) of a deal that has stayed `days_in_stage` in `stage` without leaving it."""
    p = truth.conversions[stage]
    advancing = p * survival(days_in_stage, truth.advance_days[stage], truth.sigma)
    losing = (1 - p) * survival(days_in_stage, truth.loss_days[stage], truth.sigma)
    staying = advancing + losing
    advance = advancing / staying if staying > 0 else p  # 0 only thousands of medians late
    return advance * math.prod(truth.conversions[stage + 1 :])


def pipeline_expectation(history: cal.Deals, truth: cal.Scenario) -> float:
    """Σ amount × P(win | stage, days in it) over the deals open at the export."""
    total = 0.0
    for i in np.flatnonzero(history.status == cal.OPEN):
        stage = int(history.position[i])
        days = history.export - float(history.entered[i, stage])
        total += float(history.amount[i]) * win_probability(truth, stage, days)
    return total


# --- one replicate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """What the forecast said: the mean, P10 and P90 of the revenue."""

    mean: float
    p10: float
    p90: float


@dataclass(frozen=True)
class Record:
    """One replicate: the forecast (None when the run failed) and what really happened."""

    closed: int  # closed deals in the history
    truth: float  # true expected revenue (of the open deals, given the export, for `pipeline`)
    realised: float
    forecast: Interval | None
    error: str | None
    seconds: float  # the whole replicate: drawing, writing, forecasting

    @property
    def inside(self) -> bool:
        return self.forecast is not None and self.forecast.p10 <= self.realised <= self.forecast.p90

    @property
    def above(self) -> bool:
        return self.forecast is not None and self.realised > self.forecast.p90

    @property
    def below(self) -> bool:
        return self.forecast is not None and self.realised < self.forecast.p10


def forecast_arguments(
    scenario: ForecastScenario, process: Path, deals: Path, sims: int, seed: int
) -> list[str]:
    leads = ["--leads", f"{scenario.leads}", *(["--pipeline"] if scenario.pipeline else [])]
    inputs = ["-p", str(process), "--deals", str(deals), *leads]
    return ["forecast", *inputs, "-f", "json", "-q", "--sims", f"{sims}", "--seed", f"{seed}"]


def read_interval(report: Any, pipeline: bool) -> Interval | None:
    """The revenue interval of the JSON report (`pipeline.revenue` with `--pipeline`)."""
    if not isinstance(report, dict):
        return None
    part = report.get("pipeline") if pipeline else report
    revenue = part.get("revenue") if isinstance(part, dict) else None
    if not isinstance(revenue, dict):
        return None
    mean, p10, p90 = (cal.number(revenue.get(key)) for key in ("mean", "p10", "p90"))
    return None if mean is None or p10 is None or p90 is None else Interval(mean, p10, p90)


def run_forecast(
    arguments: Sequence[str], cwd: Path, pipeline: bool
) -> tuple[Interval | None, str]:
    """The forecast's interval, or None and the reason ('' with an interval)."""
    try:
        done = cal.salesflow(arguments, cwd)
    except subprocess.TimeoutExpired:
        return None, f"no answer within {cal.ANALYZE_TIMEOUT:.0f} s"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["(no message)"]
        return None, f"exit {done.returncode}: {lines[0]}"
    try:
        found = read_interval(json.loads(done.stdout), pipeline)
    except json.JSONDecodeError as error:
        return None, f"output is not JSON: {error}"
    return (found, "") if found is not None else (None, "no revenue interval in the JSON")


def outcome(
    scenario: ForecastScenario, job: cal.Job, rng: np.random.Generator
) -> tuple[cal.Deals, float, float]:
    """The history, the true expected revenue and the realised revenue of one replicate."""
    fates_rng = copy.deepcopy(rng)  # the same deals again, followed to their end
    truth = scenario.truth
    history = cal.simulate(truth, truth.deals, job.window, rng)
    if not scenario.pipeline:
        return history, scenario.expected_revenue, cohort_revenue(truth, scenario.leads, rng)
    fates = cal.simulate(truth, truth.deals, job.window, fates_rng, export_day=math.inf)
    return history, pipeline_expectation(history, truth), pipeline_revenue(history, fates)


def run_replicate(scenario: ForecastScenario, sims: int, job: cal.Job) -> Record:
    started = time.perf_counter()
    rng = cal.replicate_rng(job.seed, scenario.truth, job.index)
    history, truth, realised = outcome(scenario, job, rng)
    deals = job.workdir / f"{scenario.name}-{job.index}.csv"
    cal.write_deals(history, scenario.truth, deals, job.export_at)
    arguments = forecast_arguments(scenario, job.process, deals, sims, job.index)
    forecast, error = run_forecast(arguments, job.workdir, scenario.pipeline)
    deals.unlink(missing_ok=True)
    closed = int(np.sum(history.status != cal.OPEN))
    seconds = time.perf_counter() - started
    error = error.replace(f"{job.workdir}{os.sep}", "")  # the same message on every run
    return Record(closed, truth, realised, forecast, error or None, seconds)


@dataclass(frozen=True)
class Result:
    scenario: ForecastScenario
    records: list[Record]
    seconds: float  # wall time of the whole scenario

    @property
    def forecasts(self) -> list[Record]:
        return [r for r in self.records if r.forecast is not None]

    @property
    def failures(self) -> list[str]:
        return [r.error or "?" for r in self.records if r.forecast is None]


def measure(
    scenario: ForecastScenario,
    replicates: int,
    seed: int,
    jobs: int,
    sims: int,
    workdir: Path,
    export_at: datetime,
) -> Result:
    started = time.perf_counter()
    truth = scenario.truth
    window = cal.arrival_window(truth)
    process = cal.prepared_process(truth, workdir, window, export_at, scenario.plan)
    work = [cal.Job(truth, r, seed, window, process, workdir, export_at) for r in range(replicates)]
    run = functools.partial(run_replicate, scenario, sims)
    records = cal.in_parallel(run, work, jobs, scenario.name, started)
    return Result(scenario, records, time.perf_counter() - started)


# --- the report --------------------------------------------------------------------------------


def share(records: Sequence[Record], hit: str) -> cal.Share:
    return cal.Share(sum(1 for r in records if getattr(r, hit)), len(records))


def relative_bias(records: Sequence[Record]) -> tuple[float | None, float]:
    """mean(forecast mean / truth − 1) and its standard error."""
    errors = [r.forecast.mean / r.truth - 1 for r in records if r.forecast and r.truth > 0]
    if not errors:
        return None, math.nan
    spread = statistics.stdev(errors) / math.sqrt(len(errors)) if len(errors) > 1 else math.nan
    return statistics.fmean(errors), spread


def relative_width(records: Sequence[Record]) -> float | None:
    """The median of (P90 − P10) / truth."""
    widths = [
        (r.forecast.p90 - r.forecast.p10) / r.truth for r in records if r.forecast and r.truth
    ]
    return statistics.median(widths) if widths else None


def verdict(coverage: cal.Share) -> str:
    low, high = COVERAGE_BAND
    if coverage.value is None:
        return cal.DASH
    return "pass" if low <= coverage.value <= high else "miss"


HEADER = (
    "scenario",
    "leads",
    "closed (mean)",
    "replicates",
    "failures",
    "P10–P90 coverage",
    "above P90",
    "below P10",
    "mean rel. bias",
    "median width / truth",
    "s / replicate",
    "70–90%",
)


def row(result: Result) -> list[str]:
    scenario, records, forecasts = result.scenario, result.records, result.forecasts
    coverage = share(forecasts, "inside")
    bias, bias_error = relative_bias(forecasts)
    width = relative_width(forecasts)
    closed = statistics.fmean(r.closed for r in records) if records else math.nan
    seconds = statistics.fmean(r.seconds for r in records) if records else math.nan
    return [
        scenario.name,
        "0 + pipeline" if scenario.pipeline else f"{scenario.leads:,}",
        f"{closed:.0f}",
        f"{len(records)}",
        f"{len(result.failures)}",
        cal.share_text(coverage),
        cal.share_text(share(forecasts, "above")),
        cal.share_text(share(forecasts, "below")),
        cal.signed(bias, "rel", bias_error),
        f"{width:.2f}" if width is not None else cal.DASH,
        f"{seconds:.2f}",
        verdict(coverage),
    ]


def failure_lines(results: Sequence[Result]) -> list[str]:
    lines = []
    for result in results:
        failures = result.failures
        if failures:
            common = max(set(failures), key=failures.count)
            lines.append(
                f"- {result.scenario.name}: {len(failures)} of {len(result.records)} runs failed;"
                f" most often `{common}`"
            )
    return [*lines, ""] if lines else []


def origin() -> str:
    """Which salesflow the runs import (PYTHONPATH can point them at another source tree)."""
    done = subprocess.run(
        [sys.executable, "-c", "import salesflow; print(salesflow.__file__)"],
        capture_output=True,
        text=True,
        env=cal.clean_environment(),
        check=False,
    )
    found = Path(done.stdout.strip()).parent if done.returncode == 0 else None
    if found is None:
        return "salesflow does not import."
    where = found.relative_to(cal.ROOT) if found.is_relative_to(cal.ROOT) else found
    return f"salesflow from {where}."


def render(results: Sequence[Result], header: str, elapsed: float, sims: int) -> str:
    runs = sum(len(r.records) for r in results)
    return "\n".join(
        [
            "## Calibration of `salesflow forecast`",
            "",
            header,
            f"`--sims {sims}`. Wall time {elapsed:.0f} s for {runs} replicates.",
            "",
            *cal.table(HEADER, (row(r) for r in results)),
            "",
            "Coverage is the share of replicates whose P10–P90 holds the realised revenue (target"
            f" {COVERAGE_BAND[0]:.0%}–{COVERAGE_BAND[1]:.0%}); the bias is mean(forecast mean /"
            " true expected revenue − 1); the width is the median of (P90 − P10) / true expected"
            " revenue; s / replicate is the wall time of one replicate (drawing, writing,"
            " forecasting) on one job. ± is the Monte Carlo standard error.",
            "",
            *failure_lines(results),
        ]
    )


# --- command line ------------------------------------------------------------------------------


def scenario_list(text: str) -> list[ForecastScenario]:
    return cal.chosen(text, SCENARIOS)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="calibration.py forecast",
        description="P10–P90 coverage and bias of `salesflow forecast` against fresh cohorts"
        " drawn from a known process.",
    )
    parser.add_argument("--replicates", type=cal.positive, default=REPLICATES, help="per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scenarios",
        type=scenario_list,
        default=list(SCENARIOS.values()),
        help=f"comma-separated, from: {', '.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument("--jobs", type=cal.positive, default=os.cpu_count() or 1)
    parser.add_argument("--sims", type=cal.positive, default=SIMS, help="per forecast")
    parser.add_argument("--out", type=Path, help="also write the markdown report here")
    parser.add_argument(
        "--export-at",
        type=cal.moment,
        help="the export moment, YYYY-MM-DD HH:MM:SS (default: 2026-06-30 18:00:00)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    export_at = args.export_at or cal.DEFAULT_EXPORT
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="salesflow-forecast-calibration-") as scratch:
        results = [
            measure(s, args.replicates, args.seed, args.jobs, args.sims, Path(scratch), export_at)
            for s in args.scenarios
        ]
    header = f"{cal.environment(args.seed, args.replicates, args.jobs, export_at)} {origin()}"
    report = render(results, header, time.perf_counter() - started, args.sims)
    cal.emit(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
