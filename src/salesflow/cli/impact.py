"""`salesflow impact [REV]`: what each version of the process did to the stages it changed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from salesflow.cli.console import deliver, render_report
from salesflow.cli.data import DataFlags, data_options, usable_tables
from salesflow.cli.data_parameters import NO_FLAGS, data_parameters
from salesflow.cli.errors import guarded
from salesflow.cli.options import (
    ForceOption,
    ImpactFormat,
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
from salesflow.errors import InputError
from salesflow.reporters import IMPACT_FORMATS

if TYPE_CHECKING:
    from salesflow.diff.timeline import ProcessVersion
    from salesflow.model.impact import ImpactReport, Version

FORMAT_HELP = f"Output format: {', '.join(IMPACT_FORMATS)}."
DEFAULT_EFFECT = 10.0


@guarded
@data_parameters()
def command(
    revision: Annotated[
        str | None,
        typer.Argument(
            help="One version of the process file (a revision); default: every version.",
            metavar="REV",
        ),
    ] = None,
    process: ProcessOption = None,
    data: DataFlags = NO_FLAGS,
    effect: Annotated[
        float,
        typer.Option(
            "--effect",
            help="The change in conversion to detect, in points, where a version planned none.",
            metavar="POINTS",
        ),
    ] = DEFAULT_EFFECT,
    since: SinceOption = None,
    until: UntilOption = None,
    output_format: Annotated[
        ImpactFormat, typer.Option("--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
    ] = "text",
    output: OutputOption = None,
    force: ForceOption = False,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """What each version of the process did to the stages it changed, with intervals."""
    render = IMPACT_FORMATS.renderer(output_format)
    if not 0 < effect < 100:
        raise InputError(f"--effect {effect:g}: must be between 0 and 100 points")
    flags = replace(data, since=since, until=until, process=process)
    versions, notes = process_versions(process)
    chosen = None if revision is None else chosen_version(revision, versions)
    report = measure_versions(flags, versions, notes, effect / 100, quiet)
    if chosen is not None:
        report = report.model_copy(
            update={"versions": [v for v in report.versions if v.revision == chosen]}
        )
    deliver(render_report(render, report, no_color, output), output, force)


def measure_versions(
    flags: DataFlags, versions: list[Version], notes: list[str], effect: float, quiet: bool
) -> ImpactReport:
    """The versions of the process file (process_versions) measured on the deal data."""
    warm_up("salesflow.analytics.impact")
    loaded = load_valid_process(flags.process)
    with progress(quiet) as shown:
        tables = usable_tables(loaded, data_options(flags), quiet, reported=True, shown=shown)
        shown.phase("measuring each version")
        from salesflow.analytics.impact import impact

        report = impact(tables, versions, effect)
    notes = [*tables.read_notes, *notes, *report.notes]
    return report.model_copy(update={"notes": notes})


def process_versions(process: str | None) -> tuple[list[Version], list[str]]:
    """The versions of the process file in the order they took effect, and notes on those left
    out; at least two, or there is nothing to compare."""
    from salesflow.config import require_process
    from salesflow.diff import git
    from salesflow.diff.timeline import versions

    cwd = Path.cwd()
    path = git.relative(Path(require_process(process).value), cwd)
    return versions_in_effect(path, versions(path, cwd))


def versions_in_effect(path: str, history: list[ProcessVersion]) -> tuple[list[Version], list[str]]:
    """The versions of `history` (read from git) in the order they took effect, and notes."""
    from salesflow.diff.timeline import in_effect_order

    if not history:
        raise InputError(f"{path} has no history in git: commit it first")
    ordered, notes = in_effect_order(history)
    if len(ordered) < 2:
        raise InputError(f"{path} has one version in git: there is nothing to compare it with yet")
    return ordered, notes


def chosen_version(revision: str, versions: list[Version]) -> str:
    """The commit `revision` names, once it is known to be a version with one before it."""
    from salesflow.diff import git

    sha = git.verify(revision, Path.cwd())
    if versions[0].revision == sha:
        raise InputError(f"{revision} is the first version of the process file: nothing before it")
    if all(version.revision != sha for version in versions):
        raise InputError(f"{revision} is not a version of the process file (it did not change it)")
    return sha
