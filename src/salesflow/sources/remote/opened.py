"""The database connections a command opened, closed when the command ends (cli.errors.guarded),
whether it succeeded or not: a session holds a read-only transaction, and with it locks that
would make the database's owner wait (a `DROP TABLE`, an `ALTER TABLE`) for as long as the
process lives — for ever when salesflow runs inside another program. Kept free of imports, so
that every command can close what it opened without loading a driver."""

from __future__ import annotations

from collections.abc import Callable

_closers: list[Callable[[], None]] = []


def opened(close: Callable[[], None]) -> None:
    """Remember how to close a connection just opened."""
    _closers.append(close)


def close_all() -> None:
    """Close every connection opened since the last call, the latest first."""
    while _closers:
        _closers.pop()()
