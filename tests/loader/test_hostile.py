"""Hostile input that is generated rather than committed: it never hangs, crashes or leaks a
traceback, and it is refused with exit 2 and a positioned issue.

Every test here runs under a timeout: a broken guard must fail CI, not hang it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from salesflow.errors import ProcessFileError
from salesflow.loader import parse_process
from salesflow.loader.reader import MAX_BYTES
from tests.helpers import VALID_PROCESS, issues_of, validate_json, write

pytestmark = pytest.mark.timeout(30)


def _only_issue(document: dict[str, Any]) -> dict[str, Any]:
    issues = issues_of(document)
    assert len(issues) == 1, issues
    return issues[0]


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "process.yaml", "")
    result, document = validate_json(str(path))
    assert result.exit_code == 2
    issue = _only_issue(document)
    assert (issue["code"], issue["line"], issue["column"]) == ("empty-file", 1, 1)
    assert document["files"][0]["readable"] is False


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = write(tmp_path, "process.yaml", "\n   \n\n")
    result, document = validate_json(str(path))
    assert result.exit_code == 2
    assert _only_issue(document)["code"] == "empty-file"


@pytest.mark.parametrize("text", ["null\n", "~\n", "--- null\n", "Null # nothing\n"])
def test_a_file_that_says_null_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    """It is not empty (it said `empty-file: file is empty`): it is a single value."""
    result, document = validate_json(str(write(tmp_path, "process.yaml", text)))
    assert result.exit_code == 2
    issue = _only_issue(document)
    assert (issue["code"], issue["line"], issue["column"]) == ("not-a-mapping", 1, 1)
    assert issue["message"].startswith("the document is a single value;")


@pytest.mark.parametrize("text", ["---\n", "--- # nothing yet\n", "# only\n# comments\n"])
def test_a_file_with_no_value_is_empty(tmp_path: Path, text: str) -> None:
    result, document = validate_json(str(write(tmp_path, "process.yaml", text)))
    assert result.exit_code == 2
    assert _only_issue(document)["code"] == "empty-file"


def test_latin1_file_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "process.yaml"
    path.write_bytes("salesflow: 1\nname: Café sales\n".encode("latin-1"))
    result, document = validate_json(str(path))
    assert result.exit_code == 2
    issue = _only_issue(document)
    assert (issue["code"], issue["line"], issue["column"]) == ("not-utf8", 2, 10)
    assert "0xe9" in issue["message"]


def test_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "process.yaml"
    path.write_bytes(VALID_PROCESS.encode("utf-16"))
    result, document = validate_json(str(path))
    assert result.exit_code == 2
    assert _only_issue(document)["code"] == "not-utf8"


def test_latin1_on_stdin_is_not_utf8() -> None:
    result, document = validate_json("-", input="salesflow: 1\nname: Café\n".encode("latin-1"))
    assert result.exit_code == 2
    issue = _only_issue(document)
    assert (issue["file"], issue["code"], issue["line"]) == ("<stdin>", "not-utf8", 2)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "process.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID_PROCESS.encode())
    result, document = validate_json(str(path))
    assert result.exit_code == 0, document
    assert issues_of(document) == []


def test_crlf_line_endings_keep_positions(tmp_path: Path) -> None:
    text = VALID_PROCESS.replace(
        "owner: ae\n    exit_criteria: [Proposal", "owner: se\n    exit_criteria: [Proposal"
    )
    path = tmp_path / "process.yaml"
    path.write_bytes(text.replace("\n", "\r\n").encode())
    result, document = validate_json(str(path))
    assert result.exit_code == 1
    issue = _only_issue(document)
    assert (issue["code"], issue["line"], issue["column"]) == ("unknown-owner", 15, 12)


def test_file_over_5_mb_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "process.yaml"
    path.write_text("salesflow: 1\ndescription: " + "x" * MAX_BYTES + "\n", encoding="utf-8")
    start = time.perf_counter()
    result, document = validate_json(str(path))
    assert time.perf_counter() - start < 1.0
    assert result.exit_code == 2
    issue = _only_issue(document)
    assert (issue["code"], issue["line"], issue["column"]) == ("file-too-large", 1, 1)
    assert "5 MB" in issue["message"]


def test_stdin_over_5_mb_is_refused() -> None:
    result, document = validate_json("-", input=b"# " + b"x" * MAX_BYTES)
    assert result.exit_code == 2
    assert _only_issue(document)["code"] == "file-too-large"


def test_valid_stdin_is_named_stdin() -> None:
    text = VALID_PROCESS.replace("owner: ae", "owner: se", 1)
    result, document = validate_json("-", input=text)
    assert result.exit_code == 1
    assert document["files"][0]["file"] == "<stdin>"
    assert _only_issue(document)["file"] == "<stdin>"


def test_missing_file(tmp_path: Path) -> None:
    result, document = validate_json(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    issue = _only_issue(document)
    assert (issue["code"], issue["line"], issue["column"]) == ("file-not-found", 1, 1)
    assert document["files"][0]["file"] == str(tmp_path / "nope.yaml")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    result, document = validate_json(str(tmp_path))
    assert result.exit_code == 2
    issue = _only_issue(document)
    assert issue["code"] == "file-not-found"
    assert "directory" in issue["message"]


def _bomb(levels: int, merge: bool = False) -> str:
    """A billion-laughs document: each level refers ten times to the level below."""
    first = "l0: &l0 {k: v}" if merge else "l0: &l0 [" + ", ".join(["lol"] * 10) + "]"
    lines = ["salesflow: 1", "name: Bomb", first]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        body = f"{{<<: [{refs}]}}" if merge else f"[{refs}]"
        lines.append(f"l{level}: &l{level} {body}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("levels", "merge"), [(9, False), (10, False), (10, True)])
def test_alias_bombs_are_refused_in_well_under_a_second(levels: int, merge: bool) -> None:
    text = _bomb(levels, merge)
    start = time.perf_counter()
    with pytest.raises(ProcessFileError) as caught:
        parse_process(text, "bomb.yaml")
    assert time.perf_counter() - start < 0.5
    issue = caught.value.issue
    assert issue.code == "too-many-values"
    assert issue.line > 1
    assert "alias bomb" in issue.message


def test_many_references_to_one_small_anchor_are_fine() -> None:
    text = VALID_PROCESS.replace(
        "    exit_criteria: [Need confirmed]", "    exit_criteria: &done [Need confirmed]"
    ).replace("    exit_criteria: [Proposal accepted]", "    exit_criteria: *done")
    loaded = parse_process(text, "process.yaml")
    assert loaded.issues == []
    assert loaded.process is not None
    assert loaded.process.stages[1].exit_criteria == ["Need confirmed"]


def test_python_tags_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = VALID_PROCESS.replace(
        "name: Minimal process",
        f'name: !!python/object/apply:os.system ["touch {marker}"]',
    )
    loaded = parse_process(text, "process.yaml")
    assert not marker.exists()
    assert [issue.code for issue in loaded.issues] == ["invalid-type"]
    assert loaded.issues[0].line == 2


def test_unknown_tags_are_read_as_text() -> None:
    loaded = parse_process(VALID_PROCESS.replace("name: Minimal", "name: !custom Minimal"), "p")
    assert loaded.issues == []
    assert loaded.process is not None
    assert loaded.process.name == "Minimal process"


def test_dates_are_read_as_text() -> None:
    loaded = parse_process(VALID_PROCESS.replace("name: Minimal process", "name: 2024-01-31"), "p")
    assert loaded.issues == []
    assert loaded.process is not None
    assert loaded.process.name == "2024-01-31"


@pytest.mark.parametrize(
    "value",
    [
        "!!int abc",
        "!!float abc",
        "!!int 0b",
        "!!float ._",
        "!!bool maybe",
        "!!int",
        "!!int ''",
    ],
)
def test_mismatched_explicit_tags_are_input_errors(value: str) -> None:
    text = VALID_PROCESS.replace("probability: 0.2", f"probability: {value}")
    try:
        loaded = parse_process(text, "process.yaml")
    except ProcessFileError as error:
        assert error.issue.line == 12
    else:
        assert [issue.line for issue in loaded.errors] == [12]


def _run_cli(path: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """`salesflow validate PATH` in a child process: a crash or a hang cannot take pytest down."""
    return subprocess.run(
        [sys.executable, "-m", "salesflow", "validate", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_very_deep_flow_nesting_does_not_crash(tmp_path: Path) -> None:
    depth = 100_000
    path = write(tmp_path, "deep.yaml", "stages: " + "[" * depth + "]" * depth + "\n")
    completed = _run_cli(path, timeout=10)
    assert completed.returncode == 2, completed.returncode
    assert '"code": "too-deep"' in completed.stdout
    assert "Traceback" not in completed.stderr


def test_moderately_deep_flow_nesting_is_refused(tmp_path: Path) -> None:
    depth = 5_000
    path = write(tmp_path, "deep.yaml", "stages: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ProcessFileError) as caught:
        parse_process(path.read_text(), "deep.yaml")
    assert caught.value.issue.code == "too-deep"


def test_dense_file_under_the_size_limit_is_refused_fast(tmp_path: Path) -> None:
    count = (MAX_BYTES - 64) // 2
    path = write(tmp_path, "dense.yaml", "stages: [" + "1," * (count - 1) + "1]\n")
    try:
        completed = _run_cli(path, timeout=2.0)  # includes the interpreter's start-up
    except subprocess.TimeoutExpired:
        pytest.fail("validate did not finish within 2 s")
    assert completed.returncode == 2
    assert '"code": "too-many-values"' in completed.stdout


def test_syntax_error_in_a_large_file_is_reported_fast(tmp_path: Path) -> None:
    count = 500_000
    path = write(tmp_path, "unclosed.yaml", "stages: [" + "1," * count + "1\n")
    try:
        completed = _run_cli(path, timeout=2.0)  # includes the interpreter's start-up
    except subprocess.TimeoutExpired:
        pytest.fail("validate did not finish within 2 s")
    assert completed.returncode == 2
    assert '"code": "yaml-syntax"' in completed.stdout or '"code": "too-many-values"' in (
        completed.stdout
    )


def _string_bomb(length: int, aliases: int) -> str:
    """One long string anchored once and aliased many times: few values, much text."""
    refs = ", ".join(["*big"] * aliases)
    return (
        VALID_PROCESS.replace(
            "name: Minimal process", f"name: Minimal process\ndescription: &big {'x' * length}"
        )
        + f"extra: [{refs}]\n"
    )


def test_a_long_string_aliased_many_times_is_refused_fast() -> None:
    text = _string_bomb(1_000_000, 10_000)
    start = time.perf_counter()
    with pytest.raises(ProcessFileError) as caught:
        parse_process(text, "bomb.yaml")
    assert time.perf_counter() - start < 1.0
    issue = caught.value.issue
    assert issue.code == "too-many-values"
    assert "alias bomb" in issue.message
    assert (issue.line, issue.column) == (text.count("\n"), 8)  # the list of aliases


def test_a_long_string_aliased_10000_times_exits_2_in_a_child_process(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb.yaml", _string_bomb(1_000_000, 10_000))
    completed = _run_cli(path, timeout=20)
    assert completed.returncode == 2, completed.stderr
    assert '"code": "too-many-values"' in completed.stdout
    assert "Traceback" not in completed.stderr


def test_a_long_string_aliased_a_few_times_is_fine() -> None:
    text = VALID_PROCESS.replace(
        "name: Minimal process", f"name: Minimal process\ndescription: &d {'x' * 100_000}"
    ).replace("title: Account Executive", "title: *d")
    loaded = parse_process(text, "process.yaml")
    assert loaded.errors == []


def test_binary_file_is_refused_with_the_position_of_the_nul_byte(tmp_path: Path) -> None:
    path = tmp_path / "process.yaml"
    path.write_bytes(b"salesflow: 1\nname: \x00\x01\x02binary\n")
    result, document = validate_json(str(path))
    assert result.exit_code == 2
    issue = _only_issue(document)
    assert (issue["code"], issue["line"], issue["column"]) == ("not-utf8", 2, 7)
    assert "binary" in issue["message"]


def test_executable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "process.yaml"
    path.write_bytes(Path(sys.executable).read_bytes()[:4096])
    result, document = validate_json(str(path))
    assert result.exit_code == 2
    assert _only_issue(document)["code"] == "not-utf8"


def test_validation_is_linear_in_the_number_of_problems() -> None:
    """20,000 unknown keys took 39 s: each was located by a scan of the whole mapping."""
    keys = 20_000
    text = VALID_PROCESS + "".join(f"unknown_{index}: 1\n" for index in range(keys))
    start = time.perf_counter()
    loaded = parse_process(text, "many.yaml")
    elapsed = time.perf_counter() - start
    assert len(loaded.errors) == keys
    assert elapsed < 8.0, elapsed
    last = loaded.errors[-1]
    assert (last.code, last.line, last.column) == ("unknown-key", text.count("\n"), 1)


def test_many_unknown_owners_and_roles_are_checked_in_linear_time() -> None:
    count = 3_000
    roles = "".join(f"  - {{id: role{index}, title: T}}\n" for index in range(count))
    stages = "".join(
        f"  - {{id: s{index}, name: S{index}, owner: nobody{index}, exit_criteria: [x]}}\n"
        for index in range(count)
    )
    text = f"salesflow: 1\nname: Many\nroles:\n{roles}stages:\n{stages}"
    start = time.perf_counter()
    loaded = parse_process(text, "many.yaml")
    assert time.perf_counter() - start < 8.0
    owners = [issue for issue in loaded.errors if issue.code == "unknown-owner"]
    assert len(owners) == count
    assert all(len(issue.message) < 300 for issue in owners)  # the role list is capped
