"""Every status value maps (won, lost, open, a stage label) or is ignored; data.ignore drops
rows of a status or stage value and counts them."""

from __future__ import annotations

from pathlib import Path

from salesflow.sources.options import Unmapped
from tests.sources.deal_data import problems, process_yaml, report

DEALS = """\
deal_id,stage,status
D1,Alpha,open
D2,Beta,won
D3,Beta,Deleted
D4,Gamma,pending
D5,Alpha,lost
D6,Beta,PENDING
D7,Gamma,Beta
D8,Removed,open
"""


def codes(directory: Path, data: str = "") -> dict[str, tuple[int, list[int], str]]:
    found = problems(directory, DEALS, process=process_yaml(data))
    return {p.code: (p.count, [e.row for e in p.examples], p.statement) for p in found}


def test_unknown_status_values_are_refused_with_counts_and_rows(tmp_path: Path) -> None:
    found = codes(tmp_path, "  ignore: [deleted, removed]\n")
    count, rows, statement = found["unmapped-status"]
    assert count == 2 and rows == [5]
    assert '"pending" (2)' in statement


def test_without_ignore_deleted_is_unmapped_too(tmp_path: Path) -> None:
    count, rows, statement = codes(tmp_path)["unmapped-status"]
    assert count == 3 and rows == [5, 4]
    assert '"Deleted" (1)' in statement


def test_ignored_rows_are_dropped_and_counted(tmp_path: Path) -> None:
    data = "  ignore: [Deleted, Removed, pending]\n"
    built = report(tmp_path, DEALS, process=process_yaml(data))
    assert built.ignored_rows == 4
    deals = built.funnel.deals
    # D1 open, D2 won, D5 lost, D7 open (a stage label as status means open)
    assert (deals.total, deals.won, deals.lost, deals.open) == (4, 1, 1, 2)
    assert "4 rows left out" in built.notes[-1]
    assert codes(tmp_path, data) == {}


def test_unmapped_ignore_skips_those_deals(tmp_path: Path) -> None:
    built = report(
        tmp_path,
        DEALS,
        process=process_yaml("  ignore: [deleted, removed]\n"),
        unmapped=Unmapped.IGNORE,
    )
    assert built.funnel.deals.total == 4 and built.ignored_rows == 2
