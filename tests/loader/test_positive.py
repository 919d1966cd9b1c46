"""Files that must validate: the example, the init starter, anchors and merge keys, stdin."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.loader import load_process, parse_process
from tests.helpers import EXAMPLE, STARTER, VALID_PROCESS, invoke, issues_of, validate_json


@pytest.mark.parametrize("path", [EXAMPLE, STARTER], ids=["example", "starter"])
def test_shipped_processes_validate_with_zero_issues(path: Path) -> None:
    result, document = validate_json(str(path))
    assert result.exit_code == 0, result.stdout
    assert issues_of(document) == []
    assert document["valid"] is True
    assert invoke("validate", str(path), "--strict").exit_code == 0


def test_example_is_a_complete_b2b_process() -> None:
    """The process format (docs/process-format.md): six or seven stages, four roles, a plan for
    every stage."""
    loaded = load_process(str(EXAMPLE))
    process = loaded.process
    assert process is not None
    assert 6 <= len(process.stages) <= 7
    assert len(process.roles) == 4
    for stage in process.stages:
        assert stage.owner in {role.id for role in process.roles}
        assert stage.entry_criteria, stage.id
        assert stage.exit_criteria, stage.id
        assert stage.activities, stage.id
        assert stage.expected.conversion is not None, stage.id
        assert stage.expected.days is not None, stage.id
        assert stage.aliases, stage.id
    assert process.outcomes.lost.reasons
    assert process.assumptions.deal_size


def test_example_starts_with_the_schema_modeline() -> None:
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = first.split("$schema=", 1)[1]
    assert (EXAMPLE.parent / target).resolve().is_file()


ANCHORED = """\
salesflow: 1
name: Anchors
roles:
  - id: ae
    title: Account Executive
stages:
  - &defaults
    id: discovery
    name: Discovery
    owner: ae
    exit_criteria: [Need confirmed]
    expected: &plan {conversion: 0.5, days: 10}
  - <<: *defaults
    id: demo
    name: Demo
  - <<: *defaults
    id: proposal
    name: Proposal
    expected: {<<: *plan, days: 14}
