"""Calibration of `salesflow analyze`: bias and interval coverage on data from a known process.

    python benchmarks/calibration.py [--replicates 200] [--seed 1] [--scenarios a,b]
        [--jobs N] [--out FILE] [--export-at "YYYY-MM-DD HH:MM:SS"]
    python benchmarks/calibration.py forecast [--replicates 100] [...]

The second form calibrates `salesflow forecast` instead (benchmarks/forecast_calibration.py, which
draws its data with the generator below); `forecast --help` lists its options. `calibration.py
phasing` checks the months of `forecast --horizon` the same way (benchmarks/phasing_calibration.py).

prints a markdown report (for docs/benchmarks.md) to stdout, and to `--out` as well when given;
progress and timings go to stderr. It is a measurement, not a test: it exits 0 whatever the
numbers are, and non-zero only when the script itself cannot run.

Scenarios (`--scenarios`, default all): `equal-clocks` (lost deals leave as fast as advancing
ones, 15% open), `slow-losses` (lost 3x slower, 30% open), `fast-losses` (lost 3x faster, 20%
open), `open-40` (lost 3x slower, 40% open), `small` (60 deals, lost 3x slower; its targets are
informative only) and `five-stages` (conversions 0.7/0.6/0.5/0.6/0.5, lost 3x slower, mainly for
the false bottleneck rate). The 3-stage funnel converts 0.6/0.5/0.4 with median days to advance
12/15/18; every scenario but `small` has 2,000 deals per replicate. On a 2-core machine a
replicate takes about 1 s of `analyze` per job: 200 replicates of all six take about 10 minutes.

The method, in plain words:

1. The truth. Each scenario is a funnel whose behaviour is known exactly: stage k converts with
   probability p_k; a deal that will advance stays a lognormal time with a known median, a deal
   that will be lost stays a lognormal time from a separate distribution (as fast, three times
   slower or three times faster). From that, the true values the command should find are computed
   once per scenario: the conversions and their products (win rate 0.12 for the 3-stage funnel),
   the median and 80th percentile of the time in stage (leaving by either exit: a mixture of the
   two distributions weighted by the conversion, solved exactly from its distribution function),
   the median time to advance and to be lost (the medians of the two distributions), the
   median in whole days (the data counts stays in rounded days, so the interval of the median is
   checked against ceil(median − 0.5), the median of the rounded times), and the
   median sales cycle of won deals (the median of the sum of the advancing times, from 2,000,000
   draws with a fixed seed, without any censoring).
2. The data. Each replicate draws a fresh CRM export from that process: deals arrive uniformly
   over a window that ends at the export, move through the stages, and every deal whose next event
   would fall after the export is open where it stands (censored). The window is chosen per
   scenario so that the intended share of deals is open at the export. The export is a wide CSV
   (deal_id, stage, created_at, closed_at, amount, one entry date-time per stage, lost_at_stage)
   next to a process file whose plan (`expected.conversion`) equals the truth.
3. The measurement. `python -m salesflow analyze -p PROCESS --deals DEALS -f json -q` runs on
   each replicate (in parallel, `--jobs`); the estimates are read from its JSON and compared with
   the truth: bias (mean of estimate − truth) for conversions, relative bias (mean of
   estimate / truth − 1) for durations and the win rate, the share of replicates whose 95%
   interval holds the truth (coverage), and the share of replicates that name a bottleneck —
   every one is false, since the process runs exactly at plan. The naive conversion
   advanced / (advanced + lost) with its Wilson interval, computed here from the counts in the
   JSON, and the naive `closed_win_rate` are measured the same way, for contrast. A null estimate
   is neither a hit nor a bias contribution; null rates are reported. ± figures are Monte Carlo
   standard errors (the standard deviation over replicates / √R; √(p(1 − p)/R) for a share).

The export moment is fixed (2026-06-30 18:00:00 unless `--export-at` says otherwise), so that a
run is reproducible; `analyze` censors at the latest date in the file, which with 1,000+ deals is
within hours of the export. Replicate r of a scenario
draws from SeedSequence(seed, spawn_key=(crc32(scenario name), r)): choosing other scenarios does
not change a scenario's data. Temporary files live in a TemporaryDirectory, never in the
repository. Only numpy and the standard library are used.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import functools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]
BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
T = TypeVar("T")
R = TypeVar("R")

Z_95 = 1.959963984540054
TRUTH_SEED = 20_261_201
TRUTH_DRAWS = 2_000_000
WINDOW_DRAWS = 100_000
SECONDS_PER_DAY = 86_400.0
AMOUNT_MEAN = 12_000.0
AMOUNT_SIGMA = 0.6
OPEN, WON, LOST = 0, 1, 2
STAGE_NAMES = ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
ANALYZE_TIMEOUT = 600.0

# Targets: conversion |bias|, minimum coverage, |median days relative bias|, |win rate relative
# bias| and the false bottleneck rate.
CONVERSION_BIAS = 0.03
COVERAGE = 0.90
MEDIAN_DAYS_BIAS = 0.10
WIN_RATE_BIAS = 0.10
FALSE_BOTTLENECK = 0.10


# --- scenarios ---------------------------------------------------------------------------------


DEFAULT_EXPORT = datetime(2026, 6, 30, 18, 0, 0)


@dataclass(frozen=True)
class Scenario:
    """A known process and the shape of its exports."""

    name: str
    summary: str
    conversions: tuple[float, ...]
    advance_days: tuple[float, ...]  # median days to advance, per stage
    loss_factor: float  # median days to be lost = loss_factor x median days to advance
    open_share: float  # intended share of deals open at the export
    deals: int
    sigma: float = 0.6  # of the log of every duration
    informative: bool = False  # targets reported, not judged
    amount_sigma: float = AMOUNT_SIGMA  # of the log of the amount (its mean is AMOUNT_MEAN)

    @property
    def stages(self) -> int:
        return len(self.conversions)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(f"s{k + 1}" for k in range(self.stages))

    @property
    def loss_days(self) -> tuple[float, ...]:
        return tuple(days * self.loss_factor for days in self.advance_days)


THREE = (0.6, 0.5, 0.4)
THREE_DAYS = (12.0, 15.0, 18.0)
FIVE = (0.7, 0.6, 0.5, 0.6, 0.5)
FIVE_DAYS = (10.0, 12.0, 15.0, 18.0, 20.0)
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("equal-clocks", "lost as fast as advanced", THREE, THREE_DAYS, 1.0, 0.15, 2000),
        Scenario("slow-losses", "lost 3x slower", THREE, THREE_DAYS, 3.0, 0.30, 2000),
        Scenario("fast-losses", "lost 3x faster", THREE, THREE_DAYS, 1 / 3, 0.20, 2000),
        Scenario("open-40", "lost 3x slower, 40% open", THREE, THREE_DAYS, 3.0, 0.40, 2000),
        Scenario(
            "small", "60 deals, lost 3x slower", THREE, THREE_DAYS, 3.0, 0.30, 60, informative=True
        ),
        Scenario("five-stages", "5 stages, lost 3x slower", FIVE, FIVE_DAYS, 3.0, 0.30, 2000),
    )
}


# --- the truth ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """What a perfect estimator would report, keyed like `Estimates.values`."""

    values: dict[str, float]

    def conversions(self, scenario: Scenario) -> list[float]:
        return [self.values[f"{sid}.conversion"] for sid in scenario.ids]


def normal_cdf(value: float) -> float:
    return 0.5 * (1.0 + math.erf(value / math.sqrt(2.0)))


def mixture_quantile(
    share_first: float, first_median: float, second_median: float, sigma: float, q: float
) -> float:
    """The q-quantile of a mixture of two lognormals with the same sigma: with probability
    `share_first` the first (median `first_median`), else the second. Bisection on log time."""
    low_median, high_median = sorted((math.log(first_median), math.log(second_median)))
    low, high = low_median - 12 * sigma, high_median + 12 * sigma

    def cdf(log_days: float) -> float:
        first = normal_cdf((log_days - math.log(first_median)) / sigma)
        second = normal_cdf((log_days - math.log(second_median)) / sigma)
        return share_first * first + (1.0 - share_first) * second

    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if cdf(middle) < q else (low, middle)
    return math.exp((low + high) / 2)


def cycle_median(scenario: Scenario, draws: int, seed: int) -> float:
    """Median of the sum of the advancing times over all stages: the sales cycle of won deals."""
    rng = np.random.default_rng(seed)
    total = np.zeros(draws)
    for median in scenario.advance_days:
        total += rng.lognormal(math.log(median), scenario.sigma, draws)
    return float(np.median(total))


def truth_of(scenario: Scenario, draws: int = TRUTH_DRAWS, seed: int = TRUTH_SEED) -> Truth:
    values: dict[str, float] = {}
    cumulative = 1.0
    for k, sid in enumerate(scenario.ids):
        p, advance, loss = scenario.conversions[k], scenario.advance_days[k], scenario.loss_days[k]
        cumulative *= p
        values[f"{sid}.conversion"] = p
        values[f"{sid}.naive_conversion"] = p
        values[f"{sid}.cumulative_conversion"] = cumulative
        median = mixture_quantile(p, advance, loss, scenario.sigma, 0.5)
        values[f"{sid}.median_days"] = median
        # stays are counted in whole days (rounded): the median of those is this whole day
        values[f"{sid}.median_whole_days"] = float(math.ceil(median - 0.5))
        values[f"{sid}.p80_days"] = mixture_quantile(p, advance, loss, scenario.sigma, 0.8)
        values[f"{sid}.median_days_to_advance"] = advance
        values[f"{sid}.median_days_to_lose"] = loss
    values["win_rate"] = cumulative
    values["closed_win_rate"] = cumulative
    values["median_cycle_days"] = cycle_median(scenario, draws, seed)
    return Truth(values)


# --- the generator -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deals:
    """One simulated export. Times are days from the start of the arrival window; NaN when
    absent. `position` is the open deal's stage, the lost deal's stage, or `stages` when won."""

    created: Floats
    entered: Floats  # (deals, stages): entry time into each stage
    closed: Floats
    status: NDArray[np.int8]
    position: NDArray[np.int64]
    amount: Floats
    export: float

    @property
    def open_share(self) -> float:
        return float(np.mean(self.status == OPEN))


def simulate(
    scenario: Scenario,
    deals: int,
    window_days: float,
    rng: np.random.Generator,
    export_day: float | None = None,
) -> Deals:
    """Deals arriving uniformly over [0, window_days], observed at `export_day` (default: the end
    of the window). Every random draw is made up front, so censoring does not change the draws."""
    export = window_days if export_day is None else export_day
    shape = (deals, scenario.stages)
    created = rng.uniform(0.0, window_days, deals)
    advances = rng.random(shape) < np.array(scenario.conversions)
    to_advance = rng.lognormal(np.log(scenario.advance_days), scenario.sigma, shape)
    to_lose = rng.lognormal(np.log(scenario.loss_days), scenario.sigma, shape)
    amount_sigma = scenario.amount_sigma
    amount = rng.lognormal(math.log(AMOUNT_MEAN) - amount_sigma**2 / 2, amount_sigma, deals)
    duration = np.where(advances, to_advance, to_lose)

    entered = np.full(shape, np.nan)
    closed = np.full(deals, np.nan)
    status = np.full(deals, OPEN, dtype=np.int8)
    position = np.zeros(deals, dtype=np.int64)
    clock = created.copy()
    active = np.ones(deals, dtype=bool)
    for k in range(scenario.stages):
        entered[active, k] = clock[active]
        leave = clock + duration[:, k]
        censored = active & (leave > export)
        lost = active & ~censored & ~advances[:, k]
        position[censored | lost] = k
        status[lost] = LOST
        closed[lost] = leave[lost]
        active &= ~censored & advances[:, k]
        clock = np.where(active, leave, clock)
    status[active] = WON
    position[active] = scenario.stages
    closed[active] = clock[active]
    return Deals(created, entered, closed, status, position, amount, export)


@functools.cache
def arrival_window(scenario: Scenario, draws: int = WINDOW_DRAWS, seed: int = TRUTH_SEED) -> float:
    """The arrival window (days) that leaves `scenario.open_share` of the deals open on average.

    A deal arriving uniformly in a window of W days that needs T days to close is open at the end
    with probability min(T, W) / W; the mean over simulated lifetimes is solved for W."""
    rng = np.random.default_rng(seed)
    finished = simulate(scenario, draws, 1.0, rng, export_day=math.inf)
    lifetimes = finished.closed - finished.created
    low, high = 1e-3, 1e7
    for _ in range(100):
        window = math.sqrt(low * high)
        share = float(np.minimum(lifetimes, window).mean() / window)
        low, high = (window, high) if share > scenario.open_share else (low, window)
    return math.sqrt(low * high)


def columns(scenario: Scenario) -> list[str]:
    dates = [f"{sid}_date" for sid in scenario.ids]
    return ["deal_id", "stage", "created_at", "closed_at", "amount", *dates, "lost_at_stage"]


def timestamps(days: Floats, export: float, export_at: datetime) -> list[str]:
    """`YYYY-MM-DD HH:MM:SS` for each time (days), counted back from the export; '' for NaN.
    Rounding down to whole seconds keeps the order of the times."""
    base = np.datetime64(export_at.replace(microsecond=0, tzinfo=None), "s")
    known = ~np.isnan(days)
    seconds = np.floor((days[known] - export) * SECONDS_PER_DAY).astype(np.int64)
    text = np.datetime_as_string(base + seconds.astype("timedelta64[s]"), unit="s")
    out = np.full(len(days), "", dtype=object)
    out[known] = [value.replace("T", " ") for value in text]
    return list(out)


def stage_labels(deals: Deals, scenario: Scenario) -> tuple[list[str], list[str]]:
    """The `stage` column (stage id, Won or Lost) and the `lost_at_stage` column."""
    ids = np.array([*scenario.ids, ""], dtype=object)
    stage = np.where(
        deals.status == WON, "Won", np.where(deals.status == LOST, "Lost", ids[deals.position])
    )
    lost_at = np.where(deals.status == LOST, ids[deals.position], "")
    return list(stage), list(lost_at)


def write_deals(deals: Deals, scenario: Scenario, path: Path, export_at: datetime) -> None:
    """The wide CSV export of `deals`, the export being taken at `export_at`."""
    stage, lost_at = stage_labels(deals, scenario)
    created = timestamps(deals.created, deals.export, export_at)
    closed = timestamps(deals.closed, deals.export, export_at)
    entered = [
        timestamps(deals.entered[:, k], deals.export, export_at) for k in range(scenario.stages)
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns(scenario))
        for i in range(len(deals.created)):
            dates = [column[i] for column in entered]
            amount = f"{deals.amount[i]:.2f}"
            writer.writerow(
                [f"D{i + 1:06d}", stage[i], created[i], closed[i], amount, *dates, lost_at[i]]
            )


@dataclass(frozen=True)
class Plan:
    """What a process file declares: `expected.conversion` per stage and `assumptions.deal_size`."""

    conversions: tuple[float, ...]
    deal_size: float


def process_yaml(scenario: Scenario, plan: Plan | Literal["truth"] | None = "truth") -> str:
    """The process file. Its plan equals the truth by default; `None` declares no plan at all
    (neither `expected.conversion` nor `assumptions.deal_size`)."""
    if plan == "truth":
        plan = Plan(scenario.conversions, AMOUNT_MEAN)
    stages = "\n".join(
        f"  - {{id: {sid}, name: Stage {STAGE_NAMES[k]}, owner: ae, exit_criteria: [done]"
        + (f", expected: {{conversion: {plan.conversions[k]:g}}}}}" if plan else "}")
        for k, sid in enumerate(scenario.ids)
    )
    assumptions = f"assumptions: {{deal_size: {plan.deal_size:.0f}}}\n" if plan else ""
    dates = ", ".join(f"{sid}: {sid}_date" for sid in scenario.ids)
    return f"""salesflow: 1
