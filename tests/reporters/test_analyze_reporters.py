"""The `analyze` reporters (text, markdown, csv) on a hand-made FunnelReport, compared with golden
files (`pytest --update-golden`), plus the properties every format must keep."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest

from salesflow.model.funnel import (
    Bottleneck,
    DealCounts,
    Funnel,
    FunnelReport,
    Group,
    StageMetrics,
)
from salesflow.reporters import ANALYZE_FORMATS
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
    "planned_conversion",
    "gap_points",
    "cumulative_conversion",
    "win_probability",
    "median_days",
    "p80_days",
]


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
    days: tuple[float | None, float | None] = (None, None),
) -> StageMetrics:
    entered, advanced, lost, open_ = counts
    return StageMetrics(
        id=id,
        name=name,
        entered=entered,
        advanced=advanced,
        lost=lost,
        open=open_,
        conversion=conversion,
        conversion_ci=ci,
        planned_conversion=planned,
        gap_points=gap,
        cumulative_conversion=cumulative,
        win_probability=win,
        median_days=days[0],
        p80_days=days[1],
        completed_stays=advanced + lost,
        open_stays=open_,
    )


def overall_funnel() -> Funnel:
    """1,200 deals over four stages; Technical Validation is far below its plan."""
    return Funnel(
        deals=DealCounts(total=1200, won=90, lost=910, open=200),
        win_rate=0.09,
        avg_won_amount=24310.5,
        median_won_amount=21000.0,
        median_cycle_days=64.5,
        velocity_per_day=6784.325581395349,
        bottleneck=Bottleneck(
            stage="validation", extra_wins=36.34615384615385, revenue_gain=883592.3076923077
        ),
        stages=[
            stage(
                "lead",
                "Lead",
                (1200, 480, 600, 120),
                0.4444444444444444,
                (0.41505608062458214, 0.4742446566606916),
                0.4,
                4.4444444444,
                0.4444444444444444,
                0.09090909090909091,
                (6.5, 12.0),
            ),
            stage(
                "discovery",
                "Discovery | Call",
                (480, 300, 150, 30),
                0.6666666666666666,
                (0.6218546612299025, 0.7085921538655513),
                0.7,
                -3.3333333333,
                0.2962962962962963,
                0.20454545454545456,
                (10.25, 21.0),
            ),
            stage(
                "validation",
                "Technical Validation",
                (300, 150, 120, 30),
                0.5555555555555556,
                (0.49591723837891786, 0.6136071024489431),
                0.75,
                -19.4444444444,
                0.1646090534979424,
                0.38461538461538464,
                (14.0, 30.5),
            ),
            stage(
                "negotiation",
                "Negotiation",
                (150, 90, 40, 20),
                0.6923076923076923,
                (0.6079573017113558, 0.7652946473452866),
                None,
                None,
                0.11396011396011396,
                0.6923076923076923,
            ),
        ],
    )


def small_funnel() -> Funnel:
    """Twelve deals: nothing decided yet at the last stage, no amounts, no bottleneck."""
    return Funnel(
        deals=DealCounts(total=12, won=0, lost=7, open=5),
        win_rate=0.0,
        avg_won_amount=None,
        median_won_amount=None,
        median_cycle_days=None,
        velocity_per_day=None,
        bottleneck=None,
        stages=[
            stage("lead", "Lead", (12, 4, 6, 2), 0.4, (0.16818, 0.68732), 0.4, 0.0, 0.4, 0.0),
            stage(
                "discovery",
                "Discovery | Call",
                (4, 1, 1, 2),
                0.5,
                (0.09453, 0.90547),
                0.7,
                -20.0,
                0.2,
                0.0,
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
            ),
            stage("negotiation", "Negotiation", (0, 0, 0, 0), None, None, None, None, None, None),
        ],
    )


def report(groups: bool = False) -> FunnelReport:
    return FunnelReport(
        process="Acme B2B sales",
        currency="USD",
        source="deals.csv",
        shape="current stage only",
        since="2024-01-01" if groups else None,
        until="2024-12-31" if groups else None,
        funnel=overall_funnel(),
        by="owner" if groups else None,
        groups=[
            Group(key="ann", small=False, funnel=overall_funnel()),
            Group(key="bob", small=True, funnel=small_funnel()),
        ]
        if groups
        else [],
        notes=["days in stage need the dates deals entered stages: map data.stage_dates"],
    )


# --- golden files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "groups"),
    [
        ("analyze_text.txt", "text", False),
        ("analyze_text_groups.txt", "text", True),
        ("analyze_markdown.md", "markdown", True),
        ("analyze_csv.csv", "csv", True),
    ],
)
def test_golden(name: str, fmt: str, groups: bool, golden: Callable[[str, str], None]) -> None:
    golden(name, ANALYZE_FORMATS.renderer(fmt)(report(groups), False))


# --- colour -------------------------------------------------------------------------------


@pytest.mark.parametrize("groups", [False, True])
def test_text_colour_only_adds_escape_codes(groups: bool) -> None:
    render = ANALYZE_FORMATS.renderer("text")
    plain = render(report(groups), False)
    coloured = render(report(groups), True)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_text_colours_the_gap_by_the_interval() -> None:
    coloured = ANALYZE_FORMATS.renderer("text")(report(), True)
    assert re.search(r"\x1b\[31m *-19\x1b\[0m", coloured)  # red: plan above the interval
    assert re.search(r"\x1b\[32m *\+4\.4\x1b\[0m", coloured)  # green: plan below it
    assert re.search(r"  -3\.3  ", coloured)  # within the interval: no colour


def test_text_dims_small_groups() -> None:
    coloured = ANALYZE_FORMATS.renderer("text")(report(groups=True), True)
    line = next(line for line in coloured.splitlines() if "bob" in line)
    assert "\x1b[2m" in line
    assert "(small)" in line
    assert "\x1b[2m" not in next(line for line in coloured.splitlines() if "ann" in line)


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_other_formats_ignore_colour(fmt: str) -> None:
    render = ANALYZE_FORMATS.renderer(fmt)
    assert render(report(True), True) == render(report(True), False)
    assert not ANSI.search(render(report(True), True))


# --- every format -------------------------------------------------------------------------


def test_registry_names() -> None:
    assert list(ANALYZE_FORMATS) == ["text", "json", "csv", "markdown"]


@pytest.mark.parametrize("fmt", list(ANALYZE_FORMATS))
@pytest.mark.parametrize("groups", [False, True])
def test_every_format_ends_with_one_newline(fmt: str, groups: bool) -> None:
    out = ANALYZE_FORMATS.renderer(fmt)(report(groups), False)
    assert out.endswith("\n")
    assert not out.endswith("\n\n")
    assert "\r" not in out


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_people_formats_name_every_stage_and_group(fmt: str) -> None:
    out = ANALYZE_FORMATS.renderer(fmt)(report(True), False)
    for name in ("Lead", "Technical Validation", "Negotiation", "ann", "bob"):
        assert name in out
    assert "(small)" in out
    assert "Note: " in out or "**Note:** " in out


# --- text ---------------------------------------------------------------------------------


def test_text_numbers() -> None:
    out = ANALYZE_FORMATS.renderer("text")(report(), False)
    assert "1,200 deals: 90 won, 910 lost, 200 open · win rate 9.0%" in out
    assert "average USD 24,310 · median USD 21,000" in out
    assert "Median sales cycle 64 days · velocity USD 6,784 per day" in out
    assert "44% (42–47)" in out
    assert (
        "Bottleneck: Technical Validation — reaching the planned 75% would add ≈ 36 wins, "
        "≈ USD 883,592" in out
    )
    assert all(len(line) <= 100 for line in out.splitlines())
    assert not any(line.endswith(" ") for line in out.splitlines())


def test_text_without_bottleneck_or_amounts() -> None:
    quiet = report().model_copy(update={"funnel": small_funnel(), "notes": []})
    out = ANALYZE_FORMATS.renderer("text")(quiet, False)
    assert "No stage is below plan." in out
    assert "average – · median –" in out
    assert "Median sales cycle – · velocity –" in out
    assert "Note:" not in out


def test_text_grows_rather_than_drop_a_column() -> None:
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
    out = ANALYZE_FORMATS.renderer("text")(big, False)
    for value in ("1,200,000,000", "480,000,000", "600,000,000", "120,000,000", "44% (42–47)"):
        assert value in out
    assert "Median" in out and "P80" in out


def test_text_does_not_interpret_markup_in_names() -> None:
    odd = report().model_copy(update={"process": "Sales [bold]team[/bold] :smile:"})
    out = ANALYZE_FORMATS.renderer("text")(odd, True)
    assert "Sales [bold]team[/bold] :smile:" in ANSI.sub("", out)


# --- markdown -----------------------------------------------------------------------------


def test_markdown_tables_have_a_constant_number_of_cells() -> None:
    out = ANALYZE_FORMATS.renderer("markdown")(report(True), False)
    tables: list[list[str]] = [[]]
    for line in out.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    tables = [table for table in tables if table]
    assert len(tables) == 3  # stages, funnel, groups
    for table in tables:
        widths = {len(line.replace("\\|", "").split("|")) for line in table}
        assert len(widths) == 1, table
    assert "| Discovery \\| Call |" in out


# --- csv ----------------------------------------------------------------------------------


def test_csv_rows() -> None:
    out = ANALYZE_FORMATS.renderer("csv")(report(True), False)
    assert "\r" not in out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == CSV_COLUMNS
    assert [row["group"] for row in rows] == ["*"] * 4 + ["ann"] * 4 + ["bob"] * 4
    assert [row["stage_id"] for row in rows[:4]] == [
        "lead",
        "discovery",
        "validation",
        "negotiation",
    ]
    first = rows[0]
    assert float(first["conversion"]) == 0.4444444444444444  # unrounded
    assert float(first["conversion_low"]) == 0.41505608062458214
    assert int(first["entered"]) == 1200
    assert rows[1]["stage_name"] == "Discovery | Call"
    empty = rows[-1]
    assert empty["conversion"] == empty["conversion_low"] == empty["planned_conversion"] == ""


def test_csv_without_groups_has_only_overall_rows() -> None:
    rows = list(csv.DictReader(io.StringIO(ANALYZE_FORMATS.renderer("csv")(report(), False))))
    assert len(rows) == 4
    assert {row["group"] for row in rows} == {"*"}


# --- json (the contract lives in analyze_json; here only that it reads the same report) ---


def test_json_matches_the_report() -> None:
    document = json.loads(ANALYZE_FORMATS.renderer("json")(report(True), False))
    assert document["deals"] == {"total": 1200, "won": 90, "lost": 910, "open": 200}
    assert document["bottleneck"]["stage"] == "validation"
    assert [group["key"] for group in document["groups"]] == ["ann", "bob"]
    assert document["groups"][1]["small"] is True
    assert document["stages"][3]["planned_conversion"] is None


def test_text_shows_control_characters_from_the_data_harmlessly() -> None:
    hostile = report(groups=True)
    groups = [hostile.groups[0].model_copy(update={"key": "eve\x1b[2J\x07"}), hostile.groups[1]]
    out = ANALYZE_FORMATS.renderer("text")(hostile.model_copy(update={"groups": groups}), False)
    assert "\x1b" not in out and "\x07" not in out
    assert "eve\ufffd[2J\ufffd" in out
