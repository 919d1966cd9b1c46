"""Why each breaking kind of change breaks: one sentence per kind, the same text as the "why
this level" column of docs/diff.md (a test keeps the two equal)."""

from __future__ import annotations

REASONS: dict[str, str] = {
    "stage-removed": "Deals and history rows labelled with it no longer map.",
    "stage-id-changed": "Deal data, stage dates, histories and scripts are keyed on the id.",
    "stage-moved": "Funnel positions (how far a deal got) are read by stage order.",
    "alias-removed": "Data labelled with it no longer maps.",
    "stage-name": "The old name is a label that deals and history rows are matched by.",
    "label-remapped": "Data labelled with it now silently counts as another stage or outcome.",
    "outcome-name": "The name is a label that won and lost deals are matched by.",
    "outcome-alias-removed": "Closed deals labelled with it no longer count as won or lost.",
    "data-mapping": "Exports and scripts rely on every column name.",
    "currency": "Every amount in the data is read in it.",
    "format-version": "Tools read the file by its version.",
}
