"""The progress the simulations report (analytics.progress): counts that rise to the number of
simulations, one task per simulation, and no change to the result (the callback draws nothing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from salesflow.analytics import simulation
from salesflow.analytics.forecast import MONTHS, PIPELINE, SEARCHING, Request, forecast
from salesflow.analytics.simulation import SIMULATING, simulate
from tests.analytics.test_forecast import DATA

Call = tuple[str, int, int]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[Call] = []

    def __call__(self, task: str, done: int, total: int) -> None:
        self.calls.append((task, done, total))

    def of(self, task: str) -> list[Call]:
        return [call for call in self.calls if call[0] == task]


def test_simulate_reports_each_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulation, "CHUNK", 300)
    heard = Recorder()
    outcome = simulate(DATA.rates, DATA.sizes, 50, 1_000, 3, DATA.dispersion, heard)
    assert heard.calls == [(SIMULATING, done, 1_000) for done in (300, 600, 900, 1_000)]
    unheard = simulate(DATA.rates, DATA.sizes, 50, 1_000, 3, DATA.dispersion)
    assert (outcome.revenue == unheard.revenue).all()


def test_forecast_reports_every_simulation_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulation, "CHUNK", 2_000)
    request = Request(
        leads=40, sims=3_000, seed=4, target=50_000.0, horizon=3, start=date(2025, 11, 1)
    )
    request = replace(request, pipeline=True)
    heard = Recorder()
    result = forecast(DATA, request, heard)
    assert [call[0] for call in heard.calls][:2] == [SIMULATING, SIMULATING]
    assert heard.of(SEARCHING) == [(SEARCHING, 0, 0)]  # a step that is not counted
    for task in (SIMULATING, MONTHS, PIPELINE):
        done = [call[1] for call in heard.of(task)]
        assert done == sorted(done) and done[-1] == 3_000, (task, done)
        assert {call[2] for call in heard.of(task)} == {3_000}
    assert result == forecast(DATA, request)
