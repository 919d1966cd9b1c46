"""Generate realistic, seeded CRM deal data from a process file (examples and benchmarks).

    python benchmarks/generate.py --process examples/process.yaml --deals 2000 --seed 7 \\
        --out examples/ [--as-of 2026-10-31] [--months 12] [--format csv|parquet] \\
        [--no-history] [--no-wide]

writes `deals.csv` and `stage_history.csv` (or `.parquet`) into `--out`. The same arguments always
give byte-identical files.

The model, vectorised over all deals one stage at a time (no per-deal Python):

* created_at is spread over the `--months` months ending at `--as-of`, with volume rising by half
  from the first month to the last; 80% of weekend leads are logged on a weekday of that week.
* Each deal has an owner (six reps, conversion skill 0.86-1.10), a lead source (inbound, outbound,
  partner, event, each with its own share and conversion multiplier 0.92-1.10) and a segment
  (Mid-Market 75%; Enterprise 25%: 3x larger and 1.4x slower). The multipliers apply at every
  stage, so they compound: the best rep wins about three times as often as the weakest.
* In stage k the deal stays a lognormal number of days whose median is the stage's
  `expected.days` (lost deals linger 30% longer), then advances with probability
  clip(expected.conversion x skill x source multiplier, 0.02, 0.98) or is lost there. Passing the
  last stage wins the deal. About 4% of deals skip one middle stage (qualification, solution or
  validation): no entry date for it.
* Censoring: a deal whose exit from its current stage would fall after `--as-of` is open there
  (no closed_at, no outcome), so recent deals are open and older ones closed.
* amount: lognormal (sigma 0.6) whose mean over all deals is `assumptions.deal_size`; present for
  won and open deals and for 70% of lost deals. Lost deals get a weighted lost reason.
* An open deal's stage label is the stage name or one of its aliases, sometimes in lower case, so
  the data exercises alias mapping; closed deals carry the outcomes' names.

Deal columns (names from the process file's `data.columns` where it has them): deal_id, stage,
amount, created_at, closed_at, owner, source, segment, lost_at_stage, lost_reason, then one date
column per `data.stage_dates` entry (the day the deal entered that stage). Stage history (names
from `data.history_columns`): deal_id, stage, entered_at, one row per stage entered plus a final
Closed Won / Closed Lost row at closed_at, grouped by deal in date order.

API (for benchmarks/analyze.py):

* `generate(process, deals, seed, as_of, months) -> Deals`: the simulation as numpy arrays
  (dates as days since 1970-01-01, `MISSING` when absent; categories as small integer codes into
  `Plan.of(process).labels`, `REPS`, `SOURCES`, `SEGMENTS`; `deal_ids(deals.key)` gives the ids).
* `write(process, out, deals, seed, as_of, months, fmt="csv", history_table=True, wide=True)
  -> Summary`: writes the files through DuckDB in chunks of `CHUNK` deals (bounded memory) and
  returns the paths written and the counts of deals (won, lost, open) and history rows.

Both draw chunk i of `CHUNK` deals from `SeedSequence(seed, spawn_key=(i,))`, so `generate` and
`write` agree for the same arguments. Deal ids are a keyed permutation of the deal number:
unique and deterministic across chunks.
"""

from __future__ import annotations

import argparse
import calendar
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import numpy.typing as npt

from salesflow.errors import EXIT_INPUT, SalesflowError
from salesflow.loader import load_process
from salesflow.model.process import Process

I8 = npt.NDArray[np.int8]
I16 = npt.NDArray[np.int16]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
Format = Literal["csv", "parquet"]

CHUNK = 1_000_000
EPOCH = date(1970, 1, 1)
MISSING = np.iinfo(np.int32).min  # a missing date (days since EPOCH)
OPEN, WON, LOST = 0, 1, 2

REPS = (
    "Avery Chen",
    "Jordan Patel",
    "Sam Okafor",
    "Riley Novak",
    "Morgan Silva",
    "Casey Lindqvist",
)
REP_SHARE = (0.19, 0.18, 0.17, 0.17, 0.15, 0.14)
REP_SKILL = (1.10, 1.05, 1.00, 0.96, 0.92, 0.86)
SOURCES = ("inbound", "outbound", "partner", "event")
SOURCE_SHARE = (0.42, 0.30, 0.13, 0.15)
SOURCE_LIFT = (1.06, 0.92, 1.10, 0.97)
SEGMENTS = ("Mid-Market", "Enterprise")
ENTERPRISE_SHARE = 0.25
ENTERPRISE_SIZE = 3.0
ENTERPRISE_SLOWER = 1.4

