"""Where deal data comes from: CSV files (plain, gzip, any supported encoding, one file or a
glob of several), Parquet, a DuckDB or SQLite database, or a spreadsheet (.xlsx, .xls, .ods)."""

from __future__ import annotations

import glob
import mmap
import re
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb

from salesflow.errors import DataError
from salesflow.sources.connection import quote_name, quote_text
from salesflow.sources.csvfile import CsvFile, csv_relation, prepare_csv
from salesflow.sources.database import attached_relation

PARQUET_MAGIC = b"PAR1"
DUCKDB_MAGIC = b"DUCK"
GZIP_MAGIC = b"\x1f\x8b"
SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and encrypted Office files)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
GLOB_CHARACTERS = re.compile(r"[*?[]")
CSV_ERROR = re.compile(r"CSV Error on Line: (\d+)")
EXPECTED_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
ORIGINAL_LINE = re.compile(r"Original Line: (.*?)\nExpected Number of Columns", re.DOTALL)
SHOWN_PATH = 200  # characters of a path quoted in a message
SHOWN_ROW = 80  # characters of a row quoted in a message
SPACES = re.compile(r"\s+")
# C0 and C1 controls, DEL and the bidirectional controls: never sent to a terminal.
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
DUCKDB_KINDS = re.compile(r"^[A-Za-z ]*(Error|Exception): ")
SPREADSHEETS = ("xlsx", "xls", "ods")


@dataclass(frozen=True)
class Part:
    """One file of a source read from several: its name and the UTF-8 text DuckDB reads."""

    name: str
    read: str
    relation: str


@dataclass(frozen=True)
class Source:
    """A readable relation: the SQL to select from, its columns and how rows are numbered."""

    path: str
    kind: str
    relation: str
    columns: dict[str, str]  # name → DuckDB type
    first_row: int = 1  # number of the first data row: a CSV's header is row 1
    lines_file: str | None = None  # the text whose blank lines DuckDB skipped
    skipped_rows: tuple[int, ...] = ()  # rows left out (empty rows of a spreadsheet)
    parts: tuple[Part, ...] = ()  # the files, when several are read as one
    notes: tuple[str, ...] = ()  # how the file was read, for the user (an encoding guessed …)

    @property
    def name(self) -> str:
        """The file as the user named it, for messages."""
        return self.path

    def display_row(self, row: int) -> int:
        """The row as a spreadsheet shows it (DuckDB skips blank lines, a spreadsheet does
        not); for several files, the row within its own file."""
        if self.parts:
            index, row = self._locate(row)
            return _shift(row, blank_lines(Path(self.parts[index].read)))
        return _shift(row, self._skipped)

    def row_file(self, row: int) -> str | None:
        """The file of a row, when the source is several files."""
        return self.parts[self._locate(row)[0]].name if self.parts else None

    def _locate(self, row: int) -> tuple[int, int]:
        """The file of a row (by rowid + first_row) and the row's number within it."""
        index = row - self.first_row
        for part, size in enumerate(self._part_sizes):
            if index < size:
                return part, index + self.first_row
            index -= size
        return len(self.parts) - 1, index + self.first_row

    @cached_property
    def _part_sizes(self) -> list[int]:
        """Rows of each file: counted only when a row is reported."""
        con = duckdb.connect()
        counts = [
            con.execute(f"SELECT count(*) FROM {part.relation}").fetchone() for part in self.parts
        ]
        return [int(count[0]) if count else 0 for count in counts]

    @cached_property
    def _skipped(self) -> tuple[int, ...]:
        if self.lines_file is not None:
            return tuple(blank_lines(Path(self.lines_file)))
        return self.skipped_rows


def _shift(row: int, skipped: tuple[int, ...] | list[int]) -> int:
    for blank in skipped:
        if blank > row:
            break
        row += 1
    return row


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


