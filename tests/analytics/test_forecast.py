"""forecast() against closed forms and against itself: the mean, the target and the reverse
funnel, seeds, monotonicity, monthly phasing, the open pipeline and the edges.

Inputs are built directly (a tiny process from YAML, rates and deal sizes as arrays): no data
files. Monte Carlo checks allow four standard errors computed from the simulated sample.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from numpy.typing import NDArray

from salesflow.analytics import forecast as forecast_module
from salesflow.analytics.forecast import (
    CONFIDENCE,
    DAYS_PER_MONTH,
    SEARCH_SIMS,
    Inputs,
    OpenDeals,
    Request,
    forecast,
)
from salesflow.analytics.forecast_inputs import plan_inputs
from salesflow.analytics.simulation import (
    DealSizes,
    Rates,
    simulate,
    simulate_cohorts,
    simulate_pipeline,
)
from salesflow.errors import InputError
from salesflow.loader import parse_process
from salesflow.model import Process

PROCESS_YAML = """\
salesflow: 1
name: Tiny process
roles:
  - id: ae
    title: Account Executive
stages:
  - id: qualify
    name: Qualify
    owner: ae
    exit_criteria: [Budget confirmed]
    expected: {conversion: 0.4, days: 10}
    probability: 0.1
  - id: demo
    name: Demo
    owner: ae
    exit_criteria: [Demo done]
    expected: {conversion: 0.6, days: 20}
    probability: 0.25
  - id: proposal
    name: Proposal
    owner: ae
    exit_criteria: [Proposal sent]
    expected: {conversion: 0.7, days: 15}
    probability: 0.45
  - id: negotiation
    name: Negotiation
    owner: ae
    exit_criteria: [Contract signed]
    expected: {conversion: 0.8, days: 30}
    probability: 0.8
assumptions:
  deal_size: 20000
