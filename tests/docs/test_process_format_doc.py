"""docs/ stays in step with the code: every model field, every command and every check code.

Heading convention of docs/process-format.md, which these tests rely on:

- each pydantic model of `salesflow.model.process` has one section whose heading starts with the
  model's class name, followed by where the object sits in the file, for example
  `### Process (top level)`, `### Stage (`stages[]`)`, `### LostOutcome (`outcomes.lost`)`;
- a section runs from its heading to the next heading of any level (`#` lines inside fenced code
  blocks are not headings);
- each field of the model is one table row of that section that starts with "| `field` |";
- the check codes are table rows starting with "| `code` |" in the section headed `## Checks`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from salesflow.cli.app import app
from salesflow.model.playbook import Criterion, Objection, Qualification, Template
from salesflow.model.process import (
    Assumptions,
    ColumnMap,
    DataMapping,
    Expected,
    Goals,
    HistoryColumnMap,
    Join,
    LostOutcome,
    Member,
    Outcome,
    Outcomes,
    Process,
    Quota,
    Resource,
    Role,
    Stage,
)
from tests.helpers import ALL_CODES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FORMAT_DOC = DOCS / "process-format.md"
SOURCE = ROOT / "src" / "salesflow"

MODELS: list[type[BaseModel]] = [
    Process,
    Role,
    Member,
    Quota,
    Goals,
    Stage,
    Objection,
    Template,
    Resource,
    Expected,
    Outcomes,
    Outcome,
    LostOutcome,
    Qualification,
    Criterion,
    Assumptions,
    DataMapping,
    ColumnMap,
    HistoryColumnMap,
    Join,
]

# Every code an Issue can carry (tests/helpers.py). A new code must be added there and to the
# checks table of docs/process-format.md.
CODES = sorted(ALL_CODES)

# The modules that produce codes, and the quoted kebab-case strings in them that are not codes.
CODE_MODULES = [*sorted((SOURCE / "loader").glob("*.py")), SOURCE / "model" / "checks.py"]
NOT_CODES = {"utf-8-sig"}

HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
ROW = re.compile(r"^\|\s*`(?P<name>[^`]+)`\s*\|")
QUOTED_KEBAB = re.compile(r"[\"'](?P<code>[a-z][a-z0-9]*(?:-[a-z0-9]+)+)[\"']")


def sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading title, lines up to the next heading) for every heading outside code fences."""
    result: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in text.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match:
            result.append((match["title"], []))
        elif result:
            result[-1][1].append(line)
    return result


def section(title_start: str) -> list[str]:
    """The lines of the one section whose heading's first word is `title_start`."""
    found = [
        lines
        for title, lines in sections(FORMAT_DOC.read_text(encoding="utf-8"))
        if title.split()[0] == title_start
    ]
    assert len(found) == 1, (
        f"expected one heading starting with {title_start!r}, found {len(found)}"
    )
    return found[0]


def documented_rows(lines: list[str]) -> list[str]:
    return [match["name"] for line in lines if (match := ROW.match(line))]


@pytest.mark.parametrize(
    ("model", "field"),
    [(model, field) for model in MODELS for field in model.model_fields],
    ids=lambda value: value.__name__ if isinstance(value, type) else str(value),
)
def test_every_model_field_is_documented_in_its_section(model: type[BaseModel], field: str) -> None:
    rows = documented_rows(section(model.__name__))
    assert field in rows, (
        f"docs/process-format.md: add a row starting with '| `{field}` |' to the "
        f"{model.__name__} section"
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_no_section_documents_a_field_the_model_lacks(model: type[BaseModel]) -> None:
    rows = documented_rows(section(model.__name__))
    assert sorted(set(rows) - set(model.model_fields)) == []
    assert len(rows) == len(set(rows)), f"a field of {model.__name__} is documented twice"


@pytest.mark.parametrize(
    "name", [command.name for command in app.registered_commands], ids=lambda name: str(name)
)
def test_every_command_has_a_page(name: str | None) -> None:
    assert name, "every command is registered with an explicit name"
    page = DOCS / f"{name}.md"
    assert page.is_file(), f"docs/{name}.md is missing"
    assert f"salesflow {name}" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("code", CODES)
def test_every_code_is_in_the_checks_table(code: str) -> None:
    assert code in documented_rows(section("Checks")), (
        f"docs/process-format.md: add a row starting with '| `{code}` |' to the Checks section"
    )


@pytest.mark.parametrize("code", CODES)
def test_every_listed_code_exists_in_the_source(code: str) -> None:
    quoted = (f'"{code}"', f"'{code}'")
    assert any(
        any(text in path.read_text(encoding="utf-8") for text in quoted)
        for path in SOURCE.rglob("*.py")
        if path.name != "rule_docs.py"  # the SARIF descriptions quote every code
    ), f"{code} is listed here but no longer used in src/salesflow"


def test_every_code_in_the_loader_and_checks_is_listed() -> None:
    found = {
        match["code"]
        for path in CODE_MODULES
        for match in QUOTED_KEBAB.finditer(path.read_text(encoding="utf-8"))
    }
    assert sorted(found - set(CODES) - NOT_CODES) == [], "new codes: add them to CODES and the docs"
