"""Start-up cost of `salesflow validate` against the libraries it cannot avoid.

Times `salesflow validate examples/process.yaml` and `python -c "import typer, pydantic,
ruamel.yaml"` over repeated, interleaved runs and prints both medians and their ratio.
Target (issue 2): ratio under 1.3, never above 1.5.

    python benchmarks/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VALIDATE = [sys.executable, "-m", "salesflow", "validate", str(ROOT / "examples" / "process.yaml")]
BASELINE = [sys.executable, "-c", "import typer, pydantic, ruamel.yaml"]


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    wall_time(VALIDATE)  # warm the file cache and the bytecode
    wall_time(BASELINE)
    validate, baseline = [], []
    for _ in range(runs):
        validate.append(wall_time(VALIDATE))
        baseline.append(wall_time(BASELINE))
    v, b = statistics.median(validate), statistics.median(baseline)
    print(f"salesflow validate examples/process.yaml  median {v * 1000:6.1f} ms  ({runs} runs)")
    print(f"import typer, pydantic, ruamel.yaml       median {b * 1000:6.1f} ms  ({runs} runs)")
    print(f"ratio {v / b:.2f} (target < 1.3, limit 1.5)")


if __name__ == "__main__":
    main()
