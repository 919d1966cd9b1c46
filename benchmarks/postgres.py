"""`salesflow analyze` on deal data held in PostgreSQL: with the aggregates computed on the server
(pushdown) against copying the tables to local CSVs and analysing those (pulling), in one run.

    python benchmarks/postgres.py --deals N [--history-per-deal 3.5] [--repeat 3] [--keep]
        [--seed 7] [--quiet-wait 20] [--dir DIR] [--network private|shared]

1. **Data.** N deals from benchmarks/generate.py (examples/process.yaml, seed 7, with the wide
   per-stage date columns) and their stage history, written as CSVs into a scratch directory,
   loaded with COPY into a private PostgreSQL server (tests/postgres_server.py: initdb in the temp
   directory, loopback only) as the typed tables `deals` and `stage_history` (dates `date`,
   `amount` `numeric`, text otherwise; the deal id is the primary key of `deals`, as in a CRM
   sync's table); then the CSVs are deleted. The generator gives about 2.9
   history rows per deal; to reach `--history-per-deal` rows per deal (the issue's "10M deals plus
   35M history rows") the history is padded on the server with repeated entries: a Bernoulli
   sample of its stage rows (never the Closed Won / Closed Lost rows) inserted again unchanged,
   the same deal entering the same stage on the same day. `analyze` uses each deal's earliest
   entry per stage, so the padding adds rows to read and no figure. Then VACUUM ANALYZE.
2. **Timed**, `--repeat` times interleaved, median:
   - *pushdown, history*: the real CLI as a subprocess, `salesflow analyze --deals URL --table
     deals --history URL --history-table stage_history --format json -o FILE --force`, with
     examples/process.yaml without `data.stage_dates` (the stage dates come from the history);
   - *pushdown, wide*: the same without the history, with examples/process.yaml (the deals
     table's per-stage date columns);
   - *pulling*, what a user without pushdown does: each table copied over the connection into a
     local CSV (psycopg, `COPY (SELECT * FROM t) TO STDOUT WITH (FORMAT csv, HEADER true)`, in
     this process), then `salesflow analyze` on the local CSVs with the same two process files.
     Copy and analyze are timed apart and summed per repeat.

   **Bytes**: the loopback interface's received-bytes counter (`lo` in /proc/net/dev) before and
   after each step. Every packet of a loopback connection is received once on `lo`, so this counts
   both directions (queries and results) with their TCP/IP headers. As root on Linux the script
   runs itself again in a new network namespace (`unshare --net`, `--network private`, the
   default; not with `--keep`), whose loopback only this benchmark uses; otherwise any other
   loopback traffic on the machine is counted too (the local analyze steps use no network and
   show that floor).
   **Server time**: the sum of the statement durations the server logged during the step
   (`log_duration` on).
3. **Check**: each pushdown JSON must equal the JSON from the pulled CSVs in every key but
   `source`: MATCH, or each difference and exit status 1.

`--keep` leaves the server running (its URLs and the command that stops it are printed) and keeps
the scratch directory; by default the server is stopped and everything removed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/postgres_server.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the scripts beside this one

import analyze as bench
import generate
import psycopg
from psycopg import sql

from salesflow.loader import load_process
from salesflow.model.process import Process
from tests.postgres_server import PostgresServer, find_bin_dir, start_server

ROOT = Path(__file__).resolve().parent.parent
PROCESS = ROOT / "examples" / "process.yaml"
AS_OF = date(2026, 10, 31)
MONTHS = 12
DEALS, HISTORY = "deals", "stage_history"
SAMPLE_DEALS = 2_000  # generated first to estimate the size of the CSVs
DISK_FACTOR = 3  # the CSVs, the tables, the pulled copies
LOOPBACK = Path("/proc/net/dev")
PRIVATE_NETWORK = "SALESFLOW_BENCH_PRIVATE_NETWORK"  # set inside the network namespace
ROUNDING = 1e-12  # relative difference of two floats counted as rounding
DURATION = re.compile(r"duration: ([0-9.]+) ms")
PUSH_HISTORY, PUSH_WIDE = "pushdown, history", "pushdown, wide dates"
COPY_DEALS, COPY_HISTORY = "pull: copy deals", "pull: copy stage_history"
LOCAL_HISTORY, LOCAL_WIDE = "pull: analyze CSVs, history", "pull: analyze CSV, wide dates"
TOTALS = {
    "pull + analyze, history": (COPY_DEALS, COPY_HISTORY, LOCAL_HISTORY),
    "pull + analyze, wide dates": (COPY_DEALS, LOCAL_WIDE),
}
PAIRS = {"history": (PUSH_HISTORY, LOCAL_HISTORY), "wide dates": (PUSH_WIDE, LOCAL_WIDE)}


# --- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    deals: int
    generated_history: int
    history: int  # after padding
    csv_bytes: int
    table_bytes: int


def example_process() -> Process:
    loaded = load_process(str(PROCESS))
    assert loaded.process is not None, "examples/process.yaml is invalid"
    return loaded.process


def estimated_csv_bytes(process: Process, deals: int, per_deal: float, scratch: Path) -> int:
    """The size of the CSVs for `deals` deals, scaled from a generated sample."""
    folder = scratch / "sample"
    made = generate.write(process, folder, SAMPLE_DEALS, 1, AS_OF, MONTHS)
    deal_bytes = (folder / "deals.csv").stat().st_size / made.deals
    row_bytes = (folder / "stage_history.csv").stat().st_size / made.history_rows
    shutil.rmtree(folder)
    rows = max(per_deal, made.history_rows / made.deals) * deals
    return int(deal_bytes * deals + row_bytes * rows)


def require_disk(scratch: Path, csv_bytes: int) -> None:
    free = shutil.disk_usage(scratch).free
    if free < DISK_FACTOR * csv_bytes:
        raise SystemExit(
            f"not enough disk: the CSVs take about {size(csv_bytes)}, so {DISK_FACTOR}x that"
            f" ({size(DISK_FACTOR * csv_bytes)}) must be free in {scratch}; {size(free)} is"
        )


def column_types(header: list[str], dates: set[str], numbers: set[str]) -> dict[str, str]:
    return {
        name: "date" if name in dates else "numeric" if name in numbers else "text"
        for name in header
    }


def load(server: PostgresServer, process: Process, folder: Path) -> int:
    """Both CSVs COPYed into typed tables, then deleted; the bytes the CSVs took."""
    names = process.data.columns
    dates = {names.created, names.closed, process.data.history_columns.entered}
    dates |= set(process.data.stage_dates.values())
    size = 0
    for table in (DEALS, HISTORY):
        path = folder / f"{table}.csv"
        with path.open(encoding="utf-8") as handle:
            header = handle.readline().strip().split(",")
        server.load_csv(table, path, column_types(header, dates, {names.amount}))
        size += path.stat().st_size
        path.unlink()
    return size


def pad_history(server: PostgresServer, process: Process, target: int, seed: int) -> int:
    """Insert again a Bernoulli sample of the history's stage rows until it has about `target`
    rows; the rows it has."""
    outcomes = (process.outcomes.won.name, process.outcomes.lost.name)
    stage = sql.Identifier(process.data.history_columns.stage)
    table = sql.Identifier(HISTORY)
    stage_rows = server.execute(
        sql.SQL("SELECT count(*) FROM {} WHERE {} NOT IN (%s, %s)").format(table, stage),
        outcomes,
    )[0][0]
    rows = history_rows(server)
    for attempt in range(10):
        if rows >= target or stage_rows == 0:
            break
        percent = min(100.0, 100.0 * (target - rows) / stage_rows)
        insert = sql.SQL(
            "INSERT INTO {t} SELECT * FROM {t} TABLESAMPLE BERNOULLI (%s) REPEATABLE (%s)"
            " WHERE {s} NOT IN (%s, %s)"
        ).format(t=table, s=stage)
        server.execute(insert, (percent, seed + attempt, *outcomes))
        rows = history_rows(server)
    return rows


def history_rows(server: PostgresServer) -> int:
    query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(HISTORY))
    rows: int = server.execute(query)[0][0]
    return rows


def prepare(
    server: PostgresServer, process: Process, scratch: Path, args: argparse.Namespace
) -> Loaded:
    folder = scratch / "generated"
    start = time.perf_counter()
    made = generate.write(process, folder, args.deals, args.seed, AS_OF, MONTHS)
    print(
        f"generated {made.deals:,} deals, {made.history_rows:,} history rows"
        f" ({made.history_rows / made.deals:.2f} per deal) in {time.perf_counter() - start:.0f} s"
    )
    start = time.perf_counter()
    csv_bytes = load(server, process, folder)
    # the deal id is the primary key, as in the table a CRM sync (Fivetran, Airbyte) makes
    key = sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(
        sql.Identifier(DEALS), sql.Identifier(process.data.columns.id)
    )
    server.execute(key)
    target = round(args.history_per_deal * made.deals)
    history = pad_history(server, process, target, args.seed)
    server.execute(f"VACUUM ANALYZE {DEALS}")
    server.execute(f"VACUUM ANALYZE {HISTORY}")
    table_bytes = server.execute(
        f"SELECT pg_total_relation_size('{DEALS}') + pg_total_relation_size('{HISTORY}')"
    )[0][0]
    print(
        f"loaded {size(csv_bytes)} of CSV (deleted), padded the history to {history:,} rows"
        f" ({history / made.deals:.2f} per deal), tables {size(table_bytes)},"
        f" in {time.perf_counter() - start:.0f} s"
    )
    return Loaded(made.deals, made.history_rows, history, csv_bytes, table_bytes)


# --- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    seconds: float
    lo_bytes: int
    server_seconds: float
    peak_rss: int | None = None


@dataclass
class Steps:
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def add(self, label: str, sample: Sample) -> None:
        self.samples.setdefault(label, []).append(sample)
        others = f", peak {bench.gib(sample.peak_rss)}" if sample.peak_rss else ""
        print(
            f"  {label:30} {sample.seconds:7.2f} s, lo {size(sample.lo_bytes):>9},"
            f" server {sample.server_seconds:6.2f} s{others}"
        )

    def totals(self) -> Iterator[tuple[str, list[Sample]]]:
        """Each pulling path's steps summed per repeat."""
        for label, parts in TOTALS.items():
            runs = zip(*(self.samples[part] for part in parts), strict=True)
            yield label, [_sum(run) for run in runs]


