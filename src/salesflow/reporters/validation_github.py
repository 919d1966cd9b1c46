"""`validate --format github`: GitHub Actions workflow commands, one annotation per issue."""

from __future__ import annotations

from salesflow.diagnostics import Issue
from salesflow.model.validation import ValidationReport
from salesflow.reporters.safety import workflow_data


def render(report: ValidationReport, color: bool) -> str:
    del color
    lines = [
        _annotation(row)
        for file_report in report.files
        for issue in file_report.issues
        for row in (issue, *_detail_issues(issue))
    ]
    return "".join(line + "\n" for line in lines)


def _detail_issues(issue: Issue) -> list[Issue]:
    """An annotation on each offending row of a data file, besides the count on the file."""
    return [
        Issue(issue.file, detail.row, 0, issue.path, issue.code, issue.severity, detail.message)
        for detail in issue.details
    ]


def _annotation(issue: Issue) -> str:
    fields: list[tuple[str, object]] = [("file", issue.file)]
    if issue.line:
        fields.append(("line", issue.line))
    if issue.column:
        fields.append(("col", issue.column))
    fields.append(("title", f"salesflow {issue.code}"))
    properties = ",".join(f"{name}={_escape_property(str(value))}" for name, value in fields)
    return f"::{issue.severity.value} {properties}::{_escape_data(issue.message)}"


def _escape_data(text: str) -> str:
    return workflow_data(text)


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
