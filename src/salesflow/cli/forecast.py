"""`salesflow forecast --leads N`: revenue from a lead count, with intervals."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from salesflow.cli.console import deliver, render_report
from salesflow.cli.data import (
    DataFlags,
    optional_data_options,
    usable_tables,
)
from salesflow.cli.data_parameters import NO_FLAGS, data_parameters
from salesflow.cli.errors import guarded
from salesflow.cli.options import (
    MAX_LEADS,
    ForceOption,
    ForecastFormat,
    NoColorOption,
    OutputOption,
    ProcessOption,
    QuietOption,
)
from salesflow.cli.process import load_valid_process
from salesflow.cli.progress import progress
from salesflow.cli.warm import warm_up
from salesflow.errors import InputError
from salesflow.model.limits import FIRST_YEAR, LAST_YEAR, MAX_AMOUNT
from salesflow.reporters import FORECAST_FORMATS

if TYPE_CHECKING:
    from salesflow.analytics.forecast import Inputs, Request
    from salesflow.cli.progress import Silent
    from salesflow.model import Process

FORMAT_HELP = f"Output format: {', '.join(FORECAST_FORMATS)}."
MAX_SIMS = 10_000_000


@guarded
@data_parameters()
def command(
    leads: Annotated[
        int | None,
        typer.Option(
            "--leads",
            help="New leads entering the first stage.",
            metavar="N",
            min=0,
            max=MAX_LEADS,
        ),
    ] = None,
    plan: Annotated[
        bool, typer.Option("--plan", help="Use the plan in the process file even with data.")
    ] = False,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="Revenue to reach: its probability and the leads needed.",
            metavar="AMOUNT",
        ),
    ] = None,
    horizon: Annotated[
        int | None,
        typer.Option(
            "--horizon",
            help="Spread the leads over this many months; revenue per month.",
            metavar="MONTHS",
            min=1,
            max=120,
        ),
    ] = None,
    leads_per_month: Annotated[
        int | None,
        typer.Option(
            "--leads-per-month",
            help="With --horizon: leads arriving each month.",
            metavar="N",
            min=0,
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="First month of --horizon (YYYY-MM) [default: next month].",
            metavar="MONTH",
        ),
    ] = None,
    pipeline: Annotated[
        bool, typer.Option("--pipeline", help="Add the open deals, weighted by their stage.")
    ] = False,
    sims: Annotated[
        int,
        typer.Option("--sims", help="Monte Carlo simulations.", metavar="N", min=100, max=MAX_SIMS),
    ] = 100_000,
    seed: Annotated[
        int,
        typer.Option("--seed", help="Random seed (same seed, same result).", metavar="N", min=0),
    ] = 1,
    process: ProcessOption = None,
    data: DataFlags = NO_FLAGS,
    output_format: Annotated[
        ForecastFormat, typer.Option("--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
    ] = "text",
    output: OutputOption = None,
    force: ForceOption = False,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """Expected wins and revenue for N new leads, with P10/P50/P90 intervals."""
    from salesflow.analytics.forecast import Request, forecast

    render = FORECAST_FORMATS.renderer(output_format)
    request = Request(
        leads=_leads(leads, horizon, leads_per_month),
        sims=sims,
        seed=seed,
        target=_amount(target) if target is not None else None,
        horizon=horizon,
        start=_start(start),
        pipeline=pipeline,
    )
    flags = replace(data, process=process)
    with progress(quiet) as shown:
        inputs = _inputs(load_valid_process(process), flags, plan, request, quiet, shown)
        result = forecast(inputs, request, shown)
    text = render_report(render, result, no_color, output)
    deliver(text, output, force)


def _inputs(
    process: Process, flags: DataFlags, plan: bool, request: Request, quiet: bool, shown: Silent
) -> Inputs:
    options = None if plan else optional_data_options(flags)
    if options is None:
        if request.pipeline:
            why = "drop --plan" if plan else "pass --deals FILE"
            raise InputError(f"--pipeline needs the open deals in deal data: {why}")
        from salesflow.analytics.forecast_inputs import plan_inputs

        return plan_inputs(process)
    warm_up("salesflow.analytics.forecast_inputs")
    tables = usable_tables(process, options, quiet, shown=shown)
    shown.phase("estimating the rates")
    from salesflow.analytics.forecast_inputs import data_inputs

    return data_inputs(tables, with_pipeline=request.pipeline)


def _leads(leads: int | None, horizon: int | None, per_month: int | None) -> int:
    if per_month is not None:
        if horizon is None:
            raise InputError("--leads-per-month needs --horizon MONTHS")
        if leads is not None:
            raise InputError("give --leads or --leads-per-month, not both")
        if per_month * horizon > MAX_LEADS:
            raise InputError(
                f"--leads-per-month {per_month}: at most {MAX_LEADS:,} leads over the horizon"
            )
        leads = per_month * horizon
    if leads is None:
        raise InputError("how many leads? pass --leads N (or --leads-per-month N --horizon M)")
    return leads


def _amount(text: str) -> float:
    cleaned = text.strip().replace(",", "").replace("_", "").lstrip("$€£")
    multiplier = {"k": 1e3, "m": 1e6}.get(cleaned[-1:].lower(), 1.0)
    try:
        value = float(cleaned[:-1] if multiplier != 1.0 else cleaned) * multiplier
    except ValueError:
        raise InputError(f"--target {text}: expected an amount such as 250000 or 250k") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"--target {text}: must be a finite amount more than 0")
    if value > MAX_AMOUNT:
        raise InputError(f"--target {text}: choose an amount of at most {MAX_AMOUNT:,.0f}")
    return value


def _start(text: str | None) -> date | None:
    """--start as the first day of its month; None (the month after today) when not given."""
    if text is None:
        return None
    try:
        year, month = (int(part) for part in text.split("-"))
        start = date(year, month, 1)
    except ValueError:
        raise InputError(f"--start {text}: expected a month as YYYY-MM") from None
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        raise InputError(f"--start {text}: choose a month between {FIRST_YEAR} and {LAST_YEAR}")
    return start
