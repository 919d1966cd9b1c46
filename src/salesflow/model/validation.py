"""The result of validating one or more process files."""

from __future__ import annotations

from dataclasses import dataclass, field

from salesflow.diagnostics import Issue
from salesflow.model.process import Process


@dataclass(frozen=True)
class FileReport:
    """Every issue of one file. `readable` is False when the file could not be parsed at all."""

    file: str
    issues: list[Issue] = field(default_factory=list)
    readable: bool = True
    process: Process | None = field(default=None, compare=False, repr=False)

    @property
    def errors(self) -> int:
        return sum(1 for issue in self.issues if issue.is_error)

    @property
    def warnings(self) -> int:
        return len(self.issues) - self.errors


@dataclass(frozen=True)
class ValidationReport:
    files: list[FileReport]
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(report.errors for report in self.files)

    @property
    def warnings(self) -> int:
        return sum(report.warnings for report in self.files)

    def passed(self, report: FileReport) -> bool:
        return report.errors == 0 and not (self.strict and report.warnings)

    @property
    def unreadable(self) -> bool:
        return any(not report.readable for report in self.files)

    @property
    def failed(self) -> bool:
        return not all(self.passed(report) for report in self.files)
