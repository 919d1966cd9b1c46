"""A command's analysis modules imported in a background thread while its data loads.

Loading deal data mostly waits: on DuckDB reading a file, or on a database running the label
scan, neither of which holds Python's interpreter lock. The modules that compute the figures
(numpy and the analytics, a quarter of a second to import) are imported in that wait instead of
before it. The command imports them again where it uses them: that import returns at once, or
waits for the background one to finish, or, had the background one failed, fails there with
the usual error.
"""

from __future__ import annotations

import contextlib
import importlib
import threading


def warm_up(module: str) -> None:
    """Start importing `module` in a daemon thread (it never delays the exit)."""
    threading.Thread(target=_import, args=(module,), name=f"import {module}", daemon=True).start()


def _import(module: str) -> None:
    with contextlib.suppress(Exception):
        importlib.import_module(module)
