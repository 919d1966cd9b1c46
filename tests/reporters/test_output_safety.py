"""Output safety (docs/security.md, "Output safety"): text from process files, deal data and git
history is written harmlessly in every format. `salesflow.reporters.safety` is checked on its
own, then every report that shows names is fed hostile ones: markdown is parsed with a CommonMark
parser (markdown-it-py) and must contain no link, image, raw HTML, heading or code that the
input made; text reports must contain no control character but the line feed (and no line the
input started); CSV cells must not start a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from salesflow.diagnostics import Issue, RowDetail, Severity
from salesflow.model.backtest import Backtest, BacktestPoint
from salesflow.model.diff import Change, Level, ProcessDiff
from salesflow.model.forecast import Distribution, Forecast
from salesflow.model.funnel import FunnelReport
from salesflow.model.validation import FileReport, ValidationReport
from salesflow.reporters import (
    ANALYZE_FORMATS,
    BACKTEST_FORMATS,
    DIFF_FORMATS,
    FORECAST_FORMATS,
    VALIDATION_FORMATS,
    safety,
)
from tests.reporters.test_analyze_reporters import report as analyze_report
from tests.reporters.test_forecast_reporters import forecast as forecast_report

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])

# Names an attacker would put in a process file, a data file or a commit subject.
HOSTILE_NAMES = [
    "[click](https://evil.example/steal)",
    "![x](https://evil.example/pixel.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "# Forged heading",
    "Name\n# Forged heading\n<script>alert(1)</script>",
    "> quoted\n- item\n1. item",
    "`code` and ```fence",
    "*emph* __strong__ ~~strike~~ ~one~",
    "| forged | cell |",
    "<https://evil.example/autolink>",
    "&lt;img src=x&gt; &#60;b&#62;",
    "= 1+1",
    "-- not a comment -->",
]
ESCAPES = [
    "\x1b]52;c;ZWNobyBoaQ==\x07",  # OSC 52: write the clipboard
    "\x1b]0;owned title\x07",  # OSC 0: the window title
    "\x1b[2J\x1b[H",  # clear the screen, cursor home
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink, ST-terminated
    "\x9b31m",  # 8-bit CSI
    "\x1bc",  # reset the terminal
    "\r\x1b[Kforged",  # overwrite the line
    "\u202eevil\u202c",  # bidirectional override
]
ALLOWED_CONTROLS = {"\n"}


def controls(text: str) -> set[str]:
    """The control characters of a text (C0, DEL, C1, bidi overrides) other than a line feed."""
    return {c for c in safety.CONTROL.findall(text) + re.findall(r"[\t\r]", text)} - {"\n"}


def walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


def markup(text: str) -> dict[str, int]:
    """How many of each kind of token the markdown has (inline tokens included)."""
    counts: dict[str, int] = {}
    for token in walk(MARKDOWN.parse(text)):
        counts[token.type] = counts.get(token.type, 0) + 1
    return counts


# --- the module itself -----------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_md_text_is_one_plain_paragraph(name: str) -> None:
    escaped = safety.md_text(name)
    assert "\n" not in escaped
    tokens = MARKDOWN.parse(escaped)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    kinds = {t.type for t in walk(tokens)} - {"paragraph_open", "inline", "paragraph_close"}
    assert kinds <= {"text", "softbreak"}, kinds
    shown = "".join(t.content for t in walk(tokens) if t.type == "text")
    assert shown == " ".join(name.split())  # the reader sees the text as it was written


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_md_text_in_a_table_cell_stays_in_its_cell(name: str) -> None:
    table = f"| a | b |\n|---|---|\n| {safety.md_text(name)} | x |\n"
    tokens = MARKDOWN.parse(table)
    cells = [t for t in tokens if t.type == "td_open"]
    assert len(cells) == 2
    assert not {"link_open", "image", "html_inline", "code_inline"} & set(markup(table))


@pytest.mark.parametrize(
    "url",
    [
        "https://a/>) <img src=x onerror=alert(1)>",
        "https://a/\n# heading\n<script>alert(1)</script>",
        'https://a/ "title")![x](https://evil/pixel.png',
        "https://a/b\\>c`d|e",
        "mailto:someone@example.com?subject=<b>hi</b>\n",
    ],
)
def test_hostile_url_stays_one_link(url: str) -> None:
    safe = safety.safe_url(url)
    assert safe is not None
    assert not re.search(r"[\s<>()\"'`\\|]", safe.replace("'", "")), safe
    for text in (f"- [title](<{safe}>)\n", f"- [title]({safe})\n"):
        counts = markup(text)
        assert counts.get("link_open") == 1, text
        assert not {"image", "html_inline", "html_block", "heading_open"} & set(counts), text
        link = next(t for t in walk(MARKDOWN.parse(text)) if t.type == "link_open")
        assert link.attrs["href"].split(":")[0] in ("https", "mailto")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/x",
        "relative/path.md",
        "https:evil",
        "https://",
        "",
    ],
)
def test_other_urls_are_dropped(url: str) -> None:
    assert safety.safe_url(url) is None


def test_safe_url_keeps_an_ordinary_url() -> None:
    url = "https://wiki.example.com/sales/icp?a=1&b=2#part"
    assert safety.safe_url(url) == url
    assert safety.safe_url("HTTPS://Example.com/%41") == "https://Example.com/%41"


@pytest.mark.parametrize("escape", ESCAPES)
def test_terminal_text_keeps_no_escape_sequence(escape: str) -> None:
    text = safety.terminal_text(f"name {escape} end\nsecond")
    assert not controls(text)
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert text.endswith(" end\nsecond")
    line = safety.terminal_line(f"name {escape} end\nsecond")
    assert "\n" not in line and not controls(line)


def test_terminal_escape_sequence_leaves_no_visible_remains() -> None:
    assert safety.terminal_line("a\x1b[2Jb") == "a\ufffdb"
    assert safety.terminal_line("a\x1b]0;title\x07b") == "a\ufffdb"
    assert safety.terminal_line("a\tb\r\nc") == "a b c"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("https://evil","x")', '\'=HYPERLINK("https://evil","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\ufffd=1"),
        ("-3.3", "'-3.3"),  # text that looks like a number is still text
        ("Discovery", "Discovery"),
        (-3.3, "-3.3"),  # a number we computed stays a number
        (-12, "-12"),
        (0.25, "0.25"),
        (None, ""),
    ],
)
def test_csv_cell(value: str | float | None, written: str) -> None:
    assert safety.csv_cell(value) == written


@pytest.mark.parametrize(
    "label",
    [
        '%%{init: {"securityLevel": "loose"}}%%',
        "<img src=x onerror=alert(1)>",
        'a"] --> evil["b',
        "```\n# out of the fence",
        "#quot;#lt;b#gt;",
    ],
)
def test_mermaid_label(label: str) -> None:
    safe = safety.mermaid_label(label)
    assert not re.search(r"[\"<>%`\n]", safe), safe
    assert "#" not in safe.replace("#35;", "").replace("#quot;", "").replace("#lt;", "").replace(
        "#gt;", ""
    ).replace("#37;", "").replace("#96;", "").replace("#amp;", "")


@pytest.mark.parametrize(
    "name", ["p--><img src=x onerror=alert(1)>.yaml", "a--!>b", "<!--x", "x\n-->\n<b>", "---->"]
)
def test_comment_text_cannot_end_the_comment(name: str) -> None:
    inside = safety.comment_text(name)
    comment = f"<!-- generated by salesflow from {inside}: edit -->\nafter\n"
    assert "-->" not in inside and "--!>" not in inside and "<!--" not in inside
    assert "\n" not in inside and "--" not in inside
    tokens = MARKDOWN.parse(comment)
    assert tokens[0].type == "html_block"
    assert tokens[0].content == comment.split("after")[0]


def test_html_text() -> None:
    assert (
        safety.html_text('<a href="x">\'&\x1b[2J')
        == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;\ufffd"
    )


# --- every report ----------------------------------------------------------------------------


def hostile_analyze(name: str) -> FunnelReport:
    base = analyze_report(groups=True)
    stages = [s.model_copy(update={"name": f"{name} {s.name}"}) for s in base.funnel.stages]
    funnel = base.funnel.model_copy(update={"stages": stages})
    groups = [g.model_copy(update={"key": f"{name}{i}"}) for i, g in enumerate(base.groups)]
    return base.model_copy(
        update={
            "process": name,
            "source": name,
            "by": name,
            "funnel": funnel,
            "groups": groups,
            "notes": [name],
        }
    )


def hostile_forecast(name: str) -> Forecast:
    base = forecast_report()
    stages = [s.model_copy(update={"name": f"{name} {s.name}"}) for s in base.stages]
    return base.model_copy(update={"process": name, "stages": stages, "notes": [name]})


def hostile_backtest(name: str) -> Backtest:
    point = BacktestPoint(
        cutoff="2024-01-01",
        status="scored",
        closed_deals=40,
        won_deals=10,
        leads=100,
        forecast=Distribution(mean=10.0, p10=5.0, p50=10.0, p90=15.0),
        actual=-3.3,
        mature=True,
        error=0.1,
        inside=True,
        baseline=None,
    )
    return Backtest(
        process=name,
        currency="USD",
        horizon_months=3,
        data_end="2024-12-31",
        maturity_days=90.0,
        points=[point],
        scored=1,
        mape=0.1,
        bias=0.1,
        coverage=1.0,
        baseline_mape=0.2,
        notes=[name],
    )


def hostile_diff(name: str) -> ProcessDiff:
    change = Change(
        kind="renamed",
        severity=Level.INFO,
        stage=name,
        path="stages.name",
        before="a",
        after=name,
        message=f"name: 'a' → '{name}'",
    )
    return ProcessDiff(before=f"HEAD:{name}", after=name, changes=[change])


def hostile_validation(name: str) -> ValidationReport:
    issue = Issue(
        f"{name}.yaml",
        2,
        1,
        "stages",
        "bad-value",
        Severity.ERROR,
        f"expected text, got {name}",
        (RowDetail(3, f"deal_id {name}"),),
    )
    return ValidationReport([FileReport(issue.file, [issue])])


MARKDOWN_REPORTS = {
    "analyze": lambda name: ANALYZE_FORMATS.renderer("markdown")(hostile_analyze(name), False),
    "forecast": lambda name: FORECAST_FORMATS.renderer("markdown")(hostile_forecast(name), False),
    "backtest": lambda name: BACKTEST_FORMATS.renderer("markdown")(hostile_backtest(name), False),
    "diff": lambda name: DIFF_FORMATS.renderer("markdown")(hostile_diff(name), False),
}
TEXT_REPORTS = {
    "analyze": lambda name: ANALYZE_FORMATS.renderer("text")(hostile_analyze(name), False),
    "forecast": lambda name: FORECAST_FORMATS.renderer("text")(hostile_forecast(name), False),
    "backtest": lambda name: BACKTEST_FORMATS.renderer("text")(hostile_backtest(name), False),
    "diff": lambda name: DIFF_FORMATS.renderer("text")(hostile_diff(name), False),
    "validate": lambda name: VALIDATION_FORMATS.renderer("text")(hostile_validation(name), False),
    "validate-color": lambda name: VALIDATION_FORMATS.renderer("text")(
        hostile_validation(name), True
    ),
}


@pytest.mark.parametrize("kind", list(MARKDOWN_REPORTS))
def test_markdown_reports_make_no_markup_from_names(kind: str) -> None:
    """The same report with a plain name and with each hostile one has the same structure: the
    names make no link, image, HTML, heading, list, code or table cell of their own."""
    plain = markup(MARKDOWN_REPORTS[kind]("Plain"))
    structural = {k: v for k, v in plain.items() if k not in ("text", "softbreak")}
    for name in HOSTILE_NAMES:
        out = MARKDOWN_REPORTS[kind](name)
        counts = markup(out)
        assert not {"link_open", "image", "html_inline", "html_block"} & set(counts), (name, out)
        got = {k: v for k, v in counts.items() if k not in ("text", "softbreak")}
        assert got == structural, (name, out)


@pytest.mark.parametrize("kind", list(TEXT_REPORTS))
@pytest.mark.parametrize("escape", ESCAPES)
def test_text_reports_send_no_escape_sequence_to_the_terminal(kind: str, escape: str) -> None:
    out = TEXT_REPORTS[kind](f"Name{escape}")
    if kind.endswith("color"):
        out = re.sub(r"\x1b\[[0-9;]*m", "", out)  # our own colours only
    assert not controls(out), (kind, repr(out))
    assert "\x1b" not in out and "\x07" not in out


@pytest.mark.parametrize("kind", ["validate", "validate-color", "diff"])
def test_text_reports_start_no_line_from_a_name(kind: str) -> None:
    """A name with line breaks cannot forge a line (a `::error` workflow command, a fake
    finding) in the line-based text reports. (The rich tables of analyze, forecast and backtest
    wrap long names onto continuation lines of their cell, which is not a forged line.)"""
    out = TEXT_REPORTS[kind]("x\n::error file=forged.yaml::forged\r\nFORGED line")
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert not any(line.startswith(("::error", "FORGED")) for line in out.splitlines()), out


def test_github_annotations_cannot_be_forged_by_a_cell() -> None:
    out = VALIDATION_FORMATS.renderer("github")(
        hostile_validation("x\n::error file=forged.yaml::forged\x1b]52;c;AA\x07"), False
    )
    lines = out.splitlines()
    assert len(lines) == 2  # the issue and its one row
    assert all(line.startswith("::error file=") for line in lines)
    for line in lines:  # the properties end where ours do: the name cannot end them early
        properties = line[2 : line.index("::", 2)]
        assert properties.endswith("title=salesflow bad-value"), line
    assert not controls(out)


def test_analyze_csv_neutralises_formulas_but_not_numbers() -> None:
    base = analyze_report(groups=True)
    stages = [
        s.model_copy(update={"name": name, "id": f"s{i}"})
        for i, (s, name) in enumerate(
            zip(base.funnel.stages, ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)"], strict=False)
        )
    ]
    funnel = base.funnel.model_copy(update={"stages": stages})
    groups = [base.groups[0].model_copy(update={"key": '=HYPERLINK("x")'}), *base.groups[1:]]
    hostile = base.model_copy(update={"funnel": funnel, "groups": groups})
    out = ANALYZE_FORMATS.renderer("csv")(hostile, False)
    rows = list(csv.DictReader(io.StringIO(out)))
    names = {row["stage_name"] for row in rows}
    assert {"'=cmd|' /C calc'!A0", "'+1", "'-2", "'@SUM(A1)"} <= names
    assert '\'=HYPERLINK("x")' in {row["group"] for row in rows}
    for row in rows:
        for field, value in row.items():
            assert not value.startswith(safety.FORMULA_START) or _is_number(value), (field, value)
    gaps = [row["gap_points"] for row in rows if row["gap_points"].startswith("-")]
    assert gaps and all(_is_number(gap) for gap in gaps)  # negative numbers stay numbers


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
