"""Terminal output: colour and width decisions and writing results to stdout or a file."""

from __future__ import annotations

import errno
import os
import sys
from typing import TypeVar

import typer

from salesflow.errors import OutputError
from salesflow.reporters import Render

MAX_WIDTH = 1000  # a wider COLUMNS is taken as this
Result = TypeVar("Result")


def use_color(no_color: bool) -> bool:
    """Colour for a terminal; never with --no-color or NO_COLOR set (no-color.org); always with
    FORCE_COLOR set (force-color.org: any value but the empty string), as in CI logs that show
    colours though they are not terminals. The flag wins, then NO_COLOR, then FORCE_COLOR."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def report_width() -> int | None:
    """The width text reports are laid out for: the terminal's when stdout is one (as rich
    measures it); else `COLUMNS` when it holds a positive number (a pipe, a pager, a file; at
    most MAX_WIDTH);
    else None, and each report keeps its own default width."""
    stream = sys.stdout
    if stream is not None and stream.isatty():
        try:
            return os.get_terminal_size(stream.fileno()).columns or None
        except (OSError, ValueError):
            pass
    columns = os.environ.get("COLUMNS", "").strip()
    return min(int(columns), MAX_WIDTH) if columns.isdigit() and int(columns) > 0 else None


def render_report(
    render: Render[Result],
    result: Result,
    no_color: bool,
    output: str | None,
) -> str:
    """A command's report: coloured only for stdout (use_color), laid out for report_width()
    (the formats with a layout: the text reports)."""
    color = use_color(no_color) and output is None
    return render(result, color, report_width())


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
    """Progress and remarks go to stderr, and -q silences them; above the progress bar while
    one is showing (cli/progress.py)."""
    if not quiet:
        from salesflow.cli.progress import print_above
        from salesflow.reporters.safety import terminal_text

        if not print_above(terminal_text(text)):
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
