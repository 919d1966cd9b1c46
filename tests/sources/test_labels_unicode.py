"""Labels are compared with Unicode case folding (NFKC, casefold) on both sides: in the process
checks (Python) and when CRM data is matched against the process (DuckDB SQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.loader import parse_process
from salesflow.model.labels import fold
from salesflow.sources.connection import connect
from salesflow.sources.labels import sql_fold, stage_labels
from tests.sources.deal_data import PROCESS_YAML, counts, load, report

# (as written in the process, as written in the data)
PAIRS = [
    ("İstanbul", "İSTANBUL"),
    ("İstanbul", "istanbul"),
    ("ΣΑΣ", "σας"),
    ("σας", "ΣΑΣ"),
    ("Straße", "STRASSE"),
    ("STRASSE", "straße"),
    ("Großkunde", "GROẞKUNDE"),
    ("Won Back", "Ｗｏｎ Ｂａｃｋ"),
    ("Ｑｕａｌｉｆｉｅｄ", "qualified"),
    ("Café", "CAFE\u0301"),  # composed in the process, decomposed in the data
]


@pytest.mark.parametrize(("process_label", "data_label"), PAIRS)
def test_python_and_sql_fold_alike(process_label: str, data_label: str) -> None:
    con = connect()
    query = f"SELECT {sql_fold('v')} FROM (SELECT trim(?) AS v)"
    folded_data = con.execute(query, [data_label]).fetchone()
    assert folded_data is not None
    assert folded_data[0] == fold(process_label) == fold(data_label)


def test_sql_fold_keeps_null() -> None:
    assert connect().execute(f"SELECT {sql_fold('NULL')}").fetchone() == (None,)


def test_duplicate_labels_are_found_with_case_folding() -> None:
    text = PROCESS_YAML.replace("aliases: [First Touch, Prospecting]", "aliases: [STRASSE]")
    text = text.replace("aliases: [Second Meeting]", "aliases: [Straße]")
    loaded = parse_process(text, "p.yaml")
    assert [issue.code for issue in loaded.errors] == ["duplicate-alias"]


def test_unicode_labels_in_the_data_match_the_process(tmp_path: Path) -> None:
    process = (
        PROCESS_YAML.replace("aliases: [First Touch, Prospecting]", "aliases: [İstanbul]")
        .replace("aliases: [Second Meeting]", "aliases: [ΣΑΣ]")
        .replace("aliases: [Proposal Sent]", "aliases: [Straße]")
        .replace("aliases: [Negotiation]", "aliases: [Ｆｉｎａｌ]")
    )
    deals = (
        "deal_id,stage,status,amount,created_at,closed_at,owner,lost_at_stage\n"
        "D1,İSTANBUL,,,2024-01-01,,ann,\n"
        "D2,istanbul,,,2024-01-01,,ann,\n"
        "D3,σας,,,2024-01-01,,ann,\n"
        "D4,STRASSE,,,2024-01-01,,ann,\n"
        "D5,final,,,2024-01-01,,ann,\n"
        "D6,ＷＯＮ,,100,2024-01-01,2024-01-05,ann,\n"
    )
    funnel = report(tmp_path, deals, process=process).funnel
    assert funnel.deals.total == 6
    assert (funnel.deals.won, funnel.deals.lost, funnel.deals.open) == (1, 0, 5)
    assert [row[0] for row in counts(funnel)] == [6, 4, 3, 2]  # entered a, b, c, d


def test_lookup_keys_are_folded() -> None:
    labels = stage_labels(load())
    assert labels[fold("FIRST TOUCH")] == 0
    assert "first touch" in labels
