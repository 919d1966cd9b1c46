"""One process per pipeline: deal data whose pipeline column holds several pipelines, none of
them chosen (`data.pipeline`, or a `data.where`/`--where` filter on that column), is refused.
The pipelines of a CRM share their outcome labels (HubSpot's Closed Won), so every other
pipeline's closed deals would otherwise count in this process's win rate and deal sizes.

The pipelines are counted among the rows the filters and `data.ignore` keep, from `deals_raw`
(`PIPELINE_KEY`, stored only when the check applies) or from a database's label combinations
(sources.remote.combinations)."""

from __future__ import annotations

import json
import shlex

from salesflow.errors import DataError
from salesflow.sources.engine import Rows
from salesflow.sources.filters import Filters

PIPELINE_KEY = "pipeline_key"  # the pipeline as trimmed text, NULL when empty (deals_raw)
SHOWN = 4  # pipelines named in the message; then "and N more"


def unchosen_pipeline(columns: dict[str, str], filters: Filters) -> str | None:
    """The data's pipeline column when no filter chooses its pipelines, else None."""
    column = columns.get("pipeline")
    return None if column is None or column in filters else column


def pipelines_sql(left_out: bool = True) -> str:
    """SQL over deals_raw: each pipeline of the rows kept (those not `left_out`, when it has
    that column), its rows and the number of pipelines, the largest first (`SHOWN` + 1 at
    most)."""
    kept = "left_out IS NULL AND " if left_out else ""
    grouped = (
        f"SELECT {PIPELINE_KEY} AS pipeline, count(*) AS n FROM deals_raw "
        f"WHERE {kept}{PIPELINE_KEY} IS NOT NULL GROUP BY {PIPELINE_KEY}"
    )
    return (
        f"SELECT pipeline, n, count(*) OVER () FROM ({grouped}) pipelines "
        f"ORDER BY n DESC, pipeline LIMIT {SHOWN + 1}"
    )


def ranked(counts: dict[str, int]) -> Rows:
    """`counts` (pipeline → rows) as the rows of `pipelines_sql`."""
    order = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(pipeline, n, len(order)) for pipeline, n in order[: SHOWN + 1]]


def refuse_mixed_pipelines(rows: Rows, column: str, file: str) -> None:
    """Refuse rows of several pipelines, given as `pipelines_sql` gives them: (pipeline, rows,
    how many pipelines in all), the largest first."""
    total = int(rows[0][2]) if rows else 0
    if total < 2:
        return
    found = [(str(row[0]), int(row[1])) for row in rows[:SHOWN]]
    listed = ", ".join(f'"{pipeline}" ({n:,})' for pipeline, n in found)
    more = f" and {total - len(found)} more" if total > len(found) else ""
    choice = _choice([pipeline for pipeline, _ in found[:2]], column)
    raise DataError(
        f"{file}: column '{column}' holds deals of {total} pipelines: {listed}{more}; set "
        "data.pipeline to the pipeline this process describes (one process per pipeline), or, "
        f"to analyse several together on purpose, choose them with {choice}"
    )


def _choice(pipelines: list[str], column: str) -> str:
    where = json.dumps({column: pipelines}, ensure_ascii=False)
    flags = " ".join(f"--where {shlex.quote(f'{column}={pipeline}')}" for pipeline in pipelines)
    return f"data.where: {where}, or {flags}"
