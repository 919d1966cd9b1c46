"""`salesflow impact` and `salesflow log --deals` through typer's CliRunner, in a real git
repository whose second version rewrote one stage (tests/impact_scenario.py): the change is
attributed to that stage under that version, and nothing is claimed for the others."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from salesflow.cli.log import _text as log_text
from tests.gitrepo import Repo
from tests.helpers import assert_clean_exit, invoke
from tests.impact_scenario import V1, build_repository

pytestmark = pytest.mark.xdist_group("impact")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("impact") / "repo"
    build_repository(root)
    return root


@pytest.fixture
def inside(scenario: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(scenario)
    yield scenario


@pytest.fixture(scope="module")
def report(scenario: Path) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(scenario)
        result = invoke("impact", "--deals", "deals.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def stage(version: dict[str, Any], stage_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in version["stages"] if s["stage"] == stage_id)
    return found


def test_versions_come_newest_first_each_against_the_one_before(report: dict[str, Any]) -> None:
    subjects = [version["subject"] for version in report["versions"]]
    assert subjects == ["Reword proposal", "Stricter demo exit"]
    assert [v["date"] for v in report["versions"]] == ["2025-10-01", "2025-07-01"]
    assert report["versions"][1]["until"] == "2025-10-01"  # the next version's day
    assert all(v["dated_by"] == "commit" for v in report["versions"])
    assert report["as_of"] == "2026-01-31"


def test_the_rewritten_stage_is_better_with_confidence(report: dict[str, Any]) -> None:
    rewrite = report["versions"][1]
    demo = stage(rewrite, "demo")
    assert demo["changed"] is True
    assert demo["verdict"] == "better"
    assert demo["probability_better"] > 0.99
    low, high = demo["change_ci"]
    assert 0 < low < 0.25 < high  # the true change: 40% → 65%
    # the rewrite stays in effect after v3 (which left Demo alone): compared to the end
    assert (demo["after"]["entered_from"], demo["after"]["entered_until"]) == ("2025-07-01", None)
    assert (demo["before"]["entered_from"], demo["before"]["entered_until"]) == (
        "2025-01-01",
        "2025-07-01",
    )
    assert demo["effect"] == pytest.approx(0.15)  # the planned change of this version
    # the same waits before and after (12 days on average): no change of median days
    low_days, high_days = demo["median_days_change_ci"]
    assert low_days <= demo["median_days_change"] == 0 <= high_days
    assert rewrite["summary"].startswith("Demo +21 pts, better with P > 0.99")


def test_nothing_is_claimed_for_the_stages_the_version_did_not_touch(
    report: dict[str, Any],
) -> None:
    for version in report["versions"]:
        for item in version["stages"]:
            if not item["changed"]:
                assert item["verdict"] == "control"
                assert item["moved"] is False
    rewrite = report["versions"][1]
    assert [s["stage"] for s in rewrite["stages"] if s["changed"]] == ["demo"]
    assert "Qualify" not in rewrite["summary"] and "Proposal" not in rewrite["summary"]


def test_a_reworded_stage_with_no_real_change_is_not_called_better_or_worse(
    report: dict[str, Any],
) -> None:
    proposal = stage(report["versions"][0], "proposal")
    assert proposal["changed"] is True
    assert proposal["verdict"] in ("no clear change", "too early to tell")
    assert proposal["change_ci"][0] < 0 < proposal["change_ci"][1]


def test_rev_picks_one_version(inside: Path) -> None:
    result = invoke("impact", "HEAD~1", "--deals", "deals.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    versions = json.loads(result.stdout)["versions"]
    assert [v["subject"] for v in versions] == ["Stricter demo exit"]


def test_markdown_is_ready_for_a_process_review(
    inside: Path, golden: Callable[[str, str], None]
) -> None:
    result = invoke("impact", "--deals", "deals.csv", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "| Demo | changed |" in result.stdout
    golden("impact_markdown.md", result.stdout)


def test_text_names_each_version_and_its_verdicts(inside: Path) -> None:
    result = invoke("impact", "--deals", "deals.csv")
    assert result.exit_code == 0, result.output
    assert "Demo +21 pts, better with P > 0.99" in result.stdout
    assert "took effect 2025-07-01 (commit date)" in result.stdout
    assert (
        "Qualify, Demo: deals that entered 2025-01-01 to 2025-06-30, against 2025-07-01 onwards"
        in (result.stdout)
    )


def test_log_with_deals_adds_the_measured_one_liner(inside: Path) -> None:
    result = invoke("log", "--deals", "deals.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["versions"]
    measured = {row["subject"]: row["measured"] for row in rows}
    assert measured["Stricter demo exit"].startswith("Demo +21 pts, better with P > 0.99")
    assert measured["First process"] is None
    text = log_text([row for row in rows if row["subject"] == "Stricter demo exit"])
    assert text.splitlines()[-1] == f"    measured: {measured['Stricter demo exit']}"


def test_log_without_deals_is_unchanged(inside: Path) -> None:
    rows = json.loads(invoke("log", "--format", "json").stdout)["versions"]
    assert all("measured" not in row for row in rows)


def test_an_effective_date_in_the_file_moves_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    build_repository(root, deals=600)
    repo = Repo(root, init=False)
    text = (root / "process.yaml").read_text(encoding="utf-8")
    repo.commit(
        "Backdate",
        {
            "process.yaml": text.replace(
                "name: Impact test", "name: Impact test\neffective: 2025-11-01"
            )
        },
        date="2025-12-15",
    )
    monkeypatch.chdir(root)
    result = invoke("impact", "HEAD", "--deals", "deals.csv", "--format", "json")
    assert result.exit_code == 0, result.output
    version = json.loads(result.stdout)["versions"][0]
    assert (version["date"], version["dated_by"]) == ("2025-11-01", "file")
    assert all(not s["changed"] for s in version["stages"])
    assert version["summary"] == "no stage changed"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["HEAD~2"], "HEAD~2 is the first version of the process file: nothing before it"),
        (["no-such-rev"], "unknown revision 'no-such-rev'"),
        (["--effect", "0"], "--effect 0: must be between 0 and 100 points"),
        (["--format", "html"], "--format html: choose one of text, json, markdown"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    inside: Path, arguments: list[str], message: str
) -> None:
    result = invoke("impact", *arguments, "--deals", "deals.csv")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_process_with_one_version_has_nothing_to_compare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repo(tmp_path / "one")
    repo.commit("Only", {"process.yaml": V1, "deals.csv": "deal_id,stage\n"})
    monkeypatch.chdir(repo.root)
    result = invoke("impact", "--deals", "deals.csv")
    assert result.exit_code == 2
    assert "process.yaml has one version in git: there is nothing to compare it with yet" in (
        result.stderr
    )


def test_outside_git_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "process.yaml").write_text(V1, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("impact", "--deals", "deals.csv")
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr
