"""The handbook as a playbook: the markdown read as a CommonMark parser reads it (headings, lists
and their items, paragraphs in their place), the HTML's table of contents and heading ids, a
stage's questions, talk track, objections, email templates and required CRM fields, the
qualification framework tied to the exit criteria, a team's own `x-` keys in a template of its
own, and the stages below plan marked when deal data is given."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from ruamel.yaml import YAML
from typer.testing import CliRunner

from salesflow.cli.app import app
from salesflow.loader import parse_process
from salesflow.model.funnel import DealCounts, Funnel, StageMetrics
from salesflow.render.context import handbook_context
from salesflow.render.handbook import render_handbook

REPO = Path(__file__).resolve().parents[2]
PROCESS = REPO / "examples" / "process.yaml"
DEALS = REPO / "examples" / "deals.csv"
HISTORY = REPO / "examples" / "stage_history.csv"
CLEAN_ENV: dict[str, str | None] = {
    name: None
    for name in ("SALESFLOW_PROCESS", "SALESFLOW_DEALS", "SALESFLOW_HISTORY", "SALESFLOW_DEBUG")
}
NO_DATA = ("-p", str(PROCESS), "--no-data")
LIVE = ("-p", str(PROCESS), "--deals", str(DEALS), "--history", str(HISTORY))
ROLE = (*NO_DATA, "--role", "solutions_engineer")
MARKDOWN = MarkdownIt("commonmark").enable("table")

PLAYBOOK = """\
salesflow: 1
name: Playbook sales
x-slack: "#sales-floor"
roles:
  - id: ae
    title: Account Executive
    x-manager: Dana
  - id: se
    title: Solutions Engineer
