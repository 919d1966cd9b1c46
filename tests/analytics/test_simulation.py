"""The Monte Carlo of docs/forecast.md against closed forms and scipy: the rates' posterior and
the plan's prior, cohort-to-cohort dispersion (beta-binomial), pricing the wins (exactly, then
as a gamma sum), means, variances and quantiles, seeds, monotonicity, chunking and the edges.

Every statistical check derives its tolerance from the size of the sample: a mean within four
standard errors, a variance within four standard errors of the sample variance (from the fourth
central moment), a percentile of integer wins within one of the exact quantile.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from salesflow.analytics import simulation
from salesflow.analytics.deal_sizes import PARAMETER_SETS, DealSizes, SizeDraws
from salesflow.analytics.simulation import (
    CHUNK,
    EXACT_WINS,
    PLAN_WEIGHT,
    PRIOR_FLOOR,
    Dispersion,
    Rates,
    gamma_sum,
    percentiles,
    price,
    simulate,
    simulate_cohorts,
    slices,
)

PLANNED = np.array([0.4, 0.6, 0.7, 0.8])
PLAN_RATES = Rates(planned=PLANNED)
PLAN_SIZE = 20_000.0
PLAN_SIZES = DealSizes(planned=PLAN_SIZE)
Q = float(np.prod(PLANNED))

# Small counts, so that the Beta draws add visible variance to the binomial noise.
ADVANCED = np.array([30, 12, 9, 6], dtype=np.int64)
LOST = np.array([45, 8, 4, 3], dtype=np.int64)
DATA_RATES = Rates(advanced=ADVANCED, lost=LOST)
AMOUNTS = np.random.default_rng(2024).lognormal(np.log(18_000), 0.7, 400)
DATA_SIZES = DealSizes(amounts=AMOUNTS)
# Two clusters of amounts: the Bayesian bootstrap.
CLUSTERS = np.concatenate((np.full(60, 5_000.0), np.full(40, 60_000.0)))
BOOTSTRAP_SIZES = DealSizes(amounts=CLUSTERS)

Z = 4.0  # standard errors allowed on every Monte Carlo check


def mean_error(sample: NDArray[np.float64]) -> float:
    """Standard error of the sample mean."""
    return float(sample.std(ddof=1) / math.sqrt(len(sample)))


def variance_error(sample: NDArray[np.float64]) -> float:
    """Standard error of the sample variance: sqrt((m4 - m2²) / n), from the sample's moments."""
    centred = sample - sample.mean()
    m2 = float((centred**2).mean())
    m4 = float((centred**4).mean())
    return math.sqrt(max(m4 - m2 * m2, 0.0) / len(sample))


def beta_moments(first: NDArray[np.float64], second: NDArray[np.float64]) -> tuple[float, float]:
    """E[Q] and E[Q²] of Q = Π p_k, p_k ~ Beta(first, second) independent."""
    mean = first / (first + second)
    square = first * (first + 1) / ((first + second) * (first + second + 1))
    return float(np.prod(mean)), float(np.prod(square))


UNIFORM = beta_moments(ADVANCED + 1.0, LOST + 1.0)


def assert_binomial_quantiles(wins: NDArray[np.float64], law: stats.rv_discrete) -> None:
    """P10/P50/P90 within one of the law's (the sample percentile interpolates)."""
    _, p10, p50, p90 = percentiles(wins)
    for level, value in ((0.1, p10), (0.5, p50), (0.9, p90)):
        assert abs(value - law.ppf(level)) <= 1, level


# ---------------------------------------------------------------------------------- rates


def test_expected_rates_are_plan_or_beta_mean() -> None:
    assert PLAN_RATES.expected().tolist() == PLANNED.tolist()
    assert PLAN_RATES.stages == 4
    assert DATA_RATES.expected().tolist() == pytest.approx([31 / 77, 13 / 22, 10 / 15, 7 / 11])
    assert DATA_RATES.stages == 4


def test_plan_rates_are_fixed() -> None:
    drawn = PLAN_RATES.draw(np.random.default_rng(1), 1_000)
    assert drawn.shape == (1_000, 4)
    assert (drawn == PLANNED).all()