"""


def test_anchors_and_merge_keys_validate() -> None:
    loaded = parse_process(ANCHORED, "anchors.yaml")
    assert loaded.issues == []
    assert loaded.process is not None
    demo, proposal = loaded.process.stages[1:]
    assert (demo.owner, demo.exit_criteria) == ("ae", ["Need confirmed"])
    assert (proposal.expected.conversion, proposal.expected.days) == (0.5, 14)


def test_errors_in_merged_content_are_positioned() -> None:
    text = ANCHORED.replace("owner: ae", "owner: se")
    loaded = parse_process(text, "anchors.yaml")
    assert {(i.code, i.path, i.line, i.column) for i in loaded.issues} == {
        ("unknown-owner", "stages[0].owner", 10, 12),
        ("unknown-owner", "stages[1].owner", 10, 12),
        ("unknown-owner", "stages[2].owner", 10, 12),
    }


def test_two_merge_keys_in_one_mapping_are_a_duplicate_key(tmp_path: Path) -> None:
    """The second `<<` silently won; it is refused like any key written twice."""
    text = ANCHORED.replace("    id: demo\n", "    id: demo\n    <<: {owner: se}\n")
    path = tmp_path / "process.yaml"
    path.write_text(text, encoding="utf-8")
    result, document = validate_json(str(path))
    assert result.exit_code == 2
    (issue,) = issues_of(document)
    assert (issue["code"], issue["line"], issue["column"]) == ("duplicate-key", 15, 5)
    assert issue["message"] == "duplicate key '<<' (first defined on line 13)"


def test_one_merge_key_of_several_sources_is_no_duplicate() -> None:
    text = ANCHORED.replace(
        "  - <<: *defaults\n    id: demo", "  - <<: [*defaults, {x-a: 1}]\n    id: demo"
    )
    assert parse_process(text, "anchors.yaml").issues == []


def test_stdin() -> None:
    result = invoke("validate", "-", input=VALID_PROCESS)
    assert result.exit_code == 0, result.output
    assert "✓ 1 file valid" in result.stdout


def test_stdin_with_errors_names_stdin() -> None:
    result = invoke("validate", "-", input=VALID_PROCESS.replace("owner: ae", "owner: se", 1))
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:9:12: error unknown-owner: ")


def test_load_process_display_name(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(VALID_PROCESS.replace("owner: ae", "owner: se", 1), encoding="utf-8")
    loaded = load_process(str(path), display_name="shown.yaml")
    assert loaded.file == "shown.yaml"
    assert {issue.file for issue in loaded.issues} == {"shown.yaml"}


def test_process_is_none_when_there_are_errors() -> None:
    loaded = parse_process(VALID_PROCESS.replace("owner: ae", "owner: se", 1), "p.yaml")
    assert loaded.process is None
    assert [i.code for i in loaded.errors] == ["unknown-owner"]
    assert loaded.warnings == []


def test_process_is_kept_when_there_are_only_warnings() -> None:
    text = VALID_PROCESS.replace("    exit_criteria: [Need confirmed]\n", "")
    loaded = parse_process(text, "p.yaml")
    assert loaded.errors == []
    assert [i.code for i in loaded.warnings] == ["missing-exit-criteria"]
    assert loaded.process is not None
    assert loaded.process.stage_ids() == ["discovery", "proposal"]


def test_issues_are_sorted_by_position() -> None:
    text = VALID_PROCESS.replace("owner: ae", "owner: se").replace("name: Minimal", "nmae: Minimal")
    loaded = parse_process(text, "p.yaml")
    positions = [(i.line, i.column) for i in loaded.issues]
    assert positions == sorted(positions)
    assert len(positions) == 4  # unknown key, missing name, two unknown owners


def test_schema_and_semantic_findings_come_in_one_run() -> None:
    text = VALID_PROCESS.replace("probability: 0.5", "probability: 0.1")
    text = text.replace("conversion: 0.5", "conversion: 5").replace("owner: ae", "owner: se", 1)
    loaded = parse_process(text, "p.yaml")
    assert sorted(i.code for i in loaded.issues) == [
        "out-of-range",  # schema
        "probability-order",  # semantic: 0.1 after 0.2
        "unknown-owner",  # semantic
    ]


@pytest.mark.parametrize(
    ("version", "code"),
    [
        ("2", "unsupported-version"),
        ("0", "unsupported-version"),
        ("true", "unsupported-version"),
        ("'1'", "unsupported-version"),
        ("[1]", "unsupported-version"),
    ],
)
def test_unsupported_versions(version: str, code: str) -> None:
    text = VALID_PROCESS.replace("salesflow: 1", f"salesflow: {version}")
    loaded = parse_process(text.replace("owner: ae", "owner: se"), "p.yaml")
    assert [(i.code, i.line, i.column) for i in loaded.issues] == [(code, 1, 12)]
    assert loaded.process is None


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("true", "true"),  # was `True`, Python's spelling
        ("True", "true"),
        ("null", "null"),  # was `None`
        ("'1'", "'1'"),
        ("2", "2"),
        (".inf", ".inf"),
        ("1e400", "1e400"),
        ("[1]", "a list"),
    ],
)
def test_an_unsupported_version_is_shown_as_yaml_writes_it(written: str, shown: str) -> None:
    text = VALID_PROCESS.replace("salesflow: 1", f"salesflow: {written}")
    (issue,) = parse_process(text, "p.yaml").issues
    assert issue.message == (
        f"format version {shown} is not supported; this salesflow reads version 1"
    )


def test_missing_version_is_a_missing_key() -> None:
    loaded = parse_process(VALID_PROCESS.replace("salesflow: 1\n", ""), "p.yaml")
    assert [(i.code, i.path, i.line) for i in loaded.issues] == [("missing-key", "salesflow", 1)]


def test_values_are_stripped_and_numbers_read_as_text() -> None:
    text = VALID_PROCESS.replace("name: Minimal process", "name: 2024").replace(
        "title: Account Executive", "title: '  Account Executive  '"
    )
    loaded = parse_process(text, "p.yaml")
    assert loaded.issues == []
    assert loaded.process is not None
    assert loaded.process.name == "2024"
    assert loaded.process.roles[0].title == "Account Executive"