"""
PLANNED = [0.4, 0.6, 0.7, 0.8]
DEAL_SIZE = 20_000.0
DAYS = [10.0, 20.0, 15.0, 30.0]  # 75 days: a lag of 2.46 months
Z = 4.0


def tiny_process(text: str = PROCESS_YAML) -> Process:
    loaded = parse_process(text, "p.yaml")
    assert loaded.process is not None, loaded.issues
    return loaded.process


PROCESS = tiny_process()
PLAN = plan_inputs(PROCESS)
ADVANCED = np.array([120, 60, 35, 25], dtype=np.int64)
LOST = np.array([180, 40, 15, 6], dtype=np.int64)
AMOUNTS = np.random.default_rng(7).lognormal(np.log(18_000), 0.6, 300)
OPEN = OpenDeals(
    counts=np.array([30, 12, 0, 4], dtype=np.int64),
    probabilities=np.array([0.1, 0.25, 0.45, 0.8]),
    amounts=np.array([15_000.0, 22_000.0, 0.0, 40_000.0]),
)
DATA = Inputs(
    process=PROCESS,
    source="data",
    rates=Rates(advanced=ADVANCED, lost=LOST),
    sizes=DealSizes(amounts=AMOUNTS, planned=DEAL_SIZE),
    stage_days=DAYS,
    closed_deals=int(LOST.sum() + ADVANCED[-1]),
    open_deals=OPEN,
)
INPUTS = {"plan": PLAN, "data": DATA}
START = date(2025, 11, 1)
_TODAY = date.today()
# Open deals are counted from today, so a forecast with the pipeline starts this month or later.
NEXT_MONTH = date(_TODAY.year + _TODAY.month // 12, _TODAY.month % 12 + 1, 1)


def mean_error(sample: NDArray[np.float64]) -> float:
    return float(sample.std(ddof=1) / math.sqrt(len(sample)))


def per_lead(inputs: Inputs) -> float:
    return float(np.prod(inputs.rates.expected())) * inputs.sizes.mean


# ------------------------------------------------------------------------------ the forecast


def test_plan_inputs_come_from_the_process_file() -> None:
    assert PLAN.source == "plan"
    assert PLAN.rates.expected().tolist() == PLANNED
    assert PLAN.sizes.mean == DEAL_SIZE
    assert PLAN.stage_days == DAYS
    assert PLAN.closed_deals == 0
    assert PLAN.open_deals is None


def test_plan_inputs_refuse_a_plan_with_gaps() -> None:
    no_rate = tiny_process(PROCESS_YAML.replace("conversion: 0.6, ", ""))
    with pytest.raises(InputError, match="demo"):
        plan_inputs(no_rate)
    no_size = tiny_process(PROCESS_YAML.replace("assumptions:\n  deal_size: 20000\n", ""))
    with pytest.raises(InputError, match="deal_size"):
        plan_inputs(no_size)


@pytest.mark.parametrize("source", ["plan", "data"])
def test_mean_revenue_and_wins_match_the_closed_form(source: str) -> None:
    inputs, leads, sims = INPUTS[source], 120, 100_000
    result = forecast(inputs, Request(leads=leads, sims=sims, seed=3))
    sample = simulate(inputs.rates, inputs.sizes, leads, sims, 3)
    # the report is this simulation, summarised
    assert result.revenue.mean == pytest.approx(sample.revenue.mean(), rel=1e-12)
    assert result.wins.mean == pytest.approx(sample.wins.mean(), rel=1e-12)
    expected = inputs.rates.expected()
    assert result.expected_wins == pytest.approx(leads * float(np.prod(expected)))
    assert result.deal_size == pytest.approx(inputs.sizes.mean)
    closed_form = leads * per_lead(inputs)
    assert abs(result.revenue.mean - closed_form) < Z * mean_error(sample.revenue)
    assert result.revenue.p10 <= result.revenue.p50 <= result.revenue.p90
    assert result.source == source
    assert result.leads == leads
    assert result.sims == sims
    assert result.seed == 3


@pytest.mark.parametrize("source", ["plan", "data"])
def test_stages_carry_the_rates_and_the_leads_entering_each(source: str) -> None:
    inputs = INPUTS[source]
    result = forecast(inputs, Request(leads=1_000, sims=1_000))
    expected = inputs.rates.expected()
    assert [s.id for s in result.stages] == ["qualify", "demo", "proposal", "negotiation"]
    entering = 1_000.0
    for k, stage in enumerate(result.stages):
        assert stage.conversion == pytest.approx(expected[k])
        assert stage.expected_entering == pytest.approx(entering)
        entering *= expected[k]
    assert entering == pytest.approx(result.expected_wins)
    if source == "data":
        assert [s.advanced for s in result.stages] == ADVANCED.tolist()
        assert [s.lost for s in result.stages] == LOST.tolist()
    else:
        assert all(s.advanced is None and s.lost is None for s in result.stages)


def test_the_notes_say_what_the_interval_covers() -> None:
    plan = forecast(PLAN, Request(leads=10, sims=1_000))
    assert any("process noise only" in note for note in plan.notes)
    data = forecast(DATA, Request(leads=10, sims=1_000))
    assert data.notes == [f"rates rest on {DATA.closed_deals:,} closed deals"]
    assert data.closed_deals == DATA.closed_deals


@pytest.mark.parametrize("sims", [100, 100_001])
def test_the_histogram_counts_every_simulation(sims: int) -> None:
    result = forecast(DATA, Request(leads=120, sims=sims))
    assert result.sims == sims
    assert sum(result.histogram.counts) == sims
    assert len(result.histogram.edges) == len(result.histogram.counts) + 1
    assert result.histogram.edges == sorted(result.histogram.edges)


# -------------------------------------------------------------------------- reproducibility

FULL = Request(leads=240, sims=20_000, seed=5, target=300_000, horizon=6, start=START)


def test_same_seed_same_forecast() -> None:
    request = replace(FULL, pipeline=True, start=NEXT_MONTH)
    assert forecast(DATA, request).model_dump() == forecast(DATA, request).model_dump()
    assert forecast(PLAN, FULL).model_dump() == forecast(PLAN, FULL).model_dump()


def test_other_seed_other_forecast() -> None:
    first = forecast(DATA, replace(FULL, pipeline=True, start=NEXT_MONTH))
    other = forecast(DATA, replace(FULL, pipeline=True, seed=6, start=NEXT_MONTH))
    assert first.revenue != other.revenue
    assert first.months != other.months
    assert first.pipeline != other.pipeline
    assert first.revenue.mean == pytest.approx(other.revenue.mean, rel=0.05)


# ----------------------------------------------------------------------------- monotonicity


@pytest.mark.parametrize("source", ["plan", "data"])
def test_more_leads_never_lower_the_forecast(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # the search for the leads needed does not depend on the leads: skipped here for speed
    monkeypatch.setattr(forecast_module, "_leads_for", lambda *args: None)
    previous = None
    for leads in [0, 1, 10, 50, 120, 150, 300, 2_000, 100_000]:
        result = forecast(INPUTS[source], Request(leads=leads, sims=20_000, target=250_000))
        assert result.target is not None
        current = (
            result.revenue.mean,
            result.revenue.p10,
            result.revenue.p50,
            result.revenue.p90,
            result.wins.mean,
            result.expected_wins,
            result.target.probability,
        )
        if previous is not None:
            assert all(now >= before for now, before in zip(current, previous, strict=True)), leads
        previous = current


@pytest.mark.parametrize("stage", range(4))
def test_a_higher_rate_never_lowers_the_forecast(stage: int) -> None:
    planned = np.array(PLANNED)
    planned[stage] += 0.1
    higher = replace(PLAN, rates=Rates(planned=planned))
    request = Request(leads=200, sims=20_000, target=200_000)
    base, raised = forecast(PLAN, request), forecast(higher, request)
    assert base.target is not None and raised.target is not None
    for field in ("mean", "p10", "p50", "p90"):
        assert getattr(raised.revenue, field) >= getattr(base.revenue, field)
    assert raised.revenue.mean > base.revenue.mean
    assert raised.target.probability >= base.target.probability
    assert raised.target.leads_needed_mean is not None
    assert base.target.leads_needed_mean is not None
    assert raised.target.leads_needed_mean <= base.target.leads_needed_mean


# ------------------------------------------------------------------ target and reverse funnel


@pytest.mark.parametrize("source", ["plan", "data"])
@pytest.mark.parametrize("amount", [60_000.0, 500_000.0, 5_000_000.0])
def test_reverse_funnel_agrees_with_the_forward_one(source: str, amount: float) -> None:
    inputs = INPUTS[source]
    result = forecast(inputs, Request(leads=100, sims=20_000, seed=1, target=amount))
    target = result.target
    assert target is not None
    assert target.amount == amount
    needed = target.leads_needed_mean
    assert needed is not None
    # in expectation: the fewest leads whose closed-form revenue reaches the target
    assert needed * per_lead(inputs) >= amount > (needed - 1) * per_lead(inputs)
    # ... and the forward simulation with that many leads lands on the target
    forward = simulate(inputs.rates, inputs.sizes, needed, 50_000, 77).revenue
    assert abs(forward.mean() - amount) < per_lead(inputs) + Z * mean_error(forward)

    # with 90% confidence: the forward probability at that many leads is 0.9, one lead fewer
    # is not (allowing the noise of the search's 20,000 simulations and of this check's)
    p90 = target.leads_needed_p90
    assert p90 is not None
    assert p90 >= needed
    sims = 100_000
    slack = Z * math.sqrt(0.09 / SEARCH_SIMS + 0.09 / sims)

    def reach(leads: int) -> float:
        revenue = simulate(inputs.rates, inputs.sizes, leads, sims, 99).revenue
        return float((revenue >= amount).mean())

    assert reach(p90) >= CONFIDENCE - slack
    assert reach(p90 - 1) < CONFIDENCE + slack
    assert reach(math.floor(p90 * 0.95)) < CONFIDENCE


@pytest.mark.xfail(
    reason=(
        "BUG (minor, within Monte Carlo noise): _leads_for bisects on the assumption that, on "
        "the same seed, the probability of the target rises with the leads; numpy's binomial "
        "draws are not coupled that way, so the probability wobbles and the bisection can "
        "stop above the fewest leads that reach 90% on its own simulations (here 2,030 "
        "where 2,025 already reach it)"
    ),
    strict=True,
)
def test_leads_needed_p90_is_the_fewest_on_the_searchs_own_simulations() -> None:
    """Repro: plan inputs, target 5,000,000, seed 2 → leads_needed_p90 2,030; simulate(...,
    2,025 leads, 20,000 sims, seed 2) reaches 5,000,000 in ≥ 90% of the simulations."""
    amount = 5_000_000.0
    result = forecast(PLAN, Request(leads=100, sims=20_000, seed=2, target=amount))
    assert result.target is not None
    needed = result.target.leads_needed_p90
    assert needed is not None

    def reach(leads: int) -> float:
        revenue = simulate(PLAN.rates, PLAN.sizes, leads, SEARCH_SIMS, 2).revenue
        return float((revenue >= amount).mean())

    assert reach(needed) >= CONFIDENCE
    assert all(reach(leads) < CONFIDENCE for leads in range(needed - 10, needed))


def test_the_probability_of_the_target_is_the_forward_simulations() -> None:
    request = Request(leads=300, sims=50_000, seed=4, target=150_000)
    result = forecast(DATA, request)
    assert result.target is not None
    forward = simulate(DATA.rates, DATA.sizes, 300, 50_000, 4).revenue
    assert result.target.probability == float((forward >= 150_000).mean())


def test_an_impossible_target_needs_no_number_of_leads() -> None:
    dead = replace(PLAN, rates=Rates(planned=np.array([0.4, 0.0, 0.7, 0.8])))
    result = forecast(dead, Request(leads=100, sims=1_000, target=1_000))
    assert result.target is not None
    assert result.target.probability == 0.0
    assert result.target.leads_needed_mean is None
    assert result.target.leads_needed_p90 is None


# ---------------------------------------------------------------------------------- phasing


def month_labels(first: date, count: int) -> list[str]:
    labels = []
    for index in range(count):
        year, month = divmod(first.month - 1 + index, 12)
        labels.append(f"{first.year + year:04d}-{month + 1:02d}")
    return labels


@pytest.mark.parametrize("source", ["plan", "data"])
def test_months_add_up_to_the_cohorts_revenue(source: str) -> None:
    inputs, horizon, leads, sims = INPUTS[source], 6, 600, 50_000
    result = forecast(inputs, Request(leads=leads, sims=sims, seed=2, horizon=horizon, start=START))
    cohorts = simulate_cohorts(
        inputs.rates, inputs.sizes, np.full(horizon, 100, dtype=np.int64), sims, 2
    ).sum(axis=1)
    total = sum(month.mean for month in result.months)
    assert total == pytest.approx(cohorts.mean(), rel=1e-9)
    # and the phased total is the unphased forecast, within the error of two simulations
    assert abs(total - result.revenue.mean) < Z * math.sqrt(2) * mean_error(cohorts)
    assert [m.month for m in result.months] == month_labels(START, len(result.months))
    assert result.months[0].month == "2025-11"
    assert all(m.p10 <= m.p50 <= m.p90 for m in result.months)


def test_nothing_lands_before_the_time_in_the_stages() -> None:
    """75 days in the stages: leads of the first month cannot close in the first two months."""
    lag = sum(DAYS) / DAYS_PER_MONTH
    assert 2 < lag < 3
    result = forecast(PLAN, Request(leads=600, sims=20_000, horizon=6, start=START))
    for month in result.months[: math.floor(lag)]:
        assert (month.mean, month.p10, month.p50, month.p90) == (0.0, 0.0, 0.0, 0.0)
    assert result.months[math.floor(lag)].mean > 0
    # the last cohort arrives in month 6 and closes 2.46 months later: nothing after month 9
    assert len(result.months) <= 6 + math.ceil(lag) + 1


@pytest.mark.parametrize(("leads", "horizon"), [(600, 6), (601, 6), (5, 12), (0, 3), (119, 1)])
def test_leads_are_spread_evenly_over_the_horizon(
    leads: int, horizon: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[int]] = []

    def spy(
        rates: Rates, sizes: DealSizes, cohorts: NDArray[np.int64], sims: int, seed: int
    ) -> NDArray[np.float64]:
        seen.append(cohorts.tolist())
        return simulate_cohorts(rates, sizes, cohorts, sims, seed)

    monkeypatch.setattr(forecast_module, "simulate_cohorts", spy)
    forecast(PLAN, Request(leads=leads, sims=1_000, horizon=horizon, start=START))
    (cohorts,) = seen
    assert len(cohorts) == horizon
    assert sum(cohorts) == leads
    assert max(cohorts) - min(cohorts) <= 1


def test_months_run_across_the_year_end() -> None:
    result = forecast(PLAN, Request(leads=1_200, sims=2_000, horizon=12, start=date(2025, 12, 1)))
    labels = [m.month for m in result.months]
    assert labels[:3] == ["2025-12", "2026-01", "2026-02"]
    assert labels == month_labels(date(2025, 12, 1), len(labels))


def test_with_no_time_in_the_stages_revenue_lands_in_the_month_of_the_leads() -> None:
    """Regression (half-month shift, fixed in 98ea90f): with expected.days 0 everywhere, leads
    arriving through November close through November, none in a month after the horizon."""
    instant = replace(PLAN, stage_days=[0.0, 0.0, 0.0, 0.0])
    result = forecast(instant, Request(leads=400, sims=20_000, horizon=2, start=START))
    assert [m.month for m in result.months] == ["2025-11", "2025-12"]
    total = sum(m.mean for m in result.months)
    assert result.months[0].mean == pytest.approx(total / 2, rel=0.03)


def test_with_one_month_in_the_stages_revenue_lands_one_month_later() -> None:
    """Regression: leads of November with exactly one month in the stages close in December."""
    one_month = replace(PLAN, stage_days=[DAYS_PER_MONTH, 0.0, 0.0, 0.0])
    result = forecast(one_month, Request(leads=100, sims=20_000, horizon=1, start=START))
    assert [m.month for m in result.months] == ["2025-11", "2025-12"]
    assert result.months[0].mean == 0.0


def test_a_fraction_of_a_month_in_the_stages_splits_the_cohort() -> None:
    """A cohort arriving evenly through month m and closing `lag` later overlaps months
    m + floor(lag) and the next, in the shares 1 − frac(lag) and frac(lag)."""
    quarter = replace(PLAN, stage_days=[1.25 * DAYS_PER_MONTH, 0.0, 0.0, 0.0])
    result = forecast(quarter, Request(leads=500, sims=20_000, horizon=1, start=START))
    assert [m.month for m in result.months] == ["2025-11", "2025-12", "2026-01"]
    assert result.months[0].mean == 0.0
    total = sum(m.mean for m in result.months)
    assert result.months[1].mean == pytest.approx(0.75 * total, rel=1e-9)
    assert result.months[2].mean == pytest.approx(0.25 * total, rel=1e-9)


# --------------------------------------------------------------------------------- pipeline


def test_pipeline_expected_revenue_is_the_weighted_sum() -> None:
    sims = 100_000
    result = forecast(DATA, Request(leads=0, sims=sims, seed=8, pipeline=True))
    pipeline = result.pipeline
    assert pipeline is not None
    expected = float((OPEN.counts * OPEN.probabilities * OPEN.amounts).sum())
    # 30·0.1·15,000 + 12·0.25·22,000 + 0 + 4·0.8·40,000
    assert expected == pytest.approx(45_000 + 66_000 + 128_000)
    assert pipeline.expected_revenue == pytest.approx(expected)
    assert pipeline.open_deals == 46
    sample = simulate_pipeline(OPEN.counts, OPEN.probabilities, OPEN.amounts, sims, 9).sum(axis=1)
    assert pipeline.revenue.mean == pytest.approx(sample.mean(), rel=1e-12)  # seed + 1
    assert abs(pipeline.revenue.mean - expected) < Z * mean_error(sample)
    assert pipeline.revenue.p10 <= pipeline.revenue.p50 <= pipeline.revenue.p90


def test_pipeline_is_added_to_the_months() -> None:
    sims, horizon = 50_000, 4
    # open deals are counted from today: a calendar starting today places them at their
    # remaining days
    request = Request(
        leads=400, sims=sims, seed=2, horizon=horizon, start=date.today(), pipeline=True
    )
    result = forecast(DATA, request)
    cohorts = simulate_cohorts(
        DATA.rates, DATA.sizes, np.full(horizon, 100, dtype=np.int64), sims, 2
    ).sum(axis=1)
    pipeline = simulate_pipeline(OPEN.counts, OPEN.probabilities, OPEN.amounts, sims, 3)
    total = sum(month.mean for month in result.months)
    assert total == pytest.approx(cohorts.mean() + pipeline.sum(axis=1).mean(), rel=1e-9)
    # open deals close before the new leads do (75 days in the stages): the first month holds
    # the pipeline's revenue only
    assert result.months[0].mean > 0


def pipeline_only(days: list[float], counts: list[int]) -> Inputs:
    return replace(
        DATA,
        stage_days=days,
        open_deals=OpenDeals(
            counts=np.array(counts, dtype=np.int64),
            probabilities=np.full(4, 0.5),
            amounts=np.full(4, 1_000.0),
        ),
    )


def test_open_deals_land_in_the_month_they_are_expected_to_close() -> None:
    """Repro: stage_days [0, 0, 0, 1.8 months], 10 open deals in the last stage (remaining
    0.9 months = 27 days), start today, horizon 1: months[0] holds 10% of the pipeline,
    months[1] 90%."""
    inputs = pipeline_only([0.0, 0.0, 0.0, 1.8 * DAYS_PER_MONTH], [0, 0, 0, 10])
    request = Request(leads=0, sims=20_000, horizon=1, start=date.today(), pipeline=True)
    result = forecast(inputs, request)
    assert result.pipeline is not None
    assert result.months[0].mean >= 0.5 * result.pipeline.revenue.mean


def test_open_deals_closing_before_the_start_are_not_in_the_months() -> None:
    """Repro: 10 open deals 15 days from closing, start three years ahead, no leads: the first
    month of the calendar shows their 5,000 of expected revenue."""
    inputs = pipeline_only([0.0, 0.0, 0.0, 30.0], [0, 0, 0, 10])
    today = date.today()
    later = date(today.year + 3, today.month, 1)
    request = Request(leads=0, sims=20_000, horizon=3, start=later, pipeline=True)
    result = forecast(inputs, request)
    assert sum(m.mean for m in result.months) == 0.0


def test_a_start_in_the_past_does_not_stretch_the_calendar_for_decades() -> None:
    """Repro: start 1990-01, horizon 1, pipeline: ~447 monthly rows, all but a few empty.
    Refusing such a start (InputError) would pass too."""
    request = Request(leads=10, sims=1_000, horizon=1, start=date(1990, 1, 1), pipeline=True)
    try:
        result = forecast(DATA, request)
    except InputError:
        return
    assert len(result.months) <= 24


def test_no_open_deals_no_pipeline() -> None:
    assert forecast(PLAN, Request(leads=10, sims=1_000, pipeline=True)).pipeline is None
    assert forecast(DATA, Request(leads=10, sims=1_000)).pipeline is None


# ------------------------------------------------------------------------------------ edges


@pytest.mark.parametrize("source", ["plan", "data"])
def test_no_leads(source: str) -> None:
    request = Request(leads=0, sims=2_000, target=10_000, horizon=3, start=START)
    result = forecast(INPUTS[source], request)
    assert result.expected_wins == 0.0
    for distribution in (result.wins, result.revenue):
        assert (distribution.mean, distribution.p10, distribution.p50, distribution.p90) == (
            0.0,
            0.0,
            0.0,
            0.0,
        )
    assert sum(result.histogram.counts) == 2_000
    assert result.target is not None
    assert result.target.probability == 0.0
    assert result.target.leads_needed_mean == math.ceil(10_000 / per_lead(INPUTS[source]))
    assert all(m.mean == 0.0 and m.p90 == 0.0 for m in result.months)


def test_a_stage_without_closed_deals_counts_as_even_odds() -> None:
    advanced, lost = ADVANCED.copy(), LOST.copy()
    advanced[2], lost[2] = 0, 0
    inputs = replace(DATA, rates=Rates(advanced=advanced, lost=lost))
    result = forecast(inputs, Request(leads=500, sims=50_000, seed=6))
    assert result.stages[2].conversion == 0.5
    assert (result.stages[2].advanced, result.stages[2].lost) == (0, 0)
    sample = simulate(inputs.rates, inputs.sizes, 500, 50_000, 6).revenue
    assert abs(result.revenue.mean - 500 * per_lead(inputs)) < Z * mean_error(sample)


@pytest.mark.parametrize("source", ["plan", "data"])
def test_a_hundred_thousand_leads_stay_on_the_closed_form(source: str) -> None:
    inputs = INPUTS[source]
    result = forecast(inputs, Request(leads=100_000, sims=20_000, seed=12))
    assert result.revenue.mean == pytest.approx(100_000 * per_lead(inputs), rel=0.01)
    assert result.wins.p10 > 64  # every simulation summed its deals with the normal sum


# ------------------------------------------------------------- hardening (issue 10): bounds


def test_leads_needed_p90_is_exact_when_nothing_is_random() -> None:
    """Every lead wins, every deal is worth 100: 1,000 needs exactly 10 leads, not 11."""
    certain = replace(
        PLAN,
        rates=Rates(planned=np.ones(4)),
        sizes=DealSizes(amounts=np.array([100.0])),
    )
    result = forecast(certain, Request(leads=1, sims=1_000, target=1_000))
    assert result.target is not None
    assert result.target.leads_needed_mean == 10
    assert result.target.leads_needed_p90 == 10
    result = forecast(certain, Request(leads=1, sims=1_000, target=6_500))  # past EXACT_WINS
    assert result.target is not None
    assert result.target.leads_needed_p90 == 65


@pytest.mark.timeout(30)
@pytest.mark.parametrize("days", [100_000.0, 1_000_000.0, 1e12])
def test_the_monthly_table_is_bounded_whatever_the_stages_take(days: float) -> None:
    """`expected.days: 100000` with --horizon 3 held 2.7 GB; the table now stops at
    MAX_MONTHS, and the revenue beyond it is left out with a note."""
    import tracemalloc

    slow = replace(PLAN, stage_days=[days, 1.0, 1.0, 1.0])
    tracemalloc.start()
    try:
        result = forecast(slow, Request(leads=100, sims=5_000, horizon=3, start=START))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20
    assert len(result.months) <= forecast_module.MAX_MONTHS
    assert any("left out of the months" in note for note in result.notes)


def test_the_monthly_table_never_holds_more_than_its_cell_budget() -> None:
    request = Request(leads=100, sims=10_000_000, horizon=120, start=START)
    sims = forecast_module.calendar_sims(request)
    assert sims * (forecast_module.MAX_MONTHS + 1) <= forecast_module.CALENDAR_CELLS
    assert forecast_module.calendar_sims(Request(leads=1, sims=100_000)) == 100_000


def test_a_long_horizon_with_many_simulations_stays_small() -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        result = forecast(PLAN, Request(leads=1_000, sims=400_000, horizon=120, start=START))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 400 * 2**20
    assert any("rests on the first" in note for note in result.notes)
