"""The jinja2 environment: sandboxed, strict about undefined names, with the filters the
templates need. A user's template directory comes first; the defaults stay reachable as
`default/handbook.md.j2`, so a user template can extend them."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|])")
TILDES = re.compile(r"~{2,}")  # strikethrough or a code fence; a single ~ is plain text
LEADING_SIGN = re.compile(r"^(\s*)([#>+\-=])")
LEADING_NUMBER = re.compile(r"^(\s*\d+)([.)])")


def environment(template_dir: Path | None, html: bool) -> SandboxedEnvironment:
    defaults = PackageLoader("salesflow.render", "templates")
    loaders = [FileSystemLoader(template_dir)] if template_dir else []
    loader = ChoiceLoader([*loaders, PrefixLoader({"default": defaults}), defaults])
    env = SandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=markdown_text,
        cell=table_cell,
        percent=percent,
        days=days,
        money=money,
        mermaid=mermaid_label,
        signed=signed_points,
        sentences=sentences,
    )
    return env


def markdown_text(text: object) -> str:
    """Text from the process file, escaped where markdown would misread it."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", str(text).replace("\n", " "))
    escaped = TILDES.sub(lambda run: "\\~" * len(run.group()), escaped)
    escaped = LEADING_SIGN.sub(r"\1\\\2", escaped)
    return LEADING_NUMBER.sub(r"\1\\\2", escaped)


def table_cell(text: object) -> str:
    return markdown_text(text)


def mermaid_label(text: object) -> str:
    return str(text).replace('"', "#quot;").replace("\n", " ")


def percent(share: object) -> str:
    if not isinstance(share, int | float):
        return "–"
    return f"{share * 100:.1f}%" if share < 0.1 else f"{share * 100:.0f}%"


def days(value: object) -> str:
    if not isinstance(value, int | float):
        return "–"
    if float(value).is_integer() or value >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}"


def money(value: object, currency: str = "") -> str:
    if not isinstance(value, int | float):
        return "–"
    return f"{currency} {value:,.0f}".strip()


def signed_points(value: object) -> str:
    if not isinstance(value, int | float):
        return "–"
    return f"{value:+.1f}"


def sentences(items: object) -> str:
    """Items joined as one sentence: "A; B." (each item's own full stop dropped)."""
    if not isinstance(items, list | tuple):
        return "–"
    parts = [str(item).rstrip().rstrip(".") for item in items]
    return "; ".join(parts) + "." if parts else "–"
