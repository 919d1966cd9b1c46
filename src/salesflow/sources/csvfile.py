"""A CSV file (plain or gzip) made ready for DuckDB: its encoding, line endings, header and
footer.

Every column is read as text with the layout taken from the header line rather than sniffed:
a sniffer given ragged rows may pick another line as the header, while a fixed layout makes
DuckDB name the first line that does not fit. Excel's `sep=;` first line, which declares the
delimiter, is honoured and skipped by DuckDB, so that row numbers stay the file's line
numbers."""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from salesflow.errors import DataError
from salesflow.sources.connection import quote_text
from salesflow.sources.encodings import MAC_FALLBACK, encoding_of, transcode
from salesflow.sources.footer import cut_footer, find_footer, without_footer
from salesflow.sources.headers import check_header
from salesflow.sources.tempfiles import temporary_file

DELIMITERS = (",", ";", "\t", "|")
MAX_HEADER = 1 << 20  # a header line longer than this is not a header of column names
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Excel's first line declaring the delimiter: `sep=;` (any ASCII punctuation but a quote, or a
# tab), maybe followed by more of it where a tool wrote it as a row of empty cells.
SEP_LINE = re.compile(r"(?i)sep=(\t|[!#-/:-@\[-`{-~])\1*[ \t]*[\r\n]*")
LONE_CR = re.compile(rb"\r(?!\n)")
CR_LINES = "lines end with a carriage return alone (old Mac format); save it as CSV UTF-8"


@dataclass(frozen=True)
class CsvFile:
    """What DuckDB reads: `read` is the user's file, or a UTF-8 copy without its footer."""

    file: Path
    read: Path
    gzip: bool
    delimiter: str
    names: list[str]
    notes: tuple[str, ...] = ()
    skip: int = 0  # lines before the header (Excel's `sep=;` line)


@dataclass(frozen=True)
class Header:
    delimiter: str
    names: list[str]
    skip: int  # lines before it


def prepare_csv(
    con: duckdb.DuckDBPyConnection, file: Path, compressed: bool, declared: str | None
) -> CsvFile:
    if compressed:
        header = csv_header(file, compressed=True)
        check_header(str(file), header.names)
        return CsvFile(file, file, True, header.delimiter, header.names, skip=header.skip)
    encoding = encoding_of(file, declared)
    read, notes = file, []
    if encoding.needs_copy:
        read = transcode(con, file, encoding)
        if not encoding.is_utf8 and not encoding.declared:
            notes.append(_encoding_note(file, encoding.name))
    header = csv_header(read, compressed=False)
    delimiter, names = header.delimiter, header.names
    check_header(str(file), names)
    footer = find_footer(read, delimiter, len(names))
    if footer is not None:
        if read == file:
            read = temporary_file(con, ".csv")
            without_footer(file, footer, read)
        else:
            cut_footer(read, footer)
        notes.append(_footer_note(file, footer.lines))
    return CsvFile(file, read, False, delimiter, names, tuple(notes), header.skip)


def _footer_note(file: Path, lines: int) -> str:
    if lines == 1:
        return f"{file}: the footer line after the data was left out"
    return f"{file}: the {lines} footer lines after the data were left out"


def _encoding_note(file: Path, name: str) -> str:
    """A byte-order mark is certain; cp1252 is a guess (the Windows/Excel default) when the
    bytes are not UTF-8, and Mac Roman when lines end with a carriage return alone."""
    if name.startswith("utf"):
        return f"{file}: not UTF-8, read as {name} (its byte-order mark says so)"
    if name == MAC_FALLBACK:
        return (
            f"{file}: not UTF-8, read as {name} (Excel's CSV (Macintosh), as its line endings "
            "suggest); declare data.encoding if that is wrong"
        )
    return (
        f"{file}: not UTF-8, read as {name} (the Windows/Excel default); "
        "declare data.encoding if that is wrong"
    )


def csv_relation(files: list[CsvFile]) -> str:
    first = files[0]
    paths = ", ".join(f"'{quote_text(str(part.read))}'" for part in files)
    columns = ", ".join(f"'{quote_text(name)}': 'VARCHAR'" for name in first.names)
    compression = "gzip" if first.gzip else "none"
    return (
        f"read_csv([{paths}], auto_detect = false, header = true, "
        f"delim = '{quote_text(first.delimiter)}', quote = '\"', escape = '\"', "
        f"skip = {first.skip}, columns = {{{columns}}}, compression = '{compression}')"
    )


def csv_header(file: Path, compressed: bool) -> Header:
    """The delimiter and column names of the header line, after Excel's `sep=;` line if the
    file starts with one (its delimiter is then the one declared)."""
    opener = gzip.open if compressed else open
    try:
        with opener(file, "rb") as handle:
            line = _next_line(file, handle.readline)
            declared = SEP_LINE.fullmatch(line)
            if declared:
                line = _next_line(file, handle.readline)
    except OSError as error:
        raise DataError(f"{file}: cannot be read: {error.strerror or error}") from None
    except EOFError as error:
        raise DataError(f"{file}: cannot be read: {error}") from None
    delimiter = declared[1] if declared else _likeliest_delimiter(line)
    return Header(delimiter, _names(file, line, delimiter), 1 if declared else 0)


def _next_line(file: Path, readline: Callable[[int], bytes]) -> str:
    """The next line of the file as text, refused when it cannot be a header line."""
    raw = readline(MAX_HEADER + 1)
    if raw.startswith(UTF16_BOMS) or b"\x00" in raw:
        raise _not_utf8(file)
    if LONE_CR.search(raw.rstrip(b"\r\n")):
        raise DataError(f"{file}: {CR_LINES}")  # a gzip file: its text is not copied
    if len(raw) > MAX_HEADER:
        raise DataError(f"{file}: the header line is longer than {MAX_HEADER // 1024:,} KB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(file) from None


def _not_utf8(file: Path) -> DataError:
    return DataError(
        f"{file}: the file is not UTF-8 text (UTF-16 or another encoding?); "
        "declare data.encoding in the process file"
    )


def _likeliest_delimiter(line: str) -> str:
    counts = {delimiter: line.count(delimiter) for delimiter in DELIMITERS}
    return max(counts, key=lambda d: counts[d])


def _names(file: Path, line: str, delimiter: str) -> list[str]:
    try:
        fields = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise DataError(f"{file}: a column name in the header is longer than 128 KB") from None
        raise DataError(f"{file}: the header line cannot be read as CSV") from None
    return [field.strip() for field in fields]
