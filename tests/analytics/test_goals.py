"""Goals and quotas (analytics.goals, goal_data, goal_stats): pro-rating, the revenue won in the
window, the probability of a shortfall against scipy and a simulation, the win rate's
effective deals against the binomial test, and the whole report on a small CSV worked out by
hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from salesflow.analytics.goal_stats import (
    RateEvidence,
    credible,
    discoveries,
    regularized_gamma,
    revenue_shortfall,
    win_rate_evidence,
)
from salesflow.analytics.goals import DAYS_PER, flagged_together, prorated
from salesflow.model import Quota
from salesflow.model.funnel import (
    FunnelReport,
    Group,
    PersonGoals,
    RevenueGoal,
    StageMetrics,
    WinRateGoal,
)
from tests.sources.deal_data import PROCESS_YAML, report

TEAM = """\
team:
  - {name: Ann, role: ae, quota: {amount: 20000, per: month}}
  - {name: bob, role: ae}
  - {name: Dana, role: ae}
goals:
  win_rate: 0.25
  cycle_days: 45
  revenue: {amount: 300000, per: year}
"""
GOALS_PROCESS = (
    PROCESS_YAML.replace(
        "    title: Account Executive\n",
        "    title: Account Executive\n    quota: {amount: 60000, per: quarter}\n",
    )
    + TEAM
)
HEADER = "deal_id,stage,amount,created_at,closed_at,owner\n"
DEALS = HEADER + (
    "1,Won,10000,2024-01-01,2024-01-20,ann\n"
    "2,Won,30000,2024-01-05,2024-02-10,ann\n"
    "3,Won,20000,2024-01-10,2024-03-01,Bob\n"
    "4,Lost,,2024-01-15,2024-02-01,Bob\n"
    "5,Alpha,,2024-03-10,,cid\n"
    "6,Lost,,2024-02-01,2024-03-31,ann\n"
    "7,Won,5000,2024-02-01,2024-02-15,\n"
)
# By hand: the window runs from the first deal, 2024-01-01, to the end of the data, the close of
# deal 6 on 2024-03-31: 91 days. Won: ann 10,000 + 30,000 (Σx² 1e9), Bob 20,000 (Σx² 4e8), no
# owner 5,000; the team 65,000 with Σx² 1.425e9. D (Σx² / Σx): ann 25,000, Bob 20,000, team
# 21,923.08; each person is judged with the larger of their own and the team's.
DAYS = 91
TEAM_D = 1.425e9 / 65000


def goals_report(tmp_path: Path, deals: str = DEALS, **options: object) -> FunnelReport:
    return report(tmp_path, deals, process=GOALS_PROCESS, by="owner", **options)


def group(result: FunnelReport, key: str) -> Group:
    return next(g for g in result.groups if g.key == key)


# --- pro-rating ---------------------------------------------------------------------------


def test_period_lengths_are_fractions_of_the_julian_year() -> None:
    assert DAYS_PER == {"month": 30.4375, "quarter": 91.3125, "year": 365.25}


@pytest.mark.parametrize(
    ("amount", "per", "days", "expected"),
    [
        (36525, "year", 100, 10000.0),
        (30437.5, "month", 1, 1000.0),
        (91312.5, "quarter", 365, 365000.0),
        (20000, "month", 91, 20000 * 91 * 12 / 365.25),
    ],
)
def test_prorated_quota(amount: float, per: str, days: int, expected: float) -> None:
    assert prorated(Quota.model_validate({"amount": amount, "per": per}), days) == pytest.approx(
        expected, rel=1e-15
    )


# --- the probability of a shortfall -------------------------------------------------------


@pytest.mark.parametrize("a", [0.05, 0.5, 1.0, 1.7, 4.0, 33.3, 250.0, 2e5, 1e6])
@pytest.mark.parametrize("x", [0.0, 1e-4, 0.3, 1.0, 3.5, 30.0, 260.0, 1.99e5, 1.001e6])
def test_regularized_gamma_matches_scipy(a: float, x: float) -> None:
    assert regularized_gamma(a, x) == pytest.approx(special.gammainc(a, x), abs=1e-8)


@pytest.mark.parametrize("wins", [0, 1, 3, 8, 20])
@pytest.mark.parametrize("expected_wins", [0.2, 2.0, 5.5, 12.0])
def test_equal_amounts_give_the_exact_poisson_test(wins: int, expected_wins: float) -> None:
    size = 12_000.0  # every amount the same: D is the amount, revenue ÷ D counts the wins
    probability = revenue_shortfall(expected_wins * size, wins * size, size)
    assert probability == pytest.approx(1 - stats.poisson.cdf(wins, expected_wins), abs=1e-12)


def test_no_wins_is_the_chance_of_at_least_one_win_on_target() -> None:
    assert revenue_shortfall(30_000, 0.0, 20_000) == pytest.approx(1 - math.exp(-1.5))
    # a long window with no win against a quota worth many deals is a credible shortfall
    assert revenue_shortfall(400_000, 0.0, 20_000) > 0.999


def test_a_person_on_target_is_flagged_in_at_most_one_data_set_in_ten() -> None:
    """Compound Poisson revenue with lognormal amounts, exactly on target: the share of data
    sets flagged (P ≥ 0.9) stays below 0.1, while half the target is flagged far more often."""
    rng = np.random.default_rng(20_260_501)
    sigma, wins_on_target, trials = 0.8, 12.0, 2000
    mean, second = math.exp(sigma**2 / 2), math.exp(2 * sigma**2)
    spread, target = second / mean, wins_on_target * mean

    def flagged(rate: float) -> float:
        counts = rng.poisson(wins_on_target * rate, trials)
        won = [rng.lognormal(0.0, sigma, n).sum() for n in counts]
        return float(np.mean([revenue_shortfall(target, w, spread) >= 0.9 for w in won]))

    assert flagged(1.0) <= 0.1
    assert flagged(0.5) >= 0.3


@settings(max_examples=60, deadline=None)
@given(
    target=st.floats(1.0, 1e7),
    won=st.floats(0.0, 1e7),
    spread=st.floats(10.0, 1e5),
    scale=st.floats(1e-3, 1e3),
)
def test_shortfall_is_the_same_in_any_currency_unit(
    target: float, won: float, spread: float, scale: float
) -> None:
    """Scaling every amount (quota, revenue, deal sizes) changes nothing: attainment is a ratio
    and the probability depends on the revenue in units of D."""
    base = revenue_shortfall(target, won, spread)
    assert revenue_shortfall(target * scale, won * scale, spread * scale) == pytest.approx(
        base, abs=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(target=st.floats(1.0, 1e6), won=st.floats(0.0, 1e6), more=st.floats(0.0, 1e6))
def test_more_revenue_never_makes_a_shortfall_likelier(
    target: float, won: float, more: float
) -> None:
    spread = 5_000.0
    assert (
        revenue_shortfall(target, won + more, spread)
        <= revenue_shortfall(target, won, spread) + 1e-12
    )
    assert (
        revenue_shortfall(target + more, won, spread)
        >= revenue_shortfall(target, won, spread) - 1e-12
    )


# --- the win rate's evidence --------------------------------------------------------------


def stage(conversion: float | None, deals: float | None, undecided: float = 0.0) -> StageMetrics:
    return StageMetrics.model_validate(
        {
            "id": "s",
            "name": "S",
            "entered": 0,
            "advanced": 0,
            "lost": 0,
            "open": 0,
            "conversion": conversion,
            "conversion_ci": None,
            "conversion_method": "counts",
            "effective_deals": deals,
            "undecided": undecided,
            "naive_conversion": None,
            "planned_conversion": None,
            "gap_points": None,
            "probability_below_plan": None,
            "cumulative_conversion": None,
            "win_probability": None,
            "median_days": None,
            "p80_days": None,
            "planned_days": None,
            "median_days_to_advance": None,
            "median_days_to_lose": None,
            "completed_stays": 0,
            "open_stays": 0,
        }
    )


@pytest.mark.parametrize("decided", [[50, 30, 12, 9], [200, 40, 39, 5], [7, 7, 7, 3]])
def test_counted_stages_are_worth_exactly_the_deals_that_entered(decided: list[int]) -> None:
    """Every deal decided (none open): deals advancing from one stage are those deciding the
    next, so the product of the conversions is won ÷ entered and the delta method gives back
    exactly the deals that entered; the test is then the exact binomial one."""
    advanced = [*decided[1:], 2]
    stages = [stage(a / d, d) for a, d in zip(advanced, decided, strict=True)]
    evidence = win_rate_evidence(stages)
    assert evidence is not None
    assert evidence.share == pytest.approx(2 / decided[0])
    assert evidence.effective_deals == pytest.approx(decided[0])
    for goal in (0.05, 0.2, 0.5):
        expected = 1 - stats.binom.cdf(2, decided[0], goal)
        assert evidence.probability_below(goal) == pytest.approx(expected, abs=1e-9)


def test_win_rate_edge_cases() -> None:
    assert win_rate_evidence([stage(0.5, 10), stage(None, None)]) is None
    assert win_rate_evidence([]) is None
    nothing = win_rate_evidence([stage(0.6, 10), stage(0.0, 4)])
    assert nothing == RateEvidence(0.0, 0.0, 4)  # as precise as the stage that converted none
    everything = win_rate_evidence([stage(1.0, 10), stage(1.0, 4)])
    assert everything == RateEvidence(1.0, 1.0, 4)


def test_undecided_deals_get_the_benefit_of_the_doubt() -> None:
    """Shares 0.5 of 20 and 0.5 of 10: 0.25, worth 0.75 / (0.25 · (0.5/10 + 0.5/5)) = 20 deals;
    10% of the first stage undecided raises the rate judged to 0.6 · 0.5 = 0.3, and the upper
    end of the Wilson interval by the same 0.05."""
    evidence = win_rate_evidence([stage(0.5, 20, undecided=0.1), stage(0.5, 10)])
    assert evidence is not None
    assert (evidence.share, evidence.optimistic) == (0.25, pytest.approx(0.3))
    assert evidence.effective_deals == pytest.approx(20)
    low, high = proportion_confint(5, 20, alpha=0.05, method="wilson")
    assert evidence.interval() == (pytest.approx(low), pytest.approx(high + 0.05))
    assert evidence.probability_below(0.5) == pytest.approx(1 - stats.binom.cdf(6, 20, 0.5))


# --- the report ---------------------------------------------------------------------------


def test_team_goals_over_the_window(tmp_path: Path) -> None:
    goals = goals_report(tmp_path).goals
    assert goals is not None and goals.window is not None
    assert goals.window.model_dump() == {"start": "2024-01-01", "end": "2024-03-31", "days": DAYS}
    revenue = goals.revenue
    assert revenue is not None
    target = 300000 * DAYS / 365.25
    assert (revenue.amount, revenue.per, revenue.source) == (300000, "year", "goals")
    assert revenue.prorated == pytest.approx(target)
    assert (revenue.won, revenue.wins) == (65000, 4)
    assert revenue.attainment == pytest.approx(65000 / target)
    expected = special.gammainc(65000 / TEAM_D + 1, target / TEAM_D)
    assert revenue.probability_shortfall == pytest.approx(expected, rel=1e-9)
    assert expected < 0.9
    assert revenue.shortfall is False
    # win rate: 4 won of 7; the open deal sits in the first stage, so 4/6 there, 4/4 after:
    # counts only, worth the 6 decided deals; the binomial test against the goal of 0.25
    rate = goals.win_rate
    assert rate is not None
    assert (rate.win_rate, rate.effective_deals) == (pytest.approx(4 / 6), pytest.approx(6))
    assert rate.probability_below == pytest.approx(1 - stats.binom.cdf(4, 6, 0.25))
    assert rate.below is False
    assert goals.cycle_days is not None
    # cycles: won 14, 19, 36, 51 days, lost 17, 59, open 21 (censored). The incidence of
    # winning: 1/7 at 14, 2/7 at 19, 10/21 at 36, 14/21 at 51; half of 14/21 is reached at 36
    cycle = goals.cycle_days.model_dump()
    assert (cycle["goal"], cycle["median_cycle_days"]) == (45, 36)
    # four wins: the bootstrap medians are win days, and above 45 (51) only now and then
    assert cycle["median_cycle_days_ci"] == (14, 51)
    assert 0.0 < cycle["probability_above"] < 0.5
    assert cycle["above"] is False


def test_each_person_against_their_quota(tmp_path: Path) -> None:
    result = goals_report(tmp_path)
    assert [g.key for g in result.groups] == ["(none)", "Bob", "ann", "cid"]
    assert group(result, "(none)").goals is None
    ann = group(result, "ann").goals
    assert ann is not None and ann.quota is not None
    assert (ann.in_team, ann.role, ann.quota.source) == (True, "ae", "own")
    target = 20000 * DAYS / DAYS_PER["month"]
    assert ann.quota.prorated == pytest.approx(target)
    assert (ann.quota.won, ann.quota.wins) == (40000, 2)
    assert ann.quota.attainment == pytest.approx(40000 / target)
    expected = special.gammainc(40000 / 25000 + 1, target / 25000)  # her own D beats the team's
    assert ann.quota.probability_shortfall == pytest.approx(expected, rel=1e-9)
    assert ann.win_rate is not None
    assert ann.win_rate.probability_below == pytest.approx(1 - stats.binom.cdf(2, 3, 0.25))
    bob = group(result, "Bob").goals
    assert bob is not None and bob.quota is not None
    assert (bob.quota.amount, bob.quota.per, bob.quota.source) == (60000, "quarter", "role")
    target = 60000 * DAYS / DAYS_PER["quarter"]
    expected = special.gammainc(20000 / TEAM_D + 1, target / TEAM_D)  # the team's D is larger
    assert bob.quota.probability_shortfall == pytest.approx(expected, rel=1e-9)
    cid = group(result, "cid").goals
    assert cid is not None
    assert (cid.in_team, cid.role, cid.quota) == (False, None, None)
    assert cid.win_rate is not None and cid.win_rate.win_rate is None


def test_notes_name_people_without_deals_and_owners_outside_the_team(tmp_path: Path) -> None:
    notes = goals_report(tmp_path).notes
    assert notes[-2:] == [
        "1 person in team has no deals in the data: Dana; check the names against the owner column",
        "1 owner in the data is not in team (no role or quota): cid",
    ]


def test_the_list_of_owners_outside_the_team_is_capped(tmp_path: Path) -> None:
    rows = "".join(f"{n},Won,100,2024-01-01,2024-01-02,rep{n:02}\n" for n in range(13))
    notes = goals_report(tmp_path, HEADER + rows + "99,Won,100,2024-01-01,2024-01-02,ann\n").notes
    assert notes[-1] == (
        "13 owners in the data are not in team (no role or quota): rep00, rep01, rep02, rep03, "
        "rep04, rep05, rep06, rep07, rep08, rep09 and 3 more"
    )
    assert notes[-2].startswith("2 people in team have no deals in the data: bob, Dana;")


def test_no_wins_over_three_days_is_not_a_credible_shortfall(tmp_path: Path) -> None:
    """ann has no win in a 3-day window: her 20,000 a month pro-rates to 1,971, worth 0.09 of
    the team's D (21,000): seeing no win then is likely even on quota."""
    deals = HEADER + (
        "1,Alpha,,2024-03-01,,ann\n2,Won,21000,2024-03-01,2024-03-02,bob\n3,Beta,,2024-03-03,,ann\n"
    )
    result = goals_report(tmp_path, deals)
    assert result.goals is not None and result.goals.window is not None
    assert result.goals.window.days == 3
    ann = group(result, "ann").goals
    assert ann is not None and ann.quota is not None
    target = 20000 * 3 / DAYS_PER["month"]
    assert (ann.quota.won, ann.quota.wins, ann.quota.attainment) == (0.0, 0, 0.0)
    assert ann.quota.probability_shortfall == pytest.approx(1 - math.exp(-target / 21000))
    assert ann.quota.probability_shortfall < 0.1
    assert ann.quota.shortfall is False


