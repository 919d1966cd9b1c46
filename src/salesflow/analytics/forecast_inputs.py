"""What a forecast rests on: the plan in the process file, or the deals in the data."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from salesflow.analytics import dispersion
from salesflow.analytics.deal_sizes import MIN_FOR_CHECK, DealSizes, odd_amounts_note
from salesflow.analytics.estimates import survival_conversion
from salesflow.analytics.forecast import Inputs
from salesflow.analytics.pipeline import OpenGroups, group
from salesflow.analytics.report import overall
from salesflow.analytics.simulation import Floats, Rates
from salesflow.analytics.stage_events import Stays
from salesflow.analytics.timing import (
    Timed,
    lead_time,
    open_deal_time,
    overdue_note,
    planned_lead_time,
)
from salesflow.errors import InputError
from salesflow.model import Process
from salesflow.model.forecast import AmountsFrom
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
    lead = planned_lead_time(process)
    return Inputs(
        process=process,
        source="plan",
        rates=Rates(planned=planned),
        sizes=DealSizes(planned=process.assumptions.deal_size),
        lag=lead.lag,
        closed_deals=0,
        lead_time_note=lead.note,
        notes=[
            "rates and deal size come from the plan in the process file: the interval covers "
            "process noise only, not uncertainty in the rates"
        ],
    )


def data_inputs(tables: DealTables, with_pipeline: bool = False) -> Inputs:
    """Observed conversions (shrunk toward the plan where it has one), won amounts, time to
    win, cohort-to-cohort variation and, with `with_pipeline`, the open deals."""
    process = tables.process
    whole = overall(tables)
    funnel, stays, end = whole.funnel, whole.stays, whole.end
    closed = funnel.deals.won + funnel.deals.lost
    if closed == 0:
        raise InputError(f"{tables.deals.path} has no closed deals to learn rates from; use --plan")
    rates = _rates(process, funnel, cycle_through(tables, stays))
    amounts, amounts_from = _won_amounts(tables)
    sizes = DealSizes(amounts=amounts, planned=process.assumptions.deal_size)
    measured = dispersion.measure(tables.con, end)
    lead = lead_time(process, funnel, stays)
    open_deals, open_notes = (
        _open_deals(tables, funnel, stays, end, lead) if with_pipeline else (None, [])
    )
    if open_deals is not None:
        _check_pipeline_stages(process, rates, open_deals)
    return Inputs(
        process=process,
        source="data",
        rates=rates,
        sizes=sizes,
        lag=lead.lag,
        closed_deals=closed,
        open_deals=open_deals,
        data_end=end.date() if end else None,
        dispersion=measured.dispersion,
        notes=_notes(
            process, rates, sizes, closed, [_sizing_note(amounts, amounts_from), measured.note]
        ),
        lead_time_note=lead.note,
        open_time_notes=open_notes,
        amounts_from=amounts_from,
    )


def cycle_through(tables: DealTables, stays: dict[int, Stays]) -> tuple[float, float] | None:
    """With no stage entry dates, the stages' conversions are counts, which treat deals still
    open as if they did not exist; the chance that a lead is won is then measured over the
    sales cycle instead (first seen → won, lost or still open: Aalen–Johansen), which does not
    need them."""
    cycle = stays.get(tables.stage_count)
    if tables.dated_stages or cycle is None:
        return None
    found = survival_conversion(cycle)
    return (found.share, found.effective_deals) if found else None


def planned_prior(process: Process) -> Floats:
    """The plan's conversion of each stage, NaN where it has none: the conversions' prior."""
    plan = [s.expected.conversion for s in process.stages]
    return np.array([np.nan if p is None else p for p in plan], dtype=np.float64)


def _rates(process: Process, funnel: Funnel, through: tuple[float, float] | None) -> Rates:
    return Rates(
        through=through,
        advanced=np.array([s.advanced for s in funnel.stages], dtype=np.int64),
        lost=np.array([s.lost for s in funnel.stages], dtype=np.int64),
        estimated=np.array([s.conversion or 0.0 for s in funnel.stages], dtype=np.float64),
        effective=np.array([s.effective_deals or 0.0 for s in funnel.stages]),
        prior=planned_prior(process),
    )


def _won_amounts(tables: DealTables) -> tuple[Floats, AmountsFrom]:
    """The won amounts; with none and no assumptions.deal_size, the (positive) amounts of the
    other deals: a deal's value in the CRM is the best evidence of what a win is worth that is
    left. Nothing at all to size a win with is refused."""
    won = _amounts(tables, "status = 'won'")
    if len(won) or tables.process.assumptions.deal_size is not None:
        return won, "won"
    others = _amounts(tables, "status <> 'won' AND amount > 0")
    if not len(others):
        raise InputError(
            f"{tables.deals.path} has no won amounts (nor amounts of other deals) and the "
            "process no assumptions.deal_size"
        )
    return others, "open_and_lost"


def _sizing_note(amounts: Floats, amounts_from: AmountsFrom) -> str | None:
    if amounts_from == "won":
        return None
    return (
        f"no won amounts and no assumptions.deal_size: wins are sized from the amounts of "
        f"{len(amounts):,} open and lost deals"
    )


def _amounts(tables: DealTables, condition: str) -> Floats:
    # ordered: the bootstrap draws amounts by position, and a parallel scan returns rows in no
    # fixed order, so without it the same seed gave other forecasts on large data
    rows = tables.con.execute(
        f"SELECT amount FROM funnel_deals WHERE {condition} AND amount IS NOT NULL ORDER BY amount"
    ).fetchnumpy()
    return np.asarray(rows["amount"], dtype=np.float64)


def _open_deals(
    tables: DealTables, funnel: Funnel, stays: dict[int, Stays], end: datetime | None, lead: Timed
) -> tuple[OpenGroups, list[str]]:
    """Open deals with their stage, days in it (to the end of the data) and amount (missing →
    the average won amount, else the planned deal size), and notes on what their time still to
    go rests on."""
    average = funnel.avg_won_amount or tables.process.assumptions.deal_size or 0.0
    entered = _entry_sql(tables.stage_count)
    rows = tables.con.execute(
        f"SELECT position AS stage, "
        f"greatest(date_diff('second', {entered}, ?) / 86400.0, 0) AS age, "
        "coalesce(amount, ?) AS amount FROM funnel_deals WHERE status = 'open' "
        "ORDER BY stage, age, amount",  # a fixed order for the seeded draws
        [end or datetime(1970, 1, 1), average],
    ).fetchnumpy()
    stage_of = np.asarray(rows["stage"], dtype=np.int64)
    # Without an end of the data (no dates at all) every open deal counts as just arrived.
    ages = np.nan_to_num(np.asarray(rows["age"], dtype=np.float64)) if end else None
    first = int(stage_of.min()) if len(stage_of) else None
    timing = open_deal_time(tables.process, funnel, stays, lead, first)
    groups = group(
        stage_of,
        ages if ages is not None else np.zeros(len(stage_of)),
        np.asarray(rows["amount"], dtype=np.float64),
        stays,
        timing.advance,
        timing.current,
    )
    if ages is None:
        return groups, [NO_DATES] if first is not None else []
    overdue = overdue_note(stage_of, ages, timing.current)
    return groups, [*timing.notes, *([overdue] if overdue else [])]


NO_DATES = (
    "the data has no dates: open deals count as just arrived at the start of the first month, "
    "with the whole time from lead to won still to go"
)


def _entry_sql(stages: int) -> str:
    """When an open deal entered its current stage: its entry date, else its latest earlier
    entry, else when it was first seen."""
    cases = []
    for k in range(stages):
        known = [f"e{k}", *(f"e{j}" for j in range(k - 1, -1, -1)), "first_seen"]
        cases.append(f"WHEN {k} THEN coalesce({', '.join(known)})")
    return f"(CASE position {' '.join(cases)} END)"


def _check_pipeline_stages(process: Process, rates: Rates, groups: OpenGroups) -> None:
    """Open deals need every stage from theirs on to have a conversion: decided deals or a
    plan. A stage with neither is refused, never valued at 0 or at a guess."""
    if not len(groups.stage):
        return
    successes, failures = rates.evidence()
    first = int(groups.stage.min())
    for k in range(first, len(process.stages)):
        planned = process.stages[k].expected.conversion is not None
        if successes[k] + failures[k] == 0 and not planned:
            stage = process.stages[k]
            raise InputError(
                f"stage {stage.id} has no decided deal and no expected.conversion: the open "
                "pipeline cannot be valued; add expected.conversion to the stage in the process "
                "file"
            )


def _notes(
    process: Process, rates: Rates, sizes: DealSizes, closed: int, extra: list[str | None]
) -> list[str]:
    notes = [f"rates rest on {closed:,} closed deals"]
    if rates.through is not None:
        notes.append(
            "the stages have no entry dates: the chance that a lead is won comes from the sales "
            "cycle (deals still open counted as unfinished), the stage table from counts"
        )
    successes, failures = rates.evidence()
    weights = rates.plan_weight()
    for k, stage in enumerate(process.stages):
        if successes[k] + failures[k] == 0:
            source = "its plan" if weights[k] > 0 else "a uniform prior (anything from 0 to 1)"
            notes.append(
                f"stage {stage.id} has no decided deal: its conversion comes from {source}"
            )
    if sizes.from_prior:
        fitted = len(sizes.positive)
        which = "won" if fitted == sizes.observed else "positive won"
        notes.append(
            f"{fitted} {which} amount(s), fewer than {MIN_FOR_CHECK}: the deal size leans on "
            "the plan's assumptions.deal_size as a prior"
        )
    return notes + [note for note in [odd_amounts_note(sizes), *extra] if note]
