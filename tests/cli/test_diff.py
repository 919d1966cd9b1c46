"""`salesflow diff` and `salesflow log` through typer's CliRunner, inside real temporary git
repositories: tags, HEAD~N, REV:PATH, plain files, the working tree, a renamed process file, a file
absent at a revision, every format, --fail-on, --leads and every error path."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.gitrepo import Repo
from tests.helpers import ANSI, VALID_PROCESS, assert_clean_exit, invoke

# The pair under review. From V1 to V2: stage `lead` removed (breaking), `demo` renamed to
# `product-demo` with the same name (breaking), `security-review` added (warning), discovery's
# owner, conversion and days changed (3 warnings), proposal's probability (warning), an alias
# removed (breaking) and a description added (info), a role added (info), the deal size (warning).
V1 = """\
salesflow: 1
name: Acme B2B sales
currency: USD
roles:
  - id: sdr
    title: Sales Development Rep
  - id: ae
    title: Account Executive
stages:
  - id: lead
    name: Lead
    owner: sdr
    exit_criteria: [Meeting booked]
    expected: {conversion: 0.5, days: 3}
    probability: 0.05
    aliases: [New Lead]
  - id: discovery
    name: Discovery
    owner: sdr
    exit_criteria: [Need confirmed]
    expected: {conversion: 0.6, days: 10}
    probability: 0.1
    aliases: [Discovery Call]
  - id: demo
    name: Demo
    owner: ae
    exit_criteria: [Demo accepted]
    expected: {conversion: 0.5, days: 7}
    probability: 0.3
  - id: proposal
    name: Proposal
    owner: ae
    exit_criteria: [Order form signed]
    expected: {conversion: 0.8, days: 14}
    probability: 0.6
    aliases: [Proposal Sent, Quote Sent]
assumptions:
  deal_size: 10000
"""

V2 = """\
salesflow: 1
name: Acme B2B sales
currency: USD
roles:
  - id: sdr
    title: Sales Development Rep
  - id: ae
    title: Account Executive
  - id: se
    title: Solutions Engineer
stages:
  - id: discovery
    name: Discovery
    owner: ae
    exit_criteria: [Need confirmed]
    expected: {conversion: 0.55, days: 12}
    probability: 0.1
    aliases: [Discovery Call]
  - id: product-demo
    name: Demo
    owner: ae
    exit_criteria: [Demo accepted]
    expected: {conversion: 0.5, days: 7}
    probability: 0.3
  - id: security-review
    name: Security review
    owner: se
    exit_criteria: [Questionnaire approved]
    expected: {conversion: 0.9, days: 5}
    probability: 0.5
  - id: proposal
    name: Proposal
    owner: ae
    description: Send the order form.
    exit_criteria: [Order form signed]
    expected: {conversion: 0.8, days: 14}
    probability: 0.7
    aliases: [Proposal Sent]
assumptions:
  deal_size: 12000
"""

# V3 only adds a process description: one info change.
V3 = V2.replace("currency: USD\n", "currency: USD\ndescription: Our B2B process.\n")

# compare(V1, V2), in its order (stages as they now stand, a removed one where it stood):
# (kind, severity, stage).
V1_TO_V2 = [
    ("role-added", "info", None),
    ("stage-removed", "breaking", "lead"),
    ("owner", "warning", "discovery"),
    ("conversion", "warning", "discovery"),
    ("days", "warning", "discovery"),
    ("stage-id-changed", "breaking", "product-demo"),
    ("stage-added", "warning", "security-review"),
    ("stage-description", "info", "proposal"),
    ("probability", "warning", "proposal"),
    ("alias-removed", "breaking", "proposal"),
    ("deal-size", "warning", None),
]
SUMMARY = "11 changes: 3 breaking, 6 warning, 2 info"

# Plan for 120 leads, by hand:
# V1: 120 × 0.5 × 0.6 × 0.5 × 0.8 × 10,000 = 120 × 0.12 × 10,000 = 144,000
# V2: 120 × 0.55 × 0.5 × 0.9 × 0.8 × 12,000 = 120 × 0.198 × 12,000 = 285,120
PLAN_V1, PLAN_V2 = 144_000, 285_120

CHANGE_KEYS = {
    "kind",
    "severity",
    "stage",
    "stage_name",
    "path",
    "before",
    "after",
    "message",
    "reason",
}
VERSION_KEYS = {"commit", "date", "author", "subject", "path", "summary", "changes"}


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither these tests nor salesflow's own git calls see the developer's git config."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v0: a README only; v1, v2: sales/process.yaml (salesflow.toml points at it); a commit that
    does not touch it; `git mv` to sales/flow.yaml; v3. Built once, copied for each test."""
    repo = Repo(tmp_path_factory.mktemp("template") / "repo")
    repo.commit(
        "Readme", {"README.md": "# Sales\n", "docs/notes.md": "notes\n"}, "v0", "2024-01-02"
    )
    toml = 'process = "sales/process.yaml"\n'
    repo.commit(
        "First process", {"sales/process.yaml": V1, "salesflow.toml": toml}, "v1", "2024-01-05"
    )
    repo.commit("Plan for Q2", {"sales/process.yaml": V2}, "v2", "2024-02-01", author="Bob Builder")
    repo.commit("Readme again", {"README.md": "# Sales team\n"}, date="2024-02-10")
    repo.git("mv", "sales/process.yaml", "sales/flow.yaml")
    repo.commit(
        "Rename the process file",
        {"salesflow.toml": 'process = "sales/flow.yaml"\n'},
        None,
        "2024-03-01",
    )
    repo.commit("Describe the process", {"sales/flow.yaml": V3}, "v3", "2024-03-15")
    return repo.root


