"""`salesflow validate [FILE...]`: schema and semantic checks of process files."""

from __future__ import annotations

from typing import Annotated

import typer

from salesflow.cli.console import emit, use_color
from salesflow.cli.errors import guarded
from salesflow.cli.options import NoColorOption, ProcessOption, QuietOption
from salesflow.config import require_process
from salesflow.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, ProcessFileError
from salesflow.loader import load_process
from salesflow.model.validation import FileReport, ValidationReport
from salesflow.reporters import VALIDATION_FORMATS, validation_renderer

FORMAT_HELP = f"Output format: {', '.join(VALIDATION_FORMATS)}."


@guarded
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
        str, typer.Option("--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
    ] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the check too.")] = False,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """Check process files against the schema and the semantic rules."""
    render = validation_renderer(output_format)
    sources = files or [require_process(process).value]
    report = ValidationReport([_check(source) for source in sources], strict=strict)
    if not (quiet and output_format == "text" and not report.failed):
        emit(render(report, use_color(no_color)))
    raise typer.Exit(exit_code(report))


def _check(source: str) -> FileReport:
    try:
        loaded = load_process(source)
    except ProcessFileError as error:
        return FileReport(error.issue.file, [error.issue], readable=False)
    return FileReport(loaded.file, loaded.issues)


def exit_code(report: ValidationReport) -> int:
    if report.unreadable:
        return EXIT_INPUT
    return EXIT_FINDINGS if report.failed else EXIT_OK
