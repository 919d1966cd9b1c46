"""`salesflow backtest`: how good would the forecast have been, cutoff by cutoff."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from salesflow.cli.console import deliver, use_color
from salesflow.cli.data import (
    DataFlags,
    data_options,
    usable_tables,
)
from salesflow.cli.errors import guarded
from salesflow.cli.options import (
    DateFormatOption,
    DealsOption,
    ForceOption,
    HistoryOption,
    HistoryTableOption,
    MapOption,
    NoColorOption,
    NumberFormatOption,
    OutputOption,
    PresetOption,
    ProcessOption,
    QueryOption,
    QuietOption,
    SheetOption,
    TableOption,
    TimeoutOption,
    UnmappedOption,
    WhereOption,
)
from salesflow.cli.process import load_valid_process
from salesflow.errors import InputError
from salesflow.reporters import BACKTEST_FORMATS

FORMAT_HELP = f"Output format: {', '.join(BACKTEST_FORMATS)}."
FIRST_YEAR, LAST_YEAR = 1900, 2200  # as salesflow.analytics.backtest (not imported at startup)
MAX_CUTOFFS = 600
PERIODS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


@guarded
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
        str | None,
        typer.Option(
            "--every",
            help="Cutoffs at the start of every month, quarter, half or year [default: month].",
            metavar="PERIOD",
        ),
    ] = None,
    horizon: Annotated[
        int,
        typer.Option(
            "--horizon", help="Months of leads forecast after each cutoff.", metavar="MONTHS"
        ),
    ] = 3,
    sims: Annotated[
        int, typer.Option("--sims", help="Simulations per cutoff.", metavar="N")
    ] = 20_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.", metavar="N")] = 1,
    process: ProcessOption = None,
    deals: DealsOption = None,
    history: HistoryOption = None,
    table: TableOption = None,
    sheet: SheetOption = None,
    history_table: HistoryTableOption = None,
    mapping: MapOption = None,
    preset: PresetOption = None,
    where: WhereOption = None,
    query: QueryOption = None,
    timeout: TimeoutOption = None,
    date_format: DateFormatOption = None,
    number_format: NumberFormatOption = None,
    unmapped: UnmappedOption = "error",
    output_format: Annotated[
        str, typer.Option("--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
    ] = "text",
    output: OutputOption = None,
    force: ForceOption = False,
    no_color: NoColorOption = False,
    quiet: QuietOption = False,
) -> None:
    """Replay past cutoffs: forecast with what was known then, compare with what happened."""
    from salesflow.analytics.backtest import Settings, backtest, period_cutoffs

    render = BACKTEST_FORMATS.renderer(output_format)
    if not 1 <= horizon <= 24:
        raise InputError(f"--horizon {horizon}: choose between 1 and 24 months")
    if not 100 <= sims <= 1_000_000:
        raise InputError(f"--sims {sims}: choose between 100 and 1,000,000")
    if not 0 <= seed < 2**63:
        raise InputError(f"--seed {seed}: must be 0 or more")
    if cutoff and every:
        raise InputError("give --cutoff dates or --every PERIOD, not both")
    given = _dates(cutoff) if cutoff else None
    period = _period(every) if given is None else 0
    flags = DataFlags(
        deals,
        history,
        table,
        history_table,
        mapping,
        date_format,
        unmapped,
        number_format=number_format,
        sheet=sheet,
        preset=preset,
        where=where,
        query=query,
        timeout=timeout,
        process=process,
    )
    tables = usable_tables(load_valid_process(process), data_options(flags), quiet)
    try:
        cutoffs = given if given is not None else period_cutoffs(tables, period)
        result = backtest(tables, Settings(cutoffs, horizon, sims, seed))
    except ValueError:
        raise InputError(f"{tables.deals.path} has no dated deals to replay") from None
    text = render(result, use_color(no_color) and output is None)
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


def _period(every: str | None) -> int:
    name = every or "month"
    if name not in PERIODS:
        raise InputError(f"--every {name}: choose one of {', '.join(PERIODS)}")
    return PERIODS[name]
