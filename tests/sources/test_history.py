"""Shape 3, a separate stage history (one row per stage entry, like Salesforce's
OpportunityHistory), alone and combined with wide date columns.

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

DEALS = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage
H1,b,,2024-01-01,,
H2,a,,2024-01-01,,
H3,Won,3000,2024-01-01,2024-01-31,
H4,Lost,,2024-01-01,2024-01-12,
H5,Lost,,2024-01-01,2024-01-03,a
H6,Lost,,2024-01-05,2024-01-06,
H7,Won,9000,2024-01-03,2024-01-13,
"""
HISTORY = """\
deal_id,stage,entered_at
H1,a,2024-01-01
H1,b,2024-01-04
H2,a,2024-01-01
H2,c,2024-01-10
H3,a,2024-01-01
H3,b,2024-01-02
H3,c,2024-01-05
H3,b,2024-01-08
H3,d,2024-01-20
H4,a,2024-01-01
H4,b,2024-01-06
H5,a,2024-01-01
H7,First Touch,2024-01-03
H7, proposal sent ,2024-01-08
H7,Closed Won,2024-01-13
"""
# H1 open at b                 H2 open at c: label a, but the history shows c (b skipped)
# H3 won; re-entered b on 01-08, the first entry (01-02) counts
# H4 lost at b: the furthest stage in its history   H5 lost at a: lost_at_stage
# H6 lost with no history: at a (warning)
# H7 won; history labels by alias (padded, any case); the outcome row enters no stage
#
# won 2; lost a 2 (H5 H6), b 1 (H4); open b 1 (H1), c 1 (H2)
#   a: 2 + 3 + 2 = 7, advanced 7 − 2 − 0 = 5, naive 5/7
#   b: 2 + 1 + 2 = 5, advanced 5 − 1 − 1 = 3, naive 3/4
#   c: 2 + 0 + 1 = 3, advanced 3 − 0 − 1 = 2, naive 2/2
#   d: 2,             advanced 2,             naive 2/2
#
# End of the data: H3's close, 01-31. Stays (days from the entry into the stage):
#   a: H1 3 (→b 01-04), H2 9 (→c 01-10), H3 1 (→b 01-02), H4 5 (→b 01-06), H7 5 (01-03 → c
#      01-08) advanced; H5 lost 2 (→ close 01-03); H6 lost, no history: day 0, untimed
#   b: H1 open 01-04 → 01-31 = 27 (censored); H3 3 (01-02 → c 01-05) advanced; H4 lost 6
#      (01-06 → close 01-12); H7 won with b skipped: day 0, untimed; H2 advanced, b skipped
#      (untimed; from its entry into a, 9 days)
#   c: H2 open 01-10 → 01-31 = 21 (censored); H3 15 (01-05 → d 01-20), H7 5 (01-08 → won
#      01-13) advanced
#   d: H3 11 (01-20 → won 01-31); H7 won with d skipped: day 0, untimed
#
# Conversion (Aalen–Johansen): every censoring comes after the stage's last decision, so it
# is advanced / entered: a 5/7 (nothing open), b 3/5, c 2/3, d 2/2.
CONVERSIONS = [5 / 7, 3 / 5, 2 / 3, 1.0]


def test_counts_and_rates(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, history=HISTORY)
    assert result.shape == "stage history"
    assert result.as_of == "2024-01-31"
    funnel = result.funnel
    assert funnel.deals.model_dump() == {"total": 7, "won": 2, "lost": 3, "open": 2}
    assert counts(funnel) == [(7, 5, 2, 0), (5, 3, 1, 1), (3, 2, 0, 1), (2, 2, 0, 0)]
    # a history dates every stage
    assert methods(funnel) == ["survival"] * 4
    assert [s.conversion for s in funnel.stages] == pytest.approx(CONVERSIONS)
    assert naive(funnel) == pytest.approx([5 / 7, 3 / 4, 1, 1])
    # cumulative 5/7, 5/7·3/5 = 3/7, 3/7·2/3 = 2/7, 2/7
    # win probability 5/7·3/5·2/3 = 2/7, 3/5·2/3 = 2/5, 2/3, 1
    assert [s.cumulative_conversion for s in funnel.stages] == pytest.approx(
        [5 / 7, 3 / 7, 2 / 7, 2 / 7]
    )
    assert [s.win_probability for s in funnel.stages] == pytest.approx([2 / 7, 2 / 5, 2 / 3, 1])
    # Still in the stage after its last decision: b 1/5 (H1), c 1/3 (H2): named in notes.
    assert [s.undecided for s in funnel.stages] == pytest.approx([0, 1 / 5, 1 / 3, 0])
    assert [note.split(" of its deals")[0] for note in result.notes] == ["Beta: 20%", "Gamma: 33%"]


