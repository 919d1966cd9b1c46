"""The process file, format version 1 (docs/process-format.md), as pydantic models.

Every field carries a description: it feeds the JSON Schema (editors show it on hover) and
docs/process-format.md, which a test keeps in step with these models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from salesflow.model.base import Extensible, IsoDate, Number, Slug, Strict, Text
from salesflow.model.limits import MAX_AMOUNT, MAX_DAYS, MAX_RATE
from salesflow.model.playbook import Objection, Qualification, Template

FORMAT_VERSION = 1


Period = Literal["month", "quarter", "year"]


class Quota(Strict):
    """Won revenue per period, in the process currency."""

    amount: Number = Field(
        gt=0, le=MAX_AMOUNT, description="Won revenue to reach per period, above 0."
    )
    per: Period = Field(description="The period: month, quarter or year.")


class Role(Extensible):
    id: Slug = Field(description="Slug that stages name as their `owner`.")
    title: Text = Field(description="Job title shown in the handbook.")
    responsibilities: list[Text] = Field(
        default_factory=list, description="What this role is accountable for, one item each."
    )
    quota: Quota | None = Field(
        default=None, description="Default quota of the people in this role without their own."
    )


class Member(Strict):
    """A person on the team, as the CRM's owner column names them."""

    name: Text = Field(
        description="The person's name exactly as the deal data's owner column spells it "
        "(compared ignoring case and surrounding spaces)."
    )
    role: Slug = Field(description="Id of the person's role.")
    quota: Quota | None = Field(
        default=None, description="The person's own quota; without it, the role's."
    )


class Goals(Strict):
    """Targets for the whole process, compared with the data by `analyze`."""

    win_rate: Number | None = Field(
        default=None, gt=0, le=1, description="Share of new deals that should be won, in (0, 1]."
    )
    cycle_days: Number | None = Field(
        default=None,
        gt=0,
        le=MAX_DAYS,
        description="Target median days from first seen to won, above 0.",
    )
    revenue: Quota | None = Field(
        default=None, description="Won revenue per period for the whole team."
    )


class Resource(Strict):
    title: Text = Field(description="Link text.")
    url: Text = Field(description="Where the resource lives (a URL or a path).")


class Expected(Strict):
    """The plan for a stage: what the team expects to achieve."""

    conversion: Number | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Planned share of deals that advance from this stage, in (0, 1].",
    )
    days: Number | None = Field(
        default=None,
        ge=0,
        le=MAX_DAYS,
        description="Planned median days a deal spends in this stage.",
    )


class Stage(Extensible):
    id: Slug = Field(description="Unique slug; data, diffs and forecasts key on it.")
    name: Text = Field(description="Display name.")
    owner: Slug | None = Field(default=None, description="Id of the role that owns the stage.")
    description: str = Field(default="", description="Purpose of the stage, for the handbook.")
    entry_criteria: list[Text] = Field(
        default_factory=list, description="What must be true for a deal to enter."
    )
    exit_criteria: list[Text] = Field(
        default_factory=list, description="Definition of done: what must be true to advance."
    )
    activities: list[Text] = Field(default_factory=list, description="What the owner does here.")
    resources: list[Resource] = Field(
        default_factory=list, description="Scripts, templates and guides for this stage."
    )
    expected: Expected = Field(default_factory=Expected, description="The plan in numbers.")
    probability: Number | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Probability that a deal in this stage is won (weighted pipeline).",
    )
    aliases: list[Text] = Field(
        default_factory=list, description="Labels that mean this stage in CRM data."
    )
    questions: list[Text] = Field(
        default_factory=list, description="Discovery questions the owner asks in this stage."
    )
    talk_track: str = Field(
        default="", description="What the owner says here, in their own words; paragraphs kept."
    )
    objections: list[Objection] = Field(
        default_factory=list, description="Objections heard in this stage, each with its answer."
    )
    templates: list[Template] = Field(
        default_factory=list, description="Email templates for this stage: a body or a URL each."
    )
    required_fields: list[Text] = Field(
        default_factory=list,
        description="CRM fields that must be filled before a deal leaves this stage.",
    )


class Outcome(Strict):
    name: Text = Field(description="Display name of the outcome.")
    aliases: list[Text] = Field(
        default_factory=list, description="Labels or status values that mean this outcome."
    )


class LostOutcome(Outcome):
    reasons: list[Text] = Field(default_factory=list, description="Accepted lost reasons.")


DEFAULT_OUTCOMES: dict[str, dict[str, Any]] = {
    "won": {"name": "Closed Won", "aliases": ["Won", "Closed Won"]},
    "lost": {"name": "Closed Lost", "aliases": ["Lost", "Closed Lost"]},
}


class Outcomes(Strict):
    won: Outcome = Field(
        default_factory=lambda: Outcome.model_validate(DEFAULT_OUTCOMES["won"]),
        description="How a won deal is labelled.",
    )
    lost: LostOutcome = Field(
        default_factory=lambda: LostOutcome.model_validate(DEFAULT_OUTCOMES["lost"]),
        description="How a lost deal is labelled, and why deals are lost.",
    )


class Assumptions(Strict):
    deal_size: Number | None = Field(
        default=None,
        gt=0,
        le=MAX_AMOUNT,
        description="Planned average won deal size, used without data.",
    )


class ColumnMap(Strict):
    """Names of the columns in deal data. The defaults are used when a key is left out."""

    id: Text = Field(default="deal_id", description="Unique deal id.")
    stage: Text = Field(default="stage", description="Current stage label.")
    status: Text = Field(default="status", description="Won / lost / open status, if separate.")
    amount: Text = Field(default="amount", description="Deal amount.")
    created: Text = Field(default="created_at", description="Date the deal was created.")
    closed: Text = Field(default="closed_at", description="Date the deal was won or lost.")
    owner: Text = Field(default="owner", description="Rep who owns the deal.")
    lost_stage: Text = Field(default="lost_at_stage", description="Stage a lost deal was lost at.")
    currency: Text = Field(
        default="currency", description="ISO 4217 code of each deal's amount, if it varies."
    )
    pipeline: Text = Field(
        default="pipeline", description="Pipeline of each deal (for `data.pipeline`)."
    )


