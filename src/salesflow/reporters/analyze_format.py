"""Number formatting and small look-ups shared by the `analyze` reports for people (text and
markdown). The rules: counts with thousands separators; money as the currency code and a whole
number (`USD 24,310`); percentages, points and days with no decimals unless below 10 (then one);
a missing value as an en dash."""

from __future__ import annotations

from salesflow.model.funnel import Funnel, FunnelReport, Group, StageMetrics

MISSING = "–"


def count(value: int | None) -> str:
    return MISSING if value is None else f"{value:,}"


def number(value: float | None) -> str:
    """One decimal below 10 (in absolute value), else a whole number with separators."""
    if value is None:
        return MISSING
    if abs(round(value, 1)) < 10:
        text = f"{value:.1f}"
        return "0.0" if text == "-0.0" else text
    return f"{value:,.0f}"


def percent(share: float | None) -> str:
    """A share (0.62) as a percentage ("62%"); one decimal below 10% ("7.5%")."""
    return MISSING if share is None else number(share * 100) + "%"


def points(value: float | None) -> str:
    """A signed difference in percentage points: "+4.4", "-19", "0.0"."""
    if value is None:
        return MISSING
    text = number(value)
    if text in ("0.0", "0"):
        return text
    return text if text.startswith("-") else "+" + text


def interval(share: float | None, ci: tuple[float, float] | None) -> str:
    """A conversion with its 95% interval: "62% (55–69)"."""
    if share is None:
        return MISSING
    if ci is None:
        return percent(share)
    return f"{percent(share)} ({number(ci[0] * 100)}–{number(ci[1] * 100)})"


def money(value: float | None, currency: str) -> str:
    return MISSING if value is None else f"{currency} {value:,.0f}"


def days(value: float | None) -> str:
    return MISSING if value is None else f"{number(value)} days"


NOT_REACHED = "not reached"


def stay_days(stage: StageMetrics, value: float | None) -> str:
    """Days read from a stage's curve: "not reached" when stays were measured but the curve
    never fell that far (too many deals still in the stage), a dash when nothing was measured."""
    if value is None:
        return NOT_REACHED if stage.completed_stays or stage.open_stays else MISSING
    return number(value)


def has_durations(stages: list[StageMetrics]) -> bool:
    return any(stage.completed_stays or stage.open_stays for stage in stages)


DURATION_HEADERS = (
    "Median days",
    "Median 95% CI",
    "P80 days",
    "Median days to advance",
    "Median days to lose",
)


def days_interval(ci: tuple[float, float | None] | None) -> str:
    """The median's 95% interval: "8.0–12", or "≥ 8.0" while the data cannot bound it above."""
    if ci is None:
        return MISSING
    low, high = ci
    return f"≥ {number(low)}" if high is None else f"{number(low)}–{number(high)}"


def duration_cells(stage: StageMetrics) -> list[str]:
    """A stage's row of the days-in-stage table, after its name."""
    return [
        stay_days(stage, stage.median_days),
        days_interval(stage.median_days_ci),
        stay_days(stage, stage.p80_days),
        number(stage.median_days_to_advance),
        number(stage.median_days_to_lose),
    ]


def win_rate_words(funnel: Funnel) -> str:
    """'12% (closed deals only: 9.5%)': the chance a new deal is won, and the naive share."""
    closed = funnel.closed_win_rate
    naive = "" if closed is None else f" (closed deals only: {percent(closed)})"
    return percent(funnel.win_rate) + naive


def plan_verdict(stage: StageMetrics) -> int:
    """-1 when the plan lies above the 95% interval (the stage is truly below plan), +1 when it
    lies below the interval (truly above plan), 0 when the gap could be chance or is unknown."""
    if stage.planned_conversion is None or stage.conversion_ci is None:
        return 0
    low, high = stage.conversion_ci
    if stage.planned_conversion > high:
        return -1
    if stage.planned_conversion < low:
        return 1
    return 0


def window(report: FunnelReport) -> str | None:
    """The `--since/--until` window in words, or None without one."""
    if report.since and report.until:
        return f"created {report.since} to {report.until}"
    if report.since:
        return f"created since {report.since}"
    if report.until:
        return f"created until {report.until}"
    return None


def deal_summary(funnel: Funnel) -> str:
    deals = funnel.deals
    return (
        f"{count(deals.total)} deals: {count(deals.won)} won, {count(deals.lost)} lost, "
        f"{count(deals.open)} open"
    )


NO_BOTTLENECK = "No stage is clearly below plan."


def bottleneck_sentence(funnel: Funnel, currency: str) -> str:
    """'Bottleneck: Technical Validation — 99% sure it converts below the planned 75%; reaching
    it would add ≈ 4.2 wins, ≈ USD 100,800 (80% interval USD 52,000 to 150,000)', or
    'No stage is clearly below plan.'"""
    found = funnel.bottleneck
    if found is None:
        return NO_BOTTLENECK
    stage = next((s for s in funnel.stages if s.id == found.stage), None)
    name = stage.name if stage is not None else found.stage
    plan = stage.planned_conversion if stage is not None else None
    target = f"the planned {percent(plan)}" if plan is not None else "the plan"
    sure = f"{certainty(found.probability_below_plan)} sure it converts below {target}"
    wins = f"≈ {number(found.extra_wins)} " + ("win" if found.extra_wins == 1 else "wins")
    gain = ""
    if found.revenue_gain is not None:
        gain = f", ≈ {money(found.revenue_gain, currency)}"
    if found.revenue_gain_interval is not None:
        low, high = found.revenue_gain_interval
        gain += f" (80% interval {money(low, currency)} to {high:,.0f})"
    return f"Bottleneck: {name} — {sure}; reaching it would add {wins}{gain}"


def certainty(probability: float) -> str:
    """A probability as a percentage that never rounds up to a certainty: 0.9996 → "99.9%"."""
    shown = min(probability * 100, 99.9)
    if shown < 99:
        return f"{shown:.0f}%"
    return f"{shown:.1f}".removesuffix(".0") + "%"


def group_numbers(group: Group, stage_ids: list[str]) -> list[str]:
    """A group's row after its key: deals, won, lost, open, win rate, conversion per stage."""
    funnel = group.funnel
    deals = funnel.deals
    by_id = {stage.id: stage for stage in funnel.stages}
    stages = [by_id.get(stage_id) for stage_id in stage_ids]
    return [
        count(deals.total),
        count(deals.won),
        count(deals.lost),
        count(deals.open),
        percent(funnel.win_rate),
        *(percent(stage.conversion) if stage is not None else MISSING for stage in stages),
    ]
