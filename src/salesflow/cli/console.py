"""Terminal output: colour decisions and writing results to stdout or a file."""

from __future__ import annotations

import errno
import os
import sys

import typer

from salesflow.errors import OutputError


def use_color(no_color: bool) -> bool:
    """Colour for a terminal; never with --no-color or NO_COLOR set (no-color.org); always with
    FORCE_COLOR set (force-color.org: any value but the empty string), as in CI logs that show
    colours though they are not terminals. The flag wins, then NO_COLOR, then FORCE_COLOR."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def emit(text: str) -> None:
    """A result to stdout. A stdout that cannot take it (closed, a full disk or /dev/full, an
    encoding that cannot represent the text) is an input error, exit 2 with one line; a closed pipe
    (`| head`) stays quiet (cli/errors.py)."""
    stream = sys.stdout
    if stream is None:
        raise OutputError("cannot write the result to stdout: stdout is closed")
    try:
        typer.echo(text, nl=False)
    except BrokenPipeError:
        raise
    except UnicodeEncodeError as error:
        silence_stdout()
        bad = error.object[error.start : error.end][:10]
        raise OutputError(
            f"cannot write the result to stdout: its encoding ({error.encoding}) cannot "
            f"represent {bad!r}; use a UTF-8 locale or PYTHONIOENCODING=utf-8, or -o FILE"
        ) from None
    except OSError as error:
        silence_stdout()
        reason = "stdout is closed" if error.errno == errno.EBADF else error.strerror or error
        raise OutputError(f"cannot write the result to stdout: {reason}") from None


def silence_stdout() -> None:
    """After a failed write to stdout, point its descriptor at /dev/null, so that what is still
    buffered does not fail again (and print a traceback) when Python flushes it at exit."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no stdout, or a test runner's in-memory one
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    except OSError:
        pass
    finally:
        os.close(devnull)


def note(text: str, quiet: bool = False) -> None:
    """Progress and remarks go to stderr, and -q silences them."""
    if not quiet:
        from salesflow.reporters.safety import terminal_text

        typer.echo(terminal_text(text), err=True)


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
