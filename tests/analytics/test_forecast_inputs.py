"""What a forecast rests on: the plan in the process file, or deals read from small CSV files
(through the real DealTables): the plan as the rates' prior, stages with no decided deal, few or
no won amounts, the time to win and the open deals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from salesflow.analytics import backtest
from salesflow.analytics.forecast import Inputs
from salesflow.analytics.forecast_inputs import NO_DATES, data_inputs, plan_inputs
from salesflow.analytics.simulation import PLAN_WEIGHT
from salesflow.analytics.timing import WHOLE_CYCLE
from salesflow.errors import InputError
from salesflow.sources.canonical import DealTables
from tests.sources.deal_data import PROCESS_YAML, load, tables

PLANNED = [0.9, 0.95, 0.8, 0.9]  # deal_data's process: stages a, b, c, d; deal size 5,000
NO_PLAN_FOR_D = PROCESS_YAML.replace("expected: {conversion: 0.9, days: 3}", "expected: {days: 3}")
NO_DEAL_SIZE = PROCESS_YAML.replace("assumptions:\n  deal_size: 5000\n", "")

# Three deals lost at a, b and c, two still open at c and a: nobody has decided at stage d.
NO_DECISION_AT_D = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage
L1,Closed Lost,,2024-01-10,2024-01-20,a
L2,Closed Lost,,2024-01-12,2024-02-05,b
L3,Closed Lost,,2024-01-15,2024-02-25,c
O1,Gamma,700,2024-02-01,,
O2,Alpha,300,2024-02-20,,
"""

# Three won (amounts 4,000, 6,000, 8,000; 30, 40 and 60 days from creation), two lost, two open
# (one without an amount).
WON_THREE = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage
W1,Closed Won,4000,2024-01-05,2024-02-04,
W2,Closed Won,6000,2024-01-10,2024-02-19,
W3,Closed Won,8000,2024-02-01,2024-04-01,
L1,Closed Lost,,2024-01-10,2024-01-20,a
L2,Closed Lost,,2024-01-12,2024-03-05,c
O1,Gamma,700,2024-03-01,,
O2,Beta,,2024-03-20,,
"""


@pytest.fixture(scope="module")
def won_three(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    """WON_THREE's inputs, with the open deals."""
    return data_inputs(tables(tmp_path_factory.mktemp("won"), WON_THREE), with_pipeline=True)


@pytest.fixture(scope="module")
def undecided(tmp_path_factory: pytest.TempPathFactory) -> DealTables:
    """NO_DECISION_AT_D, and a plan for d."""
    return tables(tmp_path_factory.mktemp("planned"), NO_DECISION_AT_D)


# ----------------------------------------------------------------------------------- the plan


def test_plan_inputs_come_from_the_process_file() -> None:
    inputs = plan_inputs(load())
    assert inputs.source == "plan"
    assert inputs.rates.expected().tolist() == PLANNED
    assert inputs.rates.plan_weight().tolist() == [0.0] * 4
    assert inputs.sizes.model == "plan"
    assert inputs.sizes.mean == 5_000.0
    assert inputs.closed_deals == 0
    assert inputs.open_deals is None
    assert inputs.dispersion.rho == 0.0
    # days 5 + 10 + 7 + 3 = 25: the median of the planned time to win
    assert inputs.lag.weights[inputs.lag.days < 25.0].sum() == pytest.approx(0.5)
    assert any("process noise only" in note for note in inputs.notes)


def test_plan_inputs_refuse_a_plan_with_gaps() -> None:
    with pytest.raises(InputError, match=r"expected\.conversion for d"):
        plan_inputs(load(NO_PLAN_FOR_D))
    with pytest.raises(InputError, match="deal_size"):
        plan_inputs(load(NO_DEAL_SIZE))


# ---------------------------------------------------------------------------------- the data


def test_the_plan_is_the_prior_of_the_observed_rates(won_three: Inputs) -> None:
    inputs = won_three
    assert inputs.source == "data"
    assert inputs.closed_deals == 5
    assert inputs.rates.prior is not None
    assert inputs.rates.prior.tolist() == PLANNED
    successes, failures = inputs.rates.evidence()
    decided = successes + failures
    # each stage's posterior mean is the plan and the data, the plan weighing PLAN_WEIGHT deals
    weight = inputs.rates.plan_weight()
    assert weight.tolist() == pytest.approx((PLAN_WEIGHT / (PLAN_WEIGHT + decided)).tolist())
    expected = (successes + PLAN_WEIGHT * np.array(PLANNED)) / (decided + PLAN_WEIGHT)
    assert inputs.rates.expected().tolist() == pytest.approx(expected.tolist())
    assert inputs.notes[0] == "rates rest on 5 closed deals"


