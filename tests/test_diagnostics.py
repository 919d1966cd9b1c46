"""Issue: position, code, severity and message, and how it renders."""

from __future__ import annotations

import dataclasses

import pytest

from salesflow.diagnostics import Issue, Severity, sort_key
from salesflow.errors import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ConfigError,
    InputError,
    OutputError,
    ProcessFileError,
    SalesflowError,
)

ISSUE = Issue(
    "p.yaml", 14, 7, "stages[2].expected.conversion", "out-of-range", Severity.ERROR, "bad"
)


def test_render_is_yamllint_style() -> None:
    assert ISSUE.render() == "p.yaml:14:7: error out-of-range: bad"
    warning = dataclasses.replace(ISSUE, severity=Severity.WARNING, code="probability-order")
    assert warning.render() == "p.yaml:14:7: warning probability-order: bad"


def test_is_error() -> None:
    assert ISSUE.is_error
    assert not dataclasses.replace(ISSUE, severity=Severity.WARNING).is_error


def test_to_dict_has_the_json_keys() -> None:
    assert ISSUE.to_dict() == {
        "file": "p.yaml",
        "line": 14,
        "column": 7,
        "path": "stages[2].expected.conversion",
        "code": "out-of-range",
        "severity": "error",
        "message": "bad",
        "details": [],
    }


def test_severity_values() -> None:
    assert [s.value for s in Severity] == ["error", "warning"]
    assert Severity("warning") is Severity.WARNING
    assert str(Severity.ERROR) == "error"


def test_issue_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ISSUE.line = 1  # type: ignore[misc]


def test_sort_key_orders_by_file_line_column_code() -> None:
    issues = [
        dataclasses.replace(ISSUE, file="b.yaml", line=1),
        dataclasses.replace(ISSUE, line=2, column=9),
        dataclasses.replace(ISSUE, line=2, column=3, code="z"),
        dataclasses.replace(ISSUE, line=2, column=3, code="a"),
        dataclasses.replace(ISSUE, line=10),
    ]
    ordered = sorted(issues, key=sort_key)
    assert [(i.file, i.line, i.column, i.code) for i in ordered] == [
        ("b.yaml", 1, 7, "out-of-range"),
        ("p.yaml", 2, 3, "a"),
        ("p.yaml", 2, 3, "z"),
        ("p.yaml", 2, 9, "out-of-range"),
        ("p.yaml", 10, 7, "out-of-range"),
    ]


def test_sort_key_numbers_sort_numerically() -> None:
    issues = [dataclasses.replace(ISSUE, line=line) for line in (10, 9, 100)]
    assert [i.line for i in sorted(issues, key=sort_key)] == [9, 10, 100]


def test_exit_codes() -> None:
    assert (EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED) == (
        0,
        1,
        2,
        3,
        130,
    )


@pytest.mark.parametrize("error", [InputError, ConfigError, OutputError])
def test_user_errors_exit_2(error: type[SalesflowError]) -> None:
    assert issubclass(error, SalesflowError)
    assert error("x").exit_code == EXIT_INPUT


def test_process_file_error_carries_its_issue() -> None:
    error = ProcessFileError(ISSUE)
    assert error.issue is ISSUE
    assert str(error) == ISSUE.render()
    assert error.exit_code == EXIT_INPUT


def test_location_of_table_rows_and_whole_files() -> None:
    row = dataclasses.replace(ISSUE, file="deals.csv", line=10, column=0)
    assert row.render() == "deals.csv row 10: error out-of-range: bad"
    whole = dataclasses.replace(ISSUE, file="deals.csv", line=0, column=0)
    assert whole.location == "deals.csv"
