"""How sure we are that a stage converts below plan (stats.probability_below: one minus the exact
one-sided binomial p-value, against scipy and statsmodels, test oracles only), and the
bottleneck built on it (analytics/bottleneck.py)."""

from __future__ import annotations

import typing
from types import NoneType, UnionType
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import betainc
from scipy.stats import binom
from statsmodels.stats.proportion import proportion_confint

from salesflow.analytics.bottleneck import DealSize, evidence_threshold, find_bottleneck
from salesflow.analytics.stats import probability_below
from salesflow.model.funnel import StageMetrics

PROPERTY = settings(max_examples=100, deadline=None, derandomize=True)

inner_plans = st.floats(1e-4, 1.0 - 1e-4, allow_nan=False)


@st.composite
def counts(draw: st.DrawFn) -> tuple[int, int]:
    trials = draw(st.integers(1, 2_000))
    return draw(st.integers(0, trials)), trials


@PROPERTY
@given(seen=counts(), plan=inner_plans)
def test_probability_below_is_the_binomial_tail(seen: tuple[int, int], plan: float) -> None:
    # 1 − P(X ≤ x) for X ~ Binomial(n, plan)
    successes, trials = seen
    expected = binom.sf(successes, trials, plan)
    assert probability_below(successes / trials, trials, plan) == pytest.approx(
        expected, rel=1e-9, abs=1e-12
    )


@PROPERTY
@given(
    share=st.floats(0.0, 1.0, allow_nan=False),
    trials=st.floats(0.5, 2_000.0, allow_nan=False),
    plan=inner_plans,
)
def test_effective_counts_through_the_incomplete_beta(
    share: float, trials: float, plan: float
) -> None:
    # fractional counts: I_plan(x + 1, n − x), which is the binomial tail at whole counts
    successes = share * trials
    failures = trials - successes
    assume(failures > 1e-9)
    expected = betainc(successes + 1.0, failures, plan)
    assert probability_below(share, trials, plan) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@PROPERTY
@given(seen=counts(), plan=inner_plans)
def test_plan_above_the_exact_interval_means_probability_over_0975(
    seen: tuple[int, int], plan: float
) -> None:
    # the exact (Clopper–Pearson) 95% interval's upper end is where the one-sided p-value is 2.5%
    successes, trials = seen
    _, high = proportion_confint(successes, trials, alpha=0.05, method="beta")
    assume(abs(plan - high) > 1e-9)
    assert (plan > high) == (probability_below(successes / trials, trials, plan) > 0.975)


@pytest.mark.parametrize(
    ("trials", "plan"), [(5, 0.5), (20, 0.9), (50, 0.3), (120, 0.75), (400, 0.62)]
)
@pytest.mark.parametrize("sure", [0.9, 0.95, 0.975, 0.99])
def test_a_stage_on_plan_is_rarely_called_below_it(trials: int, plan: float, sure: float) -> None:
    # the guarantee the bottleneck rests on: with X ~ Binomial(n, plan), the result exceeds
    # `sure` with probability at most 1 − sure
    false_alarms = sum(
        binom.pmf(x, trials, plan)
        for x in range(trials + 1)
        if probability_below(x / trials, trials, plan) > sure
    )
    assert false_alarms <= 1 - sure + 1e-12


def test_probability_below_at_the_edge_plans() -> None:
    # nothing converts below a plan of 0
    assert probability_below(0.0, 10, 0.0) == 0.0
    assert probability_below(0.3, 10, 0.0) == 0.0
    # below a plan of 1 whenever anything was lost; never when everything advanced
    assert probability_below(0.99, 10, 1.0) == 1.0
    assert probability_below(0.0, 10, 1.0) == 1.0
    assert probability_below(1.0, 10, 1.0) == 0.0
    # everything advanced: never below any plan
    assert probability_below(1.0, 10, 0.99) == 0.0
    # nothing advanced: below a plan p with probability 1 − (1 − p)^n
    assert probability_below(0.0, 10, 0.2) == pytest.approx(1 - 0.8**10, rel=1e-12)


@pytest.mark.parametrize("judged", [1, 2, 3, 4, 7, 10])
def test_evidence_threshold(judged: int) -> None:
    assert evidence_threshold(judged) == pytest.approx(1 - 0.1 / judged, abs=1e-15)


def test_evidence_threshold_without_stages() -> None:
    assert evidence_threshold(0) == pytest.approx(0.9)


# --- the bottleneck ----------------------------------------------------------------------------


def stage(
    name: str,
    conversion: float | None,
    planned: float | None,
    probability: float | None = None,
    *,
    entered: int = 100,
    effective: float | None = None,
) -> StageMetrics:
    """A stage's metrics; the probability below plan computed from the others unless given.
    Fields the bottleneck does not read get a neutral value (None, 0 or "")."""
    deals = float(entered) if effective is None else effective
    if probability is None and conversion is not None and planned is not None:
        probability = probability_below(conversion, deals, planned)
    advanced = round(entered * conversion) if conversion is not None else 0
    values: dict[str, Any] = {
        "id": name,
        "name": name.upper(),
        "entered": entered,
        "advanced": advanced,
        "lost": entered - advanced,
        "open": 0,
        "conversion": conversion,
        "conversion_method": "survival",
        "effective_deals": deals if conversion is not None else None,
        "naive_conversion": conversion,
        "planned_conversion": planned,
        "probability_below_plan": probability,
    }
    for field, info in StageMetrics.model_fields.items():
        if field not in values and info.is_required():
            values[field] = _neutral(info.annotation)
    return StageMetrics(**values)


