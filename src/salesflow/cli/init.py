"""`salesflow init [--crm CRM] [DIR]`: scaffold a commented process.yaml (the plain starter, or
the default pipeline of a CRM with its preset) and salesflow.toml."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from salesflow.cli.console import note
from salesflow.cli.errors import guarded
from salesflow.cli.files import atomic_write
from salesflow.cli.options import ForceOption, QuietOption
from salesflow.errors import InputError, OutputError

STARTER_FILES = ("process.yaml", "salesflow.toml")
CRMS = ("hubspot", "salesforce", "pipedrive")  # a starter/<crm>.yaml each


@guarded
def command(
    directory: Annotated[
        str, typer.Argument(help="Where to create the files (created if missing).", metavar="DIR")
    ] = ".",
    crm: Annotated[
        str | None,
        typer.Option(
            "--crm",
            help=f"Start from this CRM's default pipeline and preset: {', '.join(CRMS)}.",
            metavar="CRM",
            show_default=False,
        ),
    ] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Create a starter process.yaml and salesflow.toml."""
    sources = {"process.yaml": _process_starter(crm), "salesflow.toml": "salesflow.toml"}
    target = Path(directory)
    _refuse_existing(target, force)
    for name in STARTER_FILES:
        atomic_write(target / name, _starter(sources[name]), force=True)
        note(f"created {target / name}", quiet)
    note("next: edit process.yaml, then run `salesflow validate`", quiet)


def _refuse_existing(target: Path, force: bool) -> None:
    blocking = next((p for p in (target, *target.parents) if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise OutputError(f"{blocking} is a file, not a directory")
    # lexists: a dangling symbolic link is something there too, not a free name
    existing = [str(target / name) for name in STARTER_FILES if os.path.lexists(target / name)]
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        raise OutputError(f"{' and '.join(existing)} already {verb}; use --force to overwrite")


def _process_starter(crm: str | None) -> str:
    if crm is None:
        return "process.yaml"
    if crm.lower() not in CRMS:
        raise InputError(f"--crm {crm}: choose {', '.join(CRMS)}")
    return f"{crm.lower()}.yaml"


def _starter(name: str) -> str:
    return resources.files("salesflow.cli").joinpath("starter", name).read_text(encoding="utf-8")
