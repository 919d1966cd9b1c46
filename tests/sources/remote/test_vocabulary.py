"""A database's labels (sources.remote.vocabulary): the values of each label column, read once
as counted combinations (or, too many of those, each column alone), given their meaning in
Python exactly as a file's labels are (fold: case, NFKC, ß, İ), and written back as a small
relation the canonical CTEs join."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
import sqlglot

from salesflow.errors import DataError
from salesflow.sources.options import DataOptions
from salesflow.sources.remote.relations import kept_sql
from salesflow.sources.remote.vocabulary import (
    MAX_COMBINATIONS,
    MAX_VALUES,
    Combination,
    Meaning,
    Scan,
    Vocabulary,
    _meanings,
    discover,
)
from tests.sources.deal_data import load, process_yaml

# Stages a Alpha, b Beta (aliases Second Meeting, Straße, İstanbul), c Gamma (Proposal Sent),
# d Delta; won: Closed Won, Signed, Won; lost: Closed Lost, Dead, Lost.
PROCESS = load(
    process_yaml("  ignore: [Duplicate, Test Deal]\n").replace(
        "aliases: [Second Meeting]", "aliases: [Second Meeting, Straße, İstanbul]"
    )
)
OPTIONS = DataOptions(deals="postgresql://reader@db.example.com/crm")
COLUMNS = {"id": "Deal Id", "stage": "Stage", "status": "Status", "lost_stage": "Lost At"}
RELATIONS = ('"crm"."deals"', '"crm"."stage_history"')
KEPT = kept_sql({"Pipeline": ("New Business",)})
SCAN = Scan(COLUMNS, "Stage Name", *RELATIONS, KEPT)

BETA = Meaning(stage=1, open=True)
WON = Meaning(outcome="won")
LOST = Meaning(outcome="lost")
UNMAPPED = Meaning(unmapped=True)


class CannedEngine:
    """An Engine that records the SQL it is given and returns the rows it was made with."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.canned = rows
        self.sent: list[str] = []

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        self.sent.append(sql)
        return self.canned


def test_stage_labels_match_by_id_name_and_alias_as_folded() -> None:
    raws = ["b", "beta", "  Beta  ", "ＢＥＴＡ", "second meeting", "STRASSE", "straße"]
    raws += ["ISTANBUL", "İSTANBUL", "istanbul", "Alpha", "prospecting", "PROPOSAL SENT"]
    meanings = _meanings("stage", raws, PROCESS, OPTIONS)
    assert {raw: meanings[raw] for raw in raws[:10]} == dict.fromkeys(raws[:10], BETA)
    assert meanings["Alpha"] == meanings["prospecting"] == Meaning(stage=0, open=True)
    assert meanings["PROPOSAL SENT"] == Meaning(stage=2, open=True)


def test_outcome_labels_and_unknown_labels() -> None:
    raws = ["Closed Won", "ＷＯＮ", "signed", "won", "Dead", "CLOSED LOST", "Mystery", "Wonder"]
    assert _meanings("stage", raws, PROCESS, OPTIONS) == {
        "Closed Won": WON,
        "ＷＯＮ": WON,
        "signed": WON,
        "won": WON,
        "Dead": LOST,
        "CLOSED LOST": LOST,
        "Mystery": UNMAPPED,
        "Wonder": UNMAPPED,
    }


def test_empty_and_whitespace_values_are_left_out() -> None:
    assert _meanings("stage", ["", "   ", "\t", "Beta"], PROCESS, OPTIONS) == {"Beta": BETA}


def test_ignored_values_drop_stage_and_status_rows_only() -> None:
    raws = ["Duplicate", "TEST DEAL", " test deal "]
    ignored = Meaning(ignored=True, unmapped=True)
    for name in ("stage", "status"):
        assert _meanings(name, raws, PROCESS, OPTIONS) == dict.fromkeys(raws, ignored)
    for name in ("lost_stage", "history"):
        assert _meanings(name, raws, PROCESS, OPTIONS) == dict.fromkeys(raws, UNMAPPED)


def test_status_values_say_won_lost_open_or_nothing() -> None:
    raws = ["Won", "closed lost", "open", "OPEN", "Beta", "ＢＥＴＡ", "Pending", "Unknown"]
    assert _meanings("status", raws, PROCESS, OPTIONS) == {
        "Won": WON,
        "closed lost": LOST,
        "open": Meaning(open=True),
        "OPEN": Meaning(open=True),
        "Beta": Meaning(open=True),  # a deal in that stage: open, and no stage from a status
        "ＢＥＴＡ": Meaning(open=True),
        "Pending": UNMAPPED,
        "Unknown": UNMAPPED,
    }


