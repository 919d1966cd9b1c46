"""Where deal data comes from: a CSV (plain or gzip), a Parquet file or a DuckDB database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from salesflow.errors import DataError
from salesflow.sources.connection import quote_name, quote_text

PARQUET_MAGIC = b"PAR1"
DUCKDB_MAGIC = b"DUCK"
GZIP_MAGIC = b"\x1f\x8b"


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


def open_source(con: duckdb.DuckDBPyConnection, path: str, table: str, alias: str) -> Source:
    file = Path(path)
    if not file.is_file():
        raise DataError(f"{path}: no such file")
    if file.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    kind = _kind(file)
    relation = _relation(con, file, kind, table, alias)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error as error:
        raise DataError(f"{path}: cannot be read as {kind}: {_first_line(error)}") from None
    return Source(path, kind, relation, {str(row[0]): str(row[1]) for row in described})


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
        compression = "gzip" if kind == "csv.gz" else "auto"
        return (
            f"read_csv('{literal}', all_varchar = true, header = true, "
            f"compression = '{compression}', sample_size = 20480)"
        )
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


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
