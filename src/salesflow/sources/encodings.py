"""The text encoding of a CSV file: declared (`data.encoding`), or detected from a byte-order
mark, then a strict UTF-8 check of the file's head and tail (DuckDB validates the rest while
reading), then cp1252, the Windows/Excel default — or Mac Roman when lines end with a carriage
return alone, as in Excel's "CSV (Macintosh)". A non-UTF-8 file, or one whose lines end with a
carriage return alone, is copied to a temporary UTF-8 file with line feeds, since DuckDB reads
only UTF-8 and the footer and row numbering count line feeds; each line keeps its number."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from salesflow.errors import DataError
from salesflow.sources.tempfiles import temporary_file

UTF8 = "utf-8"
FALLBACK = "cp1252"
MAC_FALLBACK = "mac-roman"  # Excel's "CSV (Macintosh)", with carriage returns alone
SAMPLE = 1 << 20  # bytes of the head (and of the tail) checked as UTF-8
CHUNK = 1 << 22
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
TRIED = "UTF-8, UTF-16 (with a byte-order mark) and cp1252"
LINE_END = re.compile(r"\r\n?|\n")


@dataclass(frozen=True)
class Encoding:
    name: str  # a Python codec name
    declared: bool
    cr_lines: bool = False  # lines end with a carriage return alone (old Mac format)

    @property
    def is_utf8(self) -> bool:
        return self.name in (UTF8, "utf-8-sig")

    @property
    def needs_copy(self) -> bool:
        """Whether DuckDB must read a UTF-8 copy with line feeds instead of the file."""
        return not self.is_utf8 or self.cr_lines


def encoding_of(file: Path, declared: str | None) -> Encoding:
    with file.open("rb") as handle:
        head = handle.read(SAMPLE)
    name = _declared(declared) if declared is not None else _detected(file, head)
    return Encoding(name, declared is not None, _cr_lines(head, name))


def _declared(declared: str) -> str:
    try:
        return codecs.lookup(declared).name
    except LookupError:
        raise DataError(
            f"data.encoding: unknown encoding '{declared}' (e.g. utf-8, utf-16, cp1252)"
        ) from None


def _detected(file: Path, head: bytes) -> str:
    for mark, name in BOMS:
        if head.startswith(mark):
            return name
    if b"\x00" in head[:4096]:
        raise DataError(
            f"{file}: the file looks like UTF-16 text without a byte-order mark; declare "
            "data.encoding: utf-16-le (or utf-16-be) in the process file"
        )
    if _utf8(head, final=len(head) < SAMPLE) and _utf8(_from_boundary(_tail(file)), final=True):
        return UTF8
    return MAC_FALLBACK if _cr_lines(head, FALLBACK) else FALLBACK


def _tail(file: Path) -> bytes:
    """The last SAMPLE bytes of a file longer than SAMPLE (the head holds a shorter one)."""
    size = file.stat().st_size
    if size <= SAMPLE:
        return b""
    with file.open("rb") as handle:
        handle.seek(size - SAMPLE)
        return handle.read(SAMPLE)


def _cr_lines(head: bytes, name: str) -> bool:
    """Whether the first line of the text ends with a carriage return alone."""
    text = codecs.getincrementaldecoder(name)(errors="replace").decode(head)
    end = LINE_END.search(text)
    return end is not None and end[0] == "\r" and end.end() < len(text)


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
    """A UTF-8 copy of the file (its lines ending with a line feed, when they ended with a
    carriage return alone), living as long as the connection."""
    target = temporary_file(con, ".csv")
    decoder = codecs.getincrementaldecoder(encoding.name)()
    lines = LineFeeds(encoding.cr_lines)
    done = 0
    try:
        with file.open("rb") as source, target.open("wb") as sink:
            while chunk := source.read(CHUNK):
                sink.write(lines.convert(decoder.decode(chunk)).encode(UTF8))
                done += len(chunk)
            sink.write(lines.convert(decoder.decode(b"", final=True), final=True).encode(UTF8))
    except UnicodeDecodeError as error:
        raise DataError(_undecodable(file, encoding, done + error.start)) from None
    return target


class LineFeeds:
    """When `active`, text whose lines end with a carriage return (alone or followed by a line
    feed) turned into text whose lines end with a line feed, chunk by chunk: a carriage return
    ending a chunk waits for the next one, which may start with its line feed."""

    def __init__(self, active: bool) -> None:
        self.active = active
        self.pending = ""

    def convert(self, text: str, final: bool = False) -> str:
        if not self.active:
            return text
        text, self.pending = self.pending + text, ""
        if text.endswith("\r") and not final:
            text, self.pending = text[:-1], "\r"
        return text.replace("\r\n", "\n").replace("\r", "\n")


def _undecodable(file: Path, encoding: Encoding, offset: int) -> str:
    line = _line_at(file, offset, b"\r" if encoding.cr_lines else b"\n")
    if encoding.is_utf8 and not encoding.declared:  # copied for its line endings
        return (
            f"{file} row {line}: the file is not UTF-8 text; declare data.encoding (e.g. "
            f"{MAC_FALLBACK}) in the process file"
        )
    if encoding.declared:
        return (
            f"{file} row {line}: not {encoding.name} text (byte {offset:,}); correct "
            "data.encoding in the process file"
        )
    return (
        f"{file} row {line}: the file is not text in any encoding tried ({TRIED}); "
        "declare data.encoding in the process file"
    )


def _line_at(file: Path, offset: int, line_end: bytes) -> int:
    with file.open("rb") as handle:
        return handle.read(offset).count(line_end) + 1
