"""Output formats, one module each, chosen by name from a registry.

Modules are imported only when their format is asked for, so that a command pays for one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import cast

from salesflow.errors import InputError
from salesflow.model.validation import ValidationReport

ValidationRenderer = Callable[[ValidationReport, bool], str]

VALIDATION_FORMATS = {
    "text": "salesflow.reporters.validation_text",
    "json": "salesflow.reporters.validation_json",
    "github": "salesflow.reporters.validation_github",
    "sarif": "salesflow.reporters.validation_sarif",
}


def validation_renderer(name: str) -> ValidationRenderer:
    """The renderer for `validate --format NAME`; it takes (report, color)."""
    return cast(ValidationRenderer, _lookup(VALIDATION_FORMATS, name).render)


def _lookup(registry: dict[str, str], name: str) -> ModuleType:
    if name not in registry:
        raise InputError(f"unknown format '{name}'; choose one of: {', '.join(registry)}")
    return importlib.import_module(registry[name])
