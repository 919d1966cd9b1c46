""" "What changed" for reps: each change of `salesflow diff` said in plain words ("The stage
label 'SQL' is no longer accepted; use 'Qualification'."), not in the diff's own language
("breaking: alias removed"). The words are plain text; the templates escape them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from salesflow.model import Process
from salesflow.model.diff import Change, Level

Words = Callable[[Change, "Names"], str]


class Names:
    """How the new version calls things: stages (by id), roles (by id), the outcomes."""

    def __init__(self, process: Process) -> None:
        self.stages = {stage.id: stage.name for stage in process.stages}
        self.roles = {role.id: role.title for role in process.roles}
        self.outcomes = {"won": process.outcomes.won.name, "lost": process.outcomes.lost.name}

    def stage(self, change: Change) -> str:
        return change.stage_name or self.stages.get(change.stage or "", change.stage or "")

    def role(self, role_id: object) -> str:
        return self.roles.get(str(role_id), str(role_id)) if role_id else "nobody"


def plain_changes(changes: list[Change], process: Process) -> list[dict[str, Any]]:
    """The context's `changes`: the diff's fields, plus `text` (plain words) and `action`
    (true when reps work differently: the diff's breaking changes and warnings)."""
    names = Names(process)
    return [
        {
            "severity": change.severity.value,
            "stage": change.stage,
            "stage_name": change.stage_name,
            "message": change.message,
            "text": plain_words(change, names),
            "action": change.severity is not Level.INFO,
        }
        for change in changes
    ]


def plain_words(change: Change, names: Names) -> str:
    words = WORDS.get(change.kind)
    return words(change, names) if words else _fallback(change)


def _fallback(change: Change) -> str:
    where = f"{change.stage_name or change.stage}: " if change.stage else ""
    text = f"{where}{change.message}"
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _q(value: object) -> str:
    return f"“{value}”"


def _percent(share: object) -> str:
    if not isinstance(share, int | float):
        return "none"
    return f"{round(share * 100, 1):g}%"


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) else "none"


def _was(before: object, shown: str) -> str:
    return "" if before is None else f" (was {shown})"


def _resource_title(item: object) -> str:
    """A resource is compared as `title <url>`: its title."""
    return str(item).rsplit(" <", 1)[0]


def _role_id(change: Change) -> str:
    """`roles.ID.title` and the like: the role's id."""
    return change.path.split(".")[1]


def _person(change: Change) -> str:
    """`team.NAME.quota`: the name, which may hold dots."""
    return change.path.removeprefix("team.").rsplit(".", 1)[0]


def _outcome(change: Change) -> str:
    return change.path.split(".")[1]


def _stage_words(template: str) -> Words:
    """Words naming the stage ({stage}) and the item added ({after}) or removed ({before})."""

    def words(change: Change, names: Names) -> str:
        return template.format(
            stage=names.stage(change), before=_q(change.before), after=_q(change.after)
        )

    return words


def _objection(change: Change, side: str) -> str:
    item = change.before if side == "before" else change.after
    return _q(item.get("objection") if isinstance(item, dict) else item)


def _title(item: object) -> str:
    return _q(item.get("title") if isinstance(item, dict) else item)


def _name(item: object) -> str:
    return str(item.get("name") if isinstance(item, dict) else item)


def _quota_words(change: Change, names: Names) -> str:
    if change.path.startswith("roles."):
        who = f"Each {names.role(_role_id(change))} without a quota of their own"
    else:
        who = _person(change)
    if change.after is None:
        return f"{who} no longer has a quota{_was(change.before, str(change.before))}."
    return f"{who} now has a quota of {change.after}{_was(change.before, str(change.before))}."


def _goal_words(change: Change, names: Names) -> str:
    before, after = change.before, change.after
    if change.path.endswith("win_rate"):
        if after is None:
            return "The team no longer has a win-rate goal."
        return f"Team goal: win {_percent(after)} of new deals{_was(before, _percent(before))}."
    if change.path.endswith("cycle_days"):
        if after is None:
            return "The team no longer has a sales-cycle goal."
        return (
            f"Team goal: win deals in a median of {_number(after)} days"
            f"{_was(before, _number(before))}."
        )
    if after is None:
        return "The team no longer has a revenue goal."
    return f"Team goal: win {after} as a team{_was(before, str(before))}."


