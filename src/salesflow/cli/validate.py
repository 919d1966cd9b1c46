"""`salesflow validate [FILE...]`: schema and semantic checks of process files."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from salesflow.cli.console import emit, use_color
from salesflow.cli.data_parameters import NO_FLAGS, data_parameters
from salesflow.cli.errors import guarded
from salesflow.cli.options import (
    NoColorOption,
    ProcessOption,
    QuietOption,
    ValidationFormat,
)
from salesflow.config import require_process
from salesflow.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, InputError, ProcessFileError
from salesflow.loader import load_process
from salesflow.model.validation import FileReport, ValidationReport
from salesflow.reporters import VALIDATION_FORMATS

if TYPE_CHECKING:
    from salesflow.cli.data import DataFlags

FORMAT_HELP = f"Output format: {', '.join(VALIDATION_FORMATS)}."


@guarded
@data_parameters(without=("deals", "unmapped"))
def command(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Process files to check; '-' reads stdin. Default: the configured process file.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    process: ProcessOption = None,
    output_format: Annotated[
        ValidationFormat, typer.Option("--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
    ] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the check too.")] = False,
    deals: Annotated[
        str | None,
        typer.Option(
            "--deals",
            help="Also check this deal data against the process.",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    configured_data: Annotated[
        bool,
        typer.Option(
            "--data",
            help="Also check the configured deal data (SALESFLOW_DEALS or `deals` in "
            "salesflow.toml) against the process.",
        ),
    ] = False,
    data: DataFlags = NO_FLAGS,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """Check process files against the schema and the semantic rules (and deal data with
    --deals)."""
    render = VALIDATION_FORMATS.renderer(output_format)
    sources = files or [require_process(process).value]
    check_data = deals is not None or configured_data
    if check_data and len(sources) != 1:
        raise InputError("--deals checks data against one process file; give only one")
    reports = [_check(source) for source in sources]
    if check_data:
        flags = replace(data, deals=deals, process=sources[0])
        reports += _check_data(reports[0], flags)
    report = ValidationReport(reports, strict=strict)
    if not (quiet and output_format == "text" and not report.failed):
        emit(render(report, use_color(no_color)))
    raise typer.Exit(exit_code(report))


def _check(source: str) -> FileReport:
    try:
        loaded = load_process(source)
    except ProcessFileError as error:
        return FileReport(error.issue.file, [error.issue], readable=False)
    return FileReport(loaded.file, loaded.issues, process=loaded.process)


def _check_data(process_report: FileReport, flags: DataFlags) -> list[FileReport]:
    """One report per data file; nothing when the process itself has errors."""
    from salesflow.cli.data import data_options, load_tables
    from salesflow.sources.problems import find_problems, problem_issues

    if process_report.process is None:
        return []
    tables = load_tables(process_report.process, data_options(flags))
    files = [tables.deals.path] + ([tables.history.path] if tables.history else [])
    # a column mapped to two keys (created and closed) gives the same finding twice
    issues = list(dict.fromkeys(problem_issues(find_problems(tables))))
    return [FileReport(file, [i for i in issues if i.file == file]) for file in files]


def exit_code(report: ValidationReport) -> int:
    if report.unreadable:
        return EXIT_INPUT
    return EXIT_FINDINGS if report.failed else EXIT_OK
