"""The team, quotas and goals of the process format: the models, their schema, and the semantic
checks `unknown-role` and `duplicate-member`, positioned at the offending line and column."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from salesflow.diagnostics import Severity
from salesflow.loader import parse_process
from salesflow.model import Goals, Member, Process, Quota
from salesflow.model.checks import check_document
from salesflow.model.schema import process_schema
from tests.helpers import VALID_DOCUMENT, VALID_PROCESS

TEAM = """\
team:
  - name: Ann Lee
    role: ae
    quota: {amount: 30000, per: month}
  - name: Bob
    role: ae
goals:
  win_rate: 0.25
  cycle_days: 45
  revenue: {amount: 1000000, per: year}
"""


def document(**changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(VALID_DOCUMENT)
    result.update(changes)
    return result


def test_team_quotas_and_goals_are_read() -> None:
    roles = [{"id": "ae", "title": "AE", "quota": {"amount": 20000, "per": "quarter"}}]
    team = [{"name": " Ann Lee ", "role": "ae", "quota": {"amount": 30000, "per": "month"}}]
    goals = {"win_rate": 0.25, "cycle_days": 45, "revenue": {"amount": 1e6, "per": "year"}}
    process = Process.model_validate(document(roles=roles, team=team, goals=goals))
    assert process.roles[0].quota == Quota(amount=20000, per="quarter")
    assert process.team == [
        Member(name="Ann Lee", role="ae", quota=Quota(amount=30000, per="month"))
    ]
    assert process.goals == Goals(
        win_rate=0.25, cycle_days=45, revenue=Quota(amount=1e6, per="year")
    )
    assert process.has_goals()


def test_without_them_there_are_no_goals() -> None:
    process = Process.model_validate(document())
    assert (process.team, process.goals, process.roles[0].quota) == ([], Goals(), None)
    assert not process.has_goals()
    assert Process.model_validate(document(goals={"cycle_days": 30})).has_goals()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("team", [{"name": "Ann", "role": "ae", "quota": {"amount": 0, "per": "month"}}]),
        ("team", [{"name": "Ann", "role": "ae", "quota": {"amount": -5, "per": "month"}}]),
        ("team", [{"name": "Ann", "role": "ae", "quota": {"amount": 5, "per": "week"}}]),
        ("team", [{"name": "Ann", "role": "ae", "quota": {"amount": "5", "per": "month"}}]),
        ("team", [{"name": "Ann", "role": "ae", "quota": {"amount": 5}}]),
        ("team", [{"name": "", "role": "ae"}]),
        ("team", [{"name": "Ann", "role": "Account Executive"}]),
        ("team", [{"name": "Ann"}]),
        ("goals", {"win_rate": 0}),
        ("goals", {"win_rate": 1.01}),
        ("goals", {"win_rate": 25}),
        ("goals", {"cycle_days": 0}),
        ("goals", {"revenue": {"amount": 0, "per": "year"}}),
        ("goals", {"speed": 1}),
    ],
)
def test_invalid_values_are_refused(key: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        Process.model_validate(document(**{key: value}))


def test_the_schema_describes_every_new_field() -> None:
    schema = process_schema()
    definitions = schema["$defs"]
    assert set(definitions["Quota"]["required"]) == {"amount", "per"}
    assert definitions["Quota"]["properties"]["per"]["enum"] == ["month", "quarter", "year"]
    assert definitions["Quota"]["properties"]["amount"]["exclusiveMinimum"] == 0
    assert set(definitions["Member"]["required"]) == {"name", "role"}
    win_rate = definitions["Goals"]["properties"]["win_rate"]["anyOf"][0]
    assert (win_rate["exclusiveMinimum"], win_rate["maximum"]) == (0, 1)
    for name in ("Quota", "Member", "Goals"):
        for field, spec in definitions[name]["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"
    for field in ("team", "goals"):
        assert schema["properties"][field]["description"]
    assert definitions["Role"]["properties"]["quota"]["description"]


# --- the semantic checks ------------------------------------------------------------------


def test_a_team_member_role_must_be_declared() -> None:
    team = [{"name": "Ann", "role": "ae"}, {"name": "Bob", "role": "aee"}]
    findings = check_document(document(team=team))
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("unknown-role", ("team", 1, "role"), Severity.ERROR)
    ]
    assert findings[0].message == (
        "role 'aee' of team member 'Bob' is not a declared role (did you mean 'ae'?); roles: ae"
    )


def test_a_name_listed_twice_is_an_error_compared_as_labels_are() -> None:
    team = [
        {"name": "Ann Lee", "role": "ae"},
        {"name": "Bob", "role": "ae"},
        {"name": " ANN LEE", "role": "ae"},
        {"name": "Ａｎｎ Ｌｅｅ", "role": "ae"},  # full-width: the same name once folded
    ]
    findings = check_document(document(team=team))
    assert [(f.code, f.path) for f in findings] == [
        ("duplicate-member", ("team", 2, "name")),
        ("duplicate-member", ("team", 3, "name")),
    ]
    assert findings[0].message == "team member 'ANN LEE' is already listed as team[0]"


def test_shapes_the_schema_rejects_are_skipped() -> None:
    team: list[Any] = ["Ann", {"name": 3, "role": 4}, {"role": None}, {"name": None}]
    assert check_document(document(team=team)) == []
    assert check_document(document(team={"name": "Ann"})) == []


def test_new_findings_carry_line_and_column() -> None:
    text = VALID_PROCESS + TEAM.replace("role: ae\n", "role: sdr\n", 1).replace(
        "name: Bob", "name: ann lee"
    )
    loaded = parse_process(text, "p.yaml")
    lines = text.splitlines()
    role_line = next(i for i, line in enumerate(lines, 1) if "role: sdr" in line)
    name_line = next(i for i, line in enumerate(lines, 1) if "name: ann lee" in line)
    assert [(i.code, i.path, i.line, i.column) for i in loaded.issues] == [
        ("unknown-role", "team[0].role", role_line, 11),
        ("duplicate-member", "team[1].name", name_line, 11),
    ]


def test_a_valid_team_loads_without_issues() -> None:
    loaded = parse_process(VALID_PROCESS + TEAM, "p.yaml")
    assert loaded.issues == []
    assert loaded.process is not None
    assert [member.name for member in loaded.process.team] == ["Ann Lee", "Bob"]


def test_out_of_range_values_are_positioned() -> None:
    text = VALID_PROCESS + "goals:\n  win_rate: 25\n  revenue: {amount: 0, per: week}\n"
    loaded = parse_process(text, "p.yaml")
    found = sorted((i.code, i.path, i.line) for i in loaded.issues)
    last = len(text.splitlines())
    assert found == [
        ("invalid-value", "goals.revenue.per", last),
        ("out-of-range", "goals.revenue.amount", last),
        ("out-of-range", "goals.win_rate", last - 1),
    ]
