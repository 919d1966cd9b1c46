"""The `backtest` reporters (text, markdown, json) on a hand-made Backtest, compared with golden
files (`pytest --update-golden`), and the JSON keys docs/backtest.md documents."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from salesflow.model.backtest import Backtest, BacktestPoint, Status
from salesflow.model.forecast import Distribution
from salesflow.reporters import BACKTEST_FORMATS
from tests.helpers import ANSI

NO_FORECAST = Distribution(mean=0.0, p10=0.0, p50=0.0, p90=0.0)


def unscored(
    cutoff: str, status: Status, leads: int, actual: float, open_deals: int = 0
) -> BacktestPoint:
    return BacktestPoint(
        cutoff=cutoff,
        status=status,
        closed_deals=12 if status == "too little data" else 240,
        won_deals=2 if status == "too little data" else 30,
        leads=leads,
        forecast=NO_FORECAST
        if status == "too little data"
        else Distribution(mean=90_000.0, p10=50_000.0, p50=85_000.0, p90=140_000.0),
        actual=actual,
        mature=False,
        error=None,
        inside=None,
        baseline=None if status == "too little data" else 70_000.0,
        open_deals=open_deals,
    )


def backtest(scored: bool = True) -> Backtest:
    points = [
        unscored("2024-01-01", "too little data", 310, 41_250.5),
        BacktestPoint(
            cutoff="2024-02-01",
            status="scored",
            closed_deals=180,
            won_deals=24,
            leads=1_204,
            forecast=Distribution(mean=120_500.0, p10=80_250.0, p50=115_000.0, p90=170_400.0),
            actual=131_000.0,
            mature=True,
            error=(120_500 - 131_000) / 131_000,
            inside=True,
            crps=9_876.5,
            baseline=98_000.0,
            baseline_crps=33_000.0,
            stale_deals=2,
        ),
        BacktestPoint(
            cutoff="2024-03-01",
            status="scored",
            closed_deals=220,
            won_deals=28,
            leads=1_150,
            forecast=Distribution(mean=100_000.0, p10=70_000.0, p50=98_000.0, p90=135_000.0),
            actual=0.0,
            mature=True,
            error=None,
            inside=False,
            crps=61_234.0,
            baseline=None,
            baseline_crps=None,
        ),
        unscored("2024-04-01", "still open", 1_100, 60_000.0, open_deals=7),
        unscored("2024-05-01", "too young", 1_180, 12_000.0, open_deals=40),
    ]
    chosen = points if scored else [points[0], points[3], points[4]]
    return Backtest(
        process="Acme B2B sales",
        currency="EUR",
        horizon_months=1,
        data_end="2024-05-31",
        maturity_days=61.4,
        points=chosen,
        scored=2 if scored else 0,
        mape=0.08 if scored else None,
        bias=0.6786 if scored else None,
        coverage=0.5 if scored else None,
        crps=35_555.25 if scored else None,
        baseline_crps=33_000.0 if scored else None,
        skill=0.7007 if scored else None,
        baseline_mape=0.2519 if scored else None,
        notes=["1 cutoff(s) had too little data"] if scored else [],
    )


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
@pytest.mark.parametrize("scored", [True, False], ids=["scored", "none-scored"])
def test_golden(fmt: str, suffix: str, scored: bool, golden: Callable[[str, str], None]) -> None:
    rendered = BACKTEST_FORMATS.renderer(fmt)(backtest(scored), False)
    golden(f"backtest_{fmt}{'' if scored else '_none'}.{suffix}", rendered)


def test_the_text_table_fits_in_120_columns() -> None:
    rendered = BACKTEST_FORMATS.renderer("text")(backtest(), False)
    assert max(len(line) for line in rendered.splitlines()) <= 120


def test_the_summary_line_names_every_score() -> None:
    text = " ".join(BACKTEST_FORMATS.renderer("text")(backtest(), False).split())
    assert (
        "2 cutoffs scored · actual inside P10–P90 in 50% (an honest 80% interval covers about "
        "80%) · CRPS 35,555 against 33,000 for the naive baseline (skill +70%) · bias +68% · "
        "MAPE 8.0% (naive 25%)"
    ) in text
    assert "still open" in text and "7 deals open" in text


def test_colour_only_adds_escape_codes() -> None:
    render = BACKTEST_FORMATS.renderer("text")
    assert ANSI.sub("", render(backtest(), True)) == render(backtest(), False)


def test_json_keys_and_values() -> None:
    document = json.loads(BACKTEST_FORMATS.renderer("json")(backtest(), False))
    assert document["version"] == 1
    assert (document["crps"], document["baseline_crps"], document["skill"]) == (
        35_555.25,
        33_000.0,
        0.7007,
    )
    scored, still_open = document["points"][1], document["points"][3]
    assert (scored["crps"], scored["baseline_crps"], scored["stale_deals"]) == (
        9_876.5,
        33_000.0,
        2,
    )
    assert (still_open["status"], still_open["open_deals"], still_open["crps"]) == (
        "still open",
        7,
        None,
    )