VOLUME_GROWTH = 0.5  # the last day sees 1.5x the leads of the first
WEEKEND_MOVED = 0.8  # share of weekend leads logged on a weekday of the same week
DAYS_SIGMA = 0.6
LOSS_DELAY = 1.3
SKIP_SHARE = 0.04
SKIPPABLE = ("qualification", "solution", "validation")
AMOUNT_SIGMA = 0.6
LOST_WITH_AMOUNT = 0.7
REASON_DECAY = 0.8  # lost reason i has weight REASON_DECAY**i
NAME_SHARE = 0.45  # an open deal's label is the stage name, else one of its aliases
LOWER_SHARE = 0.1  # ... written in lower case
DEFAULT_CONVERSION = 0.5
DEFAULT_DAYS = 7.0
DEFAULT_DEAL_SIZE = 10_000.0

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ID_LENGTH = 8
HALF = len(ALPHABET) ** (ID_LENGTH // 2)  # deal numbers are pairs (L, R) in [0, HALF)
ID_ROUNDS = 4


@dataclass(frozen=True)
class Plan:
    """What the simulation needs from the process file."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    conversion: F64
    days: F64
    labels: tuple[str, ...]  # deal stage labels: won, lost, then each stage's variants
    offsets: tuple[int, ...]  # first label of each stage's variants
    choices: tuple[int, ...]  # variants per stage before lower-casing
    won: str
    lost: str
    reasons: tuple[str, ...]
    deal_size: float
    skippable: tuple[int, ...]

    @classmethod
    def of(cls, process: Process) -> Plan:
        stages = process.stages
        variants = [_variants(stage.name, stage.aliases) for stage in stages]
        labels = [process.outcomes.won.name, process.outcomes.lost.name]
        offsets = []
        for names in variants:
            offsets.append(len(labels))
            labels += [*names, *(name.lower() for name in names)]
        ids = tuple(stage.id for stage in stages)
        return cls(
            ids=ids,
            names=tuple(stage.name for stage in stages),
            conversion=np.array(
                [s.expected.conversion or DEFAULT_CONVERSION for s in stages], np.float64
            ),
            days=np.array(
                [DEFAULT_DAYS if s.expected.days is None else s.expected.days for s in stages],
                np.float64,
            ),
            labels=tuple(labels),
            offsets=tuple(offsets),
            choices=tuple(len(names) for names in variants),
            won=process.outcomes.won.name,
            lost=process.outcomes.lost.name,
            reasons=tuple(process.outcomes.lost.reasons),
            deal_size=process.assumptions.deal_size or DEFAULT_DEAL_SIZE,
            skippable=_skippable(ids),
        )


def _variants(name: str, aliases: Sequence[str]) -> tuple[str, ...]:
    """The stage name first, then its aliases, without case-insensitive repeats."""
    seen: dict[str, str] = {}
    for label in (name, *aliases):
        seen.setdefault(label.casefold(), label)
    return tuple(seen.values())


def _skippable(ids: tuple[str, ...]) -> tuple[int, ...]:
    named = tuple(ids.index(sid) for sid in SKIPPABLE if sid in ids)
    return named or tuple(range(1, len(ids) - 1))


@dataclass(frozen=True)
class Deals:
    """Simulated deals, one array element per deal (`entered` is stages x deals)."""

    key: I64  # deal number, written as the 8-character deal id (see `deal_ids`)
    created: I32  # days since 1970-01-01
    closed: I32  # days since 1970-01-01, MISSING for open deals
    status: I8  # OPEN, WON or LOST
    stage: I8  # open: current stage index; lost: stage lost at; won: -1
    label: I16  # index into Plan.labels: the CRM stage label
    amount: F64  # rounded to cents, -1.0 when missing
    owner: I8  # index into REPS
    source: I8  # index into SOURCES
    segment: I8  # index into SEGMENTS
    reason: I8  # index into Plan.reasons, -1 unless lost
    entered: I32  # [stage, deal]: day the deal entered the stage, MISSING when it did not

    def __len__(self) -> int:
        return len(self.key)


@dataclass(frozen=True)
class Walk:
    """Where each deal ended up after the stage-by-stage walk."""

    status: I8
    stage: I8
    closed: I32
    entered: I32


@dataclass
class Summary:
    """What `write` produced."""

    paths: list[Path] = field(default_factory=list)
    deals: int = 0
    won: int = 0
    lost: int = 0
    open: int = 0
    history_rows: int = 0

    def add(self, deals: Deals, history_rows: int) -> None:
        self.deals += len(deals)
        self.won += int(np.count_nonzero(deals.status == WON))
        self.lost += int(np.count_nonzero(deals.status == LOST))
        self.open += int(np.count_nonzero(deals.status == OPEN))
        self.history_rows += history_rows


# --- simulation -------------------------------------------------------------------------------


def generate(process: Process, deals: int, seed: int, as_of: date, months: int) -> Deals:
    """All `deals` simulated deals in memory (see the module docstring for the model)."""
    batches = list(simulate(Plan.of(process), deals, seed, as_of, months))
    if len(batches) == 1:
        return batches[0]
    arrays = {
        name: np.concatenate([getattr(b, name) for b in batches], axis=-1)
        for name in Deals.__dataclass_fields__
    }
    return Deals(**arrays)


def simulate(plan: Plan, deals: int, seed: int, as_of: date, months: int) -> Iterator[Deals]:
    """Chunks of at most CHUNK deals; chunk i uses its own seeded generator."""
    id_keys = np.asarray(
        np.random.SeedSequence(seed).generate_state(ID_ROUNDS, np.uint64), np.uint64
    )
    for index, first in enumerate(range(0, deals, CHUNK)):
        size = min(CHUNK, deals - first)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
        numbers = np.arange(first, first + size, dtype=np.uint64)
        yield _chunk(plan, rng, _permute(numbers, id_keys), as_of, months)


def _chunk(plan: Plan, rng: np.random.Generator, key: I64, as_of: date, months: int) -> Deals:
    n = len(key)
    created = _created(rng, n, as_of, months)
    owner = rng.choice(len(REPS), n, p=REP_SHARE).astype(np.int8)
    source = rng.choice(len(SOURCES), n, p=SOURCE_SHARE).astype(np.int8)
    segment = (rng.random(n) < ENTERPRISE_SHARE).astype(np.int8)
    skip = _skips(rng, n, plan.skippable)
    lift = np.asarray(REP_SKILL)[owner] * np.asarray(SOURCE_LIFT)[source]
    slower = np.where(segment == 1, ENTERPRISE_SLOWER, 1.0)
    walk = _walk(plan, rng, created, lift, slower, skip, _days(as_of))
    return Deals(
        key=key,
        created=created,
        closed=walk.closed,
        status=walk.status,
        stage=walk.stage,
        label=_labels(plan, rng, walk),
        amount=_amounts(plan, rng, segment, walk.status),
        owner=owner,
        source=source,
        segment=segment,
        reason=_reasons(rng, len(plan.reasons), walk.status),
        entered=walk.entered,
    )


def _days(day: date) -> int:
    return (day - EPOCH).days


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _created(rng: np.random.Generator, n: int, as_of: date, months: int) -> I32:
    """Sorted creation days in (as_of - months, as_of], volume rising linearly, few weekends."""
    start, end = _days(_months_before(as_of, months)), _days(as_of)
    g = VOLUME_GROWTH  # inverse of the CDF of the density (1 + g t) on [0, 1]
    t = (np.sqrt(1.0 + 2.0 * g * (1.0 + g / 2.0) * rng.random(n)) - 1.0) / g
    day = start + 1 + np.minimum((t * (end - start)).astype(np.int64), end - start - 1)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    workday = day - weekday + rng.integers(0, 5, n)  # a weekday of the same week
    move = (weekday >= 5) & (rng.random(n) < WEEKEND_MOVED) & (workday > start)
    return np.sort(np.where(move, workday, day)).astype(np.int32)


def _skips(rng: np.random.Generator, n: int, skippable: tuple[int, ...]) -> I8:
    """The stage each deal skips, -1 for most."""
    if not skippable:
        return np.full(n, -1, np.int8)
    which = np.asarray(skippable, np.int8)[rng.integers(0, len(skippable), n)]
    return np.where(rng.random(n) < SKIP_SHARE, which, -1).astype(np.int8)


def _walk(
    plan: Plan,
    rng: np.random.Generator,
    created: I32,
    lift: F64,
    slower: F64,
    skip: I8,
    as_of: int,
) -> Walk:
    """Move every deal through the stages in order: advance, lose, or stay open at as_of."""
    n = len(created)
    entered = np.full((len(plan.ids), n), MISSING, np.int32)
    status = np.full(n, WON, np.int8)
    stage = np.full(n, -1, np.int8)
    closed = np.full(n, MISSING, np.int32)
    at = created.astype(np.int64)
    moving = np.ones(n, np.bool_)
    for k in range(len(plan.ids)):
        z, u = rng.standard_normal(n), rng.random(n)
        here = moving & (skip != k)
        entered[k, here] = at[here]
        advance = u < np.clip(plan.conversion[k] * lift, 0.02, 0.98)
        stay = plan.days[k] * slower * np.exp(DAYS_SIGMA * z) * np.where(advance, 1.0, LOSS_DELAY)
        leave = at + np.rint(stay).astype(np.int64)
        still_open = here & (leave > as_of)
        lost = here & ~still_open & ~advance
        status[still_open], stage[still_open] = OPEN, k
        status[lost], stage[lost], closed[lost] = LOST, k, leave[lost]
        moving &= ~(still_open | lost)
        at = np.where(here & moving, leave, at)
    closed[moving] = at[moving]
    return Walk(status=status, stage=stage, closed=closed, entered=entered)


def _labels(plan: Plan, rng: np.random.Generator, walk: Walk) -> I16:
    """Closed deals get the outcome names; open ones a random name, alias or lower-cased one."""
    pick, lower = rng.random(len(walk.status)), rng.random(len(walk.status)) < LOWER_SHARE
    label = np.where(walk.status == WON, 0, 1).astype(np.int16)
    for k, (offset, choices) in enumerate(zip(plan.offsets, plan.choices, strict=True)):
        here = (walk.status == OPEN) & (walk.stage == k)
        alias = 1 + ((pick - NAME_SHARE) / (1.0 - NAME_SHARE) * (choices - 1)).astype(np.int64)
        variant = np.where((pick < NAME_SHARE) | (choices == 1), 0, alias)
        label[here] = (offset + variant + np.where(lower, choices, 0))[here]
    return label


def _amounts(plan: Plan, rng: np.random.Generator, segment: I8, status: I8) -> F64:
    """Lognormal amounts whose mean over both segments is the planned deal size."""
    size = np.where(segment == 1, ENTERPRISE_SIZE, 1.0)
    mean = plan.deal_size / (1.0 - ENTERPRISE_SHARE + ENTERPRISE_SHARE * ENTERPRISE_SIZE)
    spread = np.exp(AMOUNT_SIGMA * rng.standard_normal(len(size)) - AMOUNT_SIGMA**2 / 2.0)
    amount = np.round(mean * size * spread, 2)
    blank = (status == LOST) & (rng.random(len(size)) >= LOST_WITH_AMOUNT)
    return np.where(blank, -1.0, amount)


def _reasons(rng: np.random.Generator, count: int, status: I8) -> I8:
    if count == 0:
        return np.full(len(status), -1, np.int8)
    weights = REASON_DECAY ** np.arange(count, dtype=np.float64)
    reason = rng.choice(count, len(status), p=weights / weights.sum())
    return np.where(status == LOST, reason, -1).astype(np.int8)


def _permute(numbers: npt.NDArray[np.uint64], keys: npt.NDArray[np.uint64]) -> I64:
    """A keyed Feistel permutation of [0, HALF**2): distinct numbers give distinct ids."""
    left, right = numbers // np.uint64(HALF), numbers % np.uint64(HALF)
    for key in keys:
        left, right = right, (left + _mix(right, key) % np.uint64(HALF)) % np.uint64(HALF)
    return (left * np.uint64(HALF) + right).astype(np.int64)


def _mix(x: npt.NDArray[np.uint64], key: np.uint64) -> npt.NDArray[np.uint64]:
    """The splitmix64 finaliser of x ^ key (wrapping uint64 arithmetic)."""
    z = (x ^ key) * np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def deal_ids(key: I64) -> npt.NDArray[np.str_]:
    """The 8-character deal ids of deal numbers (the same text `write` puts in the files)."""
    digits = np.empty((len(key), ID_LENGTH), np.uint8)
    alphabet = np.frombuffer(ALPHABET.encode(), np.uint8)
    rest = key.copy()
    for position in reversed(range(ID_LENGTH)):
        digits[:, position] = alphabet[rest % len(ALPHABET)]
        rest //= len(ALPHABET)
    return digits.view(f"S{ID_LENGTH}").ravel().astype(f"U{ID_LENGTH}")


def history(plan: Plan, deals: Deals) -> dict[str, npt.NDArray[Any]]:
    """Stage-history rows, grouped by deal in date order: key, label (into `history_labels`),
    entered (days since 1970-01-01)."""
    stages = len(plan.ids)
    days = np.vstack([deals.entered, deals.closed[None, :]]).T
    outcome = np.where(deals.status == WON, stages, stages + 1)
    labels = np.empty(days.shape, np.int16)
    labels[:, :stages] = np.arange(stages, dtype=np.int16)
    labels[:, stages] = outcome
    present = days != MISSING
    return {
        "key": np.repeat(deals.key, present.sum(axis=1)),
        "label": labels[present],
        "entered": days[present],
    }


def history_labels(plan: Plan) -> tuple[str, ...]:
    return (*plan.names, plan.won, plan.lost)


# --- writing ----------------------------------------------------------------------------------


def write(
    process: Process,
    out: Path,
    deals: int,
    seed: int,
    as_of: date,
    months: int,
    fmt: Format = "csv",
    history_table: bool = True,
    wide: bool = True,
) -> Summary:
    """Simulate and write `deals.<fmt>` (and `stage_history.<fmt>`) into `out`, chunk by chunk."""
    plan = Plan.of(process)
    out.mkdir(parents=True, exist_ok=True)
    con = _connect(plan)
    deal_sink = Sink(out / f"deals.{fmt}", fmt)
    history_sink = Sink(out / f"stage_history.{fmt}", fmt) if history_table else None
    deals_sql = _deals_select(plan, process, wide)
    history_sql = _history_select(plan, process)
    summary = Summary()
    for batch in simulate(plan, deals, seed, as_of, months):
        con.register("batch", _deal_columns(batch, plan, process, wide))
        deal_sink.add(con, deals_sql)
        rows = 0
        if history_sink is not None:
            table = history(plan, batch)
            con.register("batch", table)
            history_sink.add(con, history_sql)
            rows = len(table["key"])
        summary.add(batch, rows)
    for sink in (deal_sink, history_sink):
        if sink is not None:
            summary.paths.append(sink.close(con))
    return summary


class Sink:
    """One output file fed chunk by chunk: CSV chunks are appended, Parquet parts merged."""

    def __init__(self, path: Path, fmt: Format) -> None:
        self.path, self.fmt = path, fmt
        self.parts: list[Path] = []

    def add(self, con: duckdb.DuckDBPyConnection, select: str) -> None:
        part = self.path.with_name(f".{self.path.name}.part{len(self.parts)}")
        header = not self.parts
        target = self.path if header and self.fmt == "csv" else part
        con.execute(f"COPY ({select}) TO {_text(str(target))} ({_options(self.fmt, header)})")
        if self.fmt == "csv" and not header:
            with self.path.open("ab") as whole, part.open("rb") as piece:
                shutil.copyfileobj(piece, whole, 1 << 20)
            part.unlink()
        self.parts.append(part)

    def close(self, con: duckdb.DuckDBPyConnection) -> Path:
        if self.fmt == "parquet":
            if len(self.parts) == 1:
                self.parts[0].replace(self.path)
            else:
                files = "[" + ", ".join(_text(str(p)) for p in self.parts) + "]"
                options = _options("parquet", True)
                con.execute(
                    f"COPY (FROM read_parquet({files})) TO {_text(str(self.path))} ({options})"
                )
                for part in self.parts:
                    part.unlink()
        return self.path


def _options(fmt: Format, header: bool) -> str:
    if fmt == "parquet":
        return "FORMAT parquet, COMPRESSION zstd"
    return f"FORMAT csv, HEADER {str(header).lower()}, DELIMITER ',', QUOTE '\"', NULLSTR ''"


def _connect(plan: Plan) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"preserve_insertion_order": True, "memory_limit": "1GB"})
    digits = [
        f"substr({_text(ALPHABET)}, CAST((k // {len(ALPHABET) ** p}) % {len(ALPHABET)} AS INTEGER)"
        " + 1, 1)"
        for p in reversed(range(ID_LENGTH))
    ]
    con.execute(f"CREATE MACRO deal_id(k) AS {' || '.join(digits)}")
    con.execute(
        f"CREATE MACRO day(d) AS CASE WHEN d = {MISSING} THEN NULL ELSE DATE '1970-01-01' + d END"
    )
    con.execute(
        "CREATE MACRO cents(a) AS CASE WHEN a < 0 THEN NULL ELSE CAST(a AS DECIMAL(18, 2)) END"
    )
    con.execute("CREATE MACRO pick(list, i) AS CASE WHEN i < 0 THEN NULL ELSE list[i + 1] END")
    return con


def _deal_columns(deals: Deals, plan: Plan, process: Process, wide: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {
        name: getattr(deals, name)
        for name in ("key", "label", "amount", "created", "closed", "owner", "source", "segment")
    }
    columns["lost_stage"] = np.where(deals.status == LOST, deals.stage, -1).astype(np.int8)
    columns["reason"] = deals.reason
    if wide:
        for sid in process.data.stage_dates:
            columns[f"entered_{sid}"] = np.ascontiguousarray(deals.entered[plan.ids.index(sid)])
    return columns


def _deals_select(plan: Plan, process: Process, wide: bool) -> str:
    names = process.data.columns
    fields = [
        f"deal_id(key) AS {_name(names.id)}",
        f"pick({_texts(plan.labels)}, label) AS {_name(names.stage)}",
        f"cents(amount) AS {_name(names.amount)}",
        f"day(created) AS {_name(names.created)}",
        f"day(closed) AS {_name(names.closed)}",
        f"pick({_texts(REPS)}, owner) AS {_name(names.owner)}",
        f"pick({_texts(SOURCES)}, source) AS source",
        f"pick({_texts(SEGMENTS)}, segment) AS segment",
        f"pick({_texts(plan.ids)}, lost_stage) AS {_name(names.lost_stage)}",
        f"pick({_texts(plan.reasons or ('',))}, reason) AS lost_reason",
    ]
    if wide:
        fields += [
            f"day({_name('entered_' + sid)}) AS {_name(column)}"
            for sid, column in process.data.stage_dates.items()
        ]
    return "SELECT " + ", ".join(fields) + " FROM batch"


def _history_select(plan: Plan, process: Process) -> str:
    names = process.data.history_columns
    labels = _texts(history_labels(plan))
    return (
        f"SELECT deal_id(key) AS {_name(names.deal)},"
        f" pick({labels}, label) AS {_name(names.stage)},"
        f" day(entered) AS {_name(names.entered)} FROM batch"
    )


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _texts(values: Sequence[str]) -> str:
    return "[" + ", ".join(_text(v) for v in values) + "]"


def _name(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


# --- command line -----------------------------------------------------------------------------


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--process", type=Path, required=True, help="process file (YAML)")
    parser.add_argument("--deals", type=_positive, required=True, help="number of deals")
    parser.add_argument("--seed", type=int, required=True, help="random seed")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 10, 31))
    parser.add_argument("--months", type=_positive, default=12, help="months of deal creation")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--no-history", action="store_true", help="skip stage_history")
    parser.add_argument("--no-wide", action="store_true", help="skip the per-stage date columns")
    return parser.parse_args(argv)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        loaded = load_process(str(args.process))
    except SalesflowError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    if loaded.process is None:
        for issue in loaded.errors:
            print(issue.render(), file=sys.stderr)
        return EXIT_INPUT
    summary = write(
        loaded.process,
        args.out,
        args.deals,
        args.seed,
        args.as_of,
        args.months,
        fmt=args.format,
        history_table=not args.no_history,
        wide=not args.no_wide,
    )
    print(
        f"{summary.deals:,} deals ({summary.won:,} won, {summary.lost:,} lost,"
        f" {summary.open:,} open), {summary.history_rows:,} history rows:"
        f" {', '.join(str(p) for p in summary.paths)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