def test_beta_draws_have_the_posterior_mean_and_variance() -> None:
    sims = 50_000
    rates = Rates(advanced=ADVANCED, lost=LOST, prior=np.array([0.3, np.nan, 0.9, 0.5]))
    drawn = rates.draw(np.random.default_rng(3), sims)
    assert drawn.shape == (sims, 4)
    a, b = rates.posterior()
    mean = a / (a + b)
    variance = a * b / ((a + b) ** 2 * (a + b + 1))
    for k in range(4):
        assert abs(drawn[:, k].mean() - mean[k]) < Z * mean_error(drawn[:, k])
        assert abs(drawn[:, k].var() - variance[k]) < Z * variance_error(drawn[:, k])


def test_a_stage_without_closed_deals_draws_uniform_rates() -> None:
    rates = Rates(advanced=np.array([10, 0]), lost=np.array([10, 0]))
    assert rates.expected()[1] == 0.5  # Beta(1, 1)
    drawn = rates.draw(np.random.default_rng(5), 50_000)[:, 1]
    assert abs(drawn.mean() - 0.5) < Z * mean_error(drawn)
    assert abs(drawn.var() - 1 / 12) < Z * variance_error(drawn)


def test_the_plan_prior_counts_as_ten_decided_deals() -> None:
    """Posterior = evidence + PLAN_WEIGHT × (plan, 1 − plan); a plan of 0 or 1 keeps
    PRIOR_FLOOR on the other side; a stage the plan leaves out keeps the uniform (1, 1)."""
    assert (PLAN_WEIGHT, PRIOR_FLOOR) == (10.0, 0.5)
    rates = Rates(advanced=ADVANCED, lost=LOST, prior=np.array([0.3, np.nan, 0.0, 1.0]))
    first, second = rates.posterior()
    assert first.tolist() == pytest.approx([30 + 3, 12 + 1, 9 + 0.5, 6 + 10])
    assert second.tolist() == pytest.approx([45 + 7, 8 + 1, 4 + 10, 3 + 0.5])


def test_the_plan_weight_is_the_plans_share_of_the_posterior_mean() -> None:
    prior = np.array([0.3, np.nan, 0.9, 0.5])
    rates = Rates(advanced=ADVANCED, lost=LOST, prior=prior)
    decided = (ADVANCED + LOST).astype(np.float64)
    weight = rates.plan_weight()
    assert weight.tolist() == pytest.approx(
        [10 / (10 + decided[0]), 0.0, 10 / (10 + decided[2]), 10 / (10 + decided[3])]
    )
    # the posterior mean is the plan and the data's rate, weighed so
    expected = rates.expected()
    for k in (0, 2, 3):
        observed = ADVANCED[k] / decided[k]
        assert expected[k] == pytest.approx(weight[k] * prior[k] + (1 - weight[k]) * observed)
    # a stage with no decided deal is all plan
    empty = Rates(advanced=np.array([0]), lost=np.array([0]), prior=np.array([0.7]))
    assert empty.plan_weight().tolist() == [1.0]
    assert empty.expected().tolist() == pytest.approx([0.7])
    # nothing planned, or a plan forecast: no weight
    assert DATA_RATES.plan_weight().tolist() == [0.0] * 4
    assert Rates(planned=PLANNED, prior=PLANNED).plan_weight().tolist() == [0.0] * 4


def test_effective_counts_are_the_evidence() -> None:
    """With survival estimates, the evidence is estimate × effective deals, not the counts."""
    rates = Rates(
        advanced=np.array([5, 5]),
        lost=np.array([5, 5]),
        estimated=np.array([0.8, 0.25]),
        effective=np.array([20.0, 4.0]),
        prior=np.array([np.nan, 0.5]),
    )
    successes, failures = rates.evidence()
    assert successes.tolist() == pytest.approx([16.0, 1.0])
    assert failures.tolist() == pytest.approx([4.0, 3.0])
    assert rates.expected().tolist() == pytest.approx([17 / 22, 6 / 14])
    assert rates.plan_weight().tolist() == pytest.approx([0.0, 10 / 14])


# ----------------------------------------------------------------------------- dispersion


