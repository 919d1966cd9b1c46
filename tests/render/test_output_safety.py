"""The handbook with a hostile process file (docs/security.md, "Output safety"): the markdown is
parsed with markdown-it-py (CommonMark) and the names, URLs and the file name must make no link,
image, raw HTML, heading or list of their own; resource URLs are only http(s)/mailto and cannot
break out of their link; the generated-marker comment survives any file name; mermaid labels
carry no directive and no HTML."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from typer.testing import CliRunner

from salesflow.cli.app import app

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
CLEAN_ENV: dict[str, str | None] = {
    name: None
    for name in ("SALESFLOW_PROCESS", "SALESFLOW_DEALS", "SALESFLOW_HISTORY", "SALESFLOW_DEBUG")
}

HOSTILE_URLS = [
    "https://a/>) <img src=x onerror=alert(1)>",
    "https://a/\n# heading\n<script>alert(1)</script>",
    'https://a/ "t")![x](https://evil/pixel.png)',
    "https://a/`code`|cell\\>",
]
DROPPED_URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "vbscript:x",
]
NAME = "Evil [link](https://evil/x) ![i](https://evil/i.png) <img src=x onerror=alert(1)>"


def process(name: str, urls: list[str]) -> str:
    """A process whose every text field carries `name`; JSON strings are valid YAML."""
    resources = [{"title": f"{name} {i}", "url": url} for i, url in enumerate(urls)]
    document = {
        "salesflow": 1,
        "name": name,
        "description": f"{name}\n# Forged heading\n<script>alert(1)</script>",
        "roles": [{"id": "ae", "title": f"{name} AE", "responsibilities": [name]}],
        "stages": [
            {
                "id": "discovery",
                "name": f"{name} %%{{init: {{'securityLevel': 'loose'}}}}%% ```",
                "owner": "ae",
                "description": name,
                "entry_criteria": [name],
                "exit_criteria": [name, "Need\n# Forged"],
                "activities": [name],
                "resources": resources,
                "expected": {"conversion": 0.5, "days": 10},
                "aliases": [f"{name} alias"],
                "questions": [name, f"{name}\n# Forged"],
                "talk_track": f"{name}\n\n# Forged heading\n\n> quote\n\n    indented code",
                "objections": [{"objection": name, "response": f"{name}\n- item"}],
                "templates": [
                    {"title": name, "body": f"{name}\n# Forged\n> quote\n```\n    code\n1. item"}
                ],
                "required_fields": [name],
            }
        ],
        "qualification": {
            "framework": name,
            "description": name,
            "criteria": [{"name": name, "description": name, "checked_by": {"discovery": [name]}}],
        },
        "outcomes": {
            "won": {"name": f"Won {name}", "aliases": ["Won"]},
            "lost": {"name": "Lost", "aliases": ["Lost"], "reasons": [name]},
        },
    }
    return json.dumps(document, indent=2)


def onboard(tmp_path: Path, text: str, filename: str = "process.yaml", *args: str) -> str:
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["onboard", "-p", filename, "--no-data", *args], env=CLEAN_ENV)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def test_hostile_names_make_no_markup(here: Path) -> None:
    out = onboard(here, process(NAME, []))
    tokens = list(walk(MARKDOWN.parse(out)))
    assert not [t for t in tokens if t.type in ("link_open", "image", "html_inline")]
    # one HTML block: the marker comment on the first line
    assert [t.content.splitlines()[0] for t in tokens if t.type == "html_block"] == [
        out.splitlines()[0]
    ]
    headings = [t.map for t in tokens if t.type == "heading_open"]
    plain = list(walk(MARKDOWN.parse(onboard(here, process("Plain", [])))))
    assert len(headings) == len([t for t in plain if t.type == "heading_open"])
    rendered = MARKDOWN.render(out)
    assert "<script" not in rendered and "<img" not in rendered
    # the playbook's text (questions, talk track, objections, an email body) stays text: no
    # code, no fence but the flowchart's, one quote (the email) holding one paragraph per block
    assert [t.info for t in tokens if t.type == "fence"] == ["mermaid"]
    assert not [t for t in tokens if t.type == "code_block"]
    assert [t.type for t in tokens].count("blockquote_open") == 1
    assert "Forged heading" in rendered and "<h1>Forged" not in rendered


def test_hostile_resource_urls_stay_one_list_item_and_one_link_each(here: Path) -> None:
    out = onboard(here, process("Plain", HOSTILE_URLS))
    tokens = list(walk(MARKDOWN.parse(out)))
    links = [t for t in tokens if t.type == "link_open"]
    assert len(links) == len(HOSTILE_URLS)
    assert all(link.attrs["href"].startswith("https://a/") for link in links)
    assert not [t for t in tokens if t.type in ("image", "html_inline")]
    rendered = MARKDOWN.render(out)
    assert "<script" not in rendered and "<img" not in rendered and "<h1>heading" not in rendered
    lines = [line for line in out.splitlines() if "](<" in line]
    assert len(lines) == len(HOSTILE_URLS)
    assert all(re.fullmatch(r"- \[[^<>\n]*\]\(<[^<>\s]*>\)", line) for line in lines), lines


def test_unsafe_resource_urls_are_shown_without_a_link(here: Path) -> None:
    out = onboard(here, process("Plain", DROPPED_URLS))
    tokens = list(walk(MARKDOWN.parse(out)))
    assert not [t for t in tokens if t.type == "link_open"]
    for scheme in ("javascript:", "data:", "file:", "vbscript:"):
        assert scheme not in out
    for i in range(len(DROPPED_URLS)):
        assert f"- Plain {i}\n" in out


def test_html_handbook_links_only_to_safe_encoded_urls(here: Path) -> None:
    out = onboard(here, process(NAME, HOSTILE_URLS + DROPPED_URLS), "process.yaml", "-f", "html")
    hrefs = [href for href in re.findall(r'href="([^"]*)"', out) if not href.startswith("#")]
    assert len(hrefs) == len(HOSTILE_URLS)
    assert all(href.startswith("https://a/") and not re.search(r"[\s<>]", href) for href in hrefs)
    assert "<script" not in out and "<img" not in out


@pytest.mark.parametrize(
    "filename",
    ["p--><img src=x onerror=alert(1)>.yaml", "p--!><b>x.yaml", "p<!--x.yaml"],
)
def test_marker_comment_survives_any_file_name(here: Path, filename: str) -> None:
    out = onboard(here, process("Plain", []), filename)
    first = out.splitlines()[0]
    assert first.startswith("<!-- generated by salesflow from ")
    assert first.endswith("-->")
    inside = first[len("<!--") : -len("-->")]
    assert "-->" not in inside and "--!>" not in inside and "<!--" not in inside
    tokens = MARKDOWN.parse(out)
    assert tokens[0].type == "html_block" and tokens[0].content == first + "\n"
    html = onboard(here, process("Plain", []), filename, "-f", "html")
    comment = next(line for line in html.splitlines() if line.startswith("<!-- generated"))
    assert comment.count("-->") == 1 and comment.endswith("-->")
    assert "<img" not in html and "<b>x" not in html


def test_mermaid_labels_carry_no_directive_html_or_fence(here: Path) -> None:
    out = onboard(here, process(NAME, []))
    block = out.split("```mermaid\n", 1)[1].split("\n```\n", 1)[0]
    ours = block.replace("<br/>", " ").replace("-->", "").replace("-.->", "")  # the template's own
    assert "%%" not in block and "<" not in ours and ">" not in ours
    assert "```" not in block
    for line in block.splitlines()[1:]:
        if "[" in line or "(" in line:
            assert re.fullmatch(r'    \w+\(?\["[^"]*"\]\)?', line), line
