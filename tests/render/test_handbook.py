"""The rendered handbook: golden files for examples/process.yaml (without data, with the bundled
deals and stage history, for one role, as HTML; `pytest --update-golden` rewrites them), and the
properties every handbook keeps: all of the process is in it, the markdown and the mermaid block
are well formed, and text from the process file cannot turn into markup."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape
from ruamel.yaml import YAML
from typer.testing import CliRunner

from salesflow.cli.app import app
from salesflow.render.context import MARKER
from salesflow.render.environment import markdown_text

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PROCESS = EXAMPLES / "process.yaml"
DEALS = EXAMPLES / "deals.csv"
HISTORY = EXAMPLES / "stage_history.csv"
CLEAN_ENV: dict[str, str | None] = {
    name: None
    for name in ("SALESFLOW_PROCESS", "SALESFLOW_DEALS", "SALESFLOW_HISTORY", "SALESFLOW_DEBUG")
}

NO_DATA = ("-p", str(PROCESS), "--no-data")
LIVE = ("-p", str(PROCESS), "--deals", str(DEALS), "--history", str(HISTORY))
ROLE = (*NO_DATA, "--role", "solutions_engineer")
HTML = (*LIVE, "--format", "html")

# CommonMark plus tables, the way GitHub reads a handbook (task lists stay "[ ] ..." text).
MARKDOWN = MarkdownIt("commonmark").enable("table")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def run(*args: str) -> str:
    """`salesflow onboard ARGS`, which must succeed quietly: the handbook on stdout."""
    result = CliRunner().invoke(app, ["onboard", *args], env=CLEAN_ENV)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.output
    return result.stdout


@functools.cache
def rendered(*args: str) -> str:
    """The example handbooks are rendered once per test session."""
    return run(*args)


@functools.cache
def example() -> dict[str, Any]:
    document: dict[str, Any] = YAML(typ="safe").load(PROCESS.read_text(encoding="utf-8"))
    return document


def render_process(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "process.yaml"
    path.write_text(text, encoding="utf-8")
    return run("-p", str(path), "--no-data", *args)


# --- helpers that read markdown the way a renderer does ----------------------------------------


def plain_text(markdown: str) -> str:
    """All the text a reader sees, whitespace collapsed (markup and escapes resolved)."""
    parts: list[str] = []

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.children:
                walk(token.children)
            elif token.type in ("text", "code_inline"):
                parts.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        parts.append(" ")

    walk(MARKDOWN.parse(markdown))
    return re.sub(r"\s+", " ", "".join(parts))


def tables(markdown: str) -> list[list[str]]:
    """The runs of lines that start with `|` (outside fenced blocks)."""
    found: list[list[str]] = [[]]
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("|"):
            found[-1].append(line)
        elif found[-1]:
            found.append([])
    return [table for table in found if table]


def cell_counts(table: list[str]) -> set[int]:
    return {len(UNESCAPED_PIPE.split(line.strip())) - 2 for line in table}


def mermaid_block(markdown: str) -> list[str]:
    lines = markdown.splitlines()
    start = lines.index("```mermaid")
    end = lines.index("```", start + 1)
    return lines[start : end + 1]


QUALIFICATION_NOTE = re.compile(r" \*\([^()]*: [^()]*\)\*$")


def checklist(markdown: str) -> list[str]:
    """The exit criteria as written, without the qualification note (`*(MEDDIC: Champion)*`)."""
    return [
        QUALIFICATION_NOTE.sub("", line[len("- [ ] ") :])
        for line in markdown.splitlines()
        if line.startswith("- [ ] ")
    ]


def section(markdown: str, heading: str) -> str:
    """The text from a `### heading` line to the next heading of level 3 or above."""
    lines = markdown.splitlines()
    start = lines.index(heading)
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"#{1,3} ", lines[i])), len(lines)
    )
    return "\n".join(lines[start:end])


# --- golden files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("handbook.md", NO_DATA),
        ("handbook_live.md", LIVE),
        ("handbook_solutions_engineer.md", ROLE),
        ("handbook.html", HTML),
    ],
    ids=["no-data", "live", "role", "html"],
)
def test_golden(name: str, args: tuple[str, ...], golden: Callable[[str, str], None]) -> None:
    golden(name, rendered(*args))


@pytest.mark.parametrize(
    "args", [NO_DATA, LIVE, ROLE, HTML], ids=["no-data", "live", "role", "html"]
)
def test_marker_and_one_final_newline(args: tuple[str, ...]) -> None:
    out = rendered(*args)
    assert MARKER in out.splitlines()[0] + out.splitlines()[1]
    assert f"{MARKER} from process.yaml" in out
    assert out.endswith("\n") and not out.endswith("\n\n")
    assert "\r" not in out
    assert "\n\n\n" not in out


def test_live_numbers_are_only_in_the_live_handbook() -> None:
    assert "What the team achieves" not in rendered(*NO_DATA)
    assert "How the team is doing" not in rendered(*NO_DATA)
    live = rendered(*LIVE)
    assert live.count("**What the team achieves:**") == len(example()["stages"])
    assert re.search(
        r"^From deals\.csv: 2,000 deals, win rate \d+\.?\d?%, median sales cycle \d+ days\.$",
        live,
        re.M,
    )
    # On the example data every stage is at or near its plan: no stage is clearly below it.
    assert "No stage is clearly below plan." in live.splitlines()
    assert "Bottleneck" not in section(live, "## How the team is doing")
    assert "| Actual conversion | Actual median days |" in live


# Proposal converts at about 63% on the example data: planned at 80%, it is clearly below plan.
PROPOSAL_PLAN = "expected: {conversion: 0.60, days: 10}"


@pytest.fixture
def demanding_plan(tmp_path: Path) -> Path:
    text = PROCESS.read_text(encoding="utf-8")
    assert text.count(PROPOSAL_PLAN) == 1
    path = tmp_path / "process.yaml"
    path.write_text(text.replace(PROPOSAL_PLAN, "expected: {conversion: 0.80, days: 10}"))
    return path


def test_live_bottleneck_only_for_a_stage_clearly_below_plan(demanding_plan: Path) -> None:
    data = ("--deals", str(DEALS), "--history", str(HISTORY))
    live = run("-p", str(demanding_plan), *data)
    assert re.search(
        r"^\*\*Bottleneck: Proposal\.\*\* Reaching the planned conversion there would add about "
        r"\d+\.\d wins \(USD [\d,]+\)\. This is where your effort pays most\.$",
        section(live, "## How the team is doing"),
        re.M,
    )
    assert "No stage is clearly below plan." not in live
    html = run("-p", str(demanding_plan), *data, "--format", "html")
    assert "<p><strong>Bottleneck: Proposal.</strong> Reaching the planned conversion" in html
    assert "No stage is clearly below plan." not in html


@pytest.mark.parametrize("args", [NO_DATA, HTML], ids=["markdown", "html"])
def test_glossary_explains_the_estimates(args: tuple[str, ...]) -> None:
    text = plain_text(rendered(*args)) if args == NO_DATA else rendered(*args)
    for words in (
        "The chance that a deal entering a stage moves on to the next one; deals still open in "
        "the stage count as unfinished, not as failures.",
        "The chance that a new deal is eventually won: the product of the stage conversions.",
        "A stage clearly below its planned conversion, where reaching the plan would add the "
        "most won revenue.",
    ):
        assert words in text
    assert "Won deals divided by all closed" not in text


# --- everything in the process is in the handbook --------------------------------------------


@pytest.mark.parametrize("args", [NO_DATA, LIVE], ids=["no-data", "live"])
def test_every_stage_criterion_and_role_appears(args: tuple[str, ...]) -> None:
    out = rendered(*args)
    text = plain_text(out)
    process = example()
    items = checklist(out)
    for stage in process["stages"]:
        assert re.search(rf"^### \d+\. {re.escape(markdown_text(stage['name']))}$", out, re.M)
        assert stage["name"] in text
        for criterion in stage["exit_criteria"]:
            assert markdown_text(criterion) in items, criterion
            assert criterion in text
        for item in stage.get("entry_criteria", []) + stage.get("activities", []):
            assert item in text
        for resource in stage.get("resources", []):
            assert f"[{markdown_text(resource['title'])}](<{resource['url']}>)" in out
    assert len(items) == sum(len(stage["exit_criteria"]) for stage in process["stages"])
    for role in process["roles"]:
        assert f"### {markdown_text(role['title'])}" in out.splitlines()
        for duty in role["responsibilities"]:
            assert duty in text
    outcomes = process["outcomes"]
    for reason in outcomes["lost"]["reasons"]:
        assert f"- {markdown_text(reason)}" in out.splitlines()
    for name in (outcomes["won"]["name"], outcomes["lost"]["name"]):
        assert f"- **{name}**" in out


def test_sections_in_order() -> None:
    headings = [line for line in rendered(*LIVE).splitlines() if line.startswith("## ")]
    assert headings == [
        "## How to use this handbook",
        "## The process at a glance",
        "## How the team is doing",
        "## Roles",
        "## Qualification: MEDDIC",
        "## The stages",
        "## Outcomes",
        "## Glossary",
    ]
    title = rendered(*NO_DATA).splitlines()[1]
    assert title == f"# {example()['name']}: sales handbook"


# --- one role ---------------------------------------------------------------------------------


def test_role_handbook_has_its_stages_in_full_and_the_others_summarised() -> None:
    out = rendered(*ROLE)
    stages = example()["stages"]
    own = [s for s in stages if s["owner"] == "solutions_engineer"]
    others = [s for s in stages if s["owner"] != "solutions_engineer"]
    assert own and others
    assert out.splitlines()[1].endswith("sales handbook for the Solutions Engineer")
    items = checklist(out)
    assert items == [markdown_text(c) for s in own for c in s["exit_criteria"]]
    for number, stage in enumerate(stages, start=1):
        chapter = section(out, f"### {number}. {markdown_text(stage['name'])}")
        if stage in own:
            assert "**Exit criteria** (the definition of done)" in chapter
            assert "**The plan in numbers:**" in chapter
            for item in stage.get("entry_criteria", []) + stage.get("activities", []):
                assert markdown_text(item) in chapter
        else:
            assert "- [ ]" not in chapter
            assert "**Entry criteria**" not in chapter
            assert chapter.splitlines()[2].startswith("Owned by ")
            assert "Done when: " in chapter
            for criterion in stage["exit_criteria"]:
                assert markdown_text(criterion).rstrip(".") in chapter
    # The overview stays complete: every stage in the mermaid block and the table.
    assert len([line for line in mermaid_block(out) if re.match(r"\s+s\d+\[", line)]) == len(stages)
    assert len(tables(out)[0]) == len(stages) + 2


def test_role_summary_has_no_doubled_punctuation() -> None:
    out = rendered(*ROLE)
    summaries = [line for line in out.splitlines() if line.startswith("Owned by ")]
    assert summaries
    for line in summaries:
        assert ".;" not in line and not line.endswith(".."), line


# --- well-formed markdown -------------------------------------------------------------------


@pytest.mark.parametrize("args", [NO_DATA, LIVE, ROLE], ids=["no-data", "live", "role"])
def test_mermaid_block_is_well_formed(args: tuple[str, ...]) -> None:
    """Each stage a node naming its owner, the road to won, a dotted exit from every stage to
    lost; with data, the stages below plan in a class of their own."""
    out = rendered(*args)
    assert out.count("```mermaid") == 1
    block = mermaid_block(out)
    stages = example()["stages"]
    titles = {role["id"]: role["title"] for role in example()["roles"]}
    outcomes = example()["outcomes"]
    assert block[0] == "```mermaid"
    assert block[1] == "flowchart LR"
    assert block[-1] == "```"
    body = [line.strip() for line in block[2:-1]]
    nodes = [line for line in body if "->" not in line and not line.startswith("class")]
    below = " below plan" if args == LIVE else ""  # Negotiation: 73% against a plan of 75%
    expected_nodes = [
        f's{n}["{n}. {stage["name"]}<br/>{titles[stage["owner"]]}'
        + (f"<br/>{below.strip()}" if below and stage["id"] == "negotiation" else "")
        + '"]'
        for n, stage in enumerate(stages, start=1)
    ] + [f'won(["{outcomes["won"]["name"]}"])', f'lost(["{outcomes["lost"]["name"]}"])']
    assert nodes == expected_nodes
    ids = [f"s{n}" for n in range(1, len(stages) + 1)]
    assert [line for line in body if "-->" in line] == [
        f"{a} --> {b}" for a, b in itertools.pairwise([*ids, "won"])
    ]
    assert [line for line in body if "-.->" in line] == [f"{a} -.-> lost" for a in ids]
    classes = [line for line in body if line.startswith("class")]
    if args == LIVE:
        assert classes == [
            "classDef below stroke:#b45309,stroke-width:3px",
            f"class s{len(stages)} below",
        ]
    else:
        assert classes == []
    for node in nodes:  # every label quoted, no quote inside it
        label = re.fullmatch(r'\w+\(?\["(.*)"\]\)?', node)
        assert label and '"' not in label.group(1), node


@pytest.mark.parametrize("args", [NO_DATA, LIVE, ROLE], ids=["no-data", "live", "role"])
def test_tables_have_a_constant_number_of_cells(args: tuple[str, ...]) -> None:
    out = rendered(*args)
    found = tables(out)
    assert len(found) == 1
    table = found[0]
    assert cell_counts(table) == {6 if args == LIVE else 4}
    assert re.fullmatch(r"\|(---:?\|)+", table[1])
    tokens = [t.type for t in MARKDOWN.parse(out)]
    assert tokens.count("table_open") == 1
    assert tokens.count("tr_open") == len(example()["stages"]) + 1


@pytest.mark.parametrize("args", [NO_DATA, LIVE], ids=["no-data", "live"])
def test_every_resource_is_its_own_list_item(args: tuple[str, ...]) -> None:
    out = rendered(*args)
    resources = [
        r
        for stage in example()["stages"]
        for r in [*stage.get("resources", []), *stage.get("templates", [])]
        if "url" in r
    ]
    assert resources
    lines = [line for line in out.splitlines() if "](<" in line]
    assert len(lines) == len(resources)
    assert all(re.fullmatch(r"- \[[^<>]*\]\(<[^<>]*>\)", line) for line in lines), lines
    tokens = MARKDOWN.parse(out)
    links = [
        child
        for token in tokens
        if token.children
        for child in token.children
        if child.type == "link_open"
    ]
    assert len(links) == len(resources)
    starts = [i for i, t in enumerate(tokens) if t.type == "paragraph_open"]
    plans = [i for i in starts if tokens[i + 1].content.startswith("**The plan in numbers:**")]
    assert len(plans) == len(example()["stages"])
    assert all(tokens[i].level == 0 for i in plans)  # a paragraph, not inside a list item


def test_fences_are_balanced_and_nothing_else_is_fenced() -> None:
    out = rendered(*LIVE)
    fences = [line for line in out.splitlines() if line.startswith(("```", "~~~"))]
    assert fences == ["```mermaid", "```"]
    blocks = [t for t in MARKDOWN.parse(out) if t.type in ("fence", "code_block")]
    assert [(b.type, b.info) for b in blocks] == [("fence", "mermaid")]


# --- text from the process file cannot become markup -----------------------------------------

AWKWARD = """\
salesflow: 1
name: "Pipes | Co"
currency: EUR
description: "# Not a heading, just a sentence"
roles:
  - id: ae
    title: "Account | Executive"
    responsibilities: ["Runs *demos* and _trials_", "> not a quote"]