def test_no_dispersion_is_the_mean_itself() -> None:
    mean = np.array([0.1, 0.5, 0.9])
    rng = np.random.default_rng(1)
    assert Dispersion().vary(rng, mean).tolist() == mean.tolist()
    wide = Dispersion(rho=0.0, cohorts=12).vary(rng, mean, 4)
    assert wide.shape == (3, 4)
    assert (wide == mean[:, None]).all()


def test_dispersion_leaves_a_certain_or_impossible_chance_alone() -> None:
    mean = np.array([0.0, 1.0, 0.3])
    varied = Dispersion(rho=0.2).vary(np.random.default_rng(2), mean, 1_000)
    assert (varied[0] == 0.0).all()
    assert (varied[1] == 1.0).all()
    assert 0 < varied[2].min() < varied[2].max() < 1


@pytest.mark.parametrize(("leads", "rho"), [(40, 0.05), (200, 0.02), (30, 0.3)])
def test_dispersed_wins_are_beta_binomial(leads: int, rho: float) -> None:
    """Fixed rates with dispersion ρ: a cohort's wins are BetaBinomial(n, a, b) with
    a + b = (1 − ρ)/ρ around the mean chance, so the mean is kept and the variance is
    n·p(1 − p)·(1 + (n − 1)ρ) (scipy's betabinom is the oracle), and so is every count."""
    sims = 40_000
    p = 0.3
    a, b = p * (1 - rho) / rho, (1 - p) * (1 - rho) / rho
    law = stats.betabinom(leads, a, b)
    assert law.var() == pytest.approx(leads * p * (1 - p) * (1 + (leads - 1) * rho))
    outcome = simulate(
        Rates(planned=np.array([0.5, 0.6])), PLAN_SIZES, leads, sims, 3, Dispersion(rho)
    )
    wins = outcome.wins.astype(np.float64)
    assert abs(wins.mean() - law.mean()) < Z * mean_error(wins)
    assert abs(wins.var(ddof=1) - law.var()) < Z * variance_error(wins)
    observed = np.bincount(outcome.wins, minlength=leads + 1)
    exact = law.pmf(np.arange(leads + 1))
    assert (np.abs(observed - sims * exact) < Z * np.sqrt(sims * exact * (1 - exact)) + 3).all()
    # far wider than the binomial
    assert wins.var() > 1.5 * leads * p * (1 - p)


def test_cohorts_vary_independently_around_fixed_rates() -> None:
    """With planned rates, cohorts share nothing but the mean: each is beta-binomial, and two
    cohorts are uncorrelated."""
    sims, rho = 40_000, 0.1
    wins, _ = simulate_cohorts(
        PLAN_RATES, PLAN_SIZES, np.array([50, 50], dtype=np.int64), sims, 4, Dispersion(rho)
    )
    assert wins.shape == (sims, 2)
    variance = 50 * Q * (1 - Q) * (1 + 49 * rho)
    for column in wins.T.astype(np.float64):
        assert abs(column.mean() - 50 * Q) < Z * mean_error(column)
        assert abs(column.var(ddof=1) - variance) < Z * variance_error(column)
    assert abs(np.corrcoef(wins[:, 0], wins[:, 1])[0, 1]) < Z / math.sqrt(sims)


# ---------------------------------------------------------------------------------- means


@pytest.mark.parametrize("leads", [7, 2_000])
@pytest.mark.parametrize("source", ["plan", "data", "dispersed"])
def test_mean_revenue_matches_the_closed_form(source: str, leads: int) -> None:
    """leads × Π E[p_k] × mean deal size, within four standard errors."""
    rates, sizes = (PLAN_RATES, PLAN_SIZES) if source == "plan" else (DATA_RATES, DATA_SIZES)
    dispersion = Dispersion(0.05) if source == "dispersed" else Dispersion()
    outcome = simulate(rates, sizes, leads, 20_000, seed=11, dispersion=dispersion)
    per_lead = float(np.prod(rates.expected()))
    closed_form = leads * per_lead * sizes.mean
    assert abs(outcome.revenue.mean() - closed_form) < Z * mean_error(outcome.revenue)
    wins = outcome.wins.astype(np.float64)
    assert abs(wins.mean() - leads * per_lead) < Z * mean_error(wins)


