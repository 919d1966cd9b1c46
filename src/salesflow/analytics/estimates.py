"""Per-stage figures from the stays: conversion (with its precision), time in stage, and the
median days to advance and to be lost; and the median sales cycle."""

from __future__ import annotations

from dataclasses import dataclass

from salesflow.analytics.stage_events import Stays
from salesflow.analytics.survival import (
    SLACK,
    aalen_johansen,
    first_variance,
    incidence_median,
    quantile_interval,
    survival_quantile,
)

SURVIVAL = "survival"
COUNTS = "counts"


@dataclass(frozen=True)
class Conversion:
    """The share of deals in a stage that eventually advance, and how precisely it is known:
    `effective_deals` fully observed deals would give the same variance. `undecided` is the
    share whose fate the data cannot tell yet: still open after the longest recorded decision,
    counted as not advancing (so the share may be low by up to that much)."""

    share: float
    effective_deals: float
    undecided: float = 0.0

    @property
    def variance(self) -> float:
        return self.share * (1 - self.share) / self.effective_deals


@dataclass(frozen=True)
class Durations:
    median: float | None = None
    median_ci: tuple[float, float | None] | None = None
    p80: float | None = None
    to_advance: float | None = None
    to_lose: float | None = None
    completed: int = 0
    open: int = 0


NO_DURATIONS = Durations()


def counted_conversion(advanced: float, lost: float) -> Conversion | None:
    """advanced / (advanced + lost): right when no deal is still open in the stage, or when lost
    deals leave as fast as advancing ones."""
    decided = advanced + lost
    return Conversion(advanced / decided, decided) if decided else None


def survival_conversion(stays: Stays) -> Conversion | None:
    """The Aalen–Johansen cumulative incidence of advancing, open stays censored; exactly the
    counted share when nothing is open."""
    table = stays.all
    advanced, lost = float(table.first.sum()), float(table.second.sum())
    if not table.censored.any():
        return counted_conversion(advanced, lost)
    if advanced + lost == 0:
        return None
    incidence = aalen_johansen(table)
    share = _snapped(float(incidence.first[-1]))
    variance = first_variance(incidence)
    spread = share * (1 - share)
    decided = advanced + lost
    effective = spread / variance if variance > 0 and spread > 0 else decided
    undecided = max(float(incidence.survival[-1]), 0.0)
    # Open stays tell when deals leave, not how: the delta-method variance can credit them
    # with more than that, which measured as overconfident (benchmarks/calibration.py).
    return Conversion(share, min(effective, decided), undecided)


def durations(stays: Stays) -> Durations:
    """Kaplan–Meier of the time to leave the stage by either exit (median and P80), and the
    median time of each exit from its cumulative incidence, over the timed stays."""
    table = stays.timed
    if table.total == 0:
        return NO_DURATIONS
    incidence = aalen_johansen(table)
    return Durations(
        median=survival_quantile(incidence, 0.5),
        median_ci=quantile_interval(incidence, 0.5),
        p80=survival_quantile(incidence, 0.2),
        to_advance=incidence_median(incidence.times, incidence.first),
        to_lose=incidence_median(incidence.times, incidence.second),
        completed=int(table.events.sum()),
        open=int(table.censored.sum()),
    )


def median_cycle(stays: Stays | None) -> float | None:
    """Median days from first seen to won, among the deals that will be won: when the
    cumulative incidence of winning reaches half of its final value."""
    if stays is None or stays.timed.total == 0:
        return None
    incidence = aalen_johansen(stays.timed)
    return incidence_median(incidence.times, incidence.first)


def _snapped(share: float) -> float:
    """A share within rounding of 0 or 1 is exactly that: a cumulative sum can miss 1 by an ulp,
    and p(1 − p) must then be 0, not rounding noise."""
    if share < SLACK:
        return 0.0
    if share > 1.0 - SLACK:
        return 1.0
    return share
