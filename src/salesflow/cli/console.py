"""Terminal output: colour decisions and writing results to stdout or a file."""

from __future__ import annotations

import os
import sys

import typer


def use_color(no_color: bool) -> bool:
    """Colour only for a terminal, and never with --no-color or NO_COLOR set."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def emit(text: str) -> None:
    typer.echo(text, nl=False)


def note(text: str, quiet: bool = False) -> None:
    """Progress and remarks go to stderr, and -q silences them."""
    if not quiet:
        typer.echo(text, err=True)


def deliver(text: str, output: str | None, force: bool) -> None:
    """A command's result: to stdout, or written to `-o FILE`."""
    if output is None:
        emit(text)
    else:
        write_file(output, text, force=force)


def write_file(path: str, text: str, force: bool) -> None:
    """Write atomically; refuse to replace an existing, different file without --force."""
    from salesflow.cli.files import atomic_write

    atomic_write(path, text, force=force)
