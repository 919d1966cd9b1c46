"""SQL expressions that turn raw CRM values into typed ones, per the column's type in the data.

Each parser returns the typed expression; a value is *bad* when its text is non-empty and the
typed expression is NULL, and the text is kept for the message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# Shared with the process file: an amount beyond ±MAX_AMOUNT, infinite or NaN is refused
# (sources.problems, `amount-out-of-range`); a date outside FIRST_YEAR…LAST_YEAR is unreadable.
from salesflow.model.limits import FIRST_YEAR as FIRST_YEAR
from salesflow.model.limits import LAST_YEAR as LAST_YEAR
from salesflow.model.limits import MAX_AMOUNT as MAX_AMOUNT
from salesflow.sources.connection import quote_name, quote_text
from salesflow.sources.labels import sql_fold

NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE")
TEMPORAL_TYPES = ("DATE", "TIMESTAMP")
CURRENCY_CODE = r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$"


def text(column: str, table: str | None = None) -> str:
    """The column (of `table`, when given) as trimmed text, NULL when empty."""
    name = quote_name(column) if table is None else f"{table}.{quote_name(column)}"
    return f"NULLIF(trim(CAST({name} AS VARCHAR)), '')"


def label(column: str) -> str:
    """A label as matched against ids, names and aliases (see sources.labels.sql_fold)."""
    return sql_fold(text(column))


# The number formats a process may declare: thousands separator, then decimal mark.
NUMBER_FORMATS = {
    "1,234.56": (",", "."),
    "1.234,56": (".", ","),
    "1 234,56": (" ", ","),
    "1'234.56": ("'", "."),
}
# Without a declared format, text whose reading depends on the convention: one kind of
# separator only, after one to three digits (not starting with 0), each time followed by exactly
# three digits (`12.000`, `1,234`, `1.234.567`: thousands, or decimals, or no number at all?),
# perhaps ending with one or two decimals after the same mark (`1,234,50`).
AMBIGUOUS = (
    r"-?[1-9][0-9]{0,2}(\.[0-9]{3})+(\.[0-9]{1,2})?|-?[1-9][0-9]{0,2}(,[0-9]{3})+(,[0-9]{1,2})?"
)
# A `k` (thousand) or `M` (million) right after the number, before any currency symbol.
SUFFIX = r"([0-9.,])\s*([kKM])([^A-Za-z0-9]*)$"
SPACES = "\\s\u00a0\u202f"


def amount(column: str, column_type: str, number_format: str | None = None) -> str:
    """Numbers as they are; text with a currency symbol or code, thousands separators and a
    `k` or `M` suffix cleaned. With a `number_format` (a key of NUMBER_FORMATS), text is read
    by it exactly; a value that does not fit it is unreadable. Without one, `$12,000.00`,
    `1.200,50`, `12 000,50 €` and `1,5` read (a value with both `.` and `,` by their order), and
    a value whose reading depends on the convention (see AMBIGUOUS) is unreadable: the problems
    report it as ambiguous (see `ambiguous`). `(500)` is negative, as accountants write it. A
    plain number (`1e5` too) reads as itself; any other letter (`n/a`, `inf`) makes the value
    unreadable, never a guess."""
    if column_type.startswith(NUMERIC_TYPES) or column_type.startswith("DECIMAL"):
        return _bounded(f"CAST({quote_name(column)} AS DOUBLE)")
    raw = text(column)
    body = "body_"  # bound once, by a lambda (see _guessed)
    suffix = f"regexp_extract({_uncoded(raw)}, '{SUFFIX}', 2)"
    scale = f"CASE {suffix} WHEN '' THEN 1 WHEN 'M' THEN 1000000 ELSE 1000 END"
    number = _formatted(body, number_format) if number_format else _guessed(body)
    sign = f"CASE WHEN contains({raw}, '(') AND contains({raw}, ')') THEN -1 ELSE 1 END"
    reading = (
        f"CASE WHEN regexp_matches({body}, '[A-Za-z]') THEN NULL "
        f"ELSE {sign} * {scale} * TRY_CAST(NULLIF({number}, '') AS DOUBLE) END"
    )
    cleaned = f"list_transform([{_body(raw)}], lambda {body}: {reading})[1]"
    plain = f"TRY_CAST({raw} AS DOUBLE)"  # most amounts are plain numbers: skip the cleaning
    fast = _fast(raw, plain, number_format)
    written = _written_exactly(raw, number_format) if number_format else ""
    return f"CASE WHEN {fast} THEN {plain} {written} ELSE {_bounded(cleaned)} END"


def _written_exactly(raw: str, number_format: str) -> str:
    """A CASE branch for text that is a bare number in the declared format (`1.234,56`: no
    symbol, no suffix): read with two replacements, five times faster than the cleaning."""
    thousands, decimal = NUMBER_FORMATS[number_format]
    sep, mark = (re_escape(c) for c in (thousands, decimal))
    pattern = f"-?([1-9][0-9]{{0,2}}({sep}[0-9]{{3}})+|[0-9]+)({mark}[0-9]+)?"
    number = f"replace(replace({raw}, '{quote_text(thousands)}', ''), '{decimal}', '.')"
    typed = f"TRY_CAST({number} AS DOUBLE)"
    return f"WHEN regexp_full_match({raw}, '{quote_text(pattern)}') THEN {_bounded(typed)}"


def _uncoded(raw: str) -> str:
    return f"regexp_replace({raw}, '{CURRENCY_CODE}', '', 'g')"


def _body(raw: str) -> str:
    """The value without its currency code and its `k`/`M` suffix."""
    return f"regexp_replace({_uncoded(raw)}, '{SUFFIX}', '\\1\\3')"


def _fast(raw: str, plain: str, number_format: str | None) -> str:
    """When a value that DuckDB reads as a number means that number: always with a decimal
    point; with a decimal comma only without a dot; without a format unless it may be a
    thousands group (`12.000`: the 4th character from the end is a dot)."""
    if number_format is None:
        return f"{within(plain)} AND NOT {thousands_group(raw)}"
    if NUMBER_FORMATS[number_format][1] == ",":
        return f"{within(plain)} AND NOT contains({raw}, '.')"
    return within(plain)


def thousands_group(raw: str) -> str:
    """SQL: whether a plain number's text may be a thousands group (`12.000`: the 4th character
    from the end is a dot), in functions every database has."""
    return f"(length({raw}) BETWEEN 5 AND 8 AND substr({raw}, length({raw}) - 3, 1) = '.')"


def _kept(body: str) -> str:
    """The digits, sign and separators of a value; symbols and spaces gone."""
    return f"regexp_replace({body}, '[^0-9.,\\-]', '', 'g')"


def _guessed(body: str) -> str:
    """Text of the number without a declared format; NULL when ambiguous or malformed. The kept
    text is bound once by a lambda: written out at each use, it was computed each time (2.5x)."""
    kept = "kept_"
    last_dot = f"instr(reverse({kept}), '.')"
    last_comma = f"instr(reverse({kept}), ',')"
    reading = (
        f"CASE WHEN regexp_full_match({kept}, '{AMBIGUOUS}') THEN NULL "
        f"WHEN NOT contains({kept}, ',') THEN {kept} "
        f"WHEN NOT contains({kept}, '.') THEN replace({kept}, ',', '.') "
        f"WHEN {last_dot} < {last_comma} "
        f"THEN CASE WHEN regexp_full_match({kept}, '-?[0-9]+(,[0-9]+)*\\.[0-9]+') "
        f"THEN replace({kept}, ',', '') END "
        f"WHEN regexp_full_match({kept}, '-?[0-9]+(\\.[0-9]+)*,[0-9]+') "
        f"THEN replace(replace({kept}, '.', ''), ',', '.') END"
    )
    return f"list_transform([{_kept(body)}], lambda {kept}: {reading})[1]"


def _formatted(body: str, number_format: str) -> str:
    """Text of the number read by a declared format: the thousands separator only between
    groups of three digits (the first not starting with 0), the decimal mark once; NULL when
    the value does not fit."""
    thousands, decimal = NUMBER_FORMATS[number_format]
    # Keep digits, sign, separators and spaces (so a misplaced separator is seen), then trim.
    value = f"trim(regexp_replace({body}, '[^0-9.,''’{SPACES}-]', '', 'g'))"
    value = f"regexp_replace(replace({value}, '’', ''''), '[{SPACES}]+', ' ', 'g')"
    kept = "kept_"  # bound once, by a lambda (see _guessed)
    sep, mark = (re_escape(c) for c in (thousands, decimal))
    pattern = f"-?([1-9][0-9]{{0,2}}({sep}[0-9]{{3}})+|[0-9]+)({mark}[0-9]*)?|-?{mark}[0-9]+"
    plain = f"replace(replace({kept}, '{quote_text(thousands)}', ''), '{decimal}', '.')"
    reading = f"CASE WHEN regexp_full_match({kept}, '{quote_text(pattern)}') THEN {plain} END"
    return f"list_transform([{value}], lambda {kept}: {reading})[1]"


def re_escape(character: str) -> str:
    return "\\." if character == "." else character


def ambiguous(raw: str) -> str:
    """SQL true when an unreadable amount's text `raw` was refused only because its reading
    depends on the number format (checked when no format is declared)."""
    body = _body(raw)
    return (
        f"coalesce(NOT regexp_matches({body}, '[A-Za-z]') "
        f"AND regexp_full_match({_kept(body)}, '{AMBIGUOUS}'), false)"
    )


def within(value: str) -> str:
    """True for a finite amount within ±MAX_AMOUNT (false for NaN, Infinity and NULL)."""
    return f"coalesce(abs({value}) <= {MAX_AMOUNT:.0f}, false)"


def _bounded(value: str) -> str:
    return f"CASE WHEN {within(value)} THEN {value} END"


def out_of_range(raw: str, column_type: str) -> str:
    """SQL true when an amount's unreadable text `raw` is a number, but infinite, NaN or beyond
    ±MAX_AMOUNT (rather than text such as `n/a`, `5k` or `inf` typed in a text column)."""
    if column_type.startswith(NUMERIC_TYPES) or column_type.startswith("DECIMAL"):
        return f"({raw} IS NOT NULL)"
    number = f"TRY_CAST({raw} AS DOUBLE)"
    return (
        f"({raw} IS NOT NULL AND NOT regexp_matches({raw}, '[A-DF-Za-df-z]') "
        f"AND {number} IS NOT NULL AND NOT {within(number)})"
    )


def reading(column: str, column_type: str, value: str, formats: Sequence[str] = ()) -> str:
    """The timestamp of `column` (its trimmed text is `value`, SQL), before the years are
    checked (see sane_years): dates and timestamps as they are; text by `formats` (strftime
    codes such as %d/%m/%Y), or as ISO 8601 without any. A time zone after the time (`Z`,
    `+02:00`, `-0500`, `EST`, `CET`: see ZONES) is converted to UTC; one outside ZONES makes the
    value unreadable (sources.dates refuses it), never dropped. The expression repeats `value`
    many times: pass a column name computed in an inner query (DateLayers), not an expression,
    or the SQL grows past what DuckDB binds quickly (hundreds of KB for a wide export)."""
    if column_type.startswith(TEMPORAL_TYPES):
        return f"TRY_CAST({quote_name(column)} AS TIMESTAMP)"
    return _reading(value, formats)


def _reading(value: str, formats: Sequence[str] = ()) -> str:
    # Not bound by a lambda (as in _guessed): DuckDB computes the repeated `value` once, and a
    # lambda over every row made ISO dates 35% slower. Most values are read by the first,
    # cheap branch; only the rest reach the zone's (see _iso_zoned).
    if not formats:
        # DuckDB's cast ignores what follows a time (` PM`, ` EST`, ` +0200`): a value with
        # anything after it is read strictly, but for an offset right after the time.
        plain = f"length({value}) <= 10 OR NOT regexp_matches(substr({value}, 12), '[^0-9:.]')"
        offset = f"regexp_full_match(substr({value}, 11), '{ISO_OFFSET}')"
        return (
            f"CASE WHEN {plain} THEN TRY_CAST({value} AS TIMESTAMP) "
            f"WHEN {offset} THEN CAST(TRY_CAST({value} AS TIMESTAMPTZ) AS TIMESTAMP) "
            f"ELSE {_iso_zoned(value)} END"
        )
    found = zone(value)
    return split_reading(value, without_zone(value, found), zone_minutes(found), formats)


def split_reading(value: str, body: str, minutes: str, formats: Sequence[str]) -> str:
    """`value` read by `formats`: as it is, else its `body` (the value without its time zone)
    with the zone's offset of `minutes` applied (see zone, zone_minutes). A detection scan passes
    columns computed beforehand, which keeps its SQL small. Without formats: ISO 8601."""
    if not formats:
        return _reading(value, formats)
    zoneless = tuple(_zoneless(f) for f in formats)
    reading = (
        f"coalesce({_tried(value, zoneless)}, {_tried(body, zoneless)} - to_minutes({minutes}))"
    )
    if len(zoneless) == 1:
        return reading
    # The first format is the column's most frequent (sources.dates): a value it reads skips
    # the shape tests (a CASE, unlike coalesce, evaluates its other branch only when needed).
    first = f"try_strptime({value}, '{quote_text(zoneless[0])}')"
    return f"CASE WHEN {first} IS NOT NULL THEN {first} ELSE {reading} END"


def sane_years(value: str) -> str:
    return f"CASE WHEN year({value}) BETWEEN {FIRST_YEAR} AND {LAST_YEAR} THEN {value} END"


# Time-zone abbreviations that name one offset (minutes east of UTC). Others (IST: India,
# Ireland or Israel; AST: Atlantic or Arabia) make a value unreadable. DuckDB's own %Z reads
# ICU zone ids instead: PST as Los Angeles (summer time in July), BST as Bangladesh.
ZONES = {
    **{"UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0},
    **{"EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360},
    **{"PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600},
    **{"CET": 60, "CEST": 120, "MET": 60, "MEST": 120, "EET": 120, "EEST": 180},
    **{"WEST": 60, "BST": 60, "MSK": 180, "JST": 540, "KST": 540, "SGT": 480, "HKT": 480},
    **{"AEST": 600, "AEDT": 660, "ACST": 570, "ACDT": 630, "AWST": 480},
    **{"NZST": 720, "NZDT": 780},
}
# A zone right after a time (and its AM/PM): an abbreviation, Z, or an offset (+02, +02:00,
# -0500). A date alone has none: the `-2024` of 05-03-2024 is no offset.
ZONE = (
    r"[0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?(\s*[AaPp][Mm])?\s*"
    r"([A-Za-z]{1,5}|[+-][0-9]{2}(:?[0-9]{2})?)$"
)
# The time and offset of an ISO 8601 timestamp that DuckDB's TIMESTAMPTZ cast reads right.
ISO_OFFSET = r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)"
# ISO 8601 with what the cast does not read strictly: AM/PM, and every form after a zone.
ISO_STRICT = tuple(
    f"%Y-%m-%d{sep}{time}"
    for sep in (" ", "T")
    for time in ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p")
)


def zone(value: str) -> str:
    """The time zone written after a time in a trimmed text `value` (SQL), '' without one."""
    found = f"regexp_extract({value}, '{ZONE}', 4)"
    return f"CASE WHEN upper({found}) IN ('AM', 'PM') THEN '' ELSE {found} END"


def zone_minutes(zone_text: str) -> str:
    """Minutes east of UTC of a zone's text (SQL); NULL when it names no single offset."""
    digits = f"replace(substr({zone_text}, 2), ':', '')"
    hours = f"TRY_CAST(left({digits}, 2) AS INTEGER)"
    minutes = f"coalesce(TRY_CAST(nullif(substr({digits}, 3), '') AS INTEGER), 0)"
    sign = f"CASE WHEN starts_with({zone_text}, '-') THEN -1 ELSE 1 END"
    named = ", ".join(f"'{name}': {offset}" for name, offset in ZONES.items())
    return (
        f"CASE WHEN {zone_text} = '' THEN 0 "
        f"WHEN regexp_matches({zone_text}, '^[+-]') THEN {sign} * ({hours} * 60 + {minutes}) "
        f"ELSE MAP {{{named}}}[upper({zone_text})] END"
    )


