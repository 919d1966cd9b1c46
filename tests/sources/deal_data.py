"""Small hand-made deal tables for the source and analytics tests: a four-stage process file,
CSV text written to a temporary directory, and the report or problems salesflow makes of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from salesflow.analytics.report import analyze
from salesflow.loader import parse_process
from salesflow.model import Process
from salesflow.model.data import DataProblem
from salesflow.model.funnel import Funnel, FunnelReport
from salesflow.sources.canonical import DealTables, build
from salesflow.sources.connection import connect
from salesflow.sources.options import DataOptions
from salesflow.sources.problems import find_problems

# Planned conversions a 0.9, b 0.95, c 0.8, d 0.9; assumptions.deal_size 5000.
PROCESS_YAML = """\
salesflow: 1
name: Four stages
roles:
  - id: ae
    title: Account Executive
stages:
  - id: a
    name: Alpha
    owner: ae
    exit_criteria: [Met]
    aliases: [First Touch, Prospecting]
    expected: {conversion: 0.9, days: 5}
  - id: b
    name: Beta
    owner: ae
    exit_criteria: [Qualified]
    aliases: [Second Meeting]
    expected: {conversion: 0.95, days: 10}
  - id: c
    name: Gamma
    owner: ae
    exit_criteria: [Proposal accepted]
    aliases: [Proposal Sent]
    expected: {conversion: 0.8, days: 7}
  - id: d
    name: Delta
    owner: ae
    exit_criteria: [Signed]
    aliases: [Negotiation]
    expected: {conversion: 0.9, days: 3}
outcomes:
  won: {name: Closed Won, aliases: [Signed, Won]}
  lost: {name: Closed Lost, aliases: [Dead, Lost]}
assumptions:
  deal_size: 5000
"""

STAGE_IDS = ("a", "b", "c", "d")


def process_yaml(data: str = "") -> str:
    """The process file, with an optional `data:` section (YAML text, indented by two)."""
    return PROCESS_YAML + (f"data:\n{data}" if data else "")


def load(yaml_text: str = PROCESS_YAML) -> Process:
    loaded = parse_process(yaml_text, "p.yaml")
    assert loaded.process is not None, [issue.render() for issue in loaded.issues]
    return loaded.process


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def tables(
    directory: Path,
    deals: str | None = None,
    *,
    history: str | None = None,
    process: str = PROCESS_YAML,
    deals_path: Path | None = None,
    history_path: Path | None = None,
    **options: Any,
) -> DealTables:
    """Build the canonical tables from CSV text (or from files already written)."""
    if deals_path is None:
        assert deals is not None
        deals_path = write(directory, "deals.csv", deals)
    if history is not None:
        history_path = write(directory, "history.csv", history)
    data = DataOptions(
        deals=str(deals_path),
        history=str(history_path) if history_path is not None else None,
        **options,
    )
    return build(connect(), load(process), data)


def report(directory: Path, deals: str | None = None, **kwargs: Any) -> FunnelReport:
    return analyze(tables(directory, deals, **kwargs))


def problems(directory: Path, deals: str | None = None, **kwargs: Any) -> list[DataProblem]:
    return find_problems(tables(directory, deals, **kwargs))


def counts(funnel: Funnel) -> list[tuple[int, int, int, int]]:
    """(entered, advanced, lost, open) of every stage."""
    return [(s.entered, s.advanced, s.lost, s.open) for s in funnel.stages]


def days(funnel: Funnel) -> list[tuple[Any, Any, int, int]]:
    """(median, p80, completed stays, open stays) of every stage (Any: compared with approx):
    the Kaplan–Meier curve of leaving the stage over its timed stays."""
    return [(s.median_days, s.p80_days, s.completed_stays, s.open_stays) for s in funnel.stages]


def exits(funnel: Funnel) -> list[tuple[Any, Any]]:
    """(median days to advance, median days to be lost) of every stage."""
    return [(s.median_days_to_advance, s.median_days_to_lose) for s in funnel.stages]


def methods(funnel: Funnel) -> list[str]:
    """How each stage's conversion was estimated: "survival" or "counts"."""
    return [s.conversion_method for s in funnel.stages]


def naive(funnel: Funnel) -> list[float | None]:
    """advanced / (advanced + lost) of every stage, as salesflow reports it."""
    return [s.naive_conversion for s in funnel.stages]


def metrics(report: FunnelReport) -> dict[str, Any]:
    """Everything but the file name, to compare reports of the same data from different files."""
    return report.model_dump(exclude={"source"})
