"""`impact --format markdown`: ready to paste into a process review."""

from __future__ import annotations

from salesflow.model.impact import ImpactReport, VersionImpact
from salesflow.reporters.impact_rows import (
    HEADERS,
    heading,
    rows,
    split_notes,
    version_line,
    window_lines,
)
from salesflow.reporters.safety import md_text


def render(report: ImpactReport, color: bool) -> str:
    del color
    lines = [f"## {md_text(heading(report))}", ""]
    for version in report.versions:
        lines += _version(version)
    lines += [f"> {md_text(note)}" for note in report.notes]
    return "\n".join(lines).rstrip("\n") + "\n"


def _version(version: VersionImpact) -> list[str]:
    lines = [
        f"### {md_text(version.summary)}",
        "",
        md_text(version_line(version)),
        "",
        *(f"{md_text(line)}  " for line in window_lines(version)),
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|"
        + "|".join("---" if h in ("stage", "role", "verdict") else "---:" for h in HEADERS)
        + "|",
        *("| " + " | ".join(md_text(cell) for cell in row) + " |" for row in rows(version)),
        "",
    ]
    changed = [stage for stage in version.stages if stage.changed and stage.changes]
    for stage in changed:
        lines.append(f"- **{md_text(stage.name)}** changed: {md_text('; '.join(stage.changes))}")
    lines += [f"- {md_text(note)}" for note in [*split_notes(version), *version.notes]]
    return [*lines, ""]
