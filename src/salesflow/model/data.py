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
    summary: str
    examples: list[RowDetail] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
