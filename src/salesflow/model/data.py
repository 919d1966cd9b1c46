"""Problems found in deal data, each with its count and the first rows that show it
(row numbers as a spreadsheet counts them: in a CSV the header is row 1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from salesflow.diagnostics import RowDetail, Severity


@dataclass(frozen=True)
class DataProblem:
    file: str
    code: str
    severity: Severity
    count: int
    statement: str
    examples: list[RowDetail] = field(default_factory=list)
    hint: str = ""

    @property
    def summary(self) -> str:
        """The statement, and how to fix it when there is a hint."""
        return f"{self.statement}; {self.hint}" if self.hint else self.statement

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
