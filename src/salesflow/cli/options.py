"""Options shared by several commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

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
        "--output", "-o", help="Write to this file instead of stdout.", show_default=False
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite existing files.")]
NoColorOption = Annotated[
    bool, typer.Option("--no-color", help="Plain output without colours (also: NO_COLOR=1).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the result.")]
