"""Word wrapping for the text reports: lines broken at spaces only, never inside a word or a
hyphenated name, and never inside an amount ("USD 1,054,253", "≈ 43", "P90 13"). `wrap` serves
the plain-text reports that do without rich (`diff`, `log`); terminal.py glues amounts for rich."""

from __future__ import annotations

import re
import textwrap

AMOUNT = re.compile(r"(≈|\b[A-Z]{3}|\bP[0-9]{2}) (?=[-+]?[0-9]|[A-Z]{3} [-+]?[0-9])")
KEEP = "\xa0"  # textwrap breaks at ASCII whitespace only


def glue(text: str, joiner: str) -> str:
    """`text` with `joiner` for the space inside each amount: between "≈", a currency code or
    P10/P50/P90 and the number after it ("≈ USD 1,054,253" is one piece)."""
    return AMOUNT.sub(lambda found: found.group(1) + joiner, text)


def wrap(text: str, width: int | None, first: int = 0, hanging: int = 0) -> str:
    """`text` broken into lines of at most `width` characters (all of it on one line when
    `width` is None). `first` characters already stand before it on its first line; the next
    lines start with `hanging` spaces. A word longer than a line stays whole."""
    if width is None:
        return text
    lines = textwrap.wrap(
        glue(text.replace(KEEP, " "), KEEP),
        width,
        initial_indent=" " * first,
        subsequent_indent=" " * hanging,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines)[first:].replace(KEEP, " ") if lines else text
