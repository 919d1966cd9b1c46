"""Every data problem: its code, count, first rows (the CSV header is row 1) and exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.diagnostics import Severity
from salesflow.model.data import DataProblem
from tests.sources.deal_data import PROCESS_YAML, counts, problems, process_yaml, report

PROCESS = process_yaml("  stage_dates: {a: a_date}\n")

DEALS = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage,a_date
X1,a,100,2016-13-45,,,
X2,b,"$1,200.00",2024-01-01,,,
X3,b,12.5.0,2024-01-02,,,
X4,limbo,,2024-01-01,,,
,a,,2024-01-01,,,
X5,Won,,2024-01-01,2024-01-05,,
X6,Won,N/A,2024-01-01,2024-01-05,,
X7,Lost,,2024-01-10,2024-01-02,,
X2,c,,2024-01-01,,,
X8,,,2024-01-01,,,
X9,LIMBO,,,,,
X10,a,,2024-01-01,yesterday,,
X11,Lost,,2024-01-01,2024-01-03,Nowhere,
X2,Won,5,2024-01-01,2024-01-02,,
X12,a,,2024-01-01,,,2024-02-30
X13,LIMBO,,2024-01-01,,,
"""
# rows: X1 2, X2 3, X3 4, X4 5, (no id) 6, X5 7, X6 8, X7 9, X2 10, X8 11, X9 12, X10 13,
#       X11 14, X2 15, X12 16, X13 17
HISTORY = """\
deal_id,stage,entered_at
X1,a,2024-01-01
X1,b,someday
X99,a,2024-01-01
X1,Purgatory,2024-01-02
X98,b,2024-01-01
"""


@pytest.fixture
def found(tmp_path: Path) -> list[DataProblem]:
    return problems(tmp_path, DEALS, history=HISTORY, process=PROCESS)


def _rows(problem: DataProblem) -> list[tuple[int, str]]:
    return [(detail.row, detail.message) for detail in problem.examples]


def test_every_problem_in_order(found: list[DataProblem], tmp_path: Path) -> None:
    deals, history = str(tmp_path / "deals.csv"), str(tmp_path / "history.csv")
    assert [(p.file, p.code, p.count) for p in found] == [
        (deals, "unmapped-label", 3),  # limbo, LIMBO ×2: one label, whatever the case
        (deals, "unmapped-lost-stage", 1),  # "Nowhere"
        (deals, "duplicate-id", 1),  # X2
        (deals, "missing-id", 1),
        (deals, "bad-amount", 2),  # 12.5.0, N/A
        (deals, "bad-date", 1),  # created_at
        (deals, "bad-date", 1),  # closed_at
        (deals, "bad-date", 1),  # a_date
        (deals, "missing-stage", 1),
        (deals, "won-without-amount", 1),  # X5 (X6's amount is bad, not missing)
        (deals, "closed-before-created", 1),
        (deals, "lost-without-stage", 2),  # X7, X11
        (history, "unmapped-label", 1),
        (history, "bad-date", 1),
        (history, "unknown-deal", 2),
    ]
    severities = {p.code: p.severity for p in found}
    assert severities.pop("lost-without-stage") is Severity.WARNING
    assert set(severities.values()) == {Severity.ERROR}


def test_unmapped_labels(found: list[DataProblem]) -> None:
    stage, lost = found[0], found[1]
    # spellings that differ only in case are one label (either spelling may be shown)
    assert stage.summary.lower() == (
        '3 rows with a stage label that matches no stage or outcome: "limbo" (3); '
        "add each to a stage's aliases (--unmapped ignore skips them)"
    )
    ((row, message),) = _rows(stage)
    assert row == 5
    assert message.lower() == 'stage "limbo" matches no stage or outcome (3 rows)'
    assert lost.summary.startswith(
        '1 row with a lost stage label that matches no stage or outcome: "Nowhere" (1);'
    )
    assert _rows(lost) == [(14, 'lost stage "Nowhere" matches no stage or outcome (1 row)')]


def test_unmapped_label_detail_shows_the_text_of_its_row(found: list[DataProblem]) -> None:
    assert _rows(found[0]) == [(5, 'stage "limbo" matches no stage or outcome (3 rows)')]


def test_duplicates(found: list[DataProblem]) -> None:
    problem = found[2]
    assert problem.summary == "1 deal id on more than one row; the first row of each is used"
    assert _rows(problem) == [(3, 'duplicate id "X2" in rows 3, 10 and 15')]


def test_missing_id(found: list[DataProblem]) -> None:
    assert found[3].summary == "1 row with no deal id"
    assert _rows(found[3]) == [(6, "the deal id is empty")]


