"""`salesflow schema`: print or write the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

from salesflow.model.schema import process_schema_text
from tests.helpers import assert_clean_exit, invoke


def test_prints_json_schema() -> None:
    result = invoke("schema")
    assert_clean_exit(result)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "$schema" in schema
    assert "properties" in schema
    assert {"salesflow", "name", "stages"} <= set(schema["properties"])
    assert result.stdout == process_schema_text()


def test_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "process.schema.json"
    result = invoke("schema", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["properties"]


def test_rewriting_the_same_content_is_fine(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert invoke("schema", "-o", str(target)).exit_code == 0
    assert invoke("schema", "-o", str(target)).exit_code == 0


def test_refuses_to_overwrite_a_different_file(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text("mine\n", encoding="utf-8")
    result = invoke("schema", "--output", str(target))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_force_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text("mine\n", encoding="utf-8")
    result = invoke("schema", "-o", str(target), "--force")
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8") == process_schema_text()
    assert [p.name for p in tmp_path.iterdir()] == ["schema.json"]  # no temporary files left


def test_unwritable_target_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = invoke("schema", "-o", str(blocker / "schema.json"))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stderr.startswith("salesflow: error: cannot write")


def test_directory_as_target_is_refused(tmp_path: Path) -> None:
    result = invoke("schema", "-o", str(tmp_path), "--force")
    assert_clean_exit(result)
    assert result.exit_code == 2