def test_since_counts_wins_in_the_window_of_deals_created_before_it(tmp_path: Path) -> None:
    """From 2024-02-01: ann's deal 2 (created in January, won on February 10) counts, deal 1
    (won in January) does not; Bob has no deal created since, yet won deal 3 on March 1: he
    gets a group of no deals, for his quota."""
    from datetime import date

    result = goals_report(tmp_path, since=date(2024, 2, 1))
    assert result.goals is not None and result.goals.window is not None
    assert (result.goals.window.start, result.goals.window.days) == ("2024-02-01", 60)
    ann = group(result, "ann").goals
    assert ann is not None and ann.quota is not None
    assert (ann.quota.won, ann.quota.wins) == (30000, 1)
    bob = group(result, "Bob")
    assert bob.funnel.deals.total == 0
    assert bob.goals is not None and bob.goals.quota is not None
    assert bob.goals.quota.won == 20000
    assert bob.goals.win_rate is not None and bob.goals.win_rate.win_rate is None
    assert not any("no deals in the data: bob" in note.lower() for note in result.notes)


def test_without_goals_nothing_is_added(tmp_path: Path) -> None:
    plain = report(tmp_path, DEALS, by="owner")
    assert plain.goals is None
    assert all(g.goals is None for g in plain.groups)
    assert not any("team" in note for note in plain.notes)


