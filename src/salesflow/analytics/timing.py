"""When revenue lands, and what that rests on (docs/forecast.md#phasing).

A stay in a stage with entry dates runs to the deal's next known date, so it also covers the
stages after it that have none: the stages fall into *stretches*, each from a stage with entry
dates (or the first stage) up to the next stage with them. A stretch's time is measured by its
first stage's timed stays when it has entry dates; else it is its days: the median days observed
in that first stage, else the stages' `expected.days` summed; else unknown.

New leads win after the time from lead to won: measured over the sales cycle's dated wins, else
the stretches' days summed, else unknown (0 days). An open deal still has the rest of its
stretch (given its age, counted from the stretch's first entry date, else from when it was first
seen) and the later stretches; with no entry dates at all its stretch is the whole sales cycle,
so it has the rest of the time from lead to won. Whenever a time is not measured, a note says
what it comes from instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesflow.analytics.phasing import Lag
from salesflow.analytics.simulation import Floats, Ints
from salesflow.analytics.stage_events import Stays
from salesflow.model import Process
from salesflow.model.funnel import Funnel

UNKNOWN_LEAD_TIME = "each month's revenue is placed in the month its leads arrive"
OBSERVED = "the median days observed in the stages"
PLANNED = "the plan's expected.days"
WHOLE_CYCLE = (
    "the stages have no entry dates: an open deal's time still to go is the rest of the time "
    "from lead to won beyond its age (since it was first seen)"
)


@dataclass(frozen=True)
class Timed:
    """A distribution of days, and a note when it is not what the data measured."""

    lag: Lag
    note: str | None = None


@dataclass(frozen=True)
class Stretch:
    """Stages from `first` to `last`: `first` has entry dates (`dated`) or is the first stage,
    and no stage after it up to `last` has any."""

    first: int
    last: int
    dated: bool

    @property
    def stages(self) -> range:
        return range(self.first, self.last + 1)


def stretches(count: int, dated: set[int]) -> list[Stretch]:
    """The stretches of `count` stages, `dated` having entry dates."""
    starts = sorted({0, *(k for k in dated if k < count)})
    ends = [*(start - 1 for start in starts[1:]), count - 1]
    return [Stretch(a, b, a in dated) for a, b in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class Days:
    """A stretch's days when its time is not measured, and where they come from."""

    days: float | None
    origin: str = PLANNED


def stretch_days(process: Process, funnel: Funnel | None, stretch: Stretch) -> Days:
    """The median days observed in the stretch's first stage (when it has entry dates), else
    the stages' expected.days summed; None when neither is known."""
    seen = (
        funnel.stages[stretch.first].median_days if funnel is not None and stretch.dated else None
    )
    if seen is not None:
        return Days(seen, OBSERVED)
    planned = [process.stages[k].expected.days for k in stretch.stages]
    known = [days for days in planned if days is not None]
    return Days(float(sum(known)) if known else None)


def _origin(found: list[Days]) -> str:
    origins = {days.origin for days in found if days.days is not None}
    return f"{OBSERVED}, else {PLANNED}" if len(origins) > 1 else origins.pop()


def planned_lead_time(process: Process) -> Timed:
    """The plan's time from lead to won: its stages' expected.days summed."""
    total = stretch_days(process, None, Stretch(0, len(process.stages) - 1, False)).days or 0.0
    if total > 0:
        return Timed(Lag.planned(total))
    return Timed(
        Lag.planned(0.0),
        f"no time from lead to won is known (no expected.days in the plan): {UNKNOWN_LEAD_TIME}",
    )


def lead_time(process: Process, funnel: Funnel, stays: dict[int, Stays]) -> Timed:
    """The time from lead to won: the sales cycle's cumulative incidence of winning, else the
    stretches' days summed, with the planned spread. A measured time of 0 days (every dated win
    closed the day it was created) says nothing of how long leads take: the days are used
    instead when there are any."""
    cycle = stays.get(len(process.stages))
    measured = Lag.of_wins(cycle.timed) if cycle is not None else None
    if measured is not None and measured.mean > 0:
        return Timed(measured)
    found = [stretch_days(process, funnel, s) for s in stretches(len(process.stages), set(stays))]
    total = sum(days.days or 0.0 for days in found)
    why = _unmeasured(cycle, measured)
    if total > 0:
        return Timed(
            Lag.planned(total),
            f"{why}: the time from lead to won is the stages' days summed instead "
            f"({total:,.0f} days, from {_origin(found)})",
        )
    if measured is not None:
        return Timed(
            measured, f"{why}, and no stage has days observed or expected: {UNKNOWN_LEAD_TIME}"
        )
    return Timed(
        Lag.planned(0.0),
        "no time from lead to won is known (no dated wins in the data, no days observed or "
        f"expected in any stage): {UNKNOWN_LEAD_TIME}",
    )


