"""Minimal ANSI styling for plain-text reports that must not pay for importing rich."""

from __future__ import annotations

CODES = {"red": "31", "yellow": "33", "green": "32", "bold": "1", "dim": "2"}


def style(text: str, *names: str, color: bool) -> str:
    if not color or not names:
        return text
    codes = ";".join(CODES[name] for name in names)
    return f"\x1b[{codes}m{text}\x1b[0m"
