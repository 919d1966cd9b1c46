"""What reading a CRM export as it comes costs: the same deals as a plain CSV and in the layouts
of real exports, each timed through `salesflow analyze`, in one run.

    python benchmarks/exports.py [--deals 1000000] [--runs 3] [--seed 7] [--dir DIR] [--keep]
        [--baseline-src DIR]

The deals are generated once (benchmarks/generate.py: current stage only, no wide date columns,
ISO dates, plain amounts), then rewritten by DuckDB into the layouts below. Every layout holds
the same deals, so salesflow's counts of won, lost and open deals must be equal on all of them
(checked each run; a difference is printed as a MISMATCH and the script exits 1).

- **plain**: the generated CSV, read with the example process (no `stage_dates`).
- **salesforce**: Salesforce report column names, `m/d/yyyy` dates (`Created Date`) and
  `m/d/yyyy h:mm AM` times (`Close Date`), a quarter of the amounts in EUR (`Amount Currency`
  column, converted by `data.rates`), the report's footer lines: `data.preset: salesforce`.
- **pipedrive-eu**: Pipedrive column names, European amounts (`1.234,56`, declared by
  `data.number_format`), `dd.mm.yyyy HH:MM` dates, a status column with 2% extra rows marked
  `deleted` (ignored by the preset) and a second pipeline whose rows `data.pipeline` leaves out.

The issue's limit: presets and checks cost at most 15% on 1M deals, i.e. each layout's median
within 1.15x of plain. With `--baseline-src` (the `src` folder of an older checkout) the plain file
is also timed with that code, to show what the checks added to plain reads.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import analyze as bench
import duckdb
from ruamel.yaml import YAML

from salesflow.loader import load_process

ROOT = Path(__file__).resolve().parent.parent
PROCESS = ROOT / "examples" / "process.yaml"
AS_OF = date(2026, 10, 31)
LIMIT = 1.15
FOOTER = (
    '\n"Confidential Information - Do Not Distribute"\n'
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
)

SALESFORCE = """
COPY (
    SELECT deal_id AS "Opportunity ID", stage AS "Stage", owner AS "Opportunity Owner",
        CASE WHEN hash(deal_id) % 4 = 0 THEN round(amount / 1.08, 2) ELSE amount END AS "Amount",
        CASE WHEN amount IS NULL THEN NULL
             WHEN hash(deal_id) % 4 = 0 THEN 'EUR' ELSE 'USD' END AS "Amount Currency",
        strftime(CAST(created_at AS TIMESTAMP), '%-m/%-d/%Y') AS "Created Date",
        strftime(CAST(closed_at AS TIMESTAMP) + INTERVAL 18 HOUR + INTERVAL 41 MINUTE,
                 '%-m/%-d/%Y %-I:%M %p') AS "Close Date"
    FROM read_csv('{plain}', all_varchar = false)
) TO '{target}' (HEADER, DELIMITER ',')
"""

PIPEDRIVE = """
COPY (
    WITH deals AS (
        SELECT deal_id, stage, owner, amount, created_at, closed_at,
            CASE WHEN stage IN ({won}) THEN 'won' WHEN stage IN ({lost}) THEN 'lost'
                 ELSE 'open' END AS status,
            'Sales' AS pipeline
        FROM read_csv('{plain}', all_varchar = false)
    ), extra AS (
        SELECT 'del-' || deal_id AS deal_id, stage, owner, amount, created_at, closed_at,
            'deleted' AS status, 'Sales' AS pipeline
        FROM deals WHERE hash(deal_id) % 50 = 0
        UNION ALL
        SELECT 'ren-' || deal_id, stage, owner, amount, created_at, closed_at, status, 'Renewals'
        FROM deals WHERE hash(deal_id) % 10 = 1
    )
    SELECT deal_id AS "Deal - ID", stage AS "Deal - Stage", status AS "Deal - Status",
        replace(replace(replace(printf('%,.2f', amount), ',', ' '), '.', ','), ' ', '.')
            AS "Deal - Value",
        'USD' AS "Deal - Currency", owner AS "Deal - Owner", pipeline AS "Deal - Pipeline",
        strftime(CAST(created_at AS TIMESTAMP), '%d.%m.%Y %H:%M') AS "Deal - Deal created",
        CASE WHEN status = 'won' THEN strftime(CAST(closed_at AS TIMESTAMP), '%d.%m.%Y %H:%M')
             END AS "Deal - Won time",
        CASE WHEN status = 'lost' THEN strftime(CAST(closed_at AS TIMESTAMP), '%d.%m.%Y %H:%M')
             END AS "Deal - Lost time"
    FROM (SELECT * FROM deals UNION ALL SELECT * FROM extra)
) TO '{target}' (HEADER, DELIMITER ',')
"""


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "sf-exports")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--baseline-src", type=Path, default=None)
    parser.add_argument("--quiet-wait", type=float, default=60.0)
    return parser.parse_args(argv)


def generate(folder: Path, deals: int, seed: int) -> Path:
    """The plain CSV, from the example process (reused when already there)."""
    from generate import write  # benchmarks/generate.py

    target = folder / "plain" / "deals.csv"
    if not target.is_file():
        process = load_process(str(PROCESS)).process
        write(process, target.parent, deals, seed, AS_OF, 12, history_table=False, wide=False)
    return target


def process_file(target: Path, data: dict[str, Any]) -> Path:
    """The example process with its `data` section replaced."""
    yaml = YAML()
    document = yaml.load(PROCESS.read_text(encoding="utf-8"))
    document["data"] = data
    with target.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle)
    return target


def layouts(folder: Path, plain: Path) -> dict[str, tuple[Path, Path]]:
    """Each layout's process file and deals file."""
    process = load_process(str(PROCESS)).process
    outcomes = process.outcomes
    won = ", ".join(f"'{label}'" for label in (outcomes.won.name, *outcomes.won.aliases))
    lost = ", ".join(f"'{label}'" for label in (outcomes.lost.name, *outcomes.lost.aliases))
    salesforce = folder / "salesforce.csv"
    pipedrive = folder / "pipedrive.csv"
    con = duckdb.connect()
    if not salesforce.is_file():
        con.execute(SALESFORCE.format(plain=plain, target=salesforce))
        with salesforce.open("a", encoding="utf-8") as handle:
            handle.write(FOOTER)
    if not pipedrive.is_file():
        con.execute(PIPEDRIVE.format(plain=plain, target=pipedrive, won=won, lost=lost))
    return {
        "plain": (process_file(folder / "plain.yaml", {}), plain),
        "salesforce": (
            process_file(
                folder / "salesforce.yaml", {"preset": "salesforce", "rates": {"EUR": 1.08}}
            ),
            salesforce,
        ),
        "pipedrive-eu": (
            process_file(
                folder / "pipedrive.yaml",
                {"preset": "pipedrive", "pipeline": "Sales", "number_format": "1.234,56"},
            ),
            pipedrive,
        ),
    }


