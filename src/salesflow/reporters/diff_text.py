"""`diff --format text`: changes grouped by stage, coloured by severity."""

from __future__ import annotations

from salesflow.model.diff import Level, ProcessDiff
from salesflow.reporters.ansi import style
from salesflow.reporters.diff_grouping import PROCESS, groups, summary
from salesflow.reporters.safety import terminal_line

STYLES = {Level.BREAKING: ("bold", "red"), Level.WARNING: ("yellow",), Level.INFO: ("dim",)}


def render(diff: ProcessDiff, color: bool) -> str:
    lines = [style(terminal_line(f"{diff.before} → {diff.after}"), "bold", color=color), ""]
    for key, changes in groups(diff):
        title = "Process" if key == PROCESS else f"Stage {terminal_line(key)}"
        lines.append(style(title, "bold", color=color))
        for change in changes:
            tag = style(f"{change.severity.value:<8}", *STYLES[change.severity], color=color)
            lines.append(f"  {tag} {terminal_line(change.message)}")
        lines.append("")
    if diff.impact is not None:
        impact = diff.impact
        lines.append(
            f"Plan impact for {impact.leads:,} leads: {impact.before:,.0f} → {impact.after:,.0f} "
            f"({impact.difference:+,.0f})"
        )
    lines.append(summary(diff))
    return "\n".join(lines) + "\n"
