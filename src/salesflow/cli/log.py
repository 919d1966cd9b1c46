"""`salesflow log`: the versions of the process file in git, each with what changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from salesflow.cli.console import emit
from salesflow.cli.errors import guarded
from salesflow.cli.options import ProcessOption
from salesflow.config import require_process
from salesflow.errors import InputError

if TYPE_CHECKING:
    from salesflow.diff.git import Commit
    from salesflow.model.diff import Change

FORMATS = ("text", "json")
SHOWN = 3


@guarded
def command(
    process: ProcessOption = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", help="Show only the newest N versions.", metavar="N"),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="Output format: text, json.", metavar="FORMAT")
    ] = "text",
) -> None:
    """Versions of the process file in git history, each with a semantic summary."""
    from salesflow.diff import git

    if limit is not None and limit < 1:
        raise InputError(f"--limit {limit}: must be 1 or more")
    if output_format not in FORMATS:
        raise InputError(f"unknown format '{output_format}'; choose one of: {', '.join(FORMATS)}")
    cwd = Path.cwd()
    path = git.relative(Path(require_process(process).value), cwd)
    commits = git.history(path, cwd)
    if not commits:
        raise InputError(f"{path} has no history in git: commit it first")
    rows = _rows(commits, cwd)[: limit or None]
    emit(_json(rows) if output_format == "json" else _text(rows))


def _rows(commits: list[Commit], cwd: Path) -> list[dict[str, Any]]:
    """Newest first; each version compared with the one before it (the oldest with nothing)."""
    from salesflow.diff.git import GitError, GitNotFound
    from salesflow.diff.semantic import compare
    from salesflow.diff.versions import at_revision

    rows = []
    previous = None
    for commit in reversed(commits):
        try:
            version = at_revision(commit.sha, commit.path, cwd).process
        except GitNotFound:
            raise
        except GitError as error:  # too large, not UTF-8, binary, a directory: skip it, go on
            rows.append(_row(commit, None, f"skipped: {error}"))
            continue
        except InputError as error:
            reason = str(error).removeprefix("invalid process file: ")
            rows.append(_row(commit, None, f"not a valid process file: {reason}"))
            continue
        changes: list[Change] | None = compare(previous, version) if previous else None
        rows.append(_row(commit, changes, "first version" if previous is None else ""))
        previous = version
    return list(reversed(rows))


def _row(commit: Commit, changes: list[Change] | None, note: str) -> dict[str, Any]:
    return {
        "commit": commit.sha,
        "date": commit.date,
        "author": commit.author,
        "subject": commit.subject,
        "path": commit.path,
        "summary": note or _summary(changes or []),
        "changes": [c.model_dump(mode="json") for c in changes or []],
    }


def _summary(changes: list[Change]) -> str:
    if not changes:
        return "no semantic change"
    ranked = sorted(changes, key=lambda c: c.severity.rank)
    levels = [c.severity.value for c in ranked]
    head = ", ".join(f"{levels.count(level)} {level}" for level in dict.fromkeys(levels))
    first = "; ".join(c.message for c in ranked[:SHOWN])
    more = f"; and {len(changes) - SHOWN} more" if len(changes) > SHOWN else ""
    return f"{head}: {first}{more}"


def _text(rows: list[dict[str, Any]]) -> str:
    """Two lines per version; the author, subject and summary come from the history, so escape
    sequences and control characters in them are removed (and each stays on its line)."""
    from salesflow.reporters.safety import terminal_line

    lines = [
        f"{row['commit'][:10]}  {row['date']}  {terminal_line(row['author'])}  "
        f"{terminal_line(row['subject'])}\n"
        f"    {terminal_line(row['summary'])}"
        for row in rows
    ]
    return "\n".join(lines) + "\n"


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps({"version": 1, "versions": rows}, indent=2, ensure_ascii=False) + "\n"
