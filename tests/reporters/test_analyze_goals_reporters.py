"""Goals and quotas in the `analyze` reporters, on a hand-made FunnelReport: golden files for
text, markdown and csv (`pytest --update-golden`), the markdown read back as GitHub reads it,
hostile names, and the json shape; a report without goals stays as it was."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from markdown_it import MarkdownIt

from salesflow.model.funnel import (
    CycleGoal,
    FunnelReport,
    GoalWindow,
    PersonGoals,
    RevenueGoal,
    TeamGoals,
    WinRateGoal,
)
from salesflow.reporters import ANALYZE_FORMATS
from salesflow.reporters.analyze_format_goals import cycle_words
from tests.helpers import ANSI
from tests.reporters.test_analyze_reporters import report
from tests.reporters.test_output_safety import ESCAPES, controls

MARKDOWN = MarkdownIt("commonmark").enable("table")
REVENUE_KEYS = {
    "amount",
    "per",
    "source",
    "prorated",
    "won",
    "wins",
    "attainment",
    "probability_shortfall",
    "shortfall",
}
RATE_KEYS = {"goal", "win_rate", "win_rate_ci", "effective_deals", "probability_below", "below"}


def revenue(**values: object) -> RevenueGoal:
    base: dict[str, object] = {
        "amount": 90000.0,
        "per": "quarter",
        "source": "role",
        "prorated": 358767.9671457906,
        "won": 301250.0,
        "wins": 13,
        "attainment": 0.8396849615742463,
        "probability_shortfall": 0.7012,
        "shortfall": False,
    }
    return RevenueGoal.model_validate({**base, **values})


def rate(**values: object) -> WinRateGoal:
    base: dict[str, object] = {
        "goal": 0.2,
        "win_rate": 0.10805178895753847,
        "win_rate_ci": (0.0861, 0.1342),
        "effective_deals": 611.4,
        "probability_below": 0.99999,
        "below": True,
    }
    return WinRateGoal.model_validate({**base, **values})


def goals_report() -> FunnelReport:
    """ann: her own quota, short beyond doubt; bob: the role's, not credibly short; cid: not in
    team. The team is credibly below its win-rate goal, not credibly short of revenue."""
    base = report(True)
    people = {
        "ann": PersonGoals(
            in_team=True,
            role="account_executive",
            quota=revenue(
                amount=120000.0,
                source="own",
                prorated=478357.2895277207,
                won=151000.0,
                wins=6,
                attainment=0.3156594,
                probability_shortfall=0.99996,
                shortfall=True,
            ),
            win_rate=rate(),
        ),
        "bob": PersonGoals(
            in_team=True,
            role="account_executive",
            quota=revenue(),
            win_rate=rate(
                win_rate=0.25, win_rate_ci=(0.08, 0.52), probability_below=0.31, below=False
            ),
        ),
    }
    groups = [g.model_copy(update={"goals": people.get(g.key)}) for g in base.groups]
    cid = base.groups[1].model_copy(
        update={
            "key": "cid",
            "goals": PersonGoals(
                in_team=False,
                role=None,
                quota=None,
                win_rate=rate(
                    win_rate=None,
                    win_rate_ci=None,
                    effective_deals=None,
                    probability_below=None,
                    below=False,
                ),
            ),
        }
    )
    team = TeamGoals(
        window=GoalWindow(start="2024-01-01", end="2024-12-31", days=366),
        revenue=revenue(
            amount=1500000.0,
            per="year",
            source="goals",
            prorated=1503080.0821355236,
            won=1312000.0,
            wins=54,
            attainment=0.8728676,
            probability_shortfall=0.8874,
        ),
        win_rate=rate(),
        cycle_days=CycleGoal(
            goal=60.0,
            median_cycle_days=71.5,
            median_cycle_days_ci=(63.0, 80.0),
            probability_above=0.994,
            above=True,
        ),
    )
    notes = [
        *base.notes,
        "1 person in team has no deals in the data: Dana; check the names against the owner column",
        "1 owner in the data is not in team (no role or quota): cid",
    ]
    return base.model_copy(update={"groups": [*groups, cid], "goals": team, "notes": notes})


def render(fmt: str, which: FunnelReport, color: bool = False) -> str:
    return ANALYZE_FORMATS.renderer(fmt)(which, color)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("analyze_text_goals.txt", "text"),
        ("analyze_markdown_goals.md", "markdown"),
        ("analyze_csv_goals.csv", "csv"),
    ],
)
def test_golden(name: str, fmt: str, golden: Callable[[str, str], None]) -> None:
    golden(name, render(fmt, goals_report()))


def test_text_colours_only_the_credible_verdicts() -> None:
    coloured = render("text", goals_report(), color=True)
    assert ANSI.sub("", coloured) == render("text", goals_report())
    red = [line for line in coloured.splitlines() if "\x1b[1;31m" in line]
    starts = [ANSI.sub("", line).split()[0] for line in red]
    assert starts == ["Bottleneck:", "Win", "Sales", "goal", "ann", "ann"]  # "goal": wrapped


def test_markdown_reads_back_as_tables_and_headings() -> None:
    out = render("markdown", goals_report())
    tokens = MARKDOWN.parse(out)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[-4:] == [
        "Goals, 2024-01-01 to 2024-12-31 (366 days)",
        "By owner",
        "By owner: quota, 2024-01-01 to 2024-12-31 (USD)",
        "By owner: win rate against the goal of 20%",
    ]
    html = MARKDOWN.render(out)
    assert html.count("90,000/quarter*</td>") == 1  # the role quota's `*` is no emphasis
    assert "<strong>short</strong>" in html and "<strong>below</strong>" in html


def test_markdown_escapes_owner_and_role_text() -> None:
    hostile = goals_report()
    groups = [
        g.model_copy(update={"key": "a|*b*"}) if g.key == "ann" else g for g in hostile.groups
    ]
    out = render("markdown", hostile.model_copy(update={"groups": groups}))
    html = MARKDOWN.render(out)
    assert "<em>b</em>" not in html
    assert html.count("a|*b*") == 3  # the funnel table, the quota table, the win-rate table


def test_csv_goal_columns_on_every_row() -> None:
    rows = list(csv.DictReader(io.StringIO(render("csv", goals_report()))))
    team = [row for row in rows if row["group"] == "*"]
    assert {row["quota_source"] for row in team} == {"goals"}
    assert team[0]["won_in_window"] == "1312000.0"
    ann = [row for row in rows if row["group"] == "ann"]
    assert {(row["role"], row["shortfall"], row["below_goal"]) for row in ann} == {
        ("account_executive", "true", "true")
    }
    cid = next(row for row in rows if row["group"] == "cid")
    assert (cid["role"], cid["quota"], cid["win_rate_goal"]) == ("", "", "0.2")


def test_json_goals_shape() -> None:
    document = json.loads(render("json", goals_report()))
    assert set(document["goals"]) == {"window", "revenue", "win_rate", "cycle_days"}
    assert set(document["goals"]["revenue"]) == REVENUE_KEYS
    assert set(document["goals"]["win_rate"]) == RATE_KEYS
    assert document["goals"]["win_rate"]["win_rate_ci"] == [0.0861, 0.1342]
    assert document["goals"]["cycle_days"] == {
        "goal": 60.0,
        "median_cycle_days": 71.5,
        "median_cycle_days_ci": [63.0, 80.0],
        "probability_above": 0.994,
        "above": True,
    }
    people = {group["key"]: group["goals"] for group in document["groups"]}
    assert set(people["ann"]) == {"in_team", "role", "role_title", "quota", "win_rate"}
    assert people["cid"]["quota"] is None


def test_a_report_without_goals_is_unchanged() -> None:
    plain = report(True)
    document = json.loads(render("json", plain))
    assert "goals" not in document
    assert all("goals" not in group for group in document["groups"])
    rows = list(csv.DictReader(io.StringIO(render("csv", plain))))
    assert "role" not in rows[0]
    for fmt in ("text", "markdown"):
        out = render(fmt, plain)
        assert "Goals" not in out and "quota" not in out


@pytest.mark.parametrize("escape", ESCAPES)
def test_text_goal_tables_send_no_escape_sequence_to_the_terminal(escape: str) -> None:
    hostile = goals_report()
    groups = [
        g.model_copy(update={"key": f"ann{escape}"}) if g.key == "ann" else g
        for g in hostile.groups
    ]
    out = render("text", hostile.model_copy(update={"groups": groups}))
    assert "ann" in out
    assert not controls(out), repr(out)
    assert "\x1b" not in out and "\x07" not in out


@pytest.mark.parametrize(
    ("median", "ci", "probability", "said"),
    [
        (
            71.5,
            (63.0, 80.0),
            0.994,
            "median 72 days (63–80) against the goal of 60 days; "
            "P(above) 99.4%: credibly above the goal",
        ),
        (
            58.0,
            (50.0, 66.0),
            0.31,
            "median 58 days (50–66) against the goal of 60 days; P(above) 31%: not credible",
        ),
        (
            90.0,
            None,
            None,
            "median 90 days against the goal of 60 days (no verdict: too few won deals to tell)",
        ),
        (
            None,
            None,
            None,
            "median – against the goal of 60 days; not measured (no won deal "
            "dated from its start to its close)",
        ),
    ],
)
def test_the_cycle_goal_in_words(
    median: float | None, ci: tuple[float, float] | None, probability: float | None, said: str
) -> None:
    goal = CycleGoal(
        goal=60.0,
        median_cycle_days=median,
        median_cycle_days_ci=ci,
        probability_above=probability,
        above=probability is not None and probability >= 0.9,
    )
    assert cycle_words(goal) == said
