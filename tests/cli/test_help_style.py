"""One CLI style: UPPERCASE placeholders in every help, typer's own range and choice checks, and
every usage error on one line (cli/usage.py)."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from typer.core import TyperArgument
from typer.main import get_command

from salesflow.cli import backtest, options
from salesflow.cli.app import COMMANDS, app
from salesflow.model.process import Preset
from salesflow.reporters import (
    ANALYZE_FORMATS,
    BACKTEST_FORMATS,
    DIFF_FORMATS,
    FORECAST_FORMATS,
    IMPACT_FORMATS,
    VALIDATION_FORMATS,
)
from salesflow.sources.options import Unmapped
from salesflow.sources.parse import NUMBER_FORMATS
from tests.helpers import EXAMPLE, assert_clean_exit, invoke

FOREIGN_PLACEHOLDERS = re.compile(r"<str>|<int>|<float>|<list|<path>|<bool>|\{")
METAVAR = re.compile(r"[A-Z][A-Z0-9_]*(?:[=|.][A-Z][A-Z0-9_]*)*")  # FILE, KEY=COLUMN, FILE|URL
COLUMNS = {"COLUMNS": "100"}


def help_text(*command: str) -> str:
    result = invoke(*command, "--help", env=COLUMNS)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_no_typer_placeholders_in_any_help(command: list[str]) -> None:
    text = help_text(*command)
    assert FOREIGN_PLACEHOLDERS.findall(text) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_value_placeholder_is_an_uppercase_metavar(name: str) -> None:
    command = get_command(app).commands[name]  # type: ignore[attr-defined]
    for param in command.params:
        if getattr(param, "is_flag", False) or param.name == "help":
            continue
        assert param.metavar is not None, f"{name} {param.opts}: no metavar"
        assert METAVAR.fullmatch(param.metavar), f"{name} {param.opts}: {param.metavar}"


def test_arguments_show_their_metavar_alone() -> None:
    text = help_text("diff")
    assert text.startswith("Usage: salesflow diff [OPTIONS] A [B]\n")
    assert "\n  A  The old version" in text
    assert "\n  B  The new version" in text
    validate = help_text("validate")
    assert validate.startswith("Usage: salesflow validate [OPTIONS] [FILE]...\n")
    assert "\n  FILE...  Process files to check" in validate


def test_every_argument_has_a_metavar() -> None:
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        for param in command.params:
            if isinstance(param, TyperArgument):
                assert param.metavar and param.metavar.isupper(), (name, param.name)


def test_the_format_choices_are_the_reporters() -> None:
    assert get_args(options.ValidationFormat) == VALIDATION_FORMATS.names
    assert get_args(options.AnalyzeFormat) == ANALYZE_FORMATS.names
    assert get_args(options.ForecastFormat) == FORECAST_FORMATS.names
    assert get_args(options.BacktestFormat) == BACKTEST_FORMATS.names
    assert get_args(options.DiffFormat) == DIFF_FORMATS.names
    assert get_args(options.ImpactFormat) == IMPACT_FORMATS.names


def test_the_data_choices_are_the_models() -> None:
    assert get_args(options.Unmapped) == tuple(member.value for member in Unmapped)
    assert get_args(options.Preset) == get_args(Preset)
    assert get_args(options.NumberFormat) == tuple(NUMBER_FORMATS)
    assert get_args(backtest.Period) == tuple(backtest.PERIODS)


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["forecast", "--leads", "5", "--sims", "5"], "--sims 5: must be 100 or more"),
        (["forecast", "--sims", "20000000"], "--sims 20000000: must be at most 10,000,000"),
        (["forecast", "--leads", "-1"], "--leads -1: must be 0 or more"),
        (["forecast", "--leads", "5", "--horizon", "0"], "--horizon 0: must be 1 or more"),
        (["forecast", "--horizon", "121"], "--horizon 121: must be at most 120"),
        (["forecast", "--leads-per-month", "-2"], "--leads-per-month -2: must be 0 or more"),
        (["forecast", "--seed", "-1"], "--seed -1: must be 0 or more"),
        (["forecast", "--leads", "ten"], "--leads ten: expected a whole number"),
        (["forecast", "--timeout", "0"], "--timeout 0: must be 0.001 or more"),
        (["forecast", "--timeout", "soon"], "--timeout soon: expected a number"),
        (
            ["forecast", "-f", "xml"],
            f"--format xml: choose one of {', '.join(FORECAST_FORMATS.names)}",
        ),
        (["backtest", "--horizon", "25"], "--horizon 25: must be at most 24"),
        (["backtest", "--sims", "99"], "--sims 99: must be 100 or more"),
        (["backtest", "--seed", "-5"], "--seed -5: must be 0 or more"),
        (
            ["backtest", "--seed", str(2**63)],
            f"--seed {2**63}: must be at most {2**63 - 1:,}",
        ),
        (["backtest", "--every", "week"], "--every week: choose one of month, quarter, half, year"),
        (["diff", "v1", "--leads", "-5"], "--leads -5: must be 0 or more"),
        (
            ["diff", "v1", "--leads", "1" + "0" * 5000],  # all 5,000 digits were repeated
            "--leads 10000000000000000000…: must be at most 1,000,000,000,000",
        ),
        (["forecast", "--sims", " "], "--sims ' ': expected a whole number"),
        (
            ["diff", "v1", "--fail-on", "error"],
            "--fail-on error: choose one of breaking, warning, info, none",
        ),
        (["diff", "v1", "--format", "xml"], "--format xml: choose one of text, json, markdown"),
        (["log", "-n", "0"], "--limit 0: must be 1 or more"),
        (["log", "--format", "markdown"], "--format markdown: choose one of text, json"),
        (["onboard", "--format", "pdf"], "--format pdf: choose one of markdown, html"),
        (["onboard", "--format", ""], "--format '': choose one of markdown, html"),
        (
            ["validate", "--format", "xml"],
            "--format xml: choose one of text, json, github, sarif",
        ),
        (
            ["analyze", "--format", "XML"],
            f"--format XML: choose one of {', '.join(ANALYZE_FORMATS.names)}",
        ),
        (["analyze", "--unmapped", "skip"], "--unmapped skip: choose one of error, ignore"),
        (
            ["analyze", "--preset", "zoho"],
            "--preset zoho: choose one of hubspot, salesforce, pipedrive",
        ),
        (
            ["analyze", "--number-format", "1.234.56"],
            "--number-format 1.234.56: choose one of 1,234.56, 1.234,56, 1 234,56, 1'234.56",
        ),
        (["impact", "-f", "html"], "--format html: choose one of text, json, markdown"),
        (["init", "--crm", "zoho"], "--crm zoho: choose one of hubspot, salesforce, pipedrive"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_flag(arguments: list[str], line: str) -> None:
    result = invoke(*arguments)
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"salesflow: error: {line}\n"


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (["frobnicate"], "No such command 'frobnicate'; see `salesflow -h`"),
        (["diff"], "Missing argument 'A'; see `salesflow diff -h`"),
        (
            ["validate", "--frobnicate"],
            "No such option: --frobnicate (Possible options: --format, --strict); "
            "see `salesflow validate -h`",
        ),
        (
            ["schema", "extra"],
            "Got unexpected extra argument(s) (extra); see `salesflow schema -h`",
        ),
        (
            ["forecast", "--sims"],
            "Option '--sims' requires an argument; see `salesflow forecast -h`",
        ),
    ],
)
def test_other_usage_errors_are_one_line_with_the_help_to_read(
    arguments: list[str], line: str
) -> None:
    result = invoke(*arguments)
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert result.stderr == f"salesflow: error: {line}\n"


def test_salesflow_alone_still_prints_the_help() -> None:
    result = invoke(env=COLUMNS)
    assert result.output.startswith("Usage: salesflow [OPTIONS] COMMAND [ARGS]...")
    assert "Commands:" in result.output


def test_a_value_in_range_is_accepted() -> None:
    """The bounds themselves pass (typer's ranges are closed)."""
    arguments = ["--leads", "0", "--sims", "100", "--seed", "0", "--horizon", "1"]
    result = invoke("forecast", "-p", str(EXAMPLE), "--plan", *arguments, "-f", "json")
    assert result.exit_code == 0, result.stderr


def test_completion_offers_the_choices() -> None:
    words = {"COMP_WORDS": "salesflow diff -f ", "COMP_CWORD": "3"}
    result = invoke(env={"_SALESFLOW_COMPLETE": "complete_bash", **words})
    assert result.stdout.split() == list(DIFF_FORMATS.names)
