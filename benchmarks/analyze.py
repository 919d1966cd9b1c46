"""`salesflow analyze` against two pandas scripts: one that only counts deals per stage, and an
independent implementation of the same metrics, which also checks salesflow's figures.

    python benchmarks/analyze.py [--sizes 1m,1m-history,10m] [--runs 3] [--pandas-runs N]
        [--seed 7] [--dir DIR] [--keep] [--skip-pandas] [--quiet-wait 60]

In one run, for each data set: generate it (benchmarks/generate.py, current-stage CSV without the
wide per-stage date columns; `-history` sets add a stage-history CSV), then time, each as a
subprocess and `--runs` times (interleaved), the whole `python -m salesflow analyze --format json
-q` command, the counts-only pandas script and the full pandas implementation, and report the
median wall time and the child's own peak RSS (VmHWM in /proc/PID/status, polled: `os.wait4`'s
ru_maxrss would also count this script's memory, which the child inherits until it execs).

- **counts-only** (issue 9's baseline): `read_csv` of the stage column, labels mapped to stages
  and outcomes, `value_counts`. Its won and lost counts must equal salesflow's.
- **pandas**: the figures of docs/analyze.md written again from the spec (no salesflow import):
  counts per stage; each stage's stays (entry date to exit, or to the export date) as per-day
  event counts from a pandas group-by, and in numpy the Aalen–Johansen conversion, the
  Kaplan–Meier median and P80 days, the median days to advance and to be lost, the win rate as
  the product of the conversions and the sales cycle from the cumulative incidence of won. On
  current-stage data (no stage dates) the conversions are counts and only the cycle is a survival
  estimate. Counts, methods and the export date must be equal, the estimates equal to 1e-9
  relative (the same arithmetic on the same integers); the conversion interval, effective deals
  and the bottleneck are not recomputed. Any difference is printed as a MISMATCH and the script
  exits 1.

Other work on the machine slows DuckDB's two threads more than single-threaded pandas: before
each run the script waits (up to `--quiet-wait` seconds) for a quiet second, and it prints the
share of the CPU that other processes used during each run.

Data sets (`--sizes`, comma-separated): `1m` (1,000,000 deals), `1m-history` (1,200,000 deals
and their stage history, about 3.5M rows: issue 3's "1M deals with a 3-4M-row history"),
`10m` (10,000,000 deals); any `<N>k` or `<N>m`, with `-history` or not, for a quick run
(`--sizes 100k,100k-history`).

The files go to `--dir` (default: a `salesflow-bench-analyze` folder in the system temp directory,
never inside the repository), next to a copy of examples/process.yaml without its
`data.stage_dates` (the generated CSVs have no wide columns). A data set already there for the same
size, seed, generator and process file is reused; the files are deleted at the end unless `--keep`.

    python benchmarks/analyze.py --pandas-only --process P --deals D [--history H]
    python benchmarks/analyze.py --counts-only --process P --deals D

run one pandas script once and print its result as JSON (the measured subprocesses).

Targets, whole command on the 2-core reference machine. Issue 9: 1M deals under 2 s and at least
1.5x faster than the counts-only pandas script; 10M deals under 15 s and 2.5 GB. Kept from issue
3: 1M deals with the history under 4 s, peak memory under 2.5 GB in every case.
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
COUNTS_SPEED_UP_TARGETS = {"1m": 1.5}  # issue 9: against the counts-only pandas script
TIME_TARGETS = {"1m": (2.0, "issue 9"), "1m-history": (4.0, "issue 3"), "10m": (15.0, "issue 9")}
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
    """Wall time and peak RSS of one child process.

    The peak is the child's own high-water mark, VmHWM in /proc/PID/status, read every
    POLL seconds until it exits (growth in its last few milliseconds would be missed). The
    ru_maxrss that os.wait4 returns is no use here: the child starts as a copy of this process
    until it execs, and that copy's memory (this script's, with a data set just generated)
    counts as the child's peak. Without /proc, ru_maxrss it is."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        cpu = cpu_seconds()
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        peak = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, high_water(child.pid))
            time.sleep(POLL)
        seconds = time.perf_counter() - start
        others = others_share(cpu, usage.ru_utime + usage.ru_stime)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(
                f"{' '.join(command)}\nexited with {child.returncode}:\n{err.read()[-4000:]}"
            )
        return Run(seconds, peak or usage.ru_maxrss * 1024, out.read(), others)  # KiB


