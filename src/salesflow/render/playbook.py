"""The playbook parts of the handbook's context: what a rep asks, says, answers and sends in a
stage, which CRM fields gate it, and the qualification framework tied to the exit criteria."""

from __future__ import annotations

import copy
from typing import Any

from salesflow.model import Process, Stage
from salesflow.model.playbook import Qualification, criterion_key
from salesflow.reporters.safety import safe_url

# Stage id → exit criterion key → the names of the qualification criteria it checks.
Checks = dict[str, dict[str, list[str]]]


def stage_playbook(stage: Stage, checks: Checks) -> dict[str, Any]:
    """The keys a stage adds to the context for its playbook."""
    checked = checks.get(stage.id, {})
    return {
        "questions": stage.questions,
        "talk_track": stage.talk_track,
        "objections": [
            {"objection": o.objection, "response": o.response} for o in stage.objections
        ],
        "templates": [
            {"title": t.title, "body": t.body, "url": safe_url(t.url) if t.url else None}
            for t in stage.templates
        ],
        "required_fields": stage.required_fields,
        "exit_checks": [
            {"text": text, "criteria": checked.get(criterion_key(text), [])}
            for text in stage.exit_criteria
        ],
        "extra": extensions(stage.extensions),
    }


def extensions(found: dict[str, Any]) -> dict[str, Any]:
    """The `x-` keys as plain data; a copy, so that a template cannot change the process."""
    return copy.deepcopy(found)


def qualification_checks(process: Process) -> Checks:
    """Which qualification criteria each exit criterion checks (validation made sure that every
    one named exists)."""
    checks: Checks = {}
    if process.qualification is None:
        return checks
    for criterion in process.qualification.criteria:
        for stage_id, texts in criterion.checked_by.items():
            by_text = checks.setdefault(stage_id, {})
            for text in texts:
                names = by_text.setdefault(criterion_key(text), [])
                if criterion.name not in names:
                    names.append(criterion.name)
    return checks


def qualification(process: Process) -> dict[str, Any] | None:
    """The framework chapter: each criterion with the stages and exit criteria that check it,
    in the order of the stages."""
    found = process.qualification
    if found is None:
        return None
    return {
        "framework": found.framework,
        "description": found.description,
        "criteria": _criteria(found, process),
    }


def _criteria(found: Qualification, process: Process) -> list[dict[str, Any]]:
    order = {stage.id: number for number, stage in enumerate(process.stages, start=1)}
    stages = {stage.id: stage for stage in process.stages}
    result = []
    for criterion in found.criteria:
        named = sorted(
            (sid for sid in criterion.checked_by if sid in stages), key=order.__getitem__
        )
        checks = [
            {
                "stage_id": stage_id,
                "stage_number": order[stage_id],
                "stage_name": stages[stage_id].name,
                "exit_criteria": [
                    _as_written(stages[stage_id], text) for text in criterion.checked_by[stage_id]
                ],
            }
            for stage_id in named
        ]
        result.append(
            {"name": criterion.name, "description": criterion.description, "checks": checks}
        )
    return result


def _as_written(stage: Stage, text: str) -> str:
    """The stage's own wording of an exit criterion named under `checked_by`."""
    key = criterion_key(text)
    return next((own for own in stage.exit_criteria if criterion_key(own) == key), text)
