"""What every model of the process file shares: strictness, the common field types, and the
`x-` keys a team may add for its own use."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    model_validator,
)
from pydantic_core import PydanticCustomError

from salesflow.model.limits import FIRST_YEAR, LAST_YEAR

SLUG_PATTERN = r"^[a-z][a-z0-9_-]*$"
EXTENSION_PATTERN = r"^x-."

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
Text = Annotated[str, Field(min_length=1)]
# A number in the plan: never true/false (`conversion: true` is not 100%), never text, and
# finite (`.inf` and `.nan` would validate, then break every forecast).
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]

DATE_FORM = "YYYY-MM-DD"
SHOWN_CHARS = 40  # a longer text is cut in a message
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only
_EXTENSION = re.compile(EXTENSION_PATTERN)


def iso_date(value: Any) -> date:
    """A date written as text YYYY-MM-DD (YAML hands `2024-01-05` over as text), in the years
    salesflow reads. Never a number: pydantic would read `86400` as a Unix timestamp."""
    if isinstance(value, date):
        return _within_years(value, value.isoformat())
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "expected a date as " + DATE_FORM)
    text = value.strip()
    if not _ISO_DATE.fullmatch(text):
        raise PydanticCustomError(
            "date_format", "expected a date as {form}, got '{text}'", _message_context(text)
        )
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise PydanticCustomError(
            "date_value",
            "'{text}' is not a date: {reason}",
            _message_context(text, reason=str(error)),
        ) from None
    return _within_years(day, text)


def _within_years(day: date, text: str) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PydanticCustomError(
            "date_range",
            "must be a date in the years {first} to {last}, got '{text}'",
            _message_context(text, first=FIRST_YEAR, last=LAST_YEAR),
        )
    return day


def _message_context(text: str, **more: Any) -> dict[str, Any]:
    shown = text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
    return {"form": DATE_FORM, "text": shown, **more}


# A date written YYYY-MM-DD (see iso_date); the JSON Schema says `"format": "date"`.
IsoDate = Annotated[date, BeforeValidator(iso_date)]


def is_extension_key(key: object) -> bool:
    """A team's own key: `x-` followed by at least one character."""
    return isinstance(key, str) and _EXTENSION.match(key) is not None


class Strict(BaseModel):
    """Unknown keys are errors; numbers written where text is expected are read as text."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        defer_build=True,
    )


class Extensible(Strict):
    """A Strict model that also takes a team's own `x-` keys: they are set aside unvalidated
    before the model's own keys are checked (any other unknown key stays an error) and kept in
    `extensions`, for the handbook templates. The JSON Schema allows them (patternProperties)."""

    model_config = ConfigDict(json_schema_extra={"patternProperties": {EXTENSION_PATTERN: {}}})

    _extensions: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _set_aside_extensions(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        if not isinstance(data, dict):
            return handler(data)
        own = {key: value for key, value in data.items() if not is_extension_key(key)}
        model = handler(own)
        model._extensions = {key: value for key, value in data.items() if is_extension_key(key)}
        return model

    @property
    def extensions(self) -> dict[str, Any]:
        """The `x-` keys as written, in file order."""
        return dict(self._extensions)
