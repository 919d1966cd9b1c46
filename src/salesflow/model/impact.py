"""The result of `salesflow impact`: what each version of the process did to each stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import Field

from salesflow.model.funnel import Result

Verdict = Literal["better", "worse", "no clear change", "too early to tell", "control"]
SplitBy = Literal["entry", "creation"]
DatedBy = Literal["file", "commit"]


@dataclass(frozen=True)
class Version:
    """One version of the process, as the comparison needs it: when it took effect and which
    stages (ids) it changed from the version before, with what changed in each."""

    revision: str
    previous: str
    effective: date
    dated_by: DatedBy
    author: str
    subject: str
    changed: dict[str, list[str]]
    planned: dict[str, float] = field(default_factory=dict)  # stage id -> planned change
    notes: list[str] = field(default_factory=list)


def shown_probability(value: float) -> str:
    """Two decimals; never a certainty the data cannot give ("1.00" shows as "> 0.99")."""
    if value >= 0.995:
        return "> 0.99"
    if value <= 0.005:
        return "< 0.01"
    return f"{value:.2f}"


class Cohort(Result):
    """The deals that entered a stage in a window: from one day until another (the end of the
    data when None)."""

    entered_from: str
    entered_until: str | None
    deals: int
    conversion: float | None
    conversion_ci: tuple[float, float] | None
    effective_deals: float | None
    undecided: float
    median_days: float | None


class StageImpact(Result):
    stage: str
    name: str
    changed: bool
    changes: list[str] = Field(default_factory=list)
    split_by: SplitBy
    before: Cohort
    after: Cohort
    change: float | None  # conversion after − before, in share units
    change_ci: tuple[float, float] | None
    probability_better: float | None
    verdict: Verdict | None  # None when a side has no conversion to compare
    moved: bool = False  # a control whose conversion moved credibly (its interval misses 0)
    effect: float  # the change the comparison is sized to detect, in share units
    deals_needed: int | None  # per version, to detect `effect`
    deals_short: int | None  # how many more the thinner version needs
    median_days_change: float | None = None  # after − before, days
    median_days_change_ci: tuple[float, float] | None = None  # 95%, bootstrap


class VersionImpact(Result):
    revision: str
    previous: str
    date: str  # the day the version took effect
    dated_by: DatedBy
    until: str | None  # the day the next version took effect
    author: str
    subject: str
    summary: str
    stages: list[StageImpact]
    notes: list[str] = Field(default_factory=list)


class ImpactReport(Result):
    process: str
    source: str
    as_of: str | None
    versions: list[VersionImpact]
    notes: list[str] = Field(default_factory=list)
