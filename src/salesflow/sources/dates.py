"""How each text date column is read: by the format the user declared, or by the one format
(ISO 8601, m/d/Y, d/m/Y, d.m.Y, d-m-Y, each with or without a time) that reads its values.

A column whose values read either way (3/5/2024: March 5 or May 3) follows the file's other
date columns: one export is written in one locale, so when the columns whose order shows (a value
only one order reads, 13/01/2024, or a declared format) all show the same order, it is that one;
when they disagree, the column is refused. With no such column in the file, the files read with
it (the deals' and the history's) are asked in turn, and only then a hint (a CRM preset's date
order); without one the column is refused. So is a time zone that names no single offset. To
keep ISO files fast, a sample of each column is read first: the whole column is scanned only
when the sample is not all ISO 8601.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import duckdb

from salesflow.errors import DataError
from salesflow.sources import parse
from salesflow.sources.files import Source, explain

Order = Literal["mdy", "dmy"]
SAMPLE = 2000  # rows read before deciding which columns are ISO 8601
EXAMPLES = 3
# A column most of whose values no format reads is refused from this many on (fewer are
# typing errors, flagged per row).
REFUSED_AT = 3
# A value ISO 8601 does not read that another family might: a day, month and year, or a time
# followed by letters (AM/PM, a zone).
OTHER = r"^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2}|[0-9]:[0-9]{2}.*[A-Za-z]"
# Values that read alike: the date as written, the time's digits as zeros (`5.3.2024 6:41 PM`
# and `5.3.2024 9:02 PM` are one group; the time starts one or two digits before its colon).
# Written in functions every database has: a database's values are grouped so on its server.
SIGNATURE = (
    "CASE WHEN strpos(v, ':') > 2 THEN left(v, strpos(v, ':') - 3) || "
    "translate(substr(v, strpos(v, ':') - 2), '123456789', '000000000') ELSE v END"
)
TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p")


def _family(*days: str) -> tuple[str, ...]:
    """Every format of a date order: two-digit years first (%Y would read `24` as year 24)."""
    return tuple(day + time for day in days for time in TIMES)


ISO = "ISO 8601"
MDY, DMY = "%m/%d/%Y", "%d/%m/%Y"
FAMILIES: dict[str, tuple[str, ...]] = {
    ISO: (),
    MDY: _family("%m/%d/%y", "%m/%d/%Y"),
    DMY: _family("%d/%m/%y", "%d/%m/%Y"),
    "%d.%m.%Y": _family("%d.%m.%y", "%d.%m.%Y"),
    "%d-%m-%Y": _family("%d-%m-%Y"),
}
NAMES = tuple(FAMILIES)
HINTED: dict[Order, str] = {"mdy": MDY, "dmy": DMY}
ORDERS: dict[str, Order] = {MDY: "mdy", DMY: "dmy"}
ORDER_NAMES: dict[Order, str] = {"mdy": "month/day", "dmy": "day/month"}
AMBIGUOUS_ZONES = "IST is India, Ireland or Israel"

DateFormat = str | Mapping[str, str] | None


@dataclass(frozen=True)
class Scan:
    """What each candidate format makes of a column's non-empty values."""

    values: int
    read: dict[str, int]  # family → values it reads
    either_way: list[str]  # values m/d/Y and d/m/Y both read, as different dates
    unreadable: list[str]  # values no family reads
    unknown_zones: list[str]  # zone abbreviations outside parse.ZONES
    zoned_values: list[str] = field(default_factory=list)  # values with such a zone
    common: str | None = None  # a value of the most frequent shape


EMPTY = Scan(values=0, read=dict.fromkeys(NAMES, 0), either_way=[], unreadable=[], unknown_zones=[])


@dataclass(frozen=True)
class Evidence:
    """The order (month or day first) each date column of one file shows, where it shows one:
    by its values (13/01/2024: only day/month reads it) or by its declared format."""

    file: str
    orders: Mapping[str, Order]


@dataclass(frozen=True)
class Detection:
    """A file's date columns before the order of those that read either way is settled: the
    formats known without a scan (declared, typed by the file, ISO 8601) and the others' scans."""

    source: Source
    fixed: dict[str, tuple[str, ...]]
    scans: dict[str, Scan]

    @property
    def evidence(self) -> Evidence:
        declared = {c: o for c, f in self.fixed.items() if (o := declared_order(f)) is not None}
        shown = {c: o for c, s in self.scans.items() if (o := shown_order(s)) is not None}
        return Evidence(self.source.name, {**declared, **shown})


