"""The `salesflow` command: a typer app with one module per command."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from salesflow import __version__
from salesflow.cli import analyze, backtest, forecast, init, schema, validate

app = typer.Typer(
    name="salesflow",
    help="Your sales process as code: validate, analyse, forecast, diff and onboard.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"salesflow {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Your sales process as code: validate, analyse, forecast, diff and onboard."""


app.command("init")(init.command)
app.command("validate")(validate.command)
app.command("schema")(schema.command)
app.command("analyze")(analyze.command)
app.command("forecast")(forecast.command)
app.command("backtest")(backtest.command)


def main() -> None:
    """Console entry point. Exits without the interpreter's teardown, which for the modules a
    command loads costs more than the command itself (see docs/benchmarks.md)."""
    try:
        app(prog_name="salesflow")
        code = 0
    except SystemExit as exit:
        code = _exit_status(exit.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
