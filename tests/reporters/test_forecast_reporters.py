"""The `forecast` reporters (text, markdown, json) on a hand-made Forecast, compared with golden
files (`pytest --update-golden`), plus the properties every format must keep."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from salesflow.model.forecast import (
    Distribution,
    Forecast,
    Histogram,
    Month,
    Pipeline,
    StageRate,
    Target,
)
from salesflow.reporters import FORECAST_FORMATS, forecast_text
from tests.helpers import ANSI


def flat(text: str) -> str:
    """The text with line wrapping undone: the text report wraps long sentences."""
    return " ".join(text.split())


def stage(
    id: str, name: str, conversion: float, counts: tuple[int, int] | None, entering: float
) -> StageRate:
    return StageRate(
        id=id,
        name=name,
        conversion=conversion,
        advanced=counts[0] if counts else None,
        lost=counts[1] if counts else None,
        expected_entering=entering,
    )


def forecast(full: bool = True) -> Forecast:
    """120 leads through three stages from 412 closed deals; with `full`, a target, three months
    and the open pipeline."""
    return Forecast(
        process="Acme B2B sales",
        currency="USD",
        source="data",
        leads=120,
        sims=100_000,
        seed=7,
        closed_deals=412,
        expected_wins=9.072,
        wins=Distribution(mean=9.07135, p10=5.0, p50=9.0, p90=13.0),
        revenue=Distribution(mean=217728.4, p10=118904.25, p50=211350.0, p90=325117.9),
        deal_size=24000.0,
        deal_size_model="lognormal",
        won_amounts=115,
        dispersion=0.0125,
        dispersion_cohorts=14,
        stages=[
            stage("lead", "Lead", 0.45, (180, 220), 120.0),
            stage("discovery", "Discovery | Call", 0.6, (120, 80), 54.0),
            stage("proposal", "Proposal", 0.28, (28, 72), 32.4),
        ],
        histogram=Histogram(
            edges=[50_000.0 + 50_000.0 * k for k in range(9)],
            counts=[1_200, 6_800, 17_500, 26_000, 23_500, 14_500, 7_000, 3_500],
        ),
        target=Target(
            amount=250_000.0, probability=0.3652, leads_needed_mean=138, leads_needed_p90=221
        )
        if full
        else None,
        months=[
            Month(
                month="2026-11",
                mean=21000.0,
                p10=0.0,
                p50=18000.0,
                p90=48000.0,
                new_leads=0.0,
                pipeline=21000.0,
            ),
            Month(
                month="2026-12",
                mean=96000.5,
                p10=52000.0,
                p50=94000.0,
                p90=142000.0,
                new_leads=30000.0,
                pipeline=66000.5,
            ),
            Month(
                month="2027-01",
                mean=100727.9,
                p10=61000.0,
                p50=99000.0,
                p90=144500.0,
                new_leads=95000.0,
                pipeline=5727.9,
            ),
            Month(
                month="later",
                mean=301000.0,
                p10=200000.0,
                p50=300000.0,
                p90=400000.0,
                new_leads=92728.4,
                pipeline=208271.6,
            ),
        ]
        if full
        else [],
        pipeline=Pipeline(
            open_deals=37,
            expected_revenue=301234.5,
            revenue=Distribution(mean=301100.0, p10=214000.0, p50=300000.0, p90=389000.0),
        )
        if full
        else None,
        notes=["rates rest on 412 closed deals"],
    )


def plan_forecast() -> Forecast:
    """The same funnel from the plan: no counts, no closed deals, the process-noise note."""
    base = forecast(full=False)
    return base.model_copy(
        update={
            "source": "plan",
            "closed_deals": 0,
            "deal_size_model": "plan",
            "won_amounts": 0,
            "dispersion": 0.0,
            "dispersion_cohorts": 0,
            "stages": [s.model_copy(update={"advanced": None, "lost": None}) for s in base.stages],
            "notes": [
                "rates and deal size come from the plan in the process file: the interval covers "
                "process noise only, not uncertainty in the rates"
            ],
        }
    )


# --- golden files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"), [("forecast_text.txt", "text"), ("forecast_markdown.md", "markdown")]
)
def test_golden(name: str, fmt: str, golden: Callable[[str, str], None]) -> None:
    golden(name, FORECAST_FORMATS.renderer(fmt)(forecast(), False))


# --- colour -------------------------------------------------------------------------------


@pytest.mark.parametrize("full", [False, True])
def test_text_colour_only_when_asked(full: bool) -> None:
    render = FORECAST_FORMATS.renderer("text")
    plain = render(forecast(full), False)
    coloured = render(forecast(full), True)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured).split() == plain.split()


def test_text_colour_only_adds_escape_codes() -> None:
    render = FORECAST_FORMATS.renderer("text")
    assert ANSI.sub("", render(forecast(), True)) == render(forecast(), False)


def test_text_colours_the_expected_revenue_and_the_bars() -> None:
    coloured = FORECAST_FORMATS.renderer("text")(forecast(), True)
    assert "\x1b[1;32mUSD 217,728\x1b[0m" in coloured  # bold green
    assert re.search(r"\x1b\[[0-9;]*36m██", coloured)  # cyan bars
    assert "\x1b[2mNote: rates rest on 412 closed deals\x1b[0m" in coloured  # dim


def test_text_only_the_distribution_title_is_bold() -> None:
    coloured = FORECAST_FORMATS.renderer("text")(forecast(), True)
    row = next(line for line in coloured.splitlines() if "USD 50,000" in line)
    assert "\x1b[1m" not in row and "\x1b[1;" not in row


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_other_formats_ignore_colour(fmt: str) -> None:
    render = FORECAST_FORMATS.renderer(fmt)
    assert render(forecast(), True) == render(forecast(), False)
    assert not ANSI.search(render(forecast(), True))


# --- every format -------------------------------------------------------------------------


def test_registry_names() -> None:
    assert list(FORECAST_FORMATS) == ["text", "json", "markdown", "html"]


@pytest.mark.parametrize("fmt", list(FORECAST_FORMATS))
@pytest.mark.parametrize("make", [forecast, plan_forecast])
def test_every_format_ends_with_one_newline(fmt: str, make: Callable[[], Forecast]) -> None:
    out = FORECAST_FORMATS.renderer(fmt)(make(), False)
    assert out.endswith("\n")
    assert not out.endswith("\n\n")
    assert "\r" not in out


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_people_formats_say_where_the_rates_come_from(fmt: str) -> None:
    render = FORECAST_FORMATS.renderer(fmt)
    data = flat(render(forecast(), False))
    assert "from data (412 closed deals)" in data
    plan = flat(render(plan_forecast(), False))
    assert "from the plan in the process file" in plan
    assert "process noise only" in plan
    assert "closed deals)" not in plan or "no closed deals" in plan


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_people_formats_show_every_part(fmt: str) -> None:
    out = flat(FORECAST_FORMATS.renderer(fmt)(forecast(), False))
    for part in (
        "USD 217,728",  # mean revenue
        "P10 USD 118,904",
        "P50 USD 211,350",
        "P90 USD 325,118",
        "Lead",
        "Proposal",
        "Target USD 250,000",
        "reached with probability 37%",
        "138 to reach it on average, 221 to reach it with 90% confidence",
        "2026-11",
        "2027-01",
        "37 deals, weighted USD 301,234",
        "█",
    ):
        assert part in out, part


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_optional_parts_only_when_present(fmt: str) -> None:
    out = FORECAST_FORMATS.renderer(fmt)(forecast(full=False), False)
    for part in ("Target", "2026-11", "pipeline"):
        assert part not in out, part


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_unreachable_target(fmt: str) -> None:
    full = forecast()
    assert full.target is not None
    hopeless = full.model_copy(
        update={"target": full.target.model_copy(update={"leads_needed_p90": None})}
    )
    out = flat(FORECAST_FORMATS.renderer(fmt)(hopeless, False))
    assert "more than 10,000,000 to reach it with 90% confidence" in out


# --- text ---------------------------------------------------------------------------------


def test_text_headline_and_width() -> None:
    out = FORECAST_FORMATS.renderer("text")(forecast(), False)
    first = out.splitlines()[0]
    assert first == "Acme B2B sales · 120 leads · rates from data (412 closed deals)"
    assert "100,000 simulations, seed 7" in out
    assert all(len(line) <= 100 for line in out.splitlines())
    assert not any(line.endswith(" ") for line in out.splitlines())


# --- markdown -----------------------------------------------------------------------------


def markdown_tables(out: str) -> list[list[str]]:
    tables: list[list[str]] = [[]]
    for line in out.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    return [table for table in tables if table]


def test_markdown_tables_have_a_constant_number_of_cells() -> None:
    out = FORECAST_FORMATS.renderer("markdown")(forecast(), False)
    tables = markdown_tables(out)
    assert len(tables) == 3  # stages, distribution, months
    for table in tables:
        widths = {len(line.replace("\\|", "").split("|")) for line in table}
        assert len(widths) == 1, table
    assert "| Discovery \\| Call | 60% | 120 | 80 | 54 |" in out


def test_markdown_sections() -> None:
    out = FORECAST_FORMATS.renderer("markdown")(forecast(), False)
    assert out.startswith("# Acme B2B sales: revenue forecast\n")
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Stages",
        "## Revenue distribution",
        "## Target",
        "## Revenue by month",
        "## Open pipeline",
    ]
    assert "- **Rates:** from data (412 closed deals)" in out
    assert "**Note:** rates rest on 412 closed deals" in out


def test_markdown_plan_has_no_counts() -> None:
    out = FORECAST_FORMATS.renderer("markdown")(plan_forecast(), False)
    assert "- **Rates:** from the plan in the process file (no closed deals)" in out
    assert "| Lead | 45% | – | – | 120 |" in out


def test_markdown_escapes_names() -> None:
    odd = forecast().model_copy(update={"process": "Sales *team* | EMEA\nnorth"})
    out = FORECAST_FORMATS.renderer("markdown")(odd, False)
    assert out.startswith("# Sales \\*team\\* \\| EMEA north: revenue forecast\n")


def test_markdown_bars_scale_with_the_peak() -> None:
    out = FORECAST_FORMATS.renderer("markdown")(forecast(), False)
    distribution = markdown_tables(out)[1][2:]
    bars = [row.rstrip(" |").rsplit("| ", 1)[1].count("█") for row in distribution]
    assert max(bars) == 20
    assert all(bar >= 1 for bar in bars)


# --- json ---------------------------------------------------------------------------------


def test_json_has_the_optional_parts_only_when_present() -> None:
    render = FORECAST_FORMATS.renderer("json")
    full = json.loads(render(forecast(), False))
    assert full["target"]["leads_needed_p90"] == 221
    assert [month["month"] for month in full["months"]] == [
        "2026-11",
        "2026-12",
        "2027-01",
        "later",
    ]
    assert full["pipeline"]["open_deals"] == 37
    bare = json.loads(render(forecast(full=False), False))
    assert not {"target", "months", "pipeline"} & set(bare)
    plan = json.loads(render(plan_forecast(), False))
    assert plan["source"] == "plan" and plan["closed_deals"] == 0
    assert plan["stages"][0]["advanced"] is None


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_headline_says_whose_amounts_size_the_wins(fmt: str) -> None:
    """No won amounts and no planned deal size: the wins are sized from the open and lost deals'
    amounts. The headline said "lognormal fitted to 5 won amounts" above a note saying so."""
    render = FORECAST_FORMATS.renderer(fmt)
    others = forecast(full=False).model_copy(
        update={"amounts_from": "open_and_lost", "won_amounts": 5}
    )
    out = flat(render(others, False))
    assert "(lognormal fitted to 5 amounts of open and lost deals)" in out
    assert "won amount" not in out
    one = flat(render(others.model_copy(update={"won_amounts": 1}), False))
    assert "(lognormal fitted to 1 amount of an open or lost deal)" in one
    assert "(lognormal fitted to 115 won amounts)" in flat(render(forecast(full=False), False))


def test_json_says_whose_amounts_size_the_wins() -> None:
    render = FORECAST_FORMATS.renderer("json")
    assert json.loads(render(forecast(full=False), False))["amounts_from"] == "won"
    others = forecast(full=False).model_copy(update={"amounts_from": "open_and_lost"})
    assert json.loads(render(others, False))["amounts_from"] == "open_and_lost"


def test_one_won_amount_is_singular() -> None:
    single = forecast(full=False).model_copy(update={"won_amounts": 1})
    text = flat(FORECAST_FORMATS.renderer("text")(single, False))
    assert "lognormal fitted to 1 won amount)" in text


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_one_open_deal_is_singular(fmt: str) -> None:
    full = forecast()
    assert full.pipeline is not None
    single = full.model_copy(
        update={"pipeline": full.pipeline.model_copy(update={"open_deals": 1})}
    )
    assert "1 deal, weighted" in flat(FORECAST_FORMATS.renderer(fmt)(single, False))


# --- text: the histogram and the month table ------------------------------------------------


def text_at(result: Forecast, width: int = 100) -> str:
    return forecast_text.render(result, False, width)


def histogram_rows(out: str) -> list[str]:
    lines = out.splitlines()
    start = lines.index("Revenue distribution") + 1
    return lines[start : start + 8]


def test_text_histogram_marks_the_percentiles_and_the_target() -> None:
    rows = histogram_rows(text_at(forecast()))
    marks = {row.split()[1]: row.split("◀ ")[1] for row in rows if "◀" in row}
    # P10 118,904 in [100k, 150k), P50 211,350 and the 250k target in their bins, P90 325,118
    assert marks == {"100,000": "P10", "200,000": "P50", "250,000": "target", "300,000": "P90"}
    assert rows[0] == "   USD 50,000 ██                                       1.2%"
    assert rows[3].endswith("████  26%  ◀ P50")


def test_text_histogram_labels_the_last_bin_as_everything_above() -> None:
    rows = histogram_rows(text_at(forecast()))
    assert rows[-1].startswith("≥ USD 400,000 █████")
    assert not any(row.lstrip().startswith("≥") for row in rows[:-1])


def test_text_histogram_marks_that_share_a_bin_and_lie_outside_the_edges() -> None:
    full = forecast()
    assert full.target is not None
    revenue = full.revenue.model_copy(update={"p10": 10_000.0, "p90": 9_000_000.0})
    shifted = full.model_copy(
        update={
            "revenue": revenue,
            "target": full.target.model_copy(update={"amount": 210_000.0}),
        }
    )
    rows = histogram_rows(text_at(shifted))
    assert rows[0].endswith("◀ P10")  # below the first edge: the first bin
    assert rows[3].endswith("◀ P50 · target")
    assert rows[-1].endswith("◀ P90")  # beyond the last edge: the open last bin


def test_text_month_table_marks_the_months_the_pipeline_pays_for() -> None:
    out = text_at(forecast())
    lines = out.splitlines()
    start = lines.index("Revenue by month") + 3
    assert [line.split()[:2] for line in lines[start : start + 4]] == [
        ["2026-11", "*"],  # all of it from the pipeline
        ["2026-12", "*"],  # 66,000 of 96,000
        ["2027-01", "USD"],  # 5,728 of 100,728: no mark
        ["later", "*"],
    ]
    assert lines[start + 4] == (
        "* more than half of the month's expected revenue comes from the open pipeline"
    )
    assert lines[start + 5] == "later: after 2027-01 (outside the 3 months)"


def test_text_month_table_without_the_pipeline_has_no_marks() -> None:
    full = forecast()
    months = [
        month.model_copy(update={"new_leads": month.mean, "pipeline": 0.0}) for month in full.months
    ]
    out = text_at(full.model_copy(update={"pipeline": None, "months": months}))
    assert "*" not in out and "pipeline" not in out
    assert "later: after 2027-01 (outside the 3 months)" in out


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_text_fits_the_width(width: int) -> None:
    out = text_at(forecast(), width)
    assert all(len(line) <= width for line in out.splitlines())
    header = out.split("Revenue by month\n")[1].splitlines()[0]
    assert ("P10" in header) is (width >= 100)
    for amount in ("USD 217,728", "P10 USD 118,904", "USD 301,234"):
        assert any(amount in line for line in out.splitlines()), amount
