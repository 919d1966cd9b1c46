"""data.where, --where and data.pipeline: rows kept, row numbers unchanged, values bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.errors import DataError
from tests.sources.deal_data import process_yaml, report, tables

DEALS = (
    "deal_id,stage,pipeline,region\n"
    "A1,Alpha,Sales,EU\n"
    "A2,Closed Won,Sales,US\n"
    "A3,Beta,Renewals,EU\n"
    'A4,Gamma,Sales,"it\'s ""odd"""\n'
    "A5,zzz,Renewals,US\n"
)


def kept_ids(directory: Path, data: str = "", **options: object) -> list[tuple[int, str]]:
    built = tables(directory, DEALS, process=process_yaml(data), **options)
    return [
        (int(r), str(i)) for r, i in built.con.execute("SELECT _row, deal_id FROM deals").fetchall()
    ]


def test_pipeline_keeps_its_rows_with_their_file_row_numbers(tmp_path: Path) -> None:
    assert kept_ids(tmp_path, "  pipeline: Renewals\n", unmapped="ignore") == [(4, "A3"), (6, "A5")]


def test_where_list_is_membership_and_where_flag_replaces_it(tmp_path: Path) -> None:
    data = "  where: {region: [US, EU]}\n"
    assert len(kept_ids(tmp_path, data, unmapped="ignore")) == 4
    flag = (("region", "EU"),)
    assert kept_ids(tmp_path, data, where=flag) == [(2, "A1"), (4, "A3")]
    both = (("Region", "EU"), ("region", "US"))  # same column twice: either value
    assert [r for r, _ in kept_ids(tmp_path, data, where=both, unmapped="ignore")] == [2, 3, 4, 6]


def test_a_value_with_quotes_is_bound_not_pasted(tmp_path: Path) -> None:
    assert kept_ids(tmp_path, where=(("region", ' it\'s "odd" '),)) == [(5, "A4")]


def test_filtered_out_rows_are_not_problems(tmp_path: Path) -> None:
    # A5's stage matches nothing, but the Sales pipeline leaves it out.
    funnel = report(tmp_path, DEALS, process=process_yaml("  pipeline: Sales\n")).funnel
    assert (funnel.deals.total, funnel.deals.won, funnel.deals.open) == (3, 1, 2)


def test_missing_filter_column_lists_the_columns(tmp_path: Path) -> None:
    with pytest.raises(
        DataError,
        match=r"no column 'segment' \(--where segment=x\); its columns: "
        r"deal_id, stage, pipeline, region",
    ):
        kept_ids(tmp_path, where=(("segment", "x"),))


def test_a_filter_that_keeps_nothing_names_the_values(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        kept_ids(tmp_path, "  pipeline: Upsell\n")
    assert 'no row has pipeline "Upsell"; its values: "Sales" (3), "Renewals" (2)' in str(
        error.value
    )


def test_pipeline_without_its_column(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no column 'team' \(data.columns.pipeline"):
        kept_ids(tmp_path, "  pipeline: Sales\n  columns: {pipeline: team}\n")