def _stage_plan_words(missing: str, sentence: str, shown: Callable[[object], str]) -> Words:
    """Words for a planned figure of a stage: "{stage} no longer has {missing}." when it is
    removed, else `sentence` with the stage and the new value ({value}), and the old one."""

    def words(change: Change, names: Names) -> str:
        stage = names.stage(change)
        if change.after is None:
            return f"{stage} no longer has {missing}."
        said = sentence.format(stage=stage, value=shown(change.after))
        return f"{said}{_was(change.before, shown(change.before))}."

    return words


def _owner_words(change: Change, names: Names) -> str:
    stage = names.stage(change)
    if change.after is None:
        return f"{stage} no longer has an owner (was the {names.role(change.before)})."
    was = f" (was the {names.role(change.before)})" if change.before else ""
    return f"{stage} is now owned by the {names.role(change.after)}{was}."


def _outcome_name_words(change: Change, names: Names) -> str:
    kind = _outcome(change)
    now, was = _q(change.after), _q(change.before)
    return f"{kind.capitalize()} deals are now recorded as {now} (was {was})."


def _outcome_renamed_words(change: Change, names: Names) -> str:
    kind = _outcome(change)
    now, was = _q(change.after), _q(change.before)
    return f"{kind.capitalize()} deals are now shown as {now} (was {was}); both labels count."


def _label_remapped_words(change: Change, names: Names) -> str:
    was, now = change.before, change.after
    if not isinstance(was, dict) or not isinstance(now, dict):
        return _fallback(change)
    return (
        f"CRM data labelled {_q(was.get('label'))} now counts as {_meaning(now, names)}, "
        f"no longer as {_meaning(was, names, 'the stage now called ')}."
    )


def _meaning(target: dict[str, Any], names: Names, called: str = "") -> str:
    """won / lost, or a stage by its name in the new version (`called` before it), or by its
    id when the new version has no stage of that id."""
    if "outcome" in target:
        return str(target["outcome"])
    sid = str(target.get("stage"))
    return f"{called}{_q(names.stages[sid])}" if sid in names.stages else f"stage {_q(sid)}"


def _outcome_alias_removed(change: Change, names: Names) -> str:
    kind = _outcome(change)
    return (
        f"The CRM label {_q(change.before)} no longer counts as {kind}; "
        f"use {_q(names.outcomes[kind])}."
    )


def _deal_size_words(change: Change, names: Names) -> str:
    amounts = change.message.split(": ", 1)[-1]
    return f"The planned average deal size: {amounts}."


def _criterion_changed(change: Change, names: Names) -> str:
    return f"The qualification criterion {_q(_name(change.after))} changed; read it again below."


