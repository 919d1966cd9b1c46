"""`salesflow analyze --by owner` with a team, quotas and goals, through typer's CliRunner: the
goals in text, json, markdown and csv on a small CSV worked out by hand, and the notes about
people in `team` without deals and owners `team` does not list."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.helpers import assert_clean_exit, invoke, write

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

PROCESS = """\
salesflow: 1
name: Team sales
currency: EUR
roles:
  - id: ae
    title: Account Executive
    quota: {amount: 2000, per: month}
stages:
  - id: discovery
    name: Discovery
    owner: ae
    exit_criteria: [Need confirmed]
  - id: proposal
    name: Proposal
    owner: ae
    exit_criteria: [Signed]
team:
  - name: Ann
    role: ae
    quota: {amount: 50000, per: month}
  - name: Bob
    role: ae
  - name: Dana
    role: ae
goals:
  win_rate: 0.5
  revenue: {amount: 200000, per: year}
data:
  columns: {owner: Rep}
"""
# 2024-01-01 to 2024-12-31: 366 days. Every amount 10,000, so D = 10,000 and the test of each
# quota is the Poisson test of the number of wins. Ann: 50,000 a month pro-rates to 601,232
# (60.1 wins' worth), won 3: short beyond doubt. Bob: 2,000 a month (his role's) pro-rates to
# 24,049 (2.4 wins), won 2: P(N > 2 | 2.4) = 0.43, not credible. Cid is not in the team; Dana
# has no deals.
ROWS = """\
deal_id,stage,amount,created_at,closed_at,Rep
1,Won,10000,2024-01-01,2024-02-01,Ann
2,Won,10000,2024-03-01,2024-04-01,Ann
3,Won,10000,2024-05-01,2024-06-01,Ann
4,Lost,,2024-06-01,2024-06-15,Ann
5,Won,10000,2024-02-01,2024-03-01,Bob
6,Won,10000,2024-07-01,2024-08-01,Bob
7,Lost,,2024-08-01,2024-12-31,Cid
8,Discovery,,2024-09-01,,Cid
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "process.yaml", PROCESS)
    return write(tmp_path, "deals.csv", ROWS)


def analyze(*args: str) -> Result:
    result = invoke("analyze", "-p", "process.yaml", "--deals", "deals.csv", *args)
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    return result