def test_a_lost_stage_value_names_the_stage_the_deal_was_lost_at() -> None:
    assert _meanings("lost_stage", ["Proposal Sent", "gamma", "Nowhere"], PROCESS, OPTIONS) == {
        "Proposal Sent": Meaning(stage=2, open=True),
        "gamma": Meaning(stage=2, open=True),
        "Nowhere": UNMAPPED,
    }


def test_discover_reads_every_label_column_once_and_gives_each_value_its_meaning() -> None:
    engine = CannedEngine(
        [
            ("deals", "Beta", "open", None, 0, 7, None, None, 0, None, None),
            ("deals", "Mystery", "open", "Proposal Sent", 1, 2, None, None, 0, None, None),
            ("deals", "  ", "Duplicate", None, None, 1, None, None, 0, None, None),
            ("history", "Straße", None, None, 0, 3, None, None, 0, None, None),
        ]
    )
    vocabulary = discover(engine, PROCESS, SCAN, OPTIONS)
    assert vocabulary.values == {
        "stage": {"Beta": BETA, "Mystery": UNMAPPED},
        "status": {"open": Meaning(open=True), "Duplicate": Meaning(ignored=True, unmapped=True)},
        "lost_stage": {"Proposal Sent": Meaning(stage=2, open=True)},
        "history": {"Straße": BETA},
    }
    assert vocabulary.combinations == (
        Combination("Beta", "open", None, 7, 0),
        Combination("Mystery", "open", "Proposal Sent", 2, 1),
        Combination("  ", "Duplicate", None, 1, 0),
    )
    (sql,) = engine.sent
    sqlglot.parse_one(sql, read="duckdb")
    assert sql.endswith(f"LIMIT {MAX_COMBINATIONS + 1}")


def _source_tables() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA crm")
    con.execute(
        'CREATE TABLE crm.deals ("Deal Id" INTEGER, "Stage" VARCHAR, "Status" VARCHAR, '
        '"Lost At" VARCHAR, "Pipeline" VARCHAR)'
    )
    con.execute(
        "INSERT INTO crm.deals VALUES (1, 'Beta', 'open', NULL, 'New Business'), "
        "(2, 'Beta', 'Won', NULL, ' New Business '), (3, 'Dead', 'Lost', 'Gamma', 'New Business'), "
        "(4, 'Renewal Stage', 'open', 'Alpha', 'Renewals'), (5, NULL, NULL, NULL, 'New Business'), "
        "(6, 'Beta', 'open', NULL, 'New Business'), (NULL, 'Beta', 'open', NULL, 'New Business')"
    )
    con.execute('CREATE TABLE crm.stage_history ("Deal Id" INTEGER, "Stage Name" VARCHAR)')
    con.execute("INSERT INTO crm.stage_history VALUES (1, 'Alpha'), (1, 'Beta'), (2, 'Alpha')")
    return con


def test_the_discovery_query_runs_in_duckdb_over_the_kept_rows() -> None:
    """Each combination of the kept rows' labels: rows without an id, and all rows."""
    con = _source_tables()
    engine = CannedEngine([])
    discover(engine, PROCESS, SCAN, OPTIONS)
    rows = con.execute(f"SELECT * FROM ({engine.sent[0]}) ORDER BY ALL").fetchall()
    assert rows == [
        ("deals", "Beta", "Won", None, 0, 1, None, None, 0, None, None),
        ("deals", "Beta", "open", None, 1, 3, None, None, 0, None, None),
        ("deals", "Dead", "Lost", "Gamma", 0, 1, None, None, 0, None, None),
        ("deals", None, None, None, 0, 1, None, None, 0, None, None),
        ("history", "Alpha", None, None, 0, 2, None, None, 0, None, None),
        ("history", "Beta", None, None, 0, 1, None, None, 0, None, None),
    ]


def test_the_scan_reads_the_pipeline_trimmed_when_it_is_asked_to() -> None:
    """With no filter on it (sources.pipelines), each combination carries its pipeline."""
    con = _source_tables()
    engine = CannedEngine([])
    scan = Scan(COLUMNS, "Stage Name", *RELATIONS, "TRUE", pipeline="Pipeline")
    discover(engine, PROCESS, scan, OPTIONS)
    rows = con.execute(engine.sent[0]).fetchall()
    vocabulary = discover(CannedEngine(rows), PROCESS, scan, OPTIONS)
    assert vocabulary.combinations is not None
    found = {(c.stage, c.status, c.pipeline): c.count for c in vocabulary.combinations}
    assert found == {
        ("Beta", "open", "New Business"): 3,
        ("Beta", "Won", "New Business"): 1,  # ' New Business ' trimmed
        ("Dead", "Lost", "New Business"): 1,
        ("Renewal Stage", "open", "Renewals"): 1,
        (None, None, "New Business"): 1,
    }


