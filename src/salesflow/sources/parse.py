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
# 1.200,50 or 1200,5: dots group thousands (if any), the comma starts one or two decimals.
DECIMAL_COMMA = r"-?[0-9]{1,3}(\.[0-9]{3})*,[0-9]{1,2}|-?[0-9]+,[0-9]{1,2}"
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


def amount(column: str, column_type: str) -> str:
    """Numbers as they are; text with a currency symbol or code and thousands separators
    cleaned: `$12,000.50`, `USD 12,000.50`, `12 000,50 €` and `1.200,50` (a decimal comma) all
    read, and `(500)` is negative, as accountants write it. A plain number (`1e5` too) reads as
    itself; any other letter (`1.5k`, `n/a`, `inf`) makes the value unreadable, never a guess."""
    if column_type.startswith(NUMERIC_TYPES) or column_type.startswith("DECIMAL"):
        return _bounded(f"CAST({quote_name(column)} AS DOUBLE)")
    uncoded = f"regexp_replace({text(column)}, '{CURRENCY_CODE}', '', 'g')"
    kept = f"regexp_replace({uncoded}, '[^0-9.,\\-]', '', 'g')"
    decimal_comma = f"regexp_full_match({kept}, '{DECIMAL_COMMA}')"
    number = (
        f"CASE WHEN regexp_matches({uncoded}, '[A-Za-z]') THEN NULL "
        f"WHEN NOT contains({kept}, ',') THEN {kept} "
        f"WHEN {decimal_comma} THEN replace(replace({kept}, '.', ''), ',', '.') "
        f"ELSE replace({kept}, ',', '') END"
    )
    raw = text(column)
    sign = f"CASE WHEN contains({raw}, '(') AND contains({raw}, ')') THEN -1 ELSE 1 END"
    plain = f"TRY_CAST({raw} AS DOUBLE)"  # most amounts are plain numbers: skip the cleaning
    cleaned = f"{sign} * TRY_CAST(NULLIF({number}, '') AS DOUBLE)"
    return f"CASE WHEN {_within(plain)} THEN {plain} ELSE {_bounded(cleaned)} END"


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