def test_goals_without_by_owner_judge_the_team_only(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, process=GOALS_PROCESS)
    assert result.goals is not None and result.goals.revenue is not None
    assert result.goals.revenue.won == 65000
    assert result.groups == []
    assert not any("team" in note for note in result.notes)


def test_without_amounts_quotas_are_not_measured(tmp_path: Path) -> None:
    deals = "deal_id,stage,created_at,closed_at,owner\n1,Won,2024-01-01,2024-01-05,ann\n"
    result = goals_report(tmp_path, deals)
    ann = group(result, "ann").goals
    assert ann is not None and ann.quota is not None
    assert (ann.quota.won, ann.quota.attainment, ann.quota.probability_shortfall) == (
        None,
        None,
        None,
    )
    assert "quotas and the revenue goal are not measured: the data has no amounts" in result.notes


# --- many people at once ------------------------------------------------------------------


probabilities = st.lists(
    st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0)), min_size=1, max_size=40
)


@given(probabilities)
@settings(max_examples=200, deadline=None)
def test_people_are_flagged_as_benjamini_hochberg_at_ten_percent(found: list[float | None]) -> None:
    flags = discoveries(found)
    judged = [index for index, p in enumerate(found) if p is not None]
    assert all(not flags[index] for index, p in enumerate(found) if p is None)
    if not judged:
        return
    # At a p-value equal to its threshold k × rate / m, 1 − probability rounds either way in
    # floating point: the oracle's side of the tie is chance (ours: `credible`, tested below)
    thresholds = [k * 0.1 / len(judged) for k in range(1, len(judged) + 1)]
    assume(
        all(abs(1.0 - found[i] - t) > 1e-9 for i in judged for t in thresholds)  # type: ignore[operator]
    )
    oracle, _, _, _ = multipletests(
        [1.0 - found[index] for index in judged],  # type: ignore[operator]
        alpha=0.1,
        method="fdr_bh",
    )
    assert [flags[index] for index in judged] == list(oracle)


