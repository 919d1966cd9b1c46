"""The page shell of the HTML reports: one standalone file with its CSS inline, no script and
nothing fetched (a Content-Security-Policy says so to the browser too), and the blocks a report
is made of: headings, paragraphs, a list of facts, tables and figures.

Every function takes plain text and escapes it through `safety.html_text`; what it returns is
`Html`, which the others take as it is. mypy keeps the two apart, so text cannot reach the page
unescaped, nor be escaped twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NewType

from salesflow.reporters.safety import html_text

Html = NewType("Html", str)

# No script, no network, no frames: inline styles and nothing else.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CSS = """\
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1f2937;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.25rem; margin: 2.25rem 0 0.5rem; border-bottom: 1px solid #e3e6ea; }
ul.facts { padding-left: 1.2rem; }
figure { margin: 0.75rem 0; }
figcaption { color: #4b5563; font-size: 0.9rem; }
svg.chart { display: block; width: 100%; max-width: 720px; height: auto; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #1f2937; }
svg text.title { font-size: 13px; font-weight: 600; }
svg text.muted { fill: #6b7280; }
.grid { stroke: #e3e6ea; }
.axis { stroke: #6b7280; }
.measured, .median, .hist, .new-leads { fill: #2563a8; }
.plan { fill: #c9ced6; }
.below { fill: #c2410c; }
.pipeline { fill: #93b4dc; }
.whisker { stroke: #111827; stroke-width: 1.5; }
.whisker.thin { stroke-width: 0.75; }
.plan-mark { stroke: #111827; stroke-width: 3; }
.p80-mark { stroke: #7c3aed; stroke-width: 3; }
.quantile-mark { stroke: #374151; stroke-width: 1.5; stroke-dasharray: 5 3; }
.p50-mark { stroke: #111827; stroke-width: 2; }
.target-mark { stroke: #c2410c; stroke-width: 2.5; }
table { border-collapse: collapse; margin: 0.75rem 0 1.5rem; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #e3e6ea; }
thead th { text-align: left; border-bottom: 2px solid #9ca3af; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th[scope="row"] { text-align: left; font-weight: normal; }
.note { color: #4b5563; }
.flag { color: #c2410c; font-weight: 600; }
@media print { body { background: #fff; } main { padding: 0; } }
"""


def page(title: str, blocks: Sequence[Html]) -> str:
    """The whole document: the title as <title> and <h1>, then the blocks."""
    head = "\n".join(
        [
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="salesflow">',
            f"<title>{html_text(title)}</title>",
            f"<style>\n{CSS}</style>",
        ]
    )
    body = "\n".join([f"<h1>{html_text(title)}</h1>", *blocks])
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n{head}\n</head>\n'
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def heading(text: str) -> Html:
    return Html(f"<h2>{html_text(text)}</h2>")


def paragraph(text: str, css_class: str | None = None) -> Html:
    attribute = f' class="{css_class}"' if css_class else ""
    return Html(f"<p{attribute}>{html_text(text)}</p>")


def facts(items: Sequence[tuple[str, str]]) -> Html:
    """A list of "Label: value" lines."""
    lines = [
        f"<li><strong>{html_text(label)}:</strong> {html_text(value)}</li>"
        for label, value in items
    ]
    return Html('<ul class="facts">\n' + "\n".join(lines) + "\n</ul>")


def table(
    caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]], text_columns: int = 1
) -> Html:
    """A table whose first column heads each row; the first `text_columns` columns are text,
    the rest numbers (right-aligned)."""

    def kind(index: int) -> str:
        return "" if index < text_columns else ' class="num"'

    head = "".join(
        f'<th scope="col"{kind(index)}>{html_text(name)}</th>' for index, name in enumerate(headers)
    )
    lines = [
        f"<caption>{html_text(caption)}</caption>",
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
    ]
    for row in rows:
        first, *rest = row
        cells = "".join(
            f"<td{kind(index)}>{html_text(cell)}</td>" for index, cell in enumerate(rest, start=1)
        )
        lines.append(f'<tr><th scope="row">{html_text(first)}</th>{cells}</tr>')
    return Html("<table>\n" + "\n".join([*lines, "</tbody>"]) + "\n</table>")


def figure(
    title: str,
    chart: Html,
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
) -> Html:
    """A chart under its heading, a sentence on how to read it, and its numbers as a table
    (`headers` and `rows` as for `table`)."""
    return Html(
        "\n".join(
            [
                "<section>",
                heading(title),
                "<figure>",
                chart,
                f"<figcaption>{html_text(caption)}</figcaption>",
                "</figure>",
                table(f"{title}, in numbers", headers, rows),
                "</section>",
            ]
        )
    )
