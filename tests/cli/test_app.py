"""The `salesflow` command itself: version, help, exit codes and error handling."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from salesflow import __version__
from salesflow.cli import console
from salesflow.cli.app import COMMANDS
from salesflow.cli.examples import EXAMPLES
from tests.helpers import EXAMPLE, VALID_PROCESS, assert_clean_exit, invoke


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"salesflow {__version__}\n"


def test_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("init", "validate", "schema"):
        assert command in result.stdout


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "Usage" in result.output


def test_unknown_command() -> None:
    result = invoke("frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_python_dash_m_and_exit_status() -> None:
    """The real entry point (it leaves through os._exit) keeps the exit status and output."""
    version = subprocess.run(
        [sys.executable, "-m", "salesflow", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (version.returncode, version.stdout) == (0, f"salesflow {__version__}\n")
    failing = subprocess.run(
        [sys.executable, "-m", "salesflow", "validate", "-", "--format", "json"],
        input=VALID_PROCESS.replace("owner: ae", "owner: se", 1),
        capture_output=True,
        text=True,
        check=False,
    )
    assert failing.returncode == 1
    assert '"code": "unknown-owner"' in failing.stdout
    usage = subprocess.run(
        [sys.executable, "-m", "salesflow", "validate", "--format", "xml", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert usage.returncode == 2
    assert usage.stderr.strip().startswith("salesflow: error: --format xml: choose one of")


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_internal_error_exit_3_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("salesflow.cli.validate.load_process", _boom)
    result = invoke("validate", str(EXAMPLE))
    assert_clean_exit(result)
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("salesflow: internal error: RuntimeError: boom.")
    assert "SALESFLOW_DEBUG=1" in result.stderr
    assert result.stdout == ""


def test_debug_lets_the_exception_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("salesflow.cli.validate.load_process", _boom)
    with pytest.raises(RuntimeError, match="boom"):
        invoke("validate", str(EXAMPLE), env={"SALESFLOW_DEBUG": "1"}, catch_exceptions=False)


def test_debug_other_than_1_keeps_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("salesflow.cli.validate.load_process", _boom)
    result = invoke("validate", str(EXAMPLE), env={"SALESFLOW_DEBUG": "0"})
    assert result.exit_code == 3


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("salesflow.cli.validate.load_process", interrupted)
    result = invoke("validate", str(EXAMPLE))
    assert result.exit_code == 130
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_dash_h_is_help_everywhere(command: list[str]) -> None:
    result = invoke(*command, "-h")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ")
    assert "-h, --help" in result.stdout


def test_shell_completion_completes_the_commands() -> None:
    """The console script answers bash's completion protocol with the command names."""
    environment = {**os.environ, "_SALESFLOW_COMPLETE": "complete_bash"}
    environment |= {"COMP_WORDS": "salesflow an", "COMP_CWORD": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "from salesflow.cli.entry import main; main()"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.split() == ["analyze"], done.stderr
    assert "--install-completion" in invoke("--help").stdout


@pytest.mark.parametrize(
    ("environment", "flag", "tty", "colour"),
    [
        ({}, False, True, True),
        ({}, False, False, False),
        ({"FORCE_COLOR": "1"}, False, False, True),
        ({"FORCE_COLOR": ""}, False, False, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, True, False),
        ({"FORCE_COLOR": "1"}, True, True, False),
    ],
)
def test_colour_follows_the_flag_no_color_then_force_color(
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    flag: bool,
    tty: bool,
    colour: bool,
) -> None:
    for name in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(console.sys.stdout, "isatty", lambda: tty)
    assert console.use_color(flag) is colour


def test_log_takes_no_color_and_quiet() -> None:
    result = invoke("log", "--no-color", "-q", "-p", str(EXAMPLE), "-n", "1")
    assert result.exit_code == 0, result.output


def test_every_command_has_examples_and_they_parse() -> None:
    """Each example line is a real command line: its options exist (parsing stops at the first
    unknown option, before --help)."""
    assert set(EXAMPLES) == set(COMMANDS)
    for command, lines in EXAMPLES.items():
        assert "Examples:" in invoke(command, "-h").stdout
        for line in lines:
            result = invoke(*shlex.split(line)[1:], "--help")
            assert result.exit_code == 0, (line, result.stderr)
