"""`data.join`: other files' columns added to the deals by a left join on a key. Every deal
stays, in file order (so row numbers stay the file's); a key on two rows of the other file is
refused; deals with no match are counted (see sources.problems)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb

from salesflow.errors import DataError
from salesflow.model import Process
from salesflow.model.process import Join
from salesflow.sources.columns import Wanted, resolve
from salesflow.sources.connection import quote_name, quote_text
from salesflow.sources.files import Source, open_source
from salesflow.sources.options import DataOptions
from salesflow.sources.parse import text

MISSED = "__salesflow_join_missed"  # the joined files a deal found no match in
KEY, MATCHED = "salesflow_key_", "salesflow_matched_"
SHOWN_KEYS = 5


def join_files(
    con: duckdb.DuckDBPyConnection, deals: Source, process: Process, options: DataOptions
) -> Source:
    """The deals with the joined files' columns (a name the deals already have is prefixed with
    the file's name: `accounts.name`); the deals unchanged without `data.join`."""
    if not process.data.join:
        return deals
    con.execute(f"CREATE TEMP TABLE deals_file AS SELECT * FROM {deals.relation}")
    columns = dict(deals.columns)
    selects, joins, missed = ["d.* EXCLUDE (salesflow_order_)"], [], []
    for index, join in enumerate(process.data.join):
        other = _open(con, join, index, options)
        pairs = _keys(join, list(deals.columns), deals.name, other)
        _refuse_duplicates(con, index, other, [o for _, o in pairs])
        alias = f"j{index}"
        condition = " AND ".join(
            f"{_key('d', d)} = {alias}.{KEY}{n}" for n, (d, _) in enumerate(pairs)
        )
        keys = ", ".join(f"{text(o)} AS {KEY}{n}" for n, (_, o) in enumerate(pairs))
        joins.append(
            f"LEFT JOIN (SELECT {keys}, true AS {MATCHED}, * FROM join_{index}) {alias} "
            f"ON {condition}"
        )
        for name, kind in other.columns.items():
            if name in (o for _, o in pairs):
                continue
            shown = _unique(name, Path(join.file).stem, columns)
            columns[shown] = kind
            selects.append(f"{alias}.{quote_name(name)} AS {quote_name(shown)}")
        given = " AND ".join(f"{_key('d', d)} IS NOT NULL" for d, _ in pairs)
        missed.append(
            f"CASE WHEN {given} AND {alias}.{MATCHED} IS NULL THEN '{quote_text(join.file)}' END"
        )
    selects.append(f"NULLIF(concat_ws(', ', {', '.join(missed)}), '') AS {MISSED}")
    con.execute(
        f"CREATE TEMP TABLE deals_joined AS SELECT {', '.join(selects)} "
        f"FROM (SELECT rowid AS salesflow_order_, * FROM deals_file) d {' '.join(joins)} "
        "ORDER BY d.salesflow_order_"
    )
    return replace(deals, relation="deals_joined", columns=columns)


def _open(con: duckdb.DuckDBPyConnection, join: Join, index: int, options: DataOptions) -> Source:
    path = Path(join.file)
    if not path.is_absolute() and options.process_dir is not None:
        path = Path(options.process_dir) / path
    alias = f"join{index}_db"
    table = join.table or path.stem
    source = open_source(con, str(path), table, alias, sheet=join.sheet, encoding=None)
    con.execute(f"CREATE TEMP TABLE join_{index} AS SELECT * FROM {source.relation}")
    return source


def _keys(join: Join, deal_columns: list[str], deals: str, other: Source) -> list[tuple[str, str]]:
    """(deal column, other column) pairs, as the files spell them."""
    pairs = {join.on: join.on} if isinstance(join.on, str) else join.on
    asked = f"data.join {join.file} on"
    found_deals = resolve({d: Wanted(d, asked) for d in pairs}, deal_columns, deals)
    found_other = resolve(
        {o: Wanted(o, asked) for o in pairs.values()}, list(other.columns), other.name
    )
    return [(found_deals[d], found_other[o]) for d, o in pairs.items()]


def _refuse_duplicates(
    con: duckdb.DuckDBPyConnection, index: int, other: Source, keys: list[str]
) -> None:
    key = ", ".join(text(k) for k in keys)
    rows = con.execute(
        f"SELECT concat_ws(' / ', {key}), list(rowid + {other.first_row} ORDER BY rowid) "
        f"FROM join_{index} WHERE {' AND '.join(f'{text(k)} IS NOT NULL' for k in keys)} "
        f"GROUP BY {key} HAVING count(*) > 1 ORDER BY min(rowid)"
    ).fetchall()
    if not rows:
        return
    listed = "; ".join(
        f'"{value}" (rows {", ".join(str(other.display_row(r)) for r in numbers[:5])})'
        for value, numbers in rows[:SHOWN_KEYS]
    )
    more = f" and {len(rows) - SHOWN_KEYS} more" if len(rows) > SHOWN_KEYS else ""
    raise DataError(
        f"{other.name}: {len(rows):,} {'key is' if len(rows) == 1 else 'keys are'} on more "
        f"than one row: {listed}{more}; a joined file needs one row per key"
    )


def _key(alias: str, column: str) -> str:
    return f"NULLIF(trim(CAST({alias}.{quote_name(column)} AS VARCHAR)), '')"


def _unique(name: str, stem: str, columns: dict[str, str]) -> str:
    taken = {column.casefold() for column in columns}
    return name if name.casefold() not in taken else f"{stem}.{name}"
