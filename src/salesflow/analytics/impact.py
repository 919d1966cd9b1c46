"""What each version of the process did to each stage: the deals that entered a stage under the
previous version of that stage against those that entered it under this one.

A version's change to a stage stays in effect until a later version changes that stage again, so
the stage is compared over windows: *before*, from the last earlier version that changed it (or
the first version) to this version's day; *after*, from this version's day to the next version
that changes it (or the end of the data). Versions that left the stage alone do not cut its
windows short. The stages the version did not change are controls, measured over the windows all
of its changed stages share. Which window a deal counts for, per stage, is decided by the day it
entered that stage (analytics.periods); the estimates are `analyze`'s (competing risks, open deals
censored), the comparison is analytics.comparison's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from salesflow.analytics.comparison import Comparison, Verdict, compare_conversions, deals_short
from salesflow.analytics.estimates import Conversion
from salesflow.analytics.funnel import conversion_interval
from salesflow.analytics.median_change import MedianChange, median_days_change
from salesflow.analytics.periods import Observed, Periods, periods
from salesflow.analytics.report import last_day
from salesflow.analytics.stage_events import Stays
from salesflow.errors import InputError
from salesflow.model.impact import (
    Cohort,
    ImpactReport,
    StageImpact,
    Version,
    VersionImpact,
    shown_probability,
)
from salesflow.sources.canonical import DealTables

MAX_EFFECT = 0.99


@dataclass(frozen=True)
class Window:
    """Periods first … stop − 1: the days from the version `first` took effect until the
    version `stop` did (the end of the data when there is none)."""

    first: int
    stop: int


@dataclass(frozen=True)
class Side:
    conversion: Conversion | None
    cohort: Cohort
    stays: Stays | None = None


def impact(tables: DealTables, versions: list[Version], effect: float) -> ImpactReport:
    """Each version but the first, newest first; `versions` must be in the order they took
    effect, `effect` the change to detect where a version planned none."""
    if not (tables.has_dates or "created" in tables.columns.deals):
        raise InputError(
            f"{tables.deals.path} has no dates (no created date, no stage dates): no deal can be "
            "placed before or after a version; map data.columns.created or data.stage_dates"
        )
    starts = [version.effective for version in versions]
    observed = periods(tables, starts)
    reports = [
        _version(tables, versions, index, observed, effect) for index in range(1, len(versions))
    ]
    return ImpactReport(
        process=tables.process.name,
        source=tables.deals.path,
        as_of=last_day(observed.end, tables.options.until),
        versions=list(reversed(reports)),
    )


def stage_windows(versions: list[Version], index: int, stage: str) -> tuple[Window, Window]:
    """Before and after version `index` for a stage it changed."""
    changes = [j for j, version in enumerate(versions) if stage in version.changed]
    first = max((j for j in changes if j < index), default=0)
    stop = min((j for j in changes if j > index), default=len(versions))
    return Window(first, index), Window(index, stop)


def control_windows(versions: list[Version], index: int) -> tuple[Window, Window]:
    """The windows every stage the version changed shares; without one, the versions on
    either side of it."""
    changed = list(versions[index].changed)
    if not changed:
        return Window(index - 1, index), Window(index, index + 1)
    pairs = [stage_windows(versions, index, stage) for stage in changed]
    return (
        Window(max(before.first for before, _ in pairs), index),
        Window(index, min(after.stop for _, after in pairs)),
    )


def _effect(version: Version, stage: str, default: float) -> float:
    """The change to detect: the version's own change of the stage's plan, else `default`
    (a plan moved from 0 to 1 cannot be a detectable change of a share: held just below)."""
    planned = version.planned.get(stage)
    return min(planned, MAX_EFFECT) if planned else default


def _within(own: tuple[Window, Window], shared: tuple[Window, Window]) -> tuple[Window, Window]:
    """A control's windows: those of the version's changes, cut where another version changed
    the control itself (a control must not span a change of its own)."""
    (before, after), (shared_before, shared_after) = own, shared
    return (
        Window(max(before.first, shared_before.first), before.stop),
        Window(after.first, min(after.stop, shared_after.stop)),
    )


def _version(
    tables: DealTables,
    versions: list[Version],
    index: int,
    observed: Periods,
    effect: float,
) -> VersionImpact:
    version = versions[index]
    ids = tables.process.stage_ids()
    controls = control_windows(versions, index)
    stages = []
    for k, stage_id in enumerate(ids):
        windows = stage_windows(versions, index, stage_id)
        if stage_id not in version.changed:
            windows = _within(windows, controls)
        before, after = (_side(observed, k, window, versions) for window in windows)
        stages.append(_stage(tables, k, version, before, after, _effect(version, stage_id, effect)))
    following = versions[index + 1].effective.isoformat() if index + 1 < len(versions) else None
    late = _after_the_data(version, observed.end)
    return VersionImpact(
        revision=version.revision,
        previous=version.previous,
        date=version.effective.isoformat(),
        dated_by=version.dated_by,
        until=following,
        author=version.author,
        subject=version.subject,
        summary=summary(stages),
        stages=stages,
        notes=[*version.notes, *late, *_unmeasured(version, ids), *_control_notes(stages)],
    )


def _after_the_data(version: Version, end: datetime | None) -> list[str]:
    if end is None or version.effective <= end.date():
        return []
    return [
        f"took effect after the data ends ({end.date().isoformat()}): no deal has entered a "
        "stage under it yet"
    ]


def _side(observed: Periods, stage: int, window: Window, versions: list[Version]) -> Side:
    deals = observed.window(stage, window.first, window.stop)
    start = versions[window.first].effective.isoformat()
    end = versions[window.stop].effective.isoformat() if window.stop < len(versions) else None
    conversion = deals.conversion(stage) if deals else None
    stays = deals.stays if deals else None
    return Side(conversion, _cohort(deals, stage, conversion, start, end), stays)


def _cohort(
    deals: Observed | None, stage: int, conversion: Conversion | None, start: str, end: str | None
) -> Cohort:
    return Cohort(
        entered_from=start,
        entered_until=end,
        deals=deals.tally.entered(stage) if deals else 0,
        conversion=conversion.share if conversion else None,
        conversion_ci=conversion_interval(conversion),
        effective_deals=conversion.effective_deals if conversion else None,
        undecided=conversion.undecided if conversion else 0.0,
        median_days=deals.median_days() if deals else None,
    )


def _stage(
    tables: DealTables,
    k: int,
    version: Version,
    before: Side,
    after: Side,
    effect: float,
) -> StageImpact:
    stage = tables.process.stages[k]
    changed = stage.id in version.changed
    comparison = _compare(before, after, effect)
    days = _days_change(before, after)
    return StageImpact(
        stage=stage.id,
        name=stage.name,
        changed=changed,
        changes=version.changed.get(stage.id, []),
        split_by="entry" if k in tables.dated_stages else "creation",
        before=before.cohort,
        after=after.cohort,
        change=comparison.change if comparison else None,
        change_ci=comparison.interval if comparison else None,
        probability_better=comparison.probability_better if comparison else None,
        verdict=_verdict(comparison, changed),
        moved=bool(comparison and not changed and _credible(comparison)),
        effect=effect,
        deals_needed=comparison.deals_needed if comparison else None,
        deals_short=_short(before, after, comparison),
        median_days_change=days.change if days else None,
        median_days_change_ci=days.interval if days else None,
    )


def _days_change(before: Side, after: Side) -> MedianChange | None:
    if before.stays is None or after.stays is None:
        return None
    return median_days_change(before.stays.timed, after.stays.timed)


def _compare(before: Side, after: Side, effect: float) -> Comparison | None:
    if before.conversion is None or after.conversion is None:
        return None
    return compare_conversions(before.conversion, after.conversion, effect)


def _short(before: Side, after: Side, comparison: Comparison | None) -> int | None:
    if comparison is None or before.conversion is None or after.conversion is None:
        return None
    return deals_short(before.conversion, after.conversion, comparison)


def _credible(comparison: Comparison) -> bool:
    return comparison.verdict in (Verdict.BETTER, Verdict.WORSE)


def _verdict(comparison: Comparison | None, changed: bool) -> str | None:
    """A verdict for the stages the version changed; the others are controls, about which the
    version claims nothing."""
    if not changed:
        return "control"
    return comparison.verdict.value if comparison else None


def summary(stages: list[StageImpact]) -> str:
    """The measured one-liner: each changed stage's change and verdict."""
    parts = [_stage_summary(stage) for stage in stages if stage.changed]
    return "; ".join(parts) if parts else "no stage changed"


