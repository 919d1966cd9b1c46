"""What every model of the process file shares: strictness, the common field types, and the
`x-` keys a team may add for its own use."""

from __future__ import annotations

import re
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    model_validator,
)

SLUG_PATTERN = r"^[a-z][a-z0-9_-]*$"
EXTENSION_PATTERN = r"^x-."

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
Text = Annotated[str, Field(min_length=1)]
# A number in the plan: never true/false (`conversion: true` is not 100%), never text, and
# finite (`.inf` and `.nan` would validate, then break every forecast).
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]

_EXTENSION = re.compile(EXTENSION_PATTERN)


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
