"""Pydantic models of the process file and of results. No I/O here."""

from salesflow.model.playbook import Criterion, Objection, Qualification, Template
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
    "Criterion",
    "DataMapping",
    "Expected",
    "Goals",
    "HistoryColumnMap",
    "LostOutcome",
    "Member",
    "Objection",
    "Outcome",
    "Outcomes",
    "Process",
    "Qualification",
    "Quota",
    "Resource",
    "Role",
    "Stage",
    "Template",
]
