"""forecast() against closed forms and against itself: the mean, the target and the reverse
funnel, seeds, monotonicity, the monthly table (its "earlier" and "later" rows, nothing dropped),
the open pipeline, the edges and the memory bounds.

Inputs are built directly (a tiny process from YAML, rates, deal sizes, lags and open groups as
arrays): no data files. Monte Carlo checks allow four standard errors computed from the
simulated sample.
"""

from __future__ import annotations

import math
import tracemalloc
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pytest
from numpy.typing import NDArray

from salesflow.analytics import forecast as forecast_module
from salesflow.analytics import simulation
from salesflow.analytics.deal_sizes import DealSizes, SizeDraws
from salesflow.analytics.forecast import (
    CONFIDENCE,
    SEARCH_SIMS,
    Inputs,
    Request,
    calendar_sims,
    forecast,
)
from salesflow.analytics.forecast_inputs import plan_inputs
from salesflow.analytics.lead_search import LeadPaths, fewest_leads
from salesflow.analytics.phasing import DAYS_PER_MONTH, Lag
from salesflow.analytics.pipeline import OpenGroups
from salesflow.analytics.simulation import Dispersion, Rates, simulate
from salesflow.loader import parse_process
from salesflow.model import Process
from salesflow.model.forecast import Forecast, Month

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
  - id: demo
    name: Demo
    owner: ae
    exit_criteria: [Demo done]
    expected: {conversion: 0.6, days: 20}
  - id: proposal
    name: Proposal
    owner: ae
    exit_criteria: [Proposal sent]
    expected: {conversion: 0.7, days: 15}
  - id: negotiation
    name: Negotiation
    owner: ae
    exit_criteria: [Contract signed]
    expected: {conversion: 0.8, days: 30}
assumptions:
  deal_size: 20000
