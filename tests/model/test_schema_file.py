"""The committed JSON Schema must match the models, and the example must point editors at it."""

from __future__ import annotations

import json
from pathlib import Path

from salesflow.model.schema import process_schema, process_schema_text

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema" / "process.schema.json"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == process_schema_text(), (
        "schema/process.schema.json is stale: run `salesflow schema -o schema/process.schema.json"
        " --force` and commit it"
    )


def test_schema_describes_the_format() -> None:
    schema = process_schema()
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["required"]) == {"salesflow", "name", "stages"}
    assert schema["properties"]["salesflow"]["const"] == 1
    assert schema["additionalProperties"] is False
    json.dumps(schema)  # serialisable


def test_example_carries_the_editor_modeline() -> None:
    first_line = (ROOT / "examples" / "process.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schema/process.schema.json"
    assert (ROOT / "examples" / "../schema/process.schema.json").resolve() == COMMITTED
