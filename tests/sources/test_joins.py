"""data.join: a left join in file order, duplicate keys refused, joined columns in --by/where."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.errors import DataError
from tests.sources.deal_data import process_yaml, report, tables, write

JOIN = "  join: [{file: accounts.csv, on: {account: id}}]\n"


def test_every_deal_stays_in_file_order(tmp_path: Path) -> None:
    n = 3000
    deals = "deal_id,stage,account\n" + "".join(f"D{i},Alpha,A{(i * 7) % n}\n" for i in range(n))
    accounts = "id,sector\n" + "".join(f"A{i},S{i % 3}\n" for i in reversed(range(n - 1)))
    write(tmp_path, "accounts.csv", accounts)
    built = tables(tmp_path, deals, process=process_yaml(JOIN), process_dir=str(tmp_path))
    rows = built.con.execute("SELECT _row, deal_id FROM deals").fetchall()
    assert rows == [(i + 2, f"D{i}") for i in range(n)]
    missed = built.con.execute("SELECT list(_row) FROM deals WHERE join_missed IS NOT NULL")
    assert missed.fetchone() == ([2 + i for i in range(n) if (i * 7) % n == n - 1],)


def test_joined_columns_group_and_filter(tmp_path: Path) -> None:
    deals = "deal_id,stage,account\nD1,Closed Won,A1\nD2,Alpha,A2\nD3,Beta,A1\nD4,Alpha,A9\n"
    write(tmp_path, "accounts.csv", "id,sector,stage\nA1,Tech,x\nA2,Retail,y\n")
    process = process_yaml(JOIN + "  where: {sector: Tech}\n")
    built = report(tmp_path, deals, process=process, process_dir=str(tmp_path), by="sector")
    assert built.funnel.deals.total == 2 and [g.key for g in built.groups] == ["Tech"]
    joined = tables(tmp_path, deals, process=process_yaml(JOIN), process_dir=str(tmp_path))
    assert "accounts.stage" in joined.deals.columns  # a name the deals have is prefixed


def test_unmatched_deals_are_counted(tmp_path: Path) -> None:
    from tests.sources.deal_data import problems

    deals = "deal_id,stage,account\nD1,Alpha,A1\nD2,Alpha,A9\nD3,Alpha,\nD4,Alpha,A8\n"
    write(tmp_path, "accounts.csv", "id,sector\nA1,Tech\n")
    found = problems(tmp_path, deals, process=process_yaml(JOIN), process_dir=str(tmp_path))
    assert [(p.code, p.count, [e.row for e in p.examples]) for p in found] == [
        ("unmatched-join", 2, [3, 5])
    ]


def test_duplicate_keys_are_refused_with_rows(tmp_path: Path) -> None:
    write(tmp_path, "accounts.csv", "id,sector\nA1,Tech\nA2,x\nA1,Retail\n A2 ,y\n")
    with pytest.raises(
        DataError,
        match=r'2 keys are on more than one row: "A1" \(rows 2, 4\); '
        r'"A2" \(rows 3, 5\); a joined file needs one row per key',
    ):
        tables(
            tmp_path,
            "deal_id,stage,account\nD1,Alpha,A1\n",
            process=process_yaml(JOIN),
            process_dir=str(tmp_path),
        )


def test_shared_key_name_and_a_missing_key_column(tmp_path: Path) -> None:
    write(tmp_path, "accounts.csv", "account,sector\nA1,Tech\n")
    process = process_yaml("  join: [{file: accounts.csv, on: account}]\n")
    built = tables(
        tmp_path, "deal_id,stage,account\nD1,Alpha,A1\n", process=process, process_dir=str(tmp_path)
    )
    assert built.con.execute("SELECT sector FROM deals_joined").fetchall() == [("Tech",)]
    with pytest.raises(DataError, match=r"has no column 'account' \(data.join accounts.csv on\)"):
        tables(
            tmp_path,
            "deal_id,stage,acct\nD1,Alpha,A1\n",
            process=process,
            process_dir=str(tmp_path),
        )
