"""Typed errors. Core code raises these; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesflow.diagnostics import Issue

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class SalesflowError(Exception):
    """Base of every error a user can cause. The message is one line, ready to print."""

    exit_code = EXIT_INPUT


class InputError(SalesflowError):
    """A file, option or value the user gave us cannot be used."""


class ConfigError(InputError):
    """A configuration file (salesflow.toml, pyproject.toml) is unreadable or wrong."""


class ProcessFileError(InputError):
    """The process file cannot be parsed at all (missing, not UTF-8, bad YAML, too large)."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.render())
        self.issue = issue


class OutputError(InputError):
    """We refuse to write where the user pointed us (an existing file without --force)."""


class DataError(InputError):
    """Deal data cannot be used: a missing file or column, labels that map to no stage."""
