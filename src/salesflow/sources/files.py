"""Where deal data comes from: a CSV (plain or gzip), a Parquet file or a DuckDB database."""

from __future__ import annotations

import csv
import gzip
import mmap
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb

from salesflow.errors import DataError
from salesflow.sources.connection import quote_name, quote_text

PARQUET_MAGIC = b"PAR1"
DUCKDB_MAGIC = b"DUCK"
GZIP_MAGIC = b"\x1f\x8b"
DELIMITERS = (",", ";", "\t", "|")
CSV_ERROR = re.compile(r"CSV Error on Line: (\d+)")
EXPECTED_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
ORIGINAL_LINE = re.compile(r"Original Line: (.*)")
MAX_HEADER = 1 << 20  # a header line longer than this is not a header of column names
SHOWN_PATH = 200  # characters of a path quoted in a message
DUCKDB_KINDS = re.compile(r"^[A-Za-z ]*(Error|Exception): ")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Source:
    """A readable relation: the SQL to select from, its columns and how rows are numbered."""

    path: str
    kind: str
    relation: str
    columns: dict[str, str]  # name → DuckDB type

    @property
    def name(self) -> str:
        """The file as the user named it, for messages."""
        return self.path

    @property
    def first_row(self) -> int:
        """Number of the first data row: a CSV's header is row 1, as in a spreadsheet."""
        return 2 if self.kind.startswith("csv") else 1

    def display_row(self, row: int) -> int:
        """The row as a spreadsheet shows it: DuckDB skips blank lines, a spreadsheet does not."""
        for blank in self._blank_lines:
            if blank > row:
                break
            row += 1
        return row

    @cached_property
    def _blank_lines(self) -> list[int]:
        return blank_lines(Path(self.path)) if self.kind == "csv" else []


def blank_lines(file: Path) -> list[int]:
    """Line numbers of the empty lines of a text file (scanned only when rows are reported)."""
    with file.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b"\n\n") < 0 and data.find(b"\n\r\n") < 0:
            return []
        blanks, line = [], 1
        for text in iter(data.readline, b""):
            if text in (b"\n", b"\r\n"):
                blanks.append(line)
            line += 1
        return blanks


def shown(path: str) -> str:
    """A path as quoted in a message: shortened when absurdly long."""
    return path if len(path) <= SHOWN_PATH else f"{path[: SHOWN_PATH - 1]}…"


def open_source(con: duckdb.DuckDBPyConnection, path: str, table: str, alias: str) -> Source:
    file = Path(path)
    try:
        if file.is_dir():
            raise DataError(f"{shown(path)}: is a directory, not a data file")
        if not file.is_file():
            raise DataError(f"{shown(path)}: no such file")
        if file.stat().st_size == 0:
            raise DataError(f"{shown(path)}: the file is empty")
        kind = _kind(file)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DataError(f"{shown(path)}: cannot be read: {reason}") from None
    relation = _relation(con, file, kind, table, alias)
    return Source(path, kind, relation, _describe(con, relation, path, kind))


def _describe(
    con: duckdb.DuckDBPyConnection, relation: str, path: str, kind: str
) -> dict[str, str]:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error as error:
        raise DataError(f"{path}: cannot be read as {kind}: {_first_line(error)}") from None
    return {str(row[0]): str(row[1]) for row in described}


def _kind(file: Path) -> str:
    with file.open("rb") as handle:
        head = handle.read(12)
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head[8:12] == DUCKDB_MAGIC:
        return "duckdb"
    return "csv.gz" if head.startswith(GZIP_MAGIC) else "csv"


def _relation(con: duckdb.DuckDBPyConnection, file: Path, kind: str, table: str, alias: str) -> str:
    literal = quote_text(str(file))
    if kind == "parquet":
        return f"read_parquet('{literal}')"
    if kind in ("csv", "csv.gz"):
        return _csv_relation(file, kind, literal)
    return _attached_table(con, file, literal, table, alias)


def _attached_table(
    con: duckdb.DuckDBPyConnection, file: Path, literal: str, table: str, alias: str
) -> str:
    try:
        con.execute(f"ATTACH '{literal}' AS {quote_name(alias)} (READ_ONLY)")
    except duckdb.Error as error:
        raise DataError(f"{file}: cannot open the DuckDB database: {_first_line(error)}") from None
    tables = [
        str(row[0])
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [alias]
        ).fetchall()
    ]
    if table not in tables:
        known = ", ".join(sorted(tables)) or "none"
        raise DataError(f"{file}: no table '{table}' (tables: {known}); choose one with --table")
    return f"{quote_name(alias)}.{quote_name(table)}"


def _csv_relation(file: Path, kind: str, literal: str) -> str:
    """Read every column as text, with the layout taken from the header line rather than
    sniffed: a sniffer given ragged rows may pick another line as the header, while a fixed
    layout makes DuckDB name the first line that does not fit."""
    delimiter, names = _csv_header(file, kind)
    if not names or not any(names):
        raise DataError(f"{file}: the first line is not a header of column names")
    counts = Counter(names)  # linear: a header may have tens of thousands of columns
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        raise DataError(f"{file}: column '{repeated[0]}' appears more than once in the header")
    columns = ", ".join(f"'{quote_text(name)}': 'VARCHAR'" for name in names)
    compression = "gzip" if kind == "csv.gz" else "none"
    return (
        f"read_csv('{literal}', auto_detect = false, header = true, "
        f"delim = '{quote_text(delimiter)}', quote = '\"', escape = '\"', "
        f"columns = {{{columns}}}, compression = '{compression}')"
    )


def _csv_header(file: Path, kind: str) -> tuple[str, list[str]]:
    opener = gzip.open if kind == "csv.gz" else open
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
            "export or save it as UTF-8"
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


def explain(error: Exception, path: str) -> str:
    """One line from a DuckDB error; a CSV line that cannot be read is named with its number."""
    text = str(error)
    found = CSV_ERROR.search(text)
    if "parallel csv reader" in text.lower():
        where = f"{path} row {found[1]}" if found else path
        return f"{where}: cannot be read as CSV (an unclosed quote or a row that does not fit?)"
    if not found:
        return f"{path}: cannot be read: {_plain(error)}"
    where = f"{path} row {found[1]}"
    if "not utf-8" in text.lower() or "invalid unicode" in text.lower():
        return f"{where}: the file is not UTF-8 text; export or save it as UTF-8"
    expected, got = EXPECTED_COLUMNS.search(text), ORIGINAL_LINE.search(text)
    detail = f": the header has {expected[1]} fields" if expected else ""
    shown = f" ({got[1].strip()[:80]})" if got else ""
    if expected:
        return f"{where}: the row does not fit the header{detail}{shown}"
    return f"{where}: cannot be read: {_plain(error)}"


def _plain(error: Exception) -> str:
    """The first line of a DuckDB error without its class ("Binder Error: ", …), which means
    nothing to someone reading their own data; a binder error is a column of a type we cannot
    read (a list, a struct, a blob …)."""
    line = _first_line(error)
    if line.startswith("Binder Error"):
        return "a column has a type salesflow cannot read (only text, numbers and dates)"
    return DUCKDB_KINDS.sub("", line)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
