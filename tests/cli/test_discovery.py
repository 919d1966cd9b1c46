"""`salesflow validate` without FILE: the process file comes from configuration
(docs/configuration.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import VALID_PROCESS, assert_clean_exit, invoke, write

BROKEN = VALID_PROCESS.replace("owner: ae", "owner: se", 1)


def checked_file(*args: str, env: dict[str, str] | None = None) -> Path:
    """The file `validate` checked (resolved), from its JSON output."""
    result = invoke("validate", "--format", "json", *args, env=env)
    assert_clean_exit(result)
    assert result.exit_code in (0, 1), result.output
    return Path(json.loads(result.stdout)["files"][0]["file"]).resolve()


def test_salesflow_toml_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write(tmp_path, "flows/sales.yaml", VALID_PROCESS)
    write(tmp_path, "salesflow.toml", 'process = "flows/sales.yaml"\n')
    monkeypatch.chdir(tmp_path)
    assert checked_file() == target.resolve()


def test_salesflow_toml_table_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path, "sales.yaml", VALID_PROCESS)
    write(tmp_path, "salesflow.toml", '[salesflow]\nprocess = "sales.yaml"\n')
    monkeypatch.chdir(tmp_path)
    assert checked_file() == target.resolve()


def test_relative_paths_in_config_are_shown_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "flows/sales.yaml", BROKEN)
    write(tmp_path, "salesflow.toml", 'process = "flows/sales.yaml"\n')
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert result.exit_code == 1
    assert result.stdout.startswith("flows/sales.yaml:9:12: error unknown-owner:")


def test_pyproject_in_a_parent_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path, "sales/process.yaml", VALID_PROCESS)
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.salesflow]\nprocess = "sales/process.yaml"\n',
    )
    subdirectory = tmp_path / "src" / "deep"
    subdirectory.mkdir(parents=True)
    monkeypatch.chdir(subdirectory)
    assert checked_file() == target.resolve()


def test_process_yaml_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write(tmp_path, "process.yaml", VALID_PROCESS)
    monkeypatch.chdir(tmp_path)
    assert checked_file() == target.resolve()


def test_environment_wins_over_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "configured.yaml", BROKEN)
    from_env = write(tmp_path, "from-env.yaml", VALID_PROCESS)
    write(tmp_path, "salesflow.toml", 'process = "configured.yaml"\n')
    monkeypatch.chdir(tmp_path)
    assert checked_file(env={"SALESFLOW_PROCESS": str(from_env)}) == from_env.resolve()


def test_flag_wins_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from_env = write(tmp_path, "from-env.yaml", BROKEN)
    flagged = write(tmp_path, "flagged.yaml", VALID_PROCESS)
    monkeypatch.chdir(tmp_path)
    env = {"SALESFLOW_PROCESS": str(from_env)}
    assert checked_file("-p", str(flagged), env=env) == flagged.resolve()


def test_configured_file_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "salesflow.toml", 'process = "gone.yaml"\n')
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "gone.yaml:1:1: error file-not-found: no such file" in result.stdout


def test_nothing_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("salesflow: error: no process file")
    assert len(result.stderr.splitlines()) == 1


def test_invalid_config_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "salesflow.toml", "process = \n")
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "salesflow.toml: invalid TOML" in result.stderr


def test_repository_pyproject_points_at_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh clone: `salesflow validate` with no flags checks examples/process.yaml."""
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    assert checked_file() == (root / "examples" / "process.yaml").resolve()
