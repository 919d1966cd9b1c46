"""The example configurations for Fivetran's Salesforce and HubSpot tables, run against tables of
that shape in a real PostgreSQL server: the same figures as from the same rows in CSV files."""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, invoke
from tests.postgres_server import PostgresServer
from tests.sources.remote.test_postgres import same

pytestmark = [pytest.mark.xdist_group("postgres")]

EXAMPLES = REPO / "examples" / "fivetran"
START = datetime(2025, 1, 6, 9, 30)


def _journeys(stages: list[str], won: str, lost: str, deals: int) -> list[tuple[str, list[str]]]:
    """Each deal's stages entered, in order, ending won, lost or open (seeded)."""
    rng = random.Random(13)
    journeys = []
    for number in range(deals):
        path = []
        for stage in stages:
            path.append(stage)
            if rng.random() < 0.3:
                path.append(rng.choice([lost, lost, "open"]))
                break
        else:
            path.append(won)
        journeys.append((f"D{number:04d}", path))
    return journeys


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _timeline(number: int, path: list[str]) -> list[tuple[str, datetime]]:
    moment = START + timedelta(days=number % 200, hours=number % 7)
    steps = []
    for step, stage in enumerate(path):
        steps.append((stage, moment))
        moment += timedelta(days=3 + (number * (step + 1)) % 11, minutes=number % 60)
    return steps


def salesforce_tables(tmp: Path) -> tuple[Path, Path]:
    stages = [
        "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
        "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review",
    ]  # fmt: skip
    deals, history = [], []
    for number, (deal, path) in enumerate(_journeys(stages, "Closed Won", "Closed Lost", 400)):
        steps = [(s, t) for s, t in _timeline(number, path) if s != "open"]
        closed = steps[-1][1].date().isoformat() if steps[-1][0].startswith("Closed") else ""
        deleted = "true" if number % 37 == 0 else "false"
        amount = f"{1000 + (number * 7919) % 90000}.50"
        deals.append([deal, steps[-1][0], amount, steps[0][1].isoformat(), closed, deleted])
        history += [[f"H{deal}{i}", deal, s, t.isoformat()] for i, (s, t) in enumerate(steps)]
    return (
        _write(tmp / "opportunity.csv",
               ["id", "stage_name", "amount", "created_date", "close_date", "is_deleted"], deals),
        _write(tmp / "opportunity_history.csv",
               ["id", "opportunity_id", "stage_name", "created_date"], history),
    )  # fmt: skip


def hubspot_tables(tmp: Path) -> tuple[Path, Path]:
    stages = [
        "appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
        "decisionmakerboughtin", "contractsent",
    ]  # fmt: skip
    deals, history = [], []
    for number, (deal, path) in enumerate(_journeys(stages, "closedwon", "closedlost", 400)):
        steps = [(s, t) for s, t in _timeline(number, path) if s != "open"]
        closed = steps[-1][1].isoformat() if steps[-1][0].startswith("closed") else ""
        pipeline = "default" if number % 9 else "renewals"
        amount = str(500 + (number * 104729) % 40000)
        deals.append(
            [deal, pipeline, steps[-1][0], amount, steps[0][1].isoformat(), closed, "false"]
        )
        history += [[deal, s, t.isoformat(), "CRM_UI"] for s, t in steps]
    header = [
        "deal_id", "deal_pipeline_id", "deal_pipeline_stage_id", "property_amount",
        "property_createdate", "property_closedate", "is_deleted",
    ]  # fmt: skip
    return (
        _write(tmp / "deal.csv", header, deals),
        _write(tmp / "deal_stage.csv", ["deal_id", "value", "date_entered", "source"], history),
    )


CASES = {
    "salesforce": (
        salesforce_tables,
        ("opportunity", "opportunity_history"),
        {"amount": "numeric", "created_date": "timestamp", "close_date": "date",
         "is_deleted": "boolean", "created_date_h": "timestamp"},
    ),
    "hubspot": (
        hubspot_tables,
        ("deal", "deal_stage"),
        {"property_amount": "double precision", "property_createdate": "timestamptz",
         "property_closedate": "timestamptz", "is_deleted": "boolean",
         "date_entered": "timestamptz"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("crm", sorted(CASES))
def test_the_example_reads_the_connectors_tables(
    postgres: PostgresServer, tmp_path: Path, crm: str
) -> None:
    make, (deal_table, history_table), types = CASES[crm]
    deals_csv, history_csv = make(tmp_path)
    for table, path in ((deal_table, deals_csv), (history_table, history_csv)):
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        column_types = {
            name: types.get(
                f"{name}_h" if table == history_table else name, types.get(name, "text")
            )
            for name in header
        }
        postgres.load_csv(table, path, column_types)
    process = str(EXAMPLES / f"{crm}.yaml")
    url = postgres.url()
    remote = invoke(
        "analyze", "-p", process, "--deals", url, "--history", url,
        "--history-table", history_table, "--format", "json",
    )  # fmt: skip
    local = invoke(
        "analyze", "-p", process, "--deals", str(deals_csv), "--history", str(history_csv),
        "--format", "json",
    )  # fmt: skip
    assert remote.exit_code == 0, remote.stderr
    assert local.exit_code == 0, local.stderr
    found = json.loads(remote.stdout)
    same(found, json.loads(local.stdout))
    assert found["deals"]["total"] < 400  # the deleted ones, or another pipeline's, left out
    assert found["deals"]["won"] > 0 and found["median_cycle_days"] is not None
