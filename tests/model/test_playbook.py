"""The playbook keys of the process file: a stage's questions, talk track, objections, email
templates and required fields; the qualification framework and its ties to exit criteria
(check_document); a team's own `x-` keys, set aside unvalidated; and the JSON Schema of all
of them."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from salesflow.diagnostics import Severity
from salesflow.model import Process, Stage
from salesflow.model.base import is_extension_key
from salesflow.model.checks import check_document
from salesflow.model.playbook import criterion_key
from salesflow.model.schema import process_schema
from tests.helpers import VALID_DOCUMENT


def document(**top: Any) -> dict[str, Any]:
    result = copy.deepcopy(VALID_DOCUMENT)
    result.update(top)
    return result


def with_stage(**keys: Any) -> dict[str, Any]:
    result = document()
    result["stages"][0].update(keys)
    return result


def qualification(checked_by: dict[str, Any]) -> dict[str, Any]:
    return {
        "framework": "BANT",
        "criteria": [{"name": "Need", "checked_by": checked_by}],
    }


# --- stage keys -------------------------------------------------------------------------------


def test_a_stage_with_its_playbook() -> None:
    stage = Stage.model_validate(
        {
            "id": "discovery",
            "name": "Discovery",
            "questions": ["Who decides?"],
            "talk_track": "Hello.\n\nSecond paragraph.",
            "objections": [{"objection": "Too expensive", "response": "Compare it."}],
            "templates": [{"title": "Recap", "body": "Hi"}, {"title": "Deck", "url": "https://x"}],
            "required_fields": ["Amount"],
        }
    )
    assert stage.questions == ["Who decides?"]
    assert stage.talk_track == "Hello.\n\nSecond paragraph."
    assert stage.objections[0].response == "Compare it."
    assert [(t.body, t.url) for t in stage.templates] == [("Hi", None), (None, "https://x")]
    assert stage.required_fields == ["Amount"]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ({"title": "Recap"}, "a template needs a body or a url"),
        ({"title": "Recap", "body": "Hi", "url": "https://x"}, "not both"),
    ],
)
def test_a_template_has_a_body_or_a_url(template: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Stage.model_validate({"id": "a", "name": "A", "templates": [template]})
    [error] = caught.value.errors()
    assert error["loc"] == ("templates", 0) and message in error["msg"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("objections", [{"objection": "Too expensive"}]),
        ("objections", [{"objection": "", "response": "x"}]),
        ("questions", [""]),
        ("required_fields", "Amount"),
        ("templates", [{"body": "Hi"}]),
    ],
)
def test_malformed_playbook_keys_are_refused(key: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        Stage.model_validate({"id": "a", "name": "A", key: value})


@pytest.mark.parametrize(
    "value",
    [
        {"framework": "BANT", "criteria": []},
        {"criteria": [{"name": "Need", "checked_by": {"discovery": ["Need confirmed"]}}]},
        qualification({}),
        qualification({"discovery": []}),
        qualification({"Discovery": ["Need confirmed"]}),  # not an id
    ],
)
def test_malformed_qualification_is_refused(value: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Process.model_validate(document(qualification=value))


# --- the ties of the qualification criteria ---------------------------------------------------


def findings(doc: dict[str, Any]) -> list[tuple[str, tuple[Any, ...], bool, str]]:
    return [
        (f.code, f.path, f.at_key, f.message)
        for f in check_document(doc)
        if f.severity is Severity.ERROR
    ]


def test_criteria_tied_to_existing_exit_criteria_are_fine() -> None:
    tied = qualification({"discovery": ["  need CONFIRMED. "], "proposal": ["Proposal accepted"]})
    doc = document(qualification=tied)
    assert findings(doc) == []
    Process.model_validate(doc)


def test_a_criterion_tied_to_a_missing_stage() -> None:
    doc = document(qualification=qualification({"discovry": ["Need confirmed"]}))
    assert findings(doc) == [
        (
            "unknown-stage",
            ("qualification", "criteria", 0, "checked_by", "discovry"),
            True,
            "qualification criterion 'Need' is checked by stage 'discovry', which is not a "
            "stage (did you mean 'discovery'?)",
        )
    ]


def test_a_criterion_tied_to_a_missing_exit_criterion() -> None:
    doc = document(qualification=qualification({"discovery": ["Need confirmd", "Budget"]}))
    assert findings(doc) == [
        (
            "unknown-exit-criterion",
            ("qualification", "criteria", 0, "checked_by", "discovery", 0),
            False,
            "'Need confirmd' is not an exit criterion of stage 'discovery' "
            "(did you mean 'Need confirmed'?)",
        ),
        (
            "unknown-exit-criterion",
            ("qualification", "criteria", 0, "checked_by", "discovery", 1),
            False,
            "'Budget' is not an exit criterion of stage 'discovery'",
        ),
    ]


def test_an_exit_criterion_of_another_stage_does_not_count() -> None:
    doc = document(qualification=qualification({"proposal": ["Need confirmed"]}))
    assert [code for code, *_ in findings(doc)] == ["unknown-exit-criterion"]


@pytest.mark.parametrize(
    "value",
    [
        "MEDDIC",
        {"criteria": "x"},
        {"criteria": [{"checked_by": ["discovery"]}]},
        {"criteria": [{"checked_by": {"discovery": "Need confirmed"}}]},
        {"criteria": [{"checked_by": {"discovery": [None, True, ["x"]]}}]},
    ],
)
def test_shapes_the_schema_refuses_are_skipped(value: Any) -> None:
    assert findings(document(qualification=value)) == []


def test_a_number_is_read_as_the_text_it_is() -> None:
    """The model reads `[2024]` as `["2024"]`: the check must see the same text."""
    doc = document(qualification=qualification({"discovery": [2024]}))
    assert [message for *_, message in findings(doc)] == [
        "'2024' is not an exit criterion of stage 'discovery'"
    ]


def test_criterion_key() -> None:
    assert criterion_key("  Need   CONFIRMED. ") == criterion_key("need confirmed")
    assert criterion_key("Need confirmed") != criterion_key("Need confirmed now")


# --- a team's own x- keys ----------------------------------------------------------------------


def test_x_keys_are_set_aside_at_the_top_in_stages_and_in_roles() -> None:
    doc = document(**{"x-slack": "#sales", "x-owner": {"name": "RevOps"}})
    doc["stages"][0]["x-color"] = "blue"
    doc["roles"][0]["x-manager"] = ["Dana"]
    process = Process.model_validate(doc)
    assert process.extensions == {"x-slack": "#sales", "x-owner": {"name": "RevOps"}}
    assert process.stages[0].extensions == {"x-color": "blue"}
    assert process.stages[1].extensions == {}
    assert process.roles[0].extensions == {"x-manager": ["Dana"]}
    dumped = process.model_dump()
    assert "x-slack" not in dumped and "x-color" not in dumped["stages"][0]


@pytest.mark.parametrize("key", ["x_slack", "X-slack", "x-", "slack", "xslack"])
def test_other_unknown_keys_are_still_refused(key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Process.model_validate(document(**{key: 1}))
    assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [("extra_forbidden", (key,))]


def test_x_keys_elsewhere_are_refused() -> None:
    doc = with_stage(expected={"conversion": 0.5, "x-note": "hi"})
    with pytest.raises(ValidationError) as caught:
        Process.model_validate(doc)
    assert [e["loc"] for e in caught.value.errors()] == [("stages", 0, "expected", "x-note")]


def test_is_extension_key() -> None:
    assert is_extension_key("x-a") and is_extension_key("x--")
    assert not any(map(is_extension_key, ["x-", "X-a", "x_a", "", 1, None]))


# --- the JSON Schema ---------------------------------------------------------------------------


def test_the_schema_allows_x_keys_where_the_models_do() -> None:
    schema = process_schema()
    definitions = schema["$defs"]
    for node in (schema, definitions["Stage"], definitions["Role"]):
        assert node["additionalProperties"] is False
        assert node["patternProperties"] == {"^x-.": {}}
    assert "patternProperties" not in definitions["Expected"]


def test_the_schema_describes_the_playbook() -> None:
    definitions = process_schema()["$defs"]
    stage = definitions["Stage"]["properties"]
    assert {"questions", "talk_track", "objections", "templates", "required_fields"} <= set(stage)
    assert definitions["Template"]["oneOf"] == [{"required": ["body"]}, {"required": ["url"]}]
    assert definitions["Objection"]["required"] == ["objection", "response"]
    assert definitions["Qualification"]["required"] == ["framework", "criteria"]
    checked_by = definitions["Criterion"]["properties"]["checked_by"]
    assert checked_by["minProperties"] == 1
    assert checked_by["patternProperties"] == {
        "^[a-z][a-z0-9_-]*$": {
            "items": {"minLength": 1, "type": "string"},
            "minItems": 1,
            "type": "array",
        }
    }
