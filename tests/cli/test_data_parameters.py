"""The deal-data options are declared once (cli/data_parameters.py) and reach every command."""

from __future__ import annotations

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from salesflow.cli.app import build
from salesflow.cli.data import DataFlags
from salesflow.cli.data_parameters import DATA_OPTIONS, NO_FLAGS, data_parameters

READERS = {  # command → the data options it leaves out
    "analyze": (),
    "backtest": (),
    "forecast": (),
    "impact": (),
    "log": (),
    "onboard": ("number_format",),
    "validate": ("deals", "unmapped"),  # validate's --deals is its own
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_every_command_that_reads_deals_has_the_data_options(name: str) -> None:
    group = typer.main.get_command(build([name]))
    assert isinstance(group, TyperGroup)
    found = {parameter.name for parameter in group.commands[name].params}
    expected = {option for option, _, _ in DATA_OPTIONS} - set(READERS[name])
    assert expected <= found
    assert not set(READERS[name]) - {"deals"} & found


def _app(captured: list[DataFlags]) -> typer.Typer:
    app = typer.Typer(add_completion=False)

    @app.command()
    @data_parameters(without=("sheet",))
    def command(
        label: str = "x",
        data: DataFlags = NO_FLAGS,
        quiet: bool = False,
    ) -> None:
        captured.append(data)

    return app


def test_the_typed_values_arrive_as_one_dataflags() -> None:
    captured: list[DataFlags] = []
    result = CliRunner().invoke(
        _app(captured),
        ["--deals", "d.csv", "--map", "id=Ref", "--map", "stage=Step", "--timeout", "2.5"],
    )
    assert result.exit_code == 0, result.output
    assert captured == [
        DataFlags(deals="d.csv", mapping=["id=Ref", "stage=Step"], timeout=2.5, unmapped="error")
    ]


def test_a_left_out_option_is_not_offered() -> None:
    result = CliRunner().invoke(_app([]), ["--sheet", "Deals"])
    assert result.exit_code == 2
    assert "--sheet" in result.output


def test_the_options_take_the_place_of_the_placeholder_in_the_help() -> None:
    command = typer.main.get_command(_app([]))
    names = [parameter.name for parameter in command.params]
    assert names[0] == "label" and names[-1] == "quiet"
    assert names[1:-1] == [option for option, _, _ in DATA_OPTIONS if option != "sheet"]


def test_a_command_without_the_placeholder_is_a_programming_error() -> None:
    def command(quiet: bool = False) -> None: ...

    with pytest.raises(TypeError, match="no `data` parameter"):
        data_parameters()(command)
