"""Pydantic models of the process file and of results. No I/O here."""

from salesflow.model.process import (
    FORMAT_VERSION,
    Assumptions,
    ColumnMap,
    DataMapping,
    Expected,
    HistoryColumnMap,
    LostOutcome,
    Outcome,
    Outcomes,
    Process,
    Resource,
    Role,
    Stage,
)

__all__ = [
    "FORMAT_VERSION",
    "Assumptions",
    "ColumnMap",
    "DataMapping",
    "Expected",
    "HistoryColumnMap",
    "LostOutcome",
    "Outcome",
    "Outcomes",
    "Process",
    "Resource",
    "Role",
    "Stage",
]