def _unmeasured(cycle: Stays | None, measured: Lag | None) -> str:
    """Why the sales cycle gives no time from lead to won."""
    if measured is None or cycle is None:
        return "no won deal in the data has both dates (first seen, closed)"
    wins = int(cycle.timed.first.sum())
    which = "1 dated win, closed" if wins == 1 else f"{wins:,} dated wins, each closed"
    return (
        f"the measured time from lead to won is 0 days ({which} the day it was created), which "
        "tells nothing of how long a lead takes"
    )


@dataclass(frozen=True)
class OpenTiming:
    """Per stage: the time whose rest (given its age) an open deal there still has (`current`),
    and the time a deal needs for the stretch that starts there (`advance`; None elsewhere);
    None where nothing is known (0 days). With the notes saying what was not measured."""

    current: list[Lag | None]
    advance: list[Lag | None]
    notes: list[str]


def open_deal_time(
    process: Process, funnel: Funnel, stays: dict[int, Stays], lead: Timed, first_open: int | None
) -> OpenTiming:
    """The time still to go of open deals in stage `first_open` or later (None: no open deal):
    each stretch measured where its first stage has timed advances, else its days; with no entry
    dates at all, the time from lead to won."""
    count = len(process.stages)
    parts = stretches(count, set(stays))
    if first_open is None:
        return OpenTiming([None] * count, [None] * count, [])
    if not any(part.dated for part in parts):
        return OpenTiming([lead.lag] * count, [None] * count, [WHOLE_CYCLE])
    current: list[Lag | None] = [None] * count
    advance: list[Lag | None] = [None] * count
    notes = []
    for part in parts:
        lag, note = _stretch_lag(process, funnel, stays, part)
        current[part.first : part.last + 1] = [lag] * len(part.stages)
        advance[part.first] = lag
        if note and part.last >= first_open:
            notes.append(note)
    return OpenTiming(current, advance, notes)


def _stretch_lag(
    process: Process, funnel: Funnel, stays: dict[int, Stays], part: Stretch
) -> tuple[Lag | None, str | None]:
    """A stretch's time: its first stage's timed advances, else its days; and a note when it is
    not measured."""
    measured = Lag.of_wins(stays[part.first].timed) if part.first in stays else None
    if measured is not None:
        return measured, None
    names = _names(process, part)
    days = stretch_days(process, funnel, part)
    if days.days is None:
        return None, (
            f"no time is known for {names} (no timed advance, no days observed, no "
            "expected.days): open deals count 0 days there, so they may land too early"
        )
    why = f"no timed advance from {names} in the data" if part.dated else _undated(names, part)
    return Lag.planned(days.days), f"{why}: open deals' time there comes from {days.origin}"


def _undated(names: str, part: Stretch) -> str:
    return f"{names} {'has' if part.first == part.last else 'have'} no entry dates"


def _names(process: Process, part: Stretch) -> str:
    ids = ", ".join(process.stages[k].id for k in part.stages)
    return f"stage {ids}" if part.first == part.last else f"stages {ids}"


def overdue_note(stage_of: Ints, ages: Floats, current: list[Lag | None]) -> str | None:
    """A note on the open deals that have waited at least as long as any deal was measured (or
    planned) to take for their stretch: the rest of their time is unknown, and their wins land
    at the end of the data."""
    longest = np.array([lag.days.max() if lag is not None else 0.0 for lag in current])
    known = longest[stage_of] > 0
    over = int((known & (ages >= longest[stage_of])).sum())
    if not over:
        return None
    one = over == 1
    deals = "1 open deal has" if one else f"{over:,} open deals have"
    where, its = ("it is", "its") if one else ("they are", "their")
    return (
        f"{deals} waited longer than any deal took to move on from where {where}: with no time "
        f"known still to go, {its} wins land at the end of the data, perhaps too early"
    )