name: Calibration ({scenario.stages} stages)
currency: USD
roles:
  - {{id: ae, title: Account Executive}}
stages:
{stages}
outcomes:
  won: {{name: Won, aliases: [Won]}}
  lost: {{name: Lost, aliases: [Lost]}}
{assumptions}data:
  columns:
    {{id: deal_id, stage: stage, amount: amount, created: created_at, closed: closed_at,
      lost_stage: lost_at_stage}}
  stage_dates: {{{dates}}}
"""


# --- running analyze ---------------------------------------------------------------------------


def clean_environment() -> dict[str, str]:
    """The caller's environment without SALESFLOW_* settings, which could redirect the command."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SALESFLOW_")}
    environment["NO_COLOR"] = "1"
    return environment


def salesflow(arguments: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "salesflow", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_environment(),
        check=False,
        timeout=ANALYZE_TIMEOUT,
    )


def run_analyze(process: Path, deals: Path, cwd: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON report, or None and the reason."""
    arguments = ["analyze", "-p", str(process), "--deals", str(deals), "-f", "json", "-q"]
    try:
        done = salesflow(arguments, cwd)
    except subprocess.TimeoutExpired:
        return None, f"no answer within {ANALYZE_TIMEOUT:.0f} s"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
        return None, f"exit {done.returncode}: {lines[-1]}"
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        return None, f"output is not JSON: {error}"
    if not isinstance(report, dict):
        return None, "output is not a JSON object"
    return report, None


def prepared_process(
    scenario: Scenario,
    workdir: Path,
    window: float,
    export_at: datetime,
    plan: Plan | Literal["truth"] | None = "truth",
) -> Path:
    """The scenario's process file (with `plan`, see process_yaml), checked with `salesflow
    validate --strict` against a sample export; a file that does not validate stops the script."""
    process = workdir / f"{scenario.name}.yaml"
    process.write_text(process_yaml(scenario, plan), encoding="utf-8")
    sample = workdir / f"{scenario.name}-sample.csv"
    deals = simulate(scenario, scenario.deals, window, np.random.default_rng(TRUTH_SEED))
    write_deals(deals, scenario, sample, export_at)
    done = salesflow(["validate", "--strict", "-q", str(process), "--deals", str(sample)], workdir)
    sample.unlink()
    if done.returncode != 0:
        raise SystemExit(
            f"calibration: the generated process file of {scenario.name} does not validate:\n"
            f"{done.stdout}{done.stderr}"
        )
    return process


# --- reading the report ------------------------------------------------------------------------

Interval = tuple[float, float]


@dataclass(frozen=True)
class Estimates:
    """One replicate's estimates, keyed `s1.conversion`, ..., `win_rate`; None when null."""

    values: dict[str, float | None]
    intervals: dict[str, Interval | None]
    bottleneck: str | None  # the stage named, "?" when named without a stage; None when none


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def interval(value: Any) -> Interval | None:
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    low, high = number(value[0]), number(value[1])
    return None if low is None or high is None else (low, high)


def open_interval(value: Any) -> Interval | None:
    """An interval whose upper end may be null (not bounded yet): up to infinity."""
    if not isinstance(value, list | tuple) or len(value) != 2 or number(value[0]) is None:
        return None
    high = number(value[1])
    return float(value[0]), math.inf if high is None else high


def wilson_interval(successes: float, trials: float, z: float = Z_95) -> Interval | None:
    if trials <= 0:
        return None
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    spread = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    spread /= denominator
    return max(0.0, centre - spread), min(1.0, centre + spread)


def naive(stage: dict[str, Any]) -> tuple[float | None, Interval | None]:
    """advanced / (advanced + lost) and its Wilson interval, from the stage's counts; the JSON's
    `naive_conversion` (without an interval) when the counts are missing."""
    advanced, lost = number(stage.get("advanced")), number(stage.get("lost"))
    if advanced is None or lost is None:
        return number(stage.get("naive_conversion")), None
    trials = advanced + lost
    return (advanced / trials if trials else None), wilson_interval(advanced, trials)


STAGE_KEYS = (
    "conversion",
    "cumulative_conversion",
    "median_days",
    "p80_days",
    "median_days_to_advance",
    "median_days_to_lose",
)
OVERALL_KEYS = ("win_rate", "closed_win_rate", "median_cycle_days")


def read_report(report: dict[str, Any], scenario: Scenario) -> Estimates:
    """Tolerant of absent keys: whatever is missing is null."""
    values: dict[str, float | None] = {key: number(report.get(key)) for key in OVERALL_KEYS}
    intervals: dict[str, Interval | None] = {}
    listed = report.get("stages")
    by_id = (
        {s.get("id"): s for s in listed if isinstance(s, dict)} if isinstance(listed, list) else {}
    )
    for sid in scenario.ids:
        stage = by_id.get(sid, {})
        for key in STAGE_KEYS:
            values[f"{sid}.{key}"] = number(stage.get(key))
        intervals[f"{sid}.conversion"] = interval(stage.get("conversion_ci"))
        values[f"{sid}.median_whole_days"] = values[f"{sid}.median_days"]
        intervals[f"{sid}.median_whole_days"] = open_interval(stage.get("median_days_ci"))
        values[f"{sid}.naive_conversion"], intervals[f"{sid}.naive_conversion"] = naive(stage)
    return Estimates(values, intervals, bottleneck_stage(report.get("bottleneck")))


def bottleneck_stage(value: Any) -> str | None:
    if value is None:
        return None
    stage = value.get("stage") if isinstance(value, dict) else None
    return str(stage) if stage is not None else "?"


# --- replicates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    scenario: Scenario
    index: int
    seed: int
    window: float
    process: Path
    workdir: Path
    export_at: datetime


@dataclass(frozen=True)
class Outcome:
    open_share: float
    seconds: float  # wall time of the analyze subprocess
    estimates: Estimates | None
    error: str | None


def replicate_rng(seed: int, scenario: Scenario, index: int) -> np.random.Generator:
    key = zlib.crc32(scenario.name.encode())
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key, index)))


def run_replicate(job: Job) -> Outcome:
    rng = replicate_rng(job.seed, job.scenario, job.index)
    deals = simulate(job.scenario, job.scenario.deals, job.window, rng)
    path = job.workdir / f"{job.scenario.name}-{job.index}.csv"
    write_deals(deals, job.scenario, path, job.export_at)
    started = time.perf_counter()
    report, error = run_analyze(job.process, path, job.workdir)
    seconds = time.perf_counter() - started
    path.unlink(missing_ok=True)
    estimates = read_report(report, job.scenario) if report is not None else None
    return Outcome(deals.open_share, seconds, estimates, error)


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    truth: Truth
    window: float
    outcomes: list[Outcome]
    seconds: float  # wall time of the whole scenario

    @property
    def estimates(self) -> list[Estimates]:
        return [o.estimates for o in self.outcomes if o.estimates is not None]

    @property
    def failures(self) -> list[str]:
        return [o.error or "?" for o in self.outcomes if o.estimates is None]


def measure(
    scenario: Scenario, replicates: int, seed: int, jobs: int, workdir: Path, export_at: datetime
) -> Result:
    started = time.perf_counter()
    truth = truth_of(scenario)
    window = arrival_window(scenario)
    process = prepared_process(scenario, workdir, window, export_at)
    work = [Job(scenario, r, seed, window, process, workdir, export_at) for r in range(replicates)]
    outcomes = in_parallel(run_replicate, work, jobs, scenario.name, started)
    return Result(scenario, truth, window, outcomes, time.perf_counter() - started)


def in_parallel(
    run: Callable[[Job], R], work: Sequence[Job], jobs: int, name: str, started: float
) -> list[R]:
    """`run(job)` for every job on `jobs` threads (each mostly waits on its subprocess), in the
    order of `work`; progress on stderr, timed from `started`."""
    results: list[R | None] = [None] * len(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run, job): i for i, job in enumerate(work)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            results[futures[future]] = future.result()
            progress(name, done, len(work), started)
    return [result for result in results if result is not None]


def progress(name: str, done: int, total: int, started: float) -> None:
    if done == total or done % max(1, total // 10) == 0:
        elapsed = time.perf_counter() - started
        print(f"  {name}: {done}/{total} replicates, {elapsed:.1f} s", file=sys.stderr, flush=True)


# --- summaries ---------------------------------------------------------------------------------

Scale = Literal["abs", "rel"]


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    scale: Scale  # bias as estimate − truth, or as estimate / truth − 1
    interval: bool = False  # has a 95% interval whose coverage is measured


STAGE_METRICS = (
    Metric("conversion", "conversion", "abs", interval=True),
    Metric("naive_conversion", "naive conversion (Wilson)", "abs", interval=True),
    Metric("cumulative_conversion", "cumulative conversion", "abs"),
    Metric("median_days", "median days", "rel"),
    Metric("median_whole_days", "median days, whole-day truth (95% CI)", "rel", interval=True),
    Metric("p80_days", "P80 days", "rel"),
    Metric("median_days_to_advance", "median days to advance", "rel"),
    Metric("median_days_to_lose", "median days to lose", "rel"),
)
OVERALL_METRICS = (
    Metric("win_rate", "win rate", "rel"),
    Metric("closed_win_rate", "closed win rate (naive)", "rel"),
    Metric("median_cycle_days", "median cycle days", "rel"),
)


@dataclass(frozen=True)
class Share:
    """A share of replicates with its Monte Carlo standard error."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    @property
    def error(self) -> float:
        p = self.value
        return math.sqrt(p * (1 - p) / self.total) if p is not None else math.nan


@dataclass(frozen=True)
class Summary:
    """One metric of one stage (or overall) over the replicates."""

    stage: str  # stage id, or "all"
    metric: Metric
    truth: float
    estimates: list[float]  # the non-null ones
    nulls: int
    coverage: Share | None  # None for metrics without an interval
    interval_nulls: int = 0

    @property
    def errors(self) -> list[float]:
        """estimate − truth, or estimate / truth − 1, per replicate with an estimate."""
        if self.metric.scale == "abs":
            return [value - self.truth for value in self.estimates]
        return [value / self.truth - 1 for value in self.estimates]

    @property
    def bias(self) -> float | None:
        return statistics.fmean(self.errors) if self.errors else None

    @property
    def bias_error(self) -> float:
        if len(self.errors) < 2:
            return math.nan
        return statistics.stdev(self.errors) / math.sqrt(len(self.errors))

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.estimates) if self.estimates else None

    @property
    def null_share(self) -> float:
        total = len(self.estimates) + self.nulls
        return self.nulls / total if total else math.nan


def coverage(truth: float, intervals: Sequence[Interval | None]) -> tuple[Share, int]:
    """The share of non-null intervals that hold the truth, and the number of null ones."""
    known = [pair for pair in intervals if pair is not None]
    nulls = sum(1 for pair in intervals if pair is None)
    hits = sum(1 for low, high in known if low <= truth <= high)
    return Share(hits, len(known)), nulls


def summarise(result: Result, stage: str, metric: Metric) -> Summary:
    key = metric.key if stage == "all" else f"{stage}.{metric.key}"
    values = [e.values.get(key) for e in result.estimates]
    known = [value for value in values if value is not None]
    truth = result.truth.values[key]
    share, interval_nulls = None, 0
    if metric.interval:
        share, interval_nulls = coverage(truth, [e.intervals.get(key) for e in result.estimates])
    return Summary(stage, metric, truth, known, len(values) - len(known), share, interval_nulls)


def summaries(result: Result) -> list[Summary]:
    rows = [summarise(result, sid, m) for sid in result.scenario.ids for m in STAGE_METRICS]
    return rows + [summarise(result, "all", m) for m in OVERALL_METRICS]


def pick(rows: Sequence[Summary], key: str, stage: str | None = None) -> list[Summary]:
    return [r for r in rows if r.metric.key == key and (stage is None or r.stage == stage)]


def false_bottlenecks(result: Result) -> Share:
    named = sum(1 for e in result.estimates if e.bottleneck is not None)
    return Share(named, len(result.estimates))


def most_named(result: Result) -> str | None:
    named = [e.bottleneck for e in result.estimates if e.bottleneck is not None]
    return statistics.mode(named) if named else None


# --- targets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    target: str
    value: float | None  # None: no estimate at all
    passed: bool | None  # None: nothing to judge
    detail: str
    signed: bool = True  # a bias (+/-) or a share


def worst(rows: Sequence[Summary], measure: Callable[[Summary], float | None]) -> Summary | None:
    """The row with the largest measure (None measures ignored)."""
    known = [(value, row) for row in rows if (value := measure(row)) is not None]
    return max(known, key=lambda pair: pair[0])[1] if known else None


def abs_bias(row: Summary) -> float | None:
    return abs(row.bias) if row.bias is not None else None


def short_coverage(row: Summary) -> float | None:
    value = row.coverage.value if row.coverage is not None else None
    return 1 - value if value is not None else None


def bias_check(rows: Sequence[Summary], what: str, limit: float) -> Check:
    target = f"{what} ≤ {limit}"
    row = worst(rows, abs_bias)
    if row is None or row.bias is None:
        return Check(target, None, None, "")
    return Check(target, row.bias, abs(row.bias) <= limit, row.stage)


def coverage_check(rows: Sequence[Summary]) -> Check:
    target = f"conversion CI coverage ≥ {COVERAGE}"
    row = worst(rows, short_coverage)
    if row is None or row.coverage is None or row.coverage.value is None:
        return Check(target, None, None, "", signed=False)
    value = row.coverage.value
    return Check(target, value, value >= COVERAGE, row.stage, signed=False)


def bottleneck_check(result: Result) -> Check:
    target = f"false bottleneck rate ≤ {FALSE_BOTTLENECK}"
    rate = false_bottlenecks(result).value
    if rate is None:
        return Check(target, None, None, "", signed=False)
    detail = f"most often {most_named(result)}" if rate else ""
    return Check(target, rate, rate <= FALSE_BOTTLENECK, detail, signed=False)


def checks(result: Result) -> list[Check]:
    rows = summaries(result)
    return [
        bias_check(pick(rows, "conversion"), "conversion |bias|", CONVERSION_BIAS),
        coverage_check(pick(rows, "conversion")),
        bias_check(pick(rows, "median_days"), "median days |rel. bias|", MEDIAN_DAYS_BIAS),
        bias_check(pick(rows, "win_rate"), "win rate |rel. bias|", WIN_RATE_BIAS),
        bottleneck_check(result),
    ]


def check_line(result: Result, check: Check) -> str:
    if check.value is None:
        value = "no estimate"
    else:
        value = f"{check.value:+.3f}" if check.signed else f"{check.value:.3f}"
    detail = f" ({check.detail})" if check.detail else ""
    if check.passed is None:
        verdict = "MISSING"
    elif result.scenario.informative:
        verdict = "INFO"
        detail += " - informative, would " + ("pass" if check.passed else "fail")
    else:
        verdict = "PASS" if check.passed else "FAIL"
    return f"{verdict:<7} {result.scenario.name:<13} {check.target}: {value}{detail}"


# --- the markdown report -----------------------------------------------------------------------

DASH = "—"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def signed(value: float | None, scale: Scale, error: float = math.nan) -> str:
    if value is None:
        return DASH
    if scale == "rel":
        text = f"{value * 100:+.1f}%"
        return text if math.isnan(error) else f"{text} ± {error * 100:.1f}%"
    text = f"{value:+.4f}"
    return text if math.isnan(error) else f"{text} ± {error:.4f}"


def plain(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:.4f}" if abs(value) < 1 else f"{value:.2f}"


def share_text(share: Share | None, nulls: int = 0) -> str:
    if share is None or share.value is None:
        return DASH if share is None or not nulls else f"all {nulls} null"
    text = f"{share.value:.3f} ± {share.error:.3f}"
    return f"{text} ({nulls} null)" if nulls else text


def worst_text(rows: Sequence[Summary], measure: Callable[[Summary], float | None]) -> str:
    row = worst(rows, measure)
    if row is None:
        return DASH
    if measure is short_coverage and row.coverage is not None:
        return f"{share_text(row.coverage)} ({row.stage})"
    return f"{signed(row.bias, row.metric.scale)} ({row.stage})"


def summary_row(result: Result) -> list[str]:
    rows = summaries(result)
    opened = statistics.fmean(o.open_share for o in result.outcomes) if result.outcomes else 0.0
    failed = len(result.failures)
    win, cycle = pick(rows, "win_rate")[0], pick(rows, "median_cycle_days")[0]
    name = result.scenario.name + (" (informative)" if result.scenario.informative else "")
    return [
        name,
        f"{len(result.outcomes)}" + (f" ({failed} failed)" if failed else ""),
        f"{result.scenario.deals:,}",
        f"{opened:.1%}",
        worst_text(pick(rows, "conversion"), abs_bias),
        worst_text(pick(rows, "conversion"), short_coverage),
        worst_text(pick(rows, "median_days"), abs_bias),
        signed(win.bias, "rel", win.bias_error),
        signed(cycle.bias, "rel", cycle.bias_error),
        share_text(false_bottlenecks(result)),
    ]


SUMMARY_HEADER = (
    "scenario",
    "replicates",
    "deals",
    "open share",
    "worst conversion bias",
    "min CI coverage",
    "worst median days rel. bias",
    "win rate rel. bias",
    "cycle rel. bias",
    "false bottleneck rate",
)
DETAIL_HEADER = ("stage", "metric", "truth", "mean estimate", "bias", "CI coverage", "null")


def detail_row(row: Summary) -> list[str]:
    return [
        row.stage,
        row.metric.label,
        plain(row.truth),
        plain(row.mean),
        signed(row.bias, row.metric.scale, row.bias_error),
        share_text(row.coverage, row.interval_nulls) if row.coverage is not None else "",
        f"{row.null_share:.0%}" if not math.isnan(row.null_share) else DASH,
    ]


def detail(result: Result) -> list[str]:
    scenario = result.scenario
    opened = statistics.fmean(o.open_share for o in result.outcomes) if result.outcomes else 0.0
    seconds = statistics.fmean(o.seconds for o in result.outcomes) if result.outcomes else 0.0
    bottlenecks = false_bottlenecks(result)
    lines = [
        f"### {scenario.name}: {scenario.summary}",
        "",
        f"{scenario.deals:,} deals arriving over {result.window:.0f} days, {opened:.1%} open at the"
        f" export on average; conversions {', '.join(f'{p:g}' for p in scenario.conversions)};"
        f" median days to advance {', '.join(f'{d:g}' for d in scenario.advance_days)},"
        f" to be lost ×{scenario.loss_factor:.3g}; {len(result.outcomes)} replicates,"
        f" {len(result.estimates)} with a report; `analyze` {seconds:.2f} s per run.",
        "",
        *table(DETAIL_HEADER, (detail_row(row) for row in summaries(result))),
        "",
        f"False bottleneck named in {bottlenecks.hits} of {bottlenecks.total} replicates"
        f" ({share_text(bottlenecks)})"
        + (f", most often {most_named(result)}." if bottlenecks.hits else "."),
    ]
    failures = result.failures
    if failures:
        lines += ["", f"{len(failures)} runs failed; first: `{failures[0]}`"]
    return [*lines, ""]


def environment(seed: int, replicates: int, jobs: int, export_at: datetime) -> str:
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    where = f"commit {commit}" + (" with uncommitted changes in src/" if dirty else "")
    return (
        f"{replicates} replicates per scenario, seed {seed},"
        f" export at {export_at:%Y-%m-%d %H:%M:%S}; {where};"
        f" Python {platform.python_version()}, numpy {np.__version__},"
        f" {os.cpu_count()} cores, {jobs} jobs."
    )


def render(results: Sequence[Result], header: str, elapsed: float) -> str:
    runs = sum(len(r.outcomes) for r in results)
    per_run = statistics.fmean(o.seconds for r in results for o in r.outcomes) if runs else 0.0
    lines = [
        "## Calibration of `salesflow analyze`",
        "",
        header,
        f"Wall time {elapsed:.0f} s for {runs} runs; `analyze` {per_run:.2f} s per run.",
        "",
        *table(SUMMARY_HEADER, (summary_row(r) for r in results)),
        "",
        "Biases are mean(estimate − truth) for conversions and mean(estimate / truth − 1) for the"
        " rest; the worst stage is in brackets. ± is the Monte Carlo standard error.",
        "",
        "```text",
        *(check_line(r, c) for r in results for c in checks(r)),
        "```",
        "",
    ]
    for result in results:
        lines += detail(result)
    return "\n".join(lines)


