"""`salesflow init [--crm CRM] [--no-ci] [DIR]`: scaffold a commented process.yaml (the plain
starter, or the default pipeline of a CRM with its preset), salesflow.toml and the JSON Schema the
process file's first line names; and for CI the handbook, a pre-commit configuration and a GitHub
Actions workflow (cli/scaffold.py). Nothing is written while any of those files exists, unless
--force."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import typer

from salesflow.cli.console import note
from salesflow.cli.errors import guarded, report_error
from salesflow.cli.files import atomic_write
from salesflow.cli.options import ForceOption, QuietOption
from salesflow.cli.scaffold import File, plan
from salesflow.errors import EXIT_INPUT, OutputError

CRMS = ("hubspot", "salesforce", "pipedrive")  # a starter/<crm>.yaml each
Crm = Literal["hubspot", "salesforce", "pipedrive"]


@guarded
def command(
    directory: Annotated[
        str, typer.Argument(help="Where to create the files (created if missing).", metavar="DIR")
    ] = ".",
    crm: Annotated[
        Crm | None,
        typer.Option(
            "--crm",
            help=f"Start from this CRM's default pipeline and preset: {', '.join(CRMS)}.",
            metavar="CRM",
            show_default=False,
            case_sensitive=False,
        ),
    ] = None,
    no_ci: Annotated[
        bool,
        typer.Option(
            "--no-ci",
            help="Leave out the CI files: HANDBOOK.md, .pre-commit-config.yaml and "
            ".github/workflows/salesflow.yml.",
        ),
    ] = False,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Create a starter process file, its schema and the CI set-up."""
    target = Path(directory)
    _refuse_a_file_in_the_way(target)
    files = plan(target, crm, ci=not no_ci)
    _refuse_existing(files, force)
    for file in files:
        atomic_write(file.path, file.text, force=True)
        note(f"created {file.path}", quiet)
    hint = " (and `pre-commit install` to check every commit)" if not no_ci else ""
    note(f"next: edit process.yaml, then run `salesflow validate`{hint}", quiet)


def _refuse_a_file_in_the_way(target: Path) -> None:
    blocking = next((p for p in (target, *target.parents) if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise OutputError(f"{blocking} is a file, not a directory")


def _refuse_existing(files: list[File], force: bool) -> None:
    """One line per file that exists, then how to go on; nothing is written."""
    # lexists: a dangling symbolic link is something there too, not a free name
    existing = [file for file in files if os.path.lexists(file.path)]
    if not existing or force:
        return
    for file in existing:
        report_error(f"error: {file.path} already exists")
    ci = " (or --no-ci to leave out the CI files)" if all(f.ci for f in existing) else ""
    report_error(f"nothing written; use --force to overwrite{ci}")
    raise typer.Exit(EXIT_INPUT)