@pytest.fixture
def repo(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A copy of the template, free to change; the current directory is its root."""
    repo = Repo(Path(shutil.copytree(template, tmp_path / "repo", symlinks=True)), init=False)
    monkeypatch.chdir(repo.root)
    return repo


def run(*args: str) -> Result:
    result = invoke(*args)
    assert_clean_exit(result)
    return result


def diff_json(*args: str) -> dict[str, Any]:
    result = run("diff", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def kinds(document: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [(c["kind"], c["severity"], c["stage"]) for c in document["changes"]]


def error_line(result: Result) -> str:
    """The one `salesflow: error: ...` line of a failed run (exit 2, nothing on stdout)."""
    assert_clean_exit(result)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salesflow: error: ")
    return lines[0]


# --- what A and B can be ---------------------------------------------------------------------


def test_two_tags(repo: Repo) -> None:
    document = diff_json("v1", "v2")
    assert document["before"] == "v1:sales/process.yaml"
    assert document["after"] == "v2:sales/process.yaml"
    assert kinds(document) == V1_TO_V2


def test_a_tag_before_the_rename_is_followed_to_the_old_path(repo: Repo) -> None:
    document = diff_json("v1", "v3")
    assert document["before"] == "v1:sales/process.yaml"
    assert document["after"] == "v3:sales/flow.yaml"
    assert kinds(document) == [("description", "info", None), *V1_TO_V2]


def test_head_relative_revisions(repo: Repo) -> None:
    # HEAD~1 is the rename, HEAD~2 the unrelated commit (the file still sales/process.yaml)
    document = diff_json("HEAD~2", "HEAD")
    assert document["before"] == "HEAD~2:sales/process.yaml"
    assert document["after"] == "HEAD:sales/flow.yaml"
    assert kinds(document) == [("description", "info", None)]
    assert document["changes"][0]["after"] == "Our B2B process."


def test_a_pure_rename_is_no_semantic_change(repo: Repo) -> None:
    document = diff_json("HEAD~2", "HEAD~1")
    assert document["changes"] == []
    assert document["summary"] == {"breaking": 0, "warning": 0, "info": 0}
    assert run("diff", "HEAD~2", "HEAD~1").stdout.endswith("No semantic changes.\n")


def test_commit_ids_and_branches(repo: Repo) -> None:
    sha = repo.git("rev-parse", "v1").strip()
    document = diff_json(sha[:10], "main")
    assert document["before"] == f"{sha[:10]}:sales/process.yaml"
    assert document["after"] == "main:sales/flow.yaml"
    assert len(document["changes"]) == 12


def test_rev_and_path(repo: Repo) -> None:
    document = diff_json("v1:sales/process.yaml", "v2:sales/process.yaml")
    assert kinds(document) == V1_TO_V2
    assert diff_json("v1:sales/process.yaml", "v3:sales/flow.yaml")["after"] == (
        "v3:sales/flow.yaml"
    )


def test_one_argument_compares_with_the_working_tree(repo: Repo) -> None:
    document = diff_json("v2")
    assert document["before"] == "v2:sales/process.yaml"
    assert document["after"] == "sales/flow.yaml"
    assert kinds(document) == [("description", "info", None)]
    repo.write("sales/flow.yaml", V3.replace("deal_size: 12000", "deal_size: 12500"))
    document = diff_json("HEAD")
    assert kinds(document) == [("deal-size", "warning", None)]
    assert (
        document["changes"][0]["message"] == "planned deal size: USD 12,000 → USD 12,500 (+USD 500)"
    )


def test_plain_files(repo: Repo, tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(V1, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(V2, encoding="utf-8")
    document = diff_json(str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml"))
    assert document["before"] == str(tmp_path / "old.yaml")
    assert kinds(document) == V1_TO_V2
    repo.write("draft.yaml", V2)
    mixed = diff_json("v1", "draft.yaml")
    assert (mixed["before"], mixed["after"]) == ("v1:sales/process.yaml", "draft.yaml")
    assert kinds(mixed) == V1_TO_V2


def test_plain_files_need_no_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "old.yaml").write_text(V1, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(V2, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("diff", "old.yaml", "new.yaml")
    assert result.exit_code == 0, result.output


def test_the_process_option(repo: Repo) -> None:
    (repo.root / "salesflow.toml").unlink()
    document = diff_json("v1", "v2", "-p", "sales/flow.yaml")
    assert kinds(document) == V1_TO_V2
    assert diff_json("v2", "--process", "sales/flow.yaml")["after"] == "sales/flow.yaml"


def test_from_a_subdirectory_paths_are_relative_to_the_repository_root(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.root / "docs")
    document = diff_json("HEAD~1")  # salesflow.toml found upwards
    assert document["before"] == "HEAD~1:sales/flow.yaml"
    assert kinds(document) == [("description", "info", None)]
    monkeypatch.chdir(repo.root / "sales")
    assert diff_json("HEAD~1", "-p", "flow.yaml")["before"] == "HEAD~1:sales/flow.yaml"
    assert kinds(diff_json("v3:sales/flow.yaml", "flow.yaml")) == []


def test_from_a_subdirectory_a_rename_is_followed(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.root / "sales")
    document = diff_json("v2")
    assert document["before"] == "v2:sales/process.yaml"


# --- --fail-on --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "level", "code"),
    [
        ("v1", "v2", "breaking", 1),
        ("v1", "v2", "warning", 1),
        ("v1", "v2", "info", 1),
        ("v1", "v2", "none", 0),
        ("v2", "v3", "breaking", 0),  # one info change
        ("v2", "v3", "warning", 0),
        ("v2", "v3", "info", 1),
        ("v2", "v3", "none", 0),
        ("HEAD~2", "HEAD~1", "info", 0),  # no change at all
        ("v1:sales/process.yaml", "HEAD~1", "info", 1),
    ],
)
def test_fail_on(repo: Repo, a: str, b: str, level: str, code: int) -> None:
    for fmt in ("text", "json"):
        result = run("diff", a, b, "--fail-on", level, "--format", fmt)
        assert result.exit_code == code, result.output
        assert result.stderr == ""


def test_fail_on_with_only_warnings(repo: Repo) -> None:
    repo.write("sales/flow.yaml", V3.replace("days: 12", "days: 15"))
    assert run("diff", "HEAD", "--fail-on", "breaking").exit_code == 0
    assert run("diff", "HEAD", "--fail-on", "warning").exit_code == 1


def test_fail_on_defaults_to_none(repo: Repo) -> None:
    assert run("diff", "v1", "v2").exit_code == 0


def test_fail_on_still_writes_the_output_file(repo: Repo, tmp_path: Path) -> None:
    target = tmp_path / "out" / "diff.md"
    result = run("diff", "v1", "v2", "-f", "markdown", "-o", str(target), "--fail-on", "breaking")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == run("diff", "v1", "v2", "-f", "markdown").stdout


# --- labels, aliases and stage dates: the tester's pairs, as plain files ----------------------

ALIASES_BEFORE = """\
salesflow: 1
name: A
stages:
  - {id: a, name: Demo, exit_criteria: [x], aliases: [Demo, Solution Demo, DEMO CALL]}
"""
ALIASES_AFTER = """\
salesflow: 1
name: A
stages:
  - {id: a, name: Solution Demo, exit_criteria: [x], aliases: [Demo, demo call]}
"""
ONE_STAGE = "salesflow: 1\nname: A\nstages:\n  - {id: a, name: Alpha, exit_criteria: [x]}\n"
SWAP_BEFORE = ONE_STAGE + "  - {id: b, name: Beta, exit_criteria: [x]}\n"
SWAP_AFTER = """\
salesflow: 1
name: A
stages:
  - {id: a, name: Beta, exit_criteria: [x]}
  - {id: b, name: Alpha, exit_criteria: [x]}
"""
DATES_BEFORE = """\
salesflow: 1
name: A
stages:
  - {id: lead, name: Lead, exit_criteria: [x]}
  - {id: demo, name: Demo, exit_criteria: [x]}
data:
  stage_dates: {demo: demo_date}
"""
DATES_AFTER = """\
salesflow: 1
name: A
stages:
  - {id: lead, name: Lead, exit_criteria: [x]}
  - {id: solution, name: Solution Demo, exit_criteria: [x], aliases: [Demo]}
data:
  stage_dates: {solution: demo_date}
"""


def diff_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: str, after: str, *args: str
) -> Result:
    (tmp_path / "a.yaml").write_text(before, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(after, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return run("diff", "a.yaml", "b.yaml", *args)


def test_aliases_that_still_map_do_not_fail_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = diff_files(
        tmp_path, monkeypatch, ALIASES_BEFORE, ALIASES_AFTER, "--fail-on", "breaking"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2:] == [
        "Stage Solution Demo (a)",
        "  info     name: 'Demo' → 'Solution Demo'",
        "",
        "1 change: 1 info",
    ]


def test_outcomes_written_out_as_the_defaults_do_not_fail_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = ONE_STAGE + "outcomes:\n  won: {name: Closed Won}\n"
    result = diff_files(tmp_path, monkeypatch, ONE_STAGE, written, "--fail-on", "info")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("\nNo semantic changes.\n")


def test_two_stages_swapping_names_fail_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = diff_files(tmp_path, monkeypatch, SWAP_BEFORE, SWAP_AFTER, "--fail-on", "breaking")
    assert result.exit_code == 1, result.output
    groups = _text_groups(result.stdout)
    assert groups["Stage Alpha (b)"] == [
        "  breaking label 'Alpha' moved from stage 'a' to stage 'b' — "
        "Data labelled with it now silently counts as another stage or outcome.",
        "  info     name: 'Beta' → 'Alpha'",
    ]
    assert groups["Stage Beta (a)"][0].startswith("  breaking label 'Beta' moved from stage 'b'")
    document = json.loads(
        diff_files(tmp_path, monkeypatch, SWAP_BEFORE, SWAP_AFTER, "-f", "json").stdout
    )
    assert document["summary"] == {"breaking": 2, "warning": 0, "info": 2}
    remapped = [c for c in document["changes"] if c["kind"] == "label-remapped"]
    assert [(c["before"], c["after"]) for c in remapped] == [
        ({"label": "Beta", "stage": "b"}, {"label": "Beta", "stage": "a"}),
        ({"label": "Alpha", "stage": "a"}, {"label": "Alpha", "stage": "b"}),
    ]


def test_a_stage_date_follows_its_stage_whose_id_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = diff_files(tmp_path, monkeypatch, DATES_BEFORE, DATES_AFTER)
    assert result.exit_code == 0, result.output
    assert "stage_dates" not in result.stdout
    assert _text_groups(result.stdout) == {
        "Stage Solution Demo (solution)": [
            "  breaking stage id 'demo' → 'solution' — "
            "Deal data, stage dates, histories and scripts are keyed on the id.",
            "  info     name: 'Demo' → 'Solution Demo'",
        ],
        "2 changes: 1 breaking, 1 info": [],
    }


# --- formats --------------------------------------------------------------------------------


def test_text_is_grouped_by_stage_with_a_summary_line(repo: Repo) -> None:
    result = run("diff", "v1", "v2")
    assert result.exit_code == 0
    out = result.stdout
    assert not ANSI.search(out)
    lines = out.splitlines()
    assert lines[0] == "v1:sales/process.yaml → v2:sales/process.yaml"
    assert lines[-1] == SUMMARY
    headings = [line for line in lines[1:-1] if line and not line.startswith(" ")]
    assert headings[0] == "Process"
    assert sorted(headings[1:]) == [
        "Stage Demo (product-demo)",
        "Stage Discovery (discovery)",
        "Stage Lead (lead)",
        "Stage Proposal (proposal)",
        "Stage Security review (security-review)",
    ]
    groups = _text_groups(out)
    assert groups["Process"] == [
        "  warning  planned deal size: USD 10,000 → USD 12,000 (+USD 2,000)",
        "  info     role 'se' added",
    ]
    assert groups["Stage Lead (lead)"] == [
        "  breaking stage 'lead' removed — Deals and history rows labelled with it no longer map."
    ]
    assert groups["Stage Security review (security-review)"] == [
        "  warning  stage 'security-review' added at position 3"
    ]
    assert groups["Stage Discovery (discovery)"] == [
        "  warning  owner: 'sdr' → 'ae'",
        "  warning  planned conversion: 60% → 55% (-5 pts)",
        "  warning  planned days: 10 → 12 (+2)",
    ]
    assert groups["Stage Demo (product-demo)"] == [
        "  breaking stage id 'demo' → 'product-demo' — "
        "Deal data, stage dates, histories and scripts are keyed on the id."
    ]
    assert groups["Stage Proposal (proposal)"] == [  # most severe first
        "  breaking alias removed: 'Quote Sent' — Data labelled with it no longer maps.",
        "  warning  probability: 60% → 70% (+10 pts)",
        "  info     description: '' → 'Send the order form.'",
    ]


def _text_groups(out: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines()[1:]:
        if line.startswith("  "):
            assert current is not None
            groups[current].append(line)
        elif line:
            current = line
            groups[current] = []
    return groups


def test_text_groups_follow_the_stage_order(repo: Repo) -> None:
    headings = [
        line for line in run("diff", "v1", "v2").stdout.splitlines()[1:] if line[:6] == "Stage "
    ]
    assert headings == [
        "Stage Lead (lead)",  # removed: where it was, by its old name
        "Stage Discovery (discovery)",
        "Stage Demo (product-demo)",
        "Stage Security review (security-review)",
        "Stage Proposal (proposal)",
    ]


def test_summary_of_one_change(repo: Repo) -> None:
    assert run("diff", "v2", "v3").stdout.endswith("\n1 change: 1 info\n")


def test_text_with_no_color_and_no_color_env(repo: Repo) -> None:
    plain = run("diff", "v1", "v2").stdout
    assert run("diff", "v1", "v2", "--no-color").stdout == plain
    assert invoke("diff", "v1", "v2", env={"NO_COLOR": "1"}, color=True).stdout == plain


def test_markdown_has_a_summary_table_and_a_section_per_stage(repo: Repo) -> None:
    result = run("diff", "v1", "v2", "--format", "markdown")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith(
        "## Process changes: `v1:sales/process.yaml` → `v2:sales/process.yaml`\n\n"
        "| severity | changes |\n|---|---:|\n"
        "| 🔴 breaking | 3 |\n| 🟡 warning | 6 |\n| ⚪ info | 2 |\n"
    )
    for section in (
        "Process",
        "Stage Lead (`lead`)",
        "Stage Discovery (`discovery`)",
        "Stage Demo (`product-demo`)",
    ):
        assert f"\n### {section}\n" in out
    assert (
        "\n### Stage Proposal (`proposal`)\n\n"
        "- 🔴 breaking: alias removed: 'Quote Sent' — Data labelled with it no longer maps.\n"
    ) in out
    assert "- 🟡 warning: planned conversion: 60% → 55% (-5 pts)\n" in out
    assert out.endswith(f"*{SUMMARY}*\n")
    assert "Plan impact" not in out


def test_markdown_escapes_pipes_and_backticks(repo: Repo) -> None:
    repo.write("sales/flow.yaml", V3.replace("name: Security review", "name: Security | `review`"))
    out = run("diff", "HEAD", "-f", "markdown").stdout
    # the old name is dropped (no alias keeps it): breaking, with the reason
    assert (
        "- 🔴 breaking: name: 'Security review' → 'Security \\| \\`review\\`' — The old name" in out
    )
    assert "\n### Stage Security \\| \\`review\\` (`security-review`)\n" in out


def test_json_contract(repo: Repo) -> None:
    result = run("diff", "v1", "v2", "-f", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) == {"version", "before", "after", "changes", "summary"}
    assert document["version"] == 1
    assert document["summary"] == {"breaking": 3, "warning": 6, "info": 2}
    for change in document["changes"]:
        assert set(change) == CHANGE_KEYS
    by_kind = {c["kind"]: c for c in document["changes"]}
    assert by_kind["stage-id-changed"] == {
        "kind": "stage-id-changed",
        "severity": "breaking",
        "stage": "product-demo",
        "stage_name": "Demo",
        "path": "stages.product-demo",
        "before": "demo",
        "after": "product-demo",
        "message": "stage id 'demo' → 'product-demo'",
        "reason": "Deal data, stage dates, histories and scripts are keyed on the id.",
    }
    assert by_kind["owner"]["reason"] is None
    assert by_kind["conversion"]["before"] == 0.6
    assert by_kind["conversion"]["after"] == 0.55
    assert by_kind["conversion"]["path"] == "stages.discovery.expected.conversion"
    assert by_kind["stage-removed"]["before"] == "Lead"
    assert by_kind["stage-removed"]["after"] is None
    assert by_kind["role-added"]["stage"] is None
    assert by_kind["role-added"]["path"] == "roles.se"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_every_format_to_a_file(repo: Repo, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"diff.{fmt}"
    assert run("diff", "v1", "v2", "-f", fmt, "-o", str(target)).stdout == ""
    assert target.read_text(encoding="utf-8") == run("diff", "v1", "v2", "-f", fmt).stdout
    again = run("diff", "v2", "v3", "-f", fmt, "-o", str(target))
    assert "already exists; use --force" in error_line(again)
    assert run("diff", "v2", "v3", "-f", fmt, "-o", str(target), "--force").exit_code == 0


# --- impact -------------------------------------------------------------------------------------


def test_leads_impact_in_json(repo: Repo) -> None:
    impact = diff_json("v1", "v2", "--leads", "120")["impact"]
    # rounded to the cent: 120 × 0.198 × 12,000 is 285120.00000000006 in floating point
    assert impact == {
        "leads": 120,
        "before": 144000.0,
        "after": 285120.0,
        "difference": 141120.0,
        "currency_before": "USD",
        "currency_after": "USD",
    }
    raw = run("diff", "v1", "v2", "--leads", "120", "-f", "json").stdout
    assert '"after": 285120.0,' in raw and "0000000" not in raw


def test_leads_impact_in_text_and_markdown(repo: Repo) -> None:
    text = run("diff", "v1", "v2", "--leads", "120").stdout
    line = "Plan impact for 120 leads: USD 144,000 → USD 285,120 (+USD 141,120)"
    assert f"\n{line}\n{SUMMARY}" in text
    markdown = run("diff", "v1", "v2", "--leads", "120", "-f", "markdown").stdout
    assert "**Plan impact** for 120 leads: USD 144,000 → USD 285,120 (+USD 141,120)." in markdown
    back = run("diff", "v2", "v1", "--leads", "1000").stdout
    assert "Plan impact for 1,000 leads: USD 2,376,000 → USD 1,200,000 (-USD 1,176,000)" in back


def test_leads_impact_across_a_currency_change(repo: Repo) -> None:
    repo.write("sales/flow.yaml", V3.replace("currency: USD", "currency: EUR"))
    text = run("diff", "v3", "--leads", "120").stdout
    assert (
        "\nPlan impact for 120 leads: USD 285,120 → EUR 285,120 "
        "(different currencies: the difference is not comparable)\n"
    ) in text
    assert "  breaking currency: 'USD' → 'EUR' — Every amount in the data is read in it.\n" in text
    impact = diff_json("v3", "--leads", "120")["impact"]
    assert impact["difference"] is None
    assert (impact["currency_before"], impact["currency_after"]) == ("USD", "EUR")


def test_leads_impact_without_a_change(repo: Repo) -> None:
    impact = diff_json("v2", "v3", "--leads", "120")["impact"]
    assert impact["difference"] == 0
    assert impact["before"] == impact["after"] == pytest.approx(PLAN_V2)
    assert diff_json("v2", "v3", "--leads", "0")["impact"]["after"] == 0


def test_no_impact_when_the_plan_has_a_gap(repo: Repo) -> None:
    repo.write("sales/flow.yaml", V3.replace("conversion: 0.9, ", ""))
    document = diff_json("HEAD", "--leads", "120")
    assert "impact" not in document
    assert kinds(document) == [("conversion", "warning", "security-review")]
    assert "Plan impact" not in run("diff", "HEAD", "--leads", "120").stdout


def test_no_impact_without_leads(repo: Repo) -> None:
    assert "impact" not in diff_json("v1", "v2")


def test_negative_leads(repo: Repo) -> None:
    line = error_line(invoke("diff", "v1", "v2", "--leads", "-5"))
    assert line == "salesflow: error: --leads -5: must be 0 or more"


@pytest.mark.parametrize(
    ("leads", "shown"),
    [
        (str(10**12 + 1), str(10**12 + 1)),
        (str(10**20), str(10**20)),  # printed float noise
        ("1" + "0" * 400, "10000000000000000000…"),  # OverflowError, exit 3
        ("1" + "0" * 4999, "10000000000000000000…"),  # repeated all 5,000 digits
    ],
)
def test_leads_are_bounded_as_for_forecast(repo: Repo, leads: str, shown: str) -> None:
    line = error_line(invoke("diff", "v1", "v2", "--leads", leads))
    assert line == f"salesflow: error: --leads {shown}: must be at most 1,000,000,000,000"
    assert line == error_line(invoke("forecast", "--leads", leads))


def test_leads_at_the_bound(repo: Repo) -> None:
    impact = diff_json("v2", "v3", "--leads", str(10**12))["impact"]
    assert impact["leads"] == 10**12
    assert impact["difference"] == 0


def test_plan_amounts_beyond_the_deal_data_bound_are_refused(repo: Repo, tmp_path: Path) -> None:
    """deal_size 1e308 against 1.5e308 ended in an OverflowError (exit 3) with --leads."""
    for name, size in (("old.yaml", "1e308"), ("new.yaml", "1.5e308")):
        text = V1.replace("deal_size: 10000", f"deal_size: {size}")
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = invoke("diff", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml"), "--leads", "1")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "assumptions.deal_size: must be at most 1,000,000,000,000,000" in result.stderr


# --- errors: exit 2, one line, no traceback -----------------------------------------------------


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "process.yaml").write_text(V1, encoding="utf-8")
    monkeypatch.chdir(plain)
    line = error_line(invoke("diff", "v1"))
    assert line.endswith("plain is not in a git repository")
    assert error_line(invoke("diff", "process.yaml", "v1")) == line
    assert error_line(invoke("diff", "v1:", "process.yaml")) == line


def test_not_a_git_repository_with_rev_and_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "process.yaml").write_text(V1, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    line = error_line(invoke("diff", "v1:process.yaml", "process.yaml"))
    assert line.endswith("is not in a git repository")


@pytest.mark.parametrize("revision", ["nope", "v9", "HEAD~40", "v1..v2"])
def test_unknown_revision(repo: Repo, revision: str) -> None:
    line = error_line(invoke("diff", revision, "v2"))
    assert line == f"salesflow: error: unknown revision '{revision}'"
    line = error_line(invoke("diff", "v2", f"{revision}:sales/flow.yaml"))
    assert line == f"salesflow: error: unknown revision '{revision}'"


@pytest.mark.parametrize("revision", ["--output=x", "-x", "--output=x:sales/flow.yaml", "-"])
def test_a_revision_starting_with_a_dash_is_refused(repo: Repo, revision: str) -> None:
    line = error_line(invoke("diff", "--", revision))
    assert line == f"salesflow: error: '{revision}' is not a revision"
    assert not (repo.root / "x").exists()
    assert error_line(invoke("diff", "v1", "--", revision)) == line


def test_an_unknown_option_is_a_usage_error(repo: Repo) -> None:
    result = invoke("diff", "--revision=x", "v1")
    assert result.exit_code == 2
    assert "No such option" in result.stderr
    assert "Traceback" not in result.output


def test_file_absent_at_the_revision(repo: Repo) -> None:
    line = error_line(invoke("diff", "v0"))
    assert line == "salesflow: error: sales/flow.yaml does not exist at revision 'v0'"
    line = error_line(invoke("diff", "v1:sales/flow.yaml", "v3"))
    assert line == "salesflow: error: sales/flow.yaml does not exist at revision 'v1'"
    line = error_line(invoke("diff", "v3:nope.yaml"))
    assert line == "salesflow: error: nope.yaml does not exist at revision 'v3'"


def test_invalid_process_file_at_the_revision(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "broken")
    repo.commit("Break it", {"sales/flow.yaml": V3.replace("owner: se", "owner: nobody")})
    repo.git("checkout", "-q", "main")
    line = error_line(invoke("diff", "broken"))
    assert re.fullmatch(
        r"salesflow: error: invalid process file: broken:sales/flow\.yaml:\d+:\d+: "
        r"error unknown-owner: .*",
        line,
    ), line
    assert "broken:sales/flow.yaml:28:12:" in line


def test_bad_yaml_at_the_revision(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "garbled")
    repo.commit("Garble it", {"sales/flow.yaml": "salesflow: 1\nname: [unclosed\n"})
    repo.git("checkout", "-q", "main")
    line = error_line(invoke("diff", "v3", "garbled"))
    assert re.fullmatch(
        r"salesflow: error: garbled:sales/flow\.yaml:\d+:\d+: error yaml-syntax: .*", line
    ), line


def test_invalid_working_tree_file(repo: Repo) -> None:
    repo.write("sales/flow.yaml", V3.replace("probability: 0.7", "probability: 7"))
    line = error_line(invoke("diff", "v3"))
    assert line.startswith("salesflow: error: invalid process file: sales/flow.yaml:")


def test_bad_fail_on(repo: Repo) -> None:
    line = error_line(invoke("diff", "v1", "v2", "--fail-on", "error"))
    assert line == "salesflow: error: --fail-on error: choose one of breaking, warning, info, none"


def test_bad_format(repo: Repo) -> None:
    line = error_line(invoke("diff", "v1", "v2", "--format", "xml"))
    assert line == "salesflow: error: --format xml: choose one of text, json, markdown"


def test_no_process_file_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path / "bare")
    repo.commit("empty")
    monkeypatch.chdir(repo.root)
    assert "no process file" in error_line(invoke("diff", "HEAD"))


# --- salesflow log ------------------------------------------------------------------------------


def test_log_text(repo: Repo) -> None:
    result = run("log")
    assert result.exit_code == 0, result.output
    sha = {tag: repo.git("rev-parse", tag).strip()[:10] for tag in ("v1", "v2", "v3", "HEAD~1")}
    assert result.stdout == (
        f"{sha['v3']}  2024-03-15  Ann Example  Describe the process\n"
        "    1 info: process description: '' → 'Our B2B process.'\n"
        f"{sha['HEAD~1']}  2024-03-01  Ann Example  Rename the process file\n"
        "    no semantic change\n"
        f"{sha['v2']}  2024-02-01  Bob Builder  Plan for Q2\n"
        "    3 breaking, 6 warning, 2 info: stage 'lead' removed; stage id 'demo' → "
        "'product-demo'; alias removed: 'Quote Sent'; and 8 more\n"
        f"{sha['v1']}  2024-01-05  Ann Example  First process\n"
        "    first version\n"
    )


def test_log_json(repo: Repo) -> None:
    result = run("log", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) == {"version", "versions"}
    versions = document["versions"]
    for version in versions:
        assert set(version) == VERSION_KEYS
    assert [v["subject"] for v in versions] == [
        "Describe the process",
        "Rename the process file",
        "Plan for Q2",
        "First process",
    ]
    assert [v["commit"] for v in versions] == [
        repo.git("rev-parse", rev).strip() for rev in ("v3", "HEAD~1", "v2", "v1")
    ]
    assert [v["path"] for v in versions] == [
        "sales/flow.yaml",
        "sales/flow.yaml",
        "sales/process.yaml",
        "sales/process.yaml",
    ]
    assert [v["date"] for v in versions] == ["2024-03-15", "2024-03-01", "2024-02-01", "2024-01-05"]
    assert versions[2]["author"] == "Bob Builder"
    assert [(c["kind"], c["severity"], c["stage"]) for c in versions[2]["changes"]] == V1_TO_V2
    assert set(versions[2]["changes"][0]) == CHANGE_KEYS
    assert versions[1]["changes"] == [] and versions[1]["summary"] == "no semantic change"
    assert versions[3]["changes"] == [] and versions[3]["summary"] == "first version"


def test_log_limit(repo: Repo) -> None:
    versions = json.loads(run("log", "--limit", "2", "-f", "json").stdout)["versions"]
    assert [v["subject"] for v in versions] == ["Describe the process", "Rename the process file"]
    assert len(run("log", "-n", "1").stdout.splitlines()) == 2
    everything = json.loads(run("log", "-n", "10", "-f", "json").stdout)["versions"]
    assert len(everything) == 4


def test_log_negative_limit_is_refused(repo: Repo) -> None:
    assert "--limit" in error_line(invoke("log", "--limit", "-1"))


def test_log_with_the_process_option(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo.root / "salesflow.toml").unlink()
    versions = json.loads(run("log", "-p", "sales/flow.yaml", "-f", "json").stdout)["versions"]
    assert len(versions) == 4


def test_log_from_a_subdirectory(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo.root / "sales")
    result = run("log")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 8


def test_log_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "process.yaml").write_text(V1, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert error_line(invoke("log")).endswith("is not in a git repository")


def test_log_a_file_never_committed(repo: Repo) -> None:
    repo.write("draft.yaml", V1)
    line = error_line(invoke("log", "-p", "draft.yaml"))
    assert line == "salesflow: error: draft.yaml has no history in git: commit it first"


def test_log_bad_format(repo: Repo) -> None:
    line = error_line(invoke("log", "-f", "markdown"))
    assert line == "salesflow: error: --format markdown: choose one of text, json"


@pytest.fixture
def with_a_broken_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    repo = Repo(tmp_path / "broken")
    repo.commit("valid", {"process.yaml": VALID_PROCESS}, date="2024-01-01")
    broken = VALID_PROCESS.replace(
        "owner: ae\n    exit_criteria: [Proposal", "owner: x\n    exit_criteria: [Proposal"
    )
    repo.commit("broken", {"process.yaml": broken}, date="2024-01-02")
    fixed = VALID_PROCESS.replace("days: 14", "days: 21")
    repo.commit("fixed", {"process.yaml": fixed}, date="2024-01-03")
    monkeypatch.chdir(repo.root)
    return repo


def test_log_lists_an_invalid_version_and_compares_the_next_with_the_last_valid(
    with_a_broken_version: Repo,
) -> None:
    versions = json.loads(run("log", "-f", "json").stdout)["versions"]
    assert [v["subject"] for v in versions] == ["fixed", "broken", "valid"]
    assert versions[0]["summary"] == "1 warning: planned days: 14 → 21 (+7)"
    assert versions[1]["summary"].startswith("not a valid process file: ")
    assert ":process.yaml:15:12: error unknown-owner" in versions[1]["summary"]
    assert versions[1]["changes"] == []
    assert versions[2]["summary"] == "first version"


def test_log_says_invalid_once(with_a_broken_version: Repo) -> None:
    versions = json.loads(run("log", "-f", "json").stdout)["versions"]
    assert not versions[1]["summary"].startswith("not a valid process file: invalid process file: ")


def test_log_lists_a_merge_that_changed_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repo(tmp_path / "merge")
    repo.commit("base", {"process.yaml": VALID_PROCESS})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side", {"process.yaml": VALID_PROCESS.replace("days: 10", "days: 11")})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"process.yaml": VALID_PROCESS.replace("days: 10", "days: 12")})
    repo.git("merge", "-q", "side", check=False)  # a conflict, resolved by the next commit
    assert (repo.root / ".git" / "MERGE_HEAD").is_file()
    repo.commit("merge side", {"process.yaml": VALID_PROCESS.replace("days: 10", "days: 13")})
    monkeypatch.chdir(repo.root)
    versions = json.loads(run("log", "-f", "json").stdout)["versions"]
    assert versions[0]["subject"] == "merge side"


# --- output safety: escape sequences from the process file and git never reach the terminal ---

TERMINAL_ATTACKS = "\x1b]52;c;ZWNobyBoaQ==\x07 \x1b]0;owned\x07 \x1b[2J\x9b2J"


def _no_terminal_control(text: str) -> None:
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)


def test_diff_text_sends_no_escape_sequence_from_the_process_file(repo: Repo) -> None:
    quoted = TERMINAL_ATTACKS.encode("unicode_escape").decode()
    repo.write("sales/flow.yaml", V3.replace("name: Security review", f'name: "Sec{quoted}"'))
    out = run("diff", "HEAD").stdout
    _no_terminal_control(out)
    assert "Sec\ufffd" in out


def test_diff_markdown_makes_no_markup_from_the_process_file(repo: Repo) -> None:
    from markdown_it import MarkdownIt

    hostile = "Sec [x](https://evil) <img src=x onerror=alert(1)> # h"
    repo.write("sales/flow.yaml", V3.replace("name: Security review", f'name: "{hostile}"'))
    out = run("diff", "HEAD", "-f", "markdown").stdout
    html = MarkdownIt("commonmark").enable("table").render(out)
    assert "<a " not in html and "<img" not in html


def test_log_text_sends_no_escape_sequence_from_commit_subjects(repo: Repo) -> None:
    repo.commit(f"Subject{TERMINAL_ATTACKS}", {"sales/flow.yaml": V3 + "\n"}, None, "2024-04-01")
    out = run("log").stdout
    _no_terminal_control(out)


# --- hardening (issue 10): hostile git history — exit 2, one line, fast; `log` goes on ------


@pytest.mark.timeout(60)
def test_a_blob_over_the_cap_at_a_revision(repo: Repo) -> None:
    (repo.root / "sales" / "flow.yaml").write_bytes(b"#" * (5 * 2**20 + 1))
    repo.commit("huge")
    line = error_line(invoke("diff", "HEAD", "v3"))
    assert line == (
        "salesflow: error: HEAD:sales/flow.yaml is larger than 5 MB (5,242,881 bytes); "
        "a process file is far smaller"
    )


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"salesflow: 1\nname: \xff\xfe\n", "is not UTF-8 text (byte 0xff at line 2, column 7)"),
        (b"salesflow: 1\x00\x01", "is a binary file (a NUL byte at line 1, column 13), not a"),
    ],
)
def test_an_unreadable_file_at_a_revision(repo: Repo, content: bytes, message: str) -> None:
    (repo.root / "sales" / "flow.yaml").write_bytes(content)
    repo.commit("unreadable", tag="bad")
    repo.write("sales/flow.yaml", V3)
    line = error_line(invoke("diff", "bad", "v3"))
    assert line.startswith(f"salesflow: error: bad:sales/flow.yaml {message}")
    assert error_line(invoke("diff", "v3", "bad:sales/flow.yaml")) == line


@pytest.mark.timeout(60)
def test_log_skips_an_unreadable_version_and_goes_on(repo: Repo) -> None:
    (repo.root / "sales" / "flow.yaml").write_bytes(b"salesflow: 1\nname: caf\xe9\n")
    repo.commit("latin-1", date="2024-04-01")
    (repo.root / "sales" / "flow.yaml").write_bytes(b"#" * (5 * 2**20 + 1))
    repo.commit("huge", date="2024-04-02")
    repo.commit("back", {"sales/flow.yaml": V3.replace("days: 14", "days: 21")}, None, "2024-04-03")
    result = run("log", "-f", "json")
    assert result.exit_code == 0, result.output
    versions = json.loads(result.stdout)["versions"]
    assert [v["subject"] for v in versions[:4]] == [
        "back",
        "huge",
        "latin-1",
        "Describe the process",
    ]
    assert versions[1]["summary"].startswith("skipped: ")
    assert versions[1]["summary"].endswith(
        "is larger than 5 MB (5,242,881 bytes); a process file is far smaller"
    )
    assert versions[2]["summary"].startswith("skipped: ")
    assert "is not UTF-8 text (byte 0xe9 at line 2, column 10)" in versions[2]["summary"]
    assert versions[0]["summary"].startswith("1 warning: planned days: 14 → 21")
    assert len(versions) == 7
    text = run("log").stdout
    assert text.count("skipped: ") == 2


@pytest.mark.timeout(30)
def test_log_with_a_non_utf8_commit_subject(repo: Repo) -> None:
    message = repo.root.parent / "message"
    message.write_bytes(b"caf\xe9 plan\n")
    repo.write("sales/flow.yaml", V3.replace("days: 14", "days: 21"))
    # an empty i18n.commitEncoding: git log then prints the subject's bytes as they are
    repo.git("-c", "i18n.commitEncoding=", "commit", "-q", "-a", "-F", str(message))
    result = run("log", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["versions"][0]["subject"].startswith("caf")


@pytest.mark.parametrize("revision", ["^v1", "^HEAD", "v1...v2"])
def test_a_revision_that_names_no_single_commit(repo: Repo, revision: str) -> None:
    line = error_line(invoke("diff", revision))
    assert line in {
        f"salesflow: error: invalid revision '{revision}': it must name one commit",
        f"salesflow: error: unknown revision '{revision}'",
    }
    assert "empty" not in line


def test_a_negated_revision_is_invalid(repo: Repo) -> None:
    line = error_line(invoke("diff", "^v1", "v2"))
    assert line == "salesflow: error: invalid revision '^v1': it must name one commit"
    line = error_line(invoke("diff", "v2", "^v1:sales/process.yaml"))
    assert line == "salesflow: error: invalid revision '^v1': it must name one commit"


def test_a_directory_at_a_revision(repo: Repo) -> None:
    line = error_line(invoke("diff", "v3:sales", "v3"))
    assert line == "salesflow: error: sales at revision 'v3' is a directory, not a file"


@pytest.mark.parametrize("command", [["diff", "v1"], ["diff", "v1:sales/process.yaml"], ["log"]])
def test_git_missing_from_path(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    empty = tmp_path / "no-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    line = error_line(invoke(*command))
    assert line == "salesflow: error: git is not installed or not on PATH"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", ["refs/tags/--output=x", "refs/heads/-x"])
def test_a_ref_named_like_an_option_never_becomes_a_git_option(repo: Repo, name: str) -> None:
    """`diff -- --output=x` is refused on the command line; through REV:PATH the tag is only a
    name, and `git show --output=x` (which writes a file) never runs."""
    repo.git("update-ref", name, "v1")
    revision = name.split("/", 2)[2]
    line = error_line(invoke("diff", "--", revision))
    assert line == f"salesflow: error: '{revision}' is not a revision"
    assert not (repo.root / "x").exists()


@pytest.mark.timeout(60)
def test_four_thousand_stages_through_the_cli(repo: Repo) -> None:
    def document(count: int, suffix: str) -> str:
        stages = "".join(
            f"  - id: s{i}\n    name: Stage {i}{suffix}\n    aliases: [A{i}]\n"
            f"    expected: {{conversion: 0.5, days: {i % 7 + 1}}}\n"
            for i in (range(count) if not suffix else reversed(range(count)))
        )
        return f"salesflow: 1\nname: Big\nstages:\n{stages}"

    repo.write("a.yaml", document(4000, ""))
    repo.write("b.yaml", document(4000, "!"))
    result = run("diff", "a.yaml", "b.yaml", "-f", "json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    # every stage moved (reversed) and renamed without keeping its old name
    assert summary["breaking"] == 8000
