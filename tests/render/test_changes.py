""" "What changed" in the handbook, in plain words for reps: every kind of change `salesflow diff`
reports has its own sentence (none falls back to the diff's wording), and `onboard --since`
groups them into what reps do differently and what is merely new."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from salesflow.cli.app import app
from salesflow.diff.semantic import compare
from salesflow.loader import parse_process
from salesflow.model import Process
from salesflow.render.changes import WORDS, plain_changes

REPO = Path(__file__).resolve().parents[2]
CLEAN_ENV: dict[str, str | None] = {
    name: None
    for name in ("SALESFLOW_PROCESS", "SALESFLOW_DEALS", "SALESFLOW_HISTORY", "SALESFLOW_DEBUG")
}

BEFORE: dict[str, Any] = {
    "salesflow": 1,
    "name": "Acme sales",
    "roles": [
        {"id": "sdr", "title": "Sales Development Representative"},
        {"id": "ae", "title": "Account Executive"},
    ],
    "team": [{"name": "Ann Lee", "role": "sdr"}],
    "stages": [
        {
            "id": "qualification",
            "name": "Qualification",
            "owner": "sdr",
            "exit_criteria": ["Budget known"],
            "expected": {"conversion": 0.6, "days": 5},
            "probability": 0.1,
            "aliases": ["SQL", "Qualified"],
        },
        {
            "id": "discovery",
            "name": "Discovery",
            "owner": "ae",
            "exit_criteria": ["Pain confirmed"],
            "objections": [{"objection": "Too expensive", "response": "Look at the cost."}],
            "expected": {"conversion": 0.5},
        },
    ],
    "outcomes": {
        "won": {"name": "Closed Won", "aliases": ["Won", "closedwon"]},
        "lost": {"name": "Closed Lost", "aliases": ["Lost"], "reasons": ["No budget"]},
    },
}


def load(document: dict[str, Any]) -> Process:
    loaded = parse_process(json.dumps(document), "p.yaml")
    assert loaded.process is not None, [issue.render() for issue in loaded.errors]
    return loaded.process


def words(after: dict[str, Any]) -> list[str]:
    new = load(after)
    return [change["text"] for change in plain_changes(compare(load(BEFORE), new), new)]


def edited(edit: Any) -> dict[str, Any]:
    document = copy.deepcopy(BEFORE)
    edit(document)
    return document


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda d: d["stages"][0]["aliases"].remove("SQL"),
            "The stage label “SQL” is no longer accepted; use “Qualification”.",
        ),
        (
            lambda d: d["stages"][0]["exit_criteria"].append("Timeline known"),
            "Before a deal leaves Qualification, also check: “Timeline known”.",
        ),
        (
            lambda d: d["stages"][0]["expected"].update(conversion=0.65),
            "The plan for Qualification: 65% of deals move on (was 60%).",
        ),
        (
            lambda d: d["stages"][0]["expected"].pop("conversion"),
            "Qualification no longer has a planned conversion.",
        ),
        (
            lambda d: d["stages"][0]["expected"].update(days=7.5),
            "Deals should spend a median of 7.5 days in Qualification (was 5).",
        ),
        (
            lambda d: d["stages"][1]["expected"].update(days=10),
            "Deals should spend a median of 10 days in Discovery.",
        ),
        (
            lambda d: d["stages"][0]["expected"].pop("days"),
            "Qualification no longer has planned days.",
        ),
        (
            lambda d: d["stages"][0].update(probability=0.15),
            "A deal in Qualification now counts as 15% likely to be won (was 10%).",
        ),
        (
            lambda d: d["stages"][0].pop("probability"),
            "Qualification no longer has a win probability.",
        ),
        (
            lambda d: d["stages"][0].update(owner="ae"),
            "Qualification is now owned by the Account Executive (was the Sales Development "
            "Representative).",
        ),
        (
            lambda d: d["stages"].insert(1, {"id": "demo", "name": "Demo"}),
            "New stage: “Demo”, step 2 of the process.",
        ),
        (
            lambda d: d["stages"][1]["objections"][0].update(response="Compare it."),
            "A new answer to the objection “Too expensive” in Discovery.",
        ),
        (
            lambda d: d["stages"][1].update(required_fields=["Close date"]),
            "Fill in the CRM field “Close date” before a deal leaves Discovery.",
        ),
        (
            lambda d: d["outcomes"]["won"]["aliases"].remove("closedwon"),
            "The CRM label “closedwon” no longer counts as won; use “Closed Won”.",
        ),
        (
            lambda d: d["outcomes"]["lost"]["reasons"].append("Went dark"),
            "New lost reason to pick: “Went dark”.",
        ),
        (
            lambda d: d["team"][0].update(role="ae"),
            "Ann Lee now works as Account Executive (was Sales Development Representative).",
        ),
    ],
)
def test_changes_in_plain_words(edit: Any, expected: str) -> None:
    assert words(edited(edit)) == [expected]


def test_a_stage_renamed_and_its_label_kept() -> None:
    def rename(document: dict[str, Any]) -> None:
        document["stages"][0]["name"] = "Qualify"

    assert words(edited(rename)) == ["The stage “Qualification” is now called “Qualify”."]


def documented_kinds() -> set[str]:
    text = (REPO / "docs" / "diff.md").read_text(encoding="utf-8")
    section = text.split("## Changes and their severity", 1)[1].split("\n## ", 1)[0]
    return {
        kind
        for line in section.splitlines()
        if line.startswith("| `")
        for kind in re.findall(r"`([a-z-]+)`", line.split("|")[1])
    }


def test_every_kind_of_change_has_plain_words() -> None:
    kinds = documented_kinds()
    assert len(kinds) > 50
    assert sorted(kinds - set(WORDS)) == []


# --- onboard --since ---------------------------------------------------------------------------


def test_what_changed_speaks_to_reps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    old, new = tmp_path / "old.yaml", tmp_path / "process.yaml"
    old.write_text(json.dumps(BEFORE), encoding="utf-8")
    after = copy.deepcopy(BEFORE)
    after["stages"][0]["aliases"] = ["Qualified"]
    after["stages"][1]["questions"] = ["Who decides?"]
    new.write_text(json.dumps(after), encoding="utf-8")
    for fmt in ("markdown", "html"):
        result = CliRunner().invoke(
            app,
            ["onboard", "-p", str(new), "--no-data", "--since", str(old), "-f", fmt],
            env=CLEAN_ENV,
        )
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        heading = "## What changed since" if fmt == "markdown" else '<h2 id="what-changed">'
        section = out.split(heading, 1)[1].split("Roles", 1)[0]
        assert "breaking" not in section and "info" not in section and "alias" not in section
        if fmt == "markdown":
            assert section.splitlines()[2:9] == [
                "**What you do differently**",
                "",
                "- The stage label “SQL” is no longer accepted; use “Qualification”.",
                "",
                "**Also new**",
                "",
                "- New question to ask in Discovery: “Who decides?”.",
            ]
        else:
            assert (
                "<p><strong>What you do differently</strong></p><ul><li>The stage label “SQL” is "
                "no longer accepted; use “Qualification”.</li></ul>"
            ) in section
