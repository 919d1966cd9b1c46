"""SQL expressions that turn raw CRM values into typed ones, per the column's type in the data.

Each parser returns the typed expression; a value is *bad* when its text is non-empty and the
typed expression is NULL, and the text is kept for the message.
"""

from __future__ import annotations

from salesflow.sources.connection import quote_name, quote_text
from salesflow.sources.labels import sql_fold

NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE")
TEMPORAL_TYPES = ("DATE", "TIMESTAMP")
CURRENCY_CODE = r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$"
# An amount beyond ±MAX_AMOUNT (a quadrillion), infinite or NaN is no amount: it is refused
# (sources.problems, `amount-out-of-range`), since sums of such values overflow to Infinity/NaN.
MAX_AMOUNT = 1e15
# Dates outside these years are read as unreadable: they are typing errors, and date arithmetic
# near the ends of the calendar overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def text(column: str) -> str:
    """The column as trimmed text, NULL when empty."""
    return f"NULLIF(trim(CAST({quote_name(column)} AS VARCHAR)), '')"


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
    return f"CASE WHEN {fast} THEN {plain} ELSE {_bounded(cleaned)} END"


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
        group = f"(length({raw}) BETWEEN 5 AND 8 AND substr({raw}, -4, 1) = '.')"
        return f"{_within(plain)} AND NOT {group}"
    if NUMBER_FORMATS[number_format][1] == ",":
        return f"{_within(plain)} AND NOT contains({raw}, '.')"
    return _within(plain)


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


def _within(value: str) -> str:
    """True for a finite amount within ±MAX_AMOUNT (false for NaN, Infinity and NULL)."""
    return f"coalesce(abs({value}) <= {MAX_AMOUNT:.0f}, false)"


def _bounded(value: str) -> str:
    return f"CASE WHEN {_within(value)} THEN {value} END"


def out_of_range(raw: str, column_type: str) -> str:
    """SQL true when an amount's unreadable text `raw` is a number, but infinite, NaN or beyond
    ±MAX_AMOUNT (rather than text such as `n/a`, `5k` or `inf` typed in a text column)."""
    if column_type.startswith(NUMERIC_TYPES) or column_type.startswith("DECIMAL"):
        return f"({raw} IS NOT NULL)"
    number = f"TRY_CAST({raw} AS DOUBLE)"
    return (
        f"({raw} IS NOT NULL AND NOT regexp_matches({raw}, '[A-DF-Za-df-z]') "
        f"AND {number} IS NOT NULL AND NOT {_within(number)})"
    )


def timestamp(column: str, column_type: str, date_format: str | None) -> str:
    """Dates and timestamps as they are; text as ISO 8601 (offsets normalised to UTC) or in
    `date_format` (strftime codes such as %d/%m/%Y)."""
    return _sane_years(_timestamp(column, column_type, date_format))


def _sane_years(value: str) -> str:
    return f"CASE WHEN year({value}) BETWEEN {FIRST_YEAR} AND {LAST_YEAR} THEN {value} END"


def _timestamp(column: str, column_type: str, date_format: str | None) -> str:
    if column_type.startswith(TEMPORAL_TYPES):
        return f"TRY_CAST({quote_name(column)} AS TIMESTAMP)"
    if date_format:
        return f"try_strptime({text(column)}, '{quote_text(date_format)}')"
    value = text(column)
    # Dates and plain timestamps take the fast path; only a time followed by Z or an offset
    # (+02, -05:00) needs the slower TIMESTAMPTZ parse, which applies it.
    offset = f"regexp_matches(substr({value}, 11), '[0-9](Z|z|[+-][0-9])')"
    return (
        f"CASE WHEN length({value}) > 10 AND {offset} "
        f"THEN CAST(TRY_CAST({value} AS TIMESTAMPTZ) AS TIMESTAMP) "
        f"ELSE TRY_CAST({value} AS TIMESTAMP) END"
    )


def bad_text(column: str, typed: str) -> str:
    """The raw text when it could not be read, else NULL."""
    return f"CASE WHEN {typed} IS NULL THEN {text(column)} END"