Formats = dict[str, tuple[str, ...]]


def date_formats(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    columns: Iterable[str],
    declared: tuple[str | None, DateFormat],
    order_hint: Order | None = None,
) -> Formats:
    """Column → the strftime formats its text is read by (empty: ISO 8601). `declared` is the
    `--date-format` flag (or salesflow.toml's date_format), which applies to every column, then
    the process's data.date_format (one format, or a map of column → format)."""
    return settled_formats(detect(con, source, columns, declared), order_hint)


def formats_read_together(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[tuple[Source, Iterable[str]]],
    declared: tuple[str | None, DateFormat],
    order_hint: Order | None = None,
) -> list[Formats]:
    """Each file's formats (as date_formats), the files read together (the deals and their
    history): a column that reads either way follows its own file's columns, else the others'."""
    detections = [detect(con, source, columns, declared) for source, columns in files]
    found = [detection.evidence for detection in detections]
    return [
        settled_formats(detection, order_hint, [found[i], *found[:i], *found[i + 1 :]])
        for i, detection in enumerate(detections)
    ]


def detect(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    columns: Iterable[str],
    declared: tuple[str | None, DateFormat],
) -> Detection:
    """The declared and typed columns, then the ISO 8601 ones (from a sample), then one scan of
    all the others."""
    fixed: Formats = {}
    undeclared = []
    for column in dict.fromkeys(columns):
        given = declared_format(*declared, column)
        if given is not None:
            fixed[column] = (given,)
        elif source.columns[column].startswith(parse.TEMPORAL_TYPES):
            fixed[column] = ()
        else:
            undeclared.append(column)
    iso = _iso_in_sample(con, source, undeclared)
    fixed.update((column, ()) for column in undeclared if column in iso)
    scans = _scans(con, source, [column for column in undeclared if column not in iso])
    return Detection(source, fixed, scans)


def settled_formats(
    detection: Detection, order_hint: Order | None, evidence: Sequence[Evidence] = ()
) -> Formats:
    """The formats of a detected file: a column that reads either way follows `evidence` (the
    file's own by default, then the files read with it), else the hint."""
    evidence = evidence or [detection.evidence]
    file = detection.source.name
    scanned = {
        column: family_of(scan, order_hint, file, column, evidence)[1]
        for column, scan in detection.scans.items()
    }
    return {**detection.fixed, **scanned}


def shown_order(scan: Scan) -> Order | None:
    """The order a column's values show by themselves: it is read as m/d/Y or d/m/Y, and the
    other reads fewer of its values (a date only one of them reads, 13/01/2024)."""
    if scan.values == 0 or scan.read[MDY] == scan.read[DMY]:
        return None
    best = max(scan.read.values())
    return ORDERS.get(next(name for name in NAMES if scan.read[name] == best))


def declared_order(formats: tuple[str, ...]) -> Order | None:
    """The order a declared format gives (`%d/%m/%Y %H:%M`: day first), if it is one of these."""
    for order, family in HINTED.items():
        if formats and formats[0].startswith(family[:5]):
            return order
    return None


def declared_format(flag: str | None, configured: DateFormat, column: str) -> str | None:
    if flag:
        return flag
    if configured is None or isinstance(configured, str):
        return configured or None
    if column in configured:
        return configured[column]
    folded = {key.casefold(): value for key, value in configured.items()}
    return folded.get(column.casefold())


def check_format_columns(configured: DateFormat, date_columns: Iterable[str]) -> None:
    """A data.date_format map may only name columns read as dates (of the deals or history)."""
    if configured is None or isinstance(configured, str):
        return
    known = list(dict.fromkeys(date_columns))
    folded = {column.casefold() for column in known}
    for key in configured:
        if key.casefold() not in folded:
            raise DataError(
                f"data.date_format: '{key}' is not a column read as a date; the date columns: "
                f"{', '.join(known) or 'none'}"
            )


def detected_family(
    con: duckdb.DuckDBPyConnection, source: Source, column: str, order_hint: Order | None
) -> tuple[str, tuple[str, ...]]:
    """The family of a column detected alone (see family_of)."""
    return family_of(scan_column(con, source, column), order_hint, source.name, column)