def open_source(
    con: duckdb.DuckDBPyConnection,
    path: str,
    table: str,
    alias: str,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> Source:
    """The data file at `path` (or the CSV files matching it) as a relation on `con`; `alias`
    names what is attached or loaded for it, `table` the table of a database, `sheet` the
    sheet of a spreadsheet, `encoding` the declared encoding of CSV text."""
    if GLOB_CHARACTERS.search(path) and not _exists(path):
        return _several_csv(con, path, encoding)
    file = Path(path)
    kind = _checked_kind(file, path)
    if kind in ("csv", "csv.gz"):
        prepared = prepare_csv(con, file, kind == "csv.gz", encoding)
        relation = csv_relation([prepared])
        lines = None if prepared.gzip else str(prepared.read)
        columns = _describe(con, relation, path, kind)
        first = 2 + prepared.skip  # the header's line, and the sep= line before it
        return Source(path, kind, relation, columns, first, lines, notes=prepared.notes)
    if kind in SPREADSHEETS:
        from salesflow.sources.spreadsheet import load_sheet  # numpy: only for these files

        loaded = load_sheet(con, file, kind, sheet, alias)
        relation = quote_name(alias)
        columns = _describe(con, relation, path, kind)
        return Source(path, kind, relation, columns, loaded.first_row, None, loaded.skipped)
    if kind == "sqlite":
        from salesflow.sources.sqlite import load_sqlite_table

        load_sqlite_table(con, file, table, alias)
        return Source(path, kind, quote_name(alias), _describe(con, quote_name(alias), path, kind))
    if kind == "parquet":
        relation = f"read_parquet('{quote_text(str(file))}')"
    else:
        relation = attached_relation(con, file, table, alias)
    return Source(path, kind, relation, _describe(con, relation, path, kind))


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except OSError:
        return False


def _checked_kind(file: Path, path: str) -> str:
    try:
        if file.is_dir():
            raise DataError(f"{shown(path)}: is a directory, not a data file")
        if not file.is_file():
            raise DataError(f"{shown(path)}: no such file")
        if file.stat().st_size == 0:
            raise DataError(f"{shown(path)}: the file is empty")
        return _kind(file)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DataError(f"{shown(path)}: cannot be read: {reason}") from None


def _several_csv(con: duckdb.DuckDBPyConnection, pattern: str, encoding: str | None) -> Source:
    """CSV files matching a glob, in name order, read as one table; each must have the header
    of the first."""
    paths = sorted(glob.glob(pattern))  # noqa: PTH207 - a pattern may hold directories and be absolute
    if not paths:
        raise DataError(f"{shown(pattern)}: no file matches")
    files: list[CsvFile] = []
    for path in paths:
        kind = _checked_kind(Path(path), path)
        if kind != "csv":
            raise DataError(
                f"{shown(path)}: several files are read only as plain CSV text, and this is "
                f"{_KIND_NAMES.get(kind, kind)}; name it alone"
            )
        files.append(prepare_csv(con, Path(path), False, encoding))
        _check_same_layout(files[-1], files[0])
    relation = csv_relation(files)
    parts = tuple(Part(str(f.file), str(f.read), csv_relation([f])) for f in files)
    notes = tuple(note for f in files for note in f.notes)
    columns = _describe(con, relation, pattern, "csv")
    first = 2 + files[0].skip
    return Source(pattern, "csv", relation, columns, first, None, parts=parts, notes=notes)


def _check_same_layout(file: CsvFile, first: CsvFile) -> None:
    """Files read together are read with the first one's header, delimiter and lines skipped."""
    name, first_name = shown(str(file.file)), shown(str(first.file))
    if file.names != first.names or file.delimiter != first.delimiter:
        raise DataError(
            f"{name}: its header differs from that of {first_name}; files read together must "
            "have the same columns in the same order"
        )
    if file.skip != first.skip:
        starts = (name, first_name) if file.skip else (first_name, name)
        raise DataError(
            f"{starts[0]}: starts with Excel's sep= line and {starts[1]} does not; files read "
            "together must start alike (delete the sep= line)"
        )


_KIND_NAMES = {
    "csv.gz": "gzip-compressed",
    "parquet": "a Parquet file",
    "duckdb": "a DuckDB database",
    "sqlite": "a SQLite database",
    "xlsx": "an Excel workbook",
    "xls": "an Excel workbook",
    "ods": "an OpenDocument spreadsheet",
}


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
        head = handle.read(16)
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head[8:12] == DUCKDB_MAGIC:
        return "duckdb"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(file)
    return "csv.gz" if head.startswith(GZIP_MAGIC) else "csv"


def _zip_kind(file: Path) -> str:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            mimetype = archive.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError) as error:
        raise DataError(f"{file}: a damaged zip archive ({error}); export the file again") from None
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    if mimetype.strip() == ODS_MIMETYPE:
        return "ods"
    raise DataError(
        f"{file}: is a zip archive, not a spreadsheet or CSV; unzip it and name the CSV, "
        "Excel or OpenDocument file inside"
    )


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
        return (
            f"{where}: the file is not UTF-8 text; declare data.encoding (e.g. cp1252) in the "
            "process file"
        )
    expected, got = EXPECTED_COLUMNS.search(text), ORIGINAL_LINE.search(text)
    detail = f": the header has {expected[1]} fields" if expected else ""
    row = _row_text(got[1]) if got else ""
    shown = f" ({row})" if row else ""
    if expected:
        return f"{where}: the row does not fit the header{detail}{shown}"
    return f"{where}: cannot be read: {_plain(error)}"


def _row_text(text: str) -> str:
    """A row as quoted in a message: on one line (DuckDB's text of it may start with the blank
    line before it, and a quoted field may span lines), without control characters, shortened
    when long."""
    line = CONTROLS.sub("\ufffd", SPACES.sub(" ", text).strip())
    return line if len(line) <= SHOWN_ROW else f"{line[: SHOWN_ROW - 1]}…"


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
