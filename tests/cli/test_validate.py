"""`salesflow validate` through typer's CliRunner, in every output format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import ANSI, VALID_PROCESS, assert_clean_exit, invoke, write

BAD = VALID_PROCESS.replace("owner: ae", "owner: se", 1).replace(
    "    exit_criteria: [Proposal accepted]\n", ""
)  # one error (line 9) and one warning (line 13)
WARNING_ONLY = VALID_PROCESS.replace("    exit_criteria: [Proposal accepted]\n", "")
TEXT_LINE = re.compile(
    r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning) (?P<code>[a-z0-9-]+): .+$"
)
GITHUB_LINE = re.compile(r"^::(error|warning) file=[^,]+,line=\d+,col=\d+,title=[^:]+::.+$")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "good": write(tmp_path, "good.yaml", VALID_PROCESS),
        "bad": write(tmp_path, "bad.yaml", BAD),
        "warn": write(tmp_path, "warn.yaml", WARNING_ONLY),
        "broken": write(tmp_path, "broken.yaml", "salesflow: [1\n"),
    }


# --- text ---------------------------------------------------------------------------------


def test_text_valid_file(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["good"]))
    assert_clean_exit(result)
    assert result.exit_code == 0
    assert result.stdout == "✓ 1 file valid\n"
    assert result.stderr == ""


def test_text_lines_and_summary(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["bad"]))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "✗ 1 error, 1 warning in 1 of 1 file"
    assert lines[-2] == ""
    issues = [TEXT_LINE.match(line) for line in lines[:-2]]
    assert all(issues), lines
    assert [(m["file"], m["line"], m["col"], m["sev"], m["code"]) for m in issues if m] == [
        (str(files["bad"]), "9", "12", "error", "unknown-owner"),
        (str(files["bad"]), "13", "5", "warning", "missing-exit-criteria"),
    ]


def test_text_groups_issues_per_file(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["bad"]), str(files["good"]), str(files["warn"]))
    assert result.exit_code == 1
    blocks = result.stdout.rstrip("\n").split("\n\n")
    assert len(blocks) == 3  # bad, warn, summary; the clean file has no block
    assert all(line.startswith(str(files["bad"])) for line in blocks[0].splitlines())
    assert all(line.startswith(str(files["warn"])) for line in blocks[1].splitlines())
    assert blocks[2] == "✗ 1 error, 2 warnings in 1 of 3 files"


def test_text_one_good_one_bad(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["good"]), str(files["bad"]))
    assert result.exit_code == 1
    assert str(files["good"]) not in result.stdout
    assert result.stdout.endswith("✗ 1 error, 1 warning in 1 of 2 files\n")


def test_text_warnings_only_pass(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["warn"]))
    assert result.exit_code == 0
    assert result.stdout.endswith("\n\n✓ 1 file valid (0 errors, 1 warning)\n")


def test_unreadable_file_wins_exit_2(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["bad"]), str(files["broken"]))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert f"{files['broken']}:2:1: error yaml-syntax: " in result.stdout
    assert f"{files['bad']}:9:12: error unknown-owner: " in result.stdout


# --- --strict, -q, colour -----------------------------------------------------------------


def test_strict_fails_on_warnings(files: dict[str, Path]) -> None:
    result = invoke("validate", "--strict", str(files["warn"]))
    assert result.exit_code == 1
    assert result.stdout.endswith("✗ 0 errors, 1 warning in 1 of 1 file\n")
    assert invoke("validate", "--strict", str(files["good"])).exit_code == 0


@pytest.mark.parametrize("flag", ["-q", "--quiet"])
def test_quiet_prints_nothing_when_valid(files: dict[str, Path], flag: str) -> None:
    for name in ("good", "warn"):
        result = invoke("validate", flag, str(files[name]))
        assert result.exit_code == 0
        assert result.output == ""


def test_quiet_still_prints_failures(files: dict[str, Path]) -> None:
    result = invoke("validate", "-q", str(files["bad"]))
    assert result.exit_code == 1
    assert "unknown-owner" in result.stdout


def test_quiet_does_not_silence_machine_formats(files: dict[str, Path]) -> None:
    result = invoke("validate", "-q", "--format", "json", str(files["good"]))
    assert json.loads(result.stdout)["valid"] is True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the colour decision see a terminal on stdout."""

    class Terminal:
        def isatty(self) -> bool:
            return True

    class FakeSys:
        stdout = Terminal()

    monkeypatch.setattr("salesflow.cli.console.sys", FakeSys)


@pytest.mark.usefixtures("terminal")
def test_colour_on_a_terminal(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["bad"]), color=True)
    assert ANSI.search(result.stdout)


