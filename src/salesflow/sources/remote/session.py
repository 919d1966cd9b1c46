"""A database as the engine of the metrics: each query (DuckDB's dialect, over the canonical
relation names) goes out with the canonical CTEs, in the target's dialect; only its rows return.

Failures become one line naming the (masked) URL: a statement past `--timeout` and Ctrl-C are
cancelled on the server first."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, TypeVar

from salesflow.errors import DataError
from salesflow.sources.engine import Rows, first_value
from salesflow.sources.remote.combinations import last_date
from salesflow.sources.remote.drivers import Connection, first_line
from salesflow.sources.remote.relations import Layout
from salesflow.sources.remote.statements import Statements
from salesflow.sources.remote.transpile import to_dialect
from salesflow.sources.remote.urls import DatabaseUrl

T = TypeVar("T")
TIMED_OUT = ("statement timeout", "timeout", "timed out")


@contextmanager
def _termination_as_interrupt() -> Iterator[None]:
    """While a statement runs, SIGTERM (a CI job cancelled, `timeout`, `kill`) is handled as
    Ctrl-C: the statement is cancelled on the server instead of running on without us."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def interrupt(number: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class Session:
    url: DatabaseUrl
    connection: Connection
    timeout: float | None
    layout: Layout | None = None
    sent: list[str] = field(default_factory=list)  # every statement, as the server got it
    _statements: Statements | None = None

    def rows(self, sql: str) -> Rows:
        """The rows of `sql` (DuckDB's dialect) over the canonical relations (before they are
        laid out, over the source tables only), run on the server in its own dialect."""
        if self.layout is None:
            return self.run_native(to_dialect(sql, self.url.target.dialect))
        if self._statements is None:
            self._statements = Statements(self.layout, self.url.target.dialect)
        return self.run_native(self._statements.statement(sql))

    def relayout(self, layout: Layout) -> None:
        """Statements from now on over `layout` (the CTEs written again)."""
        self.layout = layout
        self._statements = None

    def latest(self, sql: str) -> object:
        """Without a stage history the label scan read each combination's latest dates
        (sources.remote.combinations): no statement then."""
        vocabulary = self.layout.vocabulary if self.layout is not None else None
        if vocabulary is not None and vocabulary.dated and vocabulary.combinations is not None:
            return last_date(vocabulary)
        return first_value(self.rows(sql))

    @property
    def one_pass(self) -> bool:
        """With a stage history: every statement would aggregate it per deal again."""
        return self.layout is not None and self.layout.history is not None

    def run_native(self, sql: str) -> Rows:
        return self._run(sql, lambda cursor: [tuple(row) for row in cursor.fetchall()])

    def columns(self, relation: str) -> dict[str, str]:
        """The columns of a relation (a table or a parenthesised query), read from an empty
        result: name → "text" for a column the driver types as a string (DB-API's STRING),
        else ""."""
        sql = to_dialect(f"SELECT * FROM {relation} src LIMIT 0", self.url.target.dialect)
        text = getattr(self.connection.module, "STRING", None)

        def described(cursor: Any) -> dict[str, str]:
            return {
                str(column[0]): "text" if text is not None and column[1] == text else ""
                for column in cursor.description or []
            }

        return self._run(sql, described)

    def _run(self, sql: str, read: Callable[[Any], T]) -> T:
        """Run `sql` as the server writes it and `read` its cursor; a failure, a timeout or an
        interruption (the statement cancelled on the server) is one DataError line."""
        self.sent.append(sql)
        cursor = self.connection.raw.cursor()
        try:
            with _termination_as_interrupt():
                cursor.execute(sql)
                return read(cursor)
        except KeyboardInterrupt:
            self._cancel()
            raise DataError(
                f"{self.url.shown}: interrupted; the query was cancelled on the server"
            ) from None
        except self.connection.module.Error as error:
            raise DataError(self._explain(error)) from None
        finally:
            cursor.close()

    def close(self) -> None:
        with contextlib.suppress(self.connection.module.Error):
            self.connection.raw.close()

    def _cancel(self) -> None:
        if self.connection.cancel is not None:
            self.connection.cancel()
        self._rollback()

    def _rollback(self) -> None:
        with contextlib.suppress(self.connection.module.Error):
            self.connection.raw.rollback()

    def _explain(self, error: Any) -> str:
        self._rollback()
        message = self.url.mask(first_line(error))
        if self.timeout is not None and any(word in message.lower() for word in TIMED_OUT):
            return (
                f"{self.url.shown}: the query ran longer than --timeout {self.timeout:g} s "
                "and was cancelled on the server"
            )
        return f"{self.url.shown}: {message}"
