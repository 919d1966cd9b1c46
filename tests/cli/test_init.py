"""`salesflow init [DIR]`: the starter files, and never losing a user's file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import STARTER, assert_clean_exit, invoke


def test_writes_the_starter_files(tmp_path: Path) -> None:
    target = tmp_path / "new" / "sales"
    result = invoke("init", str(target))
    assert_clean_exit(result)
    assert result.exit_code == 0
    assert sorted(p.name for p in target.iterdir()) == ["process.yaml", "salesflow.toml"]
    assert (target / "process.yaml").read_text(encoding="utf-8") == STARTER.read_text("utf-8")
    assert 'process = "process.yaml"' in (target / "salesflow.toml").read_text(encoding="utf-8")
    assert result.stdout == ""
    assert "created" in result.stderr


def test_quiet(tmp_path: Path) -> None:
    result = invoke("init", "-q", str(tmp_path))
    assert result.exit_code == 0
    assert result.output == ""


def test_the_written_process_validates_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    monkeypatch.chdir(tmp_path)  # found through the salesflow.toml that init wrote
    result = invoke("validate", "--format", "json", "--strict")
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["summary"] == {"files": 1, "errors": 0, "warnings": 0}
    assert Path(document["files"][0]["file"]).resolve() == (tmp_path / "process.yaml").resolve()


def test_default_directory_is_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init").exit_code == 0
    assert (tmp_path / "process.yaml").is_file()
    assert (tmp_path / "salesflow.toml").is_file()


def test_second_init_refuses_and_leaves_the_files_untouched(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    (tmp_path / "process.yaml").write_text("# my edits\n", encoding="utf-8")
    (tmp_path / "salesflow.toml").write_text("# mine\n", encoding="utf-8")
    result = invoke("init", str(tmp_path))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert (tmp_path / "process.yaml").read_text(encoding="utf-8") == "# my edits\n"
    assert (tmp_path / "salesflow.toml").read_text(encoding="utf-8") == "# mine\n"


@pytest.mark.parametrize("existing", ["process.yaml", "salesflow.toml"])
def test_one_existing_file_blocks_both(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_text("mine\n", encoding="utf-8")
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 2
    assert existing in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [existing]
    assert (tmp_path / existing).read_text(encoding="utf-8") == "mine\n"


def test_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "process.yaml").write_text("mine\n", encoding="utf-8")
    result = invoke("init", "--force", str(tmp_path))
    assert result.exit_code == 0
    assert (tmp_path / "process.yaml").read_text(encoding="utf-8") == STARTER.read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["process.yaml", "salesflow.toml"]


def test_target_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("x", encoding="utf-8")
    for target in (blocker, blocker / "below"):
        result = invoke("init", str(target))
        assert_clean_exit(result)
        assert result.exit_code == 2
        assert "not a directory" in result.stderr
    assert blocker.read_text(encoding="utf-8") == "x"


def test_a_dangling_link_in_the_way_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "process.yaml").symlink_to(tmp_path / "nowhere.yaml")
    result = invoke("init", str(tmp_path))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert (tmp_path / "process.yaml").is_symlink()


@pytest.mark.parametrize(
    ("crm", "first_stage", "stages"),
    [
        ("hubspot", "Appointment Scheduled", 5),
        ("salesforce", "Prospecting", 8),
        ("pipedrive", "Qualified", 5),
    ],
)
def test_crm_starter_validates_with_its_preset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crm: str, first_stage: str, stages: int
) -> None:
    assert invoke("init", "--crm", crm, str(tmp_path)).exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "--format", "json", "--strict")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["summary"] == {"files": 1, "errors": 0, "warnings": 0}
    text = (tmp_path / "process.yaml").read_text(encoding="utf-8")
    assert f"  preset: {crm}\n" in text
    assert f"name: {first_stage}\n" in text
    assert text.count("  - id: ") == stages + 1  # and the role


def test_hubspot_starter_aliases_the_internal_stage_ids(tmp_path: Path) -> None:
    assert invoke("init", "--crm", "hubspot", str(tmp_path)).exit_code == 0
    text = (tmp_path / "process.yaml").read_text(encoding="utf-8")
    assert "aliases: [decisionmakerboughtin]" in text
    assert "aliases: [Won, Closed Won, closedwon]" in text


def test_unknown_crm_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    result = invoke("init", "--crm", "zoho", str(tmp_path / "new"))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stderr == "salesflow: error: --crm zoho: choose hubspot, salesforce, pipedrive\n"
    assert not (tmp_path / "new").exists()


def test_plain_starter_names_no_columns(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    text = (tmp_path / "process.yaml").read_text(encoding="utf-8")
    assert "\ndata:" not in text
    assert "# data:\n#   columns:" in text