def test_a_stage_nobody_decided_is_refused_for_the_pipeline_without_a_plan(
    tmp_path: Path,
) -> None:
    data = tables(tmp_path, NO_DECISION_AT_D, process=NO_PLAN_FOR_D)
    with pytest.raises(InputError, match="stage d has no decided deal") as refused:
        data_inputs(data, with_pipeline=True)
    assert "expected.conversion" in str(refused.value)
    # without the pipeline the stage is a uniform prior, and the notes say so
    inputs = data_inputs(data)
    assert inputs.rates.expected()[3] == 0.5
    assert any("stage d has no decided deal" in n and "uniform prior" in n for n in inputs.notes)


def test_a_stage_nobody_decided_uses_its_plan_and_says_so(undecided: DealTables) -> None:
    inputs = data_inputs(undecided, with_pipeline=True)
    assert inputs.rates.plan_weight()[3] == 1.0
    assert inputs.rates.expected()[3] == pytest.approx(0.9)
    assert any("stage d has no decided deal" in n and "its plan" in n for n in inputs.notes)
    assert inputs.open_deals is not None
    assert inputs.open_deals.deals == 2
    # the open deals at c and at a have a chance to win through d at its plan: not 0
    assert inputs.open_deals.expected(inputs.rates) > 0


def test_few_won_amounts_lean_on_the_plans_deal_size(won_three: Inputs, tmp_path: Path) -> None:
    inputs = won_three
    assert inputs.sizes.observed == 3
    assert inputs.sizes.model == "lognormal"
    assert inputs.amounts_from == "won"
    assert inputs.sizes.planned == 5_000.0
    assert any("3 won amount(s)" in n and "leans on the plan" in n for n in inputs.notes)
    # and without a plan, the three amounts alone: no such note
    alone = data_inputs(tables(tmp_path, WON_THREE, process=NO_DEAL_SIZE))
    assert alone.sizes.planned is None
    assert not any("leans on the plan" in n for n in alone.notes)


def test_no_won_amounts_and_no_deal_size_sizes_wins_from_the_other_deals(tmp_path: Path) -> None:
    inputs = data_inputs(tables(tmp_path, NO_DECISION_AT_D, process=NO_DEAL_SIZE))
    assert inputs.sizes.amounts is not None
    assert sorted(inputs.sizes.amounts.tolist()) == [300.0, 700.0]
    assert inputs.sizes.mean == pytest.approx(500.0)
    assert inputs.amounts_from == "open_and_lost"
    assert any("sized from the amounts of 2 open and lost deals" in n for n in inputs.notes)


def test_no_amount_anywhere_and_no_deal_size_is_refused(tmp_path: Path) -> None:
    no_amounts = NO_DECISION_AT_D.replace(",700,", ",,").replace(",300,", ",,")
    with pytest.raises(InputError, match="no won amounts"):
        data_inputs(tables(tmp_path, no_amounts, process=NO_DEAL_SIZE))


def test_no_closed_deals_is_refused(tmp_path: Path) -> None:
    only_open = "deal_id,stage,amount,created_at\nO1,Gamma,700,2024-02-01\n"
    with pytest.raises(InputError, match="no closed deals"):
        data_inputs(tables(tmp_path, only_open))


def test_the_time_to_win_comes_from_the_won_deals_cycle(won_three: Inputs) -> None:
    """Won 30, 40 and 60 days after creation; the open deals are younger than 30 days at the
    end of the data (2024-04-01) except O1 (31 days), which weighs on the 40 and 60."""
    inputs = won_three
    assert inputs.lag.days.tolist() == [30.0, 40.0, 60.0]
    assert inputs.lag.weights.sum() == pytest.approx(1.0)
    assert inputs.lag.weights[0] < 1 / 3 < inputs.lag.weights[2]


def test_open_deals_without_an_amount_count_at_the_average_won_amount(won_three: Inputs) -> None:
    inputs = won_three
    groups = inputs.open_deals
    assert groups is not None
    assert groups.deals == 2
    assert sorted(groups.amount.tolist()) == [700.0, 6_000.0]
    assert inputs.data_end is not None
    assert inputs.data_end.isoformat() == "2024-04-01"


def test_few_cohorts_no_dispersion_and_a_note(won_three: Inputs) -> None:
    inputs = won_three
    assert inputs.dispersion.rho == 0.0
    assert any("cohort-to-cohort variation not measured" in n for n in inputs.notes)
    assert inputs.dispersion.cohorts == 0


