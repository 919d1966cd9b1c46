"""The text encoding of a CSV file: declared (`data.encoding`), or detected from a byte-order
mark, then a strict UTF-8 check of the file's head and tail (DuckDB validates the rest while
reading), then cp1252, the Windows/Excel default. A non-UTF-8 file is transcoded to a
temporary UTF-8 file, since DuckDB reads only UTF-8."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import duckdb

from salesflow.errors import DataError
from salesflow.sources.tempfiles import temporary_file

UTF8 = "utf-8"
FALLBACK = "cp1252"
SAMPLE = 1 << 20  # bytes of the head (and of the tail) checked as UTF-8
CHUNK = 1 << 22
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
TRIED = "UTF-8, UTF-16 (with a byte-order mark) and cp1252"


@dataclass(frozen=True)
class Encoding:
    name: str  # a Python codec name
    declared: bool

    @property
    def is_utf8(self) -> bool:
        return self.name in (UTF8, "utf-8-sig")


def encoding_of(file: Path, declared: str | None) -> Encoding:
    if declared is not None:
        try:
            return Encoding(codecs.lookup(declared).name, declared=True)
        except LookupError:
            raise DataError(
                f"data.encoding: unknown encoding '{declared}' (e.g. utf-8, utf-16, cp1252)"
            ) from None
    with file.open("rb") as handle:
        head = handle.read(SAMPLE)
        handle.seek(max(0, file.stat().st_size - SAMPLE))
        tail = handle.read(SAMPLE) if file.stat().st_size > SAMPLE else b""
    for mark, name in BOMS:
        if head.startswith(mark):
            return Encoding(name, declared=False)
    if b"\x00" in head[:4096]:
        raise DataError(
            f"{file}: the file looks like UTF-16 text without a byte-order mark; declare "
            "data.encoding: utf-16-le (or utf-16-be) in the process file"
        )
    if _utf8(head, final=len(head) < SAMPLE) and _utf8(_from_boundary(tail), final=True):
        return Encoding(UTF8, declared=False)
    return Encoding(FALLBACK, declared=False)


def _utf8(data: bytes, final: bool) -> bool:
    """Whether the bytes are UTF-8 (a character cut at the end of a sample is allowed)."""
    try:
        codecs.getincrementaldecoder(UTF8)().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _from_boundary(data: bytes) -> bytes:
    """The bytes from the first that can start a character (a sample may cut one)."""
    start = 0
    while start < min(len(data), 4) and 0x80 <= data[start] < 0xC0:
        start += 1
    return data[start:]


def transcode(con: duckdb.DuckDBPyConnection, file: Path, encoding: Encoding) -> Path:
    """A UTF-8 copy of the file, living as long as the connection."""
    target = temporary_file(con, ".csv")
    decoder = codecs.getincrementaldecoder(encoding.name)()
    done = 0
    try:
        with file.open("rb") as source, target.open("wb") as sink:
            while chunk := source.read(CHUNK):
                sink.write(decoder.decode(chunk).encode(UTF8))
                done += len(chunk)
            sink.write(decoder.decode(b"", final=True).encode(UTF8))
    except UnicodeDecodeError as error:
        raise DataError(_undecodable(file, encoding, done + error.start)) from None
    return target


def _undecodable(file: Path, encoding: Encoding, offset: int) -> str:
    line = _line_at(file, offset)
    if encoding.declared:
        return (
            f"{file} row {line}: not {encoding.name} text (byte {offset:,}); correct "
            "data.encoding in the process file"
        )
    return (
        f"{file} row {line}: the file is not text in any encoding tried ({TRIED}); "
        "declare data.encoding in the process file"
    )


def _line_at(file: Path, offset: int) -> int:
    with file.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1
