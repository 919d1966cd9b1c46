"""The pydantic models of the process file, format version 1."""

from __future__ import annotations

import copy
import math
from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from salesflow.model import FORMAT_VERSION, Outcomes, Process, Stage
from salesflow.model.limits import MAX_DAYS, MAX_RATE
from salesflow.model.schema import process_schema
from salesflow.sources import parse
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


AMOUNT_FIELDS = [
    ("assumptions", "deal_size"),
    ("roles", 0, "quota", "amount"),
    ("goals", "revenue", "amount"),
]
DAY_FIELDS = [("stages", 0, "expected", "days"), ("goals", "cycle_days")]


def _errors(document: dict[str, object]) -> list[tuple[object, ...]]:
    with pytest.raises(ValidationError) as caught:
        Process.model_validate(document)
    return [(error["type"], *error["loc"]) for error in caught.value.errors()]


def _with_amount(path: tuple[str | int, ...], value: object) -> dict[str, object]:
    """The document with `value` at `path`; a quota or revenue goal gets its period too."""
    document = _with(path, value)
    if path[-1] == "amount":
        quota: object = document
        for part in path[:-1]:
            quota = quota[part]  # type: ignore[index]
        quota["per"] = "year"  # type: ignore[index]
    return document


@pytest.mark.parametrize("path", AMOUNT_FIELDS)
@pytest.mark.parametrize("value", [1e154, 1.7e308, 10**400, math.nextafter(parse.MAX_AMOUNT, 2e15)])
def test_amounts_above_the_deal_data_bound_are_refused(
    path: tuple[str | int, ...], value: object
) -> None:
    """`deal_size: 1e154` validated, then broke forecast, diff and analyze (exit 3)."""
    assert [error[1:] for error in _errors(_with_amount(path, value))] == [path]


@pytest.mark.parametrize("path", AMOUNT_FIELDS)
def test_amounts_up_to_the_deal_data_bound_are_accepted(path: tuple[str | int, ...]) -> None:
    Process.model_validate(_with_amount(path, parse.MAX_AMOUNT))


@pytest.mark.parametrize("path", DAY_FIELDS)
def test_day_counts_are_at_most_a_hundred_years(path: tuple[str | int, ...]) -> None:
    assert MAX_DAYS == 36_500
    Process.model_validate(_with(path, MAX_DAYS))
    assert _errors(_with(path, MAX_DAYS + 0.5)) == [("less_than_equal", *path)]
    assert _errors(_with(path, 1e300)) == [("less_than_equal", *path)]


def test_exchange_rates_are_bounded() -> None:
    rates = ("data", "rates", "EUR")
    Process.model_validate(_with(rates, MAX_RATE))
    assert _errors(_with(rates, 1e300)) == [("less_than_equal", *rates)]


@pytest.mark.parametrize(
    ("written", "day"),
    [("2024-01-05", date(2024, 1, 5)), (" 2024-01-05 ", date(2024, 1, 5)), (None, None)],
)
def test_effective_is_a_date_written_yyyy_mm_dd(written: str | None, day: date | None) -> None:
    assert Process.model_validate(_with(("effective",), written)).effective == day


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (86400, "date_type"),  # read as a Unix timestamp: 1970-01-02
        (20240101, "date_type"),
        (1.5, "date_type"),
        (True, "date_type"),
        ("2024-1-5", "date_format"),
        ("20240101", "date_format"),
        ("2024-01-05T10:00:00", "date_format"),
        ("2026-02-30", "date_value"),
        ("9999-12-31", "date_range"),
        ("1899-12-31", "date_range"),
        (date(9999, 12, 31), "date_range"),
    ],
)
def test_effective_refuses_anything_else(value: object, kind: str) -> None:
    assert _errors(_with(("effective",), value)) == [(kind, "effective")]


def test_effective_years_are_those_of_the_deal_data() -> None:
    for year in (parse.FIRST_YEAR, parse.LAST_YEAR):
        assert Process.model_validate(_with(("effective",), f"{year}-06-30")).effective
