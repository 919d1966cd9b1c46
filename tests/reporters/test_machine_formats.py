"""The json and sarif reporters, and the registry that picks a reporter by name."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from salesflow import __version__
from salesflow.errors import InputError
from salesflow.reporters import VALIDATION_FORMATS
from salesflow.reporters.rule_docs import RULE_DOCS
from tests.reporters.reports import failing, valid, warnings


def test_registry_names() -> None:
    assert list(VALIDATION_FORMATS) == ["text", "json", "github", "sarif"]


@pytest.mark.parametrize("name", ["xml", "", "TEXT", "Json"])
def test_unknown_format(name: str) -> None:
    with pytest.raises(InputError, match="unknown format") as caught:
        VALIDATION_FORMATS.renderer(name)
    assert "choose one of: text, json, github, sarif" in str(caught.value)


@pytest.mark.parametrize("name", list(VALIDATION_FORMATS))
def test_every_renderer_ends_with_a_newline_or_is_empty(name: str) -> None:
    render = VALIDATION_FORMATS.renderer(name)
    for report in (failing(), valid(), warnings()):
        out = render(report, False)
        assert out == "" or out.endswith("\n")


def test_json() -> None:
    document = json.loads(VALIDATION_FORMATS.renderer("json")(failing(), False))
    assert document["version"] == 1
    assert document["valid"] is False
    assert document["summary"] == {"files": 3, "errors": 3, "warnings": 1}
    assert [
        (f["file"], f["valid"], f["readable"], f["errors"], f["warnings"])
        for f in document["files"]
    ] == [
        ("flows/process.yaml", False, True, 2, 1),
        ("clean.yaml", True, True, 0, 0),
        ("broken.yaml", False, False, 1, 0),
    ]
    first = document["files"][0]["issues"][0]
    assert first == {
        "file": "flows/process.yaml",
        "line": 9,
        "column": 12,
        "path": "stages[0].owner",
        "code": "unknown-owner",
        "severity": "error",
        "message": "owner 'se' is not a declared role; roles: ae",
        "details": [],
    }


def test_json_keeps_non_ascii() -> None:
    out = VALIDATION_FORMATS.renderer("json")(failing(), False)
    assert "\\u" not in out
    assert json.loads(out)


def test_json_warnings_strict_and_not() -> None:
    render = VALIDATION_FORMATS.renderer("json")
    assert json.loads(render(warnings(), False))["valid"] is True
    strict = json.loads(render(warnings(strict=True), False))
    assert strict["valid"] is False
    assert strict["files"][0]["valid"] is False


def test_sarif() -> None:
    document = json.loads(VALIDATION_FORMATS.renderer("sarif")(failing(), False))
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("salesflow", __version__)
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == sorted(set(rule_ids))
    assert set(rule_ids) == {
        "unknown-owner",
        "out-of-range",
        "missing-exit-criteria",
        "yaml-syntax",
    }
    for rule in driver["rules"]:
        doc = RULE_DOCS[rule["id"]]
        assert rule == {
            "id": rule["id"],
            "name": rule["id"],
            "shortDescription": {"text": doc.short},
            "fullDescription": {"text": doc.full},
            "helpUri": f"docs/validate.md#{rule['id']}",
            "help": {"text": f"{doc.full} See docs/validate.md#{rule['id']}."},
        }
    assert driver["rules"][-1]["shortDescription"] == {"text": "Invalid YAML"}
    results = run["results"]
    assert len(results) == 4
    for result in results:
        assert set(result) >= {"ruleId", "ruleIndex", "level", "message", "locations"}
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning"}
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert region["startColumn"] >= 1
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("unknown-owner", "error"),
        ("out-of-range", "error"),
        ("missing-exit-criteria", "warning"),
        ("yaml-syntax", "error"),
    ]
    last = results[-1]["locations"][0]["physicalLocation"]
    assert last == {
        "artifactLocation": {"uri": "broken.yaml"},
        "region": {"startLine": 2, "startColumn": 1},
    }


def test_sarif_rule_of_a_code_without_a_description() -> None:
    report = failing()
    file = report.files[0]
    odd = replace(file.issues[0], code="not-a-code")
    report = replace(report, files=[replace(file, issues=[odd])])
    document = json.loads(VALIDATION_FORMATS.renderer("sarif")(report, False))
    (rule,) = document["runs"][0]["tool"]["driver"]["rules"]
    assert rule["shortDescription"] == {"text": "salesflow finding not-a-code"}
    assert rule["helpUri"] == "docs/validate.md#finding-codes"


def test_sarif_without_issues() -> None:
    document = json.loads(VALIDATION_FORMATS.renderer("sarif")(valid(), False))
    assert document["runs"][0]["results"] == []
    assert document["runs"][0]["tool"]["driver"]["rules"] == []
