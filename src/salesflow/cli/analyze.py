"""`salesflow analyze`: conversion, time in stage, velocity and bottlenecks from deal data."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from salesflow.cli.console import deliver, render_report
from salesflow.cli.data import DataFlags, data_options, usable_tables
from salesflow.cli.data_parameters import NO_FLAGS, data_parameters
from salesflow.cli.errors import guarded
from salesflow.cli.options import (
    AnalyzeFormat,
    ForceOption,
    NoColorOption,
    OutputOption,
    ProcessOption,
    QuietOption,
    SinceOption,
    UntilOption,
)
from salesflow.cli.process import load_valid_process
from salesflow.cli.progress import progress
from salesflow.cli.warm import warm_up
from salesflow.reporters import ANALYZE_FORMATS

FORMAT_HELP = f"Output format: {', '.join(ANALYZE_FORMATS)}."


@guarded
@data_parameters()
def command(
    process: ProcessOption = None,
    data: DataFlags = NO_FLAGS,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", help="Break the metrics down by a column (owner, source, …).", metavar="COLUMN"
        ),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    output_format: Annotated[
        AnalyzeFormat, typer.Option("--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
    ] = "text",
    output: OutputOption = None,
    force: ForceOption = False,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """Stage conversion, win rate, time in stage, velocity and the bottleneck."""
    warm_up("salesflow.analytics.report")
    render = ANALYZE_FORMATS.renderer(output_format)
    loaded = load_valid_process(process)
    flags = replace(data, since=since, until=until, by=by, process=process)
    options = data_options(flags)
    with progress(quiet) as shown:
        tables = usable_tables(loaded, options, quiet, reported=True, shown=shown)
        shown.phase("computing the funnel")
        from salesflow.analytics.report import analyze

        report = analyze(tables)
    deliver(render_report(render, report, no_color, output), output, force)
