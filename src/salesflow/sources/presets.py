"""The standard exports of the CRMs salesflow knows (`data.preset`), as data: the column names
each writes per key (the first one present in the data is used), how its stage history is laid
out, how it writes dates and outcomes, and the status values it drops by default.

Column names are compared as `columns.resolve` does: exactly, else ignoring case."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from salesflow.errors import DataError
from salesflow.model import Process


@dataclass(frozen=True)
class FieldHistory:
    """A field-history table (Salesforce's Opportunity Field History report): one row per change
    of any field; only the rows whose field is the stage are read, each meaning the deal entered
    the new value at the edit date, and a deal's earliest old value was entered at creation."""

    deal: tuple[str, ...]
    field: tuple[str, ...]
    old: tuple[str, ...]
    new: tuple[str, ...]
    edited: tuple[str, ...]
    stage_fields: tuple[str, ...]  # folded values of `field` that mean the stage
    created_events: tuple[str, ...]  # folded values of `field` on the row made at creation


@dataclass(frozen=True)
class StageDatePattern:
    """Columns holding the date a deal entered a stage, named after the stage (group `stage`)
    and perhaps its pipeline (group `pipeline`). Earlier patterns win over later ones."""

    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    columns: dict[str, tuple[str, ...]]
    # A second closing-date column, read where the first is empty (Pipedrive's Lost time).
    closed_lost: tuple[str, ...] = ()
    history: dict[str, tuple[str, ...]] = field(default_factory=dict)
    field_history: FieldHistory | None = None
    stage_dates: tuple[StageDatePattern, ...] = ()
    # How dates that read either way are meant, when no date column of the deals or the
    # history shows the order (sources.dates: a file's own columns come first).
    date_order: Literal["mdy", "dmy"] | None = None
    ignore: tuple[str, ...] = ()  # status or stage values whose rows are dropped
    won: tuple[str, ...] = ()  # labels the CRM writes for a won deal, beyond the defaults
    lost: tuple[str, ...] = ()


HUBSPOT = Preset(
    name="hubspot",
    title="HubSpot",
    columns={
        "id": ("Record ID", "hs_object_id"),
        "stage": ("Deal Stage", "dealstage"),
        "pipeline": ("Pipeline",),
        "amount": ("Amount",),
        "currency": ("Deal currency code", "deal_currency_code"),
        "created": ("Create Date", "createdate"),
        "closed": ("Close Date", "closedate"),
        "owner": ("Deal owner", "hubspot_owner_id"),
    },
    stage_dates=(
        StageDatePattern(re.compile(r'Date entered "(?P<stage>.+) \((?P<pipeline>[^()]+)\)"')),
        StageDatePattern(re.compile(r"hs_v2_date_entered_(?P<stage>.+)")),
        StageDatePattern(re.compile(r"hs_date_entered_(?P<stage>.+)")),
    ),
    # The API writes the internal stage ids of the default pipeline's outcomes.
    won=("closedwon",),
    lost=("closedlost",),
)

SALESFORCE_FIELD_HISTORY = FieldHistory(
    deal=("Opportunity ID", "OpportunityId"),
    field=("Field / Event", "Field/Event", "Field"),
    old=("Old Value", "OldValue"),
    new=("New Value", "NewValue"),
    edited=("Edit Date", "CreatedDate"),
    stage_fields=("stage", "stagename"),
    created_events=("created.", "created"),
)

SALESFORCE = Preset(
    name="salesforce",
    title="Salesforce",
    columns={
        "id": ("Opportunity ID", "Id"),
        "stage": ("Stage", "StageName"),
        "amount": ("Amount",),
        "currency": ("Amount Currency", "Opportunity Currency", "CurrencyIsoCode"),
        "created": ("Created Date", "CreatedDate"),
        "closed": ("Close Date", "CloseDate"),
        "owner": ("Opportunity Owner", "OwnerId"),
    },
    # The OpportunityHistory object, as the API (Data Loader, Workbench) exports it.
    history={
        "deal": ("OpportunityId", "Opportunity ID"),
        "stage": ("StageName", "Stage"),
        "entered": ("CreatedDate", "Created Date"),
    },
    field_history=SALESFORCE_FIELD_HISTORY,
    date_order="mdy",  # US reports: 3/4/2024 is March 4
)

PIPEDRIVE = Preset(
    name="pipedrive",
    title="Pipedrive",
    columns={
        "id": ("Deal - ID", "ID"),
        "stage": ("Deal - Stage", "Stage"),
        "status": ("Deal - Status", "Status"),
        "amount": ("Deal - Value", "Value"),
        "currency": ("Deal - Currency", "Currency"),
        "created": ("Deal - Deal created", "Deal created"),
        "closed": ("Deal - Won time", "Won time"),
        "owner": ("Deal - Owner", "Owner"),
        "pipeline": ("Deal - Pipeline", "Pipeline"),
    },
    closed_lost=("Deal - Lost time", "Lost time"),
    ignore=("deleted",),
)

PRESETS = {preset.name: preset for preset in (HUBSPOT, SALESFORCE, PIPEDRIVE)}


def preset_named(name: str | None) -> Preset | None:
    if name is None:
        return None
    try:
        return PRESETS[name]
    except KeyError:
        raise DataError(f"unknown preset '{name}'; choose {', '.join(PRESETS)}") from None


def with_preset_outcomes(process: Process, preset: Preset | None) -> Process:
    """The process with the preset's outcome labels (HubSpot's `closedwon`) among the
    outcomes' aliases, for matching the data."""
    if preset is None or not (preset.won or preset.lost):
        return process
    won, lost = process.outcomes.won, process.outcomes.lost
    outcomes = process.outcomes.model_copy(
        update={
            "won": won.model_copy(update={"aliases": [*won.aliases, *preset.won]}),
            "lost": lost.model_copy(update={"aliases": [*lost.aliases, *preset.lost]}),
        }
    )
    return process.model_copy(update={"outcomes": outcomes})
