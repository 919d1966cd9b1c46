"""`salesflow validate` runs on every commit: it must not pay for the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("duckdb", "numpy", "jinja2", "pandas", "rich")

PROBE = """
import json, sys
sys.argv = ["salesflow", "validate", sys.argv[1]]
from salesflow.cli.app import app
try:
    app(prog_name="salesflow")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def test_validate_imports_no_heavy_library() -> None:
    example = str(ROOT / "examples" / "process.yaml")
    run = subprocess.run(
        [sys.executable, "-c", PROBE, example], capture_output=True, text=True, check=False
    )
    result = json.loads(run.stderr.strip().splitlines()[-1])
    assert result["code"] == 0
    loaded = {name.split(".")[0] for name in result["modules"]}
    assert not loaded & set(HEAVY), f"validate imported {sorted(loaded & set(HEAVY))}"
