"""Checks of a header's column names, with our own messages rather than the database's."""

from __future__ import annotations

from collections import Counter

from salesflow.errors import DataError


def check_header(file: str, names: list[str]) -> None:
    """Refuse a header DuckDB could not name columns from: an empty name, a repeated name, or
    two names that differ only in case (column names are matched ignoring case)."""
    if not names or not any(names):
        raise DataError(f"{file}: the first line is not a header of column names")
    for position, name in enumerate(names, start=1):
        if not name:
            raise DataError(
                f"{file}: column {position} of the header has no name; name it or delete the column"
            )
    counts = Counter(names)  # linear: a header may have tens of thousands of columns
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        raise DataError(f"{file}: column '{repeated[0]}' appears more than once in the header")
    folded: dict[str, str] = {}
    for name in names:
        other = folded.setdefault(name.lower(), name)
        if other != name:
            raise DataError(
                f"{file}: columns '{other}' and '{name}' differ only in case; column names are "
                "matched ignoring case, so rename one of them"
            )
