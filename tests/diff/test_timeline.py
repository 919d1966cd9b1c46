"""diff.timeline: the versions of the process file, when each took effect, and what each changed
from the one before it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from salesflow.diff.git import Commit
from salesflow.diff.timeline import ProcessVersion, in_effect_order, versions
from salesflow.loader import parse_process
from salesflow.model import Process
from tests.gitrepo import Repo
from tests.impact_scenario import V1, V2, V3


def process(text: str) -> Process:
    loaded = parse_process(text, "process.yaml")
    assert loaded.process is not None
    return loaded.process


def version(sha: str, day: str, text: str | None, problem: str = "") -> ProcessVersion:
    commit = Commit(sha * 40, day, "Ann", f"commit {sha}", "process.yaml", day)
    return ProcessVersion(commit, process(text) if text else None, problem)


def test_versions_read_from_git_oldest_first_with_the_committer_date(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.commit("one", {"process.yaml": V1}, date="2025-01-01")
    repo.commit("broken", {"process.yaml": "salesflow: 1\nname: [\n"}, date="2025-02-01")
    repo.commit("two", {"process.yaml": V2}, date="2025-03-01")
    found = versions("process.yaml", tmp_path)
    assert [v.commit.subject for v in found] == ["one", "broken", "two"]
    assert [v.effective for v in found] == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert found[1].process is None and found[1].problem.startswith("not a valid process file")
    assert all(v.dated_by == "commit" for v in found)


def test_an_effective_date_in_the_file_wins_over_the_commit_date() -> None:
    dated = version(
        "b",
        "2025-09-01",
        V2.replace("name: Impact test", "effective: 2025-07-15\nname: Impact test"),
    )
    assert (dated.effective, dated.dated_by) == (date(2025, 7, 15), "file")


def test_each_version_names_the_stages_it_changed_and_its_planned_change() -> None:
    ordered, notes = in_effect_order(
        [
            version("a", "2025-01-01", V1),
            version("b", "2025-07-01", V2),
            version("c", "2025-10-01", V3),
        ]
    )
    assert notes == []
    assert [v.subject for v in ordered] == ["commit a", "commit b", "commit c"]
    assert ordered[0].changed == {} and ordered[0].previous == ""
    assert set(ordered[1].changed) == {"demo"} and ordered[1].previous == "a" * 40
    assert ordered[1].planned == {"demo": 0.15}
    assert ordered[2].changed == {
        "proposal": ["description: 'Send the proposal.' → 'Send the proposal within a day.'"]
    }
    assert ordered[2].planned == {}


def test_versions_left_out_and_out_of_order_dates_are_noted() -> None:
    backdated = V3.replace("name: Impact test", "effective: 2025-03-01\nname: Impact test")
    ordered, notes = in_effect_order(
        [
            version("a", "2025-01-01", V1),
            version("b", "2025-02-01", None, "not a valid process file: x"),
            version("c", "2025-07-01", V2),
            version("d", "2025-10-01", backdated),
        ]
    )
    assert [v.revision[0] for v in ordered] == ["a", "d", "c"]
    assert notes == [
        "bbbbbbbbbb (2025-02-01): not a valid process file: x; left out",
        "the effective dates put the versions in another order than their commits; they are "
        "compared in the order they took effect",
    ]


def test_two_versions_on_one_day_say_that_the_first_gets_no_deals() -> None:
    ordered, _ = in_effect_order([version("a", "2025-01-01", V1), version("b", "2025-01-01", V2)])
    assert ordered[1].notes == [
        "took effect the same day as aaaaaaaaaa: no deal counts for that one"
    ]