def _sum(samples: Sequence[Sample]) -> Sample:
    return Sample(
        sum(s.seconds for s in samples),
        sum(s.lo_bytes for s in samples),
        sum(s.server_seconds for s in samples),
        max((s.peak_rss or 0 for s in samples), default=0) or None,
    )


def loopback_bytes() -> int:
    """Bytes received on the loopback interface since boot (Linux; 0 elsewhere)."""
    if not LOOPBACK.is_file():
        return 0
    for line in LOOPBACK.read_text().splitlines():
        name, _, counters = line.partition(":")
        if name.strip() == "lo":
            return int(counters.split()[0])
    return 0


def server_seconds(log: str) -> float:
    return sum(float(ms) for ms in DURATION.findall(log)) / 1000.0


def observed(server: PostgresServer, action: Callable[[], int | None]) -> Sample:
    """Wall time, loopback bytes and logged server time of `action` (which returns the peak
    RSS of the child it ran, if any)."""
    mark, before = server.log_mark(), loopback_bytes()
    start = time.perf_counter()
    peak = action()
    seconds = time.perf_counter() - start
    after = loopback_bytes()
    return Sample(seconds, after - before, server_seconds(server.log_since(mark)), peak)


def cli(command: list[str], cwd: Path) -> Callable[[], int | None]:
    def run() -> int | None:
        return bench.measure(command, cwd).peak_rss

    return run


