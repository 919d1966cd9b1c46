"""The lead search's coupled simulations: in every simulation, wins and revenue never fall when
the leads rise, whatever order the lead counts are evaluated in; at any one lead count they have
the distribution of `simulate`; and the fewest leads found are the fewest on those simulations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import stats

from salesflow.analytics.deal_sizes import DealSizes
from salesflow.analytics.lead_search import LeadPaths, fewest_leads
from salesflow.analytics.simulation import EXACT_WINS, Dispersion, Rates, simulate

PLAN = (Rates(planned=np.array([0.4, 0.6, 0.7, 0.8])), DealSizes(planned=20_000.0), Dispersion())
DATA = (
    Rates(advanced=np.array([30, 12, 9, 6]), lost=np.array([45, 8, 4, 3])),
    DealSizes(amounts=np.concatenate((np.full(60, 5_000.0), np.full(40, 60_000.0)))),
    Dispersion(0.05),
)
FEW_AMOUNTS = (
    Rates(planned=np.array([0.3])),
    DealSizes(amounts=np.array([8_000.0, 30_000.0, 12_000.0])),
    Dispersion(0.1),
)
CASES = {"plan": PLAN, "data": DATA, "few-amounts": FEW_AMOUNTS}
Z = 4.0
PROPERTY = settings(max_examples=15, deadline=None, derandomize=True)


def paths(case: str, sims: int, seed: int) -> LeadPaths:
    rates, sizes, dispersion = CASES[case]
    return LeadPaths.start(rates, sizes, sims, seed, dispersion)


def reach(found: LeadPaths, leads: int, target: float) -> float:
    return float((found.revenue(leads) >= target).mean())


def mean_error(sample: NDArray[np.float64]) -> float:
    return float(sample.std(ddof=1) / math.sqrt(len(sample)))


# ---------------------------------------------------------------------------- monotonicity


@PROPERTY
@given(
    case=st.sampled_from(sorted(CASES)),
    counts=st.lists(st.integers(0, 3_000), min_size=2, max_size=8, unique=True),
    seed=st.integers(0, 2**16),
)
def test_revenue_never_falls_with_leads_in_any_simulation(
    case: str, counts: list[int], seed: int
) -> None:
    """Lead counts evaluated in an arbitrary order (hypothesis draws the list unsorted): in every
    simulation, wins and revenue sorted by leads are non-decreasing."""
    found = paths(case, 300, seed)
    revenue = {leads: found.revenue(leads) for leads in counts}
    ordered = sorted(counts)
    wins = np.array([found.wins[leads] for leads in ordered])
    money = np.array([revenue[leads] for leads in ordered])
    assert (np.diff(wins, axis=0) >= 0).all()
    assert (np.diff(money, axis=0) >= 0).all()
    assert (wins <= np.array(ordered)[:, None]).all()
    if 0 in revenue:
        assert (revenue[0] == 0).all()


@PROPERTY
@given(
    case=st.sampled_from(sorted(CASES)),
    counts=st.lists(st.integers(1, 4_000), min_size=2, max_size=8, unique=True),
    quantile=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**16),
)
def test_the_hit_probability_rises_with_leads(
    case: str, counts: list[int], quantile: float, seed: int
) -> None:
    """On the search's own simulations the probability of reaching a target (here a quantile of
    the revenue at one of the counts) never falls when the leads rise."""
    found = paths(case, 300, seed)
    target = float(np.quantile(found.revenue(counts[0]), quantile))
    probability = [reach(found, leads, target) for leads in counts]
    by_leads = [p for _, p in sorted(zip(counts, probability, strict=True))]
    assert by_leads == sorted(by_leads)


# ---------------------------------------------------------------------- the same distribution


@pytest.mark.parametrize("case", ["plan", "data"])
def test_each_lead_count_has_the_distribution_of_simulate(case: str) -> None:
    """The counts evaluated out of order: 5,000 extends from nothing, 2,500 is a split below it
    (hypergeometric wins, a beta split of the gamma part), 1,000 a split below that, 1,500 one
    between two neighbours. Each against an independent `simulate` of as many leads: the mean
    within four standard errors of the difference and the law by a two-sample
    Kolmogorov–Smirnov test."""
    sims = 10_000
    rates, sizes, dispersion = CASES[case]
    found = LeadPaths.start(rates, sizes, sims, 5, dispersion)
    for leads in (5_000, 2_500, 1_000, 1_500):
        found.revenue(leads)
    assert min(found.wins[1_000].mean(), found.wins[1_500].mean()) > EXACT_WINS
    for leads in (5_000, 2_500, 1_000, 1_500):
        mine = found.revenue(leads)
        theirs = simulate(rates, sizes, leads, sims, 6, dispersion).revenue
        error = math.hypot(mean_error(mine), mean_error(theirs))
        assert abs(mine.mean() - theirs.mean()) < Z * error, leads
        assert stats.ks_2samp(mine, theirs).pvalue > 1e-3, leads


def test_wins_below_exact_wins_have_the_distribution_of_simulate() -> None:
    """Few leads (wins priced one by one from the fixed sequence), evaluated after more."""
    sims = 10_000
    rates, sizes, dispersion = PLAN
    found = LeadPaths.start(rates, sizes, sims, 8, dispersion)
    for leads in (400, 30, 120):
        found.revenue(leads)
    q = float(np.prod(rates.expected()))
    for leads in (30, 120):
        wins = found.wins[leads].astype(np.float64)
        law = stats.binom(leads, q)
        assert abs(wins.mean() - law.mean()) < Z * math.sqrt(law.var() / sims)
        mine = found.revenue(leads)
        theirs = simulate(rates, sizes, leads, sims, 9, dispersion).revenue
        assert stats.ks_2samp(mine, theirs).pvalue > 1e-3, leads


# --------------------------------------------------------------------------- the fewest leads


@PROPERTY
@given(
    case=st.sampled_from(sorted(CASES)),
    scale=st.floats(0.01, 1.5),
    confidence=st.sampled_from([0.5, 0.8, 0.9, 0.95]),
    start=st.integers(1, 5_000),
    seed=st.integers(0, 2**16),
)
def test_the_fewest_leads_are_the_fewest_on_the_searchs_simulations(
    case: str, scale: float, confidence: float, start: int, seed: int
) -> None:
    """Whatever the start of the search: the count found reaches the target with the
    confidence on the search's own simulations, one lead fewer does not, nor does any count
    below (evaluated afterwards, coupled to the rest)."""
    found = paths(case, 300, seed)
    target = scale * float(found.revenue(2_000).mean())
    needed = fewest_leads(found, target, confidence, start, 10**6)
    assert needed is not None
    assert reach(found, needed, target) >= confidence
    assert reach(found, needed - 1, target) < confidence
    below = np.random.default_rng(seed).integers(0, needed, 5).tolist()
    assert all(reach(found, leads, target) < confidence for leads in below)


def test_no_count_up_to_the_most_reaches_an_out_of_reach_target() -> None:
    found = paths("plan", 300, 1)
    assert fewest_leads(found, 1e12, 0.9, 10, 5_000) is None
    assert max(found.counts) == 5_000


def test_a_start_beyond_the_most_is_searched_from_the_most() -> None:
    """A tiny deal size puts the mean estimate far beyond any count: no overflow, no count."""
    found = paths("plan", 300, 1)
    assert fewest_leads(found, 1e12, 0.9, 10**400, 5_000) is None
    assert max(found.counts) == 5_000


def test_a_search_is_reproducible() -> None:
    first = fewest_leads(paths("data", 2_000, 3), 400_000.0, 0.9, 50, 10**6)
    again = fewest_leads(paths("data", 2_000, 3), 400_000.0, 0.9, 50, 10**6)
    assert first is not None
    assert first == again


def test_equal_wins_give_exactly_equal_revenue() -> None:
    found = LeadPaths.start(
        Rates(planned=np.array([0.9])), DealSizes(planned=1_000.0), 200, 112, Dispersion(0.1)
    )
    for leads in (98, 228, 92, 123, 340, 225):
        found.revenue(leads)
    same = found.wins[225] == found.wins[228]
    assert same.sum() > 0
    assert (found.revenue(225)[same] == found.revenue(228)[same]).all()
    assert (found.revenue(225) <= found.revenue(228)).all()
