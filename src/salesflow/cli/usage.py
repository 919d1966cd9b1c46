"""One style for the help and the usage errors of every command.

- Placeholders: an argument or an option value shows its UPPERCASE metavar alone (`DIR`, `FILE`,
  `N`): typer would add the Python type to arguments (`DIR <str>`) and put braces around required
  ones in the usage line (`{A}`).
- A usage error (an unknown option, a missing argument, a value out of range or not among the
  choices) is one line on stderr and exit 2, like every other error:
  `salesflow: error: --sims 5: must be 100 or more`. Only the help that `salesflow` alone prints
  is not an error.

typer 0.29 carries its own copy of click (`typer._click`); its exceptions come from there.
"""

from __future__ import annotations

from typing import IO, Any

from typer._click.core import Context, Parameter
from typer._click.exceptions import (
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup

SHOWN_CHARS = 24  # a longer value is cut in the message: `--leads 10000000000000000000…`
PYDANTIC_REASONS = {
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "bool_parsing": "expected true or false",
}


class OneLineUsageError(UsageError):
    """A usage error shown as `salesflow: error: MESSAGE`, without the usage lines."""

    def show(self, file: IO[Any] | None = None) -> None:
        from salesflow.cli.errors import report_error

        report_error(f"error: {self.message}")


class Command(TyperCommand):
    """A command whose help and usage line show arguments by their metavar alone."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(_usage_piece(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"Arguments": [], "Options": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                sections["Arguments"].append((placeholder(param), record[1]))
            else:
                sections["Options"].append(record)
        for title, records in sections.items():
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


class Group(TyperGroup):
    """The `salesflow` command: its usage errors, and those of its commands, are one line."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as error:
            raise _one_line(error, info_name or "salesflow") from None

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as error:
            command = " ".join(filter(None, [ctx.command_path, ctx.invoked_subcommand]))
            raise _one_line(error, command) from None


def placeholder(argument: Parameter) -> str:
    """An argument's name in the help: its metavar (or name) in capitals, `...` when repeatable."""
    name = argument.metavar or (argument.name or "").upper()
    return f"{name}..." if argument.nargs != 1 else name


def _usage_piece(argument: Parameter) -> str:
    name = argument.metavar or (argument.name or "").upper()
    piece = name if argument.required else f"[{name}]"
    return f"{piece}..." if argument.nargs != 1 else piece


def _one_line(error: UsageError, command: str) -> UsageError:
    if isinstance(error, (NoArgsIsHelpError, OneLineUsageError)):
        return error  # `salesflow` alone prints the help; already converted
    return OneLineUsageError(usage_message(error, command), error.ctx)


def usage_message(error: UsageError, command: str) -> str:
    """The one line for a usage error: `--FLAG VALUE: reason` for a bad value, else click's
    message and where the help is (`command`, when the error does not know its command)."""
    missing = isinstance(error, MissingParameter)
    if isinstance(error, BadParameter) and not missing and error.param is not None:
        return _bad_value(error, error.param)
    message = error.format_message().rstrip(".")
    path = error.ctx.command_path if error.ctx is not None else command
    return f"{message}; see `{path} -h`"


def _bad_value(error: BadParameter, param: Parameter) -> str:
    given, kind = _input(error)
    reason = _choices(param) or _range(param, given) or PYDANTIC_REASONS.get(kind or "")
    if reason is None:
        reason = error.message.removeprefix("Value error, ").rstrip(".")
    flag = _flag(param)
    if given is None:
        return f"{flag}: {reason}"
    return f"{flag} {_shown(given)}: {reason}"


def _shown(given: str) -> str:
    """The value as typed; quoted when blank, cut when long."""
    if not given.strip():
        return repr(given)
    return given if len(given) <= SHOWN_CHARS else f"{given[: SHOWN_CHARS - 4]}…"


def _input(error: BadParameter) -> tuple[str | None, str | None]:
    """The value typed, and pydantic's error type, from the validation error typer raised."""
    from pydantic import ValidationError

    cause = error.__cause__
    details = cause.errors() if isinstance(cause, ValidationError) else []
    if not details:
        return None, None
    return str(details[0]["input"]), details[0]["type"]


def _flag(param: Parameter) -> str:
    if isinstance(param, TyperArgument):
        return placeholder(param)
    long = [name for name in param.opts if name.startswith("--")]
    return (long or param.opts)[0]


def _choices(param: Parameter) -> str | None:
    descriptor = getattr(param, "type_descriptor", None)
    choices = descriptor.choices if descriptor is not None else None
    if not choices:
        return None
    return "choose one of " + ", ".join(str(getattr(c, "value", c)) for c in choices)


def _range(param: Parameter, given: str | None) -> str | None:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    try:
        number = float(given) if given is not None else None
    except ValueError:
        return None
    if number is None:
        return None
    if low is not None and number < low:
        return f"must be {_number(low)} or more"
    if high is not None and number > high:
        return f"must be at most {_number(high)}"
    return None


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"
