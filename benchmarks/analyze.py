"""`salesflow analyze` against a straightforward pandas implementation of the same metrics.

    python benchmarks/analyze.py [--sizes 1m,1m-history,10m] [--runs 3] [--pandas-runs N]
        [--seed 7] [--dir DIR] [--keep] [--skip-pandas] [--quiet-wait 60]

In one run, for each data set: generate it (benchmarks/generate.py, current-stage CSV without the
wide per-stage date columns; `-history` sets add a stage-history CSV), then time the whole
`python -m salesflow analyze --format json -q` command and the pandas version, each as a
subprocess, `--runs` times (interleaved), and report the median wall time and the peak RSS of the
child (`os.wait4` returns the rusage of that one child). Both results are compared: counts, rates
and completed/open stays must be equal, averages and quantiles equal to 1e-6 relative; any
difference is printed as a MISMATCH and the script exits 1.

Other work on the machine slows DuckDB's two threads more than single-threaded pandas: before
each run the script waits (up to `--quiet-wait` seconds) for a quiet second, and it prints the
share of the CPU that other processes used during each run.

Data sets (`--sizes`, comma-separated): `1m` (1,000,000 deals), `1m-history` (1,200,000 deals
and their stage history, about 3.5M rows: the issue's "1M deals with a 3-4M-row history"),
`10m` (10,000,000 deals); any `<N>k` or `<N>m`, with `-history` or not, for a quick run
(`--sizes 100k,100k-history`).

The files go to `--dir` (default: a `salesflow-bench-analyze` folder in the system temp directory,
never inside the repository), next to a copy of examples/process.yaml without its
`data.stage_dates` (the generated CSVs have no wide columns). A data set already there for the same
size, seed, generator and process file is reused; the files are deleted at the end unless `--keep`.

    python benchmarks/analyze.py --pandas-only --process P --deals D [--history H]

runs the pandas implementation once and prints its metrics as JSON (the measured subprocess).

Targets (issue 3), whole command on the 2-core reference machine: 1m under 2 s, 1m-history under
4 s, 10m under 15 s, peak memory under 2.5 GB in every case, and at least 3x faster than pandas
from 1M deals up.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROCESS = ROOT / "examples" / "process.yaml"
GENERATOR = ROOT / "benchmarks" / "generate.py"
DEFAULT_DIR = Path(tempfile.gettempdir()) / "salesflow-bench-analyze"
AS_OF = date(2026, 10, 31)
MONTHS = 12
PRESETS = {"1m": (1_000_000, False), "1m-history": (1_200_000, True), "10m": (10_000_000, False)}
GB = 1024**3
MEMORY_TARGET = 2.5 * GB
SPEED_UP_TARGET = 3.0
TIME_TARGETS = {"1m": 2.0, "1m-history": 4.0, "10m": 15.0}
EXACT_REL = 1e-12  # rates are ratios of the same integers: equal up to rounding
QUANTILE_REL = 1e-6
SECONDS_PER_DAY = 86400.0
BUSY = 0.1  # warn when other processes use more than this share of the CPU


# --- data sets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DataSet:
    name: str
    deals: int
    history: bool

    @property
    def folder(self) -> str:
        return f"{self.deals}{'-history' if self.history else ''}"


@dataclass(frozen=True)
class Files:
    deals: Path
    history: Path | None
    deal_rows: int
    history_rows: int


def data_set(name: str) -> DataSet:
    if name in PRESETS:
        deals, history = PRESETS[name]
        return DataSet(name, deals, history)
    match = re.fullmatch(r"(\d+)([km])(-history)?", name)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"unknown size {name!r}: use 1m, 1m-history, 10m or <N>k / <N>m [-history]"
        )
    deals = int(match[1]) * (1000 if match[2] == "k" else 1_000_000)
    return DataSet(name, deals, match[3] is not None)


def sizes(text: str) -> list[DataSet]:
    return [data_set(name.strip()) for name in text.split(",") if name.strip()]


def fingerprint(seed: int, deals: int, history: bool, process: Path) -> str:
    """Changes whenever the files would: the generator, the process file or the arguments."""
    digest = hashlib.sha256()
    for part in (GENERATOR.read_bytes(), process.read_bytes()):
        digest.update(part)
    digest.update(f"{seed} {deals} {history} {AS_OF} {MONTHS} csv no-wide".encode())
    return digest.hexdigest()


def generated(folder: Path, dataset: DataSet, seed: int, process: Path) -> Files:
    """The data set's files, generated unless a complete set with the same fingerprint exists."""
    stamp = folder / "summary.json"
    key = fingerprint(seed, dataset.deals, dataset.history, process)
    if stamp.is_file():
        summary = json.loads(stamp.read_text())
        if summary.get("fingerprint") == key:
            print(f"  reusing {folder}")
            return files(folder, summary)
    shutil.rmtree(folder, ignore_errors=True)
    sys.path.insert(0, str(GENERATOR.parent))
    from generate import write  # the generator is a script beside this one

    from salesflow.loader import load_process

    loaded = load_process(str(process))
    assert loaded.process is not None, "the benchmark's process file is invalid"
    start = time.perf_counter()
    made = write(
        loaded.process,
        folder,
        dataset.deals,
        seed,
        AS_OF,
        MONTHS,
        fmt="csv",
        history_table=dataset.history,
        wide=False,
    )
    summary = {
        "fingerprint": key,
        "deals": made.deals,
        "won": made.won,
        "lost": made.lost,
        "open": made.open,
        "history_rows": made.history_rows,
    }
    stamp.write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"  generated {made.deals:,} deals ({made.won:,} won, {made.lost:,} lost,"
        f" {made.open:,} open), {made.history_rows:,} history rows"
        f" in {time.perf_counter() - start:.1f} s"
    )
    return files(folder, summary)


