"""`salesflow diff A [B]`: what changed between two versions of the process, for review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from salesflow.cli.console import deliver, render_report
from salesflow.cli.errors import guarded
from salesflow.cli.options import (
    MAX_LEADS,
    DiffFormat,
    ForceOption,
    NoColorOption,
    OutputOption,
    ProcessOption,
    QuietOption,
)
from salesflow.config import require_process
from salesflow.errors import EXIT_FINDINGS, EXIT_OK
from salesflow.reporters import DIFF_FORMATS

FORMAT_HELP = f"Output format: {', '.join(DIFF_FORMATS)}."
FailOn = Literal["breaking", "warning", "info", "none"]


@guarded
def command(
    before: Annotated[
        str,
        typer.Argument(
            help="The old version: a revision (v1, HEAD~2), REV:PATH or a file.", metavar="A"
        ),
    ],
    after: Annotated[
        str | None,
        typer.Argument(
            help="The new version [default: the process file in the working tree].",
            metavar="B",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a change at or above this level exists: "
            "breaking, warning, info or none.",
            metavar="LEVEL",
        ),
    ] = "none",
    leads: Annotated[
        int | None,
        typer.Option(
            "--leads",
            help="Add the plan's expected revenue for N leads under A and B.",
            metavar="N",
            min=0,
            max=MAX_LEADS,
        ),
    ] = None,
    process: ProcessOption = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
    ] = "text",
    output: OutputOption = None,
    force: ForceOption = False,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """Semantic diff of two process versions, with a severity on every change."""
    from salesflow.diff.impact import impact
    from salesflow.diff.semantic import compare
    from salesflow.diff.versions import from_file, resolve
    from salesflow.model.diff import Level, ProcessDiff

    del quiet
    render = DIFF_FORMATS.renderer(output_format)
    threshold = None if fail_on == "none" else fail_on
    cwd = Path.cwd()

    def default() -> str:
        return require_process(process).value

    old = resolve(before, default, cwd)
    new = resolve(after, default, cwd) if after is not None else from_file(default())
    diff = ProcessDiff(
        before=old.label,
        after=new.label,
        changes=compare(old.process, new.process),
        impact=impact(old.process, new.process, leads) if leads is not None else None,
    )
    text = render_report(render, diff, no_color, output)
    deliver(text, output, force)
    failed = threshold is not None and diff.at_least(Level(threshold))
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)