"""
PLANNED = np.array([0.4, 0.6, 0.7, 0.8])
DEAL_SIZE = 20_000.0
Z = 4.0


def tiny_process(text: str = PROCESS_YAML) -> Process:
    loaded = parse_process(text, "p.yaml")
    assert loaded.process is not None, loaded.issues
    return loaded.process


@dataclass(frozen=True)
class FixedSize(DealSizes):
    """Every deal worth exactly `planned`: no spread, no uncertainty."""

    def draw(self, rng: np.random.Generator, sims: int) -> SizeDraws:
        size = float(self.planned or 0.0)
        return SizeDraws(
            np.full(sims, size), np.zeros(sims), amounts=np.array([size]), scale=np.ones(sims)
        )

    @property
    def mean(self) -> float:
        return float(self.planned or 0.0)


def fixed_lag(days: float) -> Lag:
    return Lag(np.array([days]), np.array([1.0]))


PROCESS = tiny_process()
PLAN = plan_inputs(PROCESS)
ADVANCED = np.array([120, 60, 35, 25], dtype=np.int64)
LOST = np.array([180, 40, 15, 6], dtype=np.int64)
AMOUNTS = np.random.default_rng(7).lognormal(np.log(18_000), 0.6, 300)
DATA_END = date(2025, 10, 20)
START = date(2025, 11, 1)
OPEN = OpenGroups(
    stage=np.array([0, 1, 3], dtype=np.int64),
    count=np.array([30, 12, 4], dtype=np.int64),
    amount=np.array([15_000.0, 22_000.0, 40_000.0]),
    factor=np.array([1.0, 0.6, 0.9]),
    to_go=[np.linspace(60, 140, 50), np.linspace(30, 60, 50), np.full(50, 5.0)],
)
DATA = Inputs(
    process=PROCESS,
    source="data",
    rates=Rates(advanced=ADVANCED, lost=LOST, prior=PLANNED),
    sizes=DealSizes(amounts=AMOUNTS, planned=DEAL_SIZE),
    lag=Lag(np.array([40.0, 70.0, 120.0, 250.0]), np.array([0.3, 0.4, 0.2, 0.1])),
    closed_deals=int(LOST.sum() + ADVANCED[-1]),
    open_deals=OPEN,
    data_end=DATA_END,
    dispersion=Dispersion(0.03, 12),
    notes=["rates rest on 366 closed deals"],
)
INPUTS = {"plan": PLAN, "data": DATA}
CERTAIN = replace(
    PLAN, rates=Rates(planned=np.ones(4)), sizes=FixedSize(planned=100.0), lag=fixed_lag(0.0)
)


def mean_error(sample: NDArray[np.float64]) -> float:
    return float(sample.std(ddof=1) / math.sqrt(len(sample)))


def per_lead(inputs: Inputs) -> float:
    return float(np.prod(inputs.rates.expected())) * inputs.sizes.mean


def month_labels(first: date, count: int) -> list[str]:
    labels = []
    for index in range(count):
        year, month = divmod(first.month - 1 + index, 12)
        labels.append(f"{first.year + year:04d}-{month + 1:02d}")
    return labels


def sd_from_deciles(p10: float, p90: float) -> float:
    """The standard deviation of a near-normal sample from its P10 and P90 (2.563 SDs apart)."""
    return (p90 - p10) / 2.563


def calendar(result: Forecast) -> list[Month]:
    """The calendar months, without the "earlier" and "later" rows."""
    return [m for m in result.months if m.month not in ("earlier", "later")]


def row(result: Forecast, name: str) -> Month | None:
    return next((m for m in result.months if m.month == name), None)


# ------------------------------------------------------------------------------ the forecast


@pytest.mark.parametrize("source", ["plan", "data"])
def test_mean_revenue_and_wins_match_the_closed_form(source: str) -> None:
    inputs, leads, sims = INPUTS[source], 120, 40_000
    result = forecast(inputs, Request(leads=leads, sims=sims, seed=3))
    sample = simulate(inputs.rates, inputs.sizes, leads, sims, 3, inputs.dispersion)
    # the report is this simulation, summarised
    assert result.revenue.mean == pytest.approx(sample.revenue.mean(), rel=1e-12)
    assert result.wins.mean == pytest.approx(sample.wins.mean(), rel=1e-12)
    assert result.revenue.p90 == pytest.approx(float(np.percentile(sample.revenue, 90)))
    assert result.expected_wins == pytest.approx(leads * float(np.prod(inputs.rates.expected())))
    assert result.deal_size == pytest.approx(inputs.sizes.mean)
    assert abs(result.revenue.mean - leads * per_lead(inputs)) < Z * mean_error(sample.revenue)
    assert result.revenue.p10 <= result.revenue.p50 <= result.revenue.p90
    assert (result.source, result.leads, result.sims, result.seed) == (source, leads, sims, 3)


def test_the_report_names_the_size_model_the_amounts_and_the_dispersion() -> None:
    data = forecast(DATA, Request(leads=10, sims=1_000))
    assert (data.deal_size_model, data.won_amounts, data.dispersion) == ("lognormal", 300, 0.03)
    assert data.closed_deals == DATA.closed_deals
    plan = forecast(PLAN, Request(leads=10, sims=1_000))
    assert (plan.deal_size_model, plan.won_amounts, plan.dispersion) == ("plan", 0, 0.0)
    assert data.amounts_from == "won"
    others = forecast(replace(DATA, amounts_from="open_and_lost"), Request(leads=10, sims=1_000))
    assert others.amounts_from == "open_and_lost"


@pytest.mark.parametrize("source", ["plan", "data"])
def test_stages_carry_the_rates_the_plans_weight_and_the_leads_entering(source: str) -> None:
    inputs = INPUTS[source]
    result = forecast(inputs, Request(leads=1_000, sims=1_000))
    expected = inputs.rates.expected()
    weights = inputs.rates.plan_weight()
    assert [s.id for s in result.stages] == ["qualify", "demo", "proposal", "negotiation"]
    entering = 1_000.0
    for k, stage in enumerate(result.stages):
        assert stage.conversion == pytest.approx(expected[k])
        assert stage.plan_weight == pytest.approx(weights[k])
        assert stage.expected_entering == pytest.approx(entering)
        entering *= expected[k]
    assert entering == pytest.approx(result.expected_wins)
    if source == "data":
        assert [s.advanced for s in result.stages] == ADVANCED.tolist()
        assert [s.lost for s in result.stages] == LOST.tolist()
        assert [s.plan_weight for s in result.stages] == pytest.approx(
            (10 / (10 + ADVANCED + LOST)).tolist()
        )
    else:
        assert all(s.advanced is None and s.lost is None for s in result.stages)
        assert all(s.plan_weight == 0.0 for s in result.stages)


def test_the_notes_are_the_inputs_and_the_calendars() -> None:
    assert forecast(DATA, Request(leads=10, sims=1_000)).notes == DATA.notes
    plan = forecast(PLAN, Request(leads=10, sims=1_000))
    assert plan.notes == PLAN.notes
    assert any("process noise only" in note for note in plan.notes)


@pytest.mark.parametrize("sims", [100, 5_001])
def test_the_histogram_counts_every_simulation(sims: int) -> None:
    result = forecast(DATA, Request(leads=120, sims=sims))
    assert sum(result.histogram.counts) == sims
    assert len(result.histogram.edges) == len(result.histogram.counts) + 1
    assert result.histogram.edges == sorted(result.histogram.edges)


# -------------------------------------------------------------------------- reproducibility

FULL = Request(leads=240, sims=2_000, seed=5, target=300_000, horizon=6, start=START)


def test_same_seed_same_forecast() -> None:
    request = replace(FULL, pipeline=True)
    assert forecast(DATA, request).model_dump() == forecast(DATA, request).model_dump()
    assert forecast(PLAN, FULL).model_dump() == forecast(PLAN, FULL).model_dump()


def test_other_seed_other_forecast() -> None:
    first = forecast(DATA, replace(FULL, pipeline=True))
    other = forecast(DATA, replace(FULL, pipeline=True, seed=6))
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
    for leads in [0, 1, 10, 120, 2_000, 20_000]:
        result = forecast(INPUTS[source], Request(leads=leads, sims=2_000, target=250_000))
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
    planned = PLANNED.copy()
    planned[stage] += 0.1
    higher = replace(PLAN, rates=Rates(planned=planned))
    request = Request(leads=200, sims=5_000, target=200_000)
    base, raised = forecast(PLAN, request), forecast(higher, request)
    assert base.target is not None and raised.target is not None
    for field in ("mean", "p10", "p50", "p90"):
        assert getattr(raised.revenue, field) >= getattr(base.revenue, field)
    assert raised.revenue.mean > base.revenue.mean
    # The forward simulations of two rates are not coupled draw by draw: within Monte Carlo noise.
    assert raised.target.probability >= base.target.probability - 0.005
    assert raised.target.leads_needed_mean is not None
    assert base.target.leads_needed_mean is not None
    assert raised.target.leads_needed_mean <= base.target.leads_needed_mean
    assert raised.target.leads_needed_p90 is not None and base.target.leads_needed_p90 is not None
    assert raised.target.leads_needed_p90 <= base.target.leads_needed_p90


# ------------------------------------------------------------------ target and reverse funnel


@pytest.mark.parametrize(("source", "amount"), [("plan", 60_000.0), ("data", 2_000_000.0)])
def test_reverse_funnel_agrees_with_the_forward_one(source: str, amount: float) -> None:
    inputs = INPUTS[source]
    sims = 10_000
    result = forecast(inputs, Request(leads=100, sims=sims, seed=1, target=amount))
    target = result.target
    assert target is not None
    assert target.amount == amount
    needed = target.leads_needed_mean
    assert needed is not None
    # in expectation: the fewest leads whose closed-form revenue reaches the target
    assert needed * per_lead(inputs) >= amount > (needed - 1) * per_lead(inputs)
    forward = simulate(inputs.rates, inputs.sizes, needed, sims, 77, inputs.dispersion).revenue
    assert abs(forward.mean() - amount) < per_lead(inputs) + Z * mean_error(forward)

    # with 90% confidence: an independent forward simulation at that many leads reaches the
    # target 90% of the time, 5% fewer leads do not (allowing both simulations' noise)
    p90 = target.leads_needed_p90
    assert p90 is not None
    assert p90 >= needed
    slack = Z * math.sqrt(0.09 / min(sims, SEARCH_SIMS) + 0.09 / sims)

    def reach(leads: int) -> float:
        revenue = simulate(inputs.rates, inputs.sizes, leads, sims, 99, inputs.dispersion).revenue
        return float((revenue >= amount).mean())

    assert reach(p90) >= CONFIDENCE - slack
    assert reach(math.floor(p90 * 0.95)) < CONFIDENCE


@pytest.mark.parametrize(("source", "amount"), [("plan", 5_000_000.0), ("data", 800_000.0)])
def test_leads_needed_p90_is_the_fewest_on_the_searchs_own_simulations(
    source: str, amount: float
) -> None:
    """Formerly a strict xfail (issue 12): the search now runs on simulations coupled across
    lead counts, so on them the probability rises with the leads and bisection is exact: the
    count reported reaches the target in 90% of them, no smaller count does."""
    inputs = INPUTS[source]
    request = Request(leads=100, sims=10_000, seed=2, target=amount)
    result = forecast(inputs, request)
    assert result.target is not None
    needed, start = result.target.leads_needed_p90, result.target.leads_needed_mean
    assert needed is not None and start is not None
    # the search again, on the same simulations, and then below the count it found
    sims = min(request.sims, SEARCH_SIMS)
    paths = LeadPaths.start(inputs.rates, inputs.sizes, sims, 2, inputs.dispersion)
    assert fewest_leads(paths, amount, CONFIDENCE, start, forecast_module.MAX_LEADS) == needed

    def reach(leads: int) -> float:
        return float((paths.revenue(leads) >= amount).mean())

    assert reach(needed) >= CONFIDENCE
    assert all(reach(leads) < CONFIDENCE for leads in range(needed - 10, needed))
    assert reach(needed // 2) < CONFIDENCE


def test_the_probability_of_the_target_is_the_forward_simulations() -> None:
    result = forecast(DATA, Request(leads=300, sims=10_000, seed=4, target=150_000))
    assert result.target is not None
    forward = simulate(DATA.rates, DATA.sizes, 300, 10_000, 4, DATA.dispersion).revenue
    assert result.target.probability == float((forward >= 150_000).mean())


def test_an_impossible_target_needs_no_number_of_leads() -> None:
    dead = replace(PLAN, rates=Rates(planned=np.array([0.4, 0.0, 0.7, 0.8])))
    result = forecast(dead, Request(leads=100, sims=1_000, target=1_000))
    assert result.target is not None
    assert result.target.probability == 0.0
    assert result.target.leads_needed_mean is None
    assert result.target.leads_needed_p90 is None


def test_leads_needed_p90_is_exact_when_nothing_is_random() -> None:
    """Every lead wins, every deal is worth 100: 1,000 needs exactly 10 leads, not 11."""
    result = forecast(CERTAIN, Request(leads=1, sims=1_000, target=1_000))
    assert result.target is not None
    assert result.target.leads_needed_mean == 10
    assert result.target.leads_needed_p90 == 10
    result = forecast(CERTAIN, Request(leads=1, sims=1_000, target=6_500))  # past EXACT_WINS
    assert result.target is not None
    assert result.target.leads_needed_p90 == 65


# ---------------------------------------------------------------------------------- months


@pytest.mark.parametrize("source", ["plan", "data"])
def test_nothing_is_dropped_from_the_months(source: str) -> None:
    """The rows ("earlier", the months, "later") add up to the cohorts' revenue: the leads
    times the revenue per lead, within Monte Carlo error; each row's mean is its new leads'
    plus its pipeline's."""
    inputs, horizon, leads, sims = INPUTS[source], 6, 600, 10_000
    request = Request(leads=leads, sims=sims, seed=2, horizon=horizon, start=START)
    result = forecast(inputs, request)
    total = sum(m.mean for m in result.months)
    # the error of the sum over rows is at most that of the headline revenue's single cohort
    assert abs(total - leads * per_lead(inputs)) < Z * result.revenue.mean / math.sqrt(sims)
    for m in result.months:
        assert m.mean == pytest.approx(m.new_leads + m.pipeline, rel=1e-9, abs=1e-6)
        assert m.pipeline == 0.0
        assert m.p10 <= m.p50 <= m.p90
    assert [m.month for m in calendar(result)] == month_labels(START, horizon)
    assert result.months[0].month == "2025-11"


