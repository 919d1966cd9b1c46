"""The text and github reporters, compared with golden files (`pytest --update-golden`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from salesflow.reporters import VALIDATION_FORMATS
from tests.helpers import ANSI
from tests.reporters.reports import REPORTS, awkward_names, failing, valid, warnings


@pytest.mark.parametrize("fmt", ["text", "github"])
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_golden(fmt: str, name: str, golden: Callable[[str, str], None]) -> None:
    rendered = VALIDATION_FORMATS.renderer(fmt)(REPORTS[name](), False)
    golden(f"{fmt}-{name}.txt", rendered)


def test_github_escapes_properties_and_data(golden: Callable[[str, str], None]) -> None:
    rendered = VALIDATION_FORMATS.renderer("github")(awkward_names(), False)
    assert rendered.count("\n") == 1
    assert "\r" not in rendered
    golden("github-awkward-names.txt", rendered)


def test_text_colour() -> None:
    render = VALIDATION_FORMATS.renderer("text")
    coloured = render(failing(), True)
    assert "\x1b[1;31merror\x1b[0m" in coloured  # bold red
    assert "\x1b[1;33mwarning\x1b[0m" in coloured  # bold yellow
    assert "\x1b[1;31m✗ 3 errors, 1 warning\x1b[0m" in coloured
    assert "\x1b[32m✓ 1 file valid\x1b[0m" in render(valid(), True)  # green
    assert "\x1b[32m✓ 1 file valid\x1b[0m (0 errors, 1 warning)" in render(warnings(), True)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_colour_only_adds_escape_codes(name: str) -> None:
    render = VALIDATION_FORMATS.renderer("text")
    report = REPORTS[name]()
    assert ANSI.sub("", render(report, True)) == render(report, False)
    assert not ANSI.search(render(report, False))


@pytest.mark.parametrize("fmt", ["github", "json", "sarif"])
def test_machine_formats_ignore_colour(fmt: str) -> None:
    render = VALIDATION_FORMATS.renderer(fmt)
    assert render(failing(), True) == render(failing(), False)
