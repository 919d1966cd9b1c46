"""Calibration of `salesflow forecast --horizon`: does revenue land in the months it really does?

    python benchmarks/calibration.py phasing [--replicates 60] [--seed 1] [--jobs N] [--out FILE]

The truth is the three-stage funnel of `closed-900` (benchmarks/forecast_calibration.py: about
900 closed deals in each history, lost deals three times slower, 30% open). Each replicate draws a
history export, runs `salesflow forecast --leads-per-month 200 --horizon 6 --start <the month
after the export>` on it, and draws six fresh monthly cohorts of 200 leads from the same process,
each lead arriving uniformly in its month and followed until it is won or lost; a win's revenue
lands in the calendar month of its close. Per calendar month (the six, then `later`):

- truth: the true expected revenue of that month — the six cohorts' expected revenue spread by
  the true distribution of the time from lead to won, computed once from 2,000,000 simulated
  leads;
- forecast: the mean over replicates of the forecast's mean for that month (± its standard error);
- coverage: the share of replicates whose P10–P90 for that month holds the realised revenue.

A measurement, not a test: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

# benchmarks/ is not a package: its scripts are found through the path above.
import calibration as cal
import forecast_calibration as fc

MONTHS = 6
PER_MONTH = 200
DAYS_PER_MONTH = 30.44
TRUTH_LEADS = 2_000_000
SCENARIO = fc.SCENARIOS["closed-900"].truth
COLUMNS = MONTHS + 1  # the months, then "later"


def landing(rng: np.random.Generator, leads: int, month: int) -> tuple[np.ndarray, np.ndarray]:
    """Won amounts of `leads` arriving uniformly in `month` (0 = the first) and the calendar
    column each lands in (months after the first month's start; MONTHS and beyond = later)."""
    cohort = cal.simulate(SCENARIO, leads, DAYS_PER_MONTH, rng, export_day=math.inf)
    won = cohort.status == cal.WON
    when = month + cohort.closed[won] / DAYS_PER_MONTH
    return cohort.amount[won], np.minimum(np.floor(when).astype(np.int64), MONTHS)


def true_months() -> np.ndarray:
    """Expected revenue per column for MONTHS cohorts of PER_MONTH leads."""
    amounts, columns = landing(np.random.default_rng(cal.TRUTH_SEED), TRUTH_LEADS, 0)
    per_lead = np.bincount(columns, weights=amounts, minlength=COLUMNS) / TRUTH_LEADS
    total = np.zeros(COLUMNS)
    for month in range(MONTHS):
        shifted = np.zeros(COLUMNS)
        shifted[month:] = per_lead[: COLUMNS - month]
        shifted[-1] += per_lead[COLUMNS - month :].sum()
        total += shifted * PER_MONTH
    return total


def realised_months(rng: np.random.Generator) -> np.ndarray:
    total = np.zeros(COLUMNS)
    for month in range(MONTHS):
        amounts, columns = landing(rng, PER_MONTH, month)
        total += np.bincount(columns, weights=amounts, minlength=COLUMNS)
    return total


@dataclass(frozen=True)
class Replicate:
    means: np.ndarray | None
    inside: np.ndarray | None
    error: str | None


def next_month(moment: datetime) -> str:
    year, month = divmod(moment.month, 12)
    return f"{moment.year + year:04d}-{month + 1:02d}"


def run_replicate(
    index: int, seed: int, workdir: Path, process: Path, export_at: datetime
) -> Replicate:
    rng = cal.replicate_rng(seed, SCENARIO, index)
    history = cal.simulate(SCENARIO, SCENARIO.deals, cal.arrival_window(SCENARIO), rng)
    realised = realised_months(rng)
    deals = workdir / f"phasing-{index}.csv"
    cal.write_deals(history, SCENARIO, deals, export_at)
    arguments = [
        "forecast", "-p", str(process), "--deals", str(deals), "--leads-per-month",
        f"{PER_MONTH}", "--horizon", f"{MONTHS}", "--start", next_month(export_at), "-f", "json",
        "-q", "--sims", "20000", "--seed", f"{index}",
    ]  # fmt: skip
    done = cal.salesflow(arguments, workdir)
    deals.unlink(missing_ok=True)
    if done.returncode != 0:
        return Replicate(None, None, (done.stderr.strip().splitlines() or ["?"])[0])
    rows = {row["month"]: row for row in json.loads(done.stdout)["months"]}
    labels = [*sorted(label for label in rows if label[0].isdigit()), "later"]
    empty = {"mean": 0.0, "p10": 0.0, "p90": 0.0}
    chosen = [rows.get(label, empty) for label in labels[:COLUMNS]]
    means = np.array([row["mean"] for row in chosen])
    inside = np.array(
        [row["p10"] <= value <= row["p90"] for row, value in zip(chosen, realised, strict=True)]
    )
    return Replicate(means, inside, None)


def render(truth: np.ndarray, replicates: list[Replicate], header: str, seconds: float) -> str:
    done = [r for r in replicates if r.means is not None and r.inside is not None]
    lines = [
        "## Calibration of `salesflow forecast --horizon`",
        "",
        f"{header} Wall time {seconds:.0f} s.",
        "",
        "| month | true mean | forecast mean | forecast / truth | P10–P90 coverage |",
        "|---|---:|---:|---:|---:|",
    ]
    for column in range(COLUMNS):
        values = [r.means[column] for r in done if r.means is not None]
        hits = [bool(r.inside[column]) for r in done if r.inside is not None]
        mean = statistics.fmean(values)
        error = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
        share = sum(hits) / len(hits)
        name = "later" if column == MONTHS else f"month {column}"
        ratio = f"{mean / truth[column]:.3f}" if truth[column] > 0 else "–"
        lines.append(
            f"| {name} | {truth[column]:,.0f} | {mean:,.0f} ± {error:,.0f} | {ratio} | "
            f"{share:.2f} ± {math.sqrt(share * (1 - share) / len(hits)):.2f} |"
        )
    failures = [r.error for r in replicates if r.error]
    if failures:
        lines += ["", f"{len(failures)} run(s) failed; first: {failures[0]}"]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="calibration.py phasing", description=__doc__)
    parser.add_argument("--replicates", type=cal.positive, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=cal.positive, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, help="also write the markdown report here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    export_at = cal.DEFAULT_EXPORT
    truth = true_months()
    with tempfile.TemporaryDirectory(prefix="salesflow-phasing-calibration-") as scratch:
        workdir = Path(scratch)
        process = workdir / "process.yaml"
        process.write_text(cal.process_yaml(SCENARIO, plan=None), encoding="utf-8")
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            replicates = list(
                pool.map(
                    lambda index: run_replicate(index, args.seed, workdir, process, export_at),
                    range(args.replicates),
                )
            )
    header = cal.environment(args.seed, args.replicates, args.jobs, export_at)
    report = render(truth, replicates, header, time.perf_counter() - started)
    cal.emit(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
