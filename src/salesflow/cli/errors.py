"""Map exceptions to one-line messages and the documented exit codes (README.md and each
command's page in docs/)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from salesflow.cli.console import silence_stdout
from salesflow.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, SalesflowError
from salesflow.sources.remote.opened import close_all

P = ParamSpec("P")
R = TypeVar("R")
DEBUG_ENV = "SALESFLOW_DEBUG"


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived during a write; the temporary file has been removed.

    A BaseException, like KeyboardInterrupt, so that no `except Exception` swallows it.
    Raised by cli/files.py."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by signal {signum}")
        self.exit_code = 128 + signum  # what a shell reports for a death by this signal


def report_error(message: str) -> None:
    """One message on stderr; names from files and history cannot send escape sequences."""
    from salesflow.reporters.safety import terminal_text

    typer.echo(f"salesflow: {terminal_text(message)}", err=True)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Run a command so that no traceback reaches the user unless SALESFLOW_DEBUG=1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return _reported(command, *args, **kwargs)
        finally:
            close_all()  # the database sessions the command opened: their locks go with them

    return wrapper


def _reported(command: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """The command's result; its errors as one line and the documented exit code."""
    try:
        return command(*args, **kwargs)
    except (typer.Exit, typer.Abort):
        raise
    except SalesflowError as error:
        report_error(f"error: {error}")
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Terminated as signalled:  # SIGTERM or SIGHUP during an -o write, cleaned up
        raise typer.Exit(signalled.exit_code) from None
    except BrokenPipeError:
        silence_stdout()
        raise typer.Exit(0) from None
    except Exception as error:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        report_error(
            f"internal error: {type(error).__name__}: {error}. This is a bug in salesflow; "
            f"please report it with the output of the same command run with {DEBUG_ENV}=1."
        )
        raise typer.Exit(EXIT_INTERNAL) from None
