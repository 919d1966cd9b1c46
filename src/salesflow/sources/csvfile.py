"""A CSV file (plain or gzip) made ready for DuckDB: its encoding, header and footer.

Every column is read as text with the layout taken from the header line rather than sniffed:
a sniffer given ragged rows may pick another line as the header, while a fixed layout makes
DuckDB name the first line that does not fit."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import duckdb

from salesflow.errors import DataError
from salesflow.sources.connection import quote_text
from salesflow.sources.encodings import encoding_of, transcode
from salesflow.sources.footer import cut_footer, find_footer, without_footer
from salesflow.sources.headers import check_header
from salesflow.sources.tempfiles import temporary_file

DELIMITERS = (",", ";", "\t", "|")
MAX_HEADER = 1 << 20  # a header line longer than this is not a header of column names
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class CsvFile:
    """What DuckDB reads: `read` is the user's file, or a UTF-8 copy without its footer."""

    file: Path
    read: Path
    gzip: bool
    delimiter: str
    names: list[str]
    notes: tuple[str, ...] = ()


def prepare_csv(
    con: duckdb.DuckDBPyConnection, file: Path, compressed: bool, declared: str | None
) -> CsvFile:
    if compressed:
        delimiter, names = csv_header(file, compressed=True)
        check_header(str(file), names)
        return CsvFile(file, file, True, delimiter, names)
    encoding = encoding_of(file, declared)
    read, notes = file, []
    if not encoding.is_utf8:
        read = transcode(con, file, encoding)
        if not encoding.declared:
            notes.append(_encoding_note(file, encoding.name))
    delimiter, names = csv_header(read, compressed=False)
    check_header(str(file), names)
    footer = find_footer(read, delimiter, len(names))
    if footer is not None:
        if read == file:
            read = temporary_file(con, ".csv")
            without_footer(file, footer, read)
        else:
            cut_footer(read, footer)
        notes.append(f"{file}: the {footer.lines} footer lines after the data were left out")
    return CsvFile(file, read, False, delimiter, names, tuple(notes))


def _encoding_note(file: Path, name: str) -> str:
    """A byte-order mark is certain; cp1252 is a guess (the Windows/Excel default) when the
    bytes are not UTF-8."""
    if name.startswith("utf"):
        return f"{file}: not UTF-8, read as {name} (its byte-order mark says so)"
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
        f"columns = {{{columns}}}, compression = '{compression}')"
    )


def csv_header(file: Path, compressed: bool) -> tuple[str, list[str]]:
    opener = gzip.open if compressed else open
    try:
        with opener(file, "rb") as handle:
            raw = handle.readline(MAX_HEADER + 1)
    except OSError as error:
        raise DataError(f"{file}: cannot be read: {error.strerror or error}") from None
    except EOFError as error:
        raise DataError(f"{file}: cannot be read: {error}") from None
    if len(raw) > MAX_HEADER:
        raise DataError(f"{file}: the header line is longer than {MAX_HEADER // 1024:,} KB")
    try:
        if raw.startswith(UTF16_BOMS) or b"\x00" in raw:
            raise UnicodeDecodeError("utf-8", raw, 0, 1, "NUL bytes")
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(
            f"{file}: the file is not UTF-8 text (UTF-16 or another encoding?); "
            "declare data.encoding in the process file"
        ) from None
    counts = {delimiter: line.count(delimiter) for delimiter in DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    try:
        fields = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise DataError(f"{file}: a column name in the header is longer than 128 KB") from None
        raise DataError(f"{file}: the header line cannot be read as CSV") from None
    return delimiter, [field.strip() for field in fields]