def _stage_summary(stage: StageImpact) -> str:
    if stage.change is None or stage.probability_better is None:
        return f"{stage.name}: not enough data on both sides"
    points = f"{stage.name} {stage.change * 100:+.0f} pts"
    if stage.verdict == "better":
        return f"{points}, better with P {shown_probability(stage.probability_better)}"
    if stage.verdict == "worse":
        return f"{points}, worse with P {shown_probability(1 - stage.probability_better)}"
    if stage.verdict == "too early to tell" and stage.deals_short:
        return f"{points}, too early to tell ({stage.deals_short:,} more deals needed)"
    return f"{points}, {stage.verdict}"


def _unmeasured(version: Version, ids: list[str]) -> list[str]:
    """Stages the version changed that the process analysed no longer has (renamed or removed
    since): no deal maps onto them."""
    gone = [stage for stage in version.changed if stage not in ids]
    if not gone:
        return []
    return [
        f"changed {', '.join(gone)}, which the current process file does not have: not measured"
    ]


def _control_notes(stages: list[StageImpact]) -> list[str]:
    moved = [stage for stage in stages if stage.moved]
    if not moved:
        return []
    names = ", ".join(f"{stage.name} ({(stage.change or 0) * 100:+.0f} pts)" for stage in moved)
    return [
        f"{names}: not changed by this version, yet moved: something other than the process "
        "moved the numbers too, so read the verdicts above with care"
    ]
