"""Problems found in deal data, each with its count and the first rows that show it."""

from __future__ import annotations

from dataclasses import dataclass, field

from salesflow.diagnostics import Severity


@dataclass(frozen=True)
class RowExample:
    """One offending row: its number in the file (CSV: as a spreadsheet counts, header = 1)."""

    row: int | None
    message: str


@dataclass(frozen=True)
class DataProblem:
    file: str
    code: str
    severity: Severity
    count: int
    summary: str
    examples: list[RowExample] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
