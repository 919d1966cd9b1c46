"""Changes to the playbook parts of a process: a stage's questions, talk track, objections, email
templates and required CRM fields, and the qualification framework. None of them breaks data
or tooling: the fields a deal must carry, and the criteria a qualified deal meets, are warnings
(the way reps work changes); the rest is handbook content (info)."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

from salesflow.model import Criterion, Process, Stage
from salesflow.model.diff import Change, Level

W, I = Level.WARNING, Level.INFO  # noqa: E741
SHOWN_CHARS = 60

# (key, content, shown): items are matched by key; the same key with other content is a change.
Item = tuple[Hashable, Hashable, Any]


def stage_playbook_changes(old: Stage, new: Stage) -> Iterator[Change]:
    sid, path = new.id, f"stages.{new.id}"
    yield from _keyed(
        ("question", I), sid, f"{path}.questions", _plain(old.questions), _plain(new.questions)
    )
    if old.talk_track != new.talk_track:
        message = f"talk track {_verb(old.talk_track, new.talk_track)}"
        yield Change.of(
            "talk-track", I, sid, f"{path}.talk_track", old.talk_track, new.talk_track, message
        )
    yield from _keyed(
        ("objection", I), sid, f"{path}.objections", _objections(old), _objections(new)
    )
    yield from _keyed(("template", I), sid, f"{path}.templates", _templates(old), _templates(new))
    yield from _keyed(
        ("required-field", W),
        sid,
        f"{path}.required_fields",
        _plain(old.required_fields),
        _plain(new.required_fields),
    )


def qualification_changes(
    before: Process, after: Process, new_ids: Mapping[str, str]
) -> Iterator[Change]:
    """`new_ids`: the id each stage of `before` still there has in `after`. A criterion checked
    by a stage whose id changed is compared by that stage, not by its old id."""
    old, new = before.qualification, after.qualification
    if old == new:
        return
    was = old.framework if old else None
    now = new.framework if new else None
    if was != now:
        message = f"qualification framework: {_show(was)} → {_show(now)}"
        yield Change.of("qualification-framework", I, None, "qualification", was, now, message)
    old_text = old.description if old else ""
    new_text = new.description if new else ""
    if old_text != new_text:
        message = f"qualification description {_verb(old_text, new_text)}"
        path = "qualification.description"
        yield Change.of("qualification-description", I, None, path, old_text, new_text, message)
    yield from _keyed(
        ("qualification-criterion", W),
        None,
        "qualification.criteria",
        [_criterion(c, new_ids) for c in (old.criteria if old else [])],
        [_criterion(c, {}) for c in (new.criteria if new else [])],
    )


def _plain(texts: list[str]) -> list[Item]:
    return [(text, None, text) for text in texts]


def _objections(stage: Stage) -> list[Item]:
    return [
        (o.objection, o.response, {"objection": o.objection, "response": o.response})
        for o in stage.objections
    ]


def _templates(stage: Stage) -> list[Item]:
    return [
        (t.title, (t.body, t.url), {"title": t.title, "body": t.body, "url": t.url})
        for t in stage.templates
    ]


def _criterion(criterion: Criterion, new_ids: Mapping[str, str]) -> Item:
    """Compared by the stages that check it under their new ids; shown as written."""
    checked_by = {stage: list(texts) for stage, texts in criterion.checked_by.items()}
    by_stage = sorted((new_ids.get(s, s), tuple(t)) for s, t in checked_by.items())
    content = (criterion.description, tuple(by_stage))
    shown = {"name": criterion.name, "description": criterion.description, "checked_by": checked_by}
    return criterion.name, content, shown


def _keyed(
    kind: tuple[str, Level],
    stage: str | None,
    path: str,
    old: list[Item],
    new: list[Item],
) -> Iterator[Change]:
    """Item-level changes, order aside: an item of one version only is `KIND-changed` when the
    other version has an item of its own with the same key, else `KIND-removed` or
    `KIND-added`. Sets and queues keep long lists linear."""
    name, severity = kind
    what = name.replace("-", " ")
    old_pairs = {(key, content) for key, content, _ in old}
    new_pairs = {(key, content) for key, content, _ in new}
    gone = [(key, shown) for key, content, shown in old if (key, content) not in new_pairs]
    came = [(key, shown) for key, content, shown in new if (key, content) not in old_pairs]
    unmatched: dict[Hashable, deque[int]] = {}
    for index, (key, _) in enumerate(came):
        unmatched.setdefault(key, deque()).append(index)
    matched: set[int] = set()
    for key, shown in gone:
        waiting = unmatched.get(key)
        if waiting:
            index = waiting.popleft()
            matched.add(index)
            message = f"{what} changed: {_show(key)}"
            yield Change.of(
                f"{name}-changed", severity, stage, path, shown, came[index][1], message
            )
        else:
            message = f"{what} removed: {_show(key)}"
            yield Change.of(f"{name}-removed", severity, stage, path, shown, None, message)
    for index, (key, shown) in enumerate(came):
        if index not in matched:
            message = f"{what} added: {_show(key)}"
            yield Change.of(f"{name}-added", severity, stage, path, None, shown, message)


def _verb(old: str, new: str) -> str:
    return "added" if not old else "removed" if not new else "rewritten"


def _show(value: object) -> str:
    if value is None:
        return "none"
    text = str(value)
    return f"'{text}'" if len(text) <= SHOWN_CHARS else f"'{text[: SHOWN_CHARS - 3]}…'"
