"""`diff --format markdown`: ready to post as a pull-request comment."""

from __future__ import annotations

from salesflow.model.diff import Change, Level, ProcessDiff
from salesflow.reporters.diff_grouping import (
    PROCESS,
    groups,
    impact_sentence,
    stage_label,
    summary,
    with_reason,
)
from salesflow.reporters.safety import md_code, md_text

ICONS = {Level.BREAKING: "🔴 breaking", Level.WARNING: "🟡 warning", Level.INFO: "⚪ info"}


def render(diff: ProcessDiff, color: bool) -> str:
    del color
    lines = [
        f"## Process changes: `{md_code(diff.before)}` → `{md_code(diff.after)}`",
        "",
        "| severity | changes |",
        "|---|---:|",
        *(f"| {ICONS[level]} | {diff.count(level)} |" for level in Level),
        "",
    ]
    if diff.impact is not None:
        lines += [f"**Plan impact** {md_text(impact_sentence(diff.impact))}.", ""]
    for key, changes in groups(diff):
        lines += [f"### {'Process' if key == PROCESS else _stage_title(key, changes)}", ""]
        lines += [f"- {ICONS[c.severity]}: {md_text(with_reason(c))}" for c in changes]
        lines.append("")
    lines.append(f"*{summary(diff)}*")
    return "\n".join(lines) + "\n"


def _stage_title(key: str, changes: list[Change]) -> str:
    name, sid = stage_label(key, changes)
    code = f"`{md_code(sid)}`"
    return f"Stage {code}" if name is None else f"Stage {md_text(name)} ({code})"
