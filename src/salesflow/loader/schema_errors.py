"""Turn pydantic's validation errors into findings a person can act on."""

from __future__ import annotations

import math
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from salesflow.diagnostics import Severity
from salesflow.loader.tree import HugeNumber
from salesflow.model import Process
from salesflow.model.base import DATE_FORM, is_extension_key
from salesflow.model.checks import Finding, Suggester
from salesflow.model.limits import MAX_AMOUNT, MAX_DAYS, MAX_RATE

KEY_MARKER = "[key]"
TYPE_NAMES = {
    "float": "a number",
    "int": "a whole number",
    "string": "text",
    "list": "a list",
    "dict": "a mapping",
    "model": "a mapping",
    "bool": "true or false",
    "date": f"a date as {DATE_FORM}",
}
BELOW = {"greater_than", "greater_than_equal"}
ABOVE = {"less_than", "less_than_equal"}
SHARES = {"conversion", "win_rate", "probability"}
# The numbers besides the shares: (their lower bound, their upper bound, what it means).
AMOUNT_RANGE = ("greater than 0", MAX_AMOUNT, " (10^15, the largest amount salesflow reads)")
DAYS_RANGE = (MAX_DAYS, " (100 years)")
RANGES: dict[str, tuple[str, float, str]] = {
    "deal_size": AMOUNT_RANGE,
    "amount": AMOUNT_RANGE,
    "cycle_days": ("greater than 0", *DAYS_RANGE),
    "days": ("0 or more", *DAYS_RANGE),
    "rates": ("greater than 0", MAX_RATE, ""),
}
SHORT_CHARS = 24  # a longer value is cut in a message

EXTENSIBLE_PLACES = "at the top level, in a stage and in a role"

FIXED_MESSAGES = {
    "missing": ("missing-key", "required key is missing"),
    "too_short": ("invalid-value", "must not be empty"),
    "string_too_short": ("invalid-value", "must not be empty text"),
}


def findings_from_errors(errors: list[ErrorDetails]) -> list[Finding]:
    suggester = Suggester()
    return [_finding(error, suggester) for error in errors]


def format_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _finding(error: ErrorDetails, suggest: Suggester) -> Finding:
    loc = tuple(error["loc"])
    kind = error["type"]
    marked = bool(loc) and loc[-1] == KEY_MARKER
    path = loc[:-1] if marked else loc
    at_key = marked or kind == "extra_forbidden"
    code, message = _describe(kind, path, error, suggest)
    where = format_path(path)
    return Finding(path, code, Severity.ERROR, f"{where}: {message}" if where else message, at_key)


def _describe(
    kind: str, path: tuple[str | int, ...], error: ErrorDetails, suggest: Suggester
) -> tuple[str, str]:
    value = error.get("input")
    context = error.get("ctx") or {}
    if kind in FIXED_MESSAGES:
        return FIXED_MESSAGES[kind]
    if kind == "extra_forbidden":
        return "unknown-key", _unknown_key_message(path, suggest)
    if kind == "value_error":  # a model's own rule (a template's body or url): its sentence
        return "invalid-value", str(context.get("error") or error["msg"])
    if kind == "string_pattern_mismatch":
        return _pattern_message(path, value)
    if kind in BELOW | ABOVE:
        return "out-of-range", _range_message(path, value, kind in ABOVE)
    if kind == "finite_number":
        return "out-of-range", f"must be a finite number, got {_yaml_special(value)}"
    if kind == "string_too_long":
        return "invalid-value", f"is longer than {context.get('max_length')} characters"
    expected = _expected_type(kind)
    if expected == "a number" and _is_huge(value):
        return "out-of-range", _range_message(path, value, not str(value).startswith("-"))
    if expected:
        return "invalid-type", f"expected {expected}, got {_describe_value(value)}"
    return "invalid-value", str(error["msg"])