def pull(url: str, table: str, target: Path) -> Callable[[], int | None]:
    """What a user without pushdown does: the whole table over the connection into a CSV."""

    def run() -> None:
        copy = sql.SQL("COPY (SELECT * FROM {}) TO STDOUT WITH (FORMAT csv, HEADER true)")
        with (
            psycopg.connect(url) as conn,
            conn.cursor().copy(copy.format(sql.Identifier(table))) as stream,
            target.open("wb") as out,
        ):
            for chunk in stream:
                out.write(chunk)

    return run


def analyze_command(process: Path, deals: list[str], history: list[str], out: Path) -> list[str]:
    command = [sys.executable, "-m", "salesflow", "analyze", "--process", str(process)]
    command += [*deals, *history, "--format", "json", "-o", str(out), "--force", "-q"]
    return command


def plan(
    server: PostgresServer, scratch: Path, history_process: Path
) -> dict[str, Callable[[], int | None]]:
    """Each step's action, in the order of one repeat."""
    url = server.url()
    pulled, out = scratch / "pulled", scratch / "out"
    pulled.mkdir(exist_ok=True)
    out.mkdir(exist_ok=True)
    remote = ["--deals", url, "--table", DEALS]
    remote_history = ["--history", url, "--history-table", HISTORY]
    local = ["--deals", str(pulled / f"{DEALS}.csv")]
    local_history = ["--history", str(pulled / f"{HISTORY}.csv")]
    commands = {
        PUSH_HISTORY: (history_process, remote, remote_history),
        PUSH_WIDE: (PROCESS, remote, []),
        LOCAL_HISTORY: (history_process, local, local_history),
        LOCAL_WIDE: (PROCESS, local, []),
    }
    runs = {
        label: cli(analyze_command(p, d, h, output(out, label)), scratch)
        for label, (p, d, h) in commands.items()
    }
    return {
        PUSH_HISTORY: runs[PUSH_HISTORY],
        PUSH_WIDE: runs[PUSH_WIDE],
        COPY_DEALS: pull(url, DEALS, pulled / f"{DEALS}.csv"),
        COPY_HISTORY: pull(url, HISTORY, pulled / f"{HISTORY}.csv"),
        LOCAL_HISTORY: runs[LOCAL_HISTORY],
        LOCAL_WIDE: runs[LOCAL_WIDE],
    }


