"""Progress on stderr while a command reads data or simulates: a spinner with the step and the
elapsed time, and a bar with counts where the step counts (the simulations).

Only when stderr is a terminal, and not with -q; it appears after DELAY seconds, so that a
quick command prints nothing, and it is erased when the step is over (rich's transient
progress). stdout, where the report goes, is never touched.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

DELAY = 0.5  # seconds of silence before the progress shows


class Silent:
    """The progress of a command that shows none: piped, quiet, or not yet started."""

    def phase(self, step: str) -> None:
        """A step whose size is not counted ("reading deals.csv")."""

    def __call__(self, task: str, done: int, total: int) -> None:
        """`done` of `total` units of `task` (analytics.progress.Progress); total 0: uncounted."""


class Shown(Silent):
    """A transient rich progress on `stream`, started by a timer after `delay` seconds."""

    def __init__(self, stream: TextIO, delay: float) -> None:
        self._progress = _rich_progress(stream)
        self._task: TaskID | None = None
        self._lock = threading.Lock()
        self._started = self._stopped = False
        self._timer = threading.Timer(delay, self._start)
        self._timer.daemon = True
        self._timer.start()

    def phase(self, step: str) -> None:
        self._update(step, 0, None)

    def __call__(self, task: str, done: int, total: int) -> None:
        self._update(task, done, total or None)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._timer.cancel()
            if self._started:
                self._progress.stop()

    def write(self, line: str) -> bool:
        """Print `line` above the progress, if it is on screen (else the caller prints it)."""
        with self._lock:
            if not self._started or self._stopped:
                return False
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
            return True

    def _update(self, step: str, done: int, total: int | None) -> None:
        counts = f"{done:,}/{total:,}" if total else ""
        if self._task is None:
            self._task = self._progress.add_task(step, total=total, counts=counts)
        self._progress.update(
            self._task, description=step, completed=done, total=total, counts=counts
        )

    def _start(self) -> None:
        with self._lock:
            if not self._stopped:
                self._progress.start()
                self._started = True


ACTIVE: list[Shown] = []  # the progress on screen, for print_above


def _rich_progress(stream: TextIO) -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(file=stream, force_terminal=True, highlight=False, markup=False)
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.fields[counts]}", markup=False),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )


def wanted(quiet: bool, stream: TextIO | None) -> bool:
    """Progress only for a person: stderr a terminal (not a dumb one), and no -q."""
    if quiet or stream is None or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or a stream without isatty
        return False


@contextmanager
def progress(
    quiet: bool, stream: TextIO | None = None, delay: float | None = None
) -> Iterator[Silent]:
    """The progress of the block: shown on `stream` (stderr by default) after `delay` seconds
    (DELAY by default) when `wanted`, else silent. Erased when the block ends, however it
    ends."""
    stream = sys.stderr if stream is None else stream
    if not wanted(quiet, stream):
        yield Silent()
        return
    shown = Shown(stream, DELAY if delay is None else delay)
    ACTIVE.append(shown)
    try:
        yield shown
    finally:
        ACTIVE.remove(shown)
        shown.stop()


def print_above(line: str) -> bool:
    """Print a line of stderr (a warning, a note) above the progress on screen; False when no
    progress is showing, and the caller prints it."""
    return any(shown.write(line) for shown in ACTIVE[-1:])
