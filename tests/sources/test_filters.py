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
    data = "  where: {region: [US, EU], pipeline: [Sales, Renewals]}\n"
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


def test_deals_of_several_pipelines_none_chosen_are_refused(tmp_path: Path) -> None:
    """Their closed deals would all count in this process's win rate (shared outcome labels)."""
    with pytest.raises(DataError) as error:
        kept_ids(tmp_path, unmapped="ignore")
    message = str(error.value)
    assert message.startswith(str(tmp_path / "deals.csv"))
    assert (
        """column 'pipeline' holds deals of 2 pipelines: "Sales" (3), "Renewals" (2); set """
        "data.pipeline to the pipeline this process describes (one process per pipeline), or, "
        """to analyse several together on purpose, choose them with data.where: {"pipeline": """
        """["Sales", "Renewals"]}, or --where pipeline=Sales --where pipeline=Renewals"""
    ) in message


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ("  pipeline: Renewals\n", ()),
        ("  where: {Pipeline: [Sales, Renewals]}\n", ()),  # several, on purpose
        ("", (("pipeline", "Sales"), ("pipeline", "Renewals"))),
        ("", (("region", ' it\'s "odd" '),)),  # the other filters keep one pipeline
    ],
)
def test_pipelines_chosen_or_one_kept_are_read(
    tmp_path: Path, data: str, where: tuple[tuple[str, str], ...]
) -> None:
    assert kept_ids(tmp_path, data, where=where, unmapped="ignore")


def test_the_pipeline_column_is_the_one_mapped(tmp_path: Path) -> None:
    """With data.columns.pipeline naming `region`, the column `pipeline` is only a column to
    filter: `region` must hold one pipeline."""
    data = "  columns: {pipeline: region}\n  where: {pipeline: [Sales]}\n"
    with pytest.raises(DataError, match="column 'region' holds deals of 3 pipelines"):
        kept_ids(tmp_path, data, unmapped="ignore")
    assert kept_ids(tmp_path, data + "  pipeline: EU\n") == [(2, "A1")]


def test_pipelines_are_counted_among_rows_kept_trimmed_and_not_empty(tmp_path: Path) -> None:
    """Rows data.ignore drops and empty pipelines do not count; values compare trimmed, as the
    filters compare them."""
    deals = "deal_id,stage,pipeline\nA1,Alpha,Sales\nA2,Beta, Sales \nA3,Beta,\nA4,Dead,Old\n"
    data = "  ignore: [Dead]\n"
    built = tables(tmp_path, deals, process=process_yaml(data))
    assert built.con.execute("SELECT count(*) FROM funnel_deals").fetchone() == (3,)
    with pytest.raises(DataError, match='2 pipelines: "Sales" \\(2\\), "Old" \\(1\\);'):
        tables(tmp_path, deals, process=process_yaml())


def test_many_pipelines_name_a_few_then_how_many_more(tmp_path: Path) -> None:
    rows = [f"D{n},Alpha,P{n % 6}" for n in range(30)]
    deals = "deal_id,stage,pipeline\n" + "\n".join(rows) + "\n"
    with pytest.raises(DataError) as error:
        tables(tmp_path, deals)
    listed = '6 pipelines: "P0" (5), "P1" (5), "P2" (5), "P3" (5) and 2 more; set'
    assert listed in str(error.value)
