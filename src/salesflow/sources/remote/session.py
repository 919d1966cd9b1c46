"""A database as the engine of the metrics: each query (DuckDB's dialect, over the canonical
relation names) goes out with the canonical CTEs, in the target's dialect; only its rows return.

Failures become one line naming the (masked) URL: a statement past `--timeout` and Ctrl-C are
cancelled on the server first."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, TypeVar

from salesflow.errors import DataError
from salesflow.sources.engine import Rows, first_value
from salesflow.sources.remote.combinations import last_date
from salesflow.sources.remote.drivers import Connection, connect, first_line
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
    _helper: Session | None = None  # a second connection in this one's snapshot (rows_each)
    _helper_tried: bool = False

    def rows(self, sql: str) -> Rows:
        """The rows of `sql` (DuckDB's dialect) over the canonical relations (before they are
        laid out, over the source tables only), run on the server in its own dialect."""
        return self.run_native(self._native(sql))

    def rows_each(self, sqls: Sequence[str]) -> list[Rows]:
        """The rows of each statement. On PostgreSQL a pair runs at once: the first on a second
        connection that reads the same snapshot of the data, the second on this one, so the
        server's cores stay busy through each statement's serial parts (its start, the gather,
        the final sort) and the second is translated while the first runs. Elsewhere, or when
        the server refuses a second connection, they run in turn."""
        helper = self._helper_session() if len(sqls) == 2 else None
        if helper is None:
            return list(map(self.rows, sqls))
        with _termination_as_interrupt(), ThreadPoolExecutor(max_workers=1) as pool:
            first = self._native(sqls[0])
            running = pool.submit(helper.run_native, first)
            try:
                second = self.rows(sqls[1])
                rows = [running.result(), second]
            except KeyboardInterrupt:
                helper._cancel()
                raise DataError(self._interrupted()) from None
            except DataError:
                helper._cancel()
                raise
        self.sent.insert(len(self.sent) - 1, first)
        return rows

    def _native(self, sql: str) -> str:
        if self.layout is None:
            return to_dialect(sql, self.url.target.dialect)
        if self._statements is None:
            self._statements = Statements(self.layout, self.url.target.dialect)
        return self._statements.statement(sql)

    def _helper_session(self) -> Session | None:
        """A second connection reading this one's snapshot (PostgreSQL's exported snapshot),
        opened at first use; None for other targets, on a standby (which exports none), or when
        it cannot be opened."""
        if self._helper_tried or getattr(self.connection.module, "__name__", "") != "psycopg":
            return self._helper
        self._helper_tried = True
        exported = "CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_export_snapshot() END"
        snapshot = first_value(self.run_native(f"SELECT {exported}"))
        if snapshot is None:
            return None
        try:
            helper = Session(self.url, connect(self.url, self.timeout), self.timeout)
        except DataError:
            return None  # a server at its connection limit: the statements run in turn
        try:
            helper._run(f"SET TRANSACTION SNAPSHOT '{snapshot}'", lambda cursor: None)
        except DataError:
            helper.close()
            return None
        self._helper = helper
        return helper

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
            raise DataError(self._interrupted()) from None
        except self.connection.module.Error as error:
            raise DataError(self._explain(error)) from None
        finally:
            cursor.close()

    def close(self) -> None:
        if self._helper is not None:
            self._helper.close()
        with contextlib.suppress(self.connection.module.Error):
            self.connection.raw.close()

    def _interrupted(self) -> str:
        return f"{self.url.shown}: interrupted; the query was cancelled on the server"

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