def files(folder: Path, summary: dict[str, Any]) -> Files:
    history = folder / "stage_history.csv"
    return Files(
        deals=folder / "deals.csv",
        history=history if history.is_file() else None,
        deal_rows=int(summary["deals"]),
        history_rows=int(summary["history_rows"]),
    )


def process_without_stage_dates(source: Path, target: Path) -> Path:
    """A copy of the process file without `data.stage_dates`: the CSVs have no wide columns."""
    from ruamel.yaml import YAML

    yaml = YAML()
    document = yaml.load(source.read_text(encoding="utf-8"))
    document.get("data", {}).pop("stage_dates", None)
    with target.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle)
    return target


def scratch_directory(path: Path) -> Path:
    resolved = path.resolve()
    if resolved == ROOT or ROOT in resolved.parents:
        raise SystemExit(f"--dir {path}: must be outside the repository ({ROOT})")
    resolved.mkdir(parents=True, exist_ok=True)
    return resolved


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss: int  # bytes
    stdout: str
    others: float | None  # share of the CPU other processes used meanwhile


def measure(command: list[str], cwd: Path) -> Run:
    """Wall time and peak RSS of one child process (its own rusage, from os.wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        cpu = cpu_seconds()
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        others = others_share(cpu, usage.ru_utime + usage.ru_stime)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(
                f"{' '.join(command)}\nexited with {child.returncode}:\n{err.read()[-4000:]}"
            )
        return Run(seconds, usage.ru_maxrss * 1024, out.read(), others)  # ru_maxrss: KiB


@dataclass(frozen=True)
class Timing:
    runs: list[Run]

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak_rss(self) -> int:
        return max(run.peak_rss for run in self.runs)

    @property
    def result(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.runs[-1].stdout)
        return loaded


def timed(
    commands: dict[str, tuple[list[str], int]], cwd: Path, quiet_wait: float
) -> dict[str, Timing]:
    """Each command run its number of times, interleaved (a, b, a, b, ...) so that a change in
    the machine's load affects both alike."""
    results: dict[str, list[Run]] = {label: [] for label in commands}
    for index in range(max(runs for _, runs in commands.values())):
        for label, (command, runs) in commands.items():
            if index < runs:
                wait_for_quiet(quiet_wait)
                run = measure(command, cwd)
                others = "" if run.others is None else f", other processes {run.others:.0%} CPU"
                print(
                    f"  {label:9} run {index + 1}/{runs}: {run.seconds:6.2f} s,"
                    f" {gib(run.peak_rss)}{others}"
                )
                results[label].append(run)
    timings = {label: Timing(runs) for label, runs in results.items()}
    for label, timing in timings.items():
        seconds = [run.seconds for run in timing.runs]
        print(
            f"  {label:9} median {timing.median:.2f} s ({min(seconds):.2f}-{max(seconds):.2f} s,"
            f" {len(seconds)} runs), peak {gib(timing.peak_rss)}"
        )
    return timings