# ----------------------------------------------------------------------------- pricing


def test_price_adds_each_cells_wins_at_its_simulations_size() -> None:
    """Sizes without spread: row i's wins at row i's size, exactly, on both sides of
    EXACT_WINS, for one column or many."""
    draws = SizeDraws(
        mean=np.array([1.0, 1_000.0]),
        variance=np.zeros(2),
        mu=np.array([0.0, math.log(1_000.0)]),
        sigma=np.zeros(2),
    )
    wins = np.array([[1, 2, EXACT_WINS + 6], [3, 0, 100]], dtype=np.int64)
    totals = price(np.random.default_rng(1), wins, draws)
    assert totals.shape == (2, 3)
    np.testing.assert_allclose(totals, [[1.0, 2.0, EXACT_WINS + 6.0], [3_000.0, 0.0, 100_000.0]])
    single = price(np.random.default_rng(1), np.array([5, 0], dtype=np.int64), draws)
    np.testing.assert_allclose(single, [5.0, 0.0])


def test_zero_wins_cost_nothing() -> None:
    wins = np.array([0, 3, 0, 100, 0], dtype=np.int64)
    draws = DATA_SIZES.draw(np.random.default_rng(1), 5)
    totals = price(np.random.default_rng(2), wins, draws)
    assert totals[wins == 0].tolist() == [0.0, 0.0, 0.0]
    assert (totals[wins > 0] > 0).all()


@pytest.mark.parametrize("wins", [1, EXACT_WINS, EXACT_WINS + 1, 10_000])
@pytest.mark.parametrize(
    "sizes", [PLAN_SIZES, DATA_SIZES, BOOTSTRAP_SIZES], ids=["plan", "lognormal", "bootstrap"]
)
def test_a_sum_of_sizes_has_the_right_moments_on_both_sides_of_the_switch(
    sizes: DealSizes, wins: int
) -> None:
    """Given each simulation's size parameters (mean mᵢ, variance vᵢ): the sum of k sizes has
    mean k·mᵢ and variance k·vᵢ, drawn one by one up to EXACT_WINS, as a gamma above. Over the
    simulations: mean k·E[m], variance k·E[v] + k²·Var(m)."""
    sims = 10_000
    draws = sizes.draw(np.random.default_rng(9), sims)
    totals = price(np.random.default_rng(10), np.full(sims, wins, dtype=np.int64), draws)
    mean = wins * draws.mean.mean()
    variance = wins * draws.variance.mean() + wins**2 * draws.mean.var()
    assert abs(totals.mean() - mean) < Z * mean_error(totals)
    assert abs(totals.var() - variance) < Z * variance_error(totals)
    # the bootstrap's means come from PARAMETER_SETS Dirichlet draws, shared
    error = float(draws.mean.std()) / math.sqrt(min(sims, PARAMETER_SETS))
    assert abs(draws.mean.mean() - sizes.mean) <= Z * error + 1e-9 * sizes.mean


def test_gamma_sum_has_the_sums_mean_and_variance() -> None:
    sims = 40_000
    count = np.full(sims, 300, dtype=np.int64)
    totals = gamma_sum(np.random.default_rng(3), count, np.full(sims, 50.0), np.full(sims, 900.0))
    assert abs(totals.mean() - 300 * 50.0) < Z * mean_error(totals)
    assert abs(totals.var() - 300 * 900.0) < Z * variance_error(totals)
    assert (totals > 0).all()
    # no spread: the count times the mean; nothing to sum: nothing
    flat = gamma_sum(
        np.random.default_rng(3),
        np.array([7, 0, 4], dtype=np.int64),
        np.array([2.0, 5.0, 0.0]),
        np.array([0.0, 1.0, 3.0]),
    )
    assert flat.tolist() == [14.0, 0.0, 0.0]


# ------------------------------------------------------------------- variances and quantiles


