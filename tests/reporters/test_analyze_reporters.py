"""The `analyze` reporters (text, markdown, csv, json) on hand-made FunnelReports, compared with
golden files (`pytest --update-golden`), plus the properties every format must keep: the markdown
read back with markdown-it as GitHub reads it, the CSV columns and the JSON keys."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from salesflow.model.funnel import (
    Bottleneck,
    DealCounts,
    Funnel,
    FunnelReport,
    Group,
    StageMetrics,
)
from salesflow.reporters import ANALYZE_FORMATS, analyze_text
from salesflow.reporters.analyze_format import bottleneck_sentence
from tests.helpers import ANSI

CSV_COLUMNS = [
    "group",
    "stage_id",
    "stage_name",
    "entered",
    "advanced",
    "lost",
    "open",
    "conversion",
    "conversion_low",
    "conversion_high",
    "conversion_method",
    "naive_conversion",
    "planned_conversion",
    "gap_points",
    "probability_below_plan",
    "cumulative_conversion",
    "win_probability",
    "median_days",
    "median_days_low",
    "median_days_high",
    "p80_days",
    "planned_days",
    "median_days_to_advance",
    "median_days_to_lose",
    "completed_stays",
    "open_stays",
]
JSON_STAGE_KEYS = {
    "id",
    "name",
    "entered",
    "advanced",
    "lost",
    "open",
    "conversion",
    "conversion_ci",
    "conversion_method",
    "effective_deals",
    "undecided",
    "naive_conversion",
    "planned_conversion",
    "gap_points",
    "probability_below_plan",
    "cumulative_conversion",
    "win_probability",
    "median_days",
    "median_days_ci",
    "p80_days",
    "planned_days",
    "median_days_to_advance",
    "median_days_to_lose",
    "completed_stays",
    "open_stays",
}
Days = tuple[float | None, float | None, float | None, float | None]
NO_DAYS: Days = (None, None, None, None)


def stage(
    id: str,
    name: str,
    counts: tuple[int, int, int, int],
    conversion: float | None,
    ci: tuple[float, float] | None,
    planned: float | None,
    gap: float | None,
    cumulative: float | None,
    win: float | None,
    *,
    method: str = "survival",
    effective: float | None = None,
    undecided: float = 0.0,
    below: float | None = None,
    days: Days = NO_DAYS,
    stays: tuple[int, int] | None = None,
    planned_days: float | None = None,
    median_ci: tuple[float, float | None] | None = None,
) -> StageMetrics:
    """One stage. `days` = (median, P80, median to advance, median to lose) and `median_ci` the
    median's interval; `stays` = (completed, open) stays measured, by default every deal of a
    stage with entry dates."""
    entered, advanced, lost, open_ = counts
    decided = advanced + lost
    if stays is None:
        stays = (decided, open_) if method == "survival" else (0, 0)
    return StageMetrics(
        id=id,
        name=name,
        entered=entered,
        advanced=advanced,
        lost=lost,
        open=open_,
        conversion=conversion,
        conversion_ci=ci,
        conversion_method=method,
        effective_deals=effective,
        undecided=undecided,
        naive_conversion=advanced / decided if decided else None,
        planned_conversion=planned,
        gap_points=gap,
        probability_below_plan=below,
        cumulative_conversion=cumulative,
        win_probability=win,
        median_days=days[0],
        median_days_ci=median_ci,
        p80_days=days[1],
        planned_days=planned_days,
        median_days_to_advance=days[2],
        median_days_to_lose=days[3],
        completed_stays=stays[0],
        open_stays=stays[1],
    )


def overall_funnel() -> Funnel:
    """1,200 deals over four stages with entry dates for all but Negotiation (counted, no days);
    Technical Validation is far below its plan, and so many of its deals are still in it that
    its P80 is not reached."""
    return Funnel(
        deals=DealCounts(total=1200, won=90, lost=870, open=240),
        win_rate=0.10805178895753847,
        closed_win_rate=0.09375,
        avg_won_amount=24310.5,
        median_won_amount=21000.0,
        median_cycle_days=71.5,
        velocity_per_day=8817.207324594929,
        bottleneck=Bottleneck(
            stage="validation",
            probability_below_plan=0.999999999999415,
            extra_wins=43.36615384615384,
            revenue_gain=1054252.883076923,
            revenue_gain_interval=(821881.3399374658, 1292265.9965030462),
        ),
        stages=[
            stage(
                "lead",
                "Lead",
                (1200, 480, 600, 120),
                0.4312,
                (0.40262569770193257, 0.4602398346508112),
                0.4,
                3.12,
                0.4312,
                0.10805178895753847,
                effective=1131.6,
                undecided=0.004,
                below=0.015160838129666832,
                days=(6.5, 12.0, 5.0, 8.5),
                median_ci=(6.0, 7.5),
            ),
            stage(
                "discovery",
                "Discovery | Call",
                (480, 300, 150, 30),
                0.6688,
                (0.6246073682580439, 0.7102038986660816),
                0.7,
                -3.12,
                0.28838656,
                0.2505839261538461,
                effective=461.2,
                below=0.9200050116158871,
                days=(10.25, 21.0, 8.0, 16.5),
            ),
            stage(
                "validation",
                "Technical Validation",
                (300, 150, 80, 70),
                0.5412,
                (0.47948218813318333, 0.6016791235996136),
                0.75,
                -20.88,
                0.156074806272,
                0.3746769230769231,
                effective=251.7,
                undecided=0.12,
                below=0.999999999999415,
                days=(14.0, None, 11.0, 38.0),
                median_ci=(12.0, None),
            ),
            stage(
                "negotiation",
                "Negotiation",
                (150, 90, 40, 20),
                0.6923076923076923,
                (0.6084018917711002, 0.7651744308464262),
                None,
                None,
                0.10805178895753847,
                0.6923076923076923,
                method="counts",
                effective=130.0,
            ),
        ],
    )


def small_funnel() -> Funnel:
    """Twelve deals, none won: nothing decided yet past Discovery (so no win rate), no amounts,
    no bottleneck; the one deal in Technical Validation is still there, so its curve never
    falls ("not reached"), and no deal reached Negotiation (nothing measured: a dash)."""
    return Funnel(
        deals=DealCounts(total=12, won=0, lost=7, open=5),
        win_rate=None,
        closed_win_rate=0.0,
        avg_won_amount=None,
        median_won_amount=None,
        median_cycle_days=None,
        velocity_per_day=None,
        bottleneck=None,
        stages=[
            stage(
                "lead",
                "Lead",
                (12, 4, 6, 2),
                0.3846,
                (0.16834344395874498, 0.6586482371439841),
                0.4,
                -1.54,
                0.3846,
                None,
                effective=11.5,
                below=0.415726756852254,
                days=(4.0, 9.5, 3.0, 5.5),
            ),
            stage(
                "discovery",
                "Discovery | Call",
                (4, 1, 1, 2),
                0.4,
                (0.07664294393838877, 0.8426300011389867),
                0.7,
                -30.0,
                0.15384,
                None,
                effective=2.6,
                undecided=0.4,
                below=0.6737920439103127,
                days=(7.0, None, 6.0, 7.0),
            ),
            stage(
                "validation",
                "Technical Validation",
                (1, 0, 0, 1),
                None,
                None,
                0.75,
                None,
                None,
                None,
                method="counts",
                stays=(0, 1),
            ),
            stage(
                "negotiation",
                "Negotiation",
                (0, 0, 0, 0),
                None,
                None,
                None,
                None,
                None,
                None,
                method="counts",
            ),
        ],
    )


NOTES = [
    "Negotiation: no dates when deals entered, so conversion is advanced ÷ (advanced + lost), "
    "which assumes lost deals are closed as fast as deals advance; map data.stage_dates or pass "
    "--history",
    "Technical Validation: 12% of its deals are still open after the longest recorded decision; "
    "they count as not advancing, so the conversion may be low by up to that much (the interval "
    "allows for it)",
]


def report(groups: bool = False) -> FunnelReport:
    return FunnelReport(
        process="Acme B2B sales",
        currency="USD",
        source="deals.csv",
        shape="wide stage dates",
        since="2024-01-01" if groups else None,
        until="2024-12-31" if groups else None,
        as_of="2025-01-15",
        funnel=overall_funnel(),
        by="owner" if groups else None,
        groups=[
            Group(key="ann", small=False, funnel=overall_funnel()),
            Group(key="bob", small=True, funnel=small_funnel()),
        ]
        if groups
        else [],
        notes=NOTES,
    )


def undated_funnel() -> Funnel:
    """The overall funnel from an export without any date: every conversion counted (advanced ÷
    decided, Wilson interval), no stay measured, no sales cycle."""
    return Funnel(
        deals=DealCounts(total=1200, won=90, lost=870, open=240),
        win_rate=0.13377926421404682,
        closed_win_rate=0.09375,
        avg_won_amount=24310.5,
        median_won_amount=21000.0,
        median_cycle_days=None,
        velocity_per_day=None,
        bottleneck=Bottleneck(
            stage="validation",
            probability_below_plan=0.9994085903542486,
            extra_wins=20.31772575250836,
            revenue_gain=493934.07190635445,
            revenue_gain_interval=(290223.15208559966, 709198.6824588975),
        ),
        stages=[
            stage(
                "lead",
                "Lead",
                (1200, 480, 600, 120),
                0.4444444444444444,
                (0.4150580021425816, 0.47422469781007615),
                0.4,
                4.4444444444,
                0.4444444444444444,
                0.13377926421404682,
                method="counts",
                effective=1080.0,
                below=0.0013594808390979376,
            ),
            stage(
                "discovery",
                "Discovery | Call",
                (480, 300, 150, 30),
                0.6666666666666666,
                (0.6218629764841108, 0.7086489172282322),
                0.7,
                -3.3333333333,
                0.2962962962962963,
                0.3010033444816053,
                method="counts",
                effective=450.0,
                below=0.9310724001709592,
            ),
            stage(
                "validation",
                "Technical Validation",
                (300, 150, 80, 70),
                0.6521739130434783,
                (0.5885778899357943, 0.7107702254626598),
                0.75,
                -9.7826086957,
                0.1932367149758454,
                0.451505016722408,
                method="counts",
                effective=230.0,
                below=0.9994085903542486,
            ),
            stage(
                "negotiation",
                "Negotiation",
                (150, 90, 40, 20),
                0.6923076923076923,
                (0.6084018917711002, 0.7651744308464262),
                None,
                None,
                0.13377926421404682,
                0.6923076923076923,
                method="counts",
                effective=130.0,
            ),
        ],
    )


def undated_report() -> FunnelReport:
    """A current-stage-only export without dates: no export date, no days in stage."""
    return report().model_copy(
        update={
            "shape": "current stage only",
            "as_of": None,
            "funnel": undated_funnel(),
            "notes": [
                "no dates when deals entered stages: conversions are advanced ÷ (advanced + "
                "lost), which assumes lost deals are closed as fast as deals advance, and there "
                "are no days in stage; map data.stage_dates or pass --history",
            ],
        }
    )


def small_report() -> FunnelReport:
    """The small funnel alone: no win rate, no amounts, no bottleneck, no notes."""
    return report().model_copy(update={"funnel": small_funnel(), "notes": []})


REPORTS: dict[str, Callable[[], FunnelReport]] = {
    "overall": report,
    "groups": lambda: report(groups=True),
    "small": small_report,
    "undated": undated_report,
}


def render(fmt: str, which: FunnelReport, color: bool = False) -> str:
    return ANALYZE_FORMATS.renderer(fmt)(which, color)


def lines_after(out: str, title: str) -> list[str]:
    """The lines of a text table, from its title to the blank line after it."""
    lines = out.splitlines()
    start = lines.index(title)
    end = lines.index("", start)
    return lines[start:end]


# --- golden files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "which"),
    [
        ("analyze_text.txt", "text", "overall"),
        ("analyze_text_groups.txt", "text", "groups"),
        ("analyze_text_small.txt", "text", "small"),
        ("analyze_markdown.md", "markdown", "groups"),
        ("analyze_markdown_small.md", "markdown", "small"),
        ("analyze_csv.csv", "csv", "groups"),
    ],
)
def test_golden(name: str, fmt: str, which: str, golden: Callable[[str, str], None]) -> None:
    golden(name, render(fmt, REPORTS[which]()))


# --- colour -------------------------------------------------------------------------------


@pytest.mark.parametrize("which", list(REPORTS))
def test_text_colour_only_adds_escape_codes(which: str) -> None:
    plain = render("text", REPORTS[which]())
    coloured = render("text", REPORTS[which](), True)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_text_colours_the_gap_by_the_interval() -> None:
    coloured = render("text", report(), True)
    assert re.search(r"\x1b\[31m *-21\x1b\[0m", coloured)  # red: plan above the interval
    assert re.search(r"\x1b\[32m *\+3\.1\x1b\[0m", coloured)  # green: plan below it
    assert re.search(r"  -3\.1  ", coloured)  # within the interval: no colour


def test_text_colours_the_bottleneck_verdict() -> None:
    assert "\x1b[1;31mBottleneck:\x1b[0m" in render("text", report(), True)
    assert "\x1b[32mNo stage is clearly below plan.\x1b[0m" in render("text", small_report(), True)


def test_text_dims_small_groups() -> None:
    coloured = render("text", report(groups=True), True)
    line = next(line for line in coloured.splitlines() if "bob" in line)
    assert "\x1b[2m" in line
    assert "(small)" in line
    assert "\x1b[2m" not in next(line for line in coloured.splitlines() if "ann" in line)


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_other_formats_ignore_colour(fmt: str) -> None:
    assert render(fmt, report(True), True) == render(fmt, report(True))
    assert not ANSI.search(render(fmt, report(True), True))


# --- every format -------------------------------------------------------------------------


def test_registry_names() -> None:
    assert list(ANALYZE_FORMATS) == ["text", "json", "csv", "markdown", "html"]


@pytest.mark.parametrize("fmt", list(ANALYZE_FORMATS))
@pytest.mark.parametrize("which", list(REPORTS))
def test_every_format_ends_with_one_newline(fmt: str, which: str) -> None:
    out = render(fmt, REPORTS[which]())
    assert out.endswith("\n")
    assert not out.endswith("\n\n")
    assert "\r" not in out


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_people_formats_name_every_stage_and_group(fmt: str) -> None:
    out = render(fmt, report(True))
    for name in ("Lead", "Technical Validation", "Negotiation", "ann", "bob"):
        assert name in out
    assert "(small)" in out
    assert "Note: " in out or "**Note:** " in out


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_people_formats_say_how_far_the_data_goes(fmt: str) -> None:
    said = {"text": "240 open on 2025-01-15", "markdown": "data to 2025-01-15"}[fmt]
    assert said in " ".join(render(fmt, report(True)).split())
    assert "2025-01-15" not in render(fmt, undated_report())


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_people_formats_show_both_win_rates(fmt: str) -> None:
    assert "11% (closed deals only: 9.4%)" in render(fmt, report())
    assert "– (closed deals only: 0.0%)" in render(fmt, small_report())
    funnel = overall_funnel().model_copy(update={"closed_win_rate": None})
    out = render(fmt, report().model_copy(update={"funnel": funnel}))
    assert "closed deals only" not in out
    assert re.search(r"win rate\W+11%\n", out, re.I)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_people_formats_leave_out_the_days_table_when_nothing_was_measured(fmt: str) -> None:
    out = render(fmt, undated_report())
    assert "Days in stage" not in out
    assert "not reached" not in out
    assert "P80" not in out and "Median days" not in out
    assert "no days in stage" in " ".join(out.split())


# --- the bottleneck sentence --------------------------------------------------------------


def with_bottleneck(**update: object) -> Funnel:
    funnel = overall_funnel()
    assert funnel.bottleneck is not None
    return funnel.model_copy(update={"bottleneck": funnel.bottleneck.model_copy(update=update)})


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        (
            {},
            "Bottleneck: Technical Validation — 99.9% sure it converts below the planned 75%; "
            "reaching it would add ≈ 43 wins, ≈ USD 1,054,253 (80% interval USD 821,881 to "
            "1,292,266)",
        ),
        (
            {"probability_below_plan": 0.9812, "revenue_gain_interval": None},
            "Bottleneck: Technical Validation — 98% sure it converts below the planned 75%; "
            "reaching it would add ≈ 43 wins, ≈ USD 1,054,253",
        ),
        (
            {"probability_below_plan": 0.99, "extra_wins": 1.0},
            "Bottleneck: Technical Validation — 99% sure it converts below the planned 75%; "
            "reaching it would add ≈ 1.0 win, ≈ USD 1,054,253 (80% interval USD 821,881 to "
            "1,292,266)",
        ),
        (
            {"revenue_gain": None, "revenue_gain_interval": None, "extra_wins": 4.25},
            "Bottleneck: Technical Validation — 99.9% sure it converts below the planned 75%; "
            "reaching it would add ≈ 4.2 wins",
        ),
        (
            {"stage": "gone"},
            "Bottleneck: gone — 99.9% sure it converts below the plan; reaching it would add "
            "≈ 43 wins, ≈ USD 1,054,253 (80% interval USD 821,881 to 1,292,266)",
        ),
    ],
    ids=["interval", "no-interval", "one-win", "no-amounts", "unknown-stage"],
)
def test_bottleneck_sentence(update: dict[str, object], expected: str) -> None:
    assert bottleneck_sentence(with_bottleneck(**update), "USD") == expected
    funnel = with_bottleneck(**update)
    text = " ".join(render("text", report().model_copy(update={"funnel": funnel})).split())
    assert expected in text
    markdown = render("markdown", report().model_copy(update={"funnel": funnel}))
    label, _, rest = expected.partition(": ")
    assert f"**{label}:** {rest}" in markdown.splitlines()


def test_no_bottleneck_sentence() -> None:
    assert bottleneck_sentence(small_funnel(), "USD") == "No stage is clearly below plan."
    assert "No stage is clearly below plan." in render("text", small_report()).splitlines()
    assert "No stage is clearly below plan." in render("markdown", small_report()).splitlines()
    for fmt in ("text", "markdown"):
        assert "Bottleneck" not in render(fmt, small_report())


# --- text ---------------------------------------------------------------------------------


def test_text_numbers() -> None:
    out = render("text", report())
    assert out.splitlines()[0] == "Acme B2B sales · deals.csv (wide stage dates)"
    assert (
        "1,200 deals: 90 won, 870 lost, 240 open on 2025-01-15 · win rate 11% (closed deals "
        "only: 9.4%)" in out
    )
    assert "average USD 24,310 · median USD 21,000" in out
    assert "Median sales cycle 72 days · velocity USD 8,817 per day" in out
    assert "43% (40–46)" in out
    assert (
        "Bottleneck: Technical Validation — 99.9% sure it converts below the planned 75%; "
        "reaching it would add ≈ 43 wins, ≈ USD 1,054,253 (80% interval USD 821,881 to "
        "1,292,266)" in " ".join(out.split())
    )
    assert all(len(line) <= 100 for line in out.splitlines())
    assert not any(line.endswith(" ") for line in out.splitlines())


def test_text_days_in_stage_table() -> None:
    out = render("text", report())
    table = lines_after(out, "Days in stage")
    assert re.fullmatch(r" +Advance +Lose", table[1])
    assert re.fullmatch(r"Stage +Median +95% CI +P80 +median +median", table[2])
    assert [re.split(r"\s{2,}", line) for line in table[4:]] == [
        ["Lead", "6.5", "6.0–7.5", "12", "5.0", "8.5"],
        ["Discovery | Call", "10", "–", "21", "8.0", "16"],
        ["Technical Validation", "14", "≥ 12", "not reached", "11", "38"],
        ["Negotiation", "–", "–", "–", "–", "–"],
    ]
    assert len({len(line) for line in table[2:]}) == 1  # right-aligned columns
    # The stage table no longer carries the days; the days table sits between it and the chart.
    lines = out.splitlines()
    stage_header = next(i for i, line in enumerate(lines) if line.startswith("Stage "))
    assert "Cumul." in lines[stage_header]
    assert not any(
        "Median" in line or "P80" in line for line in lines[stage_header - 1 : stage_header + 1]
    )
    days = lines.index("Days in stage")
    assert stage_header < days < lines.index("Funnel: deals that entered each stage")


def test_text_days_not_reached_or_not_measured() -> None:
    table = lines_after(render("text", small_report()), "Days in stage")
    assert [re.split(r"\s{2,}", line) for line in table[4:]] == [
        ["Lead", "4.0", "–", "9.5", "3.0", "5.5"],
        ["Discovery | Call", "7.0", "–", "not reached", "6.0", "7.0"],
        ["Technical Validation", "not reached", "–", "not reached", "–", "–"],
        ["Negotiation", "–", "–", "–", "–", "–"],
    ]


def test_text_without_bottleneck_or_amounts() -> None:
    out = render("text", small_report())
    assert (
        "12 deals: 0 won, 7 lost, 5 open on 2025-01-15 · win rate – (closed deals only: 0.0%)"
        in out
    )
    assert "No stage is clearly below plan." in out
    assert "average – · median –" in out
    assert "Median sales cycle – · velocity –" in out
    assert "Note:" not in out


def test_text_drops_columns_by_priority_then_grows() -> None:
    """Huge counts first cost the interval, then the columns other columns give (open,
    cumulative); never a count that is kept, and never a split number: with no room even for
    those, the report grows wider than asked."""
    funnel = overall_funnel()
    huge = [
        stage.model_copy(
            update={
                "entered": stage.entered * 10**6,
                "advanced": stage.advanced * 10**6,
                "lost": stage.lost * 10**6,
                "open": stage.open * 10**6,
            }
        )
        for stage in funnel.stages
    ]
    big = report().model_copy(update={"funnel": funnel.model_copy(update={"stages": huge})})
    kept = ("1,200,000,000", "480,000,000", "600,000,000", "43%", "not reached")
    dropped = ("120,000,000", "(40–46)", "Cumul.")
    default = render("text", big)
    assert all(value in default for value in kept)
    assert not any(value in default for value in dropped)
    assert max(map(len, default.splitlines())) <= 100
    wide = analyze_text.render(big, False, 200)
    assert all(value in wide for value in (*kept, *dropped))
    narrow = analyze_text.render(big, False, 40)
    assert all(value in narrow for value in kept[:-1])
    assert "P80" not in narrow and "not reached" not in narrow  # the P80 went too
    assert max(map(len, narrow.splitlines())) > 40


def test_text_does_not_interpret_markup_in_names() -> None:
    odd = report().model_copy(update={"process": "Sales [bold]team[/bold] :smile:"})
    funnel = odd.funnel
    stages = [
        s.model_copy(update={"name": "Valid [red]ation[/red]"}) if s.id == "validation" else s
        for s in funnel.stages
    ]
    odd = odd.model_copy(update={"funnel": funnel.model_copy(update={"stages": stages})})
    out = ANSI.sub("", render("text", odd, True))
    assert "Sales [bold]team[/bold] :smile:" in out
    # stage table, days table, funnel chart and bottleneck sentence
    assert out.count("Valid [red]ation[/red]") == 4


# --- markdown -----------------------------------------------------------------------------


def test_markdown_tables_have_a_constant_number_of_cells() -> None:
    out = render("markdown", report(True))
    tables: list[list[str]] = [[]]
    for line in out.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    tables = [table for table in tables if table]
    assert len(tables) == 4  # stages, days in stage, funnel, groups
    for table in tables:
        widths = {len(line.replace("\\|", "").split("|")) for line in table}
        assert len(widths) == 1, table
    assert [len(table[0].replace("\\|", "").split("|")) - 2 for table in tables] == [10, 6, 4, 10]
    assert out.count("| Discovery \\| Call |") == 4  # stages, days in stage, funnel, groups


def test_markdown_summary_and_verdict() -> None:
    lines = render("markdown", report(True)).splitlines()
    assert lines[2:8] == [
        "- **Data:** deals.csv (wide stage dates), created 2024-01-01 to 2024-12-31, data to "
        "2025-01-15",
        "- **Deals:** 1,200 — 90 won, 870 lost, 240 open",
        "- **Win rate:** 11% (closed deals only: 9.4%)",
        "- **Won amount:** average USD 24,310, median USD 21,000",
        "- **Median sales cycle:** 72 days",
        "- **Velocity:** USD 8,817 per day",
    ]
    assert (
        "**Bottleneck:** Technical Validation — 99.9% sure it converts below the planned 75%; "
        "reaching it would add ≈ 43 wins, ≈ USD 1,054,253 (80% interval USD 821,881 to "
        "1,292,266)" in lines
    )


def test_markdown_days_in_stage_table() -> None:
    out = render("markdown", report(True))
    assert (
        "| Stage | Median days | Median 95% CI | P80 days | Median days to advance "
        "| Median days to lose |\n"
        "| --- | --: | --: | --: | --: | --: |\n"
        "| Lead | 6.5 | 6.0–7.5 | 12 | 5.0 | 8.5 |\n"
        "| Discovery \\| Call | 10 | – | 21 | 8.0 | 16 |\n"
        "| Technical Validation | 14 | ≥ 12 | not reached | 11 | 38 |\n"
        "| Negotiation | – | – | – | – | – |\n"
    ) in out
    small = render("markdown", small_report())
    assert "| Technical Validation | not reached | – | not reached | – | – |" in small
    assert "| Negotiation | – | – | – | – | – |" in small


MARKDOWN = MarkdownIt("commonmark").enable("table")


def parsed_tables(tokens: list[Token]) -> list[tuple[list[str], list[list[str]]]]:
    """Every table as (header cells, body rows), with the text of each cell."""
    found: list[tuple[list[str], list[list[str]]]] = []
    rows: list[list[str]] = []
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            rows[-1].append(tokens[index + 1].content)
        elif token.type == "table_close":
            found.append((rows[0], rows[1:]))
    return found


def headings(tokens: list[Token]) -> list[tuple[str, str]]:
    return [
        (token.tag, tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("groups", ["Stages", "Days in stage", "Funnel", "By owner"]),
        ("overall", ["Stages", "Days in stage", "Funnel"]),
        ("small", ["Stages", "Days in stage", "Funnel"]),
        ("undated", ["Stages", "Funnel"]),
    ],
)
def test_markdown_structure(which: str, expected: list[str]) -> None:
    """Read as a CommonMark + tables renderer (GitHub) reads it: the expected headings, every
    table a table whose rows have as many cells as its header, one list item per summary line,
    and nothing from the data turned into HTML."""
    out = render("markdown", REPORTS[which]())
    tokens = MARKDOWN.parse(out)
    assert headings(tokens) == [
        ("h1", "Acme B2B sales: funnel analysis"),
        *(("h2", heading) for heading in expected),
    ]
    found = parsed_tables(tokens)
    stage_names = ["Lead", "Discovery | Call", "Technical Validation", "Negotiation"]
    first_headers = {
        "Stages": "Stage",
        "Days in stage": "Stage",
        "Funnel": "Stage",
        "By owner": "Owner",
    }
    assert [header[0] for header, _ in found] == [first_headers[name] for name in expected]
    assert token_count(tokens, "table_open") == token_count(tokens, "table_close") == len(found)
    for header, body in found:
        assert body, header
        assert all(len(row) == len(header) for row in body), (header, body)
    stage_tables = found[: len(expected) - (1 if "By owner" in expected else 0)]
    for _, body in stage_tables:
        assert [row[0] for row in body] == stage_names
    if "Days in stage" in expected:
        days = found[expected.index("Days in stage")]
        assert days[0] == [
            "Stage",
            "Median days",
            "Median 95% CI",
            "P80 days",
            "Median days to advance",
            "Median days to lose",
        ]
        assert any("not reached" in row for row in days[1])
    items = [t for t in tokens if t.type == "list_item_open"]
    assert len(items) == 6  # one per summary line, none glued to another
    assert token_count(tokens, "html_block") == token_count(tokens, "html_inline") == 0
    paragraphs = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "paragraph_open"]
    verdicts = [p for p in paragraphs if p.startswith(("**Bottleneck:**", "No stage is"))]
    assert len(verdicts) == 1


def test_markdown_structure_survives_hostile_names() -> None:
    hostile = report(True)
    funnel = hostile.funnel
    name = "Tech *Val* | <b>x</b>\nnext # [y](z)"
    stages = [
        s.model_copy(update={"name": name}) if s.id == "validation" else s for s in funnel.stages
    ]
    hostile = hostile.model_copy(update={"funnel": funnel.model_copy(update={"stages": stages})})
    out = render("markdown", hostile)
    tokens = MARKDOWN.parse(out)
    assert [heading for _, heading in headings(tokens)][1:] == [
        "Stages",
        "Days in stage",
        "Funnel",
        "By owner",
    ]
    for header, body in parsed_tables(tokens):
        assert all(len(row) == len(header) for row in body), (header, body)
    html = MARKDOWN.render(out)
    assert "<em>Val" not in html and "<b>" not in html and "<a " not in html
    assert html.count("Tech *Val* | &lt;b&gt;x&lt;/b&gt; next # [y](z)") >= 4


def token_count(tokens: list[Token], kind: str) -> int:
    return sum(1 for token in tokens if token.type == kind)


# --- csv ----------------------------------------------------------------------------------


def test_csv_rows() -> None:
    out = render("csv", report(True))
    assert "\r" not in out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert out.splitlines()[0].split(",") == CSV_COLUMNS
    assert list(rows[0]) == CSV_COLUMNS
    assert [row["group"] for row in rows] == ["*"] * 4 + ["ann"] * 4 + ["bob"] * 4
    assert [row["stage_id"] for row in rows[:4]] == [
        "lead",
        "discovery",
        "validation",
        "negotiation",
    ]
    first = rows[0]
    assert float(first["conversion"]) == 0.4312  # unrounded
    assert float(first["conversion_low"]) == 0.40262569770193257
    assert float(first["naive_conversion"]) == 480 / 1080
    assert float(first["probability_below_plan"]) == 0.015160838129666832
    assert int(first["entered"]) == 1200
    assert rows[1]["stage_name"] == "Discovery | Call"
    assert [row["conversion_method"] for row in rows[:4]] == ["survival"] * 3 + ["counts"]
    validation = rows[2]
    assert (validation["median_days"], validation["p80_days"]) == ("14.0", "")  # not reached
    assert int(validation["open_stays"]) > 0  # …because stays were measured, some still open
    assert (validation["median_days_to_advance"], validation["median_days_to_lose"]) == (
        "11.0",
        "38.0",
    )
    assert float(validation["probability_below_plan"]) == 0.999999999999415
    negotiation = rows[3]
    assert negotiation["probability_below_plan"] == negotiation["planned_conversion"] == ""
    assert negotiation["conversion"] == negotiation["naive_conversion"]
    empty = rows[-1]
    assert empty["conversion"] == empty["conversion_low"] == empty["planned_conversion"] == ""
    assert empty["naive_conversion"] == empty["median_days_to_advance"] == ""
    assert empty["conversion_method"] == "counts"


def test_csv_without_groups_has_only_overall_rows() -> None:
    rows = list(csv.DictReader(io.StringIO(render("csv", report()))))
    assert len(rows) == 4
    assert {row["group"] for row in rows} == {"*"}


# --- json (the contract lives in analyze_json; here only that it reads the same report) ---


def test_json_matches_the_report() -> None:
    document = json.loads(render("json", report(True)))
    assert document["version"] == 2
    assert document["as_of"] == "2025-01-15"
    assert document["deals"] == {"total": 1200, "won": 90, "lost": 870, "open": 240}
    assert document["win_rate"] == 0.10805178895753847
    assert document["closed_win_rate"] == 0.09375
    assert document["bottleneck"] == {
        "stage": "validation",
        "probability_below_plan": 0.999999999999415,
        "extra_wins": 43.36615384615384,
        "revenue_gain": 1054252.883076923,
        "revenue_gain_interval": [821881.3399374658, 1292265.9965030462],
    }
    stages = document["stages"]
    assert all(set(stage) == JSON_STAGE_KEYS for stage in stages)
    assert stages[0]["conversion_ci"] == [0.40262569770193257, 0.4602398346508112]
    assert [stage["median_days_ci"] for stage in stages] == [[6.0, 7.5], None, [12.0, None], None]
    assert [stage["conversion_method"] for stage in stages] == ["survival"] * 3 + ["counts"]
    assert stages[0]["naive_conversion"] == 480 / 1080
    assert stages[2]["p80_days"] is None and stages[2]["open_stays"] == 70
    assert stages[2]["median_days_to_advance"] == 11.0
    assert stages[3]["planned_conversion"] is None
    assert stages[3]["probability_below_plan"] is None
    assert [group["key"] for group in document["groups"]] == ["ann", "bob"]
    ann, bob = document["groups"]
    assert bob["small"] is True
    assert ann["bottleneck"]["revenue_gain_interval"] == [821881.3399374658, 1292265.9965030462]
    assert (bob["win_rate"], bob["closed_win_rate"], bob["bottleneck"]) == (None, 0.0, None)
    assert all(set(stage) == JSON_STAGE_KEYS for stage in bob["stages"])


def test_json_without_bottleneck_or_export_date() -> None:
    assert json.loads(render("json", small_report()))["bottleneck"] is None
    funnel = with_bottleneck(revenue_gain=None, revenue_gain_interval=None)
    document = json.loads(render("json", undated_report().model_copy(update={"funnel": funnel})))
    assert document["as_of"] is None
    assert document["bottleneck"]["revenue_gain_interval"] is None


def test_text_shows_control_characters_from_the_data_harmlessly() -> None:
    hostile = report(groups=True)
    groups = [hostile.groups[0].model_copy(update={"key": "eve\x1b[2J\x07"}), hostile.groups[1]]
    stages = [
        s.model_copy(update={"name": "Tech\x1b[31m Validation"}) if s.id == "validation" else s
        for s in hostile.funnel.stages
    ]
    funnel = hostile.funnel.model_copy(update={"stages": stages})
    hostile = hostile.model_copy(update={"groups": groups, "funnel": funnel})
    out = render("text", hostile)
    assert "\x1b" not in out and "\x07" not in out
    # a whole escape sequence becomes one U+FFFD (not a visible "[2J" after it)
    assert "eve\ufffd\ufffd" in out
    # stage table, days table, funnel chart and bottleneck sentence
    assert out.count("Tech\ufffd Validation") == 4


@pytest.mark.parametrize("width", [70, 80, 100, 200])
def test_text_fits_the_width_and_keeps_the_bottleneck_amounts_whole(width: int) -> None:
    out = analyze_text.render(report(True), False, width)
    lines = out.splitlines()
    assert all(len(line) <= width for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("Bottleneck:"))
    end = lines.index("", start)
    sentence = " ".join(lines[start:end])
    assert sentence == bottleneck_sentence(report().funnel, "USD")
    for amount in ("≈ 43 wins", "≈ USD 1,054,253", "USD 821,881", "1,292,266)"):
        assert any(amount in line for line in lines[start:end]), (amount, lines[start:end])
    assert ("(95% CI)" in out) is (width > 80)
