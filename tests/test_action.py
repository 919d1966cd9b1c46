"""The GitHub Action (action.yml) and the workflow `salesflow init` writes: the inputs exist, every
salesflow command line in a step is a real command with real options and valid choices (checked
against the typer app), and the steps' scripts do what they say when bash runs them as GitHub
would, with the real salesflow and a stand-in `gh`."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.main import get_command

from salesflow.cli import scaffold
from salesflow.cli.app import app
from tests.gitrepo import Repo
from tests.helpers import REPO, VALID_PROCESS

ACTION = YAML(typ="safe").load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
COMMANDS = get_command(app).commands  # type: ignore[attr-defined]
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")
COMMAND_LINE = re.compile(r"^\s*(?:if\s+!\s+)?salesflow\s+([^\n|;&>]*)", re.MULTILINE)
ARGUMENTS = re.compile(r"salesflow_args\+=\(([^)]*)\)")


def run_steps() -> list[dict[str, Any]]:
    return [step for step in STEPS if "run" in step]


def step(name: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("name") == name)


def options_of(command: str) -> dict[str, Any]:
    params = COMMANDS[command].params if command else get_command(app).params
    return {name: param for param in params for name in (*param.opts, *param.secondary_opts)}


def check_options(command: str, tokens: list[str]) -> None:
    """Every option is one the command has; a literal value of a choice option is a choice."""
    known = options_of(command)
    for index, token in enumerate(tokens):
        if not token.startswith("-"):
            continue
        assert token in known, f"salesflow {command}: no option {token}"
        param = known[token]
        value = tokens[index + 1] if index + 1 < len(tokens) else "$"
        choices = getattr(param.type_descriptor, "choices", None)
        if choices and not value.startswith("$"):
            assert value in choices, f"salesflow {command} {token} {value}: not in {choices}"


def test_the_inputs_of_the_three_jobs() -> None:
    inputs = ACTION["inputs"]
    for name in ("command", "process", "base-ref", "handbook", "python-version"):
        assert name in inputs
    assert "salesflow-version" in inputs
    assert inputs["command"]["required"] is True
    assert inputs["base-ref"]["default"] == "${{ github.event.pull_request.base.sha }}"
    assert all(spec.get("description") for spec in inputs.values())
    assert ACTION["runs"]["using"] == "composite"


def test_every_input_used_is_declared_and_every_declared_one_used() -> None:
    text = (REPO / "action.yml").read_text(encoding="utf-8")
    used = {ref.split(".", 1)[1] for ref in EXPRESSION.findall(text) if ref.startswith("inputs.")}
    assert used == set(ACTION["inputs"])


def test_inputs_reach_the_scripts_through_the_environment_only() -> None:
    """No `${{ }}` inside a script: a value pasted into bash could run as code."""
    for found in run_steps():
        assert "${{" not in found["run"], found["name"]
        assert found["shell"] == "bash"


def test_every_salesflow_line_is_a_real_command_with_real_options() -> None:
    seen = set()
    for found in run_steps():
        script = found["run"]
        lines = [shlex.split(match) for match in COMMAND_LINE.findall(script)]
        commands = {tokens[0] for tokens in lines if not tokens[0].startswith("-")}
        assert len(commands) <= 1, f"{found['name']}: {commands}"
        for tokens in lines:
            if tokens[0].startswith("-"):
                check_options("", tokens)  # salesflow --version
                continue
            assert tokens[0] in COMMANDS, tokens
            check_options(tokens[0], tokens[1:])
            seen.add(tokens[0])
        for extra in ARGUMENTS.findall(script):
            (command,) = commands
            check_options(command, shlex.split(extra))
    assert seen == {"validate", "diff", "onboard"}


def test_the_generated_workflow_uses_only_inputs_the_action_has() -> None:
    workflow = YAML(typ="safe").load(scaffold.workflow("sales/process.yaml", "sales/HANDBOOK.md"))
    used = [
        s for job in workflow["jobs"].values() for s in job["steps"] if "salesflow@" in s["uses"]
    ]
    assert [s["with"]["command"] for s in used] == ["validate", "diff", "onboard-check"]
    for found in used:
        assert found["uses"] == scaffold.ACTION
        assert set(found["with"]) <= set(ACTION["inputs"])
        assert found["with"]["process"] == "sales/process.yaml"
    quoted = YAML(typ="safe").load(scaffold.workflow("a: #b.yaml", "c d.md"))
    assert quoted["jobs"]["handbook"]["steps"][1]["with"]["process"] == "a: #b.yaml"


# Running the steps' scripts --------------------------------------------------------------------

FAKE_GH = """#!/usr/bin/env bash
# Stand-in for the GitHub CLI: records each call (and a body file's text) and answers the
# listing of the pull request's comments with $FAKE_COMMENTS.
echo "gh $*" >> "$FAKE_LOG"
for argument in "$@"; do
  case "$argument" in body=@*) cat "${argument#body=@}" >> "$FAKE_LOG" ;; esac
