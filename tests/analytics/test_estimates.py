"""Per-stage estimates from the stays (analytics/estimates.py): the survival conversion and how
it reduces to counts, its effective number of deals, the durations and the median cycle; and the
Wilson interval built on them, against statsmodels (a test oracle only)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from salesflow.analytics.estimates import (
    NO_DURATIONS,
    counted_conversion,
    durations,
    median_cycle,
    survival_conversion,
)
from salesflow.analytics.stage_events import Stays
from salesflow.analytics.stats import wilson_interval
from salesflow.analytics.survival import EventTable

ADVANCED, LOST, OPEN = 1, 2, 0
PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)

# (day, outcome) of each stay
Rows = list[tuple[int, int]]


def table(rows: Rows) -> EventTable:
    times = np.asarray([t for t, _ in rows], dtype=np.float64)
    events = np.asarray([e for _, e in rows], dtype=np.int64)
    return EventTable.of(
        times,
        (events == ADVANCED).astype(np.float64),
        (events == LOST).astype(np.float64),
        (events == OPEN).astype(np.float64),
    )


def stays(rows: Rows, timed: Rows | None = None) -> Stays:
    return Stays(all=table(rows), timed=table(rows if timed is None else timed))


decided_rows = st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from([ADVANCED, LOST])), min_size=1, max_size=60
)
any_rows = st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from([ADVANCED, LOST, OPEN])),
    min_size=1,
    max_size=60,
)


@PROPERTY
@given(rows=decided_rows)
def test_nothing_censored_is_the_count(rows: Rows) -> None:
    advanced = sum(e == ADVANCED for _, e in rows)
    lost = len(rows) - advanced
    conversion = survival_conversion(stays(rows))
    assert conversion is not None
    # exactly, not approximately: the interval must be the plain Wilson interval of the counts
    assert conversion.share == advanced / (advanced + lost)
    assert conversion.effective_deals == advanced + lost
    assert conversion.share * conversion.effective_deals == pytest.approx(advanced, abs=1e-9)
    assert conversion.variance == pytest.approx(
        conversion.share * (1 - conversion.share) / len(rows)
    )


@settings(max_examples=100, deadline=None, derandomize=True)
@given(data=st.data(), trials=st.integers(1, 5_000))
def test_wilson_interval_is_statsmodels(data: st.DataObject, trials: int) -> None:
    successes = data.draw(st.integers(0, trials))
    interval = wilson_interval(successes, trials)
    assert interval is not None
    low, high = proportion_confint(successes, trials, alpha=0.05, method="wilson")
    assert interval == pytest.approx((low, high), abs=1e-9)


def test_wilson_interval_of_a_counted_conversion_is_statsmodels() -> None:
    # how funnel.py builds the interval: share × effective deals of effective deals
    for advanced, lost in [(7, 1), (0, 5), (5, 0), (3, 3), (1, 2), (996, 4)]:
        conversion = counted_conversion(advanced, lost)
        assert conversion is not None
        interval = wilson_interval(
            conversion.share * conversion.effective_deals, conversion.effective_deals
        )
        expected = proportion_confint(advanced, advanced + lost, alpha=0.05, method="wilson")
        assert interval == pytest.approx(expected, abs=1e-9)


def test_no_conversion_when_no_stay_ended() -> None:
    assert survival_conversion(stays([(3, OPEN), (0, OPEN), (7, OPEN)])) is None
    assert survival_conversion(stays([])) is None
    assert counted_conversion(0, 0) is None


def test_censoring_changes_the_share_from_the_count() -> None:
    # Four stays: advanced at day 2, open since day 5, lost at day 9, lost at day 12.
    #   t=2: at risk 4, F1 = 1/4, S = 3/4; t=5: censored; t=9: at risk 2, S = 3/8; t=12: S = 0
    # F1 stays 1/4, while the count says 1/3 (the open deal is counted as still at risk).
    conversion = survival_conversion(stays([(2, ADVANCED), (5, OPEN), (9, LOST), (12, LOST)]))
    assert conversion is not None
    assert conversion.share == pytest.approx(1 / 4)
    # an open deal that waited less than anyone decided adds nothing: 1 of 3 as counted
    early = survival_conversion(stays([(0, OPEN), (2, ADVANCED), (9, LOST), (12, LOST)]))
    assert early is not None
    assert early.share == pytest.approx(1 / 3)
    assert early.effective_deals == pytest.approx(3)


def test_effective_deals_when_every_decided_stay_went_one_way() -> None:
    # a share of exactly 0 or 1 with stays open: p(1 − p) is 0, and the share counts as known
    # from the decided stays only, not from every stay
    #   nothing advanced: F1 = 0 whatever is open
    lost = survival_conversion(stays([(1, LOST), (2, OPEN), (3, LOST), (8, OPEN), (9, OPEN)]))
    assert lost is not None
    assert (lost.share, lost.effective_deals) == (0.0, 2)
    #   the open ones left before the last decision, which took everyone left: F1 = 1
    advanced = survival_conversion(stays([(1, OPEN), (2, ADVANCED), (2, OPEN), (3, ADVANCED)]))
    assert advanced is not None
    assert advanced.share == pytest.approx(1.0, abs=1e-15)
    assert advanced.effective_deals == 2


def test_effective_deals_when_the_share_is_one_up_to_rounding() -> None:
    # Nine stays: advanced at 0, 2, 2, 6, 6, 8, 9; open at 3, 3. The last decision takes
    # everyone left (S(9) = 0) and no stay was lost, so F1 = 1 and its variance is 0: the share
    # is known as well as from its 7 decided stays. The cumulative sum gives
    # F1 = 0.9999999999999999, p(1 − p) = 1.1e-16 over a variance of the same size, and
    # effective deals come out as 4.
    rows = [(0, ADVANCED), (2, ADVANCED), (2, ADVANCED), (3, OPEN), (3, OPEN)]
    rows += [(6, ADVANCED), (6, ADVANCED), (8, ADVANCED), (9, ADVANCED)]
    conversion = survival_conversion(stays(rows))
    assert conversion is not None
    assert conversion.share == pytest.approx(1.0, abs=1e-12)
    assert conversion.effective_deals == pytest.approx(7)


@PROPERTY
@given(rows=any_rows)
def test_effective_deals_never_exceed_the_stays(rows: Rows) -> None:
    conversion = survival_conversion(stays(rows))
    decided = sum(e != OPEN for _, e in rows)
    if decided == 0:
        assert conversion is None
        return
    assert conversion is not None
    assert 0.0 <= conversion.share <= 1.0
    assert 0 < conversion.effective_deals <= len(rows)
    # open stays add no precision beyond the decided ones (they tell when, not how, deals leave)
    assert conversion.effective_deals <= decided
    if all(e != OPEN for _, e in rows):
        assert conversion.effective_deals == decided
    interval = wilson_interval(
        conversion.share * conversion.effective_deals, conversion.effective_deals
    )
    assert interval is not None
    assert 0.0 <= interval[0] <= interval[1] <= 1.0


def test_durations_not_reached() -> None:
    # Ten timed stays: lost at 3 and 5, advanced at 4, seven open at 10.
    #   S = 9/10, 8/10, 7/10, 7/10: never down to 1/2, so no median and no P80 ("not reached").
    #   advance: F1 = 1/10 at 4, its only step: median 4.
    #   lose: F2 = 1/10 at 3, + 8/10 · 1/8 = 2/10 at 5; half of 2/10 is reached at 3.
    rows = [(3, LOST), (4, ADVANCED), (5, LOST)] + [(10, OPEN)] * 7
    result = durations(stays(rows))
    assert result.median is None
    assert result.p80 is None
    assert result.to_advance == 4.0
    assert result.to_lose == 3.0
    assert (result.completed, result.open) == (3, 7)


def test_durations_use_the_timed_stays_only() -> None:
    # every stay: four, two of them untimed at day 0; timed: lost at 2, advanced at 6
    everything = [(0, ADVANCED), (0, ADVANCED), (2, LOST), (6, ADVANCED)]
    result = durations(stays(everything, timed=[(2, LOST), (6, ADVANCED)]))
    # S = 1/2 at 2, 0 at 6: median 2, P80 6
    assert (result.median, result.p80) == (2.0, 6.0)
    assert (result.to_advance, result.to_lose) == (6.0, 2.0)
    assert (result.completed, result.open) == (2, 0)


def test_durations_without_timed_stays() -> None:
    assert durations(stays([(0, ADVANCED)], timed=[])) == NO_DURATIONS
    assert NO_DURATIONS.median is None and NO_DURATIONS.completed == 0


def test_median_cycle() -> None:
    assert median_cycle(None) is None
    assert median_cycle(stays([(0, ADVANCED)], timed=[])) is None
    # won at 10, 20, 30 and lost at 40: F1 = 1/4, 1/2, 3/4; half of 3/4 first reached at 20
    assert median_cycle(stays([(10, ADVANCED), (20, ADVANCED), (30, ADVANCED), (40, LOST)])) == 20
    # nobody won
    assert median_cycle(stays([(10, LOST), (20, OPEN)])) is None


def test_undecided_is_the_share_still_open_at_the_end() -> None:
    # advanced at 2, lost at 4, two open at 9: S = 3/4, 1/2, 1/2 → half the stays undecided
    conversion = survival_conversion(stays([(2, ADVANCED), (4, LOST), (9, OPEN), (9, OPEN)]))
    assert conversion is not None
    assert conversion.share == pytest.approx(1 / 4)
    assert conversion.undecided == pytest.approx(1 / 2)
    # nothing open, nothing undecided
    decided = survival_conversion(stays([(2, ADVANCED), (4, LOST)]))
    assert decided is not None and decided.undecided == 0.0
    # an open stay that ended before the last decision leaves nothing undecided
    early = survival_conversion(stays([(1, OPEN), (2, ADVANCED), (4, LOST)]))
    assert early is not None and early.undecided == pytest.approx(0.0, abs=1e-15)
