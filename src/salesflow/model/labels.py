"""How labels (stage ids, names, aliases, outcome names) are compared: one definition for the
process checks and for matching CRM data (sources/labels.py builds its lookups with it)."""

from __future__ import annotations

import unicodedata

WON = "won"
LOST = "lost"
# These words always mean the outcomes in CRM data, so no stage may use them as id or label.
RESERVED_LABELS = (WON, LOST)
DOTTED_I = "i\u0307"  # what the capital İ case-folds to


def fold(text: str) -> str:
    """A label as compared with other labels: trimmed, NFKC-normalised and case-folded, so that
    `İstanbul`, `ΣΑΣ`/`σας`, `STRASSE`/`straße` and full-width `ＷＯＮ` match as a reader
    expects. The dot of a capital İ is dropped after folding (İstanbul, Istanbul and istanbul
    are one label), as DuckDB's lower() does on the data side."""
    return unicodedata.normalize("NFKC", text.strip()).casefold().replace(DOTTED_I, "i")
