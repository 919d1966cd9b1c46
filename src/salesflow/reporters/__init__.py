"""Output formats, one module each, chosen by name from a registry.

Modules are imported only when their format is asked for, so that a command pays for one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, cast

from salesflow.errors import InputError

if TYPE_CHECKING:  # the result models load only with the command that makes them
    from salesflow.model.diff import ProcessDiff
    from salesflow.model.forecast import Backtest, Forecast
    from salesflow.model.funnel import FunnelReport
    from salesflow.model.validation import ValidationReport

    ValidationRenderer = Callable[[ValidationReport, bool], str]
    AnalyzeRenderer = Callable[[FunnelReport, bool], str]
    ForecastRenderer = Callable[[Forecast, bool], str]
    BacktestRenderer = Callable[[Backtest, bool], str]
    DiffRenderer = Callable[[ProcessDiff, bool], str]

VALIDATION_FORMATS = {
    "text": "salesflow.reporters.validation_text",
    "json": "salesflow.reporters.validation_json",
    "github": "salesflow.reporters.validation_github",
    "sarif": "salesflow.reporters.validation_sarif",
}


ANALYZE_FORMATS = {
    "text": "salesflow.reporters.analyze_text",
    "json": "salesflow.reporters.analyze_json",
    "csv": "salesflow.reporters.analyze_csv",
    "markdown": "salesflow.reporters.analyze_markdown",
}


def analyze_renderer(name: str) -> AnalyzeRenderer:
    """The renderer for `analyze --format NAME`; it takes (report, color)."""
    return cast("AnalyzeRenderer", _lookup(ANALYZE_FORMATS, name).render)


FORECAST_FORMATS = {
    "text": "salesflow.reporters.forecast_text",
    "json": "salesflow.reporters.forecast_json",
    "markdown": "salesflow.reporters.forecast_markdown",
}


def forecast_renderer(name: str) -> ForecastRenderer:
    """The renderer for `forecast --format NAME`; it takes (forecast, color)."""
    return cast("ForecastRenderer", _lookup(FORECAST_FORMATS, name).render)


BACKTEST_FORMATS = {
    "text": "salesflow.reporters.backtest_text",
    "json": "salesflow.reporters.backtest_json",
    "markdown": "salesflow.reporters.backtest_markdown",
}


def backtest_renderer(name: str) -> BacktestRenderer:
    """The renderer for `backtest --format NAME`; it takes (backtest, color)."""
    return cast("BacktestRenderer", _lookup(BACKTEST_FORMATS, name).render)


DIFF_FORMATS = {
    "text": "salesflow.reporters.diff_text",
    "json": "salesflow.reporters.diff_json",
    "markdown": "salesflow.reporters.diff_markdown",
}


def diff_renderer(name: str) -> DiffRenderer:
    """The renderer for `diff --format NAME`; it takes (diff, color)."""
    return cast("DiffRenderer", _lookup(DIFF_FORMATS, name).render)


def validation_renderer(name: str) -> ValidationRenderer:
    """The renderer for `validate --format NAME`; it takes (report, color)."""
    return cast("ValidationRenderer", _lookup(VALIDATION_FORMATS, name).render)


def _lookup(registry: dict[str, str], name: str) -> ModuleType:
    if name not in registry:
        raise InputError(f"unknown format '{name}'; choose one of: {', '.join(registry)}")
    return importlib.import_module(registry[name])
