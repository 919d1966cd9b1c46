"""The team, quotas and goals in the handbook: the role chapters state the role's quota and its
people (each with their own quota where set), the roles section opens with the team's goals, and
the live numbers are set beside the goals. examples/goals/process.yaml has a golden file
(`pytest --update-golden` rewrites it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from salesflow.cli.app import app

REPO = Path(__file__).resolve().parents[2]
GOALS = REPO / "examples" / "goals" / "process.yaml"
DEALS = REPO / "examples" / "deals.csv"
CLEAN_ENV: dict[str, str | None] = {
    name: None
    for name in ("SALESFLOW_PROCESS", "SALESFLOW_DEALS", "SALESFLOW_HISTORY", "SALESFLOW_DEBUG")
}

PROCESS = """\
salesflow: 1
name: Team targets
currency: EUR
roles:
  - id: ae
    title: Account Executive
    quota: {amount: 90000, per: quarter}
  - id: se
    title: Solutions Engineer
team:
  - name: Ann *Lee*
    role: ae
    quota: {amount: 120000, per: quarter}
  - name: Bob
    role: ae
  - name: Cid
    role: se
    quota: {amount: 10000, per: month}
goals:
  win_rate: 0.25
  cycle_days: 45
  revenue: {amount: 1500000, per: year}
stages:
  - id: discovery
    name: Discovery
    owner: ae
    exit_criteria: [Need confirmed]
"""


def run(*args: str) -> str:
    result = CliRunner().invoke(app, ["onboard", *args], env=CLEAN_ENV)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


def handbook(tmp_path: Path, text: str = PROCESS, *args: str) -> str:
    path = tmp_path / "process.yaml"
    path.write_text(text, encoding="utf-8")
    return run("-p", str(path), "--no-data", *args)


def chapter(markdown: str, heading: str) -> str:
    lines = markdown.splitlines()
    start = lines.index(heading)
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"#{1,3} ", lines[i]))
    return "\n".join(lines[start:end])


def test_golden(golden: Callable[[str, str], None]) -> None:
    golden("handbook_goals.md", run("-p", str(GOALS), "--no-data"))


def test_a_role_chapter_states_its_quota_and_its_people(tmp_path: Path) -> None:
    ae = chapter(handbook(tmp_path), "### Account Executive")
    quota = "EUR 90,000 won per quarter for each person in this role, unless their own is set."
    assert f"**Quota:** {quota}" in ae
    # the name's asterisks stay literal; Bob has the role's quota, so nothing is added to him
    assert "**People:** Ann \\*Lee\\* (quota EUR 120,000 per quarter), Bob." in ae


def test_a_role_without_quota_lists_its_people_with_their_own(tmp_path: Path) -> None:
    se = chapter(handbook(tmp_path), "### Solutions Engineer")
    assert "Quota:" not in se
    assert "**People:** Cid (quota EUR 10,000 per month)." in se


def test_the_roles_section_opens_with_the_team_goals(tmp_path: Path) -> None:
    roles = handbook(tmp_path).split("## Roles\n", 1)[1].split("### ", 1)[0]
    assert roles.strip().splitlines() == [
        "The team's goals:",
        "",
        "- Win 25% of new deals.",
        "- Win them in a median of 45 days from first contact.",
        "- Win EUR 1,500,000 of revenue per year as a team.",
    ]


def test_without_goals_or_team_the_roles_say_nothing_of_them(tmp_path: Path) -> None:
    plain = re.sub(r"(?ms)^(team|goals):.*?(?=^stages:)", "", PROCESS)
    plain = plain.replace("    quota: {amount: 90000, per: quarter}\n", "")
    text = handbook(tmp_path, plain)
    assert "goals" not in text
    assert "**Quota:**" not in text
    assert "**People:**" not in text


def test_live_numbers_stand_beside_the_goals() -> None:
    text = run("-p", str(GOALS), "--deals", str(DEALS))
    assert "win rate 5.2% (goal 6.0%), median sales cycle 92 days (goal 60)." in text


def test_html_states_quotas_with_names_escaped(tmp_path: Path) -> None:
    text = PROCESS.replace("Ann *Lee*", "Ann <b>Lee</b>")
    html = handbook(tmp_path, text, "--format", "html")
    assert "<strong>Quota:</strong> EUR 90,000 won per quarter" in html
    assert "Ann &lt;b&gt;Lee&lt;/b&gt; (quota EUR 120,000 per quarter), Bob." in html
    assert "<li>Win 25% of new deals.</li>" in html
