"""Deal sizes with parameter uncertainty: the choice of model, the conjugate lognormal posterior
against a hand computation and against scipy's t and inverse-gamma laws, the Bayesian bootstrap
against its exact moments, the Jarque–Bera check against scipy's, and the wider interval that
few won amounts must give.

Monte Carlo checks allow four standard errors computed from the simulated sample.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from salesflow.analytics.deal_sizes import (
    DIRICHLET_EXACT,
    MIN_FOR_CHECK,
    PLAN_SIGMA,
    PRIOR_SIGMA_WEIGHT,
    PRIOR_WEIGHT,
    WEAK_SIGMA,
    DealSizes,
    LogPosterior,
    jarque_bera,
)
from salesflow.analytics.simulation import Rates, price, simulate
from salesflow.errors import InputError

Z = 4.0
FEW = np.array([12_000.0, 18_000.0, 25_000.0, 9_000.0, 40_000.0])
LOGNORMAL = np.random.default_rng(3).lognormal(math.log(20_000), 0.8, 200)
# Two clusters two orders of magnitude apart: log amounts far from normal (Jarque–Bera 16.6).
MIXTURE = np.concatenate(
    (
        np.random.default_rng(4).lognormal(math.log(2_000), 0.1, 50),
        np.random.default_rng(5).lognormal(math.log(200_000), 0.1, 50),
    )
)


def mean_error(sample: NDArray[np.float64]) -> float:
    return float(sample.std(ddof=1) / math.sqrt(len(sample)))


# ------------------------------------------------------------------------------ the model


def test_few_amounts_are_lognormal() -> None:
    assert DealSizes(amounts=FEW).model == "lognormal"
    assert DealSizes(amounts=FEW[:1]).model == "lognormal"
    assert DealSizes(amounts=MIXTURE[: MIN_FOR_CHECK - 1]).model == "lognormal"


def test_a_lognormal_sample_passes_the_check() -> None:
    assert jarque_bera(np.log(LOGNORMAL)) < 2.0
    assert DealSizes(amounts=LOGNORMAL).model == "lognormal"


def test_a_two_cluster_sample_is_bootstrapped() -> None:
    assert jarque_bera(np.log(MIXTURE)) > 9.21  # the 99th percentile of χ²(2)
    assert DealSizes(amounts=MIXTURE).model == "bootstrap"
    # the same clusters, 20 amounts: still enough to be checked, and rejected
    lopsided = np.array([2_000.0] * 17 + [200_000.0] * 3)
    assert DealSizes(amounts=lopsided).model == "bootstrap"


@pytest.mark.parametrize("count", [3, 30])
def test_a_zero_amount_keeps_the_lognormal_of_the_positive_ones(count: int) -> None:
    """A free pilot among the wins once switched to the bootstrap, against the rule that few
    amounts are lognormal: the lognormal is fitted to the positive amounts, the zero is a share
    of the wins."""
    amounts = np.concatenate(([0.0], LOGNORMAL[: count - 1]))
    sizes = DealSizes(amounts=amounts)
    assert sizes.model == "lognormal"
    assert sizes.positive.tolist() == LOGNORMAL[: count - 1].tolist()
    assert sizes.others.tolist() == [0.0]


def test_no_positive_amount_is_bootstrapped() -> None:
    assert DealSizes(amounts=np.zeros(5)).model == "bootstrap"
    assert DealSizes(amounts=np.array([0.0, -300.0]), planned=1_000.0).model == "bootstrap"
    assert DealSizes(amounts=np.zeros(5)).mean == 0.0


def test_many_skewed_positive_amounts_and_a_zero_are_bootstrapped() -> None:
    amounts = np.concatenate(([0.0], MIXTURE))
    assert DealSizes(amounts=amounts).model == "bootstrap"


def test_no_amounts_is_the_plan_and_no_plan_is_refused() -> None:
    planned = DealSizes(planned=20_000.0)
    assert planned.model == "plan"
    assert planned.mean == 20_000.0
    assert DealSizes(amounts=np.array([]), planned=5.0).model == "plan"
    nothing = DealSizes()
    with pytest.raises(InputError, match="deal_size"):
        _ = nothing.mean
    with pytest.raises(InputError, match="deal_size"):
        nothing.draw(np.random.default_rng(1), 10)


def test_the_plan_leans_in_only_with_few_amounts() -> None:
    assert DealSizes(amounts=FEW, planned=20_000.0).from_prior
    assert not DealSizes(amounts=LOGNORMAL[:MIN_FOR_CHECK], planned=20_000.0).from_prior
    assert not DealSizes(amounts=FEW).from_prior
    assert DealSizes(planned=20_000.0).from_prior
    # a zero among the amounts: the plan centres the few positive ones; none, the bootstrap
    with_zero = np.concatenate(([0.0], LOGNORMAL[:MIN_FOR_CHECK]))
    assert not DealSizes(amounts=with_zero, planned=20_000.0).from_prior
    assert DealSizes(amounts=np.concatenate(([0.0], FEW)), planned=20_000.0).from_prior
    assert not DealSizes(amounts=np.zeros(3), planned=20_000.0).from_prior


def test_jarque_bera_is_scipys_statistic() -> None:
    for values in (np.log(LOGNORMAL), np.log(MIXTURE), np.log(FEW), np.arange(7.0) ** 3):
        assert jarque_bera(values) == pytest.approx(stats.jarque_bera(values).statistic, rel=1e-9)
    assert jarque_bera(np.full(5, 3.0)) == 0.0


# -------------------------------------------------------------------- the lognormal posterior


def hand_posterior(
    logs: list[float], prior_mean: float, prior_weight: float, prior_dof: float, prior_var: float
) -> tuple[float, float, float, float]:
    """Gelman et al., BDA3 §3.3: κn = κ0 + n, νn = ν0 + n, μn = (κ0μ0 + nȳ)/κn,
    νn·σn² = ν0·σ0² + (n − 1)s² + κ0·n/κn·(ȳ − μ0)²."""
    n = len(logs)
    ybar = statistics.fmean(logs)
    s2 = statistics.variance(logs) if n > 1 else 0.0
    kappa, nu = prior_weight + n, prior_dof + n
    mu = (prior_weight * prior_mean + n * ybar) / kappa
    sigma2 = (
        prior_dof * prior_var + (n - 1) * s2 + prior_weight * n / kappa * (ybar - prior_mean) ** 2
    ) / nu
    return mu, kappa, nu, sigma2


def test_the_log_posterior_without_a_plan() -> None:
    logs = [math.log(a) for a in FEW]
    posterior = LogPosterior.of(FEW, None)
    # no plan: a flat prior on the mean, the spread's prior WEAK_SIGMA worth two observations
    expected = hand_posterior(logs, 0.0, 0.0, PRIOR_SIGMA_WEIGHT, WEAK_SIGMA**2)
    assert (posterior.mean, posterior.weight, posterior.dof, posterior.scale) == pytest.approx(
        expected, rel=1e-12
    )
    assert posterior.weight == 5.0
    assert posterior.dof == 7.0
    assert posterior.average == pytest.approx(statistics.fmean(FEW))


def test_the_log_posterior_with_a_plan() -> None:
    logs = [math.log(a) for a in FEW]
    planned = 30_000.0
    posterior = LogPosterior.of(FEW, planned)
    # the plan's size is the lognormal's mean at σ = PLAN_SIGMA: μ0 = ln(size) − σ²/2
    prior_mean = math.log(planned) - PLAN_SIGMA**2 / 2
    expected = hand_posterior(logs, prior_mean, PRIOR_WEIGHT, PRIOR_SIGMA_WEIGHT, PLAN_SIGMA**2)
    assert (posterior.mean, posterior.weight, posterior.dof, posterior.scale) == pytest.approx(
        expected, rel=1e-12
    )
    # pulled toward the plan, by one deal's worth
    assert statistics.fmean(logs) < posterior.mean < prior_mean
    assert posterior.average == pytest.approx((planned + sum(FEW)) / (len(FEW) + PRIOR_WEIGHT))


def test_lognormal_parameter_draws_follow_the_posterior() -> None:
    """σ² ~ Scaled-Inv-χ²(ν, s²) = InvGamma(ν/2, ν·s²/2) (Kolmogorov–Smirnov against scipy);
    given σ, the log of the mean size, μ + σ²/2, is normal with variance τ² = σ²/κ around
    ln(average) − τ²/2, so that the mean size averages to the average amount however wide the
    drawn spread."""
    amounts = LOGNORMAL[:20]
    sizes = DealSizes(amounts=amounts)
    posterior = LogPosterior.of(amounts, None)
    draws = sizes.draw(np.random.default_rng(11), 50_000)
    assert draws.mu is not None and draws.sigma is not None
    mu, variance = draws.mu, draws.sigma**2
    nu, s2 = posterior.dof, posterior.scale
    assert abs(variance.mean() - nu * s2 / (nu - 2)) < Z * mean_error(variance)
    inverse_gamma = stats.invgamma(a=nu / 2, scale=nu * s2 / 2)
    assert stats.kstest(variance, inverse_gamma.cdf).pvalue > 1e-3
    log_mean = mu + variance / 2
    tau = draws.sigma / math.sqrt(posterior.weight)
    standard = (log_mean - math.log(posterior.average) + tau**2 / 2) / tau
    assert stats.kstest(standard, stats.norm.cdf).pvalue > 1e-3
    assert abs(draws.mean.mean() - posterior.average) < Z * mean_error(draws.mean)
    # each simulation's mean and variance are its lognormal's
    np.testing.assert_allclose(draws.mean, np.exp(mu + variance / 2))
    np.testing.assert_allclose(draws.variance, np.expm1(variance) * draws.mean**2)


@pytest.mark.parametrize("planned", [None, 30_000.0])
def test_the_mean_deal_size_is_the_posterior_expectation(planned: float | None) -> None:
    sizes = DealSizes(amounts=FEW, planned=planned)
    draws = sizes.draw(np.random.default_rng(12), 200_000)
    assert abs(sizes.mean - draws.mean.mean()) < Z * mean_error(draws.mean)
    # ... and the sizes actually drawn average to it
    sampled = draws.sample(np.random.default_rng(13), np.arange(200_000))
    assert abs(sizes.mean - sampled.mean()) < Z * mean_error(sampled)


# ------------------------------------------------------------ won amounts of 0 or less


FREE_PILOT = np.concatenate(([0.0], FEW))  # one free pilot among six wins
CREDIT = np.array([-500.0, 2_000.0, 3_000.0, 4_000.0, 5_000.0])  # a won amount below 0


@pytest.mark.parametrize("amounts", [FREE_PILOT, CREDIT])
def test_the_mean_mixes_the_lognormal_with_the_observed_share_of_the_others(
    amounts: NDArray[np.float64],
) -> None:
    """Without a plan the lognormal's mean is the positive amounts' average, so the mixture's
    is the average of every amount, as `analyze` reports it (USD 2,700 for the credit)."""
    sizes = DealSizes(amounts=amounts)
    assert sizes.model == "lognormal"
    positive = amounts[amounts > 0]
    share = (len(amounts) - len(positive)) / len(amounts)
    others = amounts[amounts <= 0].mean()
    expected = (1 - share) * LogPosterior.of(positive, None).average + share * others
    assert sizes.mean == pytest.approx(expected)
    assert sizes.mean == pytest.approx(amounts.mean())


def test_the_share_of_free_wins_is_the_bayesian_bootstraps_weight_of_the_zeros() -> None:
    """Dirichlet(1, …, 1) weights over six amounts put Beta(1, 5) on the one zero: mean 1/6,
    variance 5/252; the sizes drawn are 0 in that share, and each simulation's mean and variance
    are its mixture's."""
    sims = 100_000
    draws = DealSizes(amounts=FREE_PILOT).draw(np.random.default_rng(41), sims)
    assert draws.share is not None and draws.others is not None
    assert draws.others.tolist() == [0.0]
    assert abs(draws.share.mean() - 1 / 6) < Z * mean_error(draws.share)
    assert draws.share.var() == pytest.approx(5 / 252, rel=0.05)
    assert stats.kstest(draws.share, stats.beta(1, 5).cdf).pvalue > 1e-3
    sampled = draws.sample(np.random.default_rng(42), np.arange(sims))
    zero = (sampled == 0.0).astype(np.float64)
    assert abs(zero.mean() - draws.share.mean()) < Z * mean_error(zero)
    # one simulation, priced many times over: its mixture's mean and variance
    one = draws.take(np.zeros(200_000, dtype=np.int64))
    sizes = one.sample(np.random.default_rng(43), np.arange(200_000))
    assert abs(sizes.mean() - draws.mean[0]) < Z * mean_error(sizes)
    assert sizes.var() == pytest.approx(draws.variance[0], rel=0.1)


def test_revenue_with_a_free_pilot_is_wins_times_the_mixtures_mean() -> None:
    """Every lead wins; 100 wins a simulation: 32 priced one by one, the rest a gamma sum with the
    mixture's mean and variance. Revenue averages 100 × the mean deal size; a single win is 0 in
    about a sixth of the simulations."""
    sizes = DealSizes(amounts=FREE_PILOT)
    assert sizes.model == "lognormal"
    revenue = simulate(Rates(planned=np.ones(1)), sizes, 100, 50_000, seed=44).revenue
    assert abs(revenue.mean() - 100 * sizes.mean) < Z * mean_error(revenue)
    one = simulate(Rates(planned=np.ones(1)), sizes, 1, 50_000, seed=45).revenue
    assert (one == 0.0).mean() == pytest.approx(1 / 6, abs=0.01)


def test_a_credit_is_drawn_as_it_is() -> None:
    draws = DealSizes(amounts=CREDIT).draw(np.random.default_rng(46), 20_000)
    sampled = draws.sample(np.random.default_rng(47), np.arange(20_000))
    assert (sampled == -500.0).any()
    assert (sampled[sampled != -500.0] > 0).all()


# --------------------------------------------------------------------------- the bootstrap


def test_the_bayesian_bootstrap_mean_has_the_dirichlet_moments() -> None:
    """Dirichlet(1, …, 1) weights: E[Σ wᵢxᵢ] = x̄ and Var = σ²/(n + 1), σ² the population
    variance of the amounts (≈ s²/n)."""
    sizes = DealSizes(amounts=MIXTURE)
    assert sizes.model == "bootstrap"
    assert sizes.mean == MIXTURE.mean()
    means = sizes.draw(np.random.default_rng(21), 20_000).mean
    n = len(MIXTURE)
    spread = math.sqrt(MIXTURE.var() / (n + 1))
    assert abs(means.mean() - MIXTURE.mean()) < Z * spread / math.sqrt(4_000)
    assert means.std() == pytest.approx(spread, rel=0.05)
    assert means.std() == pytest.approx(MIXTURE.std(ddof=1) / math.sqrt(n), rel=0.06)


