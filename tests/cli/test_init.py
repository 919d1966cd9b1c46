"""`salesflow init [DIR]`: the starter files, the CI set-up, and never losing a user's file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from salesflow import __version__
from salesflow.cli import scaffold
from salesflow.cli.init import CRMS, Crm
from salesflow.model.schema import process_schema_text
from tests.helpers import REPO, STARTER, assert_clean_exit, invoke

BASIC = ["process.yaml", "salesflow.toml", "process.schema.json"]
CI = ["HANDBOOK.md", ".pre-commit-config.yaml", ".github/workflows/salesflow.yml"]
MODELINE = "# yaml-language-server: $schema=process.schema.json\n"


def written(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def test_writes_the_starter_and_the_ci_files(tmp_path: Path) -> None:
    target = tmp_path / "new" / "sales"
    result = invoke("init", str(target))
    assert_clean_exit(result)
    assert result.exit_code == 0
    assert written(target) == sorted(BASIC + CI)
    assert (target / "process.yaml").read_text(encoding="utf-8") == STARTER.read_text("utf-8")
    assert 'process = "process.yaml"' in (target / "salesflow.toml").read_text(encoding="utf-8")
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        *(f"created {target / name}" for name in BASIC + CI),
        "next: edit process.yaml, then run `salesflow validate` "
        "(and `pre-commit install` to check every commit)",
    ]


def test_the_modeline_names_the_schema_written_beside_it(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    process = (tmp_path / "process.yaml").read_text(encoding="utf-8")
    assert process.startswith(MODELINE)
    schema = MODELINE.split("$schema=")[1].strip()
    assert (tmp_path / schema).read_text(encoding="utf-8") == process_schema_text()


@pytest.mark.parametrize("crm", CRMS)
def test_every_starter_opens_with_the_modeline(crm: str) -> None:
    assert scaffold.starter(f"{crm}.yaml").startswith(MODELINE)


def test_no_ci_writes_the_three_starter_files_only(tmp_path: Path) -> None:
    result = invoke("init", "--no-ci", str(tmp_path))
    assert result.exit_code == 0
    assert written(tmp_path) == sorted(BASIC)
    assert result.stderr.splitlines()[-1] == (
        "next: edit process.yaml, then run `salesflow validate`"
    )


def test_quiet(tmp_path: Path) -> None:
    result = invoke("init", "-q", str(tmp_path))
    assert result.exit_code == 0
    assert result.output == ""


def test_the_written_process_validates_and_the_handbook_is_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the workflow checks passes on the first push: validate --strict and the handbook."""
    assert invoke("init", str(tmp_path)).exit_code == 0
    monkeypatch.chdir(tmp_path)  # found through the salesflow.toml that init wrote
    result = invoke("validate", "--format", "json", "--strict")
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["summary"] == {"files": 1, "errors": 0, "warnings": 0}
    assert Path(document["files"][0]["file"]).resolve() == (tmp_path / "process.yaml").resolve()
    check = invoke("onboard", "--check", "--no-data", "--output", "HANDBOOK.md")
    assert check.exit_code == 0, check.stderr
    assert check.output == ""