def _iso_zoned(value: str) -> str:
    """An ISO 8601 `value` the cast does not read (AM/PM, a named zone), its time zone applied:
    rare, so each ISO_STRICT format is tried in turn. No lambda binds the zone: even on rows
    that never reach it, one made ISO dates 30% slower."""
    found = zone(value)
    tried = ", ".join(f"'{iso}'" for iso in ISO_STRICT)
    body = without_zone(value, found)
    return f"try_strptime({body}, [{tried}]) - to_minutes({zone_minutes(found)})"


def without_zone(value: str, found: str) -> str:
    return f"rtrim(left({value}, length({value}) - length({found})))"


def _tried(value: str, formats: tuple[str, ...]) -> str:
    """`value` read by the one of `formats` its shape calls for (a time, AM/PM, seconds, a
    two-digit year): try_strptime costs an exception for each format that fails, ten times
    the cost of a read, so formats are not tried in turn."""
    if len(formats) == 1:
        return f"try_strptime({value}, '{quote_text(formats[0])}')"
    shapes: dict[int, str] = {}
    for date_format in formats:
        shapes.setdefault(_format_shape(date_format), date_format)
    cases = " ".join(
        f"WHEN {k} THEN try_strptime({value}, '{quote_text(f)}')" for k, f in shapes.items()
    )
    return f"CASE {_value_shape(value, formats[0])} {cases} END"


