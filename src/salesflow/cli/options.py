"""Options shared by several commands, declared once; and the choices typer checks (and shell
completion offers) for the options that take one of a few values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias

import typer

from salesflow.reporters import (
    ANALYZE_FORMATS,
    BACKTEST_FORMATS,
    DIFF_FORMATS,
    FORECAST_FORMATS,
    IMPACT_FORMATS,
    VALIDATION_FORMATS,
)

# Each command's --format: the names of its reporters. To mypy a choice is a str; to typer a
# Literal of the names, so that a wrong one is refused with the choices (cli/usage.py).
if TYPE_CHECKING:
    ValidationFormat: TypeAlias = str
    AnalyzeFormat: TypeAlias = str
    ForecastFormat: TypeAlias = str
    BacktestFormat: TypeAlias = str
    DiffFormat: TypeAlias = str
    ImpactFormat: TypeAlias = str
else:
    ValidationFormat = Literal[VALIDATION_FORMATS.names]
    AnalyzeFormat = Literal[ANALYZE_FORMATS.names]
    ForecastFormat = Literal[FORECAST_FORMATS.names]
    BacktestFormat = Literal[BACKTEST_FORMATS.names]
    DiffFormat = Literal[DIFF_FORMATS.names]
    ImpactFormat = Literal[IMPACT_FORMATS.names]
Unmapped = Literal["error", "ignore"]  # as salesflow.sources.options.Unmapped
Preset = Literal["hubspot", "salesforce", "pipedrive"]  # as salesflow.model.process.Preset
NumberFormat = Literal["1,234.56", "1.234,56", "1 234,56", "1'234.56"]  # sources.parse

# The most leads `--leads` takes (forecast, diff): binomial draws stay exact in 64-bit integers
# well past this.
MAX_LEADS = 10**12

ProcessOption = Annotated[
    str | None,
    typer.Option(
        "--process",
        "-p",
        help="Process file (default: from salesflow.toml, pyproject.toml or ./process.yaml).",
        metavar="FILE",
        show_default=False,
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file instead of stdout.",
        show_default=False,
        metavar="FILE",
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite existing files.")]
NoColorOption = Annotated[
    bool, typer.Option("--no-color", help="Plain output without colours (also: NO_COLOR=1).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the result.")]

# Deal data, for the commands that read it.
DealsOption = Annotated[
    str | None,
    typer.Option(
        "--deals",
        help="Deal data: CSV (plain, .gz or a glob), Parquet, DuckDB, SQLite, .xlsx, .xls or "
        ".ods, or a database URL: postgresql://, snowflake://, bigquery://, databricks://, "
        "trino:// (default: SALESFLOW_DEALS or `deals` in salesflow.toml).",
        metavar="FILE|URL",
        show_default=False,
    ),
]
HistoryOption = Annotated[
    str | None,
    typer.Option(
        "--history",
        help="Stage history: one row per stage a deal entered (CSV, Parquet, DuckDB, or the "
        "deals' database URL with --history-table).",
        metavar="FILE",
        show_default=False,
    ),
]
TableOption = Annotated[
    str | None,
    typer.Option(
        "--table",
        help="Table of a database or a DuckDB/SQLite deals file [default: deals].",
        metavar="NAME",
    ),
]
HistoryTableOption = Annotated[
    str | None,
    typer.Option(
        "--history-table",
        help="Table of a database or a DuckDB history file [default: stage_history].",
        metavar="NAME",
    ),
]
QueryOption = Annotated[
    str | None,
    typer.Option(
        "--query",
        help="The deals as one SELECT, in the database's own SQL (instead of --table).",
        metavar="SQL",
        show_default=False,
    ),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        help="Seconds a database may spend on one query before it is cancelled.",
        metavar="SECONDS",
        min=0.001,
        show_default=False,
    ),
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="Column mapping KEY=COLUMN, repeatable; keys: id, stage, status, amount, created, "
        "closed, owner, lost_stage, stage_dates.STAGE, history.deal|stage|entered.",
        metavar="KEY=COLUMN",
        show_default=False,
    ),
]
DateFormatOption = Annotated[
    str | None,
    typer.Option(
        "--date-format",
        help="strftime format of every text date column, e.g. %d/%m/%Y [default: the process "
        "file's data.date_format, else detected per column].",
        metavar="FORMAT",
    ),
]
NumberFormatOption = Annotated[
    NumberFormat | None,
    typer.Option(
        "--number-format",
        help="How text amounts write thousands and decimals: 1,234.56, 1.234,56, 1 234,56 or "
        "1'234.56 [default: the process file's data.number_format].",
        metavar="FORMAT",
    ),
]
UnmappedOption = Annotated[
    Unmapped,
    typer.Option(
        "--unmapped",
        help="Stage labels that match no stage: 'error', or 'ignore' to skip those deals.",
        metavar="MODE",
    ),
]
SheetOption = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="Sheet of an .xlsx, .xls or .ods deals file [default: the first].",
        metavar="NAME",
    ),
]
PresetOption = Annotated[
    Preset | None,
    typer.Option(
        "--preset",
        help="The CRM whose standard export the data is: hubspot, salesforce or pipedrive "
        "[default: the process file's data.preset].",
        metavar="CRM",
    ),
]
WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        help="Read only rows whose COLUMN equals VALUE; repeatable (the same column twice: "
        "either value).",
        metavar="COLUMN=VALUE",
        show_default=False,
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since", help="Only deals created on or after this date (YYYY-MM-DD).", metavar="DATE"
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until", help="Only deals created on or before this date (YYYY-MM-DD).", metavar="DATE"
    ),
]
