"""`diff --format text`: changes grouped by stage, coloured by severity; lines wrapped at spaces
to `width` columns (the terminal's, from the CLI), each change continued under its text."""

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
from salesflow.reporters.wrap import wrap

STYLES = {Level.BREAKING: ("bold", "red"), Level.WARNING: ("yellow",), Level.INFO: ("dim",)}
TAG = 8  # the width of the severity tag
INDENT = 2 + TAG + 1  # where a change's text starts


def render(diff: ProcessDiff, color: bool, width: int | None = None) -> str:
    heading = wrap(terminal_line(f"{diff.before} → {diff.after}"), width)
    lines = [style(heading, "bold", color=color), ""]
    for key, changes in groups(diff):
        title = "Process" if key == PROCESS else _stage_title(key, changes)
        lines.append(style(wrap(title, width), "bold", color=color))
        for change in changes:
            tag = style(f"{change.severity.value:<{TAG}}", *STYLES[change.severity], color=color)
            text = wrap(terminal_line(with_reason(change)), width, INDENT, INDENT)
            lines.append(f"  {tag} {text}")
        lines.append("")
    if diff.impact is not None:
        lines.append(wrap(f"Plan impact {impact_sentence(diff.impact)}", width))
    lines.append(wrap(summary(diff), width))
    return "\n".join(lines) + "\n"


def _stage_title(key: str, changes: list[Change]) -> str:
    name, sid = stage_label(key, changes)
    return terminal_line(f"Stage {sid}" if name is None else f"Stage {name} ({sid})")