def test_bad_values(found: list[DataProblem]) -> None:
    amount, created, closed, stage_date = found[4:8]
    assert amount.summary == "2 rows whose amount is not a number"
    assert _rows(amount) == [
        (4, 'amount "12.5.0" is not a number'),
        (8, 'amount "N/A" is not a number'),
    ]
    assert created.summary == "1 row whose created_at is not a date"
    assert _rows(created) == [(2, 'created_at "2016-13-45" is not a date')]
    assert _rows(closed) == [(13, 'closed_at "yesterday" is not a date')]
    assert stage_date.summary == "1 row whose a_date is not a date"
    assert _rows(stage_date) == [(16, 'a_date "2024-02-30" is not a date')]


def test_deal_checks(found: list[DataProblem]) -> None:
    missing, no_amount, backwards, unplaced = found[8:12]
    assert missing.summary == "1 open deal with no stage"
    assert _rows(missing) == [(11, 'deal "X8" is open but has no stage')]
    assert no_amount.summary == "1 won deal with no amount"
    assert _rows(no_amount) == [(7, 'won deal "X5" has no amount')]
    assert backwards.summary == "1 deal with closed_at before created_at"
    assert _rows(backwards) == [(9, "closed_at 2024-01-02 is before created_at 2024-01-10")]
    assert unplaced.summary == (
        "2 lost deals with no lost stage, stage date or history: counted as lost at the first stage"
    )
    assert _rows(unplaced) == [
        (9, 'lost deal "X7" shows no stage it was lost at'),
        (14, 'lost deal "X11" shows no stage it was lost at'),
    ]


def test_history_problems(found: list[DataProblem], tmp_path: Path) -> None:
    unmapped, bad_date, unknown = found[12:]
    assert unmapped.summary.startswith(
        '1 row with a stage label that matches no stage or outcome: "Purgatory" (1);'
    )
    assert _rows(unmapped) == [(5, 'stage "Purgatory" matches no stage or outcome (1 row)')]
    assert bad_date.summary == "1 row whose entered_at is not a date"
    assert _rows(bad_date) == [(3, 'entered_at "someday" is not a date')]
    deals = tmp_path / "deals.csv"
    assert unknown.summary == f"2 history rows for a deal that is not in {deals}"
    assert _rows(unknown) == [
        (4, f'deal "X99" is not in {deals}'),
        (6, f'deal "X98" is not in {deals}'),
    ]


def test_problem_rows_are_excluded_or_read_as_missing(tmp_path: Path) -> None:
    result = report(tmp_path, DEALS, history=HISTORY, process=PROCESS)
    # used: X1 open a (its history: a), X2 (row 3) open b, X3 open b (bad amount),
    # X5 won, X6 won (bad amount: missing), X7 lost (at a), X10 open a, X11 lost (at a),
    # X12 open a (bad a_date: missing)
    # not used: X4, X9, X13 (unmapped), row 6 (no id), X2 rows 10 and 15 (duplicates),
    # X8 (no stage)
    assert result.funnel.deals.model_dump() == {"total": 9, "won": 2, "lost": 2, "open": 5}
    # a: 2 + 2 + 5 = 9, lost 2, open 3 (X1 X10 X12), advanced 4; b: 2 + 0 + 2 = 4, open 2
    assert counts(result.funnel) == [(9, 4, 2, 3), (4, 2, 0, 2), (2, 2, 0, 0), (2, 2, 0, 0)]
    # no won deal has a readable amount
    assert result.funnel.avg_won_amount is None
    # cycles X5 4 days, X6 4 days
    assert result.funnel.median_cycle_days == pytest.approx(4)


def test_first_five_rows_and_the_count(tmp_path: Path) -> None:
    deals = "deal_id,stage,amount\n" + "".join(f"B{i},a,{'?' * (i + 1)}\n" for i in range(7))
    (problem,) = problems(tmp_path, deals)
    assert (problem.code, problem.count) == ("bad-amount", 7)
    assert problem.summary == "7 rows whose amount is not a number"
    assert [d.row for d in problem.examples] == [2, 3, 4, 5, 6]
    assert problem.examples[0].message == 'amount "?" is not a number'


@pytest.mark.parametrize("amount", ["5m", "5 kg", "x0", "n/a", "12 apples", "inf", "nan"])
def test_amounts_with_letters_are_bad(tmp_path: Path, amount: str) -> None:
    deals = f"deal_id,stage,amount\nA,Won,{amount}\nB,Won,10\n"
    found = problems(tmp_path, deals)
    assert [(p.code, _rows(p)) for p in found] == [
        ("bad-amount", [(2, f'amount "{amount}" is not a number')])
    ]
    # read as missing: the average is B's alone
    assert report(tmp_path, deals).funnel.avg_won_amount == 10


def test_a_plain_number_in_exponent_form_reads_as_itself(tmp_path: Path) -> None:
    deals = "deal_id,stage,amount\nA,Won,1e5\nB,Won,10\n"
    assert problems(tmp_path, deals) == []
    assert report(tmp_path, deals).funnel.avg_won_amount == (100_000 + 10) / 2


