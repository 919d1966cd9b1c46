"""The deal-data options, declared once for every command that reads deals.

A command writes one parameter, `data: DataFlags`, where the options belong in its --help;
`data_parameters` puts the options there in the signature typer reads, and hands the command
the values typed as one DataFlags. `since`, `until`, `by` and the process file stay the
command's own (their help differs), set on the flags with `dataclasses.replace`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from salesflow.cli.data import DataFlags
from salesflow.cli.options import (
    DateFormatOption,
    DealsOption,
    HistoryOption,
    HistoryTableOption,
    MapOption,
    NumberFormatOption,
    PresetOption,
    QueryOption,
    SheetOption,
    TableOption,
    TimeoutOption,
    UnmappedOption,
    WhereOption,
)

F = TypeVar("F", bound=Callable[..., Any])
PLACEHOLDER = "data"
NO_FLAGS = DataFlags()  # the placeholder's default: the decorator always passes the flags
# name, annotation, default; in the order of every command's --help
DATA_OPTIONS: tuple[tuple[str, object, object], ...] = (
    ("deals", DealsOption, None),
    ("history", HistoryOption, None),
    ("table", TableOption, None),
    ("sheet", SheetOption, None),
    ("history_table", HistoryTableOption, None),
    ("mapping", MapOption, None),
    ("preset", PresetOption, None),
    ("where", WhereOption, None),
    ("query", QueryOption, None),
    ("timeout", TimeoutOption, None),
    ("date_format", DateFormatOption, None),
    ("number_format", NumberFormatOption, None),
    ("unmapped", UnmappedOption, "error"),
)


def data_parameters(*, without: tuple[str, ...] = ()) -> Callable[[F], F]:
    """The decorated command's `data` parameter becomes the data options (all but `without`,
    which keep DataFlags' defaults) in the signature typer reads."""
    options = [option for option in DATA_OPTIONS if option[0] not in without]
    names = [name for name, _, _ in options]

    def decorate(command: F) -> F:
        # the placeholder's type may be imported for type checking only
        signature = inspect.signature(command, eval_str=True, locals={"DataFlags": DataFlags})
        if PLACEHOLDER not in signature.parameters:
            raise TypeError(f"{command.__name__} has no `{PLACEHOLDER}` parameter")

        @functools.wraps(command)
        def wrapper(**given: Any) -> Any:
            flags = DataFlags(**{name: given.pop(name) for name in names})
            return command(**given, data=flags)

        expanded = _expanded(signature, options)
        wrapper.__signature__ = expanded  # type: ignore[attr-defined]
        # typer also reads the annotations: evaluated here, where DataFlags is known
        wrapper.__annotations__ = {
            **{parameter.name: parameter.annotation for parameter in expanded.parameters.values()},
            "return": expanded.return_annotation,
        }
        return wrapper  # type: ignore[return-value]

    return decorate


def _expanded(
    signature: inspect.Signature, options: list[tuple[str, object, object]]
) -> inspect.Signature:
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name != PLACEHOLDER:
            parameters.append(parameter.replace(kind=keyword))
            continue
        parameters += [
            inspect.Parameter(name, keyword, default=default, annotation=annotation)
            for name, annotation, default in options
        ]
    return signature.replace(parameters=parameters)
