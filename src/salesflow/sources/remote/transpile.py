"""The metrics' SQL, written once in DuckDB's dialect, in the dialect of the target database.

sqlglot does the translation. What it leaves to us:

- GREATEST and LEAST skip NULLs in DuckDB, PostgreSQL, Snowflake (its *_IGNORE_NULLS form) and
  Spark, but return NULL on any NULL in BigQuery and Trino. There they are rewritten as the
  GREATEST of each argument's coalesce with the others, which is NULL only when all are NULL
  (innermost first, so that a GREATEST inside another is rewritten too).
- DuckDB's epoch() becomes TIME_TO_UNIX() for BigQuery, which has no such function: there it is
  UNIX_MICROS of the value as a TIMESTAMP (read as UTC), in seconds.
- PostgreSQL merges a subquery into the query around it and then evaluates the subquery's
  expressions wherever the outer query uses them (for the stays: once per deal and stage
  instead of once per deal). A column `FENCE` (or `FENCE` and a suffix, when a subquery has
  another inside it) whose value is volatile stops that, and `clock_timestamp()` is volatile
  yet safe in parallel workers: there the fence becomes `clock_timestamp() IS NOT NULL`.
- An `unnest` in a SELECT list (one row per element: PostgreSQL runs it in the workers, where
  an unnest in FROM is a function call per row, slower) becomes, for BigQuery, Trino and
  Snowflake, a CROSS JOIN UNNEST (FLATTEN) of the same array: sqlglot would emulate it there with
  joins over positions that repeat the array four times.
- BigQuery's REGEXP_REPLACE replaces every match and takes no `'g'` flag: the flag is dropped.
- Only a single read-only query may leave salesflow: each statement's parse tree is refused
  unless it is one SELECT that writes nothing, before it is written in the target's dialect (a
  statement a user wrote with `--query` is parsed in the target's dialect and checked the same
  way before it goes into any statement).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from salesflow.errors import DataError, InputError
from salesflow.sources.engine import FENCE

NULL_PROPAGATING = frozenset({"bigquery", "trino"})
UNNEST_IN_FROM = frozenset({"bigquery", "trino", "snowflake"})


def to_dialect(sql: str, dialect: str) -> str:
    """`sql` (DuckDB's dialect) as the target dialect writes it, once its parse tree is known
    to be one query that writes nothing."""
    tree: exp.Expr = _one_query([sqlglot.parse_one(sql, read="duckdb")], "generated SQL")
    if dialect in NULL_PROPAGATING:
        tree = _innermost_first(tree, (exp.Greatest, exp.Least), _null_skipping)
    if dialect == "bigquery":
        tree = _innermost_first(tree, (exp.TimeToUnix,), _bigquery_seconds)
        _replace_all_by_default(tree)
    if dialect == "postgres":
        _volatile_fences(tree)
    if dialect in UNNEST_IN_FROM:
        _unnest_in_from(tree)
    return tree.sql(dialect=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)


def to_duckdb(sql: str, dialect: str) -> str:
    """A user's query (in the target's dialect) in DuckDB's, to sit inside the CTEs."""
    return sqlglot.parse_one(sql, read=dialect).sql(dialect="duckdb")


def check_query(sql: str, dialect: str, what: str) -> exp.Query:
    """The parse tree of `sql` when it is one query (SELECT, WITH … SELECT, a set operation)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as error:
        raise InputError(f"{what}: cannot be read as {dialect} SQL: {_first_line(error)}") from None
    return _one_query(statements, what)


def _one_query(statements: list[exp.Expr], what: str) -> exp.Query:
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise InputError(f"{what}: only one SELECT query is allowed (salesflow only reads)")
    query = statements[0]
    writes = any(isinstance(node, _WRITES) for node in query.walk())
    if writes or any(
        select.args.get("into") or select.args.get("locks") for select in query.find_all(exp.Select)
    ):
        raise DataError(f"{what}: only one SELECT query is allowed (salesflow only reads)")
    return query


_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Merge, exp.Command)


def _innermost_first(
    tree: exp.Expr,
    kinds: tuple[type[exp.Expr], ...],
    rewrite: Callable[[exp.Expr], exp.Expr],
) -> exp.Expr:
    """`tree` with each node of the `kinds` rewritten, children before their parents (a
    pre-order walk, reversed)."""
    for node in reversed(list(tree.find_all(*kinds, bfs=False))):
        replacement = rewrite(node)
        if node is tree:
            return replacement
        node.replace(replacement)
    return tree


def _replace_all_by_default(tree: exp.Expr) -> None:
    """BigQuery's REGEXP_REPLACE replaces every match, and takes no `'g'` flag."""
    for node in tree.find_all(exp.RegexpReplace):
        modifiers = node.args.get("modifiers")
        if isinstance(modifiers, exp.Literal) and modifiers.this == "g":
            node.set("modifiers", None)


def _volatile_fences(tree: exp.Expr) -> None:
    for alias in tree.find_all(exp.Alias):
        if alias.alias.startswith(FENCE):
            now = exp.Anonymous(this="CLOCK_TIMESTAMP", expressions=[])
            alias.set("this", exp.Not(this=exp.Is(this=now, expression=exp.Null())))


def _unnest_in_from(tree: exp.Expr) -> None:
    """Each `unnest(array) AS name` of a SELECT list as a column of a CROSS JOIN UNNEST."""
    for select in list(tree.find_all(exp.Select)):
        for projection in select.expressions:
            if isinstance(projection, exp.Alias) and isinstance(projection.this, exp.Explode):
                column = exp.to_identifier(f"{projection.alias}_")  # not FLATTEN's own `key`
                alias = exp.TableAlias(this=exp.to_identifier("unnested"), columns=[column])
                select.join(
                    exp.Unnest(expressions=[projection.this.this], alias=alias),
                    join_type="CROSS",
                    copy=False,
                )
                projection.set("this", exp.column(column.name, table="unnested"))


def _bigquery_seconds(node: exp.Expr) -> exp.Expr:
    value = exp.cast(node.this, exp.DataType.build("TIMESTAMPTZ"))
    micros = exp.Anonymous(this="UNIX_MICROS", expressions=[value])
    return exp.Paren(this=exp.Div(this=micros, expression=exp.Literal.number(1_000_000.0)))


def _null_skipping(node: exp.Expr) -> exp.Expr:
    arguments = [node.this, *node.expressions]
    if len(arguments) < 2:
        return node
    rotations = [
        exp.Coalesce(
            this=arguments[i].copy(),
            expressions=[a.copy() for a in arguments[i + 1 :] + arguments[:i]],
        )
        for i in range(len(arguments))
    ]
    return type(node)(this=rotations[0], expressions=rotations[1:])


def _first_line(error: Exception) -> str:
    """The first line of a parse error, without sqlglot's dump of the tokens."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return line.split(" <Token", 1)[0].rstrip(". ")