@pytest.mark.parametrize("source", ["plan", "data"])
def test_a_lag_longer_than_the_horizon_lands_later(source: str) -> None:
    """A year from lead to won, three months of leads: every win lands after the horizon, in
    the "later" row, and none is lost."""
    inputs = replace(INPUTS[source], lag=fixed_lag(365.0))
    sims = 10_000
    result = forecast(inputs, Request(leads=300, sims=sims, seed=3, horizon=3, start=START))
    later = row(result, "later")
    assert later is not None
    assert all(m.mean == 0.0 for m in calendar(result))
    assert row(result, "earlier") is None
    assert abs(later.mean - 300 * per_lead(inputs)) < Z * result.revenue.mean / math.sqrt(sims)
    assert [m.month for m in result.months] == [*month_labels(START, 3), "later"]


def test_nothing_lands_before_the_time_to_win() -> None:
    """75 days from lead to won: leads of the first month cannot win in the first two months;
    the last cohort wins 2.46 months after its month, so some revenue lands later."""
    lag = 75.0 / DAYS_PER_MONTH
    inputs = replace(PLAN, lag=fixed_lag(75.0))
    result = forecast(inputs, Request(leads=600, sims=5_000, horizon=6, start=START))
    months = calendar(result)
    for month in months[: math.floor(lag)]:
        assert (month.mean, month.p10, month.p50, month.p90) == (0.0, 0.0, 0.0, 0.0)
    assert months[math.floor(lag)].mean > 0
    later = row(result, "later")
    assert later is not None and later.mean > 0