def test_the_workflow_runs_the_three_jobs_with_the_action(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    workflow = load_yaml(tmp_path / ".github/workflows/salesflow.yml")
    assert set(workflow["on"]) == {"push", "pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    action = f"OWNER/salesflow@v{__version__}"
    inputs = {
        name: [step["with"] for step in job["steps"] if step.get("uses") == action]
        for name, job in jobs.items()
    }
    assert inputs == {
        "validate": [{"command": "validate", "process": "process.yaml"}],
        "diff": [{"command": "diff", "process": "process.yaml", "fail-on": "none"}],
        "handbook": [
            {"command": "onboard-check", "process": "process.yaml", "handbook": "HANDBOOK.md"}
        ],
    }
    assert jobs["diff"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["diff"]["permissions"]["pull-requests"] == "write"
    assert jobs["diff"]["steps"][0] == {
        "uses": "actions/checkout@v5",
        "with": {"fetch-depth": 0},
    }
    for job in jobs.values():
        assert job["steps"][0]["uses"] == "actions/checkout@v5"


def test_the_pre_commit_config_uses_the_hook_salesflow_ships(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    config = load_yaml(tmp_path / ".pre-commit-config.yaml")
    hooks = {hook["id"]: hook for hook in load_yaml(REPO / ".pre-commit-hooks.yaml")}
    assert list(config) == ["repos"]
    (repository,) = config["repos"]
    assert repository == {
        "repo": "https://github.com/OWNER/salesflow",
        "rev": f"v{__version__}",
        "hooks": [{"id": "salesflow-validate"}],
    }
    hook = hooks["salesflow-validate"]
    assert hook["entry"] == "salesflow validate"
    assert hook["language"] == "python"
    # the hook's file pattern picks up the process file that init wrote
    assert re.search(hook["files"], "process.yaml")
    assert re.search(hook["files"], "sales/process.yaml")
    assert not re.search(hook["files"], "process.yaml.bak")


def test_inside_a_repository_the_ci_files_go_to_its_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    result = invoke("init", "../teams/emea sales")
    assert result.exit_code == 0, result.stderr
    assert written(tmp_path / "teams") == sorted(
        f"emea sales/{name}" for name in [*BASIC, "HANDBOOK.md"]
    )
    assert (tmp_path / ".pre-commit-config.yaml").is_file()
    assert "created ../.github/workflows/salesflow.yml" in result.stderr.splitlines()
    workflow = load_yaml(tmp_path / ".github/workflows/salesflow.yml")
    handbook = workflow["jobs"]["handbook"]["steps"][1]["with"]
    assert handbook["process"] == "teams/emea sales/process.yaml"
    assert handbook["handbook"] == "teams/emea sales/HANDBOOK.md"


def test_default_directory_is_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("init")
    assert result.exit_code == 0
    assert written(tmp_path) == sorted(BASIC + CI)
    assert "created .github/workflows/salesflow.yml" in result.stderr.splitlines()


def test_second_init_names_every_existing_file_and_writes_nothing(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    (tmp_path / "process.yaml").write_text("# my edits\n", encoding="utf-8")
    (tmp_path / "salesflow.toml").write_text("# mine\n", encoding="utf-8")
    result = invoke("init", str(tmp_path))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        *(f"salesflow: error: {tmp_path / name} already exists" for name in BASIC + CI),
        "salesflow: nothing written; use --force to overwrite",
    ]
    assert (tmp_path / "process.yaml").read_text(encoding="utf-8") == "# my edits\n"
    assert (tmp_path / "salesflow.toml").read_text(encoding="utf-8") == "# mine\n"


@pytest.mark.parametrize("existing", [*BASIC, *CI])
def test_one_existing_file_blocks_all(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n", encoding="utf-8")
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first == f"salesflow: error: {tmp_path / existing} already exists"
    assert written(tmp_path) == [existing]
    assert (tmp_path / existing).read_text(encoding="utf-8") == "mine\n"


def test_an_existing_pre_commit_config_suggests_no_ci(tmp_path: Path) -> None:
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    refused = invoke("init", str(tmp_path))
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[-1] == (
        "salesflow: nothing written; use --force to overwrite "
        "(or --no-ci to leave out the CI files)"
    )
    assert invoke("init", "--no-ci", str(tmp_path)).exit_code == 0
    assert written(tmp_path) == sorted([*BASIC, ".pre-commit-config.yaml"])
    assert (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8") == "repos: []\n"


def test_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "process.yaml").write_text("mine\n", encoding="utf-8")
    (tmp_path / "HANDBOOK.md").write_text("mine\n", encoding="utf-8")
    result = invoke("init", "--force", str(tmp_path))
    assert result.exit_code == 0
    assert (tmp_path / "process.yaml").read_text(encoding="utf-8") == STARTER.read_text("utf-8")
    assert (tmp_path / "HANDBOOK.md").read_text(encoding="utf-8").startswith("<!-- generated by")
    assert written(tmp_path) == sorted(BASIC + CI)


def test_target_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("x", encoding="utf-8")
    for target in (blocker, blocker / "below"):
        result = invoke("init", str(target))
        assert_clean_exit(result)
        assert result.exit_code == 2
        assert result.stderr == f"salesflow: error: {blocker} is a file, not a directory\n"
    assert blocker.read_text(encoding="utf-8") == "x"


def test_a_dangling_link_in_the_way_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "process.yaml").symlink_to(tmp_path / "nowhere.yaml")
    result = invoke("init", str(tmp_path))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert f"salesflow: error: {tmp_path / 'process.yaml'} already exists" in result.stderr
    assert (tmp_path / "process.yaml").is_symlink()


@pytest.mark.parametrize(
    ("crm", "first_stage", "stages"),
    [
        ("hubspot", "Appointment Scheduled", 5),
        ("Salesforce", "Prospecting", 8),  # the name in any case
        ("pipedrive", "Qualified", 5),
    ],
)
def test_crm_starter_validates_with_its_preset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crm: str, first_stage: str, stages: int
) -> None:
    assert invoke("init", "--no-ci", "--crm", crm, str(tmp_path)).exit_code == 0
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "--format", "json", "--strict")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["summary"] == {"files": 1, "errors": 0, "warnings": 0}
    text = (tmp_path / "process.yaml").read_text(encoding="utf-8")
    assert f"  preset: {crm.lower()}\n" in text
    assert f"name: {first_stage}\n" in text
    assert text.count("  - id: ") == stages + 1  # and the role


def test_the_crm_choices_are_the_starters() -> None:
    from typing import get_args

    assert get_args(Crm) == CRMS
    for crm in CRMS:
        assert scaffold.starter_name(crm) == f"{crm}.yaml"
        assert scaffold.starter(f"{crm}.yaml")


def test_hubspot_starter_aliases_the_internal_stage_ids(tmp_path: Path) -> None:
    assert invoke("init", "--no-ci", "--crm", "hubspot", str(tmp_path)).exit_code == 0
    text = (tmp_path / "process.yaml").read_text(encoding="utf-8")
    assert "aliases: [decisionmakerboughtin]" in text
    assert "aliases: [Won, Closed Won, closedwon]" in text


def test_unknown_crm_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    result = invoke("init", "--crm", "zoho", str(tmp_path / "new"))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stderr == (
        "salesflow: error: --crm zoho: choose one of hubspot, salesforce, pipedrive\n"
    )
    assert not (tmp_path / "new").exists()


def test_plain_starter_names_no_columns(tmp_path: Path) -> None:
    assert invoke("init", "--no-ci", str(tmp_path)).exit_code == 0
    text = (tmp_path / "process.yaml").read_text(encoding="utf-8")
    assert "\ndata:" not in text
    assert "# data:\n#   columns:" in text
