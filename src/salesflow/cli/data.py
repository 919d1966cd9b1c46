"""Options shared by the commands that read deal data, and the loading they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from salesflow.cli.console import note
from salesflow.config import COMMAND_LINE, resolve
from salesflow.errors import DataError, InputError
from salesflow.model.limits import FIRST_YEAR, LAST_YEAR

if TYPE_CHECKING:
    from salesflow.cli.progress import Silent
    from salesflow.model import Process
    from salesflow.model.data import DataProblem
    from salesflow.sources.canonical import DealTables
    from salesflow.sources.options import DataOptions


@dataclass(frozen=True)
class DataFlags:
    """The raw flags, as typed on the command line."""

    deals: str | None = None
    history: str | None = None
    table: str | None = None
    history_table: str | None = None
    mapping: list[str] | None = None
    date_format: str | None = None
    unmapped: str = "error"
    since: str | None = None
    until: str | None = None
    by: str | None = None
    number_format: str | None = None
    sheet: str | None = None
    preset: str | None = None
    where: list[str] | None = None
    process: str | None = None  # the -p flag: `data.join` files are relative to the process file
    query: str | None = None
    timeout: float | None = None


def data_options(flags: DataFlags) -> DataOptions:
    """Resolve flags against environment and configuration; deal data is required."""
    options = optional_data_options(flags)
    if options is None:
        raise InputError(
            "no deal data: pass --deals FILE, set SALESFLOW_DEALS, or add `deals = ...` "
            "to salesflow.toml"
        )
    return options


def optional_data_options(flags: DataFlags) -> DataOptions | None:
    """Resolve flags against environment and configuration; None when no deal data is set.

    The data settings travel together: with `--deals` on the command line, the history, table
    and date format come from the command line only, never from a configuration written for
    other data."""
    from salesflow.sources.options import DataOptions, Unmapped

    deals = resolve("deals", flags.deals)
    if deals is None:
        return None
    setting = _settings_from(deals.origin)
    window = (_date("--since", flags.since), _date("--until", flags.until))
    if window[0] and window[1] and window[1] < window[0]:
        raise InputError(f"--until {flags.until} is before --since {flags.since}")
    return DataOptions(
        deals=deals.value,
        history=setting("history", flags.history),
        table=setting("table", flags.table),
        history_table=setting("history_table", flags.history_table) or "stage_history",
        mapping=_mapping(flags.mapping or []),
        date_format=setting("date_format", flags.date_format),
        unmapped=Unmapped(flags.unmapped),
        since=window[0],
        until=window[1],
        by=flags.by,
        number_format=flags.number_format,
        sheet=setting("sheet", flags.sheet),
        preset=flags.preset,
        where=tuple(_pairs("--where", flags.where or [], "COLUMN=VALUE", "--where Pipeline=Sales")),
        process_dir=_process_dir(flags.process),
        query=setting("query", flags.query),
        timeout=flags.timeout,
    )


def _process_dir(flag: str | None) -> str | None:
    """The process file's directory, as the commands find the process file."""
    from pathlib import Path

    found = resolve("process", flag)
    return str(Path(found.value).parent) if found else None


def load_tables(process: Process, options: DataOptions) -> DealTables:
    from salesflow.sources.canonical import build
    from salesflow.sources.connection import connect

    return build(connect(), process, options)


UNMAPPED_CODES = ("unmapped-label", "unmapped-lost-stage", "unmapped-status")
# refused whatever --unmapped says
REFUSED_CODES = (
    "amount-out-of-range",
    "ambiguous-amount",
    "unknown-currency",
    "currency-mismatch",
)


def usable_tables(
    process: Process,
    options: DataOptions,
    quiet: bool,
    reported: bool = False,
    shown: Silent | None = None,
) -> DealTables:
    """The canonical tables, once their problems are refused or warned about. How the files
    were read (an encoding guessed, a footer left out) is a note on stderr, unless the command's
    own report carries it (`reported`: analyze, which also needs only aggregates, so a database
    computes them; the other commands fetch each canonical deal from it). Each step is a phase
    of the command's progress (`shown`)."""
    from salesflow.cli.progress import Silent

    shown = shown or Silent()
    shown.phase(reading(options))
    tables = load_tables(process, options)
    if not reported:
        for read_note in tables.read_notes:
            note(f"salesflow: note: {read_note}", quiet)
    rows = tables.rows_read
    shown.phase("checking the deal data" if rows is None else f"checking {rows:,} rows of deals")
    check_usable(tables, quiet)
    if reported or tables.remote is None:
        return tables
    from salesflow.sources.remote.build import fetch_deals

    shown.phase("fetching the deals from the database")
    return fetch_deals(tables)


def reading(options: DataOptions) -> str:
    """The reading phase in words: the file's name; never a database URL, which may hold a
    password."""
    from pathlib import PurePath

    from salesflow.reporters.safety import terminal_line

    if "://" in options.deals:
        return "querying the database"
    return f"reading {terminal_line(PurePath(options.deals).name)}"


def check_usable(tables: DealTables, quiet: bool) -> list[DataProblem]:
    """Refuse unmapped labels unless told to ignore them; warn about every other problem."""
    from salesflow.sources.options import Unmapped
    from salesflow.sources.problems import find_problems

    problems = find_problems(tables)
    history = tables.history.path if tables.history else None
    for problem in problems:
        if problem.code in REFUSED_CODES:
            raise DataError(f"{problem.file}: {_brief(problem, history)}")
        unmapped = problem.code in UNMAPPED_CODES
        if unmapped and tables.options.unmapped is Unmapped.ERROR:
            raise DataError(f"{problem.file}: {problem.summary}")
        note(f"salesflow: warning: {problem.file}: {_brief(problem, history)}", quiet)
    if problems:
        note("salesflow: run `salesflow validate --deals ...` to see the rows", quiet)
    return problems


def _brief(problem: DataProblem, history: str | None) -> str:
    summary = problem.statement
    if problem.code == "unmapped-lost-stage":
        return f"{summary}; those lost stages are ignored"
    if problem.code == "unmapped-status":
        return f"{summary}; these deals are skipped"
    if problem.code == "unmapped-label":
        skipped = "history rows" if problem.file == history else "deals"
        return f"{summary}; these {skipped} are skipped"
    first = problem.examples[0] if problem.examples else None
    return f"{summary} (first: row {first.row})" if first and first.row else summary


Lookup = Callable[[str, str | None], str | None]


def _settings_from(origin: str) -> Lookup:
    """Where the other data settings may come from, given where the deals came from: flags
    always; the environment unless the deals were given as a flag; a configuration file only
    when the deals came from one."""
    if origin == COMMAND_LINE:
        return lambda key, flag: flag
    use_config = origin.endswith(".toml")

    def lookup(key: str, flag: str | None) -> str | None:
        found = resolve(key, flag, use_config=use_config)
        return found.value if found else None

    return lookup


def _mapping(pairs: list[str]) -> dict[str, str]:
    return dict(_pairs("--map", pairs, "KEY=COLUMN", "--map amount=Amount"))


def _pairs(flag: str, pairs: list[str], shape: str, example: str) -> list[tuple[str, str]]:
    parsed = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"{flag} {pair}: expected {shape}, e.g. {example}")
        parsed.append((key.strip(), value.strip()))
    return parsed


def _date(flag: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{flag} {value}: expected a date as YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InputError(f"{flag} {value}: choose a date between {FIRST_YEAR} and {LAST_YEAR}")
    return day
