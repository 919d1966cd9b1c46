"""How a long computation says how far it has come without printing (core code never does):
the caller passes a `Progress`, which the CLI turns into a progress bar on stderr."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, task: str, done: int, total: int) -> None:
        """`done` of `total` units of `task` are finished; a `total` of 0 means not counted."""


def no_progress(task: str, done: int, total: int) -> None:
    """The Progress of a caller that shows none."""
    del task, done, total
