"""What the label combinations say without another pass (sources.remote.combinations): the rows
left out, each row's outcome, and the end of the data — the rules of the canonical SQL."""

from __future__ import annotations

from datetime import datetime

from salesflow.sources.remote.combinations import (
    last_date,
    left_out,
    meanings,
    outcome,
    pipeline_counts,
)
from salesflow.sources.remote.vocabulary import Combination, Meaning, Vocabulary

VOCABULARY = Vocabulary(
    {
        "stage": {
            "Beta": Meaning(stage=1, open=True),
            "Closed Won": Meaning(outcome="won"),
            "Duplicate": Meaning(ignored=True, unmapped=True),
        },
        "status": {
            "open": Meaning(open=True),
            "Lost": Meaning(outcome="lost"),
            "Test": Meaning(ignored=True, unmapped=True),
        },
    },
    dated=True,
)
DAY = [datetime(2025, 1, day) for day in range(1, 32)]


def combination(
    stage: str | None, status: str | None, latest: int, closed: int | None
) -> Combination:
    return Combination(
        stage, status, None, 1, 0, DAY[latest], None if closed is None else DAY[closed]
    )


def test_an_ignored_stage_or_status_leaves_the_row_out() -> None:
    for stage, status in (("Duplicate", None), ("Beta", "Test"), ("Duplicate", "open")):
        assert left_out(meanings(VOCABULARY, combination(stage, status, 1, None)))
    assert not left_out(meanings(VOCABULARY, combination("Beta", "Nothing known", 1, None)))


def test_a_status_that_means_something_decides_else_the_label() -> None:
    def of(stage: str | None, status: str | None) -> str:
        row = combination(stage, status, 1, None)
        return outcome(VOCABULARY, row, meanings(VOCABULARY, row))

    assert of("Closed Won", "open") == "open"  # the status decides alone
    assert of("Beta", "Lost") == "lost"
    assert of("Closed Won", None) == of("Closed Won", "Unknown value") == "won"
    assert of("Beta", None) == of(None, None) == of("   ", None) == "open"


def test_the_end_of_the_data_counts_a_close_only_once_closed() -> None:
    rows = (
        combination("Beta", "open", 3, 30),  # an open deal's planned close
        combination("Closed Won", None, 2, 9),
        combination("Duplicate", None, 29, 29),  # left out
    )
    assert last_date(Vocabulary(VOCABULARY.values, rows, dated=True)) == DAY[9]
    assert last_date(Vocabulary(VOCABULARY.values, rows[:1], dated=True)) == DAY[3]
    assert last_date(Vocabulary(VOCABULARY.values, rows[2:], dated=True)) is None
    assert last_date(Vocabulary(VOCABULARY.values, (), dated=True)) is None


def test_the_pipelines_are_counted_among_the_rows_kept() -> None:
    def row(stage: str, pipeline: str | None, count: int) -> Combination:
        return Combination(stage, None, None, count, 0, pipeline=pipeline)

    rows = (row("Beta", "Sales", 3), row("Closed Won", "Sales", 2), row("Beta", "Renewals", 1))
    rows += (row("Duplicate", "Old", 4), row("Beta", None, 5))  # left out; no pipeline
    counts = pipeline_counts(Vocabulary(VOCABULARY.values, rows))
    assert counts == {"Sales": 5, "Renewals": 1}
    assert pipeline_counts(Vocabulary(VOCABULARY.values, None)) is None
