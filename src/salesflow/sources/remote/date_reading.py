"""Dates a database holds as text in a day-month-year form (`3/5/2024 9:02 PM`, `05.03.24`),
read as a file reads them (sources.dates), in SQL every target runs on any text without an error.

A file's dates are read by DuckDB's `try_strptime`, which gives NULL for text that does not
fit. The servers have no such function: PostgreSQL's `to_timestamp` stops the statement on
`13/45/2024`. So the text is cut into its parts by `split_part`, a part is cast only when it is
one or two digits (four for a year; tested by `translate`, as PostgreSQL's regular expressions
took 3 s a million values), each number is tested against its range (the day against its
month's length, leap years included), and only then is `make_timestamp` called.
What `try_strptime` accepts is copied exactly (the tests compare the two on generated text): one
or two digits for the day, month, hour, minute and second; a year of one to four digits, or two
for a family's `%y` (69–99 in the 1900s, 00–68 in the 2000s); a time after one or more spaces,
with seconds or not, and AM/PM after one or more spaces (12 AM is midnight); a year outside
1900–2200 is no date, as in a file. A column's most frequent format is tried first there: when
it has a four-digit year (`%Y`), a two-digit year written in its shape is read as that year
itself (24 AD: no date), as DuckDB does.

The reading is computed in steps (sources.remote.steps): the text, its parts as text, as
numbers, the timestamp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from salesflow.sources import dates
from salesflow.sources.parse import FIRST_YEAR, LAST_YEAR, text
from salesflow.sources.remote.steps import in_steps

SEPARATORS = {dates.MDY: "/", dates.DMY: "/", "%d.%m.%Y": ".", "%d-%m-%Y": "-"}
READABLE = frozenset(SEPARATORS)  # the families read here (ISO 8601 is cast: see relations)


@dataclass(frozen=True)
class TextDate:
    """How a text date column is read: its family (a key of sources.dates.FAMILIES other than
    ISO 8601) and the format its most frequent shape is written in."""

    family: str
    first: str

    @property
    def separator(self) -> str:
        return SEPARATORS[self.family]

    @property
    def short_years(self) -> bool:
        """Whether the family reads a two-digit year as one of the 1900s or 2000s."""
        return any("%y" in f for f in dates.FAMILIES[self.family])


def reading_column(index: int) -> str:
    """The name of the TIMESTAMP read from the `index`-th column given to `with_readings`."""
    return f"sf_date_{index}_"


def with_readings(relation: str, alias: str, columns: Sequence[tuple[str, TextDate]]) -> str:
    """`relation` (aliased `alias`) with a column `reading_column(i)` for each (column, reading)
    of `columns`: the TIMESTAMP its text is, or NULL."""
    if not columns:
        return relation
    steps = [
        [f"{text(column, alias)} AS {_name('text', i)}" for i, (column, _) in enumerate(columns)],
        [item for i, (_, reading) in enumerate(columns) for item in _pieces(i, reading)],
        [item for i, (_, reading) in enumerate(columns) for item in _numbers(i, reading)],
        [f"{_timestamp(i)} AS {reading_column(i)}" for i in range(len(columns))],
    ]
    return in_steps(relation, alias, steps)


def _name(part: str, index: int) -> str:
    return f"sf_{part}_{index}_"


def _pieces(index: int, reading: TextDate) -> list[str]:
    """The text's parts, as text: the day's three numbers and what follows them, the time, its
    hour, minute and second and what follows them, and AM/PM (upper case) or ''."""
    value = _name("text", index)
    date = f"split_part({value}, ' ', 1)"
    rest = f"ltrim(substr({value}, length({date}) + 1))"
    time = f"split_part({rest}, ' ', 1)"
    noon = f"upper(ltrim(substr({rest}, length({time}) + 1)))"
    cut = {"first": 1, "second": 2, "year": 3, "date_more": 4}
    items = [
        f"split_part({date}, '{reading.separator}', {k}) AS {_name(p, index)}"
        for p, k in cut.items()
    ]
    items.append(f"{time} AS {_name('time', index)}")
    cut = {"hour": 1, "minute": 2, "seconds": 3, "time_more": 4}
    items += [f"split_part({time}, ':', {k}) AS {_name(p, index)}" for p, k in cut.items()]
    return [*items, f"{noon} AS {_name('noon', index)}"]


def _numbers(index: int, reading: TextDate) -> list[str]:
    """The parts as integers (NULL where a part is not one or two digits, or one to four for
    the year), whether the text has nothing else (its shape), and AM/PM."""
    month, day = ("first", "second") if reading.family == dates.MDY else ("second", "first")
    numbers = {
        "y": _year(index, reading),
        "m": _integer(_name(month, index)),
        "d": _integer(_name(day, index)),
        "h": _integer(_name("hour", index)),
        "mi": _integer(_name("minute", index)),
        "s": _integer(_name("seconds", index), empty=True),
    }
    items = [f"{sql} AS {_name(n, index)}" for n, sql in numbers.items()]
    time, noon = _name("time", index), _name("noon", index)
    nothing_else = (
        f"{_name('date_more', index)} = '' AND {_name('time_more', index)} = '' "
        f"AND ({time} = '' AND {noon} = '' OR {time} <> '' AND {noon} IN ('', 'AM', 'PM'))"
    )
    items.append(f"CASE WHEN {nothing_else} THEN 1 ELSE 0 END AS {_name('shaped', index)}")
    return [*items, f"{time} = '' AS {_name('dateonly', index)}", f"{noon} AS {_name('pm', index)}"]


def _timestamp(index: int) -> str:
    year, month, day, hour, minute, second, noon, shaped, dateonly = (
        _name(part, index) for part in ("y", "m", "d", "h", "mi", "s", "pm", "shaped", "dateonly")
    )
    leap = f"CASE WHEN {year} % 4 = 0 AND ({year} % 100 <> 0 OR {year} % 400 = 0) THEN 1 ELSE 0 END"
    length = (
        f"CASE WHEN {month} IN (4, 6, 9, 11) THEN 30 WHEN {month} = 2 THEN 28 + {leap} ELSE 31 END"
    )
    hours = f"CASE WHEN {noon} = '' THEN {hour} <= 23 ELSE {hour} BETWEEN 1 AND 12 END"
    clock = f"{hours} AND {minute} <= 59 AND {second} <= 59"
    valid = (
        f"{shaped} = 1 AND {year} BETWEEN {FIRST_YEAR} AND {LAST_YEAR} "
        f"AND {month} BETWEEN 1 AND 12 AND {day} BETWEEN 1 AND {length} "
        f"AND ({dateonly} OR {clock})"
    )
    hour24 = (
        f"CASE WHEN {dateonly} THEN 0 WHEN {noon} = 'AM' THEN {hour} % 12 "
        f"WHEN {noon} = 'PM' THEN {hour} % 12 + 12 ELSE {hour} END"
    )
    minutes = f"CASE WHEN {dateonly} THEN 0 ELSE {minute} END"
    seconds = f"CAST(CASE WHEN {dateonly} THEN 0 ELSE {second} END AS DOUBLE)"
    made = f"make_timestamp({year}, {month}, {day}, {hour24}, {minutes}, {seconds})"
    return f"CASE WHEN {valid} THEN {made} END"


def _year(index: int, reading: TextDate) -> str:
    """A two-digit year in the 1900s or 2000s where the family reads it so (see the module)."""
    written = _name("year", index)
    year = _integer(written, digits=4)
    if not reading.short_years:
        return year
    short = f"CASE WHEN {year} >= 69 THEN 1900 + {year} ELSE 2000 + {year} END"
    condition = f"length({written}) = 2"
    if "%Y" in reading.first:
        time, noon = _name("time", index), _name("noon", index)
        colons = f"length({time}) - length(replace({time}, ':', ''))"
        shape = f"{colons} + CASE WHEN {noon} = '' THEN 0 ELSE 4 END"
        first = reading.first.count(":") + 4 * ("%p" in reading.first)
        condition += f" AND {shape} <> {first}"
    return f"CASE WHEN {condition} THEN {short} ELSE {year} END"


def _integer(column: str, digits: int = 2, empty: bool = False) -> str:
    """The text column as an integer when it is one to `digits` digits, else NULL (a cast of
    other text would stop the statement); with `empty`, '' (no seconds) as 0. The digits are
    tested by `translate`, not a regular expression: PostgreSQL's took 3 s a million values."""
    only_digits = f"translate({column}, '0123456789', '') = ''"
    number = f"CASE WHEN length({column}) BETWEEN 1 AND {digits} AND {only_digits} "
    number += f"THEN CAST({column} AS INTEGER) END"
    return f"CASE WHEN {column} = '' THEN 0 ELSE {number} END" if empty else number
