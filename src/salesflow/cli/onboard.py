"""`salesflow onboard`: the training handbook for new reps, from the process file."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from salesflow.cli.console import emit, note
from salesflow.cli.data import (
    DataFlags,
    optional_data_options,
    usable_tables,
)
from salesflow.cli.data_parameters import NO_FLAGS, data_parameters
from salesflow.cli.errors import guarded
from salesflow.cli.files import atomic_write, same_content
from salesflow.cli.options import (
    ForceOption,
    OutputOption,
    ProcessOption,
    QuietOption,
)
from salesflow.config import require_process
from salesflow.errors import EXIT_FINDINGS, EXIT_OK, InputError
from salesflow.render.context import MARKER

if TYPE_CHECKING:
    from salesflow.model import Process
    from salesflow.model.diff import Change
    from salesflow.model.funnel import Funnel

Format = Literal["markdown", "html"]
MARKER_LINE = re.compile(rf"<!-- {re.escape(MARKER)}(?: from [^\n]*)? -->")
DOCTYPE = re.compile(r"<!doctype html>", re.IGNORECASE)


@guarded
@data_parameters(without=("number_format",))
def command(
    output: OutputOption = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="markdown or html.", metavar="FORMAT")
    ] = "markdown",
    role: Annotated[
        str | None,
        typer.Option("--role", help="The handbook for one role: its stages in full.", metavar="ID"),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Add what changed since this git revision.", metavar="REV"),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            help="A directory with your own handbook.md.j2 (sandboxed).",
            metavar="DIR",
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the -o file differs from a new render.")
    ] = False,
    no_data: Annotated[
        bool, typer.Option("--no-data", help="Leave out live numbers even when data is set.")
    ] = False,
    force: ForceOption = False,
    process: ProcessOption = None,
    data: DataFlags = NO_FLAGS,
    quiet: QuietOption = False,
) -> None:
    """Render the onboarding handbook (markdown or HTML) from the process file."""
    from salesflow.cli.process import load_valid_process
    from salesflow.render.context import handbook_context
    from salesflow.render.handbook import render_handbook

    if check and output is None:
        raise InputError("--check compares with a file: give it with -o FILE")
    process_file = require_process(process).value
    loaded = load_valid_process(process_file)
    _check_role(loaded, role)
    flags = replace(data, process=process_file)
    funnel, data_file = (None, None) if no_data else _funnel(loaded, flags, quiet)
    context = handbook_context(
        loaded,
        Path(process_file).name,
        funnel=funnel,
        data_file=data_file,
        changes=_changes(since, process_file) if since else None,
        since=since,
        role=role,
    )
    text = render_handbook(context, output_format, Path(template) if template else None)
    if output is None:
        emit(text)
    elif check:
        _check_current(Path(output), text)
    else:
        _write(Path(output), text, force, quiet)


def _check_role(process: Process, role: str | None) -> None:
    ids = [r.id for r in process.roles]
    if role is not None and role not in ids:
        raise InputError(f"--role {role}: no such role; roles: {', '.join(ids) or 'none'}")


def _funnel(process: Process, flags: DataFlags, quiet: bool) -> tuple[Funnel | None, str | None]:
    from salesflow.analytics.report import analyze

    options = optional_data_options(flags)
    if options is None:
        return None, None
    tables = usable_tables(process, options, quiet)
    return analyze(tables).funnel, Path(options.deals).name


def _changes(since: str, process_file: str) -> list[Change]:
    from salesflow.diff.semantic import compare
    from salesflow.diff.versions import from_file, resolve

    old = resolve(since, lambda: process_file, Path.cwd())
    return compare(old.process, from_file(process_file).process)


def _check_current(path: Path, text: str) -> None:
    current = same_content(path, text)
    if current:
        raise typer.Exit(EXIT_OK)
    note(
        f"salesflow: {path} is {'missing' if current is None else 'out of date'}: "
        "run `salesflow onboard -o` to update it"
    )
    raise typer.Exit(EXIT_FINDINGS)


def _write(path: Path, text: str, force: bool, quiet: bool) -> None:
    """Atomic; a file that salesflow did not generate is not replaced without --force, and only a
    regular file is ever replaced (cli/files.py)."""
    atomic_write(path, text, force=force, ours=generated_by_us)
    note(f"wrote {path}", quiet)


def generated_by_us(head: bytes) -> bool:
    """Whether a file starts with our marker line: the first line, or the second after the HTML
    doctype, is exactly `<!-- generated by salesflow -->` or `<!-- generated by salesflow from …
    -->`. Only the first bytes of the file are looked at (cli/files.py reads at most 4 KiB)."""
    lines = head.decode("utf-8", errors="replace").splitlines()[:2]
    if lines and DOCTYPE.fullmatch(lines[0]):
        lines = lines[1:]
    return bool(lines) and MARKER_LINE.fullmatch(lines[0]) is not None