stages:
  - id: discovery
    name: "Discovery | Call"
    owner: ae
    description: "# Discovery starts with a hash"
    exit_criteria: ["Need confirmed", "# Budget known", "- not a nested item", "[ ] not a box"]
    expected: {conversion: 0.6, days: 10}
    aliases: ["Qualified *star*", "Discovery_Call"]
  - id: demo
    name: 'Demo "live" <script>alert(1)</script>'
    owner: ae
    exit_criteria: ["Demo accepted | in writing", "`code` and <b>tags</b>"]
    expected: {conversion: 0.5, days: 7}
    resources: [{title: "Play[book]", url: "https://example.com/a_b"}]
outcomes:
  won: {name: "Won | signed", aliases: [Won]}
  lost: {name: Closed Lost, aliases: [Lost], reasons: ["# No budget", "*Price*"]}
"""


@pytest.fixture
def awkward(tmp_path: Path) -> str:
    return render_process(tmp_path, AWKWARD)


def test_pipes_in_table_cells_are_escaped(awkward: str) -> None:
    table = tables(awkward)[0]
    assert cell_counts(table) == {4}
    assert "| 1. Discovery \\| Call | Account \\| Executive |" in awkward
    html = MARKDOWN.render(awkward)
    assert "<td>1. Discovery | Call</td>" in html
    assert "<td>Account | Executive</td>" in html


def test_leading_hash_is_not_a_heading(awkward: str) -> None:
    headings = [
        MARKDOWN.parse(awkward)[i + 1].content
        for i, t in enumerate(MARKDOWN.parse(awkward))
        if t.type == "heading_open"
    ]
    assert not any("Not a heading" in h or "starts with a hash" in h for h in headings)
    assert "\\# Not a heading, just a sentence" in awkward.splitlines()
    assert "\\# Discovery starts with a hash" in awkward.splitlines()
    assert "- [ ] \\# Budget known" in awkward.splitlines()
    assert "- \\# No budget" in awkward.splitlines()
    text = plain_text(awkward)
    for raw in ("# Not a heading, just a sentence", "# Discovery starts with a hash", "# Budget"):
        assert raw in text


def test_emphasis_characters_stay_literal(awkward: str) -> None:
    assert "Qualified \\*star\\*" in awkward
    assert "Discovery\\_Call" in awkward
    html = MARKDOWN.render(awkward)
    assert "<em>" not in html
    assert "<strong>star" not in html
    text = plain_text(awkward)
    for raw in ("Qualified *star*", "Discovery_Call", "Runs *demos* and _trials_", "*Price*"):
        assert raw in text


def test_no_quote_list_code_or_html_from_process_text(awkward: str) -> None:
    types = {t.type for t in MARKDOWN.parse(awkward)}
    assert "blockquote_open" not in types
    html_blocks = [t.content for t in MARKDOWN.parse(awkward) if t.type == "html_block"]
    assert len(html_blocks) == 1 and html_blocks[0].startswith(f"<!-- {MARKER} from ")
    inline = [c.type for t in MARKDOWN.parse(awkward) if t.children for c in t.children]
    assert "html_inline" not in inline
    assert "code_inline" not in inline
    text = plain_text(awkward)
    for raw in (
        "> not a quote",
        "- not a nested item",
        "[ ] not a box",
        "`code` and <b>tags</b>",
        "Demo accepted | in writing",
        "<script>alert(1)</script>",
    ):
        assert raw in text, raw
    outside_mermaid = awkward.replace("\n".join(mermaid_block(awkward)), "")
    assert "<script>" not in outside_mermaid
    assert "\\<script\\>" in outside_mermaid


def test_mermaid_labels_survive_quotes_and_pipes(awkward: str) -> None:
    block = mermaid_block(awkward)
    assert block[:2] == ["```mermaid", "flowchart LR"]
    assert '    s1["1. Discovery | Call<br/>Account | Executive"]' in block
    # no HTML of the process's in a label: mermaid would render it (htmlLabels)
    assert (
        '    s2["2. Demo #quot;live#quot; #lt;script#gt;alert(1)#lt;/script#gt;'
        '<br/>Account | Executive"]'
    ) in block
    assert '    won(["Won | signed"])' in block
    assert [line.strip() for line in block if "-->" in line] == ["s1 --> s2", "s2 --> won"]


def test_resource_links_keep_the_url(awkward: str) -> None:
    assert "- [Play\\[book\\]](<https://example.com/a_b>)" in awkward.splitlines()
    assert '<a href="https://example.com/a_b">Play[book]</a>' in MARKDOWN.render(awkward)


@pytest.mark.parametrize("description", ["1. Qualify first", "1) Qualify first", "~~~ Qualify"])
def test_leading_list_number_or_fence_stays_text(tmp_path: Path, description: str) -> None:
    process = AWKWARD.replace('"# Discovery starts with a hash"', f'"{description}"')
    out = render_process(tmp_path, process)
    tokens = MARKDOWN.parse(out)
    assert "ordered_list_open" not in [t.type for t in tokens]
    assert [(t.type, t.info) for t in tokens if t.type == "fence"] == [("fence", "mermaid")]
    text = plain_text(out)
    assert f" {description} " in text
    assert f"\\{description}" not in text


# --- HTML -------------------------------------------------------------------------------------


def test_html_is_standalone_and_printable() -> None:
    out = rendered(*HTML)
    assert out.startswith("<!DOCTYPE html>\n")
    assert f"<!-- {MARKER} from process.yaml" in out
    assert "<style>" in out and "@media print" in out
    assert out.rstrip().endswith("</html>")
    for tag in re.findall(r"<link\b[^>]*>|<script\b[^>]*>", out, re.I):
        assert "http" not in tag, tag
    assert not re.search(r"<(img|iframe|object|embed)\b", out, re.I)
    assert "@import" not in out and "url(" not in out


def test_html_has_every_stage_criterion_and_role() -> None:
    out = rendered(*HTML)
    process = example()
    for stage in process["stages"]:
        assert f". {escape_html(stage['name'])}</h3>" in out
        for criterion in stage["exit_criteria"]:
            assert f"<li>{escape_html(criterion)}</li>" in out or (
                f"<li>{escape_html(criterion)} <span class=" in out
            )
    for role in process["roles"]:
        assert f'<h3 id="role-{role["id"]}">{role["title"]}</h3>' in out
        for duty in role["responsibilities"]:
            assert f"<li>{escape_html(duty)}</li>" in out
    assert out.count("<strong>What the team achieves:</strong>") == len(process["stages"])
    assert "<p>No stage is clearly below plan.</p>" in out
    assert "<strong>Bottleneck: " not in out


def test_html_escapes_text_from_the_process(tmp_path: Path) -> None:
    out = render_process(tmp_path, AWKWARD, "--format", "html")
    assert "<script" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;b&gt;tags&lt;/b&gt;" in out
    assert "Demo &#34;live&#34;" in out or "Demo &quot;live&quot;" in out
    assert "<title>Pipes | Co: sales handbook</title>" in out


def test_html_links_only_to_safe_urls(tmp_path: Path) -> None:
    process = AWKWARD.replace("https://example.com/a_b", "javascript:alert(1)")
    path = tmp_path / "process.yaml"
    path.write_text(process, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["onboard", "-p", str(path), "--no-data", "--format", "html"], env=CLEAN_ENV
    )
    assert 'href="javascript:' not in result.stdout


def escape_html(text: str) -> str:
    return str(escape(text))


CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize("output", ["markdown", "html"])
def test_no_escape_sequence_or_control_from_the_process_reaches_the_handbook(
    tmp_path: Path, output: str
) -> None:
    """A clipboard write (OSC 52), a screen clear, a carriage return and a bidi override in
    names: shown as U+FFFD, so neither printing the handbook nor `cat` of it runs them."""
    text = (
        "salesflow: 1\n"
        'name: "Acme \\e]52;c;cHduZWQ=\\a\\e[2J\\rX"\n'
        "stages:\n"
        '  - id: a\n    name: "A \\u202eevil \\e[31mred"\n    exit_criteria: [x]\n'
    )
    handbook = render_process(tmp_path, text, "--format", output)
    assert not CONTROLS.search(handbook)
    assert "Acme \ufffd" in handbook and "\ufffdevil" in handbook
