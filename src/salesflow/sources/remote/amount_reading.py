"""An amount a database holds as text, read by a file's rules (sources.parse.amount without a
declared number format) in SQL every target runs without an error on any text: the text
without any character but digits, `.`, `,` and `-`; any letter makes it no number; `(500)` is
negative; the number is ambiguous (no number) when one kind of mark separates groups of three
digits (`12.000`, `1,234`); otherwise the last mark is the decimal one, the other separates
thousands. A cast happens only on text that is a plain number. The currency symbol it writes
(its mark: sources.currency.symbol_mark) is read too, as a file reads it: a code has letters,
which make the text no number here. Computed in steps (sources.remote.steps). Which texts it
reads as a file does is checked on the data before it is used (sources.remote.text_amounts)."""

from __future__ import annotations

from salesflow.sources.currency import symbol_mark
from salesflow.sources.parse import AMBIGUOUS, text, thousands_group, within
from salesflow.sources.remote.steps import in_steps

AMOUNT = "sf_amount_"  # the amount, NULL beyond ±MAX_AMOUNT as in a file
AMOUNT_AS_WRITTEN = "sf_amount_written_"  # the number written, for the out-of-range count
MARK = "sf_amount_mark_"  # its currency symbol's mark (EUR, or a shared `$`), NULL for none
PLAIN = "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"


def plain(value: str) -> str:
    """SQL: whether `value` is a plain number that means itself: not `12.000`, whose meaning
    depends on the convention (a file reads it by the rules, and finds it ambiguous)."""
    return f"(regexp_matches({value}, '{PLAIN}') AND NOT {thousands_group(value)})"


def with_amount(relation: str, alias: str, column: str, marks: bool = False) -> str:
    """`relation` with the columns AMOUNT and AMOUNT_AS_WRITTEN read from the text `column`, and
    MARK with `marks` (when its values write a currency symbol)."""
    value, kept = "sf_amount_text_", "sf_amount_kept_"
    marked = [f"{symbol_mark(value)} AS {MARK}"] if marks else []
    steps = [
        [f"{text(column, alias)} AS {value}"],
        [
            f"regexp_replace({value}, '[^0-9.,-]', '', 'g') AS {kept}",
            f"CASE WHEN strpos({value}, '(') > 0 AND strpos({value}, ')') > 0 THEN -1 ELSE 1 END "
            "AS sf_amount_sign_",
            f"regexp_matches({value}, '[A-Za-z]') AS sf_amount_letters_",
            f"{plain(value)} AS sf_amount_plain_",
            *marked,
        ],
        [f"{_number_text(kept)} AS sf_amount_number_"],
        [f"{_written(value)} AS {AMOUNT_AS_WRITTEN}"],
        [f"CASE WHEN {within(AMOUNT_AS_WRITTEN)} THEN {AMOUNT_AS_WRITTEN} END AS {AMOUNT}"],
    ]
    return in_steps(relation, alias, steps)


def _number_text(kept: str) -> str:
    """The number's text with `.` as its decimal mark and no thousands separator, or NULL."""
    last_dot = f"strpos(reverse({kept}), '.')"
    last_comma = f"strpos(reverse({kept}), ',')"
    return (
        f"CASE WHEN sf_amount_letters_ THEN NULL "
        f"WHEN regexp_matches({kept}, '^({AMBIGUOUS})$') THEN NULL "
        f"WHEN strpos({kept}, ',') = 0 THEN {kept} "
        f"WHEN strpos({kept}, '.') = 0 THEN replace({kept}, ',', '.') "
        f"WHEN {last_dot} < {last_comma} "
        f"THEN CASE WHEN regexp_matches({kept}, '^-?[0-9]+(,[0-9]+)*[.][0-9]+$') "
        f"THEN replace({kept}, ',', '') END "
        f"WHEN regexp_matches({kept}, '^-?[0-9]+([.][0-9]+)*,[0-9]+$') "
        f"THEN replace(replace({kept}, '.', ''), ',', '.') END"
    )


def _written(value: str) -> str:
    number = "sf_amount_number_"
    return (
        f"CASE WHEN sf_amount_plain_ THEN CAST({value} AS DOUBLE) "
        f"WHEN regexp_matches({number}, '{PLAIN}') "
        f"THEN sf_amount_sign_ * CAST({number} AS DOUBLE) END"
    )
