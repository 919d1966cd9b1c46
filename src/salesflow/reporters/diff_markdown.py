"""`diff --format markdown`: ready to post as a pull-request comment."""

from __future__ import annotations

from salesflow.model.diff import Level, ProcessDiff
from salesflow.reporters.diff_grouping import PROCESS, groups, summary
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
        impact = diff.impact
        lines += [
            f"**Plan impact** for {impact.leads:,} leads: {impact.before:,.0f} → "
            f"{impact.after:,.0f} ({impact.difference:+,.0f}).",
            "",
        ]
    for key, changes in groups(diff):
        lines += [f"### {'Process' if key == PROCESS else f'Stage `{md_code(key)}`'}", ""]
        lines += [f"- {ICONS[c.severity]}: {md_text(c.message)}" for c in changes]
        lines.append("")
    lines.append(f"*{summary(diff)}*")
    return "\n".join(lines) + "\n"
