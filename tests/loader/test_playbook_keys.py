"""`salesflow validate` on the playbook keys: a team's own `x-` keys pass where the format allows
them and are positioned errors elsewhere; a qualification criterion tied to an exit criterion or
a stage that does not exist is refused at the line and column of the reference; the example
process, which uses all of them, is valid."""

from __future__ import annotations

from pathlib import Path

from salesflow.loader import parse_process
from tests.helpers import EXAMPLE, validate_json

VALID = """\
salesflow: 1
name: Own keys
x-slack: "#sales"
x-review: {every: quarter, owner: RevOps}
roles:
  - id: ae
    title: AE
    x-manager: Dana
stages:
  - id: discovery
    name: Discovery
    owner: ae
    x-color: blue
    exit_criteria: [Pain quantified]
qualification:
  framework: BANT
  criteria:
    - name: Need
      checked_by: {discovery: [pain quantified.]}
"""


def test_x_keys_where_the_format_allows_them_are_valid(tmp_path: Path) -> None:
    path = tmp_path / "process.yaml"
    path.write_text(VALID, encoding="utf-8")
    result, report = validate_json("--strict", str(path))
    assert result.exit_code == 0
    assert report["files"][0]["issues"] == []


def test_x_keys_are_kept_for_the_templates() -> None:
    loaded = parse_process(VALID, "process.yaml")
    assert loaded.process is not None
    assert loaded.process.extensions == {
        "x-slack": "#sales",
        "x-review": {"every": "quarter", "owner": "RevOps"},
    }
    assert loaded.process.roles[0].extensions == {"x-manager": "Dana"}
    assert loaded.process.stages[0].extensions == {"x-color": "blue"}


def test_unknown_keys_and_broken_ties_are_positioned(tmp_path: Path) -> None:
    text = (
        VALID.replace("x-color: blue", "x_color: blue")
        .replace("    x-manager: Dana\n", "    x-manager: Dana\n    manager: Dana\n")
        .replace("[pain quantified.]", "[pain quantifed]")
        + "    - name: Budget\n      checked_by: {proposal: [Signed]}\n"
    )
    path = tmp_path / "process.yaml"
    path.write_text(text, encoding="utf-8")
    result, report = validate_json(str(path))
    assert result.exit_code == 1
    found = [
        (issue["line"], issue["column"], issue["code"], issue["path"])
        for issue in report["files"][0]["issues"]
    ]
    assert found == [
        (9, 5, "unknown-key", "roles[0].manager"),
        (14, 5, "unknown-key", "stages[0].x_color"),
        (20, 32, "unknown-exit-criterion", "qualification.criteria[0].checked_by.discovery[0]"),
        (22, 20, "unknown-stage", "qualification.criteria[1].checked_by.proposal"),
    ]


def test_the_example_uses_the_playbook_and_is_valid() -> None:
    result, report = validate_json("--strict", str(EXAMPLE))
    assert result.exit_code == 0 and report["files"][0]["issues"] == []
    loaded = parse_process(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))
    assert loaded.process is not None and loaded.process.qualification is not None
    assert loaded.process.qualification.framework == "MEDDIC"
    with_playbook = [
        stage.id
        for stage in loaded.process.stages
        if stage.questions or stage.objections or stage.templates or stage.required_fields
    ]
    assert with_playbook == ["qualification", "discovery", "proposal"]
