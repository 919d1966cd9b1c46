"""Helpers shared by the tests: running the CLI and small process documents."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from salesflow.cli.app import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "process.yaml"
STARTER = REPO / "src" / "salesflow" / "cli" / "starter" / "process.yaml"

ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Every issue code salesflow reports, by kind.
SEMANTIC_CODES = frozenset(
    {
        "duplicate-id",
        "unknown-owner",
        "unknown-role",
        "duplicate-member",
        "duplicate-alias",
        "unknown-stage",
        "unknown-exit-criterion",
        "probability-order",
        "missing-exit-criteria",
        "invalid-id",  # also a schema code: the semantic check reserves `won` and `lost`
    }
)
SCHEMA_CODES = frozenset(
    {
        "unknown-key",
        "missing-key",
        "invalid-type",
        "invalid-value",
        "invalid-id",
        "out-of-range",
        "unsupported-version",
    }
)
FILE_CODES = frozenset(
    {
        "yaml-syntax",
        "duplicate-key",
        "empty-file",
        "not-a-mapping",
        "not-utf8",
        "file-too-large",
        "file-not-found",
        "file-unreadable",
        "too-many-values",
        "alias-cycle",
        "too-deep",
    }
)
ALL_CODES = SEMANTIC_CODES | SCHEMA_CODES | FILE_CODES

VALID_PROCESS = """\
salesflow: 1
name: Minimal process
roles:
  - id: ae
    title: Account Executive
stages:
  - id: discovery
    name: Discovery
    owner: ae
    exit_criteria: [Need confirmed]
    expected: {conversion: 0.5, days: 10}
    probability: 0.2
  - id: proposal
    name: Proposal
    owner: ae
    exit_criteria: [Proposal accepted]
    expected: {conversion: 0.6, days: 14}
    probability: 0.5
"""

VALID_DOCUMENT: dict[str, Any] = {
    "salesflow": 1,
    "name": "Minimal process",
    "roles": [{"id": "ae", "title": "Account Executive"}],
    "stages": [
        {
            "id": "discovery",
            "name": "Discovery",
            "owner": "ae",
            "exit_criteria": ["Need confirmed"],
            "expected": {"conversion": 0.5, "days": 10},
            "probability": 0.2,
            "aliases": ["Discovery Call"],
        },
        {
            "id": "proposal",
            "name": "Proposal",
            "owner": "ae",
            "exit_criteria": ["Proposal accepted"],
            "expected": {"conversion": 0.6, "days": 14},
            "probability": 0.5,
        },
    ],
    "outcomes": {
        "won": {"name": "Closed Won", "aliases": ["Won"]},
        "lost": {"name": "Closed Lost", "aliases": ["Lost"], "reasons": ["No budget"]},
    },
    "data": {"stage_dates": {"discovery": "discovery_date"}},
}


def invoke(
    *args: str,
    input: str | bytes | None = None,
    env: Mapping[str, str | None] | None = None,
    color: bool = False,
    catch_exceptions: bool = True,
) -> Result:
    """Run `salesflow ARGS` in-process; stdout and stderr stay separate."""
    return CliRunner().invoke(
        app,
        list(args),
        input=input,
        env=env,
        color=color,
        catch_exceptions=catch_exceptions,
    )


def assert_clean_exit(result: Result) -> None:
    """No traceback and no exception other than the normal exit."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def validate_json(*args: str, input: str | bytes | None = None) -> tuple[Result, dict[str, Any]]:
    result = invoke("validate", *args, "--format", "json", input=input)
    assert_clean_exit(result)
    return result, json.loads(result.stdout)


def issues_of(document: dict[str, Any], index: int = 0) -> list[dict[str, Any]]:
    return list(document["files"][index]["issues"])


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
