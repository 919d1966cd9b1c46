"""`salesflow schema`: the JSON Schema of the process format, for editors and CI."""

from __future__ import annotations

from salesflow.cli.console import deliver
from salesflow.cli.errors import guarded
from salesflow.cli.options import ForceOption, OutputOption


@guarded
def command(output: OutputOption = None, force: ForceOption = False) -> None:
    """Print the JSON Schema of the process file format."""
    from salesflow.model.schema import process_schema_text

    text = process_schema_text()
    deliver(text, output, force)
