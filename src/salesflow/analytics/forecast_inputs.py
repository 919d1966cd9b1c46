"""What a forecast rests on: the plan in the process file, or the deals in the data."""

from __future__ import annotations

import numpy as np

from salesflow.analytics.forecast import Inputs, OpenDeals
from salesflow.analytics.report import analyze
from salesflow.analytics.simulation import DealSizes, Rates
from salesflow.errors import InputError
from salesflow.model import Process
from salesflow.model.funnel import Funnel
from salesflow.sources.canonical import DealTables


def plan_inputs(process: Process) -> Inputs:
    """Planned conversions and deal size; refuses a plan with gaps, naming them."""
    missing = [s.id for s in process.stages if s.expected.conversion is None]
    if missing:
        raise InputError(
            f"the plan has no expected.conversion for {', '.join(missing)}: add it to the "
            "process file, or forecast from data with --deals"
        )
    if process.assumptions.deal_size is None:
        raise InputError(
            "the plan has no assumptions.deal_size: add it to the process file, or forecast "
            "from data with --deals"
        )
    planned = np.array([s.expected.conversion for s in process.stages], dtype=np.float64)
    return Inputs(
        process=process,
        source="plan",
        rates=Rates(planned=planned),
        sizes=DealSizes(planned=process.assumptions.deal_size),
        stage_days=[s.expected.days or 0.0 for s in process.stages],
        closed_deals=0,
    )


def data_inputs(tables: DealTables) -> Inputs:
    """Observed conversions, won amounts, days in stage and open deals."""
    process = tables.process
    funnel = analyze(tables).funnel
    if funnel.deals.won + funnel.deals.lost == 0:
        raise InputError(f"{tables.deals.path} has no closed deals to learn rates from; use --plan")
    return Inputs(
        process=process,
        source="data",
        rates=Rates(
            advanced=np.array([s.advanced for s in funnel.stages], dtype=np.int64),
            lost=np.array([s.lost for s in funnel.stages], dtype=np.int64),
            estimated=np.array([s.conversion or 0.0 for s in funnel.stages], dtype=np.float64),
            effective=np.array([s.effective_deals or 0.0 for s in funnel.stages]),
        ),
        sizes=DealSizes(amounts=_won_amounts(tables), planned=process.assumptions.deal_size),
        stage_days=_stage_days(process, funnel),
        closed_deals=funnel.deals.won + funnel.deals.lost,
        open_deals=_open_deals(tables, funnel),
    )


def _won_amounts(tables: DealTables) -> np.ndarray:
    rows = tables.con.execute(
        "SELECT amount FROM funnel_deals WHERE status = 'won' AND amount IS NOT NULL"
    ).fetchnumpy()
    amounts: np.ndarray = np.asarray(rows["amount"], dtype=np.float64)
    if not len(amounts) and tables.process.assumptions.deal_size is None:
        raise InputError(
            f"{tables.deals.path} has no won amounts and the process no assumptions.deal_size"
        )
    return amounts


def _stage_days(process: Process, funnel: Funnel) -> list[float]:
    """Observed median days in each stage, else the planned days, else none."""
    return [
        observed.median_days if observed.median_days is not None else (stage.expected.days or 0.0)
        for stage, observed in zip(process.stages, funnel.stages, strict=True)
    ]


def _open_deals(tables: DealTables, funnel: Funnel) -> OpenDeals:
    """Open deals per stage, weighted by the stage's `probability`, else the observed chance
    to win from that stage; amounts missing → the average won amount."""
    count = tables.stage_count
    counts = np.zeros(count, dtype=np.int64)
    amounts = np.zeros(count, dtype=np.float64)
    average = funnel.avg_won_amount or tables.process.assumptions.deal_size or 0.0
    rows = tables.con.execute(
        "SELECT position, count(*), avg(coalesce(amount, ?)) FROM funnel_deals "
        "WHERE status = 'open' GROUP BY position",
        [average],
    ).fetchall()
    for position, number, amount in rows:
        counts[int(position)] = int(number)
        amounts[int(position)] = float(amount)
    probabilities = np.array(
        [
            stage.probability
            if stage.probability is not None
            else (observed.win_probability or 0.0)
            for stage, observed in zip(tables.process.stages, funnel.stages, strict=True)
        ],
        dtype=np.float64,
    )
    return OpenDeals(counts, probabilities, amounts)
