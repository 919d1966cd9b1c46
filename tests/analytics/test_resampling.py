"""analytics.resampling: every resample has the table's number of stays, each time's ended
stays split between the exits, and the curves average to the table's own (Aalen–Johansen,
Kaplan–Meier) within the Monte Carlo error."""

from __future__ import annotations

import numpy as np
import pytest

from salesflow.analytics.resampling import first_incidence, resampled, staying
from salesflow.analytics.survival import EventTable, aalen_johansen

TABLE = EventTable(
    times=np.array([1.0, 3.0, 4.0, 7.0, 9.0]),
    first=np.array([20.0, 5.0, 0.0, 12.0, 3.0]),
    second=np.array([10.0, 0.0, 8.0, 6.0, 1.0]),
    censored=np.array([2.0, 4.0, 0.0, 9.0, 20.0]),
)


def test_each_resample_has_as_many_stays_as_the_table() -> None:
    draws = resampled(TABLE, 50, np.random.default_rng(1))
    assert draws.events.shape == (50, len(TABLE.times))
    assert np.all(draws.at_risk[:, 0] == TABLE.total)
    assert np.all(draws.at_risk >= draws.events)


def test_curves_average_to_the_tables_own() -> None:
    rng = np.random.default_rng(2)
    draws = resampled(TABLE, 4000, rng)
    own = aalen_johansen(TABLE)
    assert staying(draws).mean(axis=0) == pytest.approx(own.survival, abs=0.01)
    assert first_incidence(draws, TABLE, rng).mean(axis=0) == pytest.approx(own.first, abs=0.01)


def test_a_time_without_first_exits_adds_nothing_to_its_incidence() -> None:
    rng = np.random.default_rng(3)
    curves = first_incidence(resampled(TABLE, 200, rng), TABLE, rng)
    assert np.all(curves[:, 2] == curves[:, 1])  # at 4 days only the second exit happens
