"""Shape 2, wide: one column per stage with the date the deal entered it (HubSpot's
"Date entered …"). Counts, rates and days in stage of a small hand-made table.

Planned conversions (tests/sources/deal_data.py): a 0.9, b 0.95, c 0.8, d 0.9.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from scipy.special import betainc

from tests.sources.deal_data import (
    counts,
    days,
    exits,
    methods,
    naive,
    problems,
    process_yaml,
    report,
)

WIDE = process_yaml(
    "  stage_dates:\n"
    "    a: Date entered Alpha\n"
    "    b: Date entered Beta\n"
    "    c: Date entered Gamma\n"
    "    d: Date entered Delta\n"
)

HEADER = (
    "deal_id,stage,amount,created_at,closed_at,lost_at_stage,"
    "Date entered Alpha,Date entered Beta,Date entered Gamma,Date entered Delta\n"
)
DEALS = HEADER + (
    "W1,a,,2024-01-01,,,2024-01-01,,,\n"
    "W2,b,,2024-01-01,,,2024-01-01,2024-01-05,,\n"
    "W3,a,,2024-01-01,,,2024-01-01,,2024-01-11,\n"
    "W4,Signed,5000,2024-01-01,2024-02-10,,2024-01-01,2024-01-03,2024-01-13,2024-02-01\n"
    "W5,Won,7000,2024-01-02,2024-01-22,,2024-01-02,,2024-01-12,\n"
    "W6,Lost,,2024-01-01,2024-01-09,,2024-01-01,2024-01-06,,\n"
    "W7,Dead,,2024-01-01,2024-01-15,c,2024-01-01,2024-01-07,,\n"
    "W8,Closed Lost,,2024-01-20,2024-01-25,,,,,\n"
    "W9,c,,,,,,,2024-03-01,\n"
)
# W1 open at a                     W2 open at b
# W3 open at c: its label says a, its latest date is c (b skipped) → the furthest, c
# W4 won through every stage       W5 won, b and d skipped
# W6 lost at b: no lost stage, furthest stage with a date
# W7 lost at c: lost_at_stage (its dates stop at b)
# W8 lost with no evidence: at a (warning)
# W9 open at c, no created_at (first seen 2024-03-01)
#
# won 2; lost a 1 (W8), b 1 (W6), c 1 (W7); open a 1 (W1), b 1 (W2), c 2 (W3 W9)
#   a: 2 + 3 + 4 = 9, advanced 9 − 1 − 1 = 7, naive 7/8
#   b: 2 + 2 + 3 = 7, advanced 7 − 1 − 1 = 5, naive 5/6
#   c: 2 + 1 + 2 = 5, advanced 5 − 1 − 2 = 2, naive 2/3
#   d: 2,             advanced 2,             naive 2/2
#
# Export date: the latest date, W9's entry into c on 2024-03-01 (closes 02-10 and earlier).
# Stays (days from the entry into the stage; "untimed" = counted at day 0, no duration):
#   a: W1 open 01-01 → 03-01 = 60 (censored); W2 4 (→b 01-05), W3 10 (→c 01-11), W4 2 (→b),
#      W5 10 (01-02 → c 01-12), W6 5 (→b 01-06), W7 6 (→b 01-07): advanced;
#      W8 lost, no date for a: 0, untimed; W9 advanced, no date for a: 0, untimed
#   b: W2 open 01-05 → 03-01 = 56 (censored); W4 10 (01-03 → c 01-13) advanced;
#      W6 lost 3 (01-06 → close 01-09); W5 advanced (won, b skipped): 0 untimed;
#      W7 advanced to c with no date: 0 untimed; W3 and W9 advanced, b skipped: untimed
#      (W9 at 0, first seen 03-01 → c 03-01; W3 at 10, counted from its entry into a, where
#      the rules say 0: see test_a_skipped_stage_of_an_open_deal_counts_at_day_0; both come
#      before the censoring at 56, so it changes nothing here)
#   c: W3 open 01-11 → 03-01 = 50 (censored), W9 open 03-01 → 03-01 = 0 (censored);
#      W4 19 (→d 02-01), W5 10 (→ won 01-22) advanced; W7 lost, no date for c: 0 untimed
#   d: W4 9 (02-01 → won 02-10) advanced; W5 won, d skipped: 0 untimed
#
# Conversion (Aalen–Johansen, events before censorings at a tie):
#   a: 0: 9 at risk, 1 adv, 1 lost → F = 1/9, S = 7/9; then 2, 4, 5, 6, 10, 10 advance with
#      nobody lost or censored in between: F = 1/9 + 7/9·6/7 = 7/9; W1 censored at 60
#   b: every event before W2's censoring at 56: F = advanced / entered = 5/7
#   c: 0: 5 at risk, 1 lost → S = 4/5; W9 censored → 3 at risk;
#      10: 1 adv → F = 4/5·1/3 = 4/15, S = 8/15; 19: 2 at risk, 1 adv → F = 4/15 + 8/15·1/2 = 8/15
#   d: nothing open → 2/2
CONVERSIONS = [7 / 9, 5 / 7, 8 / 15, 1.0]


def test_counts_and_rates(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, process=WIDE)
    assert result.shape == "wide stage dates"
    assert result.as_of == "2024-03-01"
    funnel = result.funnel
    assert funnel.deals.model_dump() == {"total": 9, "won": 2, "lost": 3, "open": 4}
    assert counts(funnel) == [(9, 7, 1, 1), (7, 5, 1, 1), (5, 2, 1, 2), (2, 2, 0, 0)]
    assert methods(funnel) == ["survival"] * 4
    assert [s.conversion for s in funnel.stages] == pytest.approx(CONVERSIONS)
    assert naive(funnel) == pytest.approx([7 / 8, 5 / 6, 2 / 3, 1.0])
    # cumulative 7/9, 7/9·5/7 = 5/9, 5/9·8/15 = 8/27, 8/27·1
    assert [s.cumulative_conversion for s in funnel.stages] == pytest.approx(
        [7 / 9, 5 / 9, 8 / 27, 8 / 27]
    )
    # win probability 8/27, 5/7·8/15 = 8/21, 8/15, 1
    assert [s.win_probability for s in funnel.stages] == pytest.approx([8 / 27, 8 / 21, 8 / 15, 1])
    assert [s.gap_points for s in funnel.stages] == pytest.approx(
        [(7 / 9 - 0.9) * 100, (5 / 7 - 0.95) * 100, (8 / 15 - 0.8) * 100, 10.0]
    )
    # Effective deals, p(1 − p) / variance (delta method), at most advanced + lost. With every
    # censoring after the last decision (a, b) the incidence is advanced / entered and its
    # variance the binomial p(1 − p)/entered: 9 and 7, capped at 8 and 6. c, from
    # Σ rest²·d/(n(n − d)) + S⁻²·d₁(n − d₁)/n³ − 2·rest·S⁻·d₁/n² (rest = F(end) − F(t),
    # S⁻ = S just before t, d events, d₁ advances, n at risk):
    #   t 0: rest 8/15, d 1, n 5 → 64/225 / 20 = 64/4500
    #   t 10: rest 4/15, n 3 → 16/225 / 6 = 16/1350; S⁻ 4/5: (16/25)·2/27 = 32/675, minus
    #         2·(4/15)(4/5)/9 = 32/675
    #   t 19: rest 0; S⁻ 8/15, n 2: (64/225)/8 = 64/1800
    #   variance 64/4500 + 16/1350 + 64/1800 = 1664/27000, p(1 − p) = 56/225: 105/26 ≈ 4.04,
    #   capped at 3. d: nothing open, 2 decided.
    assert [s.effective_deals for s in funnel.stages] == pytest.approx([8, 6, 3, 2])
    # The share still in the stage after its last decision (Kaplan–Meier S at the end):
    # a 1/9 (W1), b 1/7 (W2), c 4/15 (W3), d 0; 5% or more is named in a note.
    assert [s.undecided for s in funnel.stages] == pytest.approx([1 / 9, 1 / 7, 4 / 15, 0])
    assert [note.split(" of its deals")[0] for note in result.notes] == [
        "Alpha: 11%",
        "Beta: 14%",
        "Gamma: 27%",
    ]
    assert all("are still open after the longest recorded decision" in n for n in result.notes)


def test_days_in_stage(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS, process=WIDE).funnel
    # Kaplan–Meier of leaving the stage over the timed stays (entry date known; open ones
    # censored at the export date, 2024-03-01); median: first time S <= 0.5, p80: S <= 0.2.
    #   a: W1 censored 60; leaves at 2 4 5 6 10 10 (7 stays)
    #      S: 2 → 6/7, 4 → 5/7, 5 → 4/7, 6 → 3/7 (median 6), 10 → 1/7 (p80 10)
    #   b: W2 censored 56; W6 lost 3, W4 advanced 10 (3 stays)
    #      S: 3 → 2/3, 10 → 1/3 (median 10); never 0.2 or below: p80 not reached
    #   c: W9 censored 0, W3 censored 50; W5 10, W4 19 (4 stays)
    #      after W9: 3 at risk; S: 10 → 2/3, 19 → 1/3 (median 19); p80 not reached
    #   d: W4 9 → S 0: median and p80 9
    assert days(funnel) == [
        (pytest.approx(6.0), pytest.approx(10.0), 6, 1),
        (pytest.approx(10.0), None, 2, 1),
        (pytest.approx(19.0), None, 2, 2),
        (pytest.approx(9.0), pytest.approx(9.0), 1, 0),
    ]
    # The median of each exit: when its cumulative incidence reaches half of its final value.
    #   a: advance F 1/7, 2/7, 3/7, 4/7, 6/7 at 2 4 5 6 10; half of 6/7 = 3/7 at 5; no loss
    #   b: advance 1/3 at 10 → 10; lost 1/3 at 3 → 3
    #   c: advance 1/3 at 10, 2/3 at 19; half of 2/3 at 10; no loss
    #   d: advance 1 at 9
    assert exits(funnel) == [(5.0, None), (10.0, 3.0), (10.0, None), (9.0, None)]


def test_overall(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS, process=WIDE).funnel
    # the chance a new deal is won: 7/9 · 5/7 · 8/15 · 1 = 8/27, the last cumulative conversion
    assert funnel.win_rate == pytest.approx(8 / 27)
    assert funnel.win_rate == pytest.approx(funnel.stages[-1].cumulative_conversion)
    assert funnel.closed_win_rate == pytest.approx(2 / 5)  # won 2, lost 3
    assert funnel.avg_won_amount == pytest.approx(6000)
    assert funnel.median_won_amount == pytest.approx(6000)
    # cycle from first seen: W8 lost 5, W6 lost 8, W7 lost 14, W5 won 20, W4 won 40; W9
    # censored at 0, W1 W2 W3 at 60. 0: 9 → 8 at risk; 5, 8, 14: S = 7/8, 6/8, 5/8;
    # 20: 5 at risk, won → F = 5/8·1/5 = 1/8; 40: 4 at risk → F = 1/8 + 4/8·1/4 = 2/8.
    # Half of 2/8 is reached at 20.
    assert funnel.median_cycle_days == pytest.approx(20)
    # 4 open × 8/27 × 6000 ÷ 20
    assert funnel.velocity_per_day == pytest.approx(4 * 8 / 27 * 6000 / 20)
    # How sure each stage is below plan: 1 − P(X ≤ x) for X ~ Binomial(n, plan) with n the
    # effective deals and x = (conversion + undecided) × n — the undecided deals get the
    # benefit of the doubt —, I_plan(x + 1, n − x) for fractional counts:
    #   a: (7/9 + 1/9)·8 = 64/9 of 8 at 0.9: I(73/9, 8/9)
    #   b: (5/7 + 1/7)·6 = 36/7 of 6 at 0.95: I(43/7, 6/7)
    #   c: (8/15 + 4/15)·3 = 2.4 of 3 at 0.8: I(3.4, 0.6)
    #   d: converts at 100%: 0
    below = [s.probability_below_plan for s in funnel.stages]
    assert below[0] == pytest.approx(betainc(73 / 9, 8 / 9, 0.9))
    assert below[1] == pytest.approx(betainc(43 / 7, 6 / 7, 0.95))
    assert below[2] == pytest.approx(betainc(3.4, 0.6, 0.8))
    assert below[3] == 0.0
    # With 4 stages judged a bottleneck needs more than 1 − 0.1/4 = 0.975: b, the old
    # bottleneck ((0.95 − 5/6) × 6 decided × 2/3 = 0.47 extra wins), is not clearly below plan.
    assert funnel.bottleneck is None


def test_lost_with_dates_is_placed(tmp_path: Path) -> None:
    found = {p.code: p for p in problems(tmp_path, DEALS, process=WIDE)}
    assert set(found) == {"lost-without-stage"}
    # only W8 (row 9) has neither a lost stage nor a stage date
    assert found["lost-without-stage"].count == 1
    assert [d.row for d in found["lost-without-stage"].examples] == [9]


def test_window_uses_the_first_date_when_created_is_missing(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, process=WIDE, since=date(2024, 1, 20), until=date(2024, 3, 1))
    # W8 created 01-20 (since is inclusive), W9 first seen 03-01 (until is inclusive)
    funnel = result.funnel
    assert funnel.deals.model_dump() == {"total": 2, "won": 0, "lost": 1, "open": 1}
    #   a: 0 + 1 + 1 = 2, lost 1, advanced 1   b: W9, advanced 1
    #   c: W9 open, nothing decided → no conversion   d: nobody
    assert counts(funnel) == [(2, 1, 1, 0), (1, 1, 0, 0), (1, 0, 0, 1), (0, 0, 0, 0)]
    # The end of the data is still 03-01 (W9's entry into c).
    # a: W8 lost and W9 advanced (no date for a), both at day 0, nothing open: 1/2
    # b: W9 advanced at day 0 (b skipped), nothing open: 1/1
    # c: W9 censored at 0 (03-01 → 03-01), nothing decided: no conversion, never 0 or 1
    assert [s.conversion for s in funnel.stages] == [0.5, 1.0, None, None]
    assert funnel.stages[2].conversion_ci is None
    assert funnel.stages[2].gap_points is None
    assert funnel.stages[2].probability_below_plan is None
    assert [s.cumulative_conversion for s in funnel.stages] == [0.5, 0.5, None, None]
    assert [s.win_probability for s in funnel.stages] == [None, None, None, None]
    # the win rate is the product of the conversions: unknown while c has none
    assert funnel.win_rate is None
    assert funnel.closed_win_rate == 0.0  # won 0, lost 1
    # cycle: W8 lost at 5, W9 censored at 0: nothing won, no median
    assert funnel.median_cycle_days is None
    assert funnel.bottleneck is None
    assert "Gamma: no deal has advanced or been lost yet, no conversion" in result.notes
    # W9's stay in c is open; nothing completed
    assert [s.open_stays for s in funnel.stages] == [0, 0, 1, 0]


def test_a_dated_stage_no_deal_reached_is_not_called_undated(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, process=WIDE, since=date(2024, 1, 20), until=date(2024, 3, 1))
    # Every stage has a date column: none falls back to the counts, and the only note is that
    # Gamma (entered by W9, still open) has no conversion yet; Delta has no deal at all, so
    # nothing to note (no conversion, as for any stage nobody entered).
    assert methods(result.funnel) == ["survival"] * 4
    assert result.notes == ["Gamma: no deal has advanced or been lost yet, no conversion"]


def test_window_without_any_date_excludes_the_deal(tmp_path: Path) -> None:
    deals = HEADER + "N1,a,,,,,,,,\nN2,a,,2024-01-01,,,,,,\n"
    result = report(tmp_path, deals, process=WIDE, since=date(2000, 1, 1))
    assert result.funnel.deals.total == 1


def test_only_some_stages_have_dates(tmp_path: Path) -> None:
    partial = process_yaml("  stage_dates:\n    b: b_date\n")
    deals = (
        "deal_id,stage,closed_at,b_date\n"
        "P1,a,,2024-01-05\n"  # label a, dated b → open at b, stay in b open
        "P2,Won,2024-01-15,2024-01-05\n"  # won: b 10 days (→ close)
        "P3,Lost,2024-01-08,2024-01-05\n"  # lost at b (evidence), b 3 days
        "P4,Lost,2024-01-08,\n"  # lost at a, no evidence
    )
    result = report(tmp_path, deals, process=partial)
    funnel = result.funnel
    # won 1; lost a 1, b 1; open b 1
    #   a: 1 + 2 + 1 = 4, lost 1, advanced 3   b: 1 + 1 + 1 = 3, lost 1, open 1, advanced 1
    assert counts(funnel) == [(4, 3, 1, 0), (3, 1, 1, 1), (1, 1, 0, 0), (1, 1, 0, 0)]
    # Only b has a date source; a, c and d fall back to the counts, and a note says so.
    assert methods(funnel) == ["counts", "survival", "counts", "counts"]
    # End of the data 01-15 (P2's close). b: P3 lost at 3; P2 advanced at 10, P1 censored at 10
    # (events first): S = 2/3 after 3, F = 2/3·1/2 = 1/3 at 10. a 3/4, c 1/1, d 1/1 by counts.
    assert [s.conversion for s in funnel.stages] == pytest.approx([3 / 4, 1 / 3, 1.0, 1.0])
    assert naive(funnel) == pytest.approx([3 / 4, 1 / 2, 1.0, 1.0])
    assert result.notes[0].startswith("Alpha, Gamma, Delta: no dates when deals entered, so ")
    assert "assumes lost deals are closed as fast as deals advance" in result.notes[0]
    # b: 1/3 of its deals (P1) are still there after its last decision
    assert result.notes[1].startswith("Beta: 33% of its deals are still open")
    assert len(result.notes) == 2
    # b: Kaplan–Meier 3 → 2/3, 10 → 1/3 (median 10); never 0.2 or below (p80 not reached)
    assert days(funnel) == [
        (None, None, 0, 0),
        (pytest.approx(10.0), None, 2, 1),
        (None, None, 0, 0),
        (None, None, 0, 0),
    ]
    # b: advancing reaches its final 1/3 at 10, losing its final 1/3 at 3
    assert exits(funnel)[1] == (10.0, 3.0)
    # win rate 3/4 · 1/3 · 1 · 1; the closed deals alone: 1 won of 3
    assert funnel.win_rate == pytest.approx(1 / 4)
    assert funnel.closed_win_rate == pytest.approx(1 / 3)
    # Cycle (first seen = the b date 01-05): P3 lost 3, P2 won 10, P1 censored 10; P4 has no
    # first-seen date, so no cycle. F(won) = 2/3·1/2 = 1/3 at 10: half of it at 10.
    assert funnel.median_cycle_days == pytest.approx(10)


def test_time_of_day_counts(tmp_path: Path) -> None:
    two = process_yaml("  stage_dates:\n    a: a_at\n    b: b_at\n")
    deals = (
        "deal_id,stage,a_at,b_at\n"
        # 20:00 → 04:00 two days later: 32 hours = 1.33 days → 1 (the dates alone say 2)
        "T1,b,2024-01-01T20:00:00,2024-01-03T04:00:00\n"
        # 20:00−08:00 is 04:00 UTC on 01-02 → 14:00 on 01-03: 34 hours = 1.42 days → 1
        # (read without its offset: 42 hours = 1.75 days → 2)
        "T2,b,2024-01-01T20:00:00-08:00,2024-01-03 14:00:00\n"
        # 06:00 → 18:00: 12 hours = 0.5 days, rounded half away from zero → 1
        "T3,b,2024-01-01T06:00:00,2024-01-01T18:00:00\n"
    )
    funnel = report(tmp_path, deals, process=two).funnel
    # a: three stays of 1 whole day, all advanced: S = 0 at 1 → median and p80 1
    # (any stay of 2 would make the p80 2; of 0, the median 0)
    assert days(funnel)[0] == (pytest.approx(1.0), pytest.approx(1.0), 3, 0)
    assert exits(funnel)[0] == (1.0, None)


def test_open_stays_count_only_the_current_stage(tmp_path: Path) -> None:
    deals = HEADER + (
        "Q1,c,,2024-01-01,,,2024-01-01,,,\n"  # open at c (label), dated a only
        "Q2,c,,2024-01-01,,,2024-01-01,,2024-01-05,\n"  # open at c, dated a and c
    )
    funnel = report(tmp_path, deals, process=WIDE).funnel
    assert counts(funnel)[2] == (2, 0, 0, 2)
    # Q1 left a at an unknown time: neither measured nor open; Q2's stay in a is 4 days.
    # Only Q2 has a date for its current stage c: one open stay.
    assert days(funnel) == [
        (pytest.approx(4.0), pytest.approx(4.0), 1, 0),
        (None, None, 0, 0),
        (None, None, 0, 1),
        (None, None, 0, 0),
    ]


def test_dates_out_of_order(tmp_path: Path) -> None:
    deals = HEADER + (
        "O1,c,,2024-01-01,,,2024-01-10,2024-01-05,2024-01-20,\n"  # entered a after b
        "O2,b,,2024-01-01,,,2024-01-01,2024-01-03,,\n"
        "O3,Won,10,2024-01-01,2024-01-30,,2024-01-01,,2024-01-10,2024-01-05\n"  # c after d
    )
    found = {p.code: p for p in problems(tmp_path, deals, process=WIDE)}
    assert set(found) == {"dates-out-of-order"}
    problem = found["dates-out-of-order"]
    assert not problem.is_error
    assert problem.summary == (
        "2 deals entered a stage after a later one; those days in stage are not measured"
    )
    assert [(d.row, d.message) for d in problem.examples] == [
        (2, 'deal "O1" entered a stage after a later stage'),
        (4, 'deal "O3" entered a stage after a later stage'),
    ]
    funnel = report(tmp_path, deals, process=WIDE).funnel
    # End of the data: O3's close, 01-30. A negative stay counts at day 0 and is not measured.
    # a: O1 −5 days (01-10 → b 01-05): day 0, untimed; O2 2 (→ b 01-03), O3 9 (→ c 01-10):
    #    all advanced → 3/3. Kaplan–Meier 2 → 1/2 (median 2), 9 → 0 (p80 9)
    # b: O1 15 (01-05 → c 01-20) advanced; O2 open 01-03 → 01-30 = 27 (censored); O3 won with
    #    b skipped: day 0, untimed. F: 0 → 1/3, 15 → 1/3 + 2/3·1/2 = 2/3.
    #    Timed: 15 → S 1/2 (median 15), p80 not reached
    # c: O3 −5 (01-10 → d 01-05): day 0, untimed; O1 open 01-20 → 01-30 = 10 (censored).
    #    F = 1/2 at 0. Timed: O1 alone, censored: no median
    # d: O3 25 (01-05 → won 01-30)
    assert [s.conversion for s in funnel.stages] == pytest.approx([1.0, 2 / 3, 1 / 2, 1.0])
    assert days(funnel) == [
        (pytest.approx(2.0), pytest.approx(9.0), 2, 0),
        (pytest.approx(15.0), None, 1, 1),
        (None, None, 0, 1),
        (pytest.approx(25.0), pytest.approx(25.0), 1, 0),
    ]


def test_short_timestamps_with_an_offset(tmp_path: Path) -> None:
    two = process_yaml("  stage_dates:\n    a: a_at\n    b: b_at\n")
    # 09:00+12 is 21:00 UTC the day before; 12:00+02:00 is 10:00 UTC: 13 hours = 0.54 days → 1.
    # Read without the short offset it would be 09:00 → 10:00, 1 hour → 0; unread, untimed.
    deals = "deal_id,stage,a_at,b_at\nT,b,2024-01-02T09:00+12,2024-01-02T12:00:00+02:00\n"
    funnel = report(tmp_path, deals, process=two).funnel
    assert days(funnel)[0] == (pytest.approx(1.0), pytest.approx(1.0), 1, 0)


def test_a_skipped_stage_of_an_open_deal_counts_at_day_0(tmp_path: Path) -> None:
    deals = HEADER + (
        "S1,c,,2024-01-01,,,2024-01-01,,2024-01-31,\n"  # open at c, b skipped
        "S2,b,,2024-01-01,,,2024-01-01,2024-01-21,,\n"  # open at b since 01-21
        "S3,Lost,,2024-01-01,2024-01-02,b,2024-01-01,2024-01-01,,\n"  # lost at b after 1 day
    )
    funnel = report(tmp_path, deals, process=WIDE).funnel
    assert counts(funnel)[1] == (3, 1, 1, 1)
    # End of the data: S1's entry into c, 01-31. b: S1 advanced with no date for b: day 0,
    # untimed; S3 lost at 1; S2 censored at 10 (01-21 → 01-31).
    # 0: 3 at risk, 1 advances → F = 1/3, S = 2/3; 1: 2 at risk, 1 lost → S = 1/3; then S2
    # is censored. F = 1/3. (Timed from S1's entry into a, 30 days, S1 would advance after S2's
    # censoring, alone at risk: F = 2/3·1 = 2/3.)
    assert funnel.stages[1].conversion == pytest.approx(1 / 3)


def test_until_shows_the_funnel_as_it_stood_then(tmp_path: Path) -> None:
    # --until 2024-01-10: deals first seen by then (all but W8, created 01-20, and W9, first
    # seen 03-01), as they stood at the end of 10 January:
    #   W4 won 02-10 → open; its entries by then: a 01-01, b 01-03 (c 01-13 not yet) → open at b
    #   W5 won 01-22 → open at a (its c entry, 01-12, not yet)
    #   W6 lost 01-09 → still lost at b (closed before the end)
    #   W7 lost 01-15 → open at b (entered 01-07)
    #   W3 entered c on 01-11 → open at a; W1 open at a, W2 open at b
    # So won 0, lost 1 (W6 at b); open a 3 (W1 W3 W5), b 3 (W2 W4 W7).
    result = report(tmp_path, DEALS, process=WIDE, until=date(2024, 1, 10))
    funnel = result.funnel
    assert result.as_of == "2024-01-10"
    assert funnel.deals.model_dump() == {"total": 7, "won": 0, "lost": 1, "open": 6}
    assert counts(funnel) == [(7, 4, 0, 3), (4, 0, 1, 3), (0, 0, 0, 0), (0, 0, 0, 0)]
    # Stage a: every advance (W2 4 days, W4 2, W6 5, W7 6) is before any censoring (W1, W3
    # 10 days; W5 9 days from 01-02; all censored at the end of 01-10, rounded): 4 of 7 advanced
    # and 3 undecided.
    assert funnel.stages[0].conversion == pytest.approx(4 / 7)
    assert funnel.stages[0].undecided == pytest.approx(3 / 7)
    # Stage b: W6 lost after 3 days (01-06 → 01-09) among 4 at risk; W2, W4 and W7 are still
    # open and every one has waited longer than 3 days: nothing advanced, 3/4 undecided.
    assert funnel.stages[1].conversion == pytest.approx(0.0)
    assert funnel.stages[1].undecided == pytest.approx(3 / 4)
    # No deal had reached c by then: no conversion there, so no win rate either.
    assert funnel.stages[2].conversion is None
    assert funnel.win_rate is None


def test_until_closes_a_deal_lost_without_a_date_from_its_last_known_date(
    tmp_path: Path,
) -> None:
    """A deal lost with no close date (L1, last entered b on 01-06) is lost as of any --until
    after that date, and still open before it: not open forever."""
    deals = HEADER + (
        "W1,a,,2024-01-01,,,2024-01-01,,,\nL1,Lost,,2024-01-01,,,2024-01-01,2024-01-06,,\n"
    )
    later = report(tmp_path, deals, process=WIDE, until=date(2024, 1, 10)).funnel
    assert later.deals.model_dump() == {"total": 2, "won": 0, "lost": 1, "open": 1}
    earlier = report(tmp_path, deals, process=WIDE, until=date(2024, 1, 5)).funnel
    assert earlier.deals.model_dump() == {"total": 2, "won": 0, "lost": 0, "open": 2}
