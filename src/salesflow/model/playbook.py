"""The playbook parts of a process: what reps say and send in a stage (objections and their
answers, email templates) and the qualification framework whose criteria the stages' exit
criteria check."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from salesflow.model.base import Slug, Strict, Text

CheckingCriteria = Annotated[list[Text], Field(min_length=1)]


class Objection(Strict):
    objection: Text = Field(description="What the prospect says, in their words.")
    response: Text = Field(description="How the rep answers it.")


class Template(Strict):
    """An email template: its text (`body`) or a link to it (`url`), exactly one of them."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["body"]}, {"required": ["url"]}]}
    )

    title: Text = Field(description="What the template is for, e.g. Recap after discovery.")
    body: Text | None = Field(
        default=None, description="The email itself; line breaks are kept in the handbook."
    )
    url: Text | None = Field(
        default=None, description="Where the template lives, instead of a body."
    )

    @model_validator(mode="after")
    def _body_or_url(self) -> Self:
        if self.body is None and self.url is None:
            raise ValueError("a template needs a body or a url")
        if self.body is not None and self.url is not None:
            raise ValueError("a template has a body or a url, not both")
        return self


class Criterion(Strict):
    name: Text = Field(description="The criterion, e.g. Economic buyer.")
    description: str = Field(default="", description="What it means, for the handbook.")
    checked_by: dict[Slug, CheckingCriteria] = Field(
        min_length=1,
        description="Stage id → the exit criteria of that stage that check this criterion, "
        "each written as under the stage's exit_criteria (case, spacing and a final full stop "
        "aside).",
    )


class Qualification(Strict):
    """How the team qualifies a deal (MEDDIC, BANT, …), each criterion tied to the exit
    criteria that check it."""

    framework: Text = Field(description="Name of the framework, e.g. MEDDIC or BANT.")
    description: str = Field(default="", description="Why and how the team uses it.")
    criteria: list[Criterion] = Field(
        min_length=1, description="The criteria, each tied to the exit criteria that check it."
    )


def criterion_key(text: str) -> str:
    """How an exit criterion named under `checked_by` is matched to the stage's own: ignoring
    case, runs of whitespace and a final full stop."""
    return " ".join(text.split()).rstrip(".").rstrip().casefold()
