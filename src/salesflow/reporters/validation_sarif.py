"""`validate --format sarif`: SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from salesflow import __version__
from salesflow.diagnostics import Issue
from salesflow.model.validation import ValidationReport
from salesflow.reporters.rule_docs import help_uri, rule_doc

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(report: ValidationReport, color: bool) -> str:
    del color
    issues = [issue for file_report in report.files for issue in file_report.issues]
    codes = sorted({issue.code for issue in issues})
    run = {
        "tool": {
            "driver": {
                "name": "salesflow",
                "version": __version__,
                "rules": [_rule(code) for code in codes],
            }
        },
        "results": [_result(issue, codes.index(issue.code)) for issue in issues],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(code: str) -> dict[str, Any]:
    """A reportingDescriptor: what the code means and where it is documented. GitHub code
    scanning shows `help.text`; `helpUri` is relative to the repository root."""
    doc, uri = rule_doc(code), help_uri(code)
    return {
        "id": code,
        "name": code,
        "shortDescription": {"text": doc.short},
        "fullDescription": {"text": doc.full},
        "helpUri": uri,
        "help": {"text": f"{doc.full} See {uri}."},
    }


def _uri(file: str) -> str:
    """A relative URI reference with forward slashes, as code scanning expects."""
    return quote(PurePath(file).as_posix())


def _region(issue: Issue) -> dict[str, int]:
    region = {"startLine": issue.line}
    return {**region, "startColumn": issue.column} if issue.column else region


def _result(issue: Issue, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(issue.file)}}
    if issue.line:
        location["region"] = _region(issue)
    return {
        "ruleId": issue.code,
        "ruleIndex": rule_index,
        "level": issue.severity.value,
        "message": {"text": issue.message},
        "locations": [{"physicalLocation": location}],
    }
