"""Shape 1, current stage only: every count and rate of a small hand-made table.

Planned conversions (tests/sources/deal_data.py): a 0.9, b 0.95, c 0.8, d 0.9.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from salesflow.analytics.stats import wilson_interval
from salesflow.sources.options import Unmapped
from tests.sources.deal_data import PROCESS_YAML, counts, metrics, problems, report

# Where each deal ends up (position = the furthest stage reached; a lost deal: where it was lost):
DEALS = """\
deal_id,stage,status,amount,created_at,closed_at,owner,lost_at_stage
D01,a,,1000,2024-01-01,,ann,
D02, First Touch ,,,2024-01-02,,ann,
D03,BETA,,,2024-01-03,,bob,
D04,c,,,2024-01-04,,cid,
D05,Negotiation,,,2024-01-05,,cid,
D06,Signed,,"$12,000.50",2024-01-01,2024-01-21,ann,
D07,b,won,8000,2024-01-05,2024-01-15,bob,
D08,closed won,,4000,2024-02-01,2024-03-02,bob,
D09,dead,,,2024-01-10,2024-01-20,ann,b
D10,Lost,,,2024-01-11,2024-01-25,bob,Proposal Sent
D11,c,lost,,2024-01-12,2024-01-30,,
D12,Closed Lost,,,2024-01-13,2024-01-14,ann,
D13,d,Open,,2024-01-14,,cid,
D14,b, LOST ,,2024-01-15,2024-01-16,cid, A
"""
# D01 open at a (id)             D02 open at a (alias, padded)   D03 open at b (name, any case)
# D04 open at c (b skipped)      D05 open at d (alias)           D06 won (outcome alias as stage)
# D07 won (status 'won')         D08 won (outcome name)          D09 lost at b (lost_at_stage)
# D10 lost at c (lost_at_stage by alias)   D11 lost at c (status; furthest evidence: its label c)
# D12 lost, no stage: counted at a (warning)   D13 open at d (status 'Open' is no outcome)
# D14 lost at a (lost_at_stage beats its label b)
#
# won = 3 (D06 D07 D08); lost at a: 2 (D12 D14), b: 1 (D09), c: 2 (D10 D11), d: 0 → lost = 5
# open at a: 2 (D01 D02), b: 1 (D03), c: 1 (D04), d: 2 (D05 D13) → open = 6; total 14
#
# entered_k = won + lost at ≥k + open at ≥k; advanced = entered − lost − open:
#   a: 3 + 5 + 6 = 14, advanced 14 − 2 − 2 = 10, conversion 10 / 12
#   b: 3 + 3 + 4 = 10, advanced 10 − 1 − 1 = 8,  conversion 8 / 9
#   c: 3 + 2 + 3 = 8,  advanced 8 − 2 − 1 = 5,   conversion 5 / 7
#   d: 3 + 0 + 2 = 5,  advanced 5 − 0 − 2 = 3,   conversion 3 / 3
CONVERSIONS = [10 / 12, 8 / 9, 5 / 7, 1.0]
PLANNED = [0.9, 0.95, 0.8, 0.9]


def test_counts(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS).funnel
    assert funnel.deals.model_dump() == {"total": 14, "won": 3, "lost": 5, "open": 6}
    assert counts(funnel) == [(14, 10, 2, 2), (10, 8, 1, 1), (8, 5, 2, 1), (5, 3, 0, 2)]
    # advanced at the last stage = won
    assert funnel.stages[-1].advanced == funnel.deals.won


def test_rates(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS).funnel
    successes = [(10, 12), (8, 9), (5, 7), (3, 3)]
    for k, stage in enumerate(funnel.stages):
        # no entry dates: the counts, advanced / (advanced + lost), as precise as the decided deals
        assert stage.conversion_method == "counts"
        assert stage.conversion == pytest.approx(CONVERSIONS[k])
        assert stage.naive_conversion == pytest.approx(CONVERSIONS[k])
        assert stage.effective_deals == successes[k][1]
        assert stage.undecided == 0.0
        assert stage.planned_conversion == PLANNED[k]
        assert stage.conversion_ci == pytest.approx(wilson_interval(*successes[k]))
        # gap in points: a (0.8333 − 0.9)·100 = −6.667, b −6.111, c −8.571, d +10
        assert stage.gap_points == pytest.approx((CONVERSIONS[k] - PLANNED[k]) * 100)
    # 8/9 → Wilson (0.5650, 0.9801)
    assert funnel.stages[1].conversion_ci == pytest.approx((0.5650, 0.9801), abs=5e-5)
    # cumulative: a 10/12, b 10/12·8/9 = 20/27, c 20/27·5/7 = 100/189, d 100/189
    cumulative = [s.cumulative_conversion for s in funnel.stages]
    assert cumulative == pytest.approx([10 / 12, 20 / 27, 100 / 189, 100 / 189])
    # win probability: a 10/12·8/9·5/7·1 = 100/189, b 8/9·5/7 = 40/63, c 5/7, d 1
    win = [s.win_probability for s in funnel.stages]
    assert win == pytest.approx([100 / 189, 40 / 63, 5 / 7, 1.0])


def test_overall(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS)
    funnel = result.funnel
    # the chance a new deal is won: the product of the conversions, 100/189 (the cumulative
    # column); the closed deals alone: 3 / (3 + 5)
    assert funnel.win_rate == pytest.approx(100 / 189)
    assert funnel.closed_win_rate == pytest.approx(0.375)
    # won amounts 12000.50, 8000, 4000 (D01's 1000 is open)
    assert funnel.avg_won_amount == pytest.approx(24000.5 / 3)
    assert funnel.median_won_amount == pytest.approx(8000)
    # End of the data: D08's close, 03-02 (created and closed dates; no stage dates).
    # Cycles: lost D12 1, D14 1, D09 10, D10 14, D11 18; won D07 10, D06 20, D08 30 (2024 is a
    # leap year: Feb 1 → Mar 2); open, censored: D13 48, D05 57, D04 58, D03 59, D02 60, D01 61.
    # 14 at risk: 1: S 12/14; 10: 12 at risk, 1 won 1 lost → F 1/14, S 10/14; 14, 18: S 9/14,
    # 8/14; 20: 8 at risk → F 2/14, S 7/14; 30: 7 at risk → F 3/14. Half of 3/14 first at 20.
    assert result.as_of == "2024-03-02"
    assert funnel.median_cycle_days == pytest.approx(20)
    # velocity: 6 open × 100/189 × 8000.1667 ÷ 20 = 1269.87
    assert funnel.velocity_per_day == pytest.approx(6 * 100 / 189 * (24000.5 / 3) / 20)
    assert funnel.velocity_per_day == pytest.approx(1269.8677, abs=1e-4)


def test_no_bottleneck_on_little_evidence(tmp_path: Path) -> None:
    funnel = report(tmp_path, DEALS).funnel
    # a, b and c are a few points below plan, on a handful of decided deals. How sure:
    # 1 − P(X ≤ advanced) for X ~ Binomial(decided, plan):
    #   a 10 of 12 at 0.9: P(X ≥ 11) = 12·0.9¹¹·0.1 + 0.9¹² = 0.376573 + 0.282430 = 0.659002
    #   b 8 of 9 at 0.95: P(X = 9) = 0.95⁹ = 0.630249
    #   c 5 of 7 at 0.8: P(X ≥ 6) = 7·0.8⁶·0.2 + 0.8⁷ = 0.367002 + 0.209715 = 0.576717
    #   d 3 of 3: 0
    below = [s.probability_below_plan for s in funnel.stages]
    assert below == pytest.approx([0.659002, 0.630249, 0.576717, 0.0], abs=1e-6)
    # 4 stages judged: none above 1 − 0.1/4 = 0.975. The old rule named c (0.6 extra wins).
    assert funnel.bottleneck is None


def _many_deals() -> str:
    """100 deals, current stage only, with c far below its planned 80%."""
    rows = ["deal_id,stage,amount,lost_at_stage"]
    rows += [f"W{i},Won,{1000 if i < 18 else 3000}," for i in range(36)]
    rows += [f"LA{i},Lost,,a" for i in range(5)]
    rows += [f"LC{i},Lost,,c" for i in range(40)]
    rows += [f"LD{i},Lost,,d" for i in range(4)]
    rows += [f"OA{i},a,," for i in range(10)] + [f"OC{i},c,," for i in range(5)]
    return "\n".join(rows) + "\n"


# won 36 (18 × 1,000 and 18 × 3,000: average 2,000); lost a 5, c 40, d 4; open a 10, c 5
#   a: 36 + 49 + 15 = 100, advanced 100 − 5 − 10 = 85, conversion 85/90 = 17/18 (plan 0.9)
#   b: 36 + 44 + 5 = 85, advanced 85, conversion 1 (plan 0.95)
#   c: 36 + 44 + 5 = 85, advanced 85 − 40 − 5 = 40, conversion 40/80 = 1/2 (plan 0.8)
#   d: 36 + 4 = 40, advanced 36, conversion 36/40 = 9/10 (plan 0.9)
MANY_COUNTS = [(100, 85, 5, 10), (85, 85, 0, 0), (85, 40, 40, 5), (40, 36, 4, 0)]


def test_bottleneck(tmp_path: Path) -> None:
    funnel = report(tmp_path, _many_deals()).funnel
    assert counts(funnel) == MANY_COUNTS
    assert [s.conversion for s in funnel.stages] == pytest.approx([17 / 18, 1, 1 / 2, 9 / 10])
    below = [s.probability_below_plan for s in funnel.stages]
    # 1 − P(X ≤ advanced) for X ~ Binomial(decided, plan); 4 stages judged, threshold 0.975.
    #   a: 85 of 90 at 0.9 is above plan: P(X ≥ 86) ≤ exp(−2·90·(86/90 − 0.9)²) = 0.574
    #      (Hoeffding)
    #   b: 85 of 85: 0
    #   c: 40 of 80 at 0.8: P(X ≤ 40) ≤ exp(−2·80·0.3²) = exp(−14.4) = 5.6e-7, so above
    #      1 − 5.6e-7: clearly below plan
    #   d: 36 of 40 at 0.9, exactly on plan: P(X ≥ 37) = 0.20032 + 0.14233 + 0.06569 + 0.01478
    #      = 0.42313
    assert below[0] < 0.574
    assert below[1] == 0.0
    assert below[2] > 1 - 5.6e-7
    assert below[3] == pytest.approx(0.42313, abs=1e-5)
    found = funnel.bottleneck
    assert found is not None
    assert found.stage == "c"
    assert found.probability_below_plan == below[2]
    # (planned − actual) × entered (not only the decided 80) × later conversions:
    #   (0.8 − 1/2) × 85 × 9/10 = 22.95 extra wins × the average won amount 2,000 = 45,900
    assert found.extra_wins == pytest.approx(22.95)
    assert found.revenue_gain == pytest.approx(45_900)
    # its 80% interval, from the conversions' and the deal size's uncertainty, holds it
    assert found.revenue_gain_interval is not None
    low, high = found.revenue_gain_interval
    assert 0 < low < 45_900 < high


def test_no_dates_no_days(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS)
    assert result.shape == "current stage only"
    for stage in result.funnel.stages:
        assert (stage.median_days, stage.p80_days) == (None, None)
        assert (stage.median_days_to_advance, stage.median_days_to_lose) == (None, None)
        assert (stage.completed_stays, stage.open_stays) == (0, 0)
    # no entry dates: every conversion is counted, and the report says what that assumes
    assert [s.conversion_method for s in result.funnel.stages] == ["counts"] * 4
    assert result.notes == [
        "no dates when deals entered stages: conversions are advanced ÷ (advanced + lost), "
        "which assumes lost deals are closed as fast as deals advance, and there are no days in "
        "stage; map data.stage_dates or pass --history"
    ]


def test_lost_without_stage_is_counted(tmp_path: Path) -> None:
    found = {p.code: p for p in problems(tmp_path, DEALS)}
    assert set(found) == {"lost-without-stage"}
    warning = found["lost-without-stage"]
    assert warning.count == 1
    assert not warning.is_error
    # D12 is the 12th data row: file row 13
    assert [(d.row, d.message) for d in warning.examples] == [
        (13, 'lost deal "D12" shows no stage it was lost at')
    ]


def _drop_column(text: str, name: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    index = rows[0].index(name)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [cell for i, cell in enumerate(row) if i != index] for row in rows
    )
    return out.getvalue()


def test_without_amounts_the_bottleneck_uses_the_planned_deal_size(tmp_path: Path) -> None:
    funnel = report(tmp_path, _drop_column(_many_deals(), "amount")).funnel
    assert counts(funnel) == MANY_COUNTS
    assert funnel.avg_won_amount is None
    assert funnel.median_won_amount is None
    assert funnel.velocity_per_day is None
    assert funnel.bottleneck is not None
    assert funnel.bottleneck.stage == "c"
    # 22.95 extra wins × assumptions.deal_size 5000 (a fixed size: only the conversions vary)
    assert funnel.bottleneck.revenue_gain == pytest.approx(114_750)
    assert funnel.bottleneck.revenue_gain_interval is not None
    low, high = funnel.bottleneck.revenue_gain_interval
    assert 0 < low < 114_750 < high


def test_without_lost_stage_column_lost_deals_fall_back(tmp_path: Path) -> None:
    funnel = report(tmp_path, _drop_column(DEALS, "lost_at_stage")).funnel
    # D09 and D10 (labels 'dead', 'Lost') now show no stage: lost at a; D14 at its label b:
    # lost at a: D09 D10 D12 = 3, b: D14 = 1, c: D11 = 1
    #   a: 14, advanced 14 − 3 − 2 = 9     b: 3 + 2 + 4 = 9, advanced 9 − 1 − 1 = 7
    #   c: 3 + 1 + 3 = 7, advanced 7 − 1 − 1 = 5   d: 5, advanced 3
    assert counts(funnel) == [(14, 9, 3, 2), (9, 7, 1, 1), (7, 5, 1, 1), (5, 3, 0, 2)]


def test_without_status_column_status_values_are_ignored(tmp_path: Path) -> None:
    funnel = report(tmp_path, _drop_column(DEALS, "status")).funnel
    # D07 open at b, D11 open at c, D13 open at d, D14 open at b:
    # won 2 (D06 D08); lost a: D12, b: D09, c: D10; open a 2, b 3, c 2, d 2
    assert funnel.deals.model_dump() == {"total": 14, "won": 2, "lost": 3, "open": 9}
    #   a: 2 + 3 + 9 = 14, adv 14 − 1 − 2 = 11   b: 2 + 2 + 7 = 11, adv 11 − 1 − 3 = 7
    #   c: 2 + 1 + 4 = 7, adv 7 − 1 − 2 = 4      d: 2 + 0 + 2 = 4, adv 2
    assert counts(funnel) == [(14, 11, 1, 2), (11, 7, 1, 3), (7, 4, 1, 2), (4, 2, 0, 2)]


def test_groups_by_owner(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, by="owner")
    assert result.by == "owner"
    groups = {g.key: g for g in result.groups}
    assert [g.key for g in result.groups] == ["(none)", "ann", "bob", "cid"]
    totals = {key: g.funnel.deals.model_dump() for key, g in groups.items()}
    assert totals == {
        # D11
        "(none)": {"total": 1, "won": 0, "lost": 1, "open": 0},
        # D01 D02 open a, D06 won, D09 lost b, D12 lost a
        "ann": {"total": 5, "won": 1, "lost": 2, "open": 2},
        # D03 open b, D07 D08 won, D10 lost c
        "bob": {"total": 4, "won": 2, "lost": 1, "open": 1},
        # D04 open c, D05 D13 open d, D14 lost a
        "cid": {"total": 4, "won": 0, "lost": 1, "open": 3},
    }
    assert all(g.small for g in result.groups)
    # ann: a 5, adv 5 − 1 − 2 = 2; b 1 + 1 = 2, adv 1; c 1; d 1
    assert counts(groups["ann"].funnel) == [(5, 2, 1, 2), (2, 1, 1, 0), (1, 1, 0, 0), (1, 1, 0, 0)]
    # win rate 2/3 · 1/2 · 1 · 1 = 1/3; closed: 1 won of 3
    assert groups["ann"].funnel.win_rate == pytest.approx(1 / 3)
    assert groups["ann"].funnel.closed_win_rate == pytest.approx(1 / 3)
    assert groups["ann"].funnel.avg_won_amount == pytest.approx(12000.5)
    # bob: a 4 adv 4; b 4, open 1, adv 3; c 3, lost 1, adv 2; d 2
    assert counts(groups["bob"].funnel) == [(4, 4, 0, 0), (4, 3, 0, 1), (3, 2, 1, 0), (2, 2, 0, 0)]
    assert groups["bob"].funnel.avg_won_amount == pytest.approx(6000)
    # bob's cycles (the end of the data is that of the whole file, 03-02): D07 won 10,
    # D10 lost 14, D08 won 30, D03 open, censored at 59. 4 at risk: 10 → F 1/4, S 3/4;
    # 14 → S 2/4; 30 → F 1/4 + 2/4·1/2 = 1/2. Half of 1/2 is reached at 10.
    assert groups["bob"].funnel.median_cycle_days == pytest.approx(10)
    # cid: d has no decided deal (D05 D13 open), so no conversion and no win rate; closed 0/1
    assert groups["cid"].funnel.win_rate is None
    assert groups["cid"].funnel.closed_win_rate == 0.0
    assert groups["cid"].funnel.avg_won_amount is None
    # the overall funnel is unchanged by --by
    assert counts(result.funnel) == counts(report(tmp_path, DEALS).funnel)


def test_groups_add_up_to_the_whole(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, by="owner")
    for k, stage in enumerate(result.funnel.stages):
        for field in ("entered", "advanced", "lost", "open"):
            parts = sum(getattr(g.funnel.stages[k], field) for g in result.groups)
            assert parts == getattr(stage, field)


def test_small_groups(tmp_path: Path) -> None:
    # big: 20 won + 10 lost = 30 closed → judged; tiny: 20 won + 9 lost + 5 open = 29 → small
    rows = ["deal_id,stage,amount,owner"]
    rows += [f"B{i},Won,100,big" for i in range(20)] + [f"BL{i},Lost,,big" for i in range(10)]
    rows += [f"T{i},Won,100,tiny" for i in range(20)] + [f"TL{i},Lost,,tiny" for i in range(9)]
    rows += [f"TO{i},a,,tiny" for i in range(5)]
    result = report(tmp_path, "\n".join(rows) + "\n", by="OWNER")
    assert [(g.key, g.small) for g in result.groups] == [("big", False), ("tiny", True)]


def test_since_until_are_inclusive(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, since=date(2024, 1, 5), until=date(2024, 1, 12))
    assert (result.since, result.until) == ("2024-01-05", "2024-01-12")
    # created 01-05 … 01-12: D05 (open), D07 (won 01-15), D09 (lost 01-20), D10 (lost 01-25),
    # D11 (lost 01-30): at the end of 12 January every one of them was still open, and with no
    # stage dates an open deal then is placed at the first stage.
    assert result.funnel.deals.model_dump() == {"total": 5, "won": 0, "lost": 0, "open": 5}
    assert counts(result.funnel) == [(5, 0, 0, 5), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0)]
    # without --until the same five deals are counted as they ended
    ended = report(_fresh(tmp_path, "all"), DEALS, since=date(2024, 1, 5)).funnel.deals
    assert ended.won >= 1 and ended.lost >= 3


def test_until_includes_the_whole_day(tmp_path: Path) -> None:
    deals = "deal_id,stage,created_at\nX,a,2024-01-12T23:59:00\nY,a,2024-01-13T00:00:00\n"
    result = report(tmp_path, deals, until=date(2024, 1, 12))
    assert result.funnel.deals.total == 1


def test_duplicate_ids_use_the_first_row(tmp_path: Path) -> None:
    # a second D01 (won, with an amount) and a second D12 (open at d) change nothing
    doubled = DEALS + "D01,Signed,,999,2024-01-01,2024-01-02,ann,\nD12,d,,,2024-01-01,,ann,\n"
    assert metrics(report(tmp_path, doubled)) == metrics(report(_fresh(tmp_path, "base"), DEALS))
    found = {p.code: p for p in problems(_fresh(tmp_path, "p"), doubled)}
    assert found["duplicate-id"].count == 2
    assert [d.message for d in found["duplicate-id"].examples] == [
        'duplicate id "D01" in rows 2 and 16',
        'duplicate id "D12" in rows 13 and 17',
    ]


def test_unmapped_ignore_drops_those_deals(tmp_path: Path) -> None:
    extra = DEALS + "D15,Limbo,,500,2024-01-01,,ann,\nD16,limbo,won,500,2024-01-01,,ann,\n"
    ignored = report(tmp_path, extra, unmapped=Unmapped.IGNORE)
    assert metrics(ignored) == metrics(report(_fresh(tmp_path, "base"), DEALS))


def test_date_format(tmp_path: Path) -> None:
    # the same table with dates as 31/01/2024
    european = "\n".join(
        ",".join(_dmy(cell) for cell in row.split(",")) for row in DEALS.splitlines()
    )
    assert "01/03/2024" not in european and "02/03/2024" in european  # D08 closed 2 March
    result = report(tmp_path, european + "\n", date_format="%d/%m/%Y")
    assert metrics(result) == metrics(report(_fresh(tmp_path, "base"), DEALS))
    assert result.funnel.median_cycle_days == pytest.approx(20)


def _dmy(cell: str) -> str:
    if len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
        return f"{cell[8:10]}/{cell[5:7]}/{cell[0:4]}"
    return cell


def _fresh(tmp_path: Path, name: str) -> Path:
    directory = tmp_path / name
    directory.mkdir()
    return directory


def test_status_values_match_outcome_names_and_aliases(tmp_path: Path) -> None:
    deals = (
        "deal_id,stage,status,lost_at_stage\n"
        "S1,c,Signed,\n"  # won alias → won
        "S2,c, closed won ,\n"  # won name, padded → won
        "S3,c,Dead,b\n"  # lost alias → lost at b
        "S4,c,CLOSED LOST,\n"  # lost name → lost at c (its label)
        "S5,c,In progress,\n"  # neither won, lost nor open: refused until declared
        "S6,c,,\n"  # empty → open at c
    )
    found = problems(tmp_path, deals)
    assert [(p.code, p.count, [d.row for d in p.examples]) for p in found] == [
        ("unmapped-status", 1, [6])
    ]
    assert '"In progress" (1)' in found[0].statement
    # skipped when read anyway (the commands refuse it unless --unmapped ignore)
    assert report(tmp_path, deals).funnel.deals.total == 5
    # declared as a label of stage c, the status says open (at c, the stage column's)
    declared = PROCESS_YAML.replace(
        "aliases: [Proposal Sent]", "aliases: [Proposal Sent, In progress]"
    )
    assert problems(tmp_path, deals, process=declared) == []
    funnel = report(tmp_path, deals, process=declared).funnel
    assert funnel.deals.model_dump() == {"total": 6, "won": 2, "lost": 2, "open": 2}
    # a: 6 adv 6; b: 6, lost 1 (S3), adv 5; c: 5, lost 1 (S4), open 2, adv 2; d: 2
    assert counts(funnel) == [(6, 6, 0, 0), (6, 5, 1, 0), (5, 2, 1, 2), (2, 2, 0, 0)]


def test_a_status_value_decides_alone(tmp_path: Path) -> None:
    deals = (
        "deal_id,stage,status\n"
        "S1,Closed Won,Open\n"  # the status says open: open, but with no stage to be at
        "S2,Closed Won,Lost\n"  # lost (at a: no lost stage or dates)
        "S3,Closed Won,\n"  # no status value: the label decides, won
        "S4,b,Won\n"  # won
    )
    funnel = report(tmp_path, deals).funnel
    assert funnel.deals.model_dump() == {"total": 3, "won": 2, "lost": 1, "open": 0}
    found = {p.code: p for p in problems(tmp_path, deals)}
    assert set(found) == {"missing-stage", "lost-without-stage"}
    assert [(d.row, d.message) for d in found["missing-stage"].examples] == [
        (2, 'deal "S1" is open but has no stage')
    ]
    assert [d.row for d in found["lost-without-stage"].examples] == [3]
