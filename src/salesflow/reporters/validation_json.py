"""`validate --format json`: the stable contract documented in docs/validate.md."""

from __future__ import annotations

import json
from typing import Any

from salesflow.model.validation import ValidationReport

SCHEMA_VERSION = 1


def render(report: ValidationReport, color: bool) -> str:
    del color
    document: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "valid": not report.failed,
        "summary": {
            "files": len(report.files),
            "errors": report.errors,
            "warnings": report.warnings,
        },
        "files": [
            {
                "file": file_report.file,
                "valid": report.passed(file_report),
                "readable": file_report.readable,
                "errors": file_report.errors,
                "warnings": file_report.warnings,
                "issues": [issue.to_dict() for issue in file_report.issues],
            }
            for file_report in report.files
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