@pytest.mark.parametrize("leads", [10, 120, 5_000])
def test_plan_wins_are_binomial(leads: int) -> None:
    """Fixed rates, ρ = 0: a chain of binomials is Binomial(leads, Π p): its mean, variance
    (with the exact fourth moment for the error) and quantiles."""
    sims = 30_000
    none = Dispersion(rho=0.0, cohorts=12)  # measured, and found to be none
    outcome = simulate(PLAN_RATES, PLAN_SIZES, leads, sims, seed=21, dispersion=none)
    wins = outcome.wins.astype(np.float64)
    variance = leads * Q * (1 - Q)
    fourth = variance * (1 + 3 * (leads - 2) * Q * (1 - Q))
    assert abs(wins.mean() - leads * Q) < Z * math.sqrt(variance / sims)
    assert abs(wins.var(ddof=1) - variance) < Z * math.sqrt((fourth - variance**2) / sims)
    assert_binomial_quantiles(wins, stats.binom(leads, Q))


def test_plan_wins_of_a_small_funnel_have_the_binomial_distribution() -> None:
    sims = 50_000
    wins = simulate(PLAN_RATES, PLAN_SIZES, 10, sims, seed=22).wins
    observed = np.bincount(wins, minlength=11)
    exact = stats.binom(10, Q).pmf(np.arange(11))
    assert observed.sum() == sims
    assert (np.abs(observed - sims * exact) < Z * np.sqrt(sims * exact * (1 - exact)) + 3).all()


@pytest.mark.parametrize(
    ("sizes", "leads"),
    [(PLAN_SIZES, 40), (PLAN_SIZES, 3_000), (DATA_SIZES, 120), (BOOTSTRAP_SIZES, 120)],
    ids=["plan-few", "plan-gamma-sum", "lognormal-120", "bootstrap-120"],
)
def test_revenue_variance_is_the_law_of_total_variance(sizes: DealSizes, leads: int) -> None:
    """Var(R) = E[W]·E[v] + E[W²]·E[m²] − E[W]²·E[m]², W ~ Binomial(leads, q) independent of
    the size parameters (m, v), whose draws simulate() makes first from its seed."""
    sims = 20_000
    revenue = simulate(PLAN_RATES, sizes, leads, sims, seed=23).revenue
    draws = sizes.draw(np.random.default_rng(23), sims)
    first = leads * Q
    second = leads * Q * (1 - Q) + first**2
    m, v = draws.mean, draws.variance
    variance = first * v.mean() + second * (m**2).mean() - first**2 * m.mean() ** 2
    assert abs(revenue.mean() - first * m.mean()) < Z * mean_error(revenue)
    assert abs(revenue.var(ddof=1) - variance) < Z * variance_error(revenue)


@pytest.mark.parametrize("leads", [20, 2_000])
def test_data_wins_have_the_beta_binomial_chain_variance(leads: int) -> None:
    """With p_k ~ Beta independent and Q = Π p_k, W | Q ~ Binomial(n, Q), so
    E[W] = n·E[Q] and Var(W) = n·(E[Q] − E[Q²]) + n²·(E[Q²] − E[Q]²), exactly."""
    sims = 20_000
    first, second = UNIFORM
    wins = simulate(DATA_RATES, PLAN_SIZES, leads, sims, seed=31).wins.astype(np.float64)
    variance = leads * (first - second) + leads**2 * (second - first**2)
    assert abs(wins.mean() - leads * first) < Z * mean_error(wins)
    assert abs(wins.var(ddof=1) - variance) < Z * variance_error(wins)
    if leads >= 2_000:  # the rates' uncertainty is there: far more than the binomial noise
        assert wins.var() > 2 * leads * first * (1 - first)


def test_data_quantiles_match_an_independent_simulation() -> None:
    """W drawn here as Binomial(n, Π Beta) with numpy directly."""
    sims, leads = 30_000, 300
    rng = np.random.default_rng(99)
    q = rng.beta(ADVANCED + 1, LOST + 1, size=(sims, 4)).prod(axis=1)
    reference = rng.binomial(leads, q).astype(np.float64)
    wins = simulate(DATA_RATES, PLAN_SIZES, leads, sims, seed=32).wins.astype(np.float64)
    for mine, theirs in zip(percentiles(wins)[1:], percentiles(reference)[1:], strict=True):
        assert abs(mine - theirs) <= 1


