"""`validate --format text`: `path:line:col: severity code: message`, grouped per file."""

from __future__ import annotations

from salesflow.diagnostics import Issue, Severity
from salesflow.model.validation import ValidationReport
from salesflow.reporters.ansi import style
from salesflow.reporters.safety import terminal_line

SEVERITY_STYLE = {Severity.ERROR: ("bold", "red"), Severity.WARNING: ("bold", "yellow")}


def render(report: ValidationReport, color: bool) -> str:
    blocks = [
        "\n".join(_issue_line(issue, color) for issue in file_report.issues)
        for file_report in report.files
        if file_report.issues
    ]
    return "\n\n".join([*blocks, summary(report, color)]) + "\n"


def _issue_line(issue: Issue, color: bool) -> str:
    """One line per issue and per offending row: a message or a file name from the input can
    neither start a line of its own nor send escape sequences to the terminal."""
    where = style(terminal_line(f"{issue.location}:"), "bold", color=color)
    severity = style(issue.severity.value, *SEVERITY_STYLE[issue.severity], color=color)
    code = style(terminal_line(issue.code), "dim", color=color)
    line = f"{where} {severity} {code}: {terminal_line(issue.message)}"
    details = [
        f"  {terminal_line(issue.file)} row {detail.row}: {terminal_line(detail.message)}"
        for detail in issue.details
    ]
    return "\n".join([line, *details])


def summary(report: ValidationReport, color: bool) -> str:
    checked = len(report.files)
    files = f"{checked} file" + ("" if checked == 1 else "s")
    failing = sum(1 for file_report in report.files if not report.passed(file_report))
    if not report.errors and not report.warnings:
        return style(f"✓ {files} valid", "green", color=color)
    counts = f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}"
    if not report.failed:
        return style(f"✓ {files} valid", "green", color=color) + f" ({counts})"
    return style(f"✗ {counts}", "bold", "red", color=color) + f" in {failing} of {files}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
