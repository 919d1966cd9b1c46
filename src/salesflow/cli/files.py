"""Atomic file writes that never lose a user's file by accident.

The policy (docs/security.md, "Writing files (-o)"):

- only a regular file, or nothing, is ever replaced. The last component of the path is looked at
  without following it (`lstat`): a directory, a named pipe, a device or a socket is refused, even
  with --force, and nothing is opened for writing there. A symbolic link is refused without
  --force; with --force the link itself is replaced by a regular file, atomically: its target is
  never opened, written or replaced.
- an existing regular file with other content is replaced only with --force, or when the caller
  recognises it as its own from its first `HEAD_BYTES` (onboard's marker line). An existing file is
  never read in full: only a file of exactly the new size is compared with the new text.
- the text goes to a temporary file in the same directory, is flushed and fsynced, gets the mode
  the old file had (or a new file would get), and is renamed over the target; the directory is
  fsynced where the system allows. Until the rename, SIGINT, SIGTERM and SIGHUP remove the
  temporary file and end the command (exit 130, 143 or 129).
"""

from __future__ import annotations

import os
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from salesflow.cli.errors import Terminated
from salesflow.errors import OutputError

HEAD_BYTES = 4096
CREATE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
CLEANUP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def atomic_write(
    path: str | Path,
    text: str,
    force: bool = False,
    ours: Callable[[bytes], bool] | None = None,
) -> bool:
    """Write `text` to `path` through a temporary file and a rename.

    Returns False when the file already holds exactly this text (nothing is written). Raises
    OutputError when the path is not a regular file (see the module policy), when a different file
    exists and neither `force` is set nor `ours(first bytes)` is true, or when the write fails.
    """
    target = Path(path)
    try:
        info = _lstat(target)
        if info is not None:
            _refuse_special(target, info, force)
            if stat.S_ISREG(info.st_mode):
                if _holds(target, info, text):
                    return False
                if not force and not (ours is not None and ours(read_head(target))):
                    raise OutputError(_refusal(target, ours))
        _make_parent(target)
        mode = stat.S_IMODE(info.st_mode) if info and stat.S_ISREG(info.st_mode) else None
        _replace(target, text, _default_mode() if mode is None else mode)
    except OutputError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None
    return True


def read_head(path: str | Path, limit: int = HEAD_BYTES) -> bytes:
    """At most the first `limit` bytes of a regular file, or b"" for anything else. Opened without
    following a link and without blocking, so a FIFO put there in the meantime cannot hang us."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return b""
        return os.read(handle, limit)
    finally:
        os.close(handle)


def same_content(path: str | Path, text: str) -> bool | None:
    """Whether the regular file at `path` holds exactly `text`; None when there is no regular file.
    Reads at most as many bytes as the text has, plus one."""
    target = Path(path)
    try:
        info = _lstat(target)
        if info is not None and stat.S_ISLNK(info.st_mode):
            info = target.stat()
    except OSError:
        return None
    if info is None or not stat.S_ISREG(info.st_mode):
        return None
    return _holds(target, info, text)


def _lstat(target: Path) -> os.stat_result | None:
    try:
        return target.lstat()
    except FileNotFoundError:
        return None


def _refuse_special(target: Path, info: os.stat_result, force: bool) -> None:
    for test, kind in KINDS:
        if test(info.st_mode):
            raise OutputError(f"{target} is {kind}, not a regular file; it is never replaced")
    if stat.S_ISLNK(info.st_mode) and not force:
        raise OutputError(
            f"{target} is a symbolic link; use --force to replace the link itself "
            "(its target is never written)"
        )


def _refusal(target: Path, ours: Callable[[bytes], bool] | None) -> str:
    if ours is not None:
        return f"{target} exists and was not generated by salesflow; use --force to replace it"
    return f"{target} already exists; use --force to overwrite it"


def _holds(target: Path, info: os.stat_result, text: str) -> bool:
    """Compare without reading more than the new text's size: a different size differs."""
    data = text.encode("utf-8")
    if info.st_size != len(data):
        return False
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(target, flags)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return False
        chunks = []
        remaining = len(data) + 1
        while remaining > 0:
            chunk = os.read(handle, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks) == data
    finally:
        os.close(handle)


def _make_parent(target: Path) -> None:
    existing = next((p for p in target.parents if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise OutputError(f"cannot write {target}: {existing} is a file, not a directory")
    target.parent.mkdir(parents=True, exist_ok=True)


def _replace(target: Path, text: str, mode: int) -> None:
    """Through a temporary file in the same directory, flushed to disk with the given mode, then
    renamed over the target. The temporary file never outlives a failure or a signal."""
    temporary: str | None = None
    with _cleanup_signals():
        try:
            while temporary is None:
                # The name is known before the file exists, so that a signal at any moment finds
                # it to remove (tempfile.mkstemp returns the name only after creating the file).
                temporary = str(target.parent / f".{target.name}.{os.urandom(4).hex()}.tmp")
                try:
                    handle = os.open(temporary, CREATE, 0o600)
                except FileExistsError:  # someone else's: not ours to remove
                    temporary = None
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
                stream.flush()
                if hasattr(os, "fchmod"):  # not on Windows
                    os.fchmod(stream.fileno(), mode)
                else:
                    Path(temporary).chmod(mode)
                os.fsync(stream.fileno())
            Path(temporary).replace(target)
            temporary = None
        finally:
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable where the system allows fsync on a directory (not everywhere)."""
    try:
        handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def _cleanup_signals() -> Iterator[None]:
    """During the write, SIGTERM and SIGHUP raise Terminated (as SIGINT raises KeyboardInterrupt),
    so that the temporary file is removed; the previous handlers come back afterwards."""
    if not _on_main_thread():  # handlers can only be set from the main thread
        yield
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    previous = {number: signal.signal(number, terminate) for number in CLEANUP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _default_mode() -> int:
    """The mode a plain `open()` would give a new file: 0o666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
