"""Property tests: parse_process on any text returns a result or raises ProcessFileError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesflow.errors import ProcessFileError
from salesflow.loader import LoadedProcess, parse_process
from salesflow.model.checks import check_document
from tests.helpers import ALL_CODES, VALID_PROCESS

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of YAML that random text rarely produces. Explicit core tags (!!int, !!bool, ...) are
# left out: they are a known bug, see test_hostile.test_mismatched_explicit_tags_are_input_errors.
TOKENS = [
    "salesflow: 1\n",
    "name: x\n",
    "stages:\n",
    "  - id: a\n",
    "    name: A\n",
    "- ",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&a ",
    "*a",
    "<<: ",
    "? ",
    "!tag ",
    "---\n",
    "...\n",
    "#",
    "\t",
    "\n",
    "  ",
    "'",
    '"',
    "|\n",
    ">\n",
    "~",
    "1",
    "0.5",
    "-1",
    "1e400",
    ".nan",
    "é",
    "owner: ",
    "probability: ",
    "aliases: ",
    "expected: ",
    "conversion: ",
    "\ufeff",
    "%YAML 1.2\n",
]


def _check(text: str) -> None:
    try:
        loaded = parse_process(text, "fuzz.yaml")
    except ProcessFileError as error:
        issues = [error.issue]
    else:
        assert isinstance(loaded, LoadedProcess)
        issues = loaded.issues
        assert (loaded.process is None) == any(issue.is_error for issue in issues)
    for issue in issues:
        assert issue.line >= 1
        assert issue.column >= 1
        assert issue.file == "fuzz.yaml"
        assert issue.code in ALL_CODES, issue


@SETTINGS
@given(st.text())
def test_any_text(text: str) -> None:
    _check(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_yaml_like_text(text: str) -> None:
    _check(text)


@SETTINGS
@given(st.data())
def test_edits_of_a_valid_file(data: st.DataObject) -> None:
    lines = VALID_PROCESS.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "replace", "indent"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "replace":
            lines[index] = data.draw(st.sampled_from(TOKENS)) + data.draw(st.text(max_size=8))
        else:
            lines[index] = "  " + lines[index]
    _check("".join(lines))


def test_check_document_accepts_what_the_loader_builds() -> None:
    """The loader always hands check_document a dict (smoke test of the contract)."""
    assert check_document({}) == []
