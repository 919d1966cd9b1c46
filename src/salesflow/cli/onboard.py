"""`salesflow onboard`: the training handbook for new reps, from the process file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from salesflow.cli.console import emit, note
from salesflow.cli.data import (
    DataFlags,
    optional_data_options,
    usable_tables,
)
from salesflow.cli.errors import guarded
from salesflow.cli.files import atomic_write
from salesflow.cli.options import (
    DateFormatOption,
    DealsOption,
    ForceOption,
    HistoryOption,
    HistoryTableOption,
    MapOption,
    OutputOption,
    ProcessOption,
    QuietOption,
    TableOption,
    UnmappedOption,
)
from salesflow.config import require_process
from salesflow.errors import EXIT_FINDINGS, EXIT_OK, InputError, OutputError
from salesflow.render.context import MARKER

if TYPE_CHECKING:
    from salesflow.model import Process
    from salesflow.model.diff import Change
    from salesflow.model.funnel import Funnel

FORMATS = ("markdown", "html")


@guarded
def command(
    output: OutputOption = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="markdown or html.", metavar="FORMAT")
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
    deals: DealsOption = None,
    history: HistoryOption = None,
    table: TableOption = None,
    history_table: HistoryTableOption = None,
    mapping: MapOption = None,
    date_format: DateFormatOption = None,
    unmapped: UnmappedOption = "error",
    quiet: QuietOption = False,
) -> None:
    """Render the onboarding handbook (markdown or HTML) from the process file."""
    from salesflow.cli.process import load_valid_process
    from salesflow.render.context import handbook_context
    from salesflow.render.handbook import render_handbook

    if output_format not in FORMATS:
        raise InputError(f"unknown format '{output_format}'; choose one of: {', '.join(FORMATS)}")
    if check and output is None:
        raise InputError("--check compares with a file: give it with -o FILE")
    process_file = require_process(process).value
    loaded = load_valid_process(process_file)
    _check_role(loaded, role)
    flags = DataFlags(deals, history, table, history_table, mapping, date_format, unmapped)
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
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == text:
        raise typer.Exit(EXIT_OK)
    note(
        f"salesflow: {path} is {'missing' if current is None else 'out of date'}: "
        "run `salesflow onboard -o` to update it"
    )
    raise typer.Exit(EXIT_FINDINGS)


def _write(path: Path, text: str, force: bool, quiet: bool) -> None:
    """Atomic; a file that salesflow did not generate is not replaced without --force."""
    if path.is_file() and not force:
        head = path.read_text(encoding="utf-8", errors="replace")[:500]
        if MARKER not in head:
            raise OutputError(
                f"{path} exists and was not generated by salesflow; use --force to replace it"
            )
    atomic_write(path, text, force=True)
    note(f"wrote {path}", quiet)
