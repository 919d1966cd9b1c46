"""The result of `salesflow diff`: semantic changes between two versions of a process."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from salesflow.model.funnel import Result


class Level(StrEnum):
    """How much a change matters; ordered from most to least."""

    BREAKING = "breaking"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class Change(Result):
    kind: str
    severity: Level
    stage: str | None
    path: str
    before: Any = None
    after: Any = None
    message: str


class PlanImpact(Result):
    """The plan-based forecast for the same leads under both versions."""

    leads: int
    before: float
    after: float
    difference: float


class ProcessDiff(Result):
    before: str
    after: str
    changes: list[Change] = Field(default_factory=list)
    impact: PlanImpact | None = None

    def count(self, level: Level) -> int:
        return sum(1 for change in self.changes if change.severity is level)

    def at_least(self, level: Level) -> bool:
        return any(change.severity.rank <= level.rank for change in self.changes)
