"""Golden files: `pytest --update-golden` rewrites tests/reporters/golden/*.txt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """golden(name, text): compare `text` with golden/NAME, or rewrite it with --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            return
        assert path.is_file(), f"{path} is missing: run `pytest --update-golden` and review it"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs: run `pytest --update-golden` and review the diff"

    return check