stages:
  - id: discovery
    name: Discovery
    owner: ae
    x-channel: "#discovery"
    x-links: {wiki: "https://wiki.example.com/discovery"}
    exit_criteria: [Budget confirmed., Champion named]
    questions: [What does it cost you today?, Who else decides?]
    talk_track: |
      We help finance teams close the books faster.

      Most teams start with one report.
    objections:
      - {objection: Too expensive, response: Compare it with one analyst's time.}
      - {objection: No time, response: The trial takes two hours.}
    templates:
      - title: Recap
        body: |
          Hi {first name},

          What I heard:
          - the close takes 9 days
          Best
      - {title: Follow-up, url: "https://example.com/follow-up"}
      - {title: Old system, url: "javascript:alert(1)"}
    required_fields: [Amount, Close date]
    resources: [{title: Script, url: "https://example.com/script"}]
    expected: {conversion: 0.5, days: 10}
  - id: demo
    name: Demo
    owner: se
    exit_criteria: [Demo accepted]
    objections: [{objection: Show me on our data, response: That is what the trial is for.}]
    expected: {conversion: 0.6, days: 7}
qualification:
  framework: BANT
  description: How we qualify.
  criteria:
    - name: Budget
      description: Money is set aside.
      checked_by: {discovery: [budget  confirmed]}
    - name: Authority
      checked_by: {discovery: [Champion named], demo: [Demo accepted.]}
"""


def run(*args: str) -> str:
    result = CliRunner().invoke(app, ["onboard", *args], env=CLEAN_ENV)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


@functools.cache
def rendered(*args: str) -> str:
    return run(*args)


@functools.cache
def example() -> dict[str, Any]:
    document: dict[str, Any] = YAML(typ="safe").load(PROCESS.read_text(encoding="utf-8"))
    return document


@pytest.fixture
def playbook(tmp_path: Path) -> Path:
    path = tmp_path / "process.yaml"
    path.write_text(PLAYBOOK, encoding="utf-8")
    return path


# --- markdown, as a CommonMark parser reads it -----------------------------------------------


@dataclass
class Block:
    """A top-level block: a heading or paragraph (`text`), a list (`items`, each the text of
    its one paragraph) or a block quote (`text`, every line of it)."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    level: int = 0


def blocks(markdown: str) -> list[Block]:
    """The document's top-level blocks in order. A list item must hold exactly one paragraph
    and nothing else: a nested block (a list, a paragraph pulled into the item) fails here."""
    tokens = MARKDOWN.parse(markdown)
    found: list[Block] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        end = _close(tokens, index)
        if token.type == "heading_open":
            found.append(Block("heading", tokens[index + 1].content, level=int(token.tag[1])))
        elif token.type == "paragraph_open":
            found.append(Block("paragraph", tokens[index + 1].content))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            found.append(
                Block(token.type.removesuffix("_open"), items=_items(tokens[index : end + 1]))
            )
        elif token.type == "blockquote_open":
            inline = [t.content for t in tokens[index:end] if t.type == "inline"]
            found.append(Block("blockquote", "\n\n".join(inline)))
        elif token.type in ("fence", "table_open", "html_block"):
            found.append(Block(token.type.removesuffix("_open"), token.content))
        index = end + 1
    return found


def _close(tokens: list[Token], start: int) -> int:
    """The index of the token that closes the block opened at `start` (itself for a leaf)."""
    if tokens[start].nesting != 1:
        return start
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    raise AssertionError("unclosed block")


def _items(tokens: list[Token]) -> list[str]:
    items: list[str] = []
    inside = tokens[1:-1]
    for index, token in enumerate(inside):
        if token.type != "list_item_open" or token.level != 1:
            continue
        body = inside[index + 1 : _close(inside, index)]
        assert [t.type for t in body] == ["paragraph_open", "inline", "paragraph_close"], [
            t.type for t in body
        ]
        items.append(body[1].content)
    return items


def chapter(found: list[Block], heading: str) -> list[Block]:
    """The blocks after a heading, up to the next heading of the same or a higher level."""
    start = next(i for i, b in enumerate(found) if b.kind == "heading" and b.text == heading)
    level = found[start].level
    end = next(
        (
            i
            for i in range(start + 1, len(found))
            if found[i].kind == "heading" and found[i].level <= level
        ),
        len(found),
    )
    return found[start + 1 : end]


def labelled(section: list[Block], label: str) -> Block:
    """The block right after the paragraph that starts with **label**."""
    index = next(
        i for i, b in enumerate(section) if b.kind == "paragraph" and b.text.startswith(label)
    )
    return section[index + 1]


def plain(markdown_text: str) -> str:
    """Inline markdown as a reader sees it: escapes resolved, emphasis dropped."""
    html = MARKDOWN.renderInline(markdown_text)
    return re.sub(r"<[^>]+>", "", html).replace("&quot;", '"').replace("&amp;", "&")


def stage_title(number: int, stage: dict[str, Any]) -> str:
    return f"{number}. {stage['name']}"


@pytest.mark.parametrize("args", [NO_DATA, LIVE, ROLE], ids=["no-data", "live", "role"])
def test_the_markdown_handbook_has_the_headings_it_should(args: tuple[str, ...]) -> None:
    found = blocks(rendered(*args))
    process = example()
    expected = [(1, process["name"] + ": sales handbook")]
    if args == ROLE:
        expected = [(1, process["name"] + ": sales handbook for the Solutions Engineer")]
    expected += [(2, "How to use this handbook"), (2, "The process at a glance")]
    if args == LIVE:
        expected.append((2, "How the team is doing"))
    expected.append((2, "Roles"))
    expected += [(3, role["title"]) for role in process["roles"]]
    expected += [(2, "Qualification: MEDDIC"), (2, "The stages")]
    expected += [(3, stage_title(n, s)) for n, s in enumerate(process["stages"], start=1)]
    expected += [(2, "Outcomes"), (2, "Glossary")]
    assert [(b.level, plain(b.text)) for b in found if b.kind == "heading"] == expected


@pytest.mark.parametrize("args", [NO_DATA, LIVE], ids=["no-data", "live"])
def test_every_stage_chapter_has_its_lists_item_by_item(args: tuple[str, ...]) -> None:
    """Each label is followed by its own list with one item per entry of the process file; the
    resource links are one item each, and "The plan in numbers" is a paragraph after the list,
    never pulled into its last item."""
    found = blocks(rendered(*args))
    for number, stage in enumerate(example()["stages"], start=1):
        section = chapter(found, stage_title(number, stage))
        lists = {
            "**Entry criteria**": ("bullet_list", stage.get("entry_criteria", [])),
            "**Exit criteria**": ("bullet_list", stage["exit_criteria"]),
            "**Required CRM fields**": ("bullet_list", stage.get("required_fields", [])),
            "**Activities**": ("bullet_list", stage.get("activities", [])),
            "**Questions to ask**": ("ordered_list", stage.get("questions", [])),
            "**Objections and answers**": ("bullet_list", stage.get("objections", [])),
            "**Resources**": ("bullet_list", stage.get("resources", [])),
        }
        for label, (kind, entries) in lists.items():
            if not entries:
                assert not any(b.text.startswith(label) for b in section), (stage["id"], label)
                continue
            block = labelled(section, label)
            assert (block.kind, len(block.items)) == (kind, len(entries)), (stage["id"], label)
        resources = labelled(section, "**Resources**")
        assert [plain(item) for item in resources.items] == [r["title"] for r in stage["resources"]]
        assert all(item.count("](<") == 1 for item in resources.items)
        after = section[section.index(resources) + 1]
        assert after.kind == "paragraph" and after.text.startswith("**The plan in numbers:**")
        checks = labelled(section, "**Exit criteria**").items
        assert [plain(c).removeprefix("[ ] ") for c in checks] == [
            criterion + _note(stage["id"], criterion) for criterion in stage["exit_criteria"]
        ]


def _note(stage_id: str, criterion: str) -> str:
    """The qualification note the example's MEDDIC puts after an exit criterion."""
    names = [
        c["name"]
        for c in example()["qualification"]["criteria"]
        if criterion in c["checked_by"].get(stage_id, [])
    ]
    return f" (MEDDIC: {', '.join(names)})" if names else ""


def test_the_playbook_of_the_example_is_in_the_handbook() -> None:
    found = blocks(rendered(*NO_DATA))
    stages = {stage["id"]: stage for stage in example()["stages"]}
    discovery = chapter(found, "3. Discovery")
    questions = labelled(discovery, "**Questions to ask**")
    assert [plain(q) for q in questions.items] == stages["discovery"]["questions"]
    quote = labelled(discovery, "*Recap after the discovery call*")
    assert quote.kind == "blockquote"
    assert plain(quote.text.split("\n")[0]) == "Subject: Our conversation about month-end reporting"
    qualification = chapter(found, "Qualification: MEDDIC")
    criteria = next(b for b in qualification if b.kind == "bullet_list")
    assert [plain(item).split(":")[0] for item in criteria.items] == [
        c["name"] for c in example()["qualification"]["criteria"]
    ]


# --- a process with a playbook: markdown and HTML --------------------------------------------


def test_questions_talk_track_objections_templates_and_fields_in_markdown(
    playbook: Path,
) -> None:
    out = run("-p", str(playbook), "--no-data")
    found = blocks(out)
    section = chapter(found, "1. Discovery")
    assert [plain(q) for q in labelled(section, "**Questions to ask**").items] == [
        "What does it cost you today?",
        "Who else decides?",
    ]
    talk = section.index(next(b for b in section if b.text == "**Talk track**"))
    assert [b.text for b in section[talk + 1 : talk + 3]] == [
        "We help finance teams close the books faster.",
        "Most teams start with one report.",
    ]
    assert [plain(o) for o in labelled(section, "**Objections and answers**").items] == [
        "“Too expensive” — Compare it with one analyst's time.",
        "“No time” — The trial takes two hours.",
    ]
    assert labelled(section, "**Required CRM fields**").items == ["Amount", "Close date"]
    links = labelled(section, "**Email templates**")
    assert links.items == ["[Follow-up](<https://example.com/follow-up>)", "Old system"]
    quote = labelled(section, "*Recap*")
    assert quote.kind == "blockquote"
    html = MARKDOWN.render(out)
    assert (
        "<blockquote>\n<p>Hi {first name},</p>\n<p>What I heard:<br />\n"
        "- the close takes 9 days<br />\nBest</p>\n</blockquote>"
    ) in html
    assert labelled(section, "**Exit criteria**").items == [
        "[ ] Budget confirmed. *(BANT: Budget)*",
        "[ ] Champion named *(BANT: Authority)*",
    ]
    criteria = labelled(chapter(found, "Qualification: BANT"), "A deal is qualified")
    assert [plain(item) for item in criteria.items] == [
        "Budget: Money is set aside. Checked in 1. Discovery (“Budget confirmed”).",
        "Authority: checked in 1. Discovery (“Champion named”); 2. Demo (“Demo accepted”).",
    ]


def test_questions_talk_track_objections_templates_and_fields_in_html(playbook: Path) -> None:
    out = run("-p", str(playbook), "--no-data", "--format", "html")
    assert "<ol><li>What does it cost you today?</li><li>Who else decides?</li></ol>" in out
    assert (
        "<p><strong>Talk track</strong></p><p>We help finance teams close the books faster.</p>"
        "<p>Most teams start with one report.</p>"
    ) in out
    assert (
        "<dl><dt>“Too expensive”</dt><dd>Compare it with one analyst&#39;s time.</dd>"
        "<dt>“No time”</dt><dd>The trial takes two hours.</dd></dl>"
    ) in out
    assert "<ul><li>Amount</li><li>Close date</li></ul>" in out
    assert (
        '<ul><li><a href="https://example.com/follow-up">Follow-up</a></li><li>Old system</li></ul>'
    ) in out
    assert 'href="javascript:' not in out
    assert (
        '<blockquote class="template">Hi {first name},\n\nWhat I heard:\n'
        "- the close takes 9 days\nBest</blockquote>"
    ) in out
    assert '<span class="criteria">(BANT: Budget)</span>' in out
    assert (
        '<tr><td>Authority</td><td>–</td><td><ul><li><a href="#stage-discovery">1. Discovery</a>: '
        '“Champion named”</li><li><a href="#stage-demo">2. Demo</a>: “Demo accepted”</li></ul>'
        "</td></tr>"
    ) in out


# --- HTML: a table of contents, an id on every heading ---------------------------------------


class Headings(HTMLParser):
    """Every heading with its id, every `href="#..."`, and the links inside nav.toc."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str | None]] = []
        self.anchors: list[str] = []
        self.toc: list[str] = []
        self.in_toc = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append((tag, values.get("id")))
        if tag == "nav" and values.get("class") == "toc":
            self.in_toc = True
        href = values.get("href") or ""
        if tag == "a" and href.startswith("#"):
            self.anchors.append(href[1:])
            if self.in_toc:
                self.toc.append(href[1:])

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.in_toc = False


def parsed(html: str) -> Headings:
    parser = Headings()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("args", [NO_DATA, LIVE, ROLE], ids=["no-data", "live", "role"])
def test_html_headings_have_unique_ids_and_the_contents_link_to_them(
    args: tuple[str, ...],
) -> None:
    page = parsed(rendered(*args, "--format", "html"))
    ids = [identifier for _, identifier in page.headings]
    assert None not in ids and "" not in ids
    assert [i for i, count in Counter(ids).items() if count > 1] == []
    assert set(page.anchors) <= set(ids)  # every in-page link resolves
    sections = [i for tag, i in page.headings if tag in ("h2", "h3") and i != "contents"]
    assert page.toc == sections  # the contents list every section and chapter, in order
    process = example()
    assert {f"stage-{s['id']}" for s in process["stages"]} <= set(ids)
    assert {f"role-{r['id']}" for r in process["roles"]} <= set(ids)


def test_html_heading_ids_do_not_depend_on_names(playbook: Path) -> None:
    first = parsed(run("-p", str(playbook), "--no-data", "--format", "html"))
    playbook.write_text(PLAYBOOK.replace("name: Discovery", "name: Discovery call"), "utf-8")
    renamed = parsed(run("-p", str(playbook), "--no-data", "--format", "html"))
    assert first.headings == renamed.headings


# --- a team's own x- keys --------------------------------------------------------------------


def test_x_keys_are_readable_by_a_template_of_ones_own(playbook: Path, tmp_path: Path) -> None:
    directory = tmp_path / "templates"
    directory.mkdir()
    (directory / "handbook.md.j2").write_text(
        '{% extends "default/handbook.md.j2" %}\n'
        "{% block howto %}Ask in {{ process.extra['x-slack'] | md }}; "
        "managers: {{ roles | map(attribute='extra') | map(attribute='x-manager', default='-')"
        " | join(',') }}.\n\n{% endblock %}\n"
        "{% block stage %}{{ super() }}Channel: {{ stage.extra.get('x-channel', 'none') | md }}"
        " ({{ stage.extra['x-links'].wiki if 'x-links' in stage.extra else 'no wiki' }})\n\n"
        "{% endblock %}\n",
        encoding="utf-8",
    )
    out = run("-p", str(playbook), "--no-data", "--template", str(directory))
    assert "Ask in \\#sales-floor; managers: Dana,-." in out.splitlines()
    assert "Channel: \\#discovery (https://wiki.example.com/discovery)" in out.splitlines()
    assert "Channel: none (no wiki)" in out.splitlines()


# --- stages below plan, with deal data --------------------------------------------------------

BELOW = """\
salesflow: 1
name: Plans
stages:
  - {id: lead, name: Lead, exit_criteria: [Met], expected: {conversion: 0.4}}
  - {id: demo, name: Demo, exit_criteria: [Shown], expected: {conversion: 0.75}}
  - {id: proposal, name: Proposal, exit_criteria: [Sent], expected: {conversion: 0.8}}
  - {id: contract, name: Contract, exit_criteria: [Signed]}
"""


def measured(stage_id: str, conversion: float, interval: tuple[float, float]) -> StageMetrics:
    plans = {"lead": 0.4, "demo": 0.75, "proposal": 0.8, "contract": None}
    return StageMetrics(
        id=stage_id,
        name=stage_id,
        entered=100,
        advanced=0,
        lost=0,
        open=0,
        conversion=conversion,
        conversion_ci=interval,
        conversion_method="survival",
        effective_deals=100.0,
        undecided=0.0,
        naive_conversion=conversion,
        planned_conversion=plans[stage_id],
        gap_points=None,
        probability_below_plan=None,
        cumulative_conversion=None,
        win_probability=None,
        median_days=None,
        p80_days=None,
        planned_days=None,
        median_days_to_advance=None,
        median_days_to_lose=None,
        completed_stays=0,
        open_stays=0,
    )


def below_plan_handbook(fmt: str) -> str:
    """Lead above plan, Demo below it within its interval, Proposal below its whole interval,
    Contract without a plan."""
    loaded = parse_process(BELOW, "process.yaml")
    assert loaded.process is not None
    funnel = Funnel(
        deals=DealCounts(total=100, won=10, lost=80, open=10),
        win_rate=0.1,
        closed_win_rate=None,
        avg_won_amount=None,
        median_won_amount=None,
        median_cycle_days=None,
        velocity_per_day=None,
        bottleneck=None,
        stages=[
            measured("lead", 0.45, (0.35, 0.55)),
            measured("demo", 0.73, (0.63, 0.81)),
            measured("proposal", 0.63, (0.56, 0.70)),
            measured("contract", 0.5, (0.4, 0.6)),
        ],
    )
    context = handbook_context(loaded.process, "process.yaml", funnel=funnel, data_file="d.csv")
    return render_handbook(context, fmt)


def test_stages_below_plan_are_marked_in_markdown() -> None:
    out = below_plan_handbook("markdown")
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[4] for row in rows[1:]] == [
        "45%",
        "73% (below plan)",
        "63% (really below plan)",
        "50%",
    ]
    assert "    class s2 below" in out.splitlines()
    assert "    class s3 reallyBelow" in out.splitlines()
    assert '    s3["3. Proposal<br/>really below plan"]' in out.splitlines()
    found = blocks(out)
    assert chapter(found, "3. Proposal")[1].text == (
        "**Really below plan:** 63% of deals move on against the planned 80%, and the plan lies "
        "above the 95% interval (56%–70%): chance alone hardly explains the gap."
    )
    assert chapter(found, "2. Demo")[1].text == (
        "**Below plan:** 73% of deals move on against the planned 75%; the gap may still be chance."
    )
    for name in ("1. Lead", "4. Contract"):
        assert not any("below plan" in b.text.lower() for b in chapter(found, name)), name


def test_stages_below_plan_are_marked_in_html() -> None:
    out = below_plan_handbook("html")
    assert out.count('<tr class="really-below">') == 1 and out.count('<tr class="below">') == 1
    assert '<li class="below"><strong>2. Demo</strong>' in out
    assert '<p class="alert really"><strong>Really below plan:</strong> 63% of deals' in out
    assert '<p class="alert"><strong>Below plan:</strong> 73% of deals' in out


def test_without_data_nothing_is_below_plan() -> None:
    out = rendered(*NO_DATA)
    assert "(below plan)" not in out and "below plan:**" not in out.lower()
    assert "class s" not in out
