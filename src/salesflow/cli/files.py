"""Atomic file writes that never lose a user's file by accident."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from salesflow.errors import OutputError


def atomic_write(path: str | Path, text: str, force: bool = False) -> bool:
    """Write `text` to `path` through a temporary file and a rename.

    Returns False when the file already holds exactly this text (nothing is written). Raises
    OutputError when a different file exists and `force` is not set, or the write fails.
    """
    target = Path(path)
    try:
        if _unchanged(target, text):
            return False
        if target.exists() and not force:
            raise OutputError(f"{target} already exists; use --force to overwrite it")
        _make_parent(target)
        _replace(target, text)
    except OutputError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None
    return True


def _make_parent(target: Path) -> None:
    existing = next((p for p in target.parents if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise OutputError(f"cannot write {target}: {existing} is a file, not a directory")
    target.parent.mkdir(parents=True, exist_ok=True)


def _unchanged(target: Path, text: str) -> bool:
    return target.is_file() and target.read_text(encoding="utf-8", errors="replace") == text


def _replace(target: Path, text: str) -> None:
    """Through a temporary file in the same directory, given the mode the file has (or a new
    file would have), then renamed over the target."""
    mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        Path(temporary).chmod(mode)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    """The mode a plain `open()` would give a new file: 0o666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
