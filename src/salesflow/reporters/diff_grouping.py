"""Changes grouped for people: process-wide first, then each stage in the new order; the
wording the text and markdown reports share."""

from __future__ import annotations

from salesflow.model.diff import Change, Level, PlanImpact, ProcessDiff, money

PROCESS = "process"


def groups(diff: ProcessDiff) -> list[tuple[str, list[Change]]]:
    order: list[str] = []
    grouped: dict[str, list[Change]] = {}
    for change in diff.changes:
        key = change.stage or PROCESS
        if key not in grouped:
            order.append(key)
            grouped[key] = []
        grouped[key].append(change)
    order.sort(key=lambda key: key != PROCESS)
    return [(key, sorted(grouped[key], key=lambda c: c.severity.rank)) for key in order]


def summary(diff: ProcessDiff) -> str:
    if not diff.changes:
        return "No semantic changes."
    counts = [f"{diff.count(level)} {level.value}" for level in Level if diff.count(level)]
    noun = "change" if len(diff.changes) == 1 else "changes"
    return f"{len(diff.changes)} {noun}: " + ", ".join(counts)


def stage_label(key: str, changes: list[Change]) -> tuple[str | None, str]:
    """(the stage's name, its id) for a group; no name for a key that is no stage of either
    version (a `data.stage_dates` entry)."""
    name = next((change.stage_name for change in changes if change.stage_name), None)
    return name, key


def impact_sentence(impact: PlanImpact) -> str:
    """`for 120 leads: USD 144,000 → USD 285,120 (+USD 141,120)`; amounts in whole units."""
    was = money(impact.currency_before, round(impact.before))
    now = money(impact.currency_after, round(impact.after))
    if impact.difference is None:
        delta = "different currencies: the difference is not comparable"
    else:
        delta = money(impact.currency_after, round(impact.difference), sign=True)
    return f"for {impact.leads:,} leads: {was} → {now} ({delta})"


def with_reason(change: Change) -> str:
    return change.message if change.reason is None else f"{change.message} — {change.reason}"
