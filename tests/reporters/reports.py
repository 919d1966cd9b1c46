"""Fixed reports for the reporter tests."""

from __future__ import annotations

from salesflow.diagnostics import Issue, Severity
from salesflow.model.validation import FileReport, ValidationReport

E, W = Severity.ERROR, Severity.WARNING

PROCESS_ISSUES = [
    Issue(
        "flows/process.yaml",
        9,
        12,
        "stages[0].owner",
        "unknown-owner",
        E,
        "owner 'se' is not a declared role; roles: ae",
    ),
    Issue(
        "flows/process.yaml",
        12,
        28,
        "stages[0].expected.conversion",
        "out-of-range",
        E,
        "stages[0].expected.conversion: must be greater than 0 and at most 1, got 45; "
        "write a share as 0.45, not 45 (45%)",
    ),
    Issue(
        "flows/process.yaml",
        13,
        5,
        "stages[1]",
        "missing-exit-criteria",
        W,
        "stage 'proposal' has no exit_criteria: reps cannot tell when a deal is done here",
    ),
]
BROKEN_ISSUE = Issue(
    "broken.yaml",
    2,
    1,
    "",
    "yaml-syntax",
    E,
    "while parsing a flow sequence started on line 1: expected ',' or ']'",
)
WARNING_ISSUE = Issue(
    "warn.yaml",
    17,
    18,
    "stages[1].probability",
    "probability-order",
    W,
    "probability 0.2 is lower than 0.4 at the earlier stage 'discovery'",
)


def failing() -> ValidationReport:
    return ValidationReport(
        [
            FileReport("flows/process.yaml", list(PROCESS_ISSUES)),
            FileReport("clean.yaml", []),
            FileReport("broken.yaml", [BROKEN_ISSUE], readable=False),
        ]
    )


def valid() -> ValidationReport:
    return ValidationReport([FileReport("clean.yaml", [])])


def two_valid() -> ValidationReport:
    return ValidationReport([FileReport("a.yaml", []), FileReport("b.yaml", [])])


def warnings(strict: bool = False) -> ValidationReport:
    return ValidationReport([FileReport("warn.yaml", [WARNING_ISSUE])], strict=strict)


def awkward_names() -> ValidationReport:
    """File names and messages with the characters GitHub workflow commands must escape."""
    issue = Issue(
        "dir,with:odd/pro%cess.yaml",
        3,
        1,
        "name",
        "invalid-type",
        E,
        "expected text, got 100% :: a list,\nsecond line\r",
    )
    return ValidationReport([FileReport(issue.file, [issue])])


REPORTS = {
    "failing": failing,
    "valid": valid,
    "two-valid": two_valid,
    "warnings": warnings,
    "warnings-strict": lambda: warnings(strict=True),
}