class HistoryColumnMap(Strict):
    deal: Text = Field(default="deal_id", description="Deal id in the stage-history table.")
    stage: Text = Field(default="stage", description="Stage label entered.")
    entered: Text = Field(default="entered_at", description="Date the stage was entered.")
    field: Text | None = Field(
        default=None,
        description="Field-history reports: the column naming the field that changed; only "
        "its Stage rows are read.",
    )


NumberFormat = Literal["1,234.56", "1.234,56", "1 234,56", "1'234.56"]
Preset = Literal["hubspot", "salesforce", "pipedrive"]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Rate = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=MAX_RATE)]
# A value of a data column to filter on: text, or a number written as one (coerced to text).
FilterValue = Annotated[str, Field(max_length=1000)]


class Join(Strict):
    """Another file joined to the deals, for its columns (`--by`, `where`)."""

    file: Text = Field(description="The file to join (relative to the process file).")
    on: Text | dict[Text, Text] = Field(
        description="The key: a column both files share, or {deal column: other column}."
    )
    table: Text | None = Field(default=None, description="Table of a DuckDB or SQLite file.")
    sheet: Text | None = Field(default=None, description="Sheet of a spreadsheet file.")


class DataMapping(Strict):
    table: Text | None = Field(
        default=None,
        description="The deals' table in a database, or in a DuckDB or SQLite file "
        "(--table overrides it).",
    )
    query: Text | None = Field(
        default=None,
        description="The deals as one SELECT in the database's own SQL, instead of a table "
        "(--query overrides it).",
    )
    columns: ColumnMap = Field(default_factory=ColumnMap, description="Deal table columns.")
    stage_dates: dict[Slug, Text] = Field(
        default_factory=dict,
        description="Wide exports: stage id → column holding the date the deal entered it.",
    )
    history_columns: HistoryColumnMap = Field(
        default_factory=HistoryColumnMap, description="Stage-history table columns."
    )
    number_format: NumberFormat | None = Field(
        default=None,
        description="How text amounts write thousands and decimals: 1,234.56, 1.234,56, "
        "1 234,56 or 1'234.56. Without it, an amount whose reading depends on the convention "
        "(12.000, 1,234) is refused.",
    )
    preset: Preset | None = Field(
        default=None,
        description="The CRM whose standard export this is: its column names, date formats and "
        "status values are used where `columns` says nothing.",
    )
    pipeline: Text | None = Field(
        default=None, description="Read only the deals of this pipeline (multi-pipeline exports)."
    )
    where: dict[Text, FilterValue | list[FilterValue]] = Field(
        default_factory=dict,
        description="Read only the rows whose column equals the value (or one of the values).",
    )
    join: list[Join] = Field(
        default_factory=list, description="Files joined to the deals (a left join), in order."
    )
    date_format: Text | dict[Text, Text] | None = Field(
        default=None,
        description="strftime format of text dates (e.g. %d/%m/%Y), or a map of column name → "
        "format. Without it each column's format is detected, and a column whose dates read "
        "either way (day/month) is refused.",
    )
    rates: dict[CurrencyCode, Rate] = Field(
        default_factory=dict,
        description="Exchange rates: what one unit of each currency is worth in the process "
        "currency (EUR: 1.08).",
    )
    ignore: list[Text] = Field(
        default_factory=list,
        description="Status or stage values whose rows are dropped and counted (e.g. Deleted).",
    )
    encoding: Text | None = Field(
        default=None,
        description="Text encoding of CSV files (utf-8, utf-16, cp1252, …); detected otherwise.",
    )


class Process(Extensible):
    """A sales process: ordered open stages, the roles that own them, outcomes and the plan."""

    model_config = ConfigDict(title="salesflow process")

    salesflow: int = Field(description="Format version of this file; this release reads 1.")
    name: Text = Field(description="Name of the process.")
    currency: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code of amounts."
    )
    description: str = Field(default="", description="One paragraph for the handbook.")
    effective: IsoDate | None = Field(
        default=None,
        description=(
            "The day this version took effect (YYYY-MM-DD), for `salesflow impact`; "
            "without it, the date of the commit that made it."
        ),
    )
    roles: list[Role] = Field(default_factory=list, description="Who works the process.")
    team: list[Member] = Field(
        default_factory=list, description="The people, by owner name, with role and quota."
    )
    goals: Goals = Field(default_factory=Goals, description="Targets for the whole team.")
    stages: list[Stage] = Field(
        min_length=1, description="Open stages in order, from first touch to the last before won."
    )
    outcomes: Outcomes = Field(default_factory=Outcomes, description="Won and lost.")
    qualification: Qualification | None = Field(
        default=None,
        description="The qualification framework (MEDDIC, BANT, …), each criterion tied to the "
        "exit criteria that check it.",
    )
    assumptions: Assumptions = Field(
        default_factory=Assumptions, description="Planning figures used when there is no data."
    )
    data: DataMapping = Field(
        default_factory=DataMapping, description="How deal data maps onto this process."
    )

    def stage_ids(self) -> list[str]:
        return [stage.id for stage in self.stages]

    def has_goals(self) -> bool:
        """Whether anything in the file sets a goal or a quota."""
        targets = self.goals.model_dump(exclude_none=True)
        return bool(self.team or targets or any(role.quota for role in self.roles))