@pytest.mark.usefixtures("terminal")
def test_no_color_flag(files: dict[str, Path]) -> None:
    result = invoke("validate", "--no-color", str(files["bad"]), color=True)
    assert not ANSI.search(result.output)
    assert "unknown-owner" in result.stdout


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize("value", ["1", "true", "anything"])
def test_no_color_environment(files: dict[str, Path], value: str) -> None:
    result = invoke("validate", str(files["bad"]), color=True, env={"NO_COLOR": value})
    assert not ANSI.search(result.output)


def test_no_colour_when_not_a_terminal(files: dict[str, Path]) -> None:
    result = invoke("validate", str(files["bad"]), color=True)
    assert not ANSI.search(result.output)


# --- json ---------------------------------------------------------------------------------


def test_json_contract(files: dict[str, Path]) -> None:
    result = invoke("validate", "--format", "json", str(files["bad"]), str(files["good"]))
    assert result.exit_code == 1
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert set(document) == {"version", "valid", "summary", "files"}
    assert document["version"] == 1
    assert document["valid"] is False
    assert document["summary"] == {"files": 2, "errors": 1, "warnings": 1}
    bad, good = document["files"]
    assert set(bad) == {"file", "valid", "readable", "errors", "warnings", "issues"}
    assert (bad["file"], bad["valid"], bad["readable"]) == (str(files["bad"]), False, True)
    assert (bad["errors"], bad["warnings"]) == (1, 1)
    assert good == {
        "file": str(files["good"]),
        "valid": True,
        "readable": True,
        "errors": 0,
        "warnings": 0,
        "issues": [],
    }
    issue = bad["issues"][0]
    assert set(issue) == {
        "file",
        "line",
        "column",
        "path",
        "code",
        "severity",
        "message",
        "details",
    }
    assert issue == {
        "file": str(files["bad"]),
        "line": 9,
        "column": 12,
        "path": "stages[0].owner",
        "code": "unknown-owner",
        "severity": "error",
        "message": "owner 'se' is not a declared role; roles: ae",
        "details": [],
    }
    assert bad["issues"][1]["severity"] == "warning"


def test_json_unreadable_file(files: dict[str, Path]) -> None:
    result = invoke("validate", "--format", "json", str(files["broken"]))
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["valid"] is False
    assert document["files"][0]["readable"] is False
    assert document["files"][0]["issues"][0]["path"] == ""


def test_json_strict_marks_warnings_invalid(files: dict[str, Path]) -> None:
    document = json.loads(invoke("validate", "-f", "json", "--strict", str(files["warn"])).stdout)
    assert document["valid"] is False
    assert document["files"][0]["valid"] is False


# --- github -------------------------------------------------------------------------------


def test_github_annotations(files: dict[str, Path]) -> None:
    result = invoke("validate", "--format", "github", *(str(p) for p in files.values()))
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 4  # bad: 2, warn: 1, broken: 1, good: none
    for line in lines:
        assert GITHUB_LINE.match(line), line
    assert lines[0] == (
        f"::error file={files['bad']},line=9,col=12,title=salesflow unknown-owner::"
        "owner 'se' is not a declared role; roles: ae"
    )
    assert lines[1].startswith(f"::warning file={files['bad']},line=13,col=5,")


def test_github_valid_prints_nothing(files: dict[str, Path]) -> None:
    result = invoke("validate", "--format", "github", str(files["good"]))
    assert result.exit_code == 0
    assert result.stdout == ""


def test_github_escapes_commas_and_colons_in_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b:c.yaml", BAD)
    lines = invoke("validate", "--format", "github", str(path)).stdout.splitlines()
    for line in lines:
        assert GITHUB_LINE.match(line), line
        assert "a%2Cb%3Ac.yaml" in line


# --- sarif --------------------------------------------------------------------------------


def test_sarif(files: dict[str, Path]) -> None:
    result = invoke("validate", "--format", "sarif", str(files["bad"]), str(files["good"]))
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == "2.1.0"
    assert "sarif" in document["$schema"]
    run = document["runs"][0]
    assert run["tool"]["driver"]["name"] == "salesflow"
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == ["missing-exit-criteria", "unknown-owner"]
    owner_rule = run["tool"]["driver"]["rules"][1]
    assert owner_rule["shortDescription"] == {"text": "Stage owner is not a declared role"}
    assert owner_rule["fullDescription"] == {
        "text": "A stage's owner must be the id of a role declared under roles."
    }
    assert owner_rule["helpUri"] == "docs/validate.md#unknown-owner"
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("unknown-owner", "error"),
        ("missing-exit-criteria", "warning"),
    ]
    for item in results:
        assert rules[item["ruleIndex"]] == item["ruleId"]
        assert item["message"]["text"]
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == str(files["bad"])
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert regions == [{"startLine": 9, "startColumn": 12}, {"startLine": 13, "startColumn": 5}]