done
if [ "$2" = "--paginate" ]; then printf '%s' "$FAKE_COMMENTS"; fi
"""


def evaluate(template: str, inputs: dict[str, str], github: dict[str, str]) -> str:
    """`${{ inputs.X }}` and `${{ github.Y }}` as GitHub fills them in."""

    def value(match: re.Match[str]) -> str:
        reference = match.group(1)
        if reference.startswith("inputs."):
            name = reference.removeprefix("inputs.")
            given = inputs.get(name, str(ACTION["inputs"][name].get("default", "")))
            return evaluate(given, inputs, github)
        return github.get(reference.removeprefix("github."), "")

    return EXPRESSION.sub(value, str(template))


def run_step(
    name: str, workdir: Path, tmp_path: Path, inputs: dict[str, str], **github: str
) -> subprocess.CompletedProcess[str]:
    found = step(name)
    script = tmp_path / "step.sh"
    script.write_text(found["run"], encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    path = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), os.environ["PATH"]])
    environment = {
        **os.environ,
        "PATH": path,
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_REPOSITORY": "acme/sales",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RUNNER_TEMP": str(tmp_path),
        "FAKE_LOG": str(tmp_path / "gh.log"),
        "FAKE_COMMENTS": github.pop("comments", ""),
        "NO_COLOR": "1",
        **{key: evaluate(value, inputs, github) for key, value in found["env"].items()},
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],  # GitHub's bash
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Repo, str]:
    """A repository whose base commit has the process, and a working tree that changes it."""
    repo = Repo(tmp_path / "repo")
    base = repo.commit("process", {"sales/process.yaml": VALID_PROCESS})
    repo.write("sales/process.yaml", VALID_PROCESS.replace("conversion: 0.5", "conversion: 0.4"))
    return repo, base


def test_the_diff_step_posts_a_new_comment(pull_request: tuple[Repo, str], tmp_path: Path) -> None:
    repo, base = pull_request
    inputs = {"command": "diff", "process": "sales/process.yaml"}
    github = {"event.pull_request.base.sha": base, "event.pull_request.number": "7"}
    done = run_step("Semantic diff against the base", repo.root, tmp_path, inputs, **github)
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "gh.log").read_text(encoding="utf-8")
    calls = [line for line in log.splitlines() if line.startswith("gh ")]
    assert calls[0].startswith("gh api --paginate repos/acme/sales/issues/7/comments --jq ")
    assert calls[1:] == [
        f"gh api --method POST repos/acme/sales/issues/7/comments -F body=@{tmp_path}/"
        "salesflow-diff.md"
    ]
    body = (tmp_path / "salesflow-diff.md").read_text(encoding="utf-8")
    assert body.startswith("<!-- salesflow diff: sales/process.yaml -->\n\n## Process changes: `")
    assert f"`{base[:7]}" in body
    assert "50% → 40%" in body
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == body


def test_the_diff_step_updates_its_comment_and_fails_on_the_level(
    pull_request: tuple[Repo, str], tmp_path: Path
) -> None:
    repo, base = pull_request
    comments = "11 Looks good\n12 <!-- salesflow diff: sales/process.yaml -->\n"
    inputs = {"command": "diff", "process": "sales/process.yaml", "fail-on": "info"}
    github = {"event.pull_request.base.sha": base, "event.pull_request.number": "7"}
    done = run_step(
        "Semantic diff against the base", repo.root, tmp_path, inputs, comments=comments, **github
    )
    assert done.returncode == 1
    assert "::error title=salesflow::changes at or above 'info'" in done.stdout
    calls = [line for line in (tmp_path / "gh.log").read_text().splitlines() if "--method" in line]
    assert calls == [
        f"gh api --method PATCH repos/acme/sales/issues/comments/12 -F body=@{tmp_path}/"
        "salesflow-diff.md"
    ]


def test_the_handbook_step_names_the_fix(tmp_path: Path) -> None:
    (tmp_path / "process.yaml").write_text(VALID_PROCESS, encoding="utf-8")
    inputs = {"command": "onboard-check", "process": "process.yaml", "handbook": "docs/HB.md"}
    done = run_step("The committed handbook is current", tmp_path, tmp_path, inputs)
    assert done.returncode == 1
    assert done.stdout.strip() == (
        "::error file=docs/HB.md,title=salesflow::docs/HB.md does not match the process file: "
        "run salesflow onboard --no-data --output docs/HB.md --process process.yaml "
        "and commit the result"
    )


def yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", markdown, re.DOTALL)


def test_ci_md_shows_what_init_writes() -> None:
    """docs/ci.md pins v0.1.0 in its examples; the files pin the running version."""
    blocks = yaml_blocks((REPO / "docs" / "ci.md").read_text(encoding="utf-8"))
    shown = {block.split("\n", 1)[0]: block.split("\n", 1)[1] for block in blocks}
    workflow = scaffold.workflow("process.yaml", "HANDBOOK.md").replace(
        scaffold.RELEASE_TAG, "v0.1.0"
    )
    assert (
        shown["# .github/workflows/salesflow.yml (as `salesflow init` writes it)"]
        == (workflow[workflow.index("name: salesflow") :])
    )
    config = scaffold.pre_commit_config().replace(scaffold.RELEASE_TAG, "v0.1.0")
    load = YAML(typ="safe").load
    assert load(shown["# .pre-commit-config.yaml (as `salesflow init` writes it)"]) == load(config)