def test_the_scan_counts_the_amounts_no_figure_can_use() -> None:
    """Infinite, NaN or beyond ±1e15: counted per combination (refused by the commands)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE d (id INTEGER, stage VARCHAR, amount DOUBLE)")
    con.execute(
        "INSERT INTO d VALUES (1, 'A', 'nan'), (2, 'A', 'inf'), (3, 'A', 1e16), (4, 'A', 1e15), "
        "(5, 'A', NULL), (6, 'B', -1e16), (7, 'B', 5)"
    )
    engine = CannedEngine([])
    scan = Scan({"id": "id", "stage": "stage"}, None, "d", None, "TRUE", amount="src.amount")
    discover(engine, PROCESS, scan, OPTIONS)
    rows = con.execute(f"SELECT stage_, wild FROM ({engine.sent[0]}) ORDER BY 1").fetchall()
    assert rows == [("A", 3), ("B", 1)]


def test_without_a_history_or_status_column_neither_is_read() -> None:
    engine = CannedEngine([])
    columns = {"id": "Deal Id", "stage": "Stage"}
    scan = Scan(columns, "Stage Name", RELATIONS[0], None, "TRUE")
    assert discover(engine, PROCESS, scan, OPTIONS) == Vocabulary({}, (), span=(None, None))
    (sql,) = engine.sent
    assert '"Stage"' in sql
    assert all(name not in sql for name in ('"Status"', '"Lost At"', "'history'"))


class TwoAnswers(CannedEngine):
    """The combinations first (more than can be brought back), then each column's values."""

    def __init__(self, values: list[tuple[Any, ...]]) -> None:
        super().__init__(
            [("deals", f"value {i}", None, None, 0, 1) for i in range(MAX_COMBINATIONS + 1)]
        )
        self.values = values

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        first = super().rows(sql)
        return first if len(self.sent) == 1 else self.values


def test_too_many_combinations_are_read_as_each_columns_values() -> None:
    engine = TwoAnswers([("stage", "Beta"), ("status", "open"), ("history", "Straße")])
    vocabulary = discover(engine, PROCESS, SCAN, OPTIONS)
    assert vocabulary.combinations is None  # the problems are then counted on the server
    assert vocabulary.values == {
        "stage": {"Beta": BETA},
        "status": {"open": Meaning(open=True)},
        "history": {"Straße": BETA},
    }
    assert len(engine.sent) == 2
    assert engine.sent[1].endswith(f"GROUP BY field, raw LIMIT {MAX_VALUES * 4 + 1}")


def test_too_many_distinct_values_is_not_a_label_column() -> None:
    engine = TwoAnswers([("stage", f"value {i}") for i in range(MAX_VALUES + 1)])
    with pytest.raises(DataError) as caught:
        discover(engine, PROCESS, Scan(COLUMNS, None, RELATIONS[0], None, KEPT), OPTIONS)
    assert str(caught.value) == (
        "the stage column has more than 10,000 distinct values: map a column of stage or "
        "status labels"
    )


def test_the_relation_lists_each_value_with_its_meaning() -> None:
    vocabulary = Vocabulary(
        {
            "stage": {
                "it's": UNMAPPED,
                "Closed Won": WON,
                "Beta": BETA,
                "Duplicate": Meaning(ignored=True, unmapped=True),
            }
        }
    )
    relation = duckdb.sql(vocabulary.relation("stage"))
    assert relation.columns == ["raw", "stage", "outcome", "ignored", "open_", "unmapped"]
    assert relation.fetchall() == [
        ("Beta", 1, None, False, True, False),
        ("Closed Won", None, "won", False, False, False),
        ("Duplicate", None, None, True, False, True),
        ("it's", None, None, False, False, True),
    ]


def test_an_empty_vocabulary_is_one_null_row_that_joins_nothing() -> None:
    relation = Vocabulary().relation("status")
    assert duckdb.sql(relation).fetchall() == [(None, None, None, False, False, False)]
    joined = duckdb.sql(
        f"SELECT count(*) FROM (VALUES ('open'), (NULL)) t(raw) JOIN ({relation}) v "
        "ON v.raw = t.raw"
    ).fetchall()
    assert joined == [(0,)]
