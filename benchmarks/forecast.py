"""`salesflow forecast`: the simulation alone and the whole command, time and peak memory.

    python benchmarks/forecast.py [--runs 5] [--sims 100k,1m] [--leads 120,100000]
        [--no-phasing] [--seed 1]

The rates, won amounts and stage days are those of the bundled examples (examples/deals.csv and
examples/stage_history.csv, read with the real loaders), so the simulation does the same work as
`salesflow forecast` run in the repository root, where pyproject's [tool.salesflow] points at them.

For each number of simulations and of leads it reports the median over `--runs` runs of:

- `simulate`: analytics.simulation.simulate alone, in this process (after one warm-up call);
- `forecast()`: analytics.forecast.forecast, the whole analysis without loading or rendering;
- command: `python -m salesflow forecast --leads N --sims S --format json -q` as a subprocess in
  the repository root (start-up, loading the data, the analysis, the JSON), with the peak RSS of
  that child from os.wait4 (the largest over the runs).

Unless `--no-phasing`, the command is also measured with `--horizon 12 --pipeline` (monthly
phasing and the open pipeline), for 120 leads.

Targets (issue 4), on the 2-core reference machine: 100,000 simulations under 0.3 s for the
simulation itself and under 1.5 s for the whole command with data; 1,000,000 simulations in under
500 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from salesflow.analytics.forecast import Inputs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SIMULATION_TARGET = 0.3  # seconds, 100,000 simulations
COMMAND_TARGET = 1.5  # seconds, 100,000 simulations, with data
MEMORY_TARGET = 500  # MB, 1,000,000 simulations
PHASING = ("--horizon", "12", "--pipeline")


@dataclass(frozen=True)
class Row:
    sims: int
    leads: int
    flags: tuple[str, ...] = ()
    simulate: float | None = None
    forecast: float | None = None
    command: float | None = None
    peak_mb: float | None = None


def count(text: str) -> int:
    """120, 100000, 100_000, 100k or 1m."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    multiplier = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(text[:-1] if multiplier != 1 else text) * multiplier


def counts(text: str) -> list[int]:
    return [count(part) for part in text.split(",") if part.strip()]


def example_inputs() -> Inputs:
    """The forecast's inputs from the bundled examples, through the real loaders."""
    from salesflow.analytics.forecast_inputs import data_inputs
    from salesflow.loader import load_process
    from salesflow.sources.canonical import build
    from salesflow.sources.connection import connect
    from salesflow.sources.options import DataOptions

    loaded = load_process(str(EXAMPLES / "process.yaml"))
    assert loaded.process is not None
    options = DataOptions(
        deals=str(EXAMPLES / "deals.csv"), history=str(EXAMPLES / "stage_history.csv")
    )
    return data_inputs(build(connect(), loaded.process, options))


def median_time(call: Callable[[], object], runs: int) -> float:
    call()  # warm up: imports, caches, the first allocation of the arrays
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_command(arguments: Sequence[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one run of the command, in the repository root."""
    command = [sys.executable, "-m", "salesflow", "forecast", *arguments]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {child.returncode}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def command_figures(sims: int, leads: int, flags: Sequence[str], runs: int) -> tuple[float, float]:
    arguments = ["--leads", str(leads), "--sims", str(sims), "--format", "json", "-q", *flags]
    run_command(arguments)  # warm the file cache and the bytecode
    results = [run_command(arguments) for _ in range(runs)]
    return statistics.median(t for t, _ in results), max(m for _, m in results)


def measure(args: argparse.Namespace) -> list[Row]:
    from salesflow.analytics.forecast import Request, forecast
    from salesflow.analytics.simulation import simulate

    inputs = example_inputs()
    rows = []
    for sims in args.sims:
        for leads in args.leads:

            def alone(sims: int = sims, leads: int = leads) -> object:
                return simulate(inputs.rates, inputs.sizes, leads, sims, args.seed)

            def analysis(sims: int = sims, leads: int = leads) -> object:
                return forecast(inputs, Request(leads=leads, sims=sims, seed=args.seed))

            wall, peak = command_figures(sims, leads, (), args.runs)
            rows.append(
                Row(
                    sims,
                    leads,
                    simulate=median_time(alone, args.runs),
                    forecast=median_time(analysis, args.runs),
                    command=wall,
                    peak_mb=peak,
                )
            )
            print(table_line(rows[-1]), flush=True)
        if args.phasing:
            leads = min(args.leads)
            wall, peak = command_figures(sims, leads, PHASING, args.runs)
            rows.append(Row(sims, leads, PHASING, command=wall, peak_mb=peak))
            print(table_line(rows[-1]), flush=True)
    return rows


HEADER = (
    f"{'sims':>9}  {'leads':>7}  {'flags':<22}  {'simulate':>9}  {'forecast()':>10}  "
    f"{'command':>8}  {'peak RSS':>9}"
)


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f} s"


def table_line(row: Row) -> str:
    peak = "—" if row.peak_mb is None else f"{row.peak_mb:.0f} MB"
    return (
        f"{row.sims:>9,}  {row.leads:>7,}  {' '.join(row.flags):<22}  {seconds(row.simulate):>9}  "
        f"{seconds(row.forecast):>10}  {seconds(row.command):>8}  {peak:>9}"
    )


def verdicts(rows: Sequence[Row]) -> list[str]:
    lines = []
    plain = [row for row in rows if not row.flags]
    for row in plain:
        if row.sims == 100_000 and row.simulate is not None and row.command is not None:
            lines.append(
                f"100,000 sims, {row.leads:,} leads: simulation {row.simulate:.3f} s "
                f"(target < {SIMULATION_TARGET} s: {mark(row.simulate < SIMULATION_TARGET)}), "
                f"command {row.command:.3f} s "
                f"(target < {COMMAND_TARGET} s: {mark(row.command < COMMAND_TARGET)})"
            )
    for row in rows:
        if row.sims == 1_000_000 and row.peak_mb is not None:
            flags = f", {' '.join(row.flags)}" if row.flags else ""
            lines.append(
                f"1,000,000 sims, {row.leads:,} leads{flags}: peak {row.peak_mb:.0f} MB "
                f"(target < {MEMORY_TARGET} MB: {mark(row.peak_mb < MEMORY_TARGET)})"
            )
    return lines


def mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--sims", type=counts, default=[100_000, 1_000_000])
    parser.add_argument("--leads", type=counts, default=[120, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-phasing", dest="phasing", action="store_false", help="skip --horizon 12 --pipeline"
    )
    args = parser.parse_args()
    print(
        f"{platform.platform()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"numpy {np.__version__} · median of {args.runs} runs"
    )
    print(HEADER)
    rows = measure(args)
    print()
    for line in verdicts(rows):
        print(line)


if __name__ == "__main__":
    main()