def test_a_p_value_at_its_threshold_is_flagged() -> None:
    # p = 1 − 0.99 is the first threshold 1 × 0.1 / 10: flagged (p₍ₖ₎ ≤ k × rate / m)
    assert discoveries([0.0] * 9 + [0.99]) == [False] * 9 + [True]


@given(st.floats(min_value=0.0, max_value=1.0))
def test_one_person_alone_is_flagged_exactly_at_0_9(probability: float) -> None:
    assert discoveries([probability]) == [credible(probability)]


def _person(short: float | None, below: float | None) -> PersonGoals:
    quota = None
    if short is not None:
        quota = RevenueGoal(
            amount=1,
            per="month",
            source="own",
            prorated=1,
            won=0,
            wins=0,
            attainment=0,
            probability_shortfall=short,
            shortfall=credible(short),
        )
    rate = WinRateGoal(
        goal=0.3,
        win_rate=0.1,
        win_rate_ci=None,
        effective_deals=10,
        probability_below=below,
        below=credible(below),
    )
    return PersonGoals(in_team=True, role="ae", quota=quota, win_rate=rate)


def test_a_team_needs_more_evidence_than_one_person_and_says_who_is_held_back() -> None:
    # ten people: Ann at 0.995 passes (p 0.005 ≤ 0.1 / 10); Bob at 0.93 would pass alone but
    # not as the second of ten (p 0.07 > 2 × 0.1 / 10); the others are far from it
    people = {"Ann": _person(0.995, 0.5), "Bob": _person(0.93, 0.95)}
    people |= {f"p{i}": _person(0.2, 0.2) for i in range(8)}
    flagged, notes = flagged_together(people)
    assert flagged["Ann"].quota is not None and flagged["Ann"].quota.shortfall
    assert flagged["Bob"].quota is not None and not flagged["Bob"].quota.shortfall
    assert flagged["Bob"].win_rate is not None and not flagged["Bob"].win_rate.below
    assert [note.split(" are ")[0].split(" is ")[0] for note in notes] == ["Bob", "Bob"]
    assert "short of quota" in notes[0] and "below the win-rate goal" in notes[1]


def test_two_people_both_far_short_are_both_flagged() -> None:
    people = {"Ann": _person(0.96, None), "Bob": _person(0.951, None), "Cid": _person(None, None)}
    flagged, notes = flagged_together(people)
    assert [flagged[k].quota.shortfall for k in ("Ann", "Bob")] == [True, True]  # type: ignore[union-attr]
    assert flagged["Cid"].quota is None and notes == []