# Won amounts and open deals written out of order: the seeded draws take them by position, so
# they come in a fixed order whatever order a (parallel) scan returns them in.
SHUFFLED = """\
deal_id,stage,amount,created_at,closed_at,lost_at_stage
W3,Closed Won,8000,2024-02-01,2024-04-01,
W1,Closed Won,4000,2024-01-05,2024-02-04,
W2,Closed Won,6000,2024-01-10,2024-02-19,
O2,Gamma,900,2024-03-20,,
O1,Alpha,700,2024-03-01,,
O3,Alpha,300,2024-03-01,,
"""


def test_amounts_and_open_deals_come_in_a_fixed_order(tmp_path: Path) -> None:
    built = tables(tmp_path, SHUFFLED)
    found = data_inputs(built, with_pipeline=True)
    assert found.sizes.amounts is not None
    assert found.sizes.amounts.tolist() == [4000.0, 6000.0, 8000.0]
    assert found.open_deals is not None
    assert found.open_deals.stage.tolist() == sorted(found.open_deals.stage.tolist())
    cutoff = backtest._won_amounts(built, date(2024, 12, 31))
    assert cutoff.tolist() == [4000.0, 6000.0, 8000.0]


# ------------------------------------------------------------------- when open deals land


def test_open_deals_of_a_current_stage_export_have_the_rest_of_the_sales_cycle_to_go(
    won_three: Inputs,
) -> None:
    """No stage entry dates: every stage added 0 days, so the open deals landed on the last day
    of the data. Their ages count from creation (O2 12 days, O1 31 days at 2024-04-01) and the
    time from lead to won (30, 40, 60 days) beyond them is still to go."""
    groups = won_three.open_deals
    assert groups is not None
    assert groups.stage.tolist() == [1, 2]  # O2 in Beta, O1 in Gamma
    assert set(groups.to_go[0].tolist()) == {18.0, 28.0, 48.0}
    assert set(groups.to_go[1].tolist()) == {9.0, 29.0}
    assert won_three.lead_time_note is None  # measured
    assert won_three.open_time_notes == [WHOLE_CYCLE]


def test_open_deals_without_any_date_take_the_plans_time_from_the_first_month(
    tmp_path: Path,
) -> None:
    """No dates at all: everything once landed in the first month. The deals count as just
    arrived, with the whole time from lead to won to go: the plan's 25 days (5 + 10 + 7 + 3)."""
    undated = "\n".join(
        ",".join(cell for k, cell in enumerate(line.split(",")) if k not in (3, 4))
        for line in WON_THREE.splitlines()
    )
    inputs = data_inputs(tables(tmp_path, undated), with_pipeline=True)
    assert inputs.data_end is None
    groups = inputs.open_deals
    assert groups is not None
    for to_go in groups.to_go:
        assert np.median(to_go) == pytest.approx(25.0, rel=0.1)
    assert inputs.lead_time_note == (
        "no won deal in the data has both dates (first seen, closed): the time from lead to won "
        "is the stages' days summed instead (25 days, from the plan's expected.days)"
    )
    assert inputs.open_time_notes == [NO_DATES]


def test_an_open_deal_older_than_any_win_is_named(tmp_path: Path) -> None:
    stale = WON_THREE + "O3,Alpha,500,2023-11-01,,\n"
    inputs = data_inputs(tables(tmp_path, stale), with_pipeline=True)
    assert any(note.startswith("1 open deal has waited longer") for note in inputs.open_time_notes)


# ------------------------------------------------------------- won amounts of 0 or less


def test_a_free_pilot_among_the_wins_keeps_the_lognormal_and_says_so(tmp_path: Path) -> None:
    free = WON_THREE.replace("W1,Closed Won,4000,", "W1,Closed Won,0,")
    inputs = data_inputs(tables(tmp_path, free))
    assert inputs.sizes.model == "lognormal"
    assert (
        "1 of 3 won amounts is 0: the deal size is a lognormal fitted to the 2 positive ones, "
        "and a share of the wins, about 1 in 3, is worth 0"
    ) in inputs.notes
    # the plan centres the two positive amounts, and the note counts them
    assert any(n.startswith("2 positive won amount(s), fewer than 20") for n in inputs.notes)


def test_a_won_amount_below_0_gets_a_note(tmp_path: Path) -> None:
    credit = WON_THREE.replace("W1,Closed Won,4000,", "W1,Closed Won,-500,")
    inputs = data_inputs(tables(tmp_path, credit))
    assert inputs.sizes.model == "lognormal"
    assert inputs.sizes.others.tolist() == [-500.0]
    note = next(n for n in inputs.notes if n.startswith("1 of 3 won amounts is below 0"))
    assert note.endswith(
        "is worth that amount; a won amount below 0 lowers the revenue: check the data"
    )
