"""`salesflow backtest`: how good would the forecast have been, cutoff by cutoff."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Literal

import typer

from salesflow.cli.console import deliver, render_report
from salesflow.cli.data import (
    DataFlags,
    data_options,
    usable_tables,
)
from salesflow.cli.data_parameters import NO_FLAGS, data_parameters
from salesflow.cli.errors import guarded
from salesflow.cli.options import (
    BacktestFormat,
    ForceOption,
    NoColorOption,
    OutputOption,
    ProcessOption,
    QuietOption,
)
from salesflow.cli.process import load_valid_process
from salesflow.cli.progress import progress
from salesflow.cli.warm import warm_up
from salesflow.errors import InputError
from salesflow.model.limits import FIRST_YEAR, LAST_YEAR
from salesflow.reporters import BACKTEST_FORMATS

FORMAT_HELP = f"Output format: {', '.join(BACKTEST_FORMATS)}."
MAX_CUTOFFS = 600
PERIODS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
Period = Literal["month", "quarter", "half", "year"]


@guarded
@data_parameters()
def command(
    cutoff: Annotated[
        list[str] | None,
        typer.Option(
            "--cutoff",
            help="A past date to replay from (YYYY-MM-DD); repeatable.",
            metavar="DATE",
            show_default=False,
        ),
    ] = None,
    every: Annotated[
        Period | None,
        typer.Option(
            "--every",
            help="Cutoffs at the start of every month, quarter, half or year [default: month].",
            metavar="PERIOD",
        ),
    ] = None,
    horizon: Annotated[
        int,
        typer.Option(
            "--horizon",
            help="Months of leads forecast after each cutoff.",
            metavar="MONTHS",
            min=1,
            max=24,
        ),
    ] = 3,
    sims: Annotated[
        int,
        typer.Option("--sims", help="Simulations per cutoff.", metavar="N", min=100, max=1_000_000),
    ] = 20_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed.", metavar="N", min=0, max=2**63 - 1)
    ] = 1,
    process: ProcessOption = None,
    data: DataFlags = NO_FLAGS,
    output_format: Annotated[
        BacktestFormat, typer.Option("--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
    ] = "text",
    output: OutputOption = None,
    force: ForceOption = False,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """Replay past cutoffs: forecast with what was known then, compare with what happened."""
    warm_up("salesflow.analytics.backtest")
    render = BACKTEST_FORMATS.renderer(output_format)
    if cutoff and every:
        raise InputError("give --cutoff dates or --every PERIOD, not both")
    given = _dates(cutoff) if cutoff else None
    period = PERIODS[every or "month"] if given is None else 0
    flags = replace(data, process=process)
    with progress(quiet) as shown:
        loaded = load_valid_process(process)
        tables = usable_tables(loaded, data_options(flags), quiet, shown=shown)
        shown.phase("replaying the cutoffs")
        from salesflow.analytics.backtest import Settings, backtest, period_cutoffs

        try:
            cutoffs = given if given is not None else period_cutoffs(tables, period)
            result = backtest(tables, Settings(cutoffs, horizon, sims, seed))
        except ValueError:
            raise InputError(f"{tables.deals.path} has no dated deals to replay") from None
    text = render_report(render, result, no_color, output)
    deliver(text, output, force)


def _dates(values: list[str]) -> list[date]:
    if len(values) > MAX_CUTOFFS:
        raise InputError(f"{len(values)} --cutoff dates: at most {MAX_CUTOFFS}")
    dates = []
    for value in values:
        try:
            dates.append(date.fromisoformat(value))
        except ValueError:
            raise InputError(f"--cutoff {value}: expected a date as YYYY-MM-DD") from None
        if not FIRST_YEAR <= dates[-1].year <= LAST_YEAR:
            raise InputError(
                f"--cutoff {value}: choose a date between {FIRST_YEAR} and {LAST_YEAR}"
            )
    return sorted(dates)