# ------------------------------------------------------------------------------- cohorts


def test_cohorts_are_correlated_through_the_shared_rates() -> None:
    """Cohorts of one simulation share its rates: Cov = n²·Var(Q)·m² for two cohorts of n."""
    sims = 40_000
    _, revenue = simulate_cohorts(
        DATA_RATES, PLAN_SIZES, np.array([200, 200], dtype=np.int64), sims, seed=41
    )
    assert revenue.shape == (sims, 2)
    first, second = UNIFORM
    covariance = 200**2 * (second - first**2) * PLAN_SIZE**2
    assert np.corrcoef(revenue[:, 0], revenue[:, 1])[0, 1] > 0.3
    assert np.cov(revenue[:, 0], revenue[:, 1])[0, 1] == pytest.approx(covariance, rel=0.1)


def test_cohort_revenue_means_match_the_closed_form() -> None:
    sims = 20_000
    cohorts = np.array([0, 10, 100, 1_000], dtype=np.int64)
    wins, revenue = simulate_cohorts(PLAN_RATES, PLAN_SIZES, cohorts, sims, seed=42)
    assert wins.shape == revenue.shape == (sims, 4)
    assert revenue[:, 0].tolist() == [0.0] * sims
    for column in (1, 2, 3):
        sample = revenue[:, column]
        assert abs(sample.mean() - cohorts[column] * Q * PLAN_SIZE) < Z * mean_error(sample)


# ---------------------------------------------------------------------------- reproducibility


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    for rates, sizes in ((PLAN_RATES, PLAN_SIZES), (DATA_RATES, DATA_SIZES)):
        first = simulate(rates, sizes, 120, 5_000, seed=7, dispersion=Dispersion(0.05))
        again = simulate(rates, sizes, 120, 5_000, seed=7, dispersion=Dispersion(0.05))
        other = simulate(rates, sizes, 120, 5_000, seed=8, dispersion=Dispersion(0.05))
        assert np.array_equal(first.wins, again.wins)
        assert np.array_equal(first.revenue, again.revenue)
        assert not np.array_equal(first.revenue, other.revenue)
    cohorts = np.array([10, 20], dtype=np.int64)
    one = simulate_cohorts(DATA_RATES, BOOTSTRAP_SIZES, cohorts, 5_000, seed=3)
    two = simulate_cohorts(DATA_RATES, BOOTSTRAP_SIZES, cohorts, 5_000, seed=3)
    assert np.array_equal(one[1], two[1])


# ------------------------------------------------------------------------------ monotonicity

LADDER = [0, 1, 5, 20, 60, 120, 240, 1_000, 5_000, 100_000]


@pytest.mark.parametrize("source", ["plan", "data"])
def test_more_leads_never_lower_the_mean_or_a_percentile(source: str) -> None:
    rates, sizes = (PLAN_RATES, PLAN_SIZES) if source == "plan" else (DATA_RATES, DATA_SIZES)
    previous = (0.0, 0.0, 0.0, 0.0)
    for leads in LADDER:
        current = percentiles(simulate(rates, sizes, leads, 5_000, seed=13).revenue)
        assert all(now >= before for now, before in zip(current, previous, strict=True)), leads
        previous = current


@pytest.mark.parametrize("stage", range(4))
def test_a_higher_planned_rate_never_lowers_the_mean_or_a_percentile(stage: int) -> None:
    raised = PLANNED.copy()
    raised[stage] += 0.15
    base = percentiles(simulate(PLAN_RATES, PLAN_SIZES, 120, 10_000, seed=17).revenue)
    higher = percentiles(simulate(Rates(planned=raised), PLAN_SIZES, 120, 10_000, seed=17).revenue)
    assert all(h >= b for h, b in zip(higher, base, strict=True))
    assert higher[0] > base[0]


@pytest.mark.parametrize("stage", range(4))
def test_more_observed_advances_never_lower_the_mean_or_a_percentile(stage: int) -> None:
    advanced = ADVANCED.copy()
    advanced[stage] += 20
    more = Rates(advanced=advanced, lost=LOST)
    base = percentiles(simulate(DATA_RATES, DATA_SIZES, 300, 10_000, seed=19).revenue)
    higher = percentiles(simulate(more, DATA_SIZES, 300, 10_000, seed=19).revenue)
    assert all(h >= b for h, b in zip(higher, base, strict=True))


