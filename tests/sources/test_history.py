"""Shape 3, a separate stage history (one row per stage entry, like Salesforce's
OpportunityHistory), alone and combined with wide date columns.

Planned conversions (tests/sources/deal_data.py): a 0.9, b 0.95, c 0.8, d 0.9.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.sources.deal_data import counts, days, problems, process_yaml, report

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
#   a: 2 + 3 + 2 = 7, advanced 7 − 2 − 0 = 5, conversion 5/7
#   b: 2 + 1 + 2 = 5, advanced 5 − 1 − 1 = 3, conversion 3/4
#   c: 2 + 0 + 1 = 3, advanced 3 − 0 − 1 = 2, conversion 2/2
#   d: 2,             advanced 2,             conversion 2/2


def test_counts_and_rates(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, history=HISTORY)
    assert result.shape == "stage history"
    funnel = result.funnel
    assert funnel.deals.model_dump() == {"total": 7, "won": 2, "lost": 3, "open": 2}
    assert counts(funnel) == [(7, 5, 2, 0), (5, 3, 1, 1), (3, 2, 0, 1), (2, 2, 0, 0)]
    assert [s.conversion for s in funnel.stages] == pytest.approx([5 / 7, 3 / 4, 1, 1])
    # cumulative 5/7, 15/28, 15/28, 15/28; win probability 15/28, 3/4, 1, 1
    assert [s.cumulative_conversion for s in funnel.stages] == pytest.approx(
        [5 / 7, 15 / 28, 15 / 28, 15 / 28]
    )
    assert [s.win_probability for s in funnel.stages] == pytest.approx([15 / 28, 3 / 4, 1, 1])


def test_days_in_stage(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS, history=HISTORY).funnel
    #   a: H1 3, H2 9 (→c), H3 1, H4 5, H5 2 (→close), H7 5 (→c)
    #      1 2 3 5 5 9: median (3 + 5)/2 = 4, p80 at h = 4 → 5
    #   b: H3 3 (01-02 → c 01-05), H4 6 (→close 01-12); H1 open
    #      3 6: median 4.5, p80 at h = 0.8 → 3 + 0.8·3 = 5.4
    #   c: H3 15 (→d 01-20), H7 5 (→close 01-13); H2 open
    #      5 15: median 10, p80 5 + 0.8·10 = 13
    #   d: H3 11 (→close 01-31)
    assert days(funnel) == [
        (pytest.approx(4.0), pytest.approx(5.0), 6, 0),
        (pytest.approx(4.5), pytest.approx(5.4), 2, 1),
        (pytest.approx(10.0), pytest.approx(13.0), 2, 1),
        (pytest.approx(11.0), pytest.approx(11.0), 1, 0),
    ]


def test_overall(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS, history=HISTORY).funnel
    assert funnel.win_rate == pytest.approx(2 / 5)  # won 2, lost 3
    assert funnel.avg_won_amount == pytest.approx(6000)
    assert funnel.median_won_amount == pytest.approx(6000)
    # cycles H3 30 days, H7 10 → median 20
    assert funnel.median_cycle_days == pytest.approx(20)
    # velocity: 2 open × 0.4 × 6000 ÷ 20
    assert funnel.velocity_per_day == pytest.approx(240)
    # a (0.9 − 5/7)·7·(3/4·1·1) = 1.3·0.75 = 0.975; b (0.95 − 3/4)·4·1 = 0.8
    assert funnel.bottleneck is not None
    assert funnel.bottleneck.stage == "a"
    assert funnel.bottleneck.extra_wins == pytest.approx(0.975)
    assert funnel.bottleneck.revenue_gain == pytest.approx(0.975 * 6000)


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
    # a: 7, 4 → median 5.5, p80 4 + 0.8·3 = 6.4
    assert days(funnel) == [
        (pytest.approx(5.5), pytest.approx(6.4), 2, 0),
        (pytest.approx(5.0), pytest.approx(5.0), 1, 1),
        (pytest.approx(14.0), pytest.approx(14.0), 1, 0),
        (None, None, 0, 0),
    ]
    assert problems(tmp_path, COMBINED_DEALS, history=COMBINED_HISTORY, process=COMBINED) == []
