"""Atomic file writes that never lose a user's file by accident."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: str | Path, text: str, force: bool = False) -> bool:
    """Write `text` to `path` through a temporary file and a rename.

    Returns False when the file already holds exactly this text (nothing written). Raises
    FileExistsError when a different file exists and `force` is not set.
    """
    target = Path(path)
    if target.exists():
        if target.is_file() and target.read_text(encoding="utf-8", errors="replace") == text:
            return False
        if not force:
            raise FileExistsError(str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