def _unknown_key_message(path: tuple[str | int, ...], suggest: Suggester) -> str:
    key = str(path[-1])
    if is_extension_key(key):
        return f"unknown key: `x-` keys are a team's own only {EXTENSIBLE_PLACES}"
    return f"unknown key{suggest(key, _allowed_keys(path[:-1]))}"


def _expected_type(kind: str) -> str | None:
    for prefix, name in TYPE_NAMES.items():
        if kind.startswith(prefix) and kind.endswith(("_type", "_parsing")):
            return name
    return None


def _pattern_message(path: tuple[str | int, ...], value: Any) -> tuple[str, str]:
    # the process currency, or a currency of data.rates (a key: `eur` under `rates`)
    if path and (path[-1] == "currency" or path[-2:-1] == ("rates",)):
        return "invalid-value", f"'{value}' is not an ISO 4217 currency code such as USD or EUR"
    return (
        "invalid-id",
        f"'{value}' is not a valid id: use lowercase letters, digits, '-' and '_', "
        "starting with a letter",
    )


def _range_message(path: tuple[str | int, ...], raw: Any, above: bool) -> str:
    """Why a number is out of its range; `above` when it is too large."""
    field = _field_name(path)
    value = _short(raw)
    if field in SHARES:
        return _share_message(field, value)
    low, high, meaning = RANGES.get(field, ("0 or more", math.inf, ""))
    if above and math.isfinite(high):
        return f"must be at most {high:,.0f}{meaning}, got {value}"
    return f"must be {low}, got {value}"


def _field_name(path: tuple[str | int, ...]) -> str:
    """The field a value belongs to: an exchange rate sits under its currency code."""
    if len(path) >= 2 and path[-2] == "rates":
        return "rates"
    return str(path[-1]) if path else ""


def _share_message(field: str, value: Any) -> str:
    percent = _looks_like_percent(value)
    if field == "probability":
        hint = f"; write {value / 100:g}, not {value}" if percent else ""
        return f"must be between 0 and 1, got {value}{hint}"
    hint = f"; write a share as {value / 100:g}, not {value}" if percent else ""
    return f"must be greater than 0 and at most 1, got {value}{hint}"


def _is_huge(value: Any) -> bool:
    """A number too large for a float: an int (not a bool) that is no float, or a HugeNumber."""
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, HugeNumber)


def _yaml_special(value: Any) -> str:
    """`.inf`, `-.inf` or `.nan`, as the value is written in YAML."""
    text = str(value).lower()
    return {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}.get(text, text)


def _short(value: Any) -> Any:
    """The value, or its first characters (and, for a long integer, its number of digits)."""
    text = str(value)
    if len(text) <= SHORT_CHARS:
        return value
    whole = isinstance(value, int) or text.lstrip("+-").isdigit()
    digits = f" ({len(text.lstrip('+-'))} digits)" if whole else ""
    return f"{text[:20]}…{digits}"


def yaml_text(value: Any) -> str:
    """A value as YAML writes it, for a message: `true`, `null`, `.inf`, `'text'`, `2`."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, float):
        return _yaml_special(value) if not math.isfinite(value) else str(value)
    if isinstance(value, str) and not isinstance(value, HugeNumber):
        return f"'{_short(value)}'"
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "a mapping"
    return str(_short(value))


def _looks_like_percent(value: Any) -> bool:
    return isinstance(value, int | float) and 2 <= value <= 100


def _describe_value(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text '{value}'" if len(value) <= 40 else "text"
    return str(_short(value))


def _allowed_keys(path: tuple[str | int, ...]) -> list[str]:
    """The keys the model accepts at `path`, for "did you mean" suggestions."""
    annotation: Any = Process
    for part in path:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    model = _model_in(annotation)
    return list(model.model_fields) if model else []


def _step(annotation: Any, part: str | int) -> Any:
    model = _model_in(annotation)
    if model is not None and isinstance(part, str):
        field = model.model_fields.get(part)
        return field.annotation if field else None
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict:
        return args[1]
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        for arg in typing.get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
    return None
