"""The versions of the process file in git, oldest first, each with the day it took effect.

A version takes effect on its top-level `effective:` date when the file gives one, else on the
day it was committed (the committer's date: when it landed on the main line, not when it was
first written). A version git cannot give as a process file is kept, with the reason, so that a
report can say what it skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from salesflow.diff import git
from salesflow.diff.git import Commit
from salesflow.diff.semantic import compare, match_stages
from salesflow.errors import InputError
from salesflow.model import Process
from salesflow.model.diff import Change
from salesflow.model.impact import DatedBy, Version


@dataclass(frozen=True)
class ProcessVersion:
    commit: Commit
    process: Process | None
    problem: str = ""  # why there is no process: skipped, or not a valid process file

    @property
    def dated_by(self) -> DatedBy:
        return "file" if self.process is not None and self.process.effective else "commit"

    @property
    def effective(self) -> date:
        if self.process is not None and self.process.effective is not None:
            return self.process.effective
        return date.fromisoformat(self.commit.committed or self.commit.date)


def versions(path: str, cwd: Path) -> list[ProcessVersion]:
    """Every version of `path` (relative to the repository root) on the first-parent line,
    oldest first."""
    return [_version(commit, cwd) for commit in reversed(git.history(path, cwd))]


def _version(commit: Commit, cwd: Path) -> ProcessVersion:
    from salesflow.diff.versions import at_revision

    try:
        return ProcessVersion(commit, at_revision(commit.sha, commit.path, cwd).process)
    except git.GitNotFound:
        raise
    except git.GitError as error:  # too large, not UTF-8, binary, a directory
        return ProcessVersion(commit, None, f"skipped: {error}")
    except InputError as error:
        reason = str(error).removeprefix("invalid process file: ")
        return ProcessVersion(commit, None, f"not a valid process file: {reason}")


def in_effect_order(history: list[ProcessVersion]) -> tuple[list[Version], list[str]]:
    """The valid versions in the order they took effect (commit order among equal days), each
    with the stages it changed from the one before; and a note for each version left out."""
    notes = [
        f"{version.commit.sha[:10]} ({version.commit.committed}): {version.problem}; left out"
        for version in history
        if version.process is None
    ]
    valid = [version for version in history if version.process is not None]
    ordered = sorted(valid, key=lambda version: version.effective)
    if ordered != valid:
        notes.append(
            "the effective dates put the versions in another order than their commits; "
            "they are compared in the order they took effect"
        )
    result: list[Version] = []
    for index, version in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        result.append(_compared(version, previous))
    return result, notes


def _compared(version: ProcessVersion, previous: ProcessVersion | None) -> Version:
    assert version.process is not None
    notes = []
    if previous is not None and previous.effective == version.effective:
        notes.append(
            f"took effect the same day as {previous.commit.sha[:10]}: no deal counts for that one"
        )
    old = previous.process if previous else None
    return Version(
        revision=version.commit.sha,
        previous=previous.commit.sha if previous else "",
        effective=version.effective,
        dated_by=version.dated_by,
        author=version.commit.author,
        subject=version.commit.subject,
        changed=_by_stage(compare(old, version.process)) if old else {},
        planned=_planned_changes(old, version.process) if old else {},
        notes=notes,
    )


def _by_stage(changes: list[Change]) -> dict[str, list[str]]:
    stages: dict[str, list[str]] = {}
    for change in changes:
        if change.stage is not None:
            stages.setdefault(change.stage, []).append(change.message)
    return stages


def _planned_changes(before: Process, after: Process) -> dict[str, float]:
    """The change of planned conversion the version made in each stage (by its new id)."""
    pairs, _, _ = match_stages(before.stages, after.stages)
    planned = {}
    for old, new in pairs:
        was, now = old.expected.conversion, new.expected.conversion
        if was is not None and now is not None and was != now:
            planned[new.id] = round(abs(now - was), 10)  # 0.55 − 0.4 is not 0.15 in floats
    return planned