POLL = 0.005


def high_water(pid: int) -> int:
    """The peak resident memory of a running process, in bytes (0 when unknown)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match[1]) * 1024 if match else 0


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


def pandas_command(process: Path, data: Files, mode: str) -> list[str]:
    """This script as `--pandas-only` (the full metrics) or `--counts-only` (the baseline, which
    reads the deals only)."""
    command = [sys.executable, str(Path(__file__).resolve()), mode]
    command += ["--process", str(process), "--deals", str(data.deals)]
    if data.history is not None and mode == "--pandas-only":
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


# --- the pandas implementations ---------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What the pandas versions read from the process file."""

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


def pandas_counts(process: Path, deals_file: Path) -> dict[str, Any]:
    """The baseline of issue 9: a pandas script that only counts the deals per stage (and
    outcome) from the same CSV: read the stage column, map the labels, value_counts."""
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    spec = read_spec(process)
    column = spec.columns["stage"]
    labels = pd.read_csv(deals_file, usecols=[column], dtype=str)[column]
    names = {label: spec.stage_ids[k] for label, k in spec.stage_of.items()} | spec.outcome_of
    counts = labels.str.strip().str.lower().map(names).value_counts()
    return {"rows": len(labels), "counts": {str(key): int(n) for key, n in counts.items()}}


# Events of a stay, and the slack with which a curve "reaches" a level (a product of floats can
# miss an exact half by rounding).
ADVANCED, LOST, OPEN = 1, 2, 0
SLACK = 1e-12


def pandas_metrics(process: Path, deals_file: Path, history_file: Path | None) -> dict[str, Any]:
    """The metrics of `salesflow analyze` written from docs/analyze.md with pandas and numpy:
    counts with pandas, each stage's stays as per-day event counts from a pandas group-by, the
    product-limit arithmetic on those counts in numpy."""
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

    # The first row of each deal id counts (the export date is read from those rows); rows
    # without id, with a label that matches nothing or without a position are left out.
    first = ~(deals["deal_id"].notna() & deals["deal_id"].duplicated(keep="first"))
    as_of = export_date(deals[first], None if entries is None else entries[first])
    keep = first & deals["deal_id"].notna() & ~deals["unmapped"] & deals["position"].notna()
    deals = deals[keep].copy()
    deals["position"] = deals["position"].astype(int)
    seconds = {key: _seconds(deals[key]) for key in ("created", "closed")}
    stage_seconds = None
    if entries is not None:
        entries = entries[keep]
        seconds["created"] = np.where(
            np.isnan(seconds["created"]), _seconds(entries.min(axis=1)), seconds["created"]
        )
        stage_seconds = np.column_stack([_seconds(entries[k]) for k in range(n)])
    return figures(deals, seconds, stage_seconds, as_of, spec)


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


def export_date(deals: Any, entries: Any) -> Any:
    """The latest date in the data: created, an entry date, or a close of a closed deal (an
    open deal's close may be a planned one). None when the data has no dates."""
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    closed = deals["closed"].where(deals["status"] != "open")
    latest = [deals["created"].max(), closed.max()]
    if entries is not None:
        latest.append(entries.max().max())
    known = [value for value in latest if pd.notna(value)]
    return max(known) if known else None


def _seconds(values: Any) -> Any:
    """Datetimes as float seconds since 1970, NaN when missing."""
    import numpy as np

    stamps = values.to_numpy(dtype="datetime64[ns]")
    result = stamps.astype(np.int64) / 1e9
    result[np.isnat(stamps)] = np.nan
    return result


