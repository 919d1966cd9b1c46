"""The "Examples" section at the end of every command's help: a few command lines each."""

from __future__ import annotations

EXAMPLES: dict[str, list[str]] = {
    "init": ["salesflow init", "salesflow init sales --crm hubspot", "salesflow init --no-ci"],
    "validate": [
        "salesflow validate",
        "salesflow validate process.yaml --strict --format github",
        "salesflow validate --deals deals.csv",
    ],
    "schema": ["salesflow schema -o schema/process.schema.json"],
    "analyze": [
        "salesflow analyze --deals deals.csv",
        "salesflow analyze --by owner --since 2026-01-01",
        "salesflow analyze --deals postgresql://reader@db/crm --table deals -f json",
    ],
    "forecast": [
        "salesflow forecast --leads 120",
        "salesflow forecast --leads 120 --target 250k --horizon 6 --pipeline",
    ],
    "backtest": ["salesflow backtest", "salesflow backtest --horizon 3 -f markdown"],
    "diff": [
        "salesflow diff v1",
        "salesflow diff HEAD~1 HEAD --fail-on breaking",
        "salesflow diff main -f markdown --leads 120",
    ],
    "log": ["salesflow log -n 5", "salesflow log --deals deals.csv"],
    "impact": [
        "salesflow impact --deals deals.csv",
        "salesflow impact v2.3 --deals deals.csv -f markdown -o review.md",
    ],
    "onboard": [
        "salesflow onboard -o HANDBOOK.md",
        "salesflow onboard --role account_executive --format html -o ae.html",
        "salesflow onboard --check HANDBOOK.md",
    ],
}


def epilog(command: str) -> str | None:
    """The help's last section; `\\b` keeps click from rewrapping the lines."""
    lines = EXAMPLES.get(command)
    if not lines:
        return None
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
