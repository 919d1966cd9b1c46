"""A known process for the tests of `impact`: three stages, three versions in git, and deals
drawn so that only the second version's rewrite of the demo stage changed a conversion.

- v1 (2025-01-01): the first version.
- v2 (2025-07-01): rewrites Demo (new exit criteria, planned conversion 0.40 → 0.55). Deals that
  enter Demo from that day convert 65% instead of 40%.
- v3 (2025-10-01): rewords Proposal's description; its conversion stays 50%.

Qualify converts 60% throughout. In each stage a deal advances or is lost after an exponential
wait (mean 12 days); a deal whose next event falls after the export day is still open there."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from tests.gitrepo import Repo

START, END = date(2025, 1, 1), date(2025, 12, 31)
EXPORT = date(2026, 1, 31)
REWRITE, REWORD = date(2025, 7, 1), date(2025, 10, 1)
MEAN_WAIT = 12.0
STAGES = ("qualify", "demo", "proposal")
CONVERSION = {"qualify": 0.6, "proposal": 0.5}
DEMO_BEFORE, DEMO_AFTER = 0.40, 0.65
COLUMNS = ["deal_id", "stage", "amount", "created_at", "closed_at", "lost_at_stage"]
DATE_COLUMNS = [f"{stage}_date" for stage in STAGES]


def process_yaml(demo_exit: str, demo_plan: float, proposal_text: str) -> str:
    return f"""salesflow: 1
name: Impact test
roles:
  - id: ae
    title: Account Executive
stages:
  - id: qualify
    name: Qualify
    owner: ae
    exit_criteria: [Budget confirmed]
    expected: {{conversion: 0.6}}
  - id: demo
    name: Demo
    owner: ae
    exit_criteria: [{demo_exit}]
    expected: {{conversion: {demo_plan}}}
  - id: proposal
    name: Proposal
    owner: ae
    description: {proposal_text}
    exit_criteria: [Proposal accepted]
    expected: {{conversion: 0.5}}
data:
  stage_dates: {{qualify: qualify_date, demo: demo_date, proposal: proposal_date}}
"""


V1 = process_yaml("Demo given", 0.4, "Send the proposal.")
V2 = process_yaml("Champion confirmed the demo solved the problem", 0.55, "Send the proposal.")
V3 = process_yaml(
    "Champion confirmed the demo solved the problem", 0.55, "Send the proposal within a day."
)


def build_repository(root: Path, deals: int = 3000, seed: int = 20251) -> Repo:
    """The three versions committed on their days, and the deals CSV beside them."""
    repo = Repo(root)
    repo.commit("First process", {"process.yaml": V1}, date=START.isoformat())
    repo.commit("Stricter demo exit", {"process.yaml": V2}, date=REWRITE.isoformat())
    repo.commit("Reword proposal", {"process.yaml": V3}, date=REWORD.isoformat())
    write_deals(root / "deals.csv", deals, seed)
    return repo


def write_deals(path: Path, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    span = (END - START).days
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS + DATE_COLUMNS)
        for index in range(count):
            created = START + timedelta(days=int(rng.integers(0, span + 1)))
            writer.writerow(_deal(f"D{index:05d}", created, rng))


def _deal(deal_id: str, created: date, rng: np.random.Generator) -> list[str]:
    entries: dict[str, date] = {}
    day = created
    for stage in STAGES:
        entries[stage] = day
        advances = rng.random() < _conversion(stage, day)
        day = day + timedelta(days=int(rng.exponential(MEAN_WAIT)))
        if day > EXPORT:
            return _row(deal_id, created, STAGES_LABEL[stage], "", "", entries)
        if not advances:
            return _row(deal_id, created, "Closed Lost", day.isoformat(), stage, entries)
    return _row(deal_id, created, "Closed Won", day.isoformat(), "", entries)


STAGES_LABEL = {"qualify": "Qualify", "demo": "Demo", "proposal": "Proposal"}


def _conversion(stage: str, entered: date) -> float:
    if stage == "demo":
        return DEMO_AFTER if entered >= REWRITE else DEMO_BEFORE
    return CONVERSION[stage]


def _row(
    deal_id: str,
    created: date,
    label: str,
    closed: str,
    lost_at: str,
    entries: dict[str, date],
) -> list[str]:
    dates = [entries[stage].isoformat() if stage in entries else "" for stage in STAGES]
    return [deal_id, label, "10000", created.isoformat(), closed, lost_at, *dates]
