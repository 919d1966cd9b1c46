"""The metrics' SQL in each target's dialect (sources.remote.transpile): sqlglot's translation,
the GREATEST/LEAST rewrite for the dialects whose GREATEST returns NULL on any NULL (checked in
DuckDB made to behave like them), the single-SELECT check, and a user's query into DuckDB's
dialect and back."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from salesflow.errors import DataError, InputError
from salesflow.sources.connection import quote_text
from salesflow.sources.engine import FENCE
from salesflow.sources.remote.transpile import check_query, to_dialect, to_duckdb

DIALECTS = ("postgres", "snowflake", "bigquery", "databricks", "trino", "duckdb")
NULL_PROPAGATING = ("bigquery", "trino")
ORACLE = duckdb.connect()
ONE_SELECT = "--query: only one SELECT query is allowed (salesflow only reads)"

QUERY = (
    "SELECT NULLIF(trim(CAST(src.\"Deal Id\" AS VARCHAR)), '') AS deal_id, "
    'CAST(src."amount" AS DOUBLE) AS amount, NULL::TIMESTAMP AS t, '
    "TIMESTAMP '2024-12-31 17:30:00' AS at_, count(*) AS n "
    'FROM "crm"."deals" src GROUP BY 1, 2 ORDER BY 2 DESC LIMIT 5'
)
WRITTEN = {
    "postgres": "SELECT NULLIF(TRIM(CAST(src.\"Deal Id\" AS TEXT)), '') AS deal_id, "
    'CAST(src."amount" AS DOUBLE PRECISION) AS amount, CAST(NULL AS TIMESTAMP) AS t, '
    "CAST('2024-12-31 17:30:00' AS TIMESTAMP) AS at_, COUNT(*) AS n "
    'FROM "crm"."deals" AS src GROUP BY 1, 2 ORDER BY 2 DESC NULLS LAST LIMIT 5',
    "snowflake": "SELECT NULLIF(TRIM(CAST(src.\"Deal Id\" AS VARCHAR)), '') AS deal_id, "
    'CAST(src."amount" AS DOUBLE) AS amount, CAST(NULL AS TIMESTAMPNTZ) AS t, '
    "CAST('2024-12-31 17:30:00' AS TIMESTAMPNTZ) AS at_, COUNT(*) AS n "
    'FROM "crm"."deals" AS src GROUP BY 1, 2 ORDER BY 2 DESC NULLS LAST LIMIT 5',
    "bigquery": "SELECT NULLIF(TRIM(CAST(src.`Deal Id` AS STRING)), '') AS deal_id, "
    "CAST(src.`amount` AS FLOAT64) AS amount, CAST(NULL AS DATETIME) AS t, "
    "CAST('2024-12-31 17:30:00' AS DATETIME) AS at_, COUNT(*) AS n "
    "FROM `crm`.`deals` AS src GROUP BY 1, 2 ORDER BY 2 DESC LIMIT 5",
    "databricks": "SELECT NULLIF(TRIM(CAST(src.`Deal Id` AS STRING)), '') AS deal_id, "
    "CAST(src.`amount` AS DOUBLE) AS amount, CAST(NULL AS TIMESTAMP_NTZ) AS t, "
    "CAST('2024-12-31 17:30:00' AS TIMESTAMP_NTZ) AS at_, COUNT(*) AS n "
    "FROM `crm`.`deals` AS src GROUP BY 1, 2 ORDER BY 2 DESC LIMIT 5",
    "trino": "SELECT NULLIF(TRIM(CAST(src.\"Deal Id\" AS VARCHAR)), '') AS deal_id, "
    'CAST(src."amount" AS DOUBLE) AS amount, CAST(NULL AS TIMESTAMP) AS t, '
    "CAST('2024-12-31 17:30:00' AS TIMESTAMP) AS at_, COUNT(*) AS n "
    'FROM "crm"."deals" AS src GROUP BY 1, 2 ORDER BY 2 DESC LIMIT 5',
    "duckdb": "SELECT NULLIF(TRIM(CAST(src.\"Deal Id\" AS TEXT)), '') AS deal_id, "
    'CAST(src."amount" AS DOUBLE) AS amount, CAST(NULL AS TIMESTAMP) AS t, '
    "CAST('2024-12-31 17:30:00' AS TIMESTAMP) AS at_, COUNT(*) AS n "
    'FROM "crm"."deals" AS src GROUP BY 1, 2 ORDER BY 2 DESC LIMIT 5',
}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_dialect_writes_the_query_its_own_way(dialect: str) -> None:
    assert to_dialect(QUERY, dialect) == WRITTEN[dialect]


@pytest.mark.parametrize(
    ("dialect", "written"),
    [
        ("postgres", "SELECT GREATEST(a, b, c), LEAST(a, b) FROM t"),
        ("snowflake", "SELECT GREATEST_IGNORE_NULLS(a, b, c), LEAST_IGNORE_NULLS(a, b) FROM t"),
        ("databricks", "SELECT GREATEST(a, b, c), LEAST(a, b) FROM t"),
        ("duckdb", "SELECT GREATEST(a, b, c), LEAST(a, b) FROM t"),
        (
            "bigquery",
            "SELECT GREATEST(COALESCE(a, b, c), COALESCE(b, c, a), COALESCE(c, a, b)), "
            "LEAST(COALESCE(a, b), COALESCE(b, a)) FROM t",
        ),
        (
            "trino",
            "SELECT GREATEST(COALESCE(a, b, c), COALESCE(b, c, a), COALESCE(c, a, b)), "
            "LEAST(COALESCE(a, b), COALESCE(b, a)) FROM t",
        ),
    ],
)
def test_greatest_and_least_skip_nulls_in_every_dialect(dialect: str, written: str) -> None:
    assert to_dialect("SELECT greatest(a, b, c), least(a, b) FROM t", dialect) == written


@pytest.mark.parametrize("dialect", NULL_PROPAGATING)
def test_a_single_argument_is_left_alone(dialect: str) -> None:
    assert to_dialect("SELECT greatest(a) FROM t", dialect) == "SELECT GREATEST(a) FROM t"


def _propagating(sql: str, dialect: str) -> list[tuple[object, ...]]:
    """The rows of `sql` (in `dialect`) run in DuckDB with GREATEST and LEAST returning NULL
    on any NULL argument, as BigQuery's and Trino's do."""
    tree = sqlglot.parse_one(sql, read=dialect)
    # innermost first, so that an outer call sees its arguments already made strict
    for node in reversed(list(tree.find_all(exp.Greatest, exp.Least))):
        arguments = [node.this, *node.expressions]
        any_null = exp.or_(*(argument.copy().is_(exp.null()) for argument in arguments))
        strict = exp.Case(ifs=[exp.If(this=any_null, true=exp.null())], default=node.copy())
        node.replace(strict)
    return ORACLE.execute(tree.sql(dialect="duckdb")).fetchall()


def _literal(value: int | None) -> str:
    return "CAST(NULL AS INTEGER)" if value is None else str(value)


def _extremes(values: list[int | None]) -> str:
    listed = ", ".join(_literal(value) for value in values)
    return f"SELECT greatest({listed}), least({listed})"


def test_the_oracle_returns_null_where_those_dialects_do() -> None:
    assert _propagating(_extremes([None, 2, 1]), "duckdb") == [(None, None)]
    assert duckdb.sql(_extremes([None, 2, 1])).fetchall() == [(2, 1)]


@pytest.mark.parametrize("dialect", NULL_PROPAGATING)
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([None, 2, 1], (2, 1)),
        ([3, None], (3, 3)),
        ([None, None, None], (None, None)),
        ([None, -7], (-7, -7)),
        ([4, 9, None, 1], (9, 1)),
    ],
)
def test_the_rewrite_skips_nulls_where_greatest_would_not(
    dialect: str, values: list[int | None], expected: tuple[int | None, int | None]
) -> None:
    assert _propagating(to_dialect(_extremes(values), dialect), dialect) == [expected]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-1000, 1000)), min_size=1, max_size=4),
    dialect=st.sampled_from(NULL_PROPAGATING),
)
def test_the_rewrite_gives_the_extremes_of_the_known_values(
    values: list[int | None], dialect: str
) -> None:
    known = [value for value in values if value is not None]
    expected = (max(known), min(known)) if known else (None, None)
    assert _propagating(to_dialect(_extremes(values), dialect), dialect) == [expected]


@pytest.mark.parametrize("dialect", NULL_PROPAGATING)
def test_a_nested_greatest_skips_nulls_too(dialect: str) -> None:
    sql = (
        "SELECT greatest(x, coalesce(greatest(a, b), c)) "
        "FROM (SELECT 1 AS x, CAST(NULL AS INTEGER) AS a, 5 AS b, 0 AS c) t"
    )
    assert duckdb.sql(sql).fetchall() == [(5,)]
    assert _propagating(to_dialect(sql, dialect), dialect) == [(5,)]


def test_epoch_is_a_bigquery_function() -> None:
    written = to_dialect("SELECT epoch(x) FROM t", "bigquery")
    assert "TIME_TO_UNIX" not in written.upper()


@pytest.mark.parametrize(
    "value",
    ["it's", "C:\\crm\\", "back\\slash", "two\nlines", "tab\tstop", "50% _off_", "Étape ＷＯＮ"],
)
def test_a_string_literal_keeps_its_value_in_every_dialect(value: str) -> None:
    for dialect in DIALECTS:
        written = to_dialect(f"SELECT '{quote_text(value)}' AS x", dialect)
        literal = sqlglot.parse_one(written, read=dialect).selects[0].this
        assert literal.this == value, (dialect, written)
    for dialect in ("postgres", "duckdb", "trino"):  # standard SQL strings: DuckDB reads them
        assert duckdb.sql(to_dialect(f"SELECT '{quote_text(value)}'", dialect)).fetchall() == [
            (value,)
        ]


@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ("SELECT id, stage FROM deals WHERE amount > 0", "postgres", exp.Select),
        ("WITH open_ AS (SELECT * FROM deals) SELECT * FROM open_", "postgres", exp.Select),
        ("SELECT id FROM deals UNION ALL SELECT id FROM old_deals", "postgres", exp.Union),
        ("SELECT id FROM deals;", "postgres", exp.Select),
        ("SELECT `Id` FROM `proj.crm.deals`", "bigquery", exp.Select),
        ("SELECT id FROM deals -- ; DROP TABLE deals", "snowflake", exp.Select),
    ],
)
def test_one_query_is_accepted(sql: str, dialect: str, kind: type[exp.Expression]) -> None:
    assert isinstance(check_query(sql, dialect, "--query"), kind)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1; SELECT 2",
        "SELECT id FROM deals; DROP TABLE deals",
        "INSERT INTO deals (id) VALUES (1)",
        "UPDATE deals SET stage = 'Won'",
        "DELETE FROM deals",
        "CREATE TABLE copy_ AS SELECT * FROM deals",
        "DROP TABLE deals",
        "TRUNCATE deals",
        "",
    ],
)
def test_anything_but_one_query_is_refused(sql: str) -> None:
    with pytest.raises(InputError) as caught:
        check_query(sql, "postgres", "--query")
    assert str(caught.value) == ONE_SELECT


@pytest.mark.parametrize(
    "sql",
    [
        "WITH x AS (DELETE FROM deals RETURNING *) SELECT * FROM x",
        "WITH x AS (UPDATE deals SET stage = 'Won' RETURNING *) SELECT * FROM x",
        "WITH x AS (INSERT INTO deals (id) VALUES (1) RETURNING *) SELECT * FROM x",
    ],
)
def test_a_select_over_a_data_modifying_cte_is_refused(sql: str) -> None:
    with pytest.raises(DataError) as caught:
        check_query(sql, "postgres", "--query")
    assert str(caught.value) == ONE_SELECT


@pytest.mark.parametrize("sql", ["SELECT FROM WHERE (((", "SELECT 'unterminated FROM deals"])
def test_unreadable_sql_is_one_line(sql: str) -> None:
    with pytest.raises(InputError) as caught:
        check_query(sql, "postgres", "--query")
    message = str(caught.value)
    assert message.startswith("--query: cannot be read as postgres SQL: ")
    assert "\n" not in message
    assert "\x1b" not in message


USER_QUERY = (
    "SELECT id::text AS id, amount::numeric(12,2) AS amount, stage_name "
    "FROM crm.opportunity WHERE stage_name ILIKE 'closed%' AND NOT is_deleted"
)


def test_a_postgres_query_goes_to_duckdb_and_back() -> None:
    in_duckdb = to_duckdb(USER_QUERY, "postgres")
    assert in_duckdb == (
        "SELECT CAST(id AS TEXT) AS id, CAST(amount AS DECIMAL(12, 2)) AS amount, stage_name "
        "FROM crm.opportunity WHERE stage_name ILIKE 'closed%' AND NOT is_deleted"
    )
    back = to_dialect(in_duckdb, "postgres")
    assert sqlglot.parse_one(back, read="postgres") == sqlglot.parse_one(
        USER_QUERY, read="postgres"
    )


def test_the_postgres_query_runs_in_duckdb_as_it_would_in_postgres() -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA crm")
    con.execute(
        "CREATE TABLE crm.opportunity AS SELECT * FROM (VALUES "
        "(7, 1200.456, 'Closed Won', FALSE), (8, 50, 'CLOSED LOST', FALSE), "
        "(9, 75, 'Closed Won', TRUE), (10, 99, 'Discovery', FALSE)) "
        "v(id, amount, stage_name, is_deleted)"
    )
    rows = con.execute(to_duckdb(USER_QUERY, "postgres") + " ORDER BY id").fetchall()
    assert [(i, float(a), s) for i, a, s in rows] == [
        ("7", 1200.46, "Closed Won"),
        ("8", 50.0, "CLOSED LOST"),
    ]


@pytest.mark.parametrize("dialect", ["duckdb", "snowflake", "bigquery", "databricks", "trino"])
def test_a_fence_is_true_in_other_dialects(dialect: str) -> None:
    written = to_dialect(
        f"SELECT g FROM (SELECT g, TRUE AS {FENCE} FROM t) d WHERE {FENCE}", dialect
    )
    assert "CLOCK_TIMESTAMP" not in written.upper()


def test_a_fence_is_volatile_in_postgresql() -> None:
    # PostgreSQL then keeps the subquery apart instead of repeating its expressions above
    sql = f"SELECT g FROM (SELECT g, TRUE AS {FENCE}, TRUE AS other FROM t) d WHERE {FENCE}"
    written = to_dialect(sql, "postgres")
    assert f"NOT CLOCK_TIMESTAMP() IS NULL AS {FENCE}" in written
    assert "TRUE AS other" in written


UNNESTING = (
    "SELECT g, CAST(key AS BIGINT) AS key, count(*) AS n FROM ("
    "SELECT g, unnest(CASE p WHEN 0 THEN [10 + x] WHEN 1 THEN [10 + x, 20 + x] END) AS key "
    "FROM (VALUES ('a', 0, 1), ('a', 1, 1), ('b', 1, 2), ('b', 2, 2)) AS d(g, p, x)"
    ") paired GROUP BY g, key ORDER BY g, key"
)


@pytest.mark.parametrize("dialect", ["bigquery", "trino", "snowflake"])
def test_an_unnest_in_a_select_list_becomes_a_cross_join(dialect: str) -> None:
    """Where sqlglot would emulate it with joins over positions that repeat the array."""
    tree = sqlglot.parse_one(to_dialect(UNNESTING, dialect), read=dialect)
    projected = [p.unalias() for s in tree.find_all(exp.Select) for p in s.expressions]
    assert not [p for p in projected if isinstance(p, (exp.Explode, exp.Unnest))]
    assert [join.args.get("kind") for join in tree.find_all(exp.Join)] == ["CROSS"]


@pytest.mark.parametrize("dialect", ["trino", "postgres", "databricks"])
def test_the_unnested_rows_are_the_same_read_back_in_duckdb(dialect: str) -> None:
    """A position with no array (2) yields no row; each element is one row of its deal's group."""
    back = sqlglot.transpile(to_dialect(UNNESTING, dialect), read=dialect, write="duckdb")[0]
    expected = [("a", 11, 2), ("a", 21, 1), ("b", 12, 1), ("b", 22, 1)]
    assert ORACLE.execute(back).fetchall() == ORACLE.execute(UNNESTING).fetchall() == expected


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM t",
        "SELECT 1; SELECT 2",
        "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
        "SELECT * INTO x FROM t",
    ],
)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_generated_sql_that_would_write_is_never_written_out(sql: str, dialect: str) -> None:
    with pytest.raises((InputError, DataError), match="only one SELECT query is allowed"):
        to_dialect(sql, dialect)