def command(process: Path, deals: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "salesflow",
        "analyze",
        "-p",
        str(process),
        "--deals",
        str(deals),
        "--format",
        "json",
        "-q",
    ]


def counts(result: dict[str, Any]) -> tuple[int, int, int]:
    deals = result["deals"]
    return deals["won"], deals["lost"], deals["open"]


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    folder = bench.scratch_directory(args.dir)
    print(f"{bench.machine()}; data in {folder}")
    plain = generate(folder, args.deals, args.seed)
    commands = {
        name: (command(process, deals), args.runs)
        for name, (process, deals) in layouts(folder, plain).items()
    }
    if args.baseline_src is not None:
        env_command = ["env", f"PYTHONPATH={args.baseline_src.resolve()}", *commands["plain"][0]]
        commands["plain-old"] = (env_command, args.runs)
    try:
        timings = bench.timed(commands, ROOT, args.quiet_wait)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    reference = counts(timings["plain"].result)
    failed = False
    print()
    print("| layout | median (s) | vs plain | peak | won / lost / open |")
    print("|---|---:|---:|---:|---|")
    for name, timing in timings.items():
        ratio = timing.median / timings["plain"].median
        found = counts(timing.result)
        mark = "" if found == reference else "  MISMATCH"
        failed |= bool(mark)
        print(
            f"| {name} | {timing.median:.2f} | {ratio:.2f}x | {bench.gib(timing.peak_rss)} | "
            f"{' / '.join(f'{n:,}' for n in found)}{mark} |"
        )
        if name not in ("plain", "plain-old") and ratio > LIMIT:
            print(f"  {name}: over the {LIMIT:.2f}x limit")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