@pytest.mark.parametrize(("leads", "horizon"), [(600, 6), (601, 6), (5, 12), (119, 1)])
def test_leads_are_spread_evenly_over_the_horizon(leads: int, horizon: int) -> None:
    """Every lead wins, at once, for exactly 100: each month holds its cohort × 100, the
    cohorts differing by at most one lead and adding up to the leads."""
    result = forecast(CERTAIN, Request(leads=leads, sims=500, horizon=horizon, start=START))
    cohorts = [m.mean / 100 for m in result.months]
    assert len(cohorts) == horizon
    assert sum(cohorts) == leads
    assert max(cohorts) - min(cohorts) <= 1
    assert all(m.p10 == m.p90 for m in result.months)


def test_months_run_across_the_year_end() -> None:
    first = date(2025, 12, 1)
    result = forecast(PLAN, Request(leads=1_200, sims=500, horizon=12, start=first))
    labels = [m.month for m in calendar(result)]
    assert labels[:3] == ["2025-12", "2026-01", "2026-02"]
    assert labels == month_labels(first, 12)


def test_with_no_time_to_win_revenue_lands_in_the_month_of_the_leads() -> None:
    instant = replace(PLAN, lag=fixed_lag(0.0))
    result = forecast(instant, Request(leads=400, sims=5_000, horizon=2, start=START))
    assert [m.month for m in result.months] == ["2025-11", "2025-12"]
    assert result.months[0].mean == pytest.approx(result.months[1].mean, rel=0.05)


