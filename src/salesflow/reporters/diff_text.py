"""`diff --format text`: changes grouped by stage, coloured by severity."""

from __future__ import annotations

from salesflow.model.diff import Change, Level, ProcessDiff
from salesflow.reporters.ansi import style
from salesflow.reporters.diff_grouping import (
    PROCESS,
    groups,
    impact_sentence,
    stage_label,
    summary,
    with_reason,
)
from salesflow.reporters.safety import terminal_line

STYLES = {Level.BREAKING: ("bold", "red"), Level.WARNING: ("yellow",), Level.INFO: ("dim",)}


def render(diff: ProcessDiff, color: bool) -> str:
    lines = [style(terminal_line(f"{diff.before} → {diff.after}"), "bold", color=color), ""]
    for key, changes in groups(diff):
        title = "Process" if key == PROCESS else _stage_title(key, changes)
        lines.append(style(title, "bold", color=color))
        for change in changes:
            tag = style(f"{change.severity.value:<8}", *STYLES[change.severity], color=color)
            lines.append(f"  {tag} {terminal_line(with_reason(change))}")
        lines.append("")
    if diff.impact is not None:
        lines.append(f"Plan impact {impact_sentence(diff.impact)}")
    lines.append(summary(diff))
    return "\n".join(lines) + "\n"


def _stage_title(key: str, changes: list[Change]) -> str:
    name, sid = stage_label(key, changes)
    return terminal_line(f"Stage {sid}" if name is None else f"Stage {name} ({sid})")
