"""The corpus of broken process files in cases/, one file per case.

Each file's first line states what `salesflow validate FILE --format json` must report:

    # expect: exit=1 code=unknown-owner line=10 column=12 message="is not a declared role"

Fields (values may be quoted; `a|b` accepts either):
    exit      exit code(s)
    code      issue code(s); an issue with one of them must be at `line` (and `column`)
    line      1-based line of that issue (required)
    column    1-based column of that issue
    severity  severity of that issue
    message   text the message of that issue contains
    issues    the exact number of issues reported for the file
    args      extra command-line arguments
    xfail     a known bug: the case is expected to fail (strictly) for this reason
"""

from __future__ import annotations

import json
import shlex
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ALL_CODES, FILE_CODES, assert_clean_exit, invoke

CASES = Path(__file__).parent / "cases"
PREFIX = "# expect:"
FIELDS = {"exit", "code", "line", "column", "severity", "message", "issues", "args", "xfail"}
TIME_LIMIT = 1.0  # seconds; a guard against hangs, not a benchmark

# The corpus holds hostile files (alias bombs, deep nesting): a broken guard fails, never hangs.
pytestmark = pytest.mark.timeout(30)


@dataclass(frozen=True)
class Expectation:
    exits: frozenset[int]
    codes: frozenset[str]
    line: int
    column: int | None = None
    severity: str | None = None
    message: str | None = None
    issues: int | None = None
    args: tuple[str, ...] = ()
    xfail: str | None = None


def parse_expectation(path: Path) -> Expectation:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith(PREFIX), f"{path.name}: the first line must start with {PREFIX!r}"
    fields = dict(token.split("=", 1) for token in shlex.split(first[len(PREFIX) :]))
    unknown = set(fields) - FIELDS
    assert not unknown, f"{path.name}: unknown expectation fields {sorted(unknown)}"
    assert {"exit", "code", "line"} <= set(fields), f"{path.name}: exit, code, line are required"
    return Expectation(
        exits=frozenset(int(value) for value in fields["exit"].split("|")),
        codes=frozenset(fields["code"].split("|")),
        line=int(fields["line"]),
        column=int(fields["column"]) if "column" in fields else None,
        severity=fields.get("severity"),
        message=fields.get("message"),
        issues=int(fields["issues"]) if "issues" in fields else None,
        args=tuple(shlex.split(fields.get("args", ""))),
        xfail=fields.get("xfail"),
    )


CASE_FILES = sorted(CASES.glob("*.yaml"))
EXPECTATIONS = {path.name: parse_expectation(path) for path in CASE_FILES}


def _params() -> list[object]:
    params = []
    for path in CASE_FILES:
        expected = EXPECTATIONS[path.name]
        marks = [pytest.mark.xfail(reason=expected.xfail, strict=True)] if expected.xfail else []
        params.append(pytest.param(path, expected, marks=marks, id=path.stem))
    return params


@pytest.mark.parametrize(("path", "expected"), _params())
def test_case(path: Path, expected: Expectation) -> None:
    start = time.perf_counter()
    result = invoke("validate", str(path), "--format", "json", *expected.args)
    elapsed = time.perf_counter() - start

    assert_clean_exit(result)
    assert result.exit_code in expected.exits, result.output
    document = json.loads(result.stdout)
    issues = document["files"][0]["issues"]
    at_line = [
        issue
        for issue in issues
        if issue["code"] in expected.codes
        and issue["line"] == expected.line
        and (expected.column is None or issue["column"] == expected.column)
    ]
    assert at_line, f"no {sorted(expected.codes)} at line {expected.line}: {issues}"
    if expected.severity is not None:
        assert {issue["severity"] for issue in at_line} == {expected.severity}
    if expected.message is not None:
        messages = [issue["message"] for issue in at_line]
        assert any(expected.message in message for message in messages), messages
    if expected.issues is not None:
        assert len(issues) == expected.issues, issues
    assert elapsed < TIME_LIMIT, f"took {elapsed:.2f} s"


def test_corpus_covers_every_code() -> None:
    """Every code has a case here, except those that need a generated file (test_hostile.py)."""
    generated = {"file-too-large", "file-not-found", "file-unreadable"}
    covered = {code for expected in EXPECTATIONS.values() for code in expected.codes}
    assert ALL_CODES - generated <= covered


def test_file_level_cases_exit_2_and_the_others_do_not() -> None:
    for name, expected in EXPECTATIONS.items():
        if expected.codes <= FILE_CODES:
            assert expected.exits == {2}, name
        elif not expected.xfail:
            assert 2 not in expected.exits, name


def test_many_problems_are_reported_in_one_run() -> None:
    result = invoke("validate", str(CASES / "many-problems.yaml"), "--format", "json")
    document = json.loads(result.stdout)
    found = Counter(issue["code"] for issue in document["files"][0]["issues"])
    assert found == {
        "invalid-value": 1,
        "unknown-key": 1,
        "duplicate-id": 1,
        "missing-exit-criteria": 1,
        "unknown-owner": 1,
        "out-of-range": 2,
        "duplicate-alias": 2,
        "probability-order": 1,
        "invalid-id": 1,
        "unknown-stage": 1,
    }
    assert document["summary"] == {"files": 1, "errors": 10, "warnings": 2}
    lines = [issue["line"] for issue in document["files"][0]["issues"]]
    assert lines == sorted(lines)


@pytest.mark.parametrize("name", ["probability-order.yaml", "missing-exit-criteria.yaml"])
def test_warnings_pass_unless_strict(name: str) -> None:
    relaxed = invoke("validate", str(CASES / name), "--format", "json")
    strict = invoke("validate", str(CASES / name), "--format", "json", "--strict")
    assert relaxed.exit_code == 0
    assert strict.exit_code == 1
    relaxed_doc, strict_doc = json.loads(relaxed.stdout), json.loads(strict.stdout)
    assert relaxed_doc["valid"] is True
    assert strict_doc["valid"] is False
    assert strict_doc["files"][0]["valid"] is False
    assert strict_doc["summary"] == {"files": 1, "errors": 0, "warnings": 1}