def output(folder: Path, label: str) -> Path:
    return folder / (re.sub(r"[^a-z]+", "-", label).strip("-") + ".json")


def timed(server: PostgresServer, scratch: Path, repeat: int, quiet_wait: float) -> Steps:
    history_process = bench.process_without_stage_dates(PROCESS, scratch / "process-history.yaml")
    actions = plan(server, scratch, history_process)
    steps = Steps()
    for index in range(repeat):
        print(f"repeat {index + 1}/{repeat}")
        for label, action in actions.items():
            if quiet_wait > 0:
                bench.wait_for_quiet(quiet_wait)
            steps.add(label, observed(server, action))
    return steps


# --- checking and reporting -------------------------------------------------------------------


Difference = tuple[str, Any, Any]  # where, pushdown's value, the pulled CSVs' value


def differences(ours: Any, theirs: Any, path: str = "") -> list[Difference]:
    """Where two JSON values differ."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        keys = sorted(set(ours) | set(theirs))
        return [d for k in keys for d in differences(ours.get(k), theirs.get(k), f"{path}.{k}")]
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        pairs = enumerate(zip(ours, theirs, strict=True))
        return [d for i, (a, b) in pairs for d in differences(a, b, f"{path}[{i}]")]
    return [] if ours == theirs else [(path or ".", ours, theirs)]


def rounding(difference: Difference) -> float | None:
    """The relative difference of two floats, when it is no more than floating-point rounding
    (the same sum added up in another order); else None."""
    _, ours, theirs = difference
    if not (isinstance(ours, float) and isinstance(theirs, float)):
        return None
    relative = abs(ours - theirs) / max(abs(ours), abs(theirs))
    return relative if relative <= ROUNDING else None


def verdict(found: list[Difference]) -> list[str]:
    if not found:
        return ["MATCH"]
    if all(rounding(d) is not None for d in found):
        head = f"MATCH to {ROUNDING:g} relative ({len(found)} figures differ in the last digits)"
    else:
        head = "DIFFERENT"
    lines = [head]
    for where, ours, theirs in found[:40]:
        relative = rounding((where, ours, theirs))
        tail = f" (relative {relative:.1e})" if relative is not None else ""
        lines.append(f"  {where}: pushdown {ours!r}, pulled {theirs!r}{tail}")
    return lines


def checked(scratch: Path) -> list[str]:
    """MATCH or the differences for each pair of pushdown and pulled JSON."""
    lines, out = [], scratch / "out"
    for name, (pushed, pulled) in PAIRS.items():
        ours = json.loads(output(out, pushed).read_text(encoding="utf-8"))
        theirs = json.loads(output(out, pulled).read_text(encoding="utf-8"))
        ours.pop("source", None)
        theirs.pop("source", None)
        head, *rest = verdict(differences(ours, theirs))
        lines += [f"figures, {name}: {head}", *rest]
    return lines


def table(steps: Steps, loaded: Loaded) -> list[str]:
    lines = [
        "| deals | history rows | mode | median s | range s | bytes on lo | server s | peak RSS |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    rows = [*steps.samples.items(), *steps.totals()]
    for label, samples in rows:
        seconds = [s.seconds for s in samples]
        peak = max((s.peak_rss or 0) for s in samples)
        lines.append(
            f"| {loaded.deals:,} | {loaded.history:,} | {label}"
            f" | {statistics.median(seconds):.2f} | {min(seconds):.2f}–{max(seconds):.2f}"
            f" | {size(int(statistics.median(s.lo_bytes for s in samples)))}"
            f" | {statistics.median(s.server_seconds for s in samples):.2f}"
            f" | {bench.gib(peak) if peak else '–'} |"
        )
    return lines


def size(count: float) -> str:
    """Decimal units: 1 MB is 10**6 bytes."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(count) >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{int(count)} B"


