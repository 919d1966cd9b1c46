"""Render rich renderables to a string for the text reports: a fixed width (output does not depend
on the terminal and can be compared with golden files), colour only when asked."""

from __future__ import annotations

import io
import re

from rich.console import Console, Group, RenderableType

HEIGHT = 25
# Trailing spaces go, even when hidden between colour codes at the end of a line.
TRAILING_SPACE = re.compile(r"(?:\x1b\[[0-9;]*m| )+$", re.MULTILINE)


def render_to_text(parts: list[RenderableType], width: int, color: bool) -> str:
    file = io.StringIO()
    out = console(width, color, file)
    out.print(Group(*parts))
    return TRAILING_SPACE.sub(lambda tail: tail.group().replace(" ", ""), file.getvalue())


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
