"""Output formats, one module each, chosen by name from a registry.

Modules are imported only when their format is asked for, so that a command pays for one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from salesflow.errors import InputError

if TYPE_CHECKING:  # the result models load only with the command that makes them
    from salesflow.model.backtest import Backtest
    from salesflow.model.diff import ProcessDiff
    from salesflow.model.forecast import Forecast
    from salesflow.model.funnel import FunnelReport
    from salesflow.model.impact import ImpactReport
    from salesflow.model.validation import ValidationReport

Result = TypeVar("Result")


class Formats(Generic[Result]):
    """The formats of one command: format `NAME` is the module `salesflow.reporters.PREFIX_NAME`,
    whose `render(result, color)` returns the text."""

    def __init__(self, prefix: str, names: tuple[str, ...]) -> None:
        self.prefix = prefix
        self.names = names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def renderer(self, name: str) -> Callable[[Result, bool], str]:
        if name not in self.names:
            raise InputError(f"unknown format '{name}'; choose one of: {', '.join(self.names)}")
        module = importlib.import_module(f"salesflow.reporters.{self.prefix}_{name}")
        return cast("Callable[[Result, bool], str]", module.render)


VALIDATION_FORMATS: Formats[ValidationReport] = Formats(
    "validation", ("text", "json", "github", "sarif")
)
ANALYZE_FORMATS: Formats[FunnelReport] = Formats("analyze", ("text", "json", "csv", "markdown"))
FORECAST_FORMATS: Formats[Forecast] = Formats("forecast", ("text", "json", "markdown"))
BACKTEST_FORMATS: Formats[Backtest] = Formats("backtest", ("text", "json", "markdown"))
DIFF_FORMATS: Formats[ProcessDiff] = Formats("diff", ("text", "json", "markdown"))
IMPACT_FORMATS: Formats[ImpactReport] = Formats("impact", ("text", "json", "markdown"))
