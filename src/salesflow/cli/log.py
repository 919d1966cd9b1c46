"""`salesflow log`: the versions of the process file in git, each with what changed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from salesflow.cli.console import emit, report_width
from salesflow.cli.data import DataFlags
from salesflow.cli.data_parameters import NO_FLAGS, data_parameters
from salesflow.cli.errors import guarded
from salesflow.cli.impact import DEFAULT_EFFECT, versions_in_effect
from salesflow.cli.options import (
    NoColorOption,
    ProcessOption,
    QuietOption,
)
from salesflow.config import require_process
from salesflow.errors import InputError

if TYPE_CHECKING:
    from salesflow.diff.git import Commit
    from salesflow.diff.timeline import ProcessVersion
    from salesflow.model.diff import Change
    from salesflow.model.impact import Version

Format = Literal["text", "json"]
SHOWN = 3
SUBJECT_INDENT = 12  # a wrapped first line continues under the date


@guarded
@data_parameters()
def command(
    process: ProcessOption = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", help="Show only the newest N versions.", metavar="N", min=1),
    ] = None,
    output_format: Annotated[
        Format,
        typer.Option("--format", "-f", help="Output format: text, json.", metavar="FORMAT"),
    ] = "text",
    data: DataFlags = NO_FLAGS,
    quiet: QuietOption = False,
    no_color: NoColorOption = False,
) -> None:
    """Versions of the process file in git history, each with a semantic summary; with
    --deals, also what each did to the stages it changed (as `impact` measures it)."""
    from salesflow.diff import git
    from salesflow.diff.timeline import versions

    del no_color  # the log has no colours; the flag is accepted as by every command
    cwd = Path.cwd()
    path = git.relative(Path(require_process(process).value), cwd)
    timeline = versions(path, cwd)
    if not timeline:
        raise InputError(f"{path} has no history in git: commit it first")
    rows = _rows(timeline)[: limit or None]
    if data.deals is not None:
        flags = replace(data, process=process)
        _add_measured(rows, versions_in_effect(path, timeline), flags, quiet)
    emit(_json(rows) if output_format == "json" else _text(rows, report_width()))


def _rows(history: list[ProcessVersion]) -> list[dict[str, Any]]:
    """Newest first; each version compared with the one before it (the oldest with nothing)."""
    from salesflow.diff.semantic import compare

    rows = []
    previous = None
    for version in history:
        if version.process is None:
            rows.append(_row(version.commit, None, version.problem))
            continue
        changes: list[Change] | None = compare(previous, version.process) if previous else None
        rows.append(_row(version.commit, changes, "first version" if previous is None else ""))
        previous = version.process
    return list(reversed(rows))


def _add_measured(
    rows: list[dict[str, Any]],
    in_effect: tuple[list[Version], list[str]],
    flags: DataFlags,
    quiet: bool,
) -> None:
    """Each version's measured one-liner (`impact`'s summary), where there is one."""
    from salesflow.cli.impact import measure_versions

    versions, notes = in_effect
    report = measure_versions(flags, versions, notes, DEFAULT_EFFECT / 100, quiet)
    summaries = {version.revision: version.summary for version in report.versions}
    for row in rows:
        row["measured"] = summaries.get(row["commit"])


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


def _text(rows: list[dict[str, Any]], width: int | None = None) -> str:
    """Two lines per version, wrapped at spaces to `width` (each continued under its text); the
    author, subject and summary come from the history, so escape sequences and control
    characters in them are removed (and each stays in its place)."""
    from salesflow.reporters.safety import terminal_line
    from salesflow.reporters.wrap import wrap

    lines = []
    for row in rows:
        author, subject = terminal_line(row["author"]), terminal_line(row["subject"])
        head = f"{row['commit'][:10]}  {row['date']}  {author}  {subject}"
        lines.append(wrap(head, width, hanging=SUBJECT_INDENT))
        lines.append("    " + wrap(terminal_line(row["summary"]), width, 4, 6))
        if row.get("measured"):
            measured = f"measured: {terminal_line(row['measured'])}"
            lines.append("    " + wrap(measured, width, 4, 6))
    return "\n".join(lines) + "\n"


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps({"version": 1, "versions": rows}, indent=2, ensure_ascii=False) + "\n"