def scan_column(con: duckdb.DuckDBPyConnection, source: Source, column: str) -> Scan:
    return _scans(con, source, [column])[column]


def family_of(
    scan: Scan,
    order_hint: Order | None,
    file: str,
    column: str,
    evidence: Sequence[Evidence] = (),
) -> tuple[str, tuple[str, ...]]:
    """The name of the family that reads every value of the column (see choose), and its
    formats, the one its most frequent shape is written in first (parse reads by it before
    looking at shapes: three times faster)."""
    name = choose(scan, order_hint, file, column, evidence)
    return name, _first(FAMILIES[name], scan.common)


def _first(formats: tuple[str, ...], common: str | None) -> tuple[str, ...]:
    for date_format in formats if common else ():
        try:
            datetime.strptime(common or "", date_format)
        except ValueError:
            continue
        return (date_format, *(f for f in formats if f != date_format))
    return formats


def choose(
    scan: Scan,
    order_hint: Order | None,
    file: str,
    column: str,
    evidence: Sequence[Evidence] = (),
) -> str:
    if scan.unknown_zones:
        raise _zone_error(file, column, scan)
    if scan.values == 0:
        return ISO
    best = max(scan.read.values())
    if best * 2 < scan.values and scan.values - best >= REFUSED_AT:
        shown = ", ".join(scan.unreadable)
        raise DataError(
            f"{file}: column '{column}': no date format reads most of its values "
            f"(such as {shown}); declare it in data.date_format, e.g. "
            f'{{"{column}": "%d/%m/%Y %H:%M"}}'
        )
    winners = [name for name in NAMES if scan.read[name] == best]
    if MDY in winners and DMY in winners and scan.either_way:
        return HINTED[settled_order(evidence, order_hint, (file, column), scan.either_way)]
    return winners[0]


def settled_order(
    evidence: Sequence[Evidence],
    order_hint: Order | None,
    where: tuple[str, str],
    values: list[str],
) -> Order:
    """The order of a column (`where`: its file and name) whose `values` read either way: the
    one the first `evidence` that shows any shows, refused when its columns disagree; else the
    hint; else refused."""
    for found in evidence:
        orders = set(found.orders.values())
        if len(orders) > 1:
            raise _disagreeing(where, values, found)
        if orders:
            return orders.pop()
    if order_hint is None:
        raise _ambiguous(where, values)
    return order_hint


def _ambiguous(where: tuple[str, str], values: list[str]) -> DataError:
    file, column = where
    return DataError(
        f"{file}: column '{column}': dates such as {', '.join(values)} read either way "
        f"(month/day or day/month); {_declare(column)}"
    )


def _disagreeing(where: tuple[str, str], values: list[str], found: Evidence) -> DataError:
    file, column = where
    shown = ", ".join(f"'{name}' {ORDER_NAMES[order]}" for name, order in found.orders.items())
    return DataError(
        f"{file}: column '{column}': dates such as {', '.join(values)} read either way "
        f"(month/day or day/month), and the date columns of {found.file} disagree on the order "
        f"({shown}); {_declare(column)}"
    )


def _declare(column: str) -> str:
    return (
        f'declare the format in data.date_format, e.g. {{"{column}": "{MDY}"}} or '
        f'{{"{column}": "{DMY}"}}'
    )


def _zone_error(file: str, column: str, scan: Scan) -> DataError:
    return DataError(
        f"{file}: column '{column}': time zone {', '.join(scan.unknown_zones)} (in "
        f"{', '.join(scan.zoned_values)}) names no single offset ({AMBIGUOUS_ZONES}) or none "
        "salesflow knows; export the dates in UTC or with an offset such as +05:30"
    )