def test_with_one_month_to_win_revenue_lands_one_month_later() -> None:
    one_month = replace(CERTAIN, lag=fixed_lag(DAYS_PER_MONTH))
    result = forecast(one_month, Request(leads=100, sims=500, horizon=1, start=START))
    assert [(m.month, m.mean) for m in result.months] == [("2025-11", 0.0), ("later", 10_000.0)]


def test_a_fraction_of_a_month_splits_the_cohort() -> None:
    """A cohort arriving evenly through its month and winning 1.25 months later overlaps the
    next month and the one after, in the shares 0.75 and 0.25 (a multinomial split of its
    wins: within four standard errors)."""
    quarter = replace(CERTAIN, lag=fixed_lag(1.25 * DAYS_PER_MONTH))
    sims = 5_000
    result = forecast(quarter, Request(leads=500, sims=sims, horizon=2, start=START))
    by_name = {m.month: m.mean for m in result.months}
    assert by_name["2025-11"] == 0.0
    # month 0's cohort: 250 leads, 0.75 of them into December; month 1's: 0.75 into "later"
    error = 100 * math.sqrt(250 * 0.75 * 0.25 / sims)
    assert abs(by_name["2025-12"] - 100 * 250 * 0.75) < Z * error
    assert abs(by_name["later"] - 100 * (250 * 0.25 + 250)) < Z * error
    assert sum(by_name.values()) == pytest.approx(500 * 100)


# --------------------------------------------------------------------------------- pipeline