def machine(server: PostgresServer) -> str:
    version = server.execute("SHOW server_version")[0][0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return (
        f"{os.cpu_count()} cores, {memory / 2**30:.0f} GiB RAM, PostgreSQL {version},"
        f" Python {sys.version.split()[0]}, psycopg {psycopg.__version__}"
    )


def report(server: PostgresServer, scratch: Path, steps: Steps, loaded: Loaded) -> list[str]:
    pulled = sum(p.stat().st_size for p in (scratch / "pulled").glob("*.csv"))
    lines = ["", *table(steps, loaded), ""]
    lines.append(f"machine: {machine(server)}")
    lines.append(
        f"history: {loaded.generated_history:,} rows generated, {loaded.history:,} after padding;"
        f" disk: CSVs {size(loaded.csv_bytes)} (deleted after loading), tables"
        f" {size(loaded.table_bytes)}, pulled CSVs {size(pulled)}"
    )
    return lines


# --- command line -----------------------------------------------------------------------------


def count(text: str) -> int:
    """A positive count: 100000, 100_000, 100k or 10m."""
    match = re.fullmatch(r"([0-9_]+)([km]?)", text.strip().lower())
    value = int(match[1]) * {"": 1, "k": 1000, "m": 1_000_000}[match[2]] if match else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive count such as 100000 or 1m: {text}")
    return value


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--deals", type=count, required=True, help="deals to generate")
    parser.add_argument(
        "--history-per-deal", type=float, default=3.5, help="history rows per deal, padded [3.5]"
    )
    parser.add_argument("--repeat", type=count, default=3, help="timed runs of each step [3]")
    parser.add_argument("--keep", action="store_true", help="leave the server running")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=20.0,
        help="seconds to wait before each step for other work on the machine to stop [20]",
    )
    parser.add_argument("--dir", type=Path, default=None, help="scratch parent [system temp]")
    parser.add_argument(
        "--network",
        choices=("private", "shared"),
        default="private",
        help="private: run in a new network namespace when possible (not with --keep), so that"
        " the loopback counters count this benchmark's traffic only [private]",
    )
    return parser.parse_args(argv)