def salesflow_command(process: Path, data: Files) -> list[str]:
    command = [sys.executable, "-m", "salesflow", "analyze", "--process", str(process)]
    command += ["--deals", str(data.deals)]
    if data.history is not None:
        command += ["--history", str(data.history)]
    return [*command, "--format", "json", "-q"]


def pandas_command(process: Path, data: Files) -> list[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "--pandas-only"]
    command += ["--process", str(process), "--deals", str(data.deals)]
    if data.history is not None:
        command += ["--history", str(data.history)]
    return command


STAT = Path("/proc/stat")


def cpu_seconds() -> tuple[float, float] | None:
    """CPU seconds used (busy) and elapsed (all cores) since boot, from /proc/stat (Linux)."""
    if not STAT.is_file():
        return None
    fields = [int(value) for value in STAT.read_text().split("\n", 1)[0].split()[1:9]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / tick, sum(fields) / tick


def others_share(before: tuple[float, float] | None, own_cpu: float = 0.0) -> float | None:
    """Share of the machine's CPU that other processes used since `before`: other work on the
    machine makes every timing slower and noisier (DuckDB's two threads most of all)."""
    after = cpu_seconds()
    if before is None or after is None:
        return None
    busy, elapsed = after[0] - before[0], after[1] - before[1]
    return max(0.0, busy - own_cpu) / elapsed if elapsed > 0 else None


def wait_for_quiet(limit: float) -> None:
    """Wait up to `limit` seconds for a second in which other work uses under BUSY of the CPU."""
    deadline = time.monotonic() + limit
    while True:
        before = cpu_seconds()
        time.sleep(1.0)
        share = others_share(before)
        if share is None or share < BUSY:
            return
        if time.monotonic() > deadline:
            print(f"  warning: the machine is {share:.0%} busy with other work; timings are noisy")
            return


def gib(size: float) -> str:
    return f"{size / GB:.2f} GB"


# --- the pandas implementation ----------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What the pandas version reads from the process file."""

    stage_ids: list[str]
    stage_of: dict[str, int]  # folded id, name or alias -> stage index
    outcome_of: dict[str, str]  # folded label -> "won" / "lost"
    columns: dict[str, str]
    history_columns: dict[str, str]


def read_spec(path: Path) -> Spec:
    from ruamel.yaml import YAML

    document = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    stage_of: dict[str, int] = {}
    for index, stage in enumerate(document["stages"]):
        for label in (stage["id"], stage["name"], *stage.get("aliases", [])):
            stage_of.setdefault(label.strip().lower(), index)
    outcomes = document.get("outcomes", {})
    outcome_of: dict[str, str] = {}
    for key, default in (("won", "Closed Won"), ("lost", "Closed Lost")):
        outcome = outcomes.get(key, {"name": default, "aliases": [key.title(), default]})
        for label in (key, outcome["name"], *outcome.get("aliases", [])):
            outcome_of.setdefault(label.strip().lower(), key)
    data = document.get("data", {})
    columns = {
        "id": "deal_id",
        "stage": "stage",
        "amount": "amount",
        "created": "created_at",
        "closed": "closed_at",
        "lost_stage": "lost_at_stage",
        **{k: v for k, v in data.get("columns", {}).items() if k not in ("owner", "status")},
    }
    history_columns = {
        "deal": "deal_id",
        "stage": "stage",
        "entered": "entered_at",
        **data.get("history_columns", {}),
    }
    return Spec(
        [stage["id"] for stage in document["stages"]],
        stage_of,
        outcome_of,
        columns,
        history_columns,
    )


def pandas_metrics(process: Path, deals_file: Path, history_file: Path | None) -> dict[str, Any]:
    """The metrics of `salesflow analyze`, as a data analyst would compute them with pandas."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    spec = read_spec(process)
    n = len(spec.stage_ids)
    deals = read_deals(spec, deals_file)

    # Position: won -> last stage; lost -> its lost stage, else the furthest stage with
    # evidence, else the first; open -> its stage, or a later one the history shows.
    furthest = deals["label_stage"]
    entries = None
    if history_file is not None:
        entries = first_entries(spec, history_file, deals["deal_id"], n)
        dated = entries.notna()
        furthest_dated = (dated * np.arange(n)).where(dated).max(axis=1)
        furthest = pd.concat([furthest, furthest_dated], axis=1).max(axis=1)
    lost, won = deals["status"] == "lost", deals["status"] == "won"
    deals["position"] = furthest
    deals.loc[lost, "position"] = deals["lost_stage"][lost].fillna(furthest[lost]).fillna(0)
    deals.loc[won, "position"] = n - 1

    # The first row of each deal id counts; rows without id, stage or a known label do not.
    keep = (
        deals["deal_id"].notna()
        & ~deals["unmapped"]
        & deals["position"].notna()
        & ~(deals["deal_id"].notna() & deals["deal_id"].duplicated(keep="first"))
    )
    deals = deals[keep]
    deals["position"] = deals["position"].astype(int)

    metrics = funnel(deals, spec)
    if entries is not None:
        for stage, stay in zip(metrics["stages"], stays(deals, entries[keep], n), strict=True):
            stage.update(stay)
    return metrics


def read_deals(spec: Spec, path: Path) -> Any:
    """One row per data row: deal_id, status, label_stage, lost_stage, unmapped, amount,
    created, closed."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    c = spec.columns
    header = pd.read_csv(path, nrows=0).columns
    raw = pd.read_csv(
        path,
        usecols=[name for name in c.values() if name in header],
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )

    def text(column: str) -> Any:
        values = raw[column].str.strip()
        return values.mask(values == "")

    label = text(c["stage"]).str.lower()
    deals = pd.DataFrame(
        {
            "deal_id": text(c["id"]),
            "label_stage": label.map(spec.stage_of),
            "status": label.map(spec.outcome_of).fillna("open"),
        }
    )
    deals["unmapped"] = label.notna() & deals["label_stage"].isna() & (deals["status"] == "open")
    deals["lost_stage"] = (
        text(c["lost_stage"]).str.lower().map(spec.stage_of) if c["lost_stage"] in raw else np.nan
    )
    cleaned = raw[c["amount"]].str.replace(r"[^0-9.\-]", "", regex=True)
    deals["amount"] = pd.to_numeric(cleaned, errors="coerce")
    for key in ("created", "closed"):
        deals[key] = pd.to_datetime(raw[c[key]], errors="coerce", format="ISO8601")
    return deals


def first_entries(spec: Spec, path: Path, deal_id: Any, n: int) -> Any:
    """When each deal row's deal first entered each stage: one datetime column per stage."""
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    h = spec.history_columns
    hist = pd.read_csv(
        path, usecols=list(h.values()), dtype=str, keep_default_na=False, na_values=[""]
    )
    hist["deal"] = hist[h["deal"]].str.strip()
    hist["stage_index"] = hist[h["stage"]].str.strip().str.lower().map(spec.stage_of)
    hist["entered"] = pd.to_datetime(hist[h["entered"]], errors="coerce", format="ISO8601")
    hist = hist.dropna(subset=["deal", "stage_index"])
    hist["stage_index"] = hist["stage_index"].astype(int)
    first = hist.groupby(["deal", "stage_index"])["entered"].min().unstack()
    entries = first.reindex(index=deal_id, columns=range(n))
    entries.index = deal_id.index
    return entries


def funnel(deals: Any, spec: Spec) -> dict[str, Any]:
    n = len(spec.stage_ids)
    status, position = deals["status"], deals["position"]
    won = int((status == "won").sum())
    lost_at = position[status == "lost"].value_counts().reindex(range(n), fill_value=0)
    open_at = position[status == "open"].value_counts().reindex(range(n), fill_value=0)
    # A deal reached stage k when it is won, or lost or open at k or later.
    reached = lost_at[::-1].cumsum()[::-1] + open_at[::-1].cumsum()[::-1] + won
    stages = []
    for k in range(n):
        entered, lost, open_ = int(reached[k]), int(lost_at[k]), int(open_at[k])
        advanced = entered - lost - open_
        stages.append(
            {
                "id": spec.stage_ids[k],
                "entered": entered,
                "advanced": advanced,
                "lost": lost,
                "open": open_,
                "conversion": advanced / (advanced + lost) if advanced + lost else None,
            }
        )
    won_amount = deals["amount"][(status == "won") & deals["amount"].notna()]
    closed, created = deals["closed"], deals["created"]
    cycle = (closed - created).dt.total_seconds() / SECONDS_PER_DAY
    won_cycle = cycle[(status == "won") & (closed >= created)]
    total_lost, total_open = int(lost_at.sum()), int(open_at.sum())
    return {
        "deals": {
            "total": won + total_lost + total_open,
            "won": won,
            "lost": total_lost,
            "open": total_open,
        },
        "win_rate": won / (won + total_lost) if won + total_lost else None,
        "avg_won_amount": _statistic(won_amount.mean(), len(won_amount)),
        "median_won_amount": _statistic(won_amount.median(), len(won_amount)),
        "median_cycle_days": _statistic(won_cycle.median(), len(won_cycle)),
        "stages": stages,
    }


def stays(deals: Any, entries: Any, n: int) -> list[dict[str, Any]]:
    """Days in stage k: from entering it to entering the next stage that has a date, or to the
    close for a closed deal. The stays of deals open in stage k are counted, not measured."""
    next_entry = entries.bfill(axis=1).shift(-1, axis=1)
    is_open, position = deals["status"] == "open", deals["position"]
    close = deals["closed"].where(~is_open)
    result = []
    for k in range(n):
        end = next_entry[k].fillna(close)
        days = (end - entries[k]).dt.total_seconds() / SECONDS_PER_DAY
        completed = days[days >= 0]
        quantiles = completed.quantile([0.5, 0.8])
        result.append(
            {
                "median_days": _statistic(quantiles[0.5], len(completed)),
                "p80_days": _statistic(quantiles[0.8], len(completed)),
                "completed_stays": len(completed),
                "open_stays": int((entries[k].notna() & is_open & (position == k)).sum()),
            }
        )
    return result


def _statistic(value: Any, count: int) -> float | None:
    return float(value) if count else None


# --- comparing --------------------------------------------------------------------------------

STAGE_EXACT = ("entered", "advanced", "lost", "open")
STAGE_RATES = ("conversion",)
STAGE_QUANTILES = ("median_days", "p80_days")
STAGE_STAYS = ("completed_stays", "open_stays")
TOP_QUANTILES = ("avg_won_amount", "median_won_amount", "median_cycle_days")


def mismatches(salesflow: dict[str, Any], pandas: dict[str, Any], history: bool) -> list[str]:
    found = []
    for key in ("total", "won", "lost", "open"):
        found += _differs(f"deals.{key}", salesflow["deals"][key], pandas["deals"][key], 0.0)
    found += _differs("win_rate", salesflow["win_rate"], pandas["win_rate"], EXACT_REL)
    for key in TOP_QUANTILES:
        found += _differs(key, salesflow[key], pandas[key], QUANTILE_REL)
    for ours, theirs in zip(salesflow["stages"], pandas["stages"], strict=True):
        name = ours["id"]
        fields = [(key, 0.0) for key in STAGE_EXACT] + [(key, EXACT_REL) for key in STAGE_RATES]
        if history:
            fields += [(key, 0.0) for key in STAGE_STAYS]
            fields += [(key, QUANTILE_REL) for key in STAGE_QUANTILES]
        for key, tolerance in fields:
            found += _differs(f"{name}.{key}", ours[key], theirs[key], tolerance)
    return found


def _differs(name: str, ours: Any, theirs: Any, tolerance: float) -> list[str]:
    if ours is None or theirs is None:
        same = ours is None and theirs is None
    else:
        same = math.isclose(float(ours), float(theirs), rel_tol=tolerance, abs_tol=0.0)
    return [] if same else [f"{name}: salesflow {ours!r}, pandas {theirs!r}"]


# --- the whole run ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    dataset: DataSet
    data: Files
    salesflow: Timing
    pandas: Timing | None
    problems: list[str]


def benchmark(dataset: DataSet, args: argparse.Namespace, scratch: Path, process: Path) -> Outcome:
    print(f"{dataset.name}:")
    folder = scratch / f"s{args.seed}-{dataset.folder}"
    data = generated(folder, dataset, args.seed, PROCESS)
    commands = {"salesflow": (salesflow_command(process, data), args.runs)}
    if not args.skip_pandas:
        runs = args.pandas_runs if args.pandas_runs is not None else args.runs
        commands["pandas"] = (pandas_command(process, data), runs)
    timings = timed(commands, scratch, args.quiet_wait)
    ours, theirs = timings["salesflow"], timings.get("pandas")
    if theirs is None:
        return Outcome(dataset, data, ours, None, [])
    problems = mismatches(ours.result, theirs.result, data.history is not None)
    if problems:
        print(f"  !!! MISMATCH between salesflow and pandas on {dataset.name}:")
        for problem in problems:
            print(f"  !!!   {problem}")
    else:
        print("  salesflow and pandas agree")
    return Outcome(dataset, data, ours, theirs, problems)


def table(outcomes: list[Outcome]) -> list[str]:
    header = (
        "data set",
        "rows",
        "salesflow",
        "salesflow RSS",
        "pandas",
        "pandas RSS",
        "speed-up",
    )
    rows = [header]
    for o in outcomes:
        size = f"{o.data.deal_rows:,}"
        if o.data.history is not None:
            size += f" + {o.data.history_rows:,}"
        pandas_cells = ("-", "-", "-")
        if o.pandas is not None:
            ratio = o.pandas.median / o.salesflow.median
            pandas_cells = (f"{o.pandas.median:.2f} s", gib(o.pandas.peak_rss), f"{ratio:.1f}x")
        rows.append(
            (
                o.dataset.name,
                size,
                f"{o.salesflow.median:.2f} s",
                gib(o.salesflow.peak_rss),
                pandas_cells[0],
                pandas_cells[1],
                pandas_cells[2],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def verdicts(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        checks = []
        limit = TIME_TARGETS.get(o.dataset.name)
        if limit is not None:
            checks.append(_verdict(f"time < {limit:g} s", o.salesflow.median < limit))
        checks.append(_verdict("RSS < 2.5 GB", o.salesflow.peak_rss < MEMORY_TARGET))
        if o.pandas is not None and o.dataset.deals >= 1_000_000:
            ratio = o.pandas.median / o.salesflow.median
            checks.append(_verdict(f"speed-up >= {SPEED_UP_TARGET:g}x", ratio >= SPEED_UP_TARGET))
        if o.pandas is not None:
            checks.append("results MISMATCH" if o.problems else "results agree")
        lines.append(f"{o.dataset.name}: {', '.join(checks)}")
    return lines


def _verdict(what: str, met: bool) -> str:
    return f"{what} {'met' if met else 'MISSED'}"


def machine() -> str:
    import duckdb

    try:
        import pandas as pd  # type: ignore[import-untyped, unused-ignore]

        pandas = f"pandas {pd.__version__}"
    except ImportError:
        pandas = "no pandas"
    try:
        import pyarrow  # type: ignore[import-not-found, unused-ignore]

        arrow = f"pyarrow {pyarrow.__version__}"
    except ImportError:
        arrow = "no pyarrow"
    return (
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, duckdb {duckdb.__version__},"
        f" {pandas} ({arrow})"
    )


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes", type=sizes, default="1m,1m-history,10m", help="data sets, comma-separated"
    )
    parser.add_argument("--runs", type=positive, default=3, help="timed runs of each command")
    parser.add_argument(
        "--pandas-runs", type=positive, help="timed runs of pandas [default: --runs]"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="scratch directory")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="seconds to wait before each run for other work on the machine to stop [60]",
    )
    parser.add_argument("--skip-pandas", action="store_true", help="time salesflow only")
    parser.add_argument("--pandas-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--process", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--deals", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--history", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    if args.pandas_only:
        if args.process is None or args.deals is None:
            raise SystemExit("--pandas-only needs --process and --deals")
        print(json.dumps(pandas_metrics(args.process, args.deals, args.history)))
        return 0
    scratch = scratch_directory(args.dir)
    process = process_without_stage_dates(PROCESS, scratch / "process.yaml")
    print(f"{machine()}; data in {scratch}")
    try:
        outcomes = [benchmark(dataset, args, scratch, process) for dataset in args.sizes]
    finally:
        if not args.keep:
            for dataset in args.sizes:
                shutil.rmtree(scratch / f"s{args.seed}-{dataset.folder}", ignore_errors=True)
            process.unlink(missing_ok=True)
            if not any(scratch.iterdir()):
                scratch.rmdir()
    print()
    print("\n".join(table(outcomes)))
    print()
    print("\n".join(verdicts(outcomes)))
    return 1 if any(o.problems for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
