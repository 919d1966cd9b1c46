"""The `salesflow` command: a typer app with one module per command.

Typer builds the parameters of every registered command each time it starts, and each command
module imports its own options. So the console entry registers only the command being run
(`salesflow validate …` loads nothing of `analyze`); `app`, with every command, serves the help,
an unknown command and the tests.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Iterable
from typing import Annotated

import typer

from salesflow import __version__
from salesflow.cli.examples import epilog
from salesflow.cli.usage import Command, Group

COMMANDS = {
    "init": "salesflow.cli.init",
    "validate": "salesflow.cli.validate",
    "schema": "salesflow.cli.schema",
    "analyze": "salesflow.cli.analyze",
    "forecast": "salesflow.cli.forecast",
    "backtest": "salesflow.cli.backtest",
    "diff": "salesflow.cli.diff",
    "log": "salesflow.cli.log",
    "impact": "salesflow.cli.impact",
    "onboard": "salesflow.cli.onboard",
}
HELP = "Your sales process as code: validate, analyse, forecast, diff and onboard."


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"salesflow {__version__}")
        raise typer.Exit()


def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Your sales process as code: validate, analyse, forecast, diff and onboard."""


def build(names: Iterable[str]) -> typer.Typer:
    """An app with the named commands, in the order of COMMANDS."""
    wanted = set(names)
    application = typer.Typer(
        name="salesflow",
        cls=Group,
        help=HELP,
        no_args_is_help=True,
        add_completion=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    application.callback()(root)
    for name, module in COMMANDS.items():
        if name in wanted:
            command = importlib.import_module(module).command
            application.command(name, cls=Command, epilog=epilog(name))(command)
    return application


@functools.cache
def full_app() -> typer.Typer:
    return build(COMMANDS)


def __getattr__(name: str) -> typer.Typer:
    """`app`, built on first use, so that the console entry does not build every command."""
    if name == "app":
        return full_app()
    raise AttributeError(name)


def requested_command(arguments: list[str]) -> str | None:
    """The command named on the command line (the first word that is not an option), if known."""
    first = next((argument for argument in arguments if not argument.startswith("-")), None)
    return first if first in COMMANDS else None


def configured_deals(arguments: list[str]) -> list[str]:
    """`validate --deals` with no file after it checks the configured deal data: typer has no
    option with an optional value, so a bare `--deals` (last, or followed by another option)
    becomes `--data`."""
    rewritten = list(arguments)
    for index, argument in enumerate(arguments):
        following = arguments[index + 1] if index + 1 < len(arguments) else None
        bare = following is None or (following.startswith("-") and following != "-")
        if argument == "--deals" and bare:
            rewritten[index] = "--data"
        if argument == "--":
            break
    return rewritten


def main() -> None:
    """Console entry point. Exits without the interpreter's teardown, which for the modules a
    command loads costs more than the command itself (see docs/benchmarks.md)."""
    arguments = sys.argv[1:]
    command = requested_command(arguments)
    if command == "validate":
        arguments = configured_deals(arguments)
    try:
        build([command] if command else COMMANDS)(args=arguments, prog_name="salesflow")
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