# ------------------------------------------------------------------------------------ edges


@pytest.mark.parametrize("source", ["plan", "data"])
def test_no_leads_no_wins_no_revenue(source: str) -> None:
    rates, sizes = (PLAN_RATES, PLAN_SIZES) if source == "plan" else (DATA_RATES, DATA_SIZES)
    outcome = simulate(rates, sizes, 0, 1_000, seed=1, dispersion=Dispersion(0.1))
    assert outcome.wins.tolist() == [0] * 1_000
    assert outcome.revenue.tolist() == [0.0] * 1_000
    assert percentiles(outcome.revenue) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("source", ["plan", "data"])
def test_a_hundred_thousand_leads_use_the_gamma_sum_and_stay_on_the_closed_form(
    source: str,
) -> None:
    rates, sizes = (PLAN_RATES, PLAN_SIZES) if source == "plan" else (DATA_RATES, DATA_SIZES)
    leads = 100_000
    outcome = simulate(rates, sizes, leads, 10_000, seed=29)
    assert outcome.wins.min() > EXACT_WINS  # every simulation took the gamma sum
    closed_form = leads * float(np.prod(rates.expected())) * sizes.mean
    assert abs(outcome.revenue.mean() - closed_form) < Z * mean_error(outcome.revenue)
    assert (outcome.revenue > 0).all()


def test_a_certain_funnel_wins_every_lead() -> None:
    outcome = simulate(Rates(planned=np.ones(3)), PLAN_SIZES, 17, 100, 1, Dispersion(0.2))
    assert outcome.wins.tolist() == [17] * 100
    assert (outcome.revenue > 0).all()


def test_an_impossible_stage_wins_nothing() -> None:
    outcome = simulate(Rates(planned=np.array([0.5, 0.0])), PLAN_SIZES, 1_000, 1_000, 1)
    assert outcome.revenue.tolist() == [0.0] * 1_000


# --------------------------------------------------------------------------------- chunking


@pytest.mark.parametrize("sims", [1, CHUNK + 1])
def test_every_simulation_is_returned_whatever_the_chunks(sims: int) -> None:
    outcome = simulate(DATA_RATES, BOOTSTRAP_SIZES, 5, sims, seed=2)
    assert outcome.wins.shape == (sims,)
    assert outcome.revenue.shape == (sims,)


def test_small_chunks_give_the_same_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks bound the memory, not the result: with chunks of 7, 2,001 simulations come back,
    every chunk gets fresh rates (not one chunk repeated), and the mean is on the closed form."""
    monkeypatch.setattr(simulation, "CHUNK", 7)
    sims = 2_001
    outcome = simulate(DATA_RATES, DATA_SIZES, 200, sims, seed=3)
    assert outcome.revenue.shape == (sims,)
    assert len(np.unique(outcome.revenue)) > sims * 0.9
    closed_form = 200 * float(np.prod(DATA_RATES.expected())) * DATA_SIZES.mean
    assert abs(outcome.revenue.mean() - closed_form) < Z * mean_error(outcome.revenue)
    wins, revenue = simulate_cohorts(DATA_RATES, DATA_SIZES, np.array([1, 2]), sims, seed=3)
    assert wins.shape == revenue.shape == (sims, 2)


def test_percentiles_are_p10_p50_p90_exactly() -> None:
    assert percentiles(np.arange(101, dtype=np.float64)) == (50.0, 10.0, 50.0, 90.0)


@pytest.mark.parametrize(("sims", "width"), [(250_000, 1), (100_000, 122), (7, 10**6), (0, 3)])
def test_slices_cover_every_simulation_in_bounded_chunks(sims: int, width: int) -> None:
    parts = slices(sims, width)
    covered = [i for part in parts for i in range(part.start, part.stop)]
    assert covered == list(range(sims))
    assert all(0 < (p.stop - p.start) * width <= max(CHUNK, width) for p in parts)