def document(*args: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(analyze("--format", "json", *args).stdout)
    return loaded


@pytest.mark.usefixtures("files")
def test_json_goals_of_the_team_and_of_each_person() -> None:
    found = document("--by", "owner")
    goals = found["goals"]
    assert goals["window"] == {"start": "2024-01-01", "end": "2024-12-31", "days": 366}
    assert set(goals) == {"window", "revenue", "win_rate", "cycle_days"}
    assert goals["cycle_days"] is None
    assert goals["revenue"]["won"] == 50000
    assert goals["revenue"]["prorated"] == pytest.approx(200000 * 366 / 365.25)
    by_key = {group["key"]: group["goals"] for group in found["groups"]}
    assert list(by_key) == ["Ann", "Bob", "Cid"]
    ann = by_key["Ann"]
    assert set(ann) == {"in_team", "role", "role_title", "quota", "win_rate"}
    assert (ann["role"], ann["role_title"]) == ("ae", "Account Executive")
    assert set(ann["quota"]) == {
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
    assert (ann["quota"]["source"], ann["quota"]["wins"], ann["quota"]["shortfall"]) == (
        "own",
        3,
        True,
    )
    bob = by_key["Bob"]["quota"]
    assert (bob["amount"], bob["per"], bob["source"]) == (2000, "month", "role")
    assert bob["prorated"] == pytest.approx(2000 * 366 / 30.4375)
    expected_wins = 2000 * 366 / 30.4375 / 10000
    poisson_cdf = math.exp(-expected_wins) * (1 + expected_wins + expected_wins**2 / 2)
    assert bob["probability_shortfall"] == pytest.approx(1 - poisson_cdf)
    assert bob["shortfall"] is False
    assert by_key["Cid"] == {
        "in_team": False,
        "role": None,
        "role_title": None,
        "quota": None,
        "win_rate": by_key["Cid"]["win_rate"],
    }
    assert set(by_key["Cid"]["win_rate"]) == {
        "goal",
        "win_rate",
        "win_rate_ci",
        "effective_deals",
        "probability_below",
        "below",
    }


@pytest.mark.usefixtures("files")
def test_notes_name_dana_and_cid_once() -> None:
    notes = document("--by", "Rep")["notes"]  # the owner column by its own name
    assert notes[-2:] == [
        "1 person in team has no deals in the data: Dana; check the names against the owner column",
        "1 owner in the data is not in team (no role or quota): Cid",
    ]


@pytest.mark.usefixtures("files")
def test_text_shows_quotas_and_verdicts() -> None:
    text = analyze("--by", "owner").stdout
    assert "Goals, 2024-01-01 to 2024-12-31 (366 days)" in text
    assert "Revenue: EUR 50,000 won, 25% of EUR 200,411 (EUR 200,000 per year, pro-rated)" in text
    assert "By owner: quota, 2024-01-01 to 2024-12-31 (EUR)" in text
    quota = text.split("By owner: quota, 2024-01-01 to 2024-12-31 (EUR)\n", 1)[1]
    rows = [line.split() for line in quota.splitlines()[2:4]]
    title = ["Account", "Executive"]  # the role's title, not its id
    assert rows == [
        ["Ann", *title, "50,000/month", "601,232", "30,000", "5.0%", "99.9%", "short"],
        ["Bob", *title, "2,000/month*", "24,049", "20,000", "83%", "43%", "–"],
    ]
    assert "By owner: win rate against the goal of 50%" in text
    assert "Note: 1 person in team has no deals in the data: Dana" in text
    assert "Note: 1 owner in the data is not in team (no role or quota): Cid" in text


@pytest.mark.usefixtures("files")
def test_markdown_and_csv_carry_the_goals() -> None:
    markdown = analyze("--by", "owner", "--format", "markdown").stdout
    assert "### By owner: quota, 2024-01-01 to 2024-12-31 (EUR)" in markdown
    assert (
        "| Ann | Account Executive | 50,000/month | 601,232 | 30,000 | 5.0% | 99.9% | **short** |"
    ) in markdown
    assert "| Ann | 75% (30–95) | 6% | – |" in markdown
    rows = list(csv.DictReader(io.StringIO(analyze("--by", "owner", "-f", "csv").stdout)))
    ann = next(row for row in rows if row["group"] == "Ann")
    assert (ann["role"], ann["quota_source"], ann["shortfall"]) == ("ae", "own", "true")
    team = next(row for row in rows if row["group"] == "*")
    assert (team["quota"], team["quota_source"], team["won_in_window"]) == (
        "200000.0",
        "goals",
        "50000.0",
    )


@pytest.mark.usefixtures("files")
def test_by_another_column_judges_the_team_only() -> None:
    lines = ROWS.splitlines()
    regions = [f"{lines[0]},region", *(f"{line},EU" for line in lines[1:])]
    write(Path.cwd(), "deals.csv", "\n".join(regions) + "\n")
    found = document("--by", "region")
    assert found["goals"]["revenue"]["won"] == 50000
    assert [group["goals"] for group in found["groups"]] == [None]
    assert not any("team" in note for note in found["notes"])


@pytest.mark.usefixtures("files")
def test_one_person_spelt_two_ways_is_said() -> None:
    write(Path.cwd(), "deals.csv", ROWS.replace("2024-02-01,Ann", "2024-02-01,ANN"))
    found = document("--by", "owner")
    assert [group["key"] for group in found["groups"]] == ["ANN", "Ann", "Bob", "Cid"]
    assert found["notes"][-1] == (
        "the owner column spells one person of team several ways, each measured against the "
        "whole quota: ANN, Ann"
    )


@pytest.mark.usefixtures("files")
@pytest.mark.parametrize("amount", ["1.7e308", "1000000000000001"])
def test_a_quota_beyond_the_deal_data_bound_is_refused(amount: str) -> None:
    """A quota of 1.7e308 passed validate, then `analyze --by owner -f json` exited with 3."""
    write(Path.cwd(), "process.yaml", PROCESS.replace("amount: 2000,", f"amount: {amount},"))
    result = invoke("analyze", "-p", "process.yaml", "--deals", "deals.csv", "--by", "owner")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "roles[0].quota.amount: must be at most 1,000,000,000,000,000" in result.stderr


def test_the_bundled_goals_example_judges_its_slow_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES / "goals")
    result = invoke("analyze", "--format", "json")
    assert result.exit_code == 0, result.output
    cycle = json.loads(result.stdout)["goals"]["cycle_days"]
    assert (cycle["goal"], cycle["median_cycle_days"]) == (60, 92)
    low, high = cycle["median_cycle_days_ci"]
    assert 60 < low <= 92 <= high
    assert cycle["probability_above"] > 0.99 and cycle["above"] is True
    text = invoke("analyze").stdout
    assert "P(above) 99.9%: credibly above the" in text
