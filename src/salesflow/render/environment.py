"""The jinja2 environment: sandboxed, strict about undefined names, with the filters the
templates need. A user's template directory comes first; the defaults stay reachable as
`default/handbook.md.j2`, so a user template can extend them.

A user's template directory is confined (see docs/security.md, "Templates"): it must not itself
be a symbolic link, and every template loaded from it is resolved (all links followed) and
refused unless the real file is a regular file inside the real directory, so that a link in
the directory cannot bring in `/proc/self/environ`, `~/.ssh` or any other file outside it.
The escaping filters are those of `salesflow.reporters.safety`, shared with every report."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateNotFound,
)
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from salesflow.errors import InputError
from salesflow.reporters import safety

MAX_TEMPLATE_BYTES = 1_000_000
BLANK_LINE = re.compile(r"\n[ \t]*\n")


class TemplateOutsideDirectory(InputError):
    """A template (or the template directory) leads outside the template directory."""


class ConfinedLoader(BaseLoader):
    """Templates from one directory, and only from it once every symbolic link is followed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.root = confined_root(directory)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        pieces = split_template_path(template)  # refuses `..`, like FileSystemLoader
        path = self.root.joinpath(*pieces)
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, a dangling link or a loop of links
            raise TemplateNotFound(template) from None
        if not real.is_relative_to(self.root):
            raise TemplateOutsideDirectory(
                f"{self.directory}: template {template} leads outside the template directory "
                f"(to {real}); links out of it are refused"
            )
        info = real.stat()
        if not stat.S_ISREG(info.st_mode):
            raise TemplateOutsideDirectory(
                f"{self.directory}: template {template} is not a regular file"
            )
        if info.st_size > MAX_TEMPLATE_BYTES:
            raise TemplateOutsideDirectory(
                f"{self.directory}: template {template} is larger than {MAX_TEMPLATE_BYTES:,} bytes"
            )
        source = real.read_text(encoding="utf-8")
        mtime = info.st_mtime

        def uptodate() -> bool:
            try:
                return real.stat().st_mtime == mtime
            except OSError:
                return False

        return source, str(real), uptodate


def confined_root(directory: Path) -> Path:
    """The real path of a template directory, which must be a directory and not itself a link
    (a link could make `/` or `/proc` the directory; links above it are followed)."""
    if directory.is_symlink():
        raise TemplateOutsideDirectory(
            f"{directory}: the template directory is a symbolic link; give the directory it "
            "points to instead"
        )
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    return directory.resolve(strict=True)


def environment(template_dir: Path | None, html: bool) -> SandboxedEnvironment:
    defaults = PackageLoader("salesflow.render", "templates")
    loaders: list[BaseLoader] = [ConfinedLoader(template_dir)] if template_dir else []
    loader = ChoiceLoader([*loaders, PrefixLoader({"default": defaults}), defaults])
    env = SandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=terminal_safe,
    )
    env.filters.update(
        md=markdown_text,
        cell=table_cell,
        url=safety.safe_url,
        comment=comment if html else safety.comment_text,
        percent=percent,
        days=days,
        money=money,
        mermaid=mermaid_label,
        signed=signed_points,
        sentences=sentences,
        paragraphs=paragraphs,
        quote=markdown_quote,
    )
    return env


def terminal_safe(value: object) -> object:
    """Every text a template prints, before any escaping: no escape sequence or control
    character from the process file reaches the handbook, and through it a terminal (HTML
    escaping leaves them as they are). Markup is the filters' own output, already safe."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return safety.terminal_text(value)
    return value


def markdown_text(text: object) -> str:
    """Text from the process file, escaped where markdown would misread it."""
    return safety.md_text(text)


def table_cell(text: object) -> str:
    return safety.md_text(text)


def mermaid_label(text: object) -> str:
    return safety.mermaid_label(text)


def comment(text: object) -> Markup:
    """The marker comment's text in HTML: escaped once by `safety.comment_text`, not again."""
    return Markup(safety.comment_text(text))


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


def paragraphs(text: object) -> list[str]:
    """Text split at its blank lines, each paragraph on one line: a talk track written over
    several paragraphs keeps them."""
    blocks = BLANK_LINE.split(str(text).strip()) if text else []
    return [" ".join(block.split()) for block in blocks if block.strip()]


def markdown_quote(text: object) -> str:
    """Text as a markdown block quote that keeps its line breaks (an email template): each line
    escaped like `md`, lines joined by hard breaks (a final backslash), blank lines kept as
    paragraph breaks. Nothing in the text can end the quote or become markup."""
    paragraphs_lines: list[list[str]] = [[]]
    for line in str(text).strip().splitlines():
        escaped = safety.md_text(line)
        if escaped:
            paragraphs_lines[-1].append(escaped)
        elif paragraphs_lines[-1]:
            paragraphs_lines.append([])
    quoted = ["> " + "\\\n> ".join(lines) for lines in paragraphs_lines if lines]
    return "\n>\n".join(quoted)
