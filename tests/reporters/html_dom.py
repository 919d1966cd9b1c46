"""A small DOM for the HTML report tests, built with the standard library's html.parser: it
checks that every element is closed in order (as an HTML or XML reader would need) and lets a
test find elements, their attributes and their text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "link", "br", "img", "input", "hr", "base", "col", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def elements(self) -> Iterator[Node]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.elements()

    def find_all(self, tag: str, css: str | None = None) -> list[Node]:
        return [
            node
            for node in self.elements()
            if node.tag == tag and (css is None or css in node.attrs.get("class", "").split())
        ]

    def find(self, tag: str, css: str | None = None) -> Node:
        found = self.find_all(tag, css)
        assert found, f"no <{tag}> of class {css}"
        return found[0]

    def text(self) -> str:
        """The text inside, tooltips (<title> children of shapes) left out."""
        return "".join(
            child if isinstance(child, str) else child.text()
            for child in self.children
            if isinstance(child, str) or child.tag != "title" or self.tag in ("head", "svg")
        )

    def words(self) -> str:
        return " ".join(self.text().split())

    def tooltip(self) -> str:
        titles = [child for child in self.children if isinstance(child, Node)]
        return titles[0].text() if titles and titles[0].tag == "title" else ""

    def number(self, name: str) -> float:
        return float(self.attrs[name])


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]
        self.declarations: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    """The document; fails on an element closed out of order or left open."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    assert len(builder.stack) == 1, f"<{builder.stack[-1].tag}> is never closed"
    return builder.root


def table_rows(document: Node, caption: str) -> tuple[list[str], list[list[str]]]:
    """The header and body cells (their text) of the table with this caption."""
    for table in document.find_all("table"):
        if table.find("caption").words() == caption:
            header = [cell.words() for cell in table.find("thead").find_all("th")]
            rows = [
                [cell.words() for cell in row.children if isinstance(cell, Node)]
                for row in table.find("tbody").find_all("tr")
            ]
            return header, rows
    raise AssertionError(f"no table with the caption {caption!r}")


def chart(document: Node, title: str) -> Node:
    """The <svg> whose accessible name is `title`."""
    for svg in document.find_all("svg"):
        if svg.attrs.get("aria-label") == title:
            return svg
    raise AssertionError(f"no chart named {title!r}")
