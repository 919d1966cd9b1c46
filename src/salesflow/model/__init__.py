"""Pydantic models of the process file and of results. No I/O here."""

from salesflow.model.process import (
    FORMAT_VERSION,
    Assumptions,
    ColumnMap,
    DataMapping,
    Expected,
    Goals,
    HistoryColumnMap,
    LostOutcome,
    Member,
    Outcome,
    Outcomes,
    Process,
    Quota,
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
    "Goals",
    "HistoryColumnMap",
    "LostOutcome",
    "Member",
    "Outcome",
    "Outcomes",
    "Process",
    "Quota",
    "Resource",
    "Role",
    "Stage",
]
