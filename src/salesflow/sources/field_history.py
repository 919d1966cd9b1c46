"""A field-history table as stage history (Salesforce's Opportunity Field History report, or
its OpportunityFieldHistory object): one row per change of any field. Only the rows whose field
is the stage are read: each means the deal entered the new value at the edit date. A deal's
earliest old value is the stage it was created in: entered at the edit date of its creation
row ("Created."), else at the deal's created date (`start_stage`, filled in by
sources.canonical). The other rows (Amount, Close Date, …) are neither read nor unmapped.

`history_raw` keeps every row of the file, in order, so that its `rowid` stays the row number."""

from __future__ import annotations

from salesflow.model import Process
from salesflow.sources import parse
from salesflow.sources.connection import quote_text
from salesflow.sources.labels import lookup, outcome_labels, stage_labels
from salesflow.sources.presets import SALESFORCE_FIELD_HISTORY as LAYOUT


def field_history_sql(
    relation: str, columns: dict[str, str], edit_date: tuple[str, str], process: Process
) -> str:
    """`history_raw` from a field-history table (`relation`, with the edit date read): `edit_date`
    is the typed edit date and its text when unreadable."""
    entered, entered_bad = edit_date
    stages, outcomes = stage_labels(process), outcome_labels(process)
    field = parse.label(columns["field"])
    is_stage = f"{field} IN ({_values(LAYOUT.stage_fields)})"
    is_created = f"{field} IN ({_values(LAYOUT.created_events)})"
    new, old = parse.label(columns["stage"]), _old_label(columns)
    unmapped = [
        f"WHEN {_unmapped(label, stages, outcomes)} THEN {parse.text(column)}"
        for label, column in ((new, columns["stage"]), (old, columns.get("old")))
        if column is not None
    ]
    return f"""
        CREATE TEMP TABLE history_raw AS
        SELECT
            {parse.text(columns["deal"])} AS deal_id,
            CASE WHEN {is_stage} THEN {lookup(stages, new)} END AS stage_index,
            CASE WHEN {is_stage} THEN CASE {" ".join(unmapped)} END END AS unmapped_label,
            CASE WHEN {is_stage} THEN {entered} END AS entered_at,
            CASE WHEN {is_stage} OR {is_created} THEN {entered_bad}
                END AS entered_at_bad,
            CASE WHEN {is_stage} THEN {lookup(stages, old)} END AS old_index,
            CASE WHEN {is_created} THEN {entered} END AS created_event
        FROM {relation}
        """


def field_pivot_sql(stage_count: int) -> str:
    """Per deal: when it first entered each stage, and `start_stage`, the stage it was created
    in when no creation row dates it."""
    firsts = ", ".join(
        f"min(entered_at) FILTER (WHERE stage_index = {k}) AS n{k}" for k in range(stage_count)
    )
    entries = ", ".join(
        f"least(n{k}, CASE WHEN first_old = {k} THEN created_event END) AS h{k}"
        for k in range(stage_count)
    )
    return f"""
    CREATE TEMP TABLE history_wide AS
    WITH per_deal AS (
        SELECT deal_id,
            arg_min(old_index, entered_at) FILTER (WHERE entered_at IS NOT NULL) AS first_old,
            min(created_event) AS created_event,
            {firsts}
        FROM history_raw
        WHERE deal_id IS NOT NULL
        GROUP BY deal_id
    )
    SELECT deal_id, CASE WHEN created_event IS NULL THEN first_old END AS start_stage, {entries}
    FROM per_deal
    """


def _old_label(columns: dict[str, str]) -> str:
    return parse.label(columns["old"]) if "old" in columns else "NULL::VARCHAR"


def _unmapped(label: str, stages: dict[str, int], outcomes: dict[str, str]) -> str:
    return (
        f"{label} IS NOT NULL AND {lookup(stages, label)} IS NULL "
        f"AND {lookup(outcomes, label)} IS NULL"
    )


def _values(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{quote_text(value)}'" for value in values)
