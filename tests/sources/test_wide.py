"""Shape 2, wide: one column per stage with the date the deal entered it (HubSpot's
"Date entered …"). Counts, rates and days in stage of a small hand-made table.

Planned conversions (tests/sources/deal_data.py): a 0.9, b 0.95, c 0.8, d 0.9.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.sources.deal_data import counts, days, problems, process_yaml, report

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
#   a: 2 + 3 + 4 = 9, advanced 9 − 1 − 1 = 7, conversion 7/8
#   b: 2 + 2 + 3 = 7, advanced 7 − 1 − 1 = 5, conversion 5/6
#   c: 2 + 1 + 2 = 5, advanced 5 − 1 − 2 = 2, conversion 2/3
#   d: 2,             advanced 2,             conversion 2/2


def test_counts_and_rates(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, process=WIDE)
    assert result.shape == "wide stage dates"
    assert result.notes == []
    funnel = result.funnel
    assert funnel.deals.model_dump() == {"total": 9, "won": 2, "lost": 3, "open": 4}
    assert counts(funnel) == [(9, 7, 1, 1), (7, 5, 1, 1), (5, 2, 1, 2), (2, 2, 0, 0)]
    assert [s.conversion for s in funnel.stages] == pytest.approx([7 / 8, 5 / 6, 2 / 3, 1.0])
    # cumulative 7/8, 7/8·5/6 = 35/48, 35/48·2/3 = 35/72, 35/72
    assert [s.cumulative_conversion for s in funnel.stages] == pytest.approx(
        [7 / 8, 35 / 48, 35 / 72, 35 / 72]
    )
    # win probability 35/72, 5/6·2/3 = 5/9, 2/3, 1
    assert [s.win_probability for s in funnel.stages] == pytest.approx([35 / 72, 5 / 9, 2 / 3, 1])
    assert [s.gap_points for s in funnel.stages] == pytest.approx(
        [-2.5, (5 / 6 - 0.95) * 100, (2 / 3 - 0.8) * 100, 10.0]
    )


def test_days_in_stage(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS, process=WIDE).funnel
    # stays end at the next later stage with a date, or at the close for the last stage a
    # closed deal entered; open deals' current stays are counted, not measured.
    #   a: W2 4 (→b), W3 10 (→c), W4 2, W5 10 (→c), W6 5, W7 6; W1 open
    #      sorted 2 4 5 6 10 10: median (5 + 6)/2 = 5.5, p80 at h = 0.8·5 = 4 → 10
    #   b: W4 10 (→c), W6 3 (→close), W7 8 (→close); W2 open
    #      3 8 10: median 8, p80 at h = 1.6 → 8 + 0.6·2 = 9.2
    #   c: W4 19 (→d), W5 10 (→close); W3, W9 open
    #      10 19: median 14.5, p80 at h = 0.8 → 10 + 0.8·9 = 17.2
    #   d: W4 9 (→close 02-10)
    assert days(funnel) == [
        (pytest.approx(5.5), pytest.approx(10.0), 6, 1),
        (pytest.approx(8.0), pytest.approx(9.2), 3, 1),
        (pytest.approx(14.5), pytest.approx(17.2), 2, 2),
        (pytest.approx(9.0), pytest.approx(9.0), 1, 0),
    ]


def test_overall(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS, process=WIDE).funnel
    assert funnel.win_rate == pytest.approx(2 / 5)
    assert funnel.avg_won_amount == pytest.approx(6000)
    assert funnel.median_won_amount == pytest.approx(6000)
    # cycles W4 Jan 1 → Feb 10 = 40 days, W5 Jan 2 → Jan 22 = 20 → median 30
    assert funnel.median_cycle_days == pytest.approx(30)
    # 4 open × 0.4 × 6000 ÷ 30
    assert funnel.velocity_per_day == pytest.approx(320)
    # a (0.9 − 7/8)·8·(5/6·2/3) = 0.111; b (0.95 − 5/6)·6·2/3 = 0.467; c (0.8 − 2/3)·3·1 = 0.4
    assert funnel.bottleneck is not None
    assert funnel.bottleneck.stage == "b"
    assert funnel.bottleneck.extra_wins == pytest.approx(0.7 * 2 / 3)
    assert funnel.bottleneck.revenue_gain == pytest.approx(2800)


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
    #   a: 0 + 1 + 1 = 2, lost 1, advanced 1 → 1/2   b: W9, advanced 1 → 1/1
    #   c: W9 open, nothing decided → no conversion   d: nobody
    assert counts(funnel) == [(2, 1, 1, 0), (1, 1, 0, 0), (1, 0, 0, 1), (0, 0, 0, 0)]
    assert [s.conversion for s in funnel.stages] == [0.5, 1.0, None, None]
    assert funnel.stages[2].conversion_ci is None
    assert funnel.stages[2].gap_points is None
    assert [s.cumulative_conversion for s in funnel.stages] == [0.5, 0.5, None, None]
    assert [s.win_probability for s in funnel.stages] == [None, None, None, None]
    assert funnel.win_rate == 0.0
    assert funnel.bottleneck is None
    # W9's stay in c is open; nothing completed
    assert [s.open_stays for s in funnel.stages] == [0, 0, 1, 0]


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
    funnel = report(tmp_path, deals, process=partial).funnel
    # won 1; lost a 1, b 1; open b 1
    #   a: 1 + 2 + 1 = 4, lost 1, advanced 3   b: 1 + 1 + 1 = 3, lost 1, open 1, advanced 1
    assert counts(funnel) == [(4, 3, 1, 0), (3, 1, 1, 1), (1, 1, 0, 0), (1, 1, 0, 0)]
    assert days(funnel) == [
        (None, None, 0, 0),
        (pytest.approx(6.5), pytest.approx(8.6), 2, 1),  # 3, 10: p80 at 0.8 → 3 + 0.8·7 = 8.6
        (None, None, 0, 0),
        (None, None, 0, 0),
    ]


def test_time_of_day_counts(tmp_path: Path) -> None:
    two = process_yaml("  stage_dates:\n    a: a_at\n    b: b_at\n")
    deals = (
        "deal_id,stage,a_at,b_at\n"
        "T1,b,2024-01-01T06:00:00,2024-01-01T18:00:00\n"  # 12 hours = 0.5 days
        "T2,b,2024-01-01T12:00:00+02:00,2024-01-02 10:00:00\n"  # 10:00 UTC → next day: 1 day
    )
    funnel = report(tmp_path, deals, process=two).funnel
    assert funnel.stages[0].median_days == pytest.approx(0.75)
    assert funnel.stages[0].completed_stays == 2


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
    # the negative stays are not measured: a: O2 2 (O1's a → b is −5 days), O3 9 (→ c)
    #   b: O1 15 (→ c), O2 open   c: O3 −5 (→ d) not measured, O1 open   d: O3 25 (→ close)
    assert days(funnel) == [
        (pytest.approx(5.5), pytest.approx(7.6), 2, 0),
        (pytest.approx(15.0), pytest.approx(15.0), 1, 1),
        (None, None, 0, 1),
        (pytest.approx(25.0), pytest.approx(25.0), 1, 0),
    ]


def test_short_timestamps_with_an_offset(tmp_path: Path) -> None:
    two = process_yaml("  stage_dates:\n    a: a_at\n    b: b_at\n")
    deals = "deal_id,stage,a_at,b_at\nT,b,2024-01-01T10:00+02,2024-01-01T12:00:00+02:00\n"
    # 08:00 UTC → 10:00 UTC: 2 hours
    assert report(tmp_path, deals, process=two).funnel.stages[0].median_days == pytest.approx(
        2 / 24
    )