WORDS: dict[str, Words] = {
    "stage-added": lambda c, n: (
        f"New stage: {_q(c.after)}, step "
        f"{list(n.stages).index(c.stage) + 1 if c.stage in n.stages else '?'} of the process."
    ),
    "stage-removed": lambda c, n: f"The stage {_q(c.before)} is gone from the process.",
    "stage-moved": lambda c, n: (
        f"{n.stage(c)} is now step {c.after} of the process (was step {c.before})."
    ),
    "stage-id-changed": lambda c, n: (
        f"{n.stage(c)} has a new id in the process file: "
        f"{_q(c.after)} (was {_q(c.before)}); CRM data labelled {_q(c.before)} no longer "
        "maps to it."
    ),
    "stage-renamed": lambda c, n: f"The stage {_q(c.before)} is now called {_q(c.after)}.",
    "stage-name": lambda c, n: (
        f"The stage {_q(c.before)} is now called {_q(c.after)}; the CRM label {_q(c.before)} "
        "no longer counts as it."
    ),
    "stage-description": lambda c, n: f"The description of {n.stage(c)} was rewritten.",
    "owner": _owner_words,
    "entry-criterion-added": _stage_words("Before a deal enters {stage}, also check: {after}."),
    "entry-criterion-removed": _stage_words(
        "{before} is no longer needed for a deal to enter {stage}."
    ),
    "exit-criterion-added": _stage_words("Before a deal leaves {stage}, also check: {after}."),
    "exit-criterion-removed": _stage_words(
        "{before} is no longer needed for a deal to leave {stage}."
    ),
    "activity-added": _stage_words("New activity in {stage}: {after}."),
    "activity-removed": _stage_words("{before} is no longer an activity of {stage}."),
    "resource-added": lambda c, n: (
        f"New resource for {n.stage(c)}: {_q(_resource_title(c.after))}."
    ),
    "resource-removed": lambda c, n: (
        f"The resource {_q(_resource_title(c.before))} is gone from {n.stage(c)}."
    ),
    "conversion": _stage_plan_words(
        "a planned conversion", "The plan for {stage}: {value} of deals move on", _percent
    ),
    "days": _stage_plan_words(
        "planned days", "Deals should spend a median of {value} days in {stage}", _number
    ),
    "probability": _stage_plan_words(
        "a win probability", "A deal in {stage} now counts as {value} likely to be won", _percent
    ),
    "alias-added": _stage_words("The CRM label {after} now also means {stage}."),
    "alias-removed": lambda c, n: (
        f"The stage label {_q(c.before)} is no longer accepted; use {_q(n.stage(c))}."
    ),
    "question-added": _stage_words("New question to ask in {stage}: {after}."),
    "question-removed": _stage_words("{before} is no longer a question for {stage}."),
    "talk-track": lambda c, n: (
        f"The talk track of {n.stage(c)} was "
        f"{'written' if not c.before else 'removed' if not c.after else 'rewritten'}."
    ),
    "objection-added": lambda c, n: (
        f"New objection to answer in {n.stage(c)}: {_objection(c, 'after')}."
    ),
    "objection-removed": lambda c, n: (
        f"The objection {_objection(c, 'before')} is gone from {n.stage(c)}."
    ),
    "objection-changed": lambda c, n: (
        f"A new answer to the objection {_objection(c, 'after')} in {n.stage(c)}."
    ),
    "template-added": lambda c, n: f"New email template for {n.stage(c)}: {_title(c.after)}.",
    "template-removed": lambda c, n: (
        f"The email template {_title(c.before)} is gone from {n.stage(c)}."
    ),
    "template-changed": lambda c, n: (
        f"The email template {_title(c.after)} of {n.stage(c)} changed."
    ),
    "required-field-added": _stage_words(
        "Fill in the CRM field {after} before a deal leaves {stage}."
    ),
    "required-field-removed": _stage_words(
        "The CRM field {before} no longer has to be filled to leave {stage}."
    ),
    "qualification-framework": lambda c, n: (
        "The team no longer uses a qualification framework."
        if c.after is None
        else f"The team qualifies deals with {c.after}{_was(c.before, str(c.before))}."
    ),
    "qualification-description": lambda c, n: (
        "The qualification framework's description was rewritten."
    ),
    "qualification-criterion-added": lambda c, n: (
        f"New qualification criterion: {_q(_name(c.after))}."
    ),
    "qualification-criterion-removed": lambda c, n: (
        f"{_q(_name(c.before))} is no longer a qualification criterion."
    ),
    "qualification-criterion-changed": _criterion_changed,
    "role-added": lambda c, n: f"New role: the {c.after}.",
    "role-removed": lambda c, n: f"The {c.before} role is gone.",
    "role-title": lambda c, n: f"The {c.before} is now called {c.after}.",
    "role-responsibility-added": lambda c, n: (
        f"New responsibility of the {n.role(_role_id(c))}: {_q(c.after)}."
    ),
    "role-responsibility-removed": lambda c, n: (
        f"{_q(c.before)} is no longer a responsibility of the {n.role(_role_id(c))}."
    ),
    "quota": _quota_words,
    "member-added": lambda c, n: f"{c.after} joined the team.",
    "member-removed": lambda c, n: f"{c.before} left the team.",
    "member-role": lambda c, n: (
        f"{_person(c)} now works as {n.role(c.after)} (was {n.role(c.before)})."
    ),
    "goal": _goal_words,
    "outcome-name": _outcome_name_words,
    "outcome-renamed": _outcome_renamed_words,
    "label-remapped": _label_remapped_words,
    "outcome-alias-added": lambda c, n: (
        f"The CRM label {_q(c.after)} now also counts as {_outcome(c)}."
    ),
    "outcome-alias-removed": _outcome_alias_removed,
    "lost-reason-added": lambda c, n: f"New lost reason to pick: {_q(c.after)}.",
    "lost-reason-removed": lambda c, n: f"{_q(c.before)} is no longer a lost reason; pick another.",
    "deal-size": _deal_size_words,
    "currency": lambda c, n: f"Amounts are now in {c.after} (were in {c.before}).",
    "name": lambda c, n: f"The process is now called {_q(c.after)}.",
    "description": lambda c, n: "The description of the process was rewritten.",
    "effective": lambda c, n: f"This version of the process applies from {c.after}.",
    "data-mapping": lambda c, n: (
        f"How CRM exports are read changed ({c.path}); nothing changes in how you work."
    ),
    "format-version": lambda c, n: f"The process file moved to format version {c.after}.",
}