def _format_shape(date_format: str) -> int:
    colons = date_format.count(":")
    return (colons > 0) + 2 * ("%p" in date_format) + 4 * (colons == 2) + 8 * ("%y" in date_format)


def _value_shape(value: str, date_format: str) -> str:
    """The shape of a value (as _format_shape numbers a format's), from its characters."""
    separator = quote_text(date_format[2]) if len(date_format) > 2 else "-"
    day = f"split_part({value}, ' ', 1)"
    colons = f"(length({value}) - length(replace({value}, ':', '')))"
    return (
        f"(CASE WHEN {colons} > 0 THEN 1 ELSE 0 END "
        f"+ CASE WHEN upper(right({value}, 1)) = 'M' THEN 2 ELSE 0 END "
        f"+ CASE WHEN {colons} = 2 THEN 4 ELSE 0 END "
        f"+ CASE WHEN length(split_part({day}, '{separator}', 3)) = 2 THEN 8 ELSE 0 END)"
    )


def _zoneless(date_format: str) -> str:
    """A declared format without its zone code: the zone is read by ZONES (see split_reading)."""
    return re.sub(r"\s*%[zZ]", "", date_format)


@dataclass
class DateLayers:
    """Two inner queries under the typed step: each date column's trimmed text, then its
    reading. The reading repeats its input a dozen times; as a column name, not an expression,
    the SQL stays small (written out, a wide export's came to 350 KB and took DuckDB a second
    to bind)."""

    texts: list[str] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)

    def add(self, column: str, column_type: str, formats: tuple[str, ...]) -> tuple[str, str]:
        """The names of the column's text and of its reading, in the layers."""
        index = len(self.texts)
        trimmed, read = f"sf_text_{index}_", f"sf_read_{index}_"
        self.texts.append(f"{text(column)} AS {trimmed}")
        self.reads.append(f"{reading(column, column_type, trimmed, formats)} AS {read}")
        return trimmed, read

    def wrap(self, relation: str) -> str:
        if not self.texts:
            return relation
        inner = f"(SELECT *, {', '.join(self.texts)} FROM {relation})"
        return f"(SELECT *, {', '.join(self.reads)} FROM {inner})"


def bad_text(column: str, typed: str) -> str:
    """The raw text when it could not be read, else NULL."""
    return f"CASE WHEN {typed} IS NULL THEN {text(column)} END"
