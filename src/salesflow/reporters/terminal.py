"""Render rich renderables to a string for the text reports, at the width the caller asks for
(the CLI passes the terminal's; tests and golden files a fixed one), colour only when asked.

Text wraps at spaces, never inside a word (unless one word is longer than the whole line); an
amount such as "USD 1,054,253" or "≈ 43" stays on one line (`unbroken`). A table or chart that
cannot be that narrow makes the whole report wider instead of being cut.
"""

from __future__ import annotations

import io
import re

from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.text import Text

from salesflow.reporters.wrap import glue

HEIGHT = 25
MIN_WIDTH = 40  # narrower requests are laid out at this width
# Trailing spaces go, even when hidden between colour codes at the end of a line.
TRAILING_SPACE = re.compile(r"(?:\x1b\[[0-9;]*m| )+$", re.MULTILINE)
# A one-cell stand-in for a space where a line must not break (rich breaks at every Unicode
# space, the no-break ones included); it becomes a space again once the report is laid out.
NO_BREAK = "\ue000"


def unbroken(text: str) -> str:
    """`text` with no line break inside an amount (wrap.glue)."""
    return glue(text.replace(NO_BREAK, " "), NO_BREAK)


def render_to_text(parts: list[RenderableType], width: int, color: bool) -> str:
    file = io.StringIO()
    out = console(max(width, MIN_WIDTH, narrowest(parts)), color, file)
    out.print(Group(*parts))
    text = file.getvalue().replace(NO_BREAK, " ")
    return TRAILING_SPACE.sub(lambda tail: tail.group().replace(" ", ""), text)


def narrowest(parts: list[RenderableType]) -> int:
    """The width below which a table or chart among the parts would be cut or split inside a
    word. Prose does not count: a word longer than the whole line (a long path) is folded, as a
    terminal would, rather than widen every line of the report."""
    probe = console(10_000, color=False)
    laid_out = [part for part in parts if not isinstance(part, Text | str)]
    return max((Measurement.get(probe, probe.options, p).minimum for p in laid_out), default=0)


def console(width: int, color: bool, file: io.StringIO | None = None) -> Console:
    return Console(
        file=file or io.StringIO(),
        width=width,
        height=HEIGHT,  # with both set, rich ignores the terminal (even TERM=dumb)
        force_terminal=color,
        force_jupyter=False,
        force_interactive=False,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
