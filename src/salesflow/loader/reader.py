"""Read a process file's text safely: size limit, strict UTF-8, stdin."""

from __future__ import annotations

import sys
from pathlib import Path

from salesflow.diagnostics import Issue, Severity
from salesflow.errors import ProcessFileError

MAX_BYTES = 5 * 1024 * 1024
STDIN = "-"


def read_text(source: str, name: str | None = None) -> str:
    """The text of `source` (a path, or `-` for stdin), refusing what is not a sane process file.
    Problems are reported against `name` (default: the source itself)."""
    shown = name or source
    data = _read_stdin() if source == STDIN else _read_file(Path(source), shown)
    if len(data) > MAX_BYTES:
        raise _fatal(shown, "file-too-large", f"file is larger than {MAX_BYTES // 2**20} MB")
    return decode(shown, data)


def _read_stdin() -> bytes:
    return sys.stdin.buffer.read(MAX_BYTES + 1)


def _read_file(path: Path, name: str) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _fatal(name, "file-too-large", f"file is larger than {MAX_BYTES // 2**20} MB")
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise _fatal(name, "file-not-found", "no such file") from None
    except IsADirectoryError:
        raise _fatal(name, "file-not-found", "is a directory, not a process file") from None
    except PermissionError:
        raise _fatal(name, "file-unreadable", "permission denied") from None
    except OSError as error:
        raise _fatal(name, "file-unreadable", error.strerror or str(error)) from None


def decode(source: str, data: bytes) -> str:
    """The text of a process file's bytes; ProcessFileError (exit 2) for bytes that are not
    UTF-8 text: undecodable, or binary (a NUL byte, which no YAML file contains)."""
    text = _decode(source, data)
    nul = text.find("\0")
    if nul >= 0:
        before = text[:nul]
        line = before.count("\n") + 1
        column = nul - (before.rfind("\n") + 1) + 1
        raise _fatal(
            source, "not-utf8", "file is binary, not text (it has a NUL byte)", line, column
        )
    return text


def _decode(source: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        byte = data[error.start : error.start + 1].hex()
        raise _fatal(
            source, "not-utf8", f"file is not UTF-8 (byte 0x{byte} cannot be decoded)", line, column
        ) from None


def _fatal(
    source: str, code: str, message: str, line: int = 1, column: int = 1
) -> ProcessFileError:
    return ProcessFileError(Issue(source, line, column, "", code, Severity.ERROR, message))
