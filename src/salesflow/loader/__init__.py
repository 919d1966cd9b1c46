"""Load a process file: parse YAML with positions, validate, and report every problem at once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pydantic import ValidationError

from salesflow.diagnostics import Issue, Severity
from salesflow.errors import ProcessFileError
from salesflow.loader.positions import Locator
from salesflow.loader.reader import STDIN, read_text
from salesflow.loader.schema_errors import findings_from_errors, format_path, yaml_text
from salesflow.loader.tree import Document, parse_yaml
from salesflow.model import FORMAT_VERSION, Process
from salesflow.model.checks import Finding, check_document

__all__ = ["STDIN", "LoadedProcess", "load_process", "parse_process"]

PLUGINS_ENV = "PYDANTIC_DISABLE_PLUGINS"


@dataclass(frozen=True)
class LoadedProcess:
    """The validated process (None when it has errors) and every issue found."""

    file: str
    process: Process | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if not issue.is_error]


def load_process(source: str, display_name: str | None = None) -> LoadedProcess:
    """Read and check the process file at `source` (`-` for stdin).

    Raises ProcessFileError when the file cannot be read or parsed as YAML at all.
    """
    name = display_name or ("<stdin>" if source == STDIN else source)
    return parse_process(read_text(source, name), name)


def parse_process(text: str, file: str) -> LoadedProcess:
    document = parse_yaml(text, file)
    if not isinstance(document.data, dict):
        raise _not_a_mapping(document)
    findings = _version_findings(document.data)
    if findings:
        return LoadedProcess(file, None, _positioned(document, findings))
    process, schema_findings = _validate(document.data)
    issues = _positioned(document, [*schema_findings, *check_document(document.data)])
    has_errors = any(issue.is_error for issue in issues)
    return LoadedProcess(file, None if has_errors else process, issues)


def _validate(data: dict[str, object]) -> tuple[Process | None, list[Finding]]:
    try:
        with _without_pydantic_plugins():
            return Process.model_validate(data), []
    except ValidationError as error:
        return None, findings_from_errors(error.errors(include_url=False))


@contextmanager
def _without_pydantic_plugins() -> Iterator[None]:
    """Skip pydantic's plugin discovery (a scan of every installed package's entry points,
    about 10 ms) when the model's validator is first built; typer does the same for its own."""
    previous = os.environ.get(PLUGINS_ENV)
    os.environ[PLUGINS_ENV] = "__all__"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[PLUGINS_ENV]
        else:
            os.environ[PLUGINS_ENV] = previous


def _version_findings(data: dict[str, object]) -> list[Finding]:
    if "salesflow" not in data:
        return []  # the schema reports the missing key
    version = data["salesflow"]
    if type(version) is int and version == FORMAT_VERSION:
        return []
    return [
        Finding(
            ("salesflow",),
            "unsupported-version",
            Severity.ERROR,
            f"format version {yaml_text(version)} is not supported; this salesflow reads version "
            f"{FORMAT_VERSION}",
        )
    ]


def _positioned(document: Document, findings: list[Finding]) -> list[Issue]:
    issues = []
    locator = Locator(document.root)
    for finding in findings:
        at = locator.locate(finding.path, finding.at_key)
        issues.append(
            Issue(
                document.file,
                at.line,
                at.column,
                format_path(finding.path),
                finding.code,
                finding.severity,
                _one_line(finding.message),
            )
        )
    return sorted(issues, key=lambda issue: (issue.line, issue.column, issue.code))


def _one_line(message: str) -> str:
    """Values quoted in a message may hold line breaks; an issue is always one line."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


def _not_a_mapping(document: Document) -> ProcessFileError:
    """A document that is a list or a single value (`null` too: an empty one is refused by
    parse_yaml)."""
    kind = "a list" if isinstance(document.data, list) else "a single value"
    return ProcessFileError(
        Issue(
            document.file,
            1,
            1,
            "",
            "not-a-mapping",
            Severity.ERROR,
            f"the document is {kind}; a process file is a mapping that starts with `salesflow: 1`",
        )
    )
