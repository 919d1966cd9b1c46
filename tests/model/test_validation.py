"""FileReport and ValidationReport: counts, strictness, readability."""

from __future__ import annotations

from salesflow.diagnostics import Issue, Severity
from salesflow.model.validation import FileReport, ValidationReport

ERROR = Issue("a.yaml", 1, 1, "", "unknown-owner", Severity.ERROR, "e")
WARNING = Issue("a.yaml", 2, 1, "", "probability-order", Severity.WARNING, "w")


def test_counts() -> None:
    report = FileReport("a.yaml", [ERROR, WARNING, WARNING])
    assert (report.errors, report.warnings, report.readable) == (1, 2, True)
    both = ValidationReport([report, FileReport("b.yaml", [ERROR])])
    assert (both.errors, both.warnings) == (2, 2)


def test_empty_report_passes() -> None:
    report = ValidationReport([FileReport("a.yaml")])
    assert not report.failed
    assert not report.unreadable
    assert report.passed(report.files[0])


def test_warnings_pass_unless_strict() -> None:
    file_report = FileReport("a.yaml", [WARNING])
    assert ValidationReport([file_report]).passed(file_report)
    assert not ValidationReport([file_report]).failed
    strict = ValidationReport([file_report], strict=True)
    assert not strict.passed(file_report)
    assert strict.failed


def test_one_failing_file_fails_the_report() -> None:
    report = ValidationReport([FileReport("ok.yaml"), FileReport("a.yaml", [ERROR])])
    assert report.failed
    assert [report.passed(f) for f in report.files] == [True, False]


def test_unreadable() -> None:
    report = ValidationReport([FileReport("ok.yaml"), FileReport("a.yaml", [ERROR], False)])
    assert report.unreadable
    assert report.failed
