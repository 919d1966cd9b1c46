"""`validate --format github`: GitHub Actions workflow commands, one annotation per issue."""

from __future__ import annotations

from salesflow.diagnostics import Issue
from salesflow.model.validation import ValidationReport


def render(report: ValidationReport, color: bool) -> str:
    del color
    lines = [_annotation(issue) for file_report in report.files for issue in file_report.issues]
    return "".join(line + "\n" for line in lines)


def _annotation(issue: Issue) -> str:
    properties = ",".join(
        f"{name}={_escape_property(str(value))}"
        for name, value in (
            ("file", issue.file),
            ("line", issue.line),
            ("col", issue.column),
            ("title", f"salesflow {issue.code}"),
        )
    )
    return f"::{issue.severity.value} {properties}::{_escape_data(issue.message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