def test_many_unmapped_labels(tmp_path: Path) -> None:
    # twelve labels: L0 on three rows, L1 on two, L2 … L11 on one each
    labels = ["L0", "L0", "L0", "L1", "L1", *(f"L{i}" for i in range(2, 12))]
    deals = "deal_id,stage\n" + "".join(f"U{i},{label}\n" for i, label in enumerate(labels))
    (problem,) = problems(tmp_path, deals)
    assert problem.count == 15
    assert problem.summary.startswith(
        '15 rows with a stage label that matches no stage or outcome: "L0" (3), "L1" (2), '
        '"L10" (1), "L11" (1), "L2" (1),'
    )
    assert '"L7" (1) and 2 more; add each' in problem.summary
    assert len(problem.examples) == 5
    assert problem.examples[0].row == 2


def test_many_duplicate_rows(tmp_path: Path) -> None:
    deals = "deal_id,stage\n" + "D,a\n" * 5 + "E,a\nE,b\n"
    (problem,) = problems(tmp_path, deals)
    assert problem.count == 2
    assert _rows(problem) == [
        (2, 'duplicate id "D" in rows 2, 3 and 4 (and 2 more)'),
        (7, 'duplicate id "E" in rows 7 and 8'),
    ]


def test_amounts_and_dates_that_parse(tmp_path: Path) -> None:
    deals = (
        "deal_id,stage,amount,created_at,closed_at\n"
        'A,Won,"$12,000.50",2024-01-01,2024-01-11T12:00:00\n'
        "B,Won, 1500 ,2024-01-01 00:00:00,2024-01-02T00:00:00Z\n"
        "C,Won,USD 2500,2024-01-01,2024-01-03T20:00:00+10:00\n"
        "D,Won,-100,2024-01-01,2024-01-04\n"
    )
    assert problems(tmp_path, deals) == []
    funnel = report(tmp_path, deals).funnel
    # (12000.50 + 1500 + 2500 − 100) / 4
    assert funnel.avg_won_amount == pytest.approx(15900.5 / 4)
    # Cycles in whole days: A 10.5 → 11 (half away from zero), B 1, C 2 (20:00+10:00 is 10:00
    # UTC: 2.42 days; read without its offset 2.83 → 3), D 3. All won, nothing open: the
    # incidence of winning reaches half of 1 at the second of 1, 2, 3, 11: C's 2.
    assert funnel.median_cycle_days == pytest.approx(2)


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$12,000.50", 12000.5, "USD"),
        ("12,000.00", 12000.0, "USD"),  # 12,000 alone depends on the number format: refused
        ("1,234,567.00", 1234567.0, "USD"),
        ("1.200,50", 1200.5, "USD"),  # a decimal comma
        ("12 000,50 €", 12000.5, "EUR"),  # amounts in another currency need data.rates
        ("-1.200,50", -1200.5, "USD"),
        ("0,5", 0.5, "USD"),
        ("USD 2,500.00", 2500.0, "USD"),  # a currency code
        ("1200,50 EUR", 1200.5, "EUR"),
    ],
)
def test_amount_formats(tmp_path: Path, text: str, value: float, currency: str) -> None:
    deals = f'deal_id,stage,amount\nA,Won,"{text}"\n'
    process = PROCESS_YAML.replace(
        "name: Four stages\n", f"name: Four stages\ncurrency: {currency}\n"
    )
    assert problems(tmp_path, deals, process=process) == []
    assert report(tmp_path, deals, process=process).funnel.avg_won_amount == pytest.approx(value)


def test_date_format_bad_values(tmp_path: Path) -> None:
    deals = "deal_id,stage,created_at\nA,a,31/01/2024\nB,a,2024-01-31\nC,a,31/13/2024\n"
    found = problems(tmp_path, deals, date_format="%d/%m/%Y")
    assert [(p.code, _rows(p)) for p in found] == [
        (
            "bad-date",
            [
                (3, 'created_at "2024-01-31" is not a date'),
                (4, 'created_at "31/13/2024" is not a date'),
            ],
        )
    ]


def test_clean_data_has_no_problems(tmp_path: Path) -> None:
    deals = (
        "deal_id,stage,amount,created_at,closed_at\n"
        "A,a,,2024-01-01,\n"
        "B,Won,5,2024-01-01,2024-01-02\n"
    )
    assert problems(tmp_path, deals) == []


def test_row_numbers_after_a_blank_line(tmp_path: Path) -> None:
    deals = "deal_id,stage,created_at\nA,a,2024-01-01\n\nB,a,not a date\n"
    (problem,) = problems(tmp_path, deals)
    assert _rows(problem) == [(4, 'created_at "not a date" is not a date')]


def test_repeated_rows_are_not_checked_again(tmp_path: Path) -> None:
    # only the first row of an id is used, so only it is checked
    deals = "deal_id,stage,amount,created_at\nD,a,,2024-01-01\nD,Won,,2016-13-45\n"
    assert [(p.code, p.count) for p in problems(tmp_path, deals)] == [
        ("duplicate-id", 1),
        ("bad-date", 1),  # a value that cannot be read is reported on every row
    ]
