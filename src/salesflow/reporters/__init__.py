"""Output formats, one module each, chosen by name from a registry.

Modules are imported only when their format is asked for, so that a command pays for one.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from salesflow.errors import InputError

if TYPE_CHECKING:  # the result models load only with the command that makes them
    from salesflow.model.backtest import Backtest
    from salesflow.model.diff import ProcessDiff
    from salesflow.model.forecast import Forecast
    from salesflow.model.funnel import FunnelReport
    from salesflow.model.impact import ImpactReport
    from salesflow.model.validation import ValidationReport

Result = TypeVar("Result")
Result_contra = TypeVar("Result_contra", contravariant=True)


class Render(Protocol[Result_contra]):
    """A format's `render`: the text of a result, coloured or not, laid out for `width` columns
    where the format has a layout (the text reports; None: the report's own default)."""

    def __call__(self, result: Result_contra, color: bool, width: int | None = None) -> str: ...


class Formats(Generic[Result]):
    """The formats of one command: format `NAME` is the module `salesflow.reporters.PREFIX_NAME`,
    whose `render(result, color[, width])` returns the text."""

    def __init__(self, prefix: str, names: tuple[str, ...]) -> None:
        self.prefix = prefix
        self.names = names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def renderer(self, name: str) -> Render[Result]:
        if name not in self.names:
            raise InputError(f"unknown format '{name}'; choose one of: {', '.join(self.names)}")
        module = importlib.import_module(f"salesflow.reporters.{self.prefix}_{name}")
        if "width" in inspect.signature(module.render).parameters:
            return cast("Render[Result]", module.render)
        return _without_width(module.render)


def _without_width(render: Any) -> Render[Any]:
    """A format without a layout: the width is not its concern."""

    def laid_out(result: Any, color: bool, width: int | None = None) -> str:
        return cast(str, render(result, color))

    return laid_out


VALIDATION_FORMATS: Formats[ValidationReport] = Formats(
    "validation", ("text", "json", "github", "sarif")
)
ANALYZE_FORMATS: Formats[FunnelReport] = Formats(
    "analyze", ("text", "json", "csv", "markdown", "html")
)
FORECAST_FORMATS: Formats[Forecast] = Formats("forecast", ("text", "json", "markdown", "html"))
BACKTEST_FORMATS: Formats[Backtest] = Formats("backtest", ("text", "json", "markdown"))
DIFF_FORMATS: Formats[ProcessDiff] = Formats("diff", ("text", "json", "markdown"))
IMPACT_FORMATS: Formats[ImpactReport] = Formats("impact", ("text", "json", "markdown"))
