"""Issue: one problem found in a file, with its position, a stable code and a severity."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class RowDetail(NamedTuple):
    """One offending row of a table, behind an issue that counts them."""

    row: int
    message: str


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
    details: tuple[RowDetail, ...] = ()

    def render(self) -> str:
        """The yamllint-style one-liner: `file:line:col: severity code: message`."""
        return f"{self.location}: {self.severity.value} {self.code}: {self.message}"

    @property
    def location(self) -> str:
        """`file:line:col` in a text file; `file row N` in a table (column 0); `file` for the
        whole file (line 0)."""
        if self.line == 0:
            return self.file
        if self.column == 0:
            return f"{self.file} row {self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "details": [{"row": d.row, "message": d.message} for d in self.details],
        }


def sort_key(issue: Issue) -> tuple[str, int, int, str]:
    return (issue.file, issue.line, issue.column, issue.code)