def test_pipeline_expected_revenue_is_the_weighted_sum() -> None:
    sims = 20_000
    result = forecast(DATA, Request(leads=0, sims=sims, seed=8, pipeline=True))
    pipeline = result.pipeline
    assert pipeline is not None
    expected = OPEN.expected(DATA.rates)
    mean = DATA.rates.expected()
    by_hand = (
        30 * 1.0 * np.prod(mean) * 15_000
        + 12 * 0.6 * np.prod(mean[1:]) * 22_000
        + 4 * 0.9 * mean[3] * 40_000
    )
    assert expected == pytest.approx(by_hand)
    assert pipeline.expected_revenue == pytest.approx(expected)
    assert pipeline.open_deals == 46
    error = sd_from_deciles(pipeline.revenue.p10, pipeline.revenue.p90) / math.sqrt(sims)
    assert abs(pipeline.revenue.mean - expected) < Z * error
    assert pipeline.revenue.p10 <= pipeline.revenue.p50 <= pipeline.revenue.p90


def test_pipeline_with_fixed_rates_is_a_sum_of_binomials() -> None:
    """Planned rates: each group's wins are Binomial(count, chance): mean Σ n·c·a and variance
    Σ n·c·(1 − c)·a²; the interval is that wide."""
    inputs = replace(PLAN, open_deals=OPEN, data_end=DATA_END)
    sims = 20_000
    result = forecast(inputs, Request(leads=0, sims=sims, seed=8, pipeline=True))
    assert result.pipeline is not None
    chance = OPEN.chance(PLANNED[None, :])[0]
    mean = float((OPEN.count * chance * OPEN.amount).sum())
    sd = math.sqrt(float((OPEN.count * chance * (1 - chance) * OPEN.amount**2).sum()))
    assert abs(result.pipeline.revenue.mean - mean) < Z * sd / math.sqrt(sims)
    found = sd_from_deciles(result.pipeline.revenue.p10, result.pipeline.revenue.p90)
    assert found == pytest.approx(sd, rel=0.15)


def test_the_pipeline_is_added_to_the_months_and_nothing_is_dropped() -> None:
    """With the default start and six months, every open deal's expected value is in the table
    (the issue: most of it was left out without a word), each row its new leads + pipeline."""
    sims = 10_000
    request = Request(leads=400, sims=sims, seed=2, horizon=6, pipeline=True)
    result = forecast(DATA, request)
    assert result.pipeline is not None
    pipeline = sum(m.pipeline for m in result.months)
    sd = sd_from_deciles(result.pipeline.revenue.p10, result.pipeline.revenue.p90)
    assert abs(pipeline - OPEN.expected(DATA.rates)) < Z * sd / math.sqrt(sims)
    new = sum(m.new_leads for m in result.months)
    assert abs(new - 400 * per_lead(DATA)) < Z * result.revenue.mean / math.sqrt(sims)
    for m in result.months:
        assert m.mean == pytest.approx(m.new_leads + m.pipeline, rel=1e-9, abs=1e-6)


def test_open_deals_land_when_their_time_to_go_says() -> None:
    """The data end 2025-10-20, the calendar starts 2025-11-01 (−0.39 months): a group 5 days
    from winning lands "earlier", one 30–60 days away in November or December, one 60–140 days
    away from December on; no new leads."""
    only = [replace(DATA, open_deals=one_group(g)) for g in range(3)]
    request = Request(leads=0, sims=2_000, horizon=6, start=START, pipeline=True)
    late, middle, earlier = (forecast(inputs, request) for inputs in only)
    assert [m.month for m in earlier.months if m.pipeline > 0] == ["earlier"]
    assert [m.month for m in middle.months if m.pipeline > 0] == ["2025-11", "2025-12"]
    assert next(m.month for m in late.months if m.pipeline > 0) == "2025-12"
    for result, group in zip((late, middle, earlier), range(3), strict=True):
        assert all(m.new_leads == 0.0 for m in result.months)
        expected = OPEN.count[group] * OPEN.amount[group]
        assert sum(m.pipeline for m in result.months) <= expected


def one_group(g: int) -> OpenGroups:
    return OpenGroups(
        OPEN.stage[[g]], OPEN.count[[g]], OPEN.amount[[g]], OPEN.factor[[g]], [OPEN.to_go[g]]
    )


def test_a_start_in_the_past_keeps_the_calendar_short_and_the_pipeline_later() -> None:
    request = Request(leads=10, sims=1_000, horizon=1, start=date(1990, 1, 1), pipeline=True)
    result = forecast(DATA, request)
    assert len(result.months) <= 3
    later = row(result, "later")
    assert later is not None and later.pipeline > 0


