"""Every code salesflow reports has a SARIF rule description and a heading in docs/validate.md."""

from __future__ import annotations

import re

import pytest

from salesflow.reporters.rule_docs import CODES_ANCHOR, HELP_PAGE, RULE_DOCS, help_uri, rule_doc
from tests.helpers import ALL_CODES, REPO

SOURCE = REPO / "src" / "salesflow"
THIS_TABLE = SOURCE / "reporters" / "rule_docs.py"
# The modules that make the data codes of `validate --deals`: every quoted kebab-case string in
# them is a code.
DATA_CODE_MODULES = [SOURCE / "sources" / "problems.py", SOURCE / "sources/remote/problems.py"]
VALIDATE_DOC = REPO / HELP_PAGE

QUOTED_KEBAB = re.compile(r"[\"'](?P<code>[a-z][a-z0-9]*(?:-[a-z0-9]+)+)[\"']")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def data_codes() -> set[str]:
    return {
        match["code"]
        for path in DATA_CODE_MODULES
        for match in QUOTED_KEBAB.finditer(path.read_text(encoding="utf-8"))
    }


def sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading title, lines up to the next heading) for every heading outside code fences."""
    found: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in text.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else HEADING.match(line)
        if heading:
            found.append((heading["title"], []))
        elif found:
            found[-1][1].append(line)
    return found


def github_slug(title: str) -> str:
    """A heading's id as GitHub makes it: lower case, punctuation (markup too) dropped except
    hyphens and underscores, each space a hyphen."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def heading_ids(text: str) -> set[str]:
    """Every heading id of a page; GitHub suffixes a repeated id with -1, -2, ..."""
    ids: set[str] = set()
    seen: dict[str, int] = {}
    for title, _ in sections(text):
        slug = github_slug(title)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        ids.add(f"{slug}-{count}" if count else slug)
    return ids


def test_github_slug() -> None:
    assert github_slug("`--format sarif`") == "--format-sarif"
    assert github_slug("`files[].issues[]`") == "filesissues"
    assert github_slug("Which file is checked by default") == "which-file-is-checked-by-default"
    assert heading_ids("# A\n## A\n```\n# B\n```\n") == {"a", "a-1"}


def test_the_data_codes_are_found() -> None:
    codes = data_codes()
    assert {"unmapped-label", "bad-date", "unmatched-join", "missing-id"} <= codes
    assert len(codes) == 18


def test_every_code_salesflow_reports_has_a_rule_and_no_other() -> None:
    assert sorted(set(RULE_DOCS) ^ (ALL_CODES | data_codes())) == []


def test_every_described_code_is_still_made_somewhere_else_in_the_source() -> None:
    others = [
        path.read_text(encoding="utf-8") for path in SOURCE.rglob("*.py") if path != THIS_TABLE
    ]
    stale = [
        code
        for code in RULE_DOCS
        if not any(f'"{code}"' in text or f"'{code}'" in text for text in others)
    ]
    assert stale == []


@pytest.mark.parametrize("code", sorted(RULE_DOCS))
def test_descriptions_fit_code_scanning(code: str) -> None:
    doc = RULE_DOCS[code]
    assert doc.short and "\n" not in doc.short and not doc.short.endswith(".")
    assert len(doc.short) <= 60
    assert doc.full.endswith(".") and len(doc.full) <= 1024  # GitHub's limit


@pytest.mark.parametrize("code", sorted(RULE_DOCS))
def test_help_uri_is_a_heading_of_the_doc_with_the_same_text(code: str) -> None:
    page, _, anchor = help_uri(code).partition("#")
    assert (page, anchor) == (HELP_PAGE, code)
    text = VALIDATE_DOC.read_text(encoding="utf-8")
    assert anchor in heading_ids(text)
    (body,) = [lines for title, lines in sections(text) if title == f"`{code}`"]
    doc = RULE_DOCS[code]
    assert " ".join(line for line in body if line.strip()) == f"**{doc.short}.** {doc.full}"


def test_an_unknown_code_gets_a_generic_rule_and_the_list_of_codes() -> None:
    assert help_uri("no-such-code") == f"{HELP_PAGE}#{CODES_ANCHOR}"
    assert CODES_ANCHOR in heading_ids(VALIDATE_DOC.read_text(encoding="utf-8"))
    assert rule_doc("no-such-code").short == "salesflow finding no-such-code"
    assert rule_doc("unknown-owner") is RULE_DOCS["unknown-owner"]