def test_days_in_stage(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS, history=HISTORY).funnel
    # Kaplan–Meier of leaving the stage over its timed stays (median: first S <= 0.5, p80: <= 0.2)
    #   a: 1 2 3 5 5 9 (6 stays, none open): S 5/6, 4/6, 3/6 at 3 (median 3), 1/6 at 5 (p80 5)
    #   b: 3 (advanced), 6 (lost), 27 censored: S 2/3, 1/3 at 6 (median 6); p80 not reached
    #   c: 5, 15 (advanced), 21 censored: S 2/3, 1/3 at 15 (median 15); p80 not reached
    #   d: 11
    assert days(funnel) == [
        (pytest.approx(3.0), pytest.approx(5.0), 6, 0),
        (pytest.approx(6.0), None, 2, 1),
        (pytest.approx(15.0), None, 2, 1),
        (pytest.approx(11.0), pytest.approx(11.0), 1, 0),
    ]
    # Each exit's median: when its cumulative incidence reaches half of its final value.
    #   a: advance 1/6 at 1, 2/6 at 3, 4/6 at 5, 5/6 at 9: half of 5/6 at 5; lost 1/6 at 2
    #   b: advance 1/3 at 3; lost 2/3·1/2 = 1/3 at 6
    #   c: advance 1/3 at 5, 2/3 at 15: half at 5
    #   d: advance at 11
    assert exits(funnel) == [(5.0, 2.0), (3.0, 6.0), (5.0, None), (11.0, None)]


def test_overall(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS, history=HISTORY).funnel
    # win rate: 5/7 · 3/5 · 2/3 · 1 = 2/7; the closed deals alone: won 2, lost 3
    assert funnel.win_rate == pytest.approx(2 / 7)
    assert funnel.closed_win_rate == pytest.approx(2 / 5)
    assert funnel.avg_won_amount == pytest.approx(6000)
    assert funnel.median_won_amount == pytest.approx(6000)
    # cycle from created: H6 lost 1, H5 lost 2, H7 won 10, H4 lost 11, H3 won 30; H1 H2 open,
    # censored at 30. 7 at risk: S 6/7, 5/7; 10: won → F = 5/7·1/5 = 1/7, S 4/7; 11: S 3/7;
    # 30: 3 at risk, won → F = 1/7 + 3/7·1/3 = 2/7 (the win rate again). Half of 2/7 at 10.
    assert funnel.median_cycle_days == pytest.approx(10)
    # velocity: 2 open × 2/7 × 6000 ÷ 10
    assert funnel.velocity_per_day == pytest.approx(2 * 2 / 7 * 6000 / 10)
    # Effective deals: binomial (every censoring after the last decision): 7, 5, 3, 2, at most
    # advanced + lost: 7, 4, 2, 2.
    assert [s.effective_deals for s in funnel.stages] == pytest.approx([7, 4, 2, 2])
    # How sure each stage is below plan, I_plan(x + 1, n − x) with x = (conversion + undecided)
    # × n (the undecided deals get the benefit of the doubt):
    #   a: 5 of 7 at 0.9: P(X ≥ 6) = 7·0.9⁶·0.1 + 0.9⁷ = 0.372009 + 0.478297 = 0.850306
    #   b: (3/5 + 1/5)·4 = 3.2 of 4 at 0.95: I(4.2, 0.8)
    #   c: 2/3 + 1/3 = 1, nothing left to fail: 0
    #   d: converts at 100%: 0
    below = [s.probability_below_plan for s in funnel.stages]
    assert below[0] == pytest.approx(0.850306, abs=1e-6)
    assert below[1] == pytest.approx(betainc(4.2, 0.8, 0.95))
    assert below[2] == 0.0
    assert below[3] == 0.0
    # 4 stages judged: a bottleneck needs more than 1 − 0.1/4 = 0.975; a comes closest.
    assert max(below) == below[0] < 0.975
    # a, the old bottleneck (0.975 extra wins from 7 decided), is not clearly below plan.
    assert funnel.bottleneck is None