def figures(
    deals: Any, seconds: dict[str, Any], entries: Any, as_of: Any, spec: Spec
) -> dict[str, Any]:
    """Counts, survival estimates and amounts, keyed as in `salesflow analyze -f json`.
    `seconds` holds `created` (the first-seen date) and `closed`; `entries` is a deals x stages
    array of entry dates, or None without stage dates."""
    import numpy as np

    n = len(spec.stage_ids)
    status, position = deals["status"].to_numpy(), deals["position"].to_numpy()
    is_won, is_lost, is_open = status == "won", status == "lost", status == "open"
    won = int(is_won.sum())
    lost_at = np.bincount(position[is_lost], minlength=n)
    open_at = np.bincount(position[is_open], minlength=n)
    end = None if as_of is None else as_of.value / 1e9

    stages: list[dict[str, Any]] = []
    for k in range(n):
        entered = won + int(lost_at[k:].sum() + open_at[k:].sum())
        lost, open_ = int(lost_at[k]), int(open_at[k])
        advanced = entered - lost - open_
        naive = advanced / (advanced + lost) if advanced + lost else None
        stage: dict[str, Any] = {
            "id": spec.stage_ids[k],
            "entered": entered,
            "advanced": advanced,
            "lost": lost,
            "open": open_,
            "naive_conversion": naive,
        }
        if entries is not None and end is not None:
            everyone, timed = stage_tables(k, status, position, seconds, entries, end)
            stage |= survival_conversion(everyone) | stay_lengths(timed)
        else:
            stage |= {"conversion": naive, "conversion_method": "counts", "undecided": 0.0}
            stage |= stay_lengths(None)
        stages.append(stage)

    shares = [stage["conversion"] for stage in stages]
    for k, stage in enumerate(stages):
        stage["cumulative_conversion"] = _product(shares[: k + 1])
        stage["win_probability"] = _product(shares[k:])
    win_rate = _product(shares)
    cycle = None
    if end is not None:
        cycle = sales_cycle(status, seconds, end)
    amount = deals["amount"][is_won & deals["amount"].notna().to_numpy()]
    average = float(amount.mean()) if len(amount) else None
    total_lost, total_open = int(lost_at.sum()), int(open_at.sum())
    velocity = None
    if win_rate is not None and average is not None and cycle:
        velocity = total_open * win_rate * average / cycle
    return {
        "as_of": None if as_of is None else as_of.date().isoformat(),
        "deals": {
            "total": won + total_lost + total_open,
            "won": won,
            "lost": total_lost,
            "open": total_open,
        },
        "win_rate": win_rate,
        "closed_win_rate": won / (won + total_lost) if won + total_lost else None,
        "avg_won_amount": average,
        "median_won_amount": float(amount.median()) if len(amount) else None,
        "median_cycle_days": cycle,
        "velocity_per_day": velocity,
        "stages": stages,
    }


def stage_tables(
    k: int, status: Any, position: Any, seconds: dict[str, Any], entries: Any, end: float
) -> tuple[Any, Any]:
    """The stays in stage k: every stay (for the conversion) and the timed ones (for the days).

    A deal that reached k stays from its entry into k until its entry into the next later stage
    that has a date (or, with none, its close if won): advanced; until its close: lost there;
    until the export date: still open there. An open deal with no entry date for k waits since
    its latest earlier entry, else its first-seen date. A stay whose length is unknown or
    negative is decided on day 0 and not timed; a stay is timed when its entry date is known."""
    import numpy as np

    reached = position >= k  # won deals sit at the last stage
    advanced = (status == "won") | (position > k)
    lost = ~advanced & (status == "lost")
    still = ~advanced & ~lost
    closed = seconds["closed"]
    later = entries[:, k + 1 :]
    next_entry = np.full(len(status), np.nan)
    for j in reversed(range(later.shape[1])):  # the first later stage with a date wins
        next_entry = np.where(np.isnan(later[:, j]), next_entry, later[:, j])
    won_close = np.where(status == "won", closed, np.nan)
    exit_at = np.where(
        advanced,
        np.where(np.isnan(next_entry), won_close, next_entry),
        np.where(lost, closed, end),
    )
    entry = entries[:, k]
    waiting = seconds["created"]
    if k:
        with np.errstate(all="ignore"):  # all-NaN rows give NaN, as wanted
            earlier = np.fmax.reduce(entries[:, :k], axis=1)
        waiting = np.where(np.isnan(earlier), waiting, earlier)
    start = np.where(np.isnan(entry), np.where(still, waiting, np.nan), entry)
    event = np.select([advanced, lost], [ADVANCED, LOST], OPEN)
    return event_tables((exit_at - start)[reached], event[reached], ~np.isnan(entry[reached]))


