"""The pydantic models of the process file, format version 1."""

from __future__ import annotations

import copy

import pytest
from pydantic import BaseModel, ValidationError

from salesflow.model import FORMAT_VERSION, Outcomes, Process, Stage
from salesflow.model.schema import process_schema
from tests.helpers import VALID_DOCUMENT


def test_valid_document() -> None:
    process = Process.model_validate(copy.deepcopy(VALID_DOCUMENT))
    assert FORMAT_VERSION == 1
    assert process.stage_ids() == ["discovery", "proposal"]
    assert process.stages[0].expected.conversion == 0.5
    assert process.currency == "USD"


def test_defaults() -> None:
    process = Process.model_validate(
        {"salesflow": 1, "name": "x", "stages": [{"id": "a", "name": "A"}]}
    )
    assert process.outcomes == Outcomes()
    assert process.outcomes.won.aliases == ["Won", "Closed Won"]
    assert process.outcomes.lost.aliases == ["Lost", "Closed Lost"]
    assert process.data.columns.id == "deal_id"
    assert process.data.columns.lost_stage == "lost_at_stage"
    assert process.data.history_columns.entered == "entered_at"
    assert process.assumptions.deal_size is None
    stage = process.stages[0]
    assert (stage.owner, stage.probability, stage.aliases) == (None, None, [])


def test_models_are_frozen() -> None:
    stage = Stage(id="a", name="A")
    with pytest.raises(ValidationError):
        stage.name = "B"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "A"),
        ("id", "1a"),
        ("id", "a b"),
        ("id", "a" * 65),
        ("name", ""),
        ("probability", 1.01),
        ("probability", -0.01),
        ("expected", {"conversion": 0}),
        ("expected", {"conversion": 1.01}),
        ("expected", {"days": -1}),
        ("unknown", 1),
    ],
)
def test_stage_rejects(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Stage.model_validate({"id": "a", "name": "A", field: value})


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "a-1_b"), ("probability", 0), ("probability", 1), ("expected", {"conversion": 1})],
)
def test_stage_accepts_bounds(field: str, value: object) -> None:
    Stage.model_validate({"id": "a", "name": "A", field: value})


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    seen.add(model)
    for info in model.model_fields.values():
        for candidate in _annotation_models(info.annotation):
            if candidate not in seen:
                _models(candidate, seen)
    return seen


def _annotation_models(annotation: object) -> list[type[BaseModel]]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _annotation_models(arg)]


def test_every_field_has_a_description() -> None:
    """Descriptions feed the JSON Schema (editor hover) and docs/process-format.md."""
    missing = [
        f"{model.__name__}.{name}"
        for model in _models(Process, set())
        for name, info in model.model_fields.items()
        if not info.description
    ]
    assert missing == []


def test_schema_properties_carry_descriptions() -> None:
    schema = process_schema()
    for definition in [schema, *schema["$defs"].values()]:
        for name, prop in definition.get("properties", {}).items():
            assert prop.get("description"), name


NUMBER_FIELDS = [
    ("stages", 0, "expected", "conversion"),
    ("stages", 0, "expected", "days"),
    ("stages", 0, "probability"),
    ("assumptions", "deal_size"),
]


def _with(path: tuple[str | int, ...], value: object) -> dict[str, object]:
    document = copy.deepcopy(VALID_DOCUMENT)
    node: object = document
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    return document


@pytest.mark.parametrize("path", NUMBER_FIELDS)
@pytest.mark.parametrize("value", [True, False, "0.5", float("inf"), float("-inf"), float("nan")])
def test_numbers_are_strict_and_finite(path: tuple[str | int, ...], value: object) -> None:
    """`conversion: true` read as 100%, `deal_size: .inf` validated and then broke forecasts."""
    with pytest.raises(ValidationError) as caught:
        Process.model_validate(_with(path, value))
    assert [error["loc"] for error in caught.value.errors()] == [path]


@pytest.mark.parametrize("path", NUMBER_FIELDS)
def test_whole_numbers_are_still_numbers(path: tuple[str | int, ...]) -> None:
    process = Process.model_validate(_with(path, 1))
    assert process is not None
