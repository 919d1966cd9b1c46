"""Issue: one problem found in a file, with its position, a stable code and a severity."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem at `file:line:column` (1-based). `path` is the dotted location in the document."""

    file: str
    line: int
    column: int
    path: str
    code: str
    severity: Severity
    message: str

    def render(self) -> str:
        """The yamllint-style one-liner: `file:line:col: severity code: message`."""
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.severity.value} {self.code}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, str | int]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
        }


def sort_key(issue: Issue) -> tuple[str, int, int, str]:
    return (issue.file, issue.line, issue.column, issue.code)