def test_a_start_far_ahead_puts_the_pipeline_earlier() -> None:
    later_start = DATA_END + timedelta(days=3 * 365)
    request = Request(leads=0, sims=2_000, horizon=3, start=later_start, pipeline=True)
    result = forecast(DATA, request)
    earlier = row(result, "earlier")
    assert earlier is not None
    assert earlier.pipeline == pytest.approx(sum(m.pipeline for m in result.months))
    assert all(m.mean == 0.0 for m in calendar(result))


def test_no_open_deals_no_pipeline() -> None:
    assert forecast(PLAN, Request(leads=10, sims=1_000, pipeline=True)).pipeline is None
    assert forecast(DATA, Request(leads=10, sims=1_000)).pipeline is None


def test_no_open_deals_no_pipeline_in_the_months_either() -> None:
    request = Request(leads=10, sims=1_000, horizon=2, start=START, pipeline=True)
    result = forecast(PLAN, request)
    assert result.pipeline is None
    assert all(m.pipeline == 0.0 for m in result.months)


def test_no_open_deal_keeps_the_months_with_a_pipeline_of_0() -> None:
    """Every deal in the data closed: --pipeline with --horizon crashed (IndexError) where
    without --horizon it said "Open pipeline: 0 deals"; now the months carry a pipeline of 0."""
    empty = OpenGroups(
        np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), []
    )
    inputs = replace(DATA, open_deals=empty)
    for leads in (0, 90):
        request = Request(leads=leads, sims=1_000, horizon=3, start=START, pipeline=True)
        result = forecast(inputs, request)
        assert result.pipeline is not None
        assert (result.pipeline.open_deals, result.pipeline.expected_revenue) == (0, 0.0)
        assert [m.month for m in calendar(result)] == month_labels(START, 3)
        assert all(m.pipeline == 0.0 for m in result.months)
        assert sum(m.new_leads for m in result.months) == pytest.approx(
            sum(m.mean for m in result.months)
        )


def test_the_calendar_notes_are_those_the_inputs_give() -> None:
    """The note on the time from lead to won is the inputs' own, given with --horizon; a lag of
    0 days no longer makes the note "no dated wins in the data, no expected.days in the plan"
    on its own (it fired for a same-day win, with a plan that had days); the open deals' notes
    come with --pipeline."""
    why = "the measured time from lead to won is 0 days (1 dated win, ...)"
    inputs = replace(
        DATA, lag=fixed_lag(0.0), lead_time_note=why, open_time_notes=["open deals: ..."]
    )
    months = Request(leads=10, sims=1_000, horizon=2, start=START)
    notes = forecast(inputs, months).notes
    assert why in notes and "open deals: ..." not in notes
    assert not any("no dated wins" in note for note in notes)
    assert "open deals: ..." in forecast(inputs, replace(months, pipeline=True)).notes
    assert why not in forecast(inputs, Request(leads=10, sims=1_000)).notes
    silent = forecast(replace(PLAN, lag=fixed_lag(0.0)), months).notes
    assert not any("time from lead to won" in note for note in silent)


def test_new_leads_and_the_pipeline_share_each_simulations_rates() -> None:
    """One stage, its rate unknown (uniform), many leads and many open deals landing in the
    same single month: both are about proportional to the same rate p, so the month's revenue is
    about (leads × size + deals × amount) · p, its P10–P90 the uniform's 0.1–0.9 (0.8 of the
    scale). Drawn independently, it would be the sum of two uniforms (width 0.553)."""
    process = tiny_process(ONE_STAGE)
    leads = deals = 10_000
    inputs = Inputs(
        process=process,
        source="data",
        rates=Rates(advanced=np.array([0]), lost=np.array([0])),
        sizes=FixedSize(planned=100.0),
        lag=fixed_lag(0.0),
        closed_deals=0,
        open_deals=OpenGroups(
            np.array([0]), np.array([deals]), np.array([100.0]), np.ones(1), [np.full(10, 3.0)]
        ),
        data_end=START,
    )
    result = forecast(
        inputs, Request(leads=leads, sims=4_000, horizon=1, start=START, pipeline=True)
    )
    (month,) = result.months
    scale = (leads + deals) * 100.0
    assert (month.p90 - month.p10) / scale == pytest.approx(0.8, abs=0.05)


ONE_STAGE = """\
salesflow: 1
name: One stage
roles:
  - id: ae
    title: Account Executive
stages:
  - id: only
    name: Only
    owner: ae
    exit_criteria: [Signed]
"""


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
    assert [m.month for m in result.months] == month_labels(START, 3)
    assert all(m.mean == 0.0 and m.p90 == 0.0 for m in result.months)


