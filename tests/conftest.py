"""Shared fixtures: a clean environment for every test and the --update-golden option; the
click command of a typer app built once, as the `salesflow` entry point does, not on every
`CliRunner.invoke` (30 ms each, over a thousand times in the suite)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

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
    "FORCE_COLOR",
    "COLUMNS",  # set by pytest-xdist's workers; text reports honour it when piped
    "LINES",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files (golden/ beside each test) instead of comparing.",
    )


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's SALESFLOW_* or NO_COLOR settings."""
    for name in SALESFLOW_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """golden(name, text): compare `text` with golden/NAME beside the test file, or rewrite it
    with --update-golden."""
    update = request.config.getoption("--update-golden")
    folder = Path(request.path).parent / "golden"

    def check(name: str, text: str) -> None:
        path = folder / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            return
        assert path.is_file(), f"{path} is missing: run `pytest --update-golden` and review it"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs: run `pytest --update-golden` and review the diff"

    return check
