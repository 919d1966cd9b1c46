"""The result of `salesflow diff`: semantic changes between two versions of a process."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from salesflow.model.funnel import Result


def money(currency: str, amount: float, sign: bool = False) -> str:
    """`USD 12,000`, `USD 12,500.50`, or with `sign` `+USD 2,000` / `-USD 2,000`: whole amounts
    without cents, others to the cent."""
    rounded = round(amount, 2)
    digits = ",.0f" if rounded == round(rounded) else ",.2f"
    prefix = ("+" if rounded >= 0 else "-") if sign else ("-" if rounded < 0 else "")
    return f"{prefix}{currency} {abs(rounded):{digits}}"


class Level(StrEnum):
    """How much a change matters; ordered from most to least."""

    BREAKING = "breaking"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class Change(Result):
    """One semantic change. `stage` is the stage id (the key people and tools match on);
    `stage_name` its display name; `reason` says why a breaking change breaks (None otherwise)."""

    kind: str
    severity: Level
    stage: str | None
    stage_name: str | None = None
    path: str
    before: Any = None
    after: Any = None
    message: str
    reason: str | None = None

    @classmethod
    def of(
        cls,
        kind: str,
        severity: Level,
        stage: str | None,
        path: str,
        before: Any,
        after: Any,
        message: str,
    ) -> Change:
        """A change, its fields in the order the diff's rules name them."""
        return cls(
            kind=kind,
            severity=severity,
            stage=stage,
            path=path,
            before=before,
            after=after,
            message=message,
        )


class PlanImpact(Result):
    """The plan-based forecast for the same leads under both versions, each in its version's
    currency. Across a currency change the two amounts cannot be subtracted: `difference` is
    None then."""

    leads: int
    before: float
    after: float
    difference: float | None
    currency_before: str
    currency_after: str

    @property
    def comparable(self) -> bool:
        return self.currency_before == self.currency_after


class ProcessDiff(Result):
    before: str
    after: str
    changes: list[Change] = Field(default_factory=list)
    impact: PlanImpact | None = None

    def count(self, level: Level) -> int:
        return sum(1 for change in self.changes if change.severity is level)

    def at_least(self, level: Level) -> bool:
        return any(change.severity.rank <= level.rank for change in self.changes)
