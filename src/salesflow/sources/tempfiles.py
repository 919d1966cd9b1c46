"""Temporary files that live as long as the DuckDB connection whose relations read them."""

from __future__ import annotations

import os
import tempfile
import weakref
from pathlib import Path

import duckdb

PREFIX = "salesflow-"


def temporary_file(con: duckdb.DuckDBPyConnection, suffix: str) -> Path:
    """A new empty file, removed when `con` is garbage-collected or the program exits."""
    handle, name = tempfile.mkstemp(prefix=PREFIX, suffix=suffix)
    os.close(handle)
    weakref.finalize(con, _remove, name)
    return Path(name)


def _remove(name: str) -> None:
    Path(name).unlink(missing_ok=True)