def test_only_the_deal_without_history_is_unplaced(tmp_path: Path) -> None:
    found = {p.code: p for p in problems(tmp_path, DEALS, history=HISTORY)}
    assert set(found) == {"lost-without-stage"}
    assert [d.row for d in found["lost-without-stage"].examples] == [7]  # H6


def test_history_columns_from_the_process_file(tmp_path: Path) -> None:
    renamed = process_yaml(
        "  history_columns: {deal: OpportunityId, stage: StageName, entered: CreatedDate}\n"
    )
    history = "OpportunityId,StageName,CreatedDate\n" + HISTORY.split("\n", 1)[1]
    result = report(tmp_path, DEALS, history=history, process=renamed)
    assert counts(result.funnel) == [(7, 5, 2, 0), (5, 3, 1, 1), (3, 2, 0, 1), (2, 2, 0, 0)]


def test_window_uses_the_first_entry_when_created_is_missing(tmp_path: Path) -> None:
    deals = "deal_id,stage\nE1,b\nE2,b\nE3,b\n"
    history = "deal_id,stage,entered_at\nE1,a,2024-01-31\nE1,b,2024-02-01\nE2,b,2024-02-01\n"
    # first seen: E1 01-31 (its earliest entry), E2 02-01, E3 never → only E2 from February
    result = report(tmp_path, deals, history=history, since=date(2024, 2, 1))
    assert result.funnel.deals.total == 1


# Wide columns for a and b, and a history: the earlier date of the two wins, per stage.
COMBINED = process_yaml("  stage_dates: {a: a_date, b: b_date}\n")
COMBINED_DEALS = """\
deal_id,stage,closed_at,a_date,b_date
X1,b,,2024-01-05,2024-01-10
X2,Won,2024-01-20,2024-01-02,
X3,Lost,2024-01-09,,
"""
COMBINED_HISTORY = """\
deal_id,stage,entered_at
X1,a,2024-01-03
X1,b,2024-01-12
X2,c,2024-01-06
X3,b,2024-01-04
"""
# X1: a = min(01-05, 01-03) = 01-03, b = min(01-10, 01-12) = 01-10 → a 7 days; open at b
# X2: a 01-02 (wide), c 01-06 (history) → a 4 days, c 14 (→close 01-20); won
# X3: b 01-04 from the history only → lost at b, 5 days (→close 01-09)
#   a: 1 + 1 + 1 = 3, advanced 3   b: 3, lost 1, open 1, advanced 1   c: 1   d: 1


def test_wide_and_history_take_the_earlier_date(tmp_path: Path) -> None:
    result = report(tmp_path, COMBINED_DEALS, history=COMBINED_HISTORY, process=COMBINED)
    assert result.shape == "wide stage dates + stage history"
    funnel = result.funnel
    assert counts(funnel) == [(3, 3, 0, 0), (3, 1, 1, 1), (1, 1, 0, 0), (1, 1, 0, 0)]
    # End of the data: X2's close, 01-20.
    # a: X1 7, X2 4 advanced (X3 advanced, no date for a: untimed): S 1/2 at 4 (median 4),
    #    0 at 7 (p80 7)
    # b: X3 lost 5; X1 open 01-10 → 01-20 = 10 (censored); X2 won, b skipped: day 0, untimed.
    #    F = 1/3 at 0, then S 2/3 → 1/3 at 5: F = 1/3. Timed: 5 → S 1/2 (median 5), p80 not
    #    reached
    # c: X2 14 (→ won 01-20)   d: X2 won, d skipped: untimed only
    assert [s.conversion for s in funnel.stages] == pytest.approx([1.0, 1 / 3, 1.0, 1.0])
    assert days(funnel) == [
        (pytest.approx(4.0), pytest.approx(7.0), 2, 0),
        (pytest.approx(5.0), None, 1, 1),
        (pytest.approx(14.0), pytest.approx(14.0), 1, 0),
        (None, None, 0, 0),
    ]
    assert exits(funnel)[1] == (None, 5.0)
    assert problems(tmp_path, COMBINED_DEALS, history=COMBINED_HISTORY, process=COMBINED) == []
