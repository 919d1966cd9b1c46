"""The bottleneck, named only on strong evidence: a stage whose conversion is below plan with a
probability high enough that a team exactly on plan sees a false bottleneck in at most one data
set in ten, however many stages are judged (each stage must pass 1 − 0.1/k for k stages)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesflow.analytics.stats import product
from salesflow.model.funnel import Bottleneck, StageMetrics

FALSE_ALARM_RATE = 0.1
GAIN_QUANTILES = (10.0, 90.0)
SIMULATIONS = 20_000
SEED = 20_261_201


@dataclass(frozen=True)
class DealSize:
    """The average won amount, how spread the amounts are and how many there were; or the plan."""

    average: float | None
    spread: float | None = None
    count: int = 0


def evidence_threshold(judged: int) -> float:
    return 1.0 - FALSE_ALARM_RATE / max(judged, 1)


def find_bottleneck(stages: list[StageMetrics], size: DealSize) -> Bottleneck | None:
    """Among the stages clearly below plan, the one where reaching the plan would add the most
    wins: the shortfall times the deals that reached the stage, each extra one winning with the
    estimated odds of the stages after it."""
    judged = [s for s in stages if s.probability_below_plan is not None]
    threshold = evidence_threshold(len(judged))
    best: tuple[float, int] | None = None
    for k, stage in enumerate(stages):
        if (stage.probability_below_plan or 0.0) <= threshold:
            continue
        wins = _extra_wins(stages, k)
        if wins is not None and (best is None or wins > best[0]):
            best = (wins, k)
    if best is None:
        return None
    wins, k = best
    stage = stages[k]
    return Bottleneck(
        stage=stage.id,
        probability_below_plan=stage.probability_below_plan or 0.0,
        extra_wins=wins,
        revenue_gain=wins * size.average if size.average is not None else None,
        revenue_gain_interval=_gain_interval(stages, k, size),
    )


def _extra_wins(stages: list[StageMetrics], k: int) -> float | None:
    stage = stages[k]
    onward = product(later.conversion for later in stages[k + 1 :])
    if stage.conversion is None or stage.planned_conversion is None or onward is None:
        return None
    return stage.entered * (stage.planned_conversion - stage.conversion) * onward


def _gain_interval(
    stages: list[StageMetrics], k: int, size: DealSize
) -> tuple[float, float] | None:
    """The 80% interval of the revenue gain: conversions drawn from their Jeffreys posteriors
    (at their effective number of deals), the average deal size from its sampling spread."""
    if size.average is None:
        return None
    rng = np.random.default_rng(SEED)
    draws = [_conversion_draws(rng, stage) for stage in stages[k:]]
    stage = stages[k]
    assert stage.planned_conversion is not None
    wins = stage.entered * (stage.planned_conversion - draws[0])
    for later in draws[1:]:
        wins = wins * later
    gain = wins * _size_draws(rng, size)
    low, high = np.percentile(gain, GAIN_QUANTILES)
    return float(low), float(high)


def _conversion_draws(rng: np.random.Generator, stage: StageMetrics) -> np.ndarray:
    assert stage.conversion is not None and stage.effective_deals is not None
    share, deals = stage.conversion, stage.effective_deals
    return rng.beta(share * deals + 0.5, (1 - share) * deals + 0.5, SIMULATIONS)


def _size_draws(rng: np.random.Generator, size: DealSize) -> np.ndarray | float:
    assert size.average is not None
    if size.spread is None or size.count < 2:
        return size.average
    error = size.spread / np.sqrt(size.count)
    return np.maximum(rng.normal(size.average, error, SIMULATIONS), 0.0)
