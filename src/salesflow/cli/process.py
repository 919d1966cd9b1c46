"""Load the configured process file for commands that need a valid one."""

from __future__ import annotations

from salesflow.config import require_process
from salesflow.errors import InputError
from salesflow.loader import load_process
from salesflow.model import Process


def load_valid_process(flag: str | None) -> Process:
    """The process, or an error pointing at `salesflow validate` when it has errors."""
    setting = require_process(flag)
    loaded = load_process(setting.value)
    if loaded.process is None:
        first = loaded.errors[0].render()
        more = len(loaded.errors) - 1
        tail = f" (and {more} more; run `salesflow validate`)" if more else ""
        raise InputError(f"the process file has errors: {first}{tail}")
    return loaded.process
