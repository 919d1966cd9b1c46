"""The messages of schema findings: what a value out of range, of the wrong kind or not allowed
says, with the value as written and the bound it crosses."""

from __future__ import annotations

import pytest

from salesflow.loader import parse_process
from tests.helpers import VALID_PROCESS

AMOUNT_BOUND = "must be at most 1,000,000,000,000,000 (10^15, the largest amount salesflow reads)"
DAYS_BOUND = "must be at most 36,500 (100 years)"
HUGE = "1" + "0" * 400


def findings(text: str) -> list[tuple[str, str, str]]:
    return [(i.code, i.path, i.message) for i in parse_process(text, "p.yaml").issues]


def only(text: str) -> tuple[str, str]:
    (found,) = findings(text)
    code, path, message = found
    assert message.startswith(f"{path}: ")
    return code, message.removeprefix(f"{path}: ")


def with_days(value: str) -> str:
    return VALID_PROCESS.replace("days: 10}", f"days: {value}}}")


def with_deal_size(value: str) -> str:
    return VALID_PROCESS + f"assumptions:\n  deal_size: {value}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (with_deal_size("1e154"), f"{AMOUNT_BOUND}, got 1e+154"),
        (with_deal_size("1000000000000001"), f"{AMOUNT_BOUND}, got 1000000000000001"),
        (
            VALID_PROCESS + "goals: {revenue: {amount: 1.7e308, per: year}}\n",
            f"{AMOUNT_BOUND}, got 1.7e+308",
        ),
        (with_days("36501"), f"{DAYS_BOUND}, got 36501"),
        (VALID_PROCESS + "goals: {cycle_days: 1e300}\n", f"{DAYS_BOUND}, got 1e+300"),
        (
            VALID_PROCESS + "data: {rates: {EUR: 1e300}}\n",
            "must be at most 1,000,000,000, got 1e+300",
        ),
    ],
)
def test_a_number_above_its_bound_names_the_bound(text: str, message: str) -> None:
    assert only(text) == ("out-of-range", message)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (HUGE, f"{DAYS_BOUND}, got 10000000000000000000… (401 digits)"),  # said "0 or more"
        ("-" + HUGE, "must be 0 or more, got -1000000000000000000… (401 digits)"),
        ("1" + "0" * 5000, f"{DAYS_BOUND}, got 10000000000000000000… (5001 digits)"),  # was text
        ("1e400", f"{DAYS_BOUND}, got 1e400"),  # was `.inf`
        ("-1e400", "must be 0 or more, got -1e400"),
        (".inf", "must be a finite number, got .inf"),
    ],
)
def test_a_number_too_large_for_a_float_is_out_of_range_as_written(
    written: str, message: str
) -> None:
    assert only(with_days(written)) == ("out-of-range", message)


def test_the_lower_bounds_keep_their_messages() -> None:
    assert only(with_days("-1")) == ("out-of-range", "must be 0 or more, got -1")
    assert only(with_deal_size("0")) == ("out-of-range", "must be greater than 0, got 0")
    rate = VALID_PROCESS + "data: {rates: {EUR: 0}}\n"
    assert only(rate) == ("out-of-range", "must be greater than 0, got 0")  # said "0 or more"


def test_a_huge_number_where_text_is_expected_is_text_as_written() -> None:
    loaded = parse_process(VALID_PROCESS.replace("name: Minimal process", "name: 1e400"), "p")
    assert loaded.process is not None
    assert loaded.process.name == "1e400"  # was `inf`


def with_effective(value: str) -> str:
    return VALID_PROCESS + f"effective: {value}\n"


@pytest.mark.parametrize(
    ("written", "finding"),
    [
        ("86400", ("invalid-type", "expected a date as YYYY-MM-DD, got 86400")),
        ("20240101", ("invalid-type", "expected a date as YYYY-MM-DD, got 20240101")),
        ("true", ("invalid-type", "expected a date as YYYY-MM-DD, got true")),
        ("[2024-01-05]", ("invalid-type", "expected a date as YYYY-MM-DD, got a list")),
        ("2024-1-5", ("invalid-value", "expected a date as YYYY-MM-DD, got '2024-1-5'")),
        ("'20240101'", ("invalid-value", "expected a date as YYYY-MM-DD, got '20240101'")),
        (
            "2026-02-30",
            ("invalid-value", "'2026-02-30' is not a date: day is out of range for month"),
        ),
        (
            "9999-12-31",
            ("invalid-value", "must be a date in the years 1900 to 2200, got '9999-12-31'"),
        ),
        (
            "x" * 100,
            ("invalid-value", f"expected a date as YYYY-MM-DD, got '{'x' * 39}…'"),
        ),
    ],
)
def test_effective_says_the_form_of_a_date(written: str, finding: tuple[str, str]) -> None:
    assert only(with_effective(written)) == finding


def test_effective_as_a_date_is_read() -> None:
    loaded = parse_process(with_effective("2024-01-05"), "p.yaml")
    assert loaded.issues == []
    assert loaded.process is not None
    assert loaded.process.effective is not None
    assert loaded.process.effective.isoformat() == "2024-01-05"