def test_sarif_valid_has_no_results(files: dict[str, Path]) -> None:
    document = json.loads(invoke("validate", "--format", "sarif", str(files["good"])).stdout)
    assert document["runs"][0]["results"] == []


# --- usage errors -------------------------------------------------------------------------


def test_unknown_format(files: dict[str, Path]) -> None:
    result = invoke("validate", "--format", "xml", str(files["good"]))
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "salesflow: error: --format xml: choose one of text, json, github, sarif\n"
    )


def test_unknown_option_is_a_usage_error() -> None:
    result = invoke("validate", "--frobnicate")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_stdin_dash(files: dict[str, Path]) -> None:
    result = invoke("validate", "-", "--format", "json", input=files["bad"].read_text())
    document = json.loads(result.stdout)
    assert result.exit_code == 1
    assert document["files"][0]["file"] == "<stdin>"
    assert [i["code"] for i in document["files"][0]["issues"]] == [
        "unknown-owner",
        "missing-exit-criteria",
    ]


def test_files_arguments_win_over_process_option(files: dict[str, Path]) -> None:
    result = invoke("validate", "-p", str(files["bad"]), str(files["good"]))
    assert result.exit_code == 0


def test_process_option(files: dict[str, Path]) -> None:
    result = invoke("validate", "-p", str(files["bad"]))
    assert result.exit_code == 1
    assert str(files["bad"]) in result.stdout


QUOTA = "title: Account Executive\n    quota: {amount: 1.7e308, per: quarter}"


def test_plan_numbers_beyond_their_bounds_fail(tmp_path: Path) -> None:
    """Each of these passed `validate`, then crashed forecast, diff or analyze with exit 3."""
    text = VALID_PROCESS.replace("title: Account Executive", QUOTA).replace(
        "days: 10}", "days: 1" + "0" * 400 + "}"
    )
    path = write(tmp_path, "p.yaml", text + "assumptions: {deal_size: 1e154}\n")
    result = invoke("validate", str(path))
    assert_clean_exit(result)
    assert result.exit_code == 1
    amount = "must be at most 1,000,000,000,000,000 (10^15, the largest amount salesflow reads)"
    assert result.stdout.splitlines()[:3] == [
        f"{path}:6:21: error out-of-range: roles[0].quota.amount: {amount}, got 1.7e+308",
        f"{path}:12:39: error out-of-range: stages[0].expected.days: must be at most 36,500 "
        "(100 years), got 10000000000000000000… (401 digits)",
        f"{path}:20:26: error out-of-range: assumptions.deal_size: {amount}, got 1e+154",
    ]


def test_every_text_issue_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", VALID_PROCESS.replace("owner: ae", 'owner: "s\\ne"', 1))
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    block, summary = result.stdout.rstrip("\n").split("\n\n")
    assert all(TEXT_LINE.match(line) for line in block.splitlines()), block
    assert summary.startswith("✗ 2 errors")


# --- output safety: escape sequences from the process file never reach the terminal -----------

HOSTILE_ESCAPES = {
    "osc52": "\x1b]52;c;ZWNobyBoaQ==\x07",  # writes the clipboard
    "osc0": "\x1b]0;owned\x07",  # sets the window title
    "clear": "\x1b[2J",  # clears the screen
}


@pytest.mark.parametrize("escape", list(HOSTILE_ESCAPES.values()), ids=list(HOSTILE_ESCAPES))
@pytest.mark.parametrize("fmt", ["text", "github"])
def test_escape_sequences_in_the_process_file_do_not_reach_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, escape: str, fmt: str
) -> None:
    """In an unknown key (echoed in the message) and in a value, YAML double-quoted escapes."""
    monkeypatch.chdir(tmp_path)
    encoded = escape.encode("unicode_escape").decode()  # \x1b in a double-quoted YAML string
    (tmp_path / "p.yaml").write_text(
        f'salesflow: 1\nname: "N{encoded}"\n"bogus{encoded}\\nnext": 1\nstages: 3\n',
        encoding="utf-8",
    )
    result = invoke("validate", "p.yaml", "--format", fmt)
    assert "Traceback" not in result.output
    out = result.stdout
    assert out  # the problems are reported
    assert "\x1b" not in out and "\x07" not in out, repr(out)
    assert not any(line.startswith("next") for line in out.splitlines())