def in_private_network(argv: Sequence[str]) -> int | None:
    """This script run again in a new network namespace whose loopback only it uses (Linux, as
    root, with `unshare` and `ip`): its exit status, or None where that is not possible."""
    if os.environ.get(PRIVATE_NETWORK) or os.geteuid() != 0:
        return None
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return None
    if subprocess.run(["unshare", "--net", "true"], check=False).returncode != 0:
        return None
    script = 'ip link set lo up && exec "$@"'
    command = ["unshare", "--net", "--", "sh", "-c", script, "sh"]
    command += [sys.executable, str(Path(__file__).resolve()), *argv]
    sys.stdout.flush()
    env = {**os.environ, PRIVATE_NETWORK: "1"}
    return subprocess.run(command, env=env, check=False).returncode


def kept(server: PostgresServer, scratch: Path) -> list[str]:
    stop = f"{server.bin_dir / 'pg_ctl'} stop -D {server.data_dir} -m fast"
    if server.run_as:
        stop = f"runuser -u {server.run_as} -- {stop}"
    return [
        f"server kept: {server.url()} (admin: {server.admin_url()})",
        f"stop it with: {stop} && rm -rf {server.root} {scratch}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    if args.network == "private" and not args.keep:  # a kept server must be reachable
        status = in_private_network(sys.argv[1:] if argv is None else argv)
        if status is not None:
            return status
    began, clock = datetime.now().astimezone(), time.perf_counter()
    network = "private" if os.environ.get(PRIVATE_NETWORK) else "shared with the machine"
    print(f"started {began:%Y-%m-%d %H:%M:%S %Z}; network namespace: {network}")
    if find_bin_dir() is None:
        raise SystemExit("PostgreSQL server binaries (initdb) not found")
    process = example_process()
    if args.dir is not None:
        Path(args.dir).mkdir(parents=True, exist_ok=True)
    if args.dir is not None:
        Path(args.dir).mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="salesflow-bench-postgres-", dir=args.dir))
    print(f"scratch: {scratch}")
    server: PostgresServer | None = None
    try:
        require_disk(
            scratch, estimated_csv_bytes(process, args.deals, args.history_per_deal, scratch)
        )
        server = start_server(args.dir)
        print(f"server: {server.root}")
        server.execute("ALTER SYSTEM SET log_duration = on")
        server.execute("SELECT pg_reload_conf()")
        loaded = prepare(server, process, scratch, args)
        steps = timed(server, scratch, args.repeat, args.quiet_wait)
        lines = [*report(server, scratch, steps, loaded), "", *checked(scratch)]
    finally:
        if args.keep and server is not None:
            print("\n".join(kept(server, scratch)))
        else:
            if server is not None:
                server.stop()
            shutil.rmtree(scratch, ignore_errors=True)
    print("\n".join(lines))
    ended = datetime.now().astimezone()
    print(f"ended {ended:%H:%M:%S %Z}, {time.perf_counter() - clock:.0f} s in all")
    return 1 if any(line.endswith(": DIFFERENT") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
