"""Shared fixtures: a clean environment for every test and the --update-golden option; the
click command of a typer app built once, as the `salesflow` entry point does, not on every
`CliRunner.invoke` (30 ms each, over a thousand times in the suite)."""

from __future__ import annotations

import functools

import pytest
import typer.testing
from typer.main import get_command

typer.testing._get_command = functools.cache(get_command)  # type: ignore[attr-defined]

SALESFLOW_ENV = (
    "SALESFLOW_PROCESS",
    "SALESFLOW_DEALS",
    "SALESFLOW_HISTORY",
    "SALESFLOW_DEBUG",
    "NO_COLOR",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/reporters/golden/*.txt from the current output instead of comparing.",
    )


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's SALESFLOW_* or NO_COLOR settings."""
    for name in SALESFLOW_ENV:
        monkeypatch.delenv(name, raising=False)