def test_the_bootstrap_beyond_the_dirichlet_limit_is_its_normal_limit() -> None:
    amounts = np.tile(MIXTURE, (DIRICHLET_EXACT // len(MIXTURE)) + 10)
    assert len(amounts) > DIRICHLET_EXACT
    means = DealSizes(amounts=amounts).draw(np.random.default_rng(22), 20_000).mean
    error = amounts.std() / math.sqrt(len(amounts))
    assert abs(means.mean() - amounts.mean()) < Z * error / math.sqrt(20_000)
    assert means.std() == pytest.approx(error, rel=0.05)


def test_bootstrap_sizes_are_observed_amounts_scaled_by_the_drawn_mean() -> None:
    amounts = np.array([0.0] + [100.0] * 17 + [250.0, 1_000.0, 1_000.0])
    draws = DealSizes(amounts=amounts).draw(np.random.default_rng(23), 3_000)
    assert draws.scale is not None
    owners = np.repeat(np.arange(3_000), 10)
    sampled = draws.sample(np.random.default_rng(24), owners)
    unscaled = sampled / draws.scale[owners]
    assert set(np.round(unscaled, 9).tolist()) == {0.0, 100.0, 250.0, 1_000.0}
    np.testing.assert_allclose(draws.mean, draws.scale * amounts.mean())
    np.testing.assert_allclose(draws.variance, draws.scale**2 * amounts.var())


def test_taking_draws_keeps_each_simulations_parameters() -> None:
    draws = DealSizes(amounts=FEW).draw(np.random.default_rng(25), 10)
    index = np.array([7, 2, 2])
    part = draws.take(index)
    assert draws.mu is not None and part.mu is not None
    assert part.mean.tolist() == draws.mean[index].tolist()
    assert part.mu.tolist() == draws.mu[index].tolist()
    assert draws.take(slice(3, 5)).variance.tolist() == draws.variance[3:5].tolist()


# ------------------------------------------------------------------------------- the plan


def test_the_planned_size_is_lognormal_around_the_plan() -> None:
    """One win at a time: the planned mean, the lognormal variance (e^σ² − 1)·m² and the
    median m·e^(−σ²/2); no parameter uncertainty."""
    planned = 20_000.0
    draws = DealSizes(planned=planned).draw(np.random.default_rng(8), 200_000)
    assert np.unique(draws.mean).tolist() == pytest.approx([planned])
    variance = math.expm1(PLAN_SIGMA**2) * planned**2
    assert np.unique(draws.variance).tolist() == pytest.approx([variance])
    one = price(np.random.default_rng(9), np.ones(200_000, dtype=np.int64), draws)
    assert abs(one.mean() - planned) < Z * mean_error(one)
    assert np.median(one) == pytest.approx(planned * math.exp(-(PLAN_SIGMA**2) / 2), rel=0.01)


# ------------------------------------------------------------- what parameter uncertainty does


def test_few_amounts_give_a_wider_revenue_interval_than_many_alike() -> None:
    """The same five amounts, seen once or forty times over: the same mean, but five amounts
    say little about the size distribution, so the revenue interval must be wider."""
    many = np.tile(FEW, 40)
    assert many.mean() == pytest.approx(FEW.mean())
    rates = Rates(planned=np.array([0.5]))

    def relative_width(amounts: NDArray[np.float64]) -> float:
        revenue = simulate(rates, DealSizes(amounts=amounts), 400, 20_000, seed=31).revenue
        p10, p90 = np.percentile(revenue, [10, 90])
        return float((p90 - p10) / revenue.mean())

    assert relative_width(FEW) > 1.5 * relative_width(many)


def test_few_amounts_no_longer_fail_and_lean_on_the_plan() -> None:
    """One won amount and a plan: a forecast, centred between the two."""
    sizes = DealSizes(amounts=np.array([50_000.0]), planned=10_000.0)
    assert sizes.model == "lognormal"
    assert 10_000.0 < sizes.mean < 50_000.0
