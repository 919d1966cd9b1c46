"""The files `salesflow init` writes, with their text: the starter process and configuration, the
JSON Schema the process file's modeline names, and for CI the committed handbook, a pre-commit
configuration and a GitHub Actions workflow that uses the salesflow Action (action.yml).

The CI files belong at the root of the git repository (pre-commit and GitHub read them only
there): when DIR lies inside a repository, they go to its root and name the process file by its
path from there; otherwise DIR is taken as the root of a repository still to be created.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from salesflow import __version__

# The GitHub repository of salesflow, which holds the Action (action.yml) and the pre-commit hook
# (.pre-commit-hooks.yaml); generated files pin the release tag of the running version.
REPOSITORY = "OWNER/salesflow"
RELEASE_TAG = f"v{__version__}"
ACTION = f"{REPOSITORY}@{RELEASE_TAG}"

PROCESS = "process.yaml"
CONFIG = "salesflow.toml"
SCHEMA = "process.schema.json"  # the name the starters' modeline gives
HANDBOOK = "HANDBOOK.md"
PRE_COMMIT = ".pre-commit-config.yaml"
WORKFLOW = ".github/workflows/salesflow.yml"


@dataclass(frozen=True)
class File:
    path: Path
    text: str
    ci: bool = False  # left out with --no-ci


def starter_name(crm: str | None) -> str:
    """The starter process file: the plain one, or a CRM's default pipeline with its preset."""
    return PROCESS if crm is None else f"{crm.lower()}.yaml"


def plan(target: Path, crm: str | None, ci: bool) -> list[File]:
    """Every file to write under `target` (and at the repository root), in the order written."""
    process = starter(starter_name(crm))
    files = [
        File(target / PROCESS, process),
        File(target / CONFIG, starter(CONFIG)),
        File(target / SCHEMA, _schema()),
    ]
    if ci:
        root = _as_given(repository_root(target), target) or target
        where = _below(target, root)
        files += [
            File(target / HANDBOOK, _handbook(process), ci=True),
            File(root / PRE_COMMIT, pre_commit_config(), ci=True),
            File(root / WORKFLOW, workflow(where + PROCESS, where + HANDBOOK), ci=True),
        ]
    return files


def repository_root(target: Path) -> Path | None:
    """The nearest directory at or above `target` with a `.git` (a directory, or a file for a
    worktree or submodule), resolved; None outside a repository."""
    absolute = target.resolve()
    return next((d for d in (absolute, *absolute.parents) if (d / ".git").exists()), None)


def pre_commit_config() -> str:
    repository = f"https://github.com/{REPOSITORY}"
    return _fill(starter("pre-commit-config.yaml"), REPOSITORY=repository, REV=RELEASE_TAG)


def workflow(process: str, handbook: str) -> str:
    # JSON strings are YAML strings: a path with spaces, `#` or `:` stays one value
    return _fill(
        starter("workflow.yml"),
        ACTION=ACTION,
        PROCESS=json.dumps(process),
        HANDBOOK=json.dumps(handbook),
    )


def starter(name: str) -> str:
    return resources.files("salesflow.cli").joinpath("starter", name).read_text(encoding="utf-8")


def _fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    return template


def _as_given(root: Path | None, target: Path) -> Path | None:
    """The root as the user wrote the target: relative to the current directory when the target
    is (`../.pre-commit-config.yaml`), else absolute."""
    if root is None or target.is_absolute():
        return root
    return Path(os.path.relpath(root))


def _below(target: Path, root: Path) -> str:
    """Where `target` is from the root, as a path prefix: "" or "sales/"."""
    relative = target.resolve().relative_to(root.resolve()).as_posix()
    return "" if relative == "." else f"{relative}/"


def _schema() -> str:
    from salesflow.model.schema import process_schema_text

    return process_schema_text()


@functools.lru_cache(maxsize=4)  # the handbook's templates take a while to compile
def _handbook(process_text: str) -> str:
    """What `salesflow onboard --no-data` renders for this process, so that the handbook check
    passes on the first push."""
    from salesflow.loader import parse_process
    from salesflow.render.context import handbook_context
    from salesflow.render.handbook import render_handbook

    loaded = parse_process(process_text, PROCESS)
    if loaded.process is None:  # the starters are tested to be valid
        raise AssertionError(f"the starter process has errors: {loaded.errors[0].render()}")
    return render_handbook(handbook_context(loaded.process, PROCESS), "markdown")
