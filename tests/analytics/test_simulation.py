"""The Monte Carlo of DESIGN section 5 against closed forms: means, variances and quantiles of
the wins and the revenue, seeds, monotonicity, chunking and the edges.

Every statistical check derives its tolerance from the size of the sample: a mean within four
standard errors, a variance within four standard errors of the sample variance (from the fourth
central moment), a percentile of integer wins within one of the exact binomial quantile.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from salesflow.analytics import simulation
from salesflow.analytics.simulation import (
    CHUNK,
    EXACT_WINS,
    PLAN_SIGMA,
    DealSizes,
    Rates,
    chain,
    percentiles,
    simulate,
    simulate_cohorts,
    simulate_pipeline,
    simulate_pipeline_total,
)

PLANNED = np.array([0.4, 0.6, 0.7, 0.8])
PLAN_RATES = Rates(planned=PLANNED)
PLAN_SIZE = 20_000.0
PLAN_SIZES = DealSizes(planned=PLAN_SIZE)

# Small counts, so that the Beta draws add visible variance to the binomial noise.
ADVANCED = np.array([30, 12, 9, 6], dtype=np.int64)
LOST = np.array([45, 8, 4, 3], dtype=np.int64)
DATA_RATES = Rates(advanced=ADVANCED, lost=LOST)
AMOUNTS = np.random.default_rng(2024).lognormal(np.log(18_000), 0.7, 400)
DATA_SIZES = DealSizes(amounts=AMOUNTS)

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


def beta_moments(advanced: NDArray[np.int64], lost: NDArray[np.int64]) -> tuple[float, float]:
    """E[Q] and E[Q²] of Q = Π p_k, p_k ~ Beta(advanced + 1, lost + 1) independent."""
    a = advanced.astype(np.float64) + 1
    b = lost.astype(np.float64) + 1
    first = a / (a + b)
    second = a * (a + 1) / ((a + b) * (a + b + 1))
    return float(np.prod(first)), float(np.prod(second))


def binomial_quantile(n: int, q: float, level: float) -> int:
    """The smallest k with P(Binomial(n, q) <= k) >= level: the probabilities summed exactly,
    each C(n, k)·q^k·(1 − q)^(n − k) taken through logarithms so that large n cannot overflow."""
    total = 0.0
    for k in range(n + 1):
        total += math.exp(binomial_log_pmf(n, q, k))
        if total >= level:
            return k
    return n


def binomial_log_pmf(n: int, q: float, k: int) -> float:
    log_comb = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return log_comb + k * math.log(q) + (n - k) * math.log1p(-q)


# ---------------------------------------------------------------------------------- rates


def test_expected_rates_are_plan_or_beta_mean() -> None:
    assert PLAN_RATES.expected().tolist() == PLANNED.tolist()
    assert PLAN_RATES.stages == 4
    expected = DATA_RATES.expected()
    assert expected.tolist() == pytest.approx([31 / 77, 13 / 22, 10 / 15, 7 / 11])
    assert DATA_RATES.stages == 4


def test_plan_rates_are_fixed() -> None:
    drawn = PLAN_RATES.draw(np.random.default_rng(1), 1_000)
    assert drawn.shape == (1_000, 4)
    assert (drawn == PLANNED).all()


def test_beta_draws_have_the_posterior_mean_and_variance() -> None:
    sims = 100_000
    drawn = DATA_RATES.draw(np.random.default_rng(3), sims)
    assert drawn.shape == (sims, 4)
    a, b = ADVANCED + 1.0, LOST + 1.0
    mean = a / (a + b)
    variance = a * b / ((a + b) ** 2 * (a + b + 1))
    for k in range(4):
        assert abs(drawn[:, k].mean() - mean[k]) < Z * mean_error(drawn[:, k])
        assert abs(drawn[:, k].var() - variance[k]) < Z * variance_error(drawn[:, k])


def test_a_stage_without_closed_deals_draws_uniform_rates() -> None:
    rates = Rates(advanced=np.array([10, 0]), lost=np.array([10, 0]))
    assert rates.expected()[1] == 0.5  # Beta(1, 1)
    drawn = rates.draw(np.random.default_rng(5), 100_000)[:, 1]
    assert abs(drawn.mean() - 0.5) < Z * mean_error(drawn)
    assert abs(drawn.var() - 1 / 12) < Z * variance_error(drawn)
    assert drawn.min() >= 0.0
    assert drawn.max() <= 1.0


# ---------------------------------------------------------------------------------- means


@pytest.mark.parametrize("leads", [7, 120, 2_000])
@pytest.mark.parametrize("source", ["plan", "data"])
def test_mean_revenue_matches_the_closed_form(source: str, leads: int) -> None:
    """leads × Π E[p_k] × mean deal size, within four standard errors."""
    rates, sizes = (PLAN_RATES, PLAN_SIZES) if source == "plan" else (DATA_RATES, DATA_SIZES)
    outcome = simulate(rates, sizes, leads, 100_000, seed=11)
    per_lead = float(np.prod(rates.expected()))
    closed_form = leads * per_lead * sizes.mean
    assert abs(outcome.revenue.mean() - closed_form) < Z * mean_error(outcome.revenue)
    wins = outcome.wins.astype(np.float64)
    assert abs(wins.mean() - leads * per_lead) < Z * mean_error(wins)


def test_plan_deal_size_is_lognormal_around_the_plan() -> None:
    """One win at a time: the revenue of a single deal has the planned mean and the lognormal
    variance (e^σ² − 1)·m², and its median is m·e^(−σ²/2)."""
    totals = PLAN_SIZES.total(np.random.default_rng(8), np.ones(200_000, dtype=np.int64))
    assert abs(totals.mean() - PLAN_SIZE) < Z * mean_error(totals)
    variance = (math.exp(PLAN_SIGMA**2) - 1) * PLAN_SIZE**2
    assert PLAN_SIZES.variance == pytest.approx(variance)
    assert abs(totals.var() - variance) < Z * variance_error(totals)
    assert np.median(totals) == pytest.approx(PLAN_SIZE * math.exp(-(PLAN_SIGMA**2) / 2), rel=0.01)


def test_bootstrap_draws_only_observed_amounts() -> None:
    amounts = np.array([100.0, 250.0, 1_000.0])
    totals = DealSizes(amounts=amounts).total(
        np.random.default_rng(4), np.ones(30_000, dtype=np.int64)
    )
    assert set(np.unique(totals).tolist()) == {100.0, 250.0, 1_000.0}
    share = np.array([(totals == a).mean() for a in amounts])
    assert np.abs(share - 1 / 3).max() < Z * math.sqrt(2 / 9 / 30_000)


@pytest.mark.parametrize("wins", [EXACT_WINS, EXACT_WINS + 1, 10_000])
def test_sum_of_deal_sizes_has_the_right_moments_on_both_sides_of_the_switch(wins: int) -> None:
    """Up to EXACT_WINS every deal is drawn; above, a normal sum with the same mean and
    variance. Both sides must give wins·m and wins·Var(S)."""
    for sizes in (PLAN_SIZES, DATA_SIZES):
        totals = sizes.total(np.random.default_rng(9), np.full(50_000, wins, dtype=np.int64))
        assert abs(totals.mean() - wins * sizes.mean) < Z * mean_error(totals)
        assert abs(totals.var() - wins * sizes.variance) < Z * variance_error(totals)


def test_zero_wins_cost_nothing() -> None:
    wins = np.array([0, 3, 0, 100, 0], dtype=np.int64)
    totals = DATA_SIZES.total(np.random.default_rng(1), wins)
    assert totals[wins == 0].tolist() == [0.0, 0.0, 0.0]
    assert (totals[wins > 0] > 0).all()


# ------------------------------------------------------------------- variances and quantiles


@pytest.mark.parametrize("leads", [10, 120, 5_000])
def test_plan_wins_are_binomial(leads: int) -> None:
    """With fixed rates a chain of binomials is Binomial(leads, Π p): mean n·q, variance
    n·q·(1−q), P10/P50/P90 the binomial quantiles (the sample percentile interpolates between
    order statistics, hence ±1)."""
    sims = 100_000
    q = float(np.prod(PLANNED))
    wins = simulate(PLAN_RATES, PLAN_SIZES, leads, sims, seed=21).wins.astype(np.float64)
    variance = leads * q * (1 - q)
    # the exact fourth central moment of the binomial gives the error of the sample variance
    fourth = variance * (1 + 3 * (leads - 2) * q * (1 - q))
    assert abs(wins.mean() - leads * q) < Z * math.sqrt(variance / sims)
    assert abs(wins.var(ddof=1) - variance) < Z * math.sqrt((fourth - variance**2) / sims)
    _, p10, p50, p90 = percentiles(wins)
    for level, value in ((0.1, p10), (0.5, p50), (0.9, p90)):
        assert abs(value - binomial_quantile(leads, q, level)) <= 1


def test_plan_wins_of_a_small_funnel_have_the_binomial_distribution() -> None:
    """Every probability of Binomial(10, q), not only its first two moments: each count within
    four standard deviations of sims·P(W = k), plus 3 for the counts of rare outcomes."""
    sims = 200_000
    q = float(np.prod(PLANNED))
    wins = simulate(PLAN_RATES, PLAN_SIZES, 10, sims, seed=22).wins
    observed = np.bincount(wins, minlength=11)
    assert observed.sum() == sims
    for k in range(11):
        exact = math.comb(10, k) * q**k * (1 - q) ** (10 - k)
        assert abs(observed[k] - sims * exact) < Z * math.sqrt(sims * exact * (1 - exact)) + 3


@pytest.mark.parametrize(
    ("sizes", "leads"),
    [(PLAN_SIZES, 40), (PLAN_SIZES, 120), (PLAN_SIZES, 3_000), (DATA_SIZES, 120)],
    ids=["plan-few", "plan-120", "plan-normal-sum", "bootstrap-120"],
)
def test_plan_revenue_variance_is_the_law_of_total_variance(sizes: DealSizes, leads: int) -> None:
    """Var(R) = E[W]·Var(S) + Var(W)·E[S]², with W ~ Binomial(leads, q)."""
    sims = 200_000
    q = float(np.prod(PLANNED))
    revenue = simulate(PLAN_RATES, sizes, leads, sims, seed=23).revenue
    expected_wins, wins_variance = leads * q, leads * q * (1 - q)
    variance = expected_wins * sizes.variance + wins_variance * sizes.mean**2
    error = variance_error(revenue)
    assert error < 0.0125 * variance  # so that four errors stay within 5%
    assert abs(revenue.var(ddof=1) - variance) < Z * error
    assert revenue.var(ddof=1) == pytest.approx(variance, rel=0.05)


@pytest.mark.parametrize("leads", [20, 200, 5_000])
def test_data_wins_have_the_beta_binomial_chain_variance(leads: int) -> None:
    """With p_k ~ Beta independent and Q = Π p_k, W | Q ~ Binomial(n, Q), so
    E[W] = n·E[Q] and Var(W) = n·(E[Q] − E[Q²]) + n²·(E[Q²] − E[Q]²), exactly."""
    sims = 200_000
    first, second = beta_moments(ADVANCED, LOST)
    wins = simulate(DATA_RATES, DATA_SIZES, leads, sims, seed=31).wins.astype(np.float64)
    variance = leads * (first - second) + leads**2 * (second - first**2)
    assert abs(wins.mean() - leads * first) < Z * mean_error(wins)
    assert abs(wins.var(ddof=1) - variance) < Z * variance_error(wins)
    # the rates' uncertainty must be there: far more than the binomial noise alone
    if leads >= 200:
        assert wins.var() > 2 * leads * first * (1 - first)


def test_data_quantiles_match_an_independent_simulation() -> None:
    """W drawn in one step as Binomial(n, Π Beta) here, as a chain of binomials there."""
    sims, leads = 200_000, 300
    rng = np.random.default_rng(99)
    q = rng.beta(ADVANCED + 1, LOST + 1, size=(sims, 4)).prod(axis=1)
    reference = rng.binomial(leads, q).astype(np.float64)
    wins = simulate(DATA_RATES, DATA_SIZES, leads, sims, seed=32).wins.astype(np.float64)
    for mine, theirs in zip(percentiles(wins)[1:], percentiles(reference)[1:], strict=True):
        assert abs(mine - theirs) <= 1


def test_data_revenue_variance_is_the_law_of_total_variance() -> None:
    sims, leads = 200_000, 150
    first, second = beta_moments(ADVANCED, LOST)
    revenue = simulate(DATA_RATES, DATA_SIZES, leads, sims, seed=33).revenue
    wins_variance = leads * (first - second) + leads**2 * (second - first**2)
    variance = leads * first * DATA_SIZES.variance + wins_variance * DATA_SIZES.mean**2
    assert abs(revenue.var(ddof=1) - variance) < Z * variance_error(revenue)
    assert revenue.var(ddof=1) == pytest.approx(variance, rel=0.05)


# ------------------------------------------------------------------------------- the chain


def test_chain_shares_each_simulations_rates_across_cohorts() -> None:
    """Cohorts of one simulation see the same rates: a rate of 0 or 1 in a simulation shows in
    every cohort of that simulation."""
    rates = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    leads = np.broadcast_to(np.array([5, 7, 9], dtype=np.int64), (3, 3))
    wins = chain(np.random.default_rng(1), rates, leads)
    assert wins.tolist() == [[0, 0, 0], [5, 7, 9], [0, 0, 0]]


def test_cohorts_are_correlated_through_the_shared_rates() -> None:
    sims = 50_000
    revenue = simulate_cohorts(
        DATA_RATES, DATA_SIZES, np.array([200, 200], dtype=np.int64), sims, seed=41
    )
    assert revenue.shape == (sims, 2)
    correlation = np.corrcoef(revenue[:, 0], revenue[:, 1])[0, 1]
    first, second = beta_moments(ADVANCED, LOST)
    # Cov = n²·Var(Q)·m² for two cohorts of n: clearly positive with these small counts
    covariance = 200**2 * (second - first**2) * DATA_SIZES.mean**2
    assert correlation > 0.3
    assert np.cov(revenue[:, 0], revenue[:, 1])[0, 1] == pytest.approx(covariance, rel=0.1)


def test_cohort_revenue_means_match_the_closed_form() -> None:
    sims = 50_000
    cohorts = np.array([0, 10, 100, 1_000], dtype=np.int64)
    revenue = simulate_cohorts(PLAN_RATES, PLAN_SIZES, cohorts, sims, seed=42)
    per_lead = float(np.prod(PLANNED)) * PLAN_SIZE
    assert revenue[:, 0].tolist() == [0.0] * sims
    for column in (1, 2, 3):
        sample = revenue[:, column]
        assert abs(sample.mean() - cohorts[column] * per_lead) < Z * mean_error(sample)


# -------------------------------------------------------------------------------- pipeline


def test_pipeline_mean_and_variance_per_stage() -> None:
    sims = 100_000
    counts = np.array([0, 12, 5, 40], dtype=np.int64)
    probabilities = np.array([0.1, 0.3, 0.6, 0.9])
    amounts = np.array([1_000.0, 20_000.0, 15_000.0, 30_000.0])
    revenue = simulate_pipeline(counts, probabilities, amounts, sims, seed=5)
    assert revenue.shape == (sims, 4)
    mean = counts * probabilities * amounts
    variance = counts * probabilities * (1 - probabilities) * amounts**2
    for s in range(4):
        if counts[s] == 0:
            assert revenue[:, s].tolist() == [0.0] * sims
            continue
        assert abs(revenue[:, s].mean() - mean[s]) < Z * mean_error(revenue[:, s])
        assert abs(revenue[:, s].var(ddof=1) - variance[s]) < Z * variance_error(revenue[:, s])
    total = revenue.sum(axis=1)
    assert abs(total.mean() - mean.sum()) < Z * mean_error(total)


# ---------------------------------------------------------------------------- reproducibility


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    for rates, sizes in ((PLAN_RATES, PLAN_SIZES), (DATA_RATES, DATA_SIZES)):
        first = simulate(rates, sizes, 120, 20_000, seed=7)
        again = simulate(rates, sizes, 120, 20_000, seed=7)
        other = simulate(rates, sizes, 120, 20_000, seed=8)
        assert np.array_equal(first.wins, again.wins)
        assert np.array_equal(first.revenue, again.revenue)
        assert not np.array_equal(first.revenue, other.revenue)
    cohorts = np.array([10, 20], dtype=np.int64)
    assert np.array_equal(
        simulate_cohorts(DATA_RATES, DATA_SIZES, cohorts, 5_000, seed=3),
        simulate_cohorts(DATA_RATES, DATA_SIZES, cohorts, 5_000, seed=3),
    )
    counts, probabilities, amounts = np.array([3, 4]), np.array([0.2, 0.7]), np.array([1.0, 2.0])
    assert np.array_equal(
        simulate_pipeline(counts, probabilities, amounts, 5_000, seed=3),
        simulate_pipeline(counts, probabilities, amounts, 5_000, seed=3),
    )
    assert not np.array_equal(
        simulate_pipeline(counts, probabilities, amounts, 5_000, seed=3),
        simulate_pipeline(counts, probabilities, amounts, 5_000, seed=4),
    )


# ------------------------------------------------------------------------------ monotonicity

LADDER = [0, 1, 5, 20, 60, 120, 240, 1_000, 5_000, 100_000]


@pytest.mark.parametrize("source", ["plan", "data"])
def test_more_leads_never_lower_the_mean_or_a_percentile(source: str) -> None:
    rates, sizes = (PLAN_RATES, PLAN_SIZES) if source == "plan" else (DATA_RATES, DATA_SIZES)
    previous = (0.0, 0.0, 0.0, 0.0)
    for leads in LADDER:
        current = percentiles(simulate(rates, sizes, leads, 20_000, seed=13).revenue)
        assert all(now >= before for now, before in zip(current, previous, strict=True)), leads
        previous = current


@pytest.mark.parametrize("stage", range(4))
def test_a_higher_planned_rate_never_lowers_the_mean_or_a_percentile(stage: int) -> None:
    raised = PLANNED.copy()
    raised[stage] += 0.15
    base = percentiles(simulate(PLAN_RATES, PLAN_SIZES, 120, 20_000, seed=17).revenue)
    higher = percentiles(simulate(Rates(planned=raised), PLAN_SIZES, 120, 20_000, seed=17).revenue)
    assert all(h >= b for h, b in zip(higher, base, strict=True))
    assert higher[0] > base[0]


@pytest.mark.parametrize("stage", range(4))
def test_more_observed_advances_never_lower_the_mean_or_a_percentile(stage: int) -> None:
    advanced = ADVANCED.copy()
    advanced[stage] += 20
    base = percentiles(simulate(DATA_RATES, DATA_SIZES, 300, 20_000, seed=19).revenue)
    higher = percentiles(
        simulate(Rates(advanced=advanced, lost=LOST), DATA_SIZES, 300, 20_000, seed=19).revenue
    )
    assert all(h >= b for h, b in zip(higher, base, strict=True))


# ------------------------------------------------------------------------------------ edges


@pytest.mark.parametrize("source", ["plan", "data"])
def test_no_leads_no_wins_no_revenue(source: str) -> None:
    rates, sizes = (PLAN_RATES, PLAN_SIZES) if source == "plan" else (DATA_RATES, DATA_SIZES)
    outcome = simulate(rates, sizes, 0, 1_000, seed=1)
    assert outcome.wins.tolist() == [0] * 1_000
    assert outcome.revenue.tolist() == [0.0] * 1_000
    assert percentiles(outcome.revenue) == (0.0, 0.0, 0.0, 0.0)


@pytest.mark.parametrize("source", ["plan", "data"])
def test_a_hundred_thousand_leads_use_the_normal_sum_and_stay_on_the_closed_form(
    source: str,
) -> None:
    rates, sizes = (PLAN_RATES, PLAN_SIZES) if source == "plan" else (DATA_RATES, DATA_SIZES)
    leads = 100_000
    outcome = simulate(rates, sizes, leads, 20_000, seed=29)
    assert outcome.wins.min() > EXACT_WINS  # every simulation took the normal sum
    closed_form = leads * float(np.prod(rates.expected())) * sizes.mean
    assert outcome.revenue.mean() == pytest.approx(closed_form, rel=0.01)
    assert abs(outcome.revenue.mean() - closed_form) < Z * mean_error(outcome.revenue)
    assert (outcome.revenue > 0).all()


def test_a_certain_funnel_wins_every_lead() -> None:
    outcome = simulate(Rates(planned=np.ones(3)), DealSizes(amounts=np.array([5.0])), 17, 100, 1)
    assert outcome.wins.tolist() == [17] * 100
    assert outcome.revenue.tolist() == [85.0] * 100


def test_an_impossible_stage_wins_nothing() -> None:
    outcome = simulate(Rates(planned=np.array([0.5, 0.0])), PLAN_SIZES, 1_000, 1_000, 1)
    assert outcome.revenue.tolist() == [0.0] * 1_000


# --------------------------------------------------------------------------------- chunking


@pytest.mark.parametrize("sims", [1, 99_999, CHUNK, CHUNK + 1])
def test_every_simulation_is_returned_whatever_the_chunks(sims: int) -> None:
    outcome = simulate(DATA_RATES, DATA_SIZES, 50, sims, seed=2)
    assert outcome.wins.shape == (sims,)
    assert outcome.revenue.shape == (sims,)


def test_cohorts_and_pipeline_return_every_simulation() -> None:
    sims = CHUNK + 1
    cohorts = simulate_cohorts(PLAN_RATES, PLAN_SIZES, np.array([3, 4, 5]), sims, seed=2)
    assert cohorts.shape == (sims, 3)
    pipeline = simulate_pipeline(np.array([2, 3]), np.array([0.5, 0.5]), np.ones(2), sims, 2)
    assert pipeline.shape == (sims, 2)


def test_small_chunks_give_the_same_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks bound the memory, not the result: with chunks of 7, 10,003 simulations come back,
    every chunk gets fresh rates (not one chunk repeated), and the mean is on the closed form."""
    monkeypatch.setattr(simulation, "CHUNK", 7)
    sims = 10_003
    outcome = simulate(DATA_RATES, DATA_SIZES, 200, sims, seed=3)
    assert outcome.revenue.shape == (sims,)
    assert len(np.unique(outcome.revenue)) > sims * 0.9
    closed_form = 200 * float(np.prod(DATA_RATES.expected())) * DATA_SIZES.mean
    assert abs(outcome.revenue.mean() - closed_form) < Z * mean_error(outcome.revenue)
    cohorts = simulate_cohorts(DATA_RATES, DATA_SIZES, np.array([1, 2]), sims, seed=3)
    assert cohorts.shape == (sims, 2)


# ------------------------------------------------------------- hardening (issue 10): bounds


def test_percentiles_are_p10_p50_p90_exactly() -> None:
    assert percentiles(np.arange(101, dtype=np.float64)) == (50.0, 10.0, 50.0, 90.0)


@pytest.mark.parametrize(("sims", "width"), [(250_000, 1), (100_000, 120), (7, 10**6)])
def test_chunks_hold_a_bounded_number_of_cells(sims: int, width: int) -> None:
    chunks = simulation._chunks(sims, width)
    assert sum(chunks) == sims
    assert all(0 < size * width <= max(simulation.CHUNK, width) for size in chunks)


def test_the_pipeline_total_is_the_sum_of_the_stages_chunk_by_chunk() -> None:
    counts = np.array([30, 12, 0, 4], dtype=np.int64)
    probabilities = np.array([0.1, 0.25, 0.45, 0.8])
    sizes = np.array([15_000.0, 22_000.0, 0.0, 40_000.0])
    by_stage = simulate_pipeline(counts, probabilities, sizes, 150_000, 3)
    total = simulate_pipeline_total(counts, probabilities, sizes, 150_000, 3)
    np.testing.assert_allclose(total, by_stage.sum(axis=1))