def sales_cycle(status: Any, seconds: dict[str, Any], end: float) -> float | None:
    """Median days from first seen to won among the deals that will be won: when the
    cumulative incidence of winning (lost competing, open censored at the export date), over
    the timed stays, reaches half of its final value."""
    import numpy as np

    exit_at = np.where(status == "open", end, seconds["closed"])
    event = np.select([status == "won", status == "lost"], [ADVANCED, LOST], OPEN)
    _, timed = event_tables(exit_at - seconds["created"], event, np.ones(len(status), bool))
    if timed is None:
        return None
    times, _, advance, _ = aalen_johansen(timed)
    return incidence_median(times, advance)


def event_tables(length: Any, event: Any, known_start: Any) -> tuple[Any, Any]:
    """Per whole day (rounded; unknown or negative lengths at day 0): the stays that advanced,
    were lost or are still open, over every stay and over the timed ones (None if none)."""
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped, unused-ignore]

    days = length / SECONDS_PER_DAY
    with np.errstate(invalid="ignore"):
        measured = days >= 0
    frame = pd.DataFrame(
        {
            "timed": known_start & measured,
            "t": np.where(measured, np.floor(days + 0.5), 0.0),  # half away from zero
            "event": event,
        }
    )
    counts = (
        frame.groupby(["timed", "t", "event"])
        .size()
        .unstack("event", fill_value=0)
        .reindex(columns=[ADVANCED, LOST, OPEN], fill_value=0)
    )
    everyone = counts.groupby(level="t").sum()
    timed = counts.xs(True, level="timed") if True in counts.index.get_level_values(0) else None
    return everyone, timed


def aalen_johansen(table: Any) -> tuple[Any, Any, Any, Any]:
    """At each day of the table: the share of stays still going (Kaplan–Meier of either exit)
    and the cumulative incidence of advancing and of being lost (Aalen–Johansen). At a day with
    both, exits come before censoring."""
    import numpy as np

    times = table.index.to_numpy(dtype=np.float64)
    advance = table[ADVANCED].to_numpy(dtype=np.float64)
    lose = table[LOST].to_numpy(dtype=np.float64)
    leaving = advance + lose + table[OPEN].to_numpy(dtype=np.float64)
    at_risk = leaving.sum() - np.cumsum(leaving) + leaving  # still there just before the day
    safe = np.where(at_risk > 0, at_risk, 1.0)
    still = np.cumprod(1.0 - (advance + lose) / safe)
    before = np.concatenate(([1.0], still[:-1]))
    return times, still, np.cumsum(before * advance / safe), np.cumsum(before * lose / safe)


def survival_conversion(table: Any) -> dict[str, Any]:
    """The cumulative incidence of advancing over every stay; the plain share when nothing
    is open."""
    advanced, lost = int(table[ADVANCED].sum()), int(table[LOST].sum())
    share: float | None = None
    undecided = 0.0
    if advanced + lost and not table[OPEN].any():
        share = advanced / (advanced + lost)
    elif advanced + lost:
        _, still, advance, _ = aalen_johansen(table)
        share = min(max(float(advance[-1]), 0.0), 1.0)
        undecided = max(float(still[-1]), 0.0)
    return {"conversion": share, "conversion_method": "survival", "undecided": undecided}