def test_a_stage_without_closed_deals_or_plan_counts_as_even_odds() -> None:
    advanced, lost = ADVANCED.copy(), LOST.copy()
    advanced[2], lost[2] = 0, 0
    inputs = replace(DATA, rates=Rates(advanced=advanced, lost=lost))
    result = forecast(inputs, Request(leads=500, sims=20_000, seed=6))
    assert result.stages[2].conversion == 0.5
    assert (result.stages[2].advanced, result.stages[2].lost) == (0, 0)
    sample = simulate(inputs.rates, inputs.sizes, 500, 20_000, 6, inputs.dispersion).revenue
    assert abs(result.revenue.mean - 500 * per_lead(inputs)) < Z * mean_error(sample)


@pytest.mark.parametrize("source", ["plan", "data"])
def test_a_hundred_thousand_leads_stay_on_the_closed_form(source: str) -> None:
    inputs = INPUTS[source]
    result = forecast(inputs, Request(leads=100_000, sims=5_000, seed=12))
    sample = simulate(inputs.rates, inputs.sizes, 100_000, 5_000, 12, inputs.dispersion).revenue
    assert abs(result.revenue.mean - 100_000 * per_lead(inputs)) < Z * mean_error(sample)
    assert result.wins.p10 > 64  # every simulation summed its deals with the gamma sum


# ---------------------------------------------------------------------------- memory bounds


@pytest.mark.parametrize("days", [100_000.0, 1_000_000.0, 1e12])
def test_the_monthly_table_is_bounded_whatever_the_time_to_win(days: float) -> None:
    """`expected.days: 100000` with --horizon 3 once held 2.7 GB: now every win lands in the
    "later" row, the table has the horizon's months and one more row, and stays small."""
    slow = replace(PLAN, lag=fixed_lag(days))
    tracemalloc.start()
    try:
        result = forecast(slow, Request(leads=100, sims=5_000, horizon=3, start=START))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20
    assert [m.month for m in result.months] == [*month_labels(START, 3), "later"]
    later = row(result, "later")
    assert later is not None
    assert later.mean == pytest.approx(result.revenue.mean, rel=0.05)


def test_the_monthly_table_never_holds_more_than_its_cell_budget() -> None:
    cells = forecast_module.CALENDAR_CELLS
    sims = calendar_sims(Request(leads=100, sims=10_000_000, horizon=120, start=START))
    assert sims * (120 + 2) <= cells
    assert (sims + 1) * (120 + 2) > cells  # ... and uses it
    assert calendar_sims(Request(leads=1, sims=100_000, horizon=6)) == 100_000
    result = forecast(PLAN, Request(leads=10, sims=1_000, horizon=120, start=START))
    assert not any("rests on the first" in note for note in result.notes)


def table_bytes_per_cell(inputs: Inputs, pipeline: bool, monkeypatch: pytest.MonkeyPatch) -> float:
    """Peak memory of the monthly table over its cells (8 bytes each): 24 months and 10,000
    simulations, with chunks ten times smaller than usual so that the table dwarfs them, as
    it does at full size (25M cells against chunks of 100,000)."""
    months, sims = 24, 10_000
    monkeypatch.setattr(simulation, "CHUNK", 10_000)
    monkeypatch.setattr(forecast_module, "CALENDAR_CELLS", (months + 2) * sims)
    request = Request(leads=100, sims=10**6, horizon=months, start=START, pipeline=pipeline, seed=1)
    assert calendar_sims(request) == sims
    tracemalloc.start()
    try:
        forecast_module._months(inputs, request)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / ((months + 2) * sims * 8)


# 500 MB for 1M simulations (the issue) against a table budget of CALENDAR_CELLS × 8 = 200 MB.
TABLE_COPIES = 500 / 200


def test_the_monthly_table_stays_within_the_memory_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    assert table_bytes_per_cell(PLAN, False, monkeypatch) < TABLE_COPIES


def test_the_monthly_table_with_the_pipeline_stays_within_the_memory_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inputs = replace(PLAN, open_deals=OPEN, data_end=DATA_END)
    assert table_bytes_per_cell(inputs, True, monkeypatch) < TABLE_COPIES