# --- command line ------------------------------------------------------------------------------


def chosen(text: str, choices: Mapping[str, T]) -> list[T]:
    """The comma-separated names of `text`, looked up in `choices` (an argparse type)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in choices]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown scenario {', '.join(unknown) or '(none)'}; choose from {', '.join(choices)}"
        )
    return [choices[name] for name in names]


def scenario_list(text: str) -> list[Scenario]:
    return chosen(text, SCENARIOS)


def moment(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: write YYYY-MM-DD HH:MM:SS") from error


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be at least 1")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Bias and interval coverage of `salesflow analyze` on synthetic exports.",
        epilog="`calibration.py forecast --help`: the calibration of `salesflow forecast`.",
    )
    parser.add_argument("--replicates", type=positive, default=200, help="per scenario")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scenarios",
        type=scenario_list,
        default=list(SCENARIOS.values()),
        help=f"comma-separated, from: {', '.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument("--jobs", type=positive, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, help="also write the markdown report here")
    parser.add_argument(
        "--export-at",
        type=moment,
        help="the export moment, YYYY-MM-DD HH:MM:SS (default: 2026-06-30 18:00:00)",
    )
    return parser.parse_args(argv)


def forecast_main(argv: Sequence[str]) -> int:
    """`calibration.py forecast ...`: benchmarks/forecast_calibration.py, which imports this file
    as the module `calibration` (so, run as a script, it is loaded a second time)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    import forecast_calibration

    return forecast_calibration.main(argv)


def emit(report: str, out: Path | None) -> None:
    """The markdown report to stdout, and to `out` as well when given."""
    print(report)
    if out is not None:
        out.write_text(report + "\n", encoding="utf-8")


def phasing_main(argv: Sequence[str]) -> int:
    """`calibration.py phasing ...`: benchmarks/phasing_calibration.py (loaded like forecast)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    import phasing_calibration

    return phasing_calibration.main(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["forecast"]:
        return forecast_main(arguments[1:])
    if arguments[:1] == ["phasing"]:
        return phasing_main(arguments[1:])
    args = parse_args(arguments)
    export_at = args.export_at or DEFAULT_EXPORT
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="salesflow-calibration-") as scratch:
        for scenario in args.scenarios:
            result = measure(
                scenario, args.replicates, args.seed, args.jobs, Path(scratch), export_at
            )
            results.append(result)
    header = environment(args.seed, args.replicates, args.jobs, export_at)
    report = render(results, header, time.perf_counter() - started)
    emit(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