def _iso_in_sample(con: duckdb.DuckDBPyConnection, source: Source, columns: list[str]) -> set[str]:
    """The columns the first SAMPLE rows show to be ISO 8601 (see below): one quick look for
    all columns; the other formats are tried, on the whole column, only for the rest."""
    if not columns:
        return set()
    layers = parse.DateLayers()
    names = [layers.add(column, "VARCHAR", ()) for column in columns]
    # ISO when ISO reads most values of the sample, and none of the others looks like a date
    # of another family or a time with a zone (those are typing errors, flagged per row), and
    # there is a value, or the sample is the whole file (an empty column has nothing to detect).
    whole = f"count(*) < {SAMPLE}"
    counts = [
        f"count({read}) * 2 >= count({text}) AND (count({text}) > 0 OR {whole}) AND "
        f"count({text}) FILTER (WHERE {read} IS NULL AND regexp_matches({text}, '{OTHER}')) = 0"
        for text, read in names
    ]
    sample = f"(SELECT * FROM {source.relation} LIMIT {SAMPLE})"
    sql = f"SELECT {', '.join(counts)} FROM {layers.wrap(sample)}"
    try:
        row = con.execute(sql).fetchone()
    except duckdb.Error as error:
        raise DataError(explain(error, source.path)) from None
    assert row is not None  # an aggregate has one row
    return {column for column, iso in zip(columns, row, strict=True) if iso}


def _scans(con: duckdb.DuckDBPyConnection, source: Source, columns: list[str]) -> dict[str, Scan]:
    """Each column's scan, from one statement: DuckDB plans the readings once (0.1 s a
    statement) and reads the source once, however many date columns it has."""
    if not columns:
        return {}
    try:
        rows = con.execute(_scan_sql(source.relation, columns)).fetchall()
    except duckdb.Error as error:
        raise DataError(explain(error, source.path)) from None
    found = {int(row[0]): _scan_of(row[1:]) for row in rows}
    return {column: found.get(index, EMPTY) for index, column in enumerate(columns)}


def _scan_of(row: tuple[Any, ...]) -> Scan:
    values, *counts = row[: len(NAMES) + 1]
    either_way, unreadable, zones, zoned, common = row[len(NAMES) + 1 :]
    return Scan(
        values=int(values or 0),
        read={name: int(count or 0) for name, count in zip(NAMES, counts, strict=True)},
        either_way=list(either_way or [])[:EXAMPLES],
        unreadable=list(unreadable or [])[:EXAMPLES],
        unknown_zones=sorted(zones or []),
        zoned_values=list(zoned or [])[:EXAMPLES],
        common=common,
    )


def _scan_sql(relation: str, columns: list[str]) -> str:
    """Per column (its index, `c`) and family, how many non-empty values it reads. Values are
    grouped by their column, their date and the shape of their time (SIGNATURE), and one of each
    group is read: a million timestamps come down to a few thousand. Each step is over the names
    of the one before (written out, the readings came to 80 KB of SQL)."""
    texts = ", ".join(parse.text(column) for column in columns)
    unpivoted = f"SELECT unnest(range({len(columns)})) AS c, unnest([{texts}]) AS v FROM {relation}"
    reads = [
        f"{parse.split_reading('v', 'body', 'zm', FAMILIES[name])} AS r{i}"
        for i, name in enumerate(NAMES)
    ]
    sane = [f"{parse.sane_years(f'r{i}')} AS f{i}" for i in range(len(NAMES))]
    counts = [f"sum(n) FILTER (WHERE f{i} IS NOT NULL)" for i in range(len(NAMES))]
    mdy, dmy = (f"f{NAMES.index(name)}" for name in (MDY, DMY))
    unknown = "zm IS NULL"
    none_read = " AND ".join(f"f{i} IS NULL" for i in range(len(NAMES)))
    return f"""
    WITH counted AS (
        SELECT c, min(v) AS v, count(*) AS n FROM ({unpivoted}) WHERE v IS NOT NULL
        GROUP BY c, {SIGNATURE}
    ),
    zoned AS (SELECT c, v, n, {parse.zone("v")} AS tz FROM counted),
    split AS (
        SELECT c, v, n, tz, {parse.without_zone("v", "tz")} AS body,
            {parse.zone_minutes("tz")} AS zm
        FROM zoned
    ),
    raw AS (SELECT c, v, n, tz, zm, {", ".join(reads)} FROM split),
    read AS (SELECT c, v, n, tz, zm, {", ".join(sane)} FROM raw)
    SELECT c, sum(n), {", ".join(counts)},
        list(v ORDER BY v) FILTER (WHERE {mdy} <> {dmy})[1:{EXAMPLES}],
        list(v ORDER BY v) FILTER (WHERE {none_read})[1:{EXAMPLES}],
        list(DISTINCT tz) FILTER (WHERE {unknown}),
        list(v ORDER BY v) FILTER (WHERE {unknown})[1:{EXAMPLES}],
        arg_max(v, n)
    FROM read
    GROUP BY c
    """