def stay_lengths(timed: Any) -> dict[str, Any]:
    """Median and P80 days in the stage (Kaplan–Meier, open stays censored), median days to
    advance and to be lost (half of each final cumulative incidence), over the timed stays."""
    result: dict[str, Any] = {
        "median_days": None,
        "p80_days": None,
        "median_days_to_advance": None,
        "median_days_to_lose": None,
        "completed_stays": 0,
        "open_stays": 0,
    }
    if timed is None or not len(timed):
        return result
    times, still, advance, lose = aalen_johansen(timed)
    return {
        "median_days": _first_time(times, still <= 0.5 + SLACK),
        "p80_days": _first_time(times, still <= 0.2 + SLACK),
        "median_days_to_advance": incidence_median(times, advance),
        "median_days_to_lose": incidence_median(times, lose),
        "completed_stays": int(timed[ADVANCED].sum() + timed[LOST].sum()),
        "open_stays": int(timed[OPEN].sum()),
    }


def incidence_median(times: Any, incidence: Any) -> float | None:
    final = float(incidence[-1]) if len(incidence) else 0.0
    return _first_time(times, incidence >= final / 2 - SLACK) if final > 0 else None


def _first_time(times: Any, reached: Any) -> float | None:
    import numpy as np

    hits = np.flatnonzero(reached)
    return float(times[hits[0]]) if len(hits) else None


def _product(values: list[float | None]) -> float | None:
    result = 1.0
    for value in values:
        if value is None:
            return None
        result *= value
    return result


# --- comparing --------------------------------------------------------------------------------

FIGURE_REL = 1e-9  # the same arithmetic on the same integers: equal up to rounding
ZERO_ABS = 1e-15  # ... and a figure at zero on one side may be a rounding error on the other
TOP_FIGURES = (
    "win_rate",
    "closed_win_rate",
    "avg_won_amount",
    "median_won_amount",
    "median_cycle_days",
    "velocity_per_day",
)
STAGE_EXACT = (
    "entered",
    "advanced",
    "lost",
    "open",
    "completed_stays",
    "open_stays",
    "conversion_method",
)
STAGE_FIGURES = (
    "conversion",
    "naive_conversion",
    "undecided",
    "cumulative_conversion",
    "win_probability",
    "median_days",
    "p80_days",
    "median_days_to_advance",
    "median_days_to_lose",
)


def mismatches(salesflow: dict[str, Any], pandas: dict[str, Any]) -> list[str]:
    """Every difference between salesflow's JSON and the pandas figures: counts, methods and the
    export date exactly, the estimates to FIGURE_REL (the conversion interval, effective deals
    and the bottleneck are not recomputed)."""
    found = _differs("as_of", salesflow["as_of"], pandas["as_of"], None)
    for key in ("total", "won", "lost", "open"):
        found += _differs(f"deals.{key}", salesflow["deals"][key], pandas["deals"][key], None)
    for key in TOP_FIGURES:
        found += _differs(key, salesflow[key], pandas[key], FIGURE_REL)
    if len(salesflow["stages"]) != len(pandas["stages"]):
        return [
            *found,
            f"stages: salesflow {len(salesflow['stages'])}, pandas {len(pandas['stages'])}",
        ]
    for ours, theirs in zip(salesflow["stages"], pandas["stages"], strict=True):
        name = ours["id"]
        for key in STAGE_EXACT:
            found += _differs(f"{name}.{key}", ours[key], theirs[key], None)
        for key in STAGE_FIGURES:
            found += _differs(f"{name}.{key}", ours[key], theirs[key], FIGURE_REL)
    return found


def counts_mismatches(salesflow: dict[str, Any], counts: dict[str, Any]) -> list[str]:
    """The counts-only baseline read the whole file: its won and lost labels are salesflow's."""
    found = []
    for key in ("won", "lost"):
        theirs = counts["counts"].get(key, 0)
        found += _differs(f"counts-only {key}", salesflow["deals"][key], theirs, None)
    return found