def _neutral(annotation: Any) -> Any:
    union = isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union
    if union and NoneType in typing.get_args(annotation):
        return None
    return {int: 0, float: 0.0, str: ""}[annotation]


SIZE = DealSize(1_000.0)


def test_no_bottleneck_without_strong_evidence() -> None:
    stages = [stage("a", 0.85, 0.9), stage("b", 0.7, 0.75), stage("c", 0.6, 0.6)]
    assert all((s.probability_below_plan or 0) < evidence_threshold(3) for s in stages)
    assert find_bottleneck(stages, SIZE) is None
    assert find_bottleneck([], SIZE) is None


def test_no_bottleneck_without_a_plan() -> None:
    assert find_bottleneck([stage("a", 0.1, None), stage("b", 0.5, None)], SIZE) is None


def test_the_stage_with_the_most_extra_wins() -> None:
    stages = [
        # clearly below plan, but few deals: 20 · 0.4 · (0.5 · 0.9) = 3.6 extra wins
        stage("a", 0.4, 0.8, entered=20),
        # clearly below plan: 200 · 0.1 · 0.9 = 18 extra wins
        stage("b", 0.5, 0.6, entered=200),
        # the largest shortfall in deals, but not clearly below plan: 2000 · 0.01 = 20
        stage("c", 0.9, 0.91, entered=2_000),
    ]
    probabilities = [s.probability_below_plan or 0.0 for s in stages]
    threshold = evidence_threshold(3)
    assert probabilities[0] > threshold and probabilities[1] > threshold
    assert probabilities[2] < threshold
    found = find_bottleneck(stages, SIZE)
    assert found is not None
    assert found.stage == "b"
    assert found.probability_below_plan == probabilities[1]
    assert found.extra_wins == pytest.approx(200 * 0.1 * 0.9)
    assert found.revenue_gain == pytest.approx(18_000)


def test_a_stage_on_plan_is_never_the_bottleneck() -> None:
    # everything advanced against a plan of 1: not below it (share < plan, not <=)
    assert find_bottleneck([stage("a", 1.0, 1.0), stage("b", 0.5, 0.5)], SIZE) is None
    # exactly on an inner plan: at most an even chance, far from the threshold
    on_plan = stage("a", 0.5, 0.5, entered=10_000)
    assert on_plan.probability_below_plan is not None
    assert on_plan.probability_below_plan < 0.5
    assert find_bottleneck([on_plan], SIZE) is None


def test_the_threshold_itself_is_not_enough() -> None:
    # the probability must exceed 1 − 0.1/k, not merely reach it
    for judged in (1, 2, 4):
        stages = [stage(f"s{k}", 0.5, 0.9, evidence_threshold(judged)) for k in range(judged)]
        assert find_bottleneck(stages, SIZE) is None


def test_three_stages_need_more_than_0967() -> None:
    # with 3 stages judged the threshold is 1 − 0.1/3 = 0.9667
    def three(probability: float) -> list[StageMetrics]:
        return [
            stage("a", 0.8, 0.8, 0.5),
            stage("b", 0.5, 0.6, probability),
            stage("c", 0.9, 0.9, 0.5),
        ]

    assert find_bottleneck(three(0.96), SIZE) is None
    found = find_bottleneck(three(0.97), SIZE)
    assert found is not None and found.stage == "b"
    # a stage without a plan is not judged: with two judged, 0.96 passes 1 − 0.1/2 = 0.95
    two = three(0.96)
    two[2] = stage("c", 0.9, None)
    found = find_bottleneck(two, SIZE)
    assert found is not None and found.stage == "b"


def test_revenue_gain_interval() -> None:
    stages = [
        stage("a", 0.9, 0.9, entered=1_000),
        stage("b", 0.5, 0.7, entered=900),
        stage("c", 0.8, 0.8, entered=450),
    ]
    size = DealSize(5_000.0, spread=2_000.0, count=360)
    first = find_bottleneck(stages, size)
    assert first is not None and first.stage == "b"
    # 900 · 0.2 · 0.8 = 144 extra wins, 720 000 of revenue
    assert first.extra_wins == pytest.approx(144)
    assert first.revenue_gain == pytest.approx(720_000)
    assert first.revenue_gain_interval is not None
    low, high = first.revenue_gain_interval
    assert low < 720_000 < high
    # a fixed seed: the same interval every time
    assert find_bottleneck(stages, size) == first
    # the plan's deal size has no spread: the interval comes from the conversions alone
    fixed = find_bottleneck(stages, DealSize(5_000.0))
    assert fixed is not None and fixed.revenue_gain_interval is not None
    assert fixed.revenue_gain_interval[0] < 720_000 < fixed.revenue_gain_interval[1]
    # no deal size: no revenue
    unknown = find_bottleneck(stages, DealSize(None))
    assert unknown is not None
    assert unknown.revenue_gain is None and unknown.revenue_gain_interval is None
    assert unknown.extra_wins == pytest.approx(144)