def _differs(name: str, ours: Any, theirs: Any, tolerance: float | None) -> list[str]:
    if ours is None or theirs is None or tolerance is None:
        same = ours == theirs
    else:
        same = math.isclose(float(ours), float(theirs), rel_tol=tolerance, abs_tol=ZERO_ABS)
    return [] if same else [f"{name}: salesflow {ours!r}, pandas {theirs!r}"]


# --- the whole run ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    dataset: DataSet
    data: Files
    salesflow: Timing
    counts: Timing | None
    pandas: Timing | None
    problems: list[str]

    def speed_up(self, baseline: Timing | None) -> float | None:
        return None if baseline is None else baseline.median / self.salesflow.median


def benchmark(dataset: DataSet, args: argparse.Namespace, scratch: Path, process: Path) -> Outcome:
    print(f"{dataset.name}:")
    folder = scratch / f"s{args.seed}-{dataset.folder}"
    data = generated(folder, dataset, args.seed, PROCESS)
    commands = {"salesflow": (salesflow_command(process, data), args.runs)}
    if not args.skip_pandas:
        runs = args.pandas_runs if args.pandas_runs is not None else args.runs
        commands["counts"] = (pandas_command(process, data, "--counts-only"), args.runs)
        commands["pandas"] = (pandas_command(process, data, "--pandas-only"), runs)
    timings = timed(commands, scratch, args.quiet_wait)
    ours, counts, theirs = timings["salesflow"], timings.get("counts"), timings.get("pandas")
    problems: list[str] = []
    if counts is not None:
        problems += counts_mismatches(ours.result, counts.result)
    if theirs is not None:
        problems += mismatches(ours.result, theirs.result)
        if problems:
            print(f"  !!! MISMATCH between salesflow and pandas on {dataset.name}:")
            for problem in problems:
                print(f"  !!!   {problem}")
        else:
            print("  salesflow and pandas agree")
    return Outcome(dataset, data, ours, counts, theirs, problems)


def table(outcomes: list[Outcome]) -> list[str]:
    header = (
        "data set",
        "rows",
        "salesflow",
        "RSS",
        "counts-only",
        "speed-up",
        "pandas",
        "RSS",
        "speed-up",
    )
    rows: list[tuple[str, ...]] = [header]
    for o in outcomes:
        size = f"{o.data.deal_rows:,}"
        if o.data.history is not None:
            size += f" + {o.data.history_rows:,}"
        cells = [o.dataset.name, size, f"{o.salesflow.median:.2f} s", gib(o.salesflow.peak_rss)]
        for baseline, memory in ((o.counts, False), (o.pandas, True)):
            ratio = o.speed_up(baseline)
            if baseline is None or ratio is None:
                cells += ["-", "-", "-"] if memory else ["-", "-"]
                continue
            cells.append(f"{baseline.median:.2f} s")
            cells += [gib(baseline.peak_rss)] if memory else []
            cells.append(f"{ratio:.1f}x")
        rows.append(tuple(cells))
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
            seconds, source = limit
            checks.append(
                _verdict(f"time < {seconds:g} s ({source})", o.salesflow.median < seconds)
            )
        memory = "issue 9" if o.dataset.name == "10m" else "issue 3"
        checks.append(_verdict(f"RSS < 2.5 GB ({memory})", o.salesflow.peak_rss < MEMORY_TARGET))
        ratio = o.speed_up(o.counts)
        target = COUNTS_SPEED_UP_TARGETS.get(o.dataset.name)
        if ratio is not None and target is not None:
            checks.append(_verdict(f">= {target:g}x counts-only (issue 9)", ratio >= target))
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
        import pyarrow  # type: ignore[import-not-found, import-untyped, unused-ignore]

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
    parser.add_argument(
        "--skip-pandas", action="store_true", help="time salesflow only, no pandas scripts"
    )
    parser.add_argument("--pandas-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--counts-only", action="store_true", help=argparse.SUPPRESS)
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
    if args.counts_only:
        if args.process is None or args.deals is None:
            raise SystemExit("--counts-only needs --process and --deals")
        print(json.dumps(pandas_counts(args.process, args.deals)))
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
