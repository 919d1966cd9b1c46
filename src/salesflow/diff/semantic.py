"""Compare two versions of a process, stage by stage: pure, no I/O.

Stages are matched by id; a stage whose id changed is recognised by its name or an alias and
reported as a rename with both ids, and what is keyed on stage ids (stage dates, the stages
checking a qualification criterion) follows that match. Aliases are judged by the folded labels
that map to a stage or outcome (diff.labels), not by list entries. Every change carries a
severity: `breaking` when existing data or tooling relies on what changed, `warning` when the
plan moved, `info` for wording.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from salesflow.diff.labels import (
    Remap,
    aliases_outside,
    outcome_labels,
    remapped_labels,
    stage_labels,
)
from salesflow.diff.playbook import qualification_changes, stage_playbook_changes
from salesflow.diff.reasons import REASONS
from salesflow.model import Outcome, Process, Stage
from salesflow.model.diff import Change, Level, money
from salesflow.model.labels import RESERVED_LABELS, fold
from salesflow.model.process import Quota

B, W, I = Level.BREAKING, Level.WARNING, Level.INFO  # noqa: E741


Matching = tuple[list[tuple[Stage, Stage]], list[Stage], list[Stage]]


def compare(before: Process, after: Process) -> list[Change]:
    matching = match_stages(before.stages, after.stages)
    new_ids = {old.id: new.id for old, new in matching[0]}
    remapped = {r.label: _remap_change(r, new_ids) for r in remapped_labels(before, after, new_ids)}
    found = [
        *_top_level(before, after),
        *_roles(before, after),
        *_team_and_goals(before, after),
        *_stages(before, after, matching, remapped),
        *_outcomes(before, after, remapped),
        *qualification_changes(before, after, new_ids),
        *_assumptions(before, after),
        *_data(before, after, new_ids),
    ]
    names = {stage.id: stage.name for stage in (*before.stages, *after.stages)}  # B's name wins
    return [_annotated(change, names) for change in found]


def _annotated(change: Change, names: dict[str, str]) -> Change:
    """The stage's display name, and why the change breaks when it does."""
    update: dict[str, Any] = {}
    if change.stage is not None and change.stage in names:
        update["stage_name"] = names[change.stage]
    if change.severity is B:
        update["reason"] = REASONS[change.kind]
    return change.model_copy(update=update) if update else change


def _stages(
    before: Process, after: Process, matching: Matching, remapped: dict[str, Change]
) -> list[Change]:
    """Stage changes in the new order of the stages, each removed stage where it used to be;
    a remapped label goes with the stage it now means (or meant, when it now means an
    outcome). Linear in the number of stages: positions are looked up by id, never searched."""
    pairs, removed, added = matching
    old_position = {stage.id: index for index, stage in enumerate(before.stages)}
    added_ids = {stage.id for stage in added}
    by_stage: dict[str, list[Change]] = {}
    for change in [
        *_moves(before, after, pairs),
        *(c for o, n in pairs for c in _stage(o, n, remapped)),
        *(c for c in remapped.values() if c.stage is not None),
    ]:
        by_stage.setdefault(change.stage or "", []).append(change)
    slots: list[tuple[float, list[Change]]] = []
    for index, stage in enumerate(after.stages):
        found = by_stage.get(stage.id, [])
        if stage.id in added_ids:
            message = f"stage '{stage.id}' added at position {index + 1}"
            found = [
                Change.of(
                    "stage-added", W, stage.id, f"stages.{stage.id}", None, stage.name, message
                ),
                *found,
            ]
        slots.append((index, found))
    for stage in removed:
        gone = Change.of(
            "stage-removed",
            B,
            stage.id,
            f"stages.{stage.id}",
            stage.name,
            None,
            f"stage '{stage.id}' removed",
        )
        slots.append((old_position[stage.id] - 0.5, [gone, *by_stage.get(stage.id, [])]))
    return [change for _, found in sorted(slots, key=lambda slot: slot[0]) for change in found]


def match_stages(before: list[Stage], after: list[Stage]) -> Matching:
    """(matched pairs in the new order, removed stages, added stages).

    Stages pair by id first; each new stage left over then pairs with the first old stage left
    over (in the old order) that shares a name or alias with it, folded as CRM labels are. An
    index from label to old stages keeps this linear in the number of stages and labels."""
    old_by_id = {stage.id: stage for stage in before}
    matched_old = {stage.id for stage in after if stage.id in old_by_id}
    index = _LabelIndex([stage for stage in before if stage.id not in matched_old])
    renamed: dict[str, Stage] = {}  # new id -> the old stage it renames
    for new in after:
        if new.id not in old_by_id:
            old = index.first_unmatched(new, matched_old)
            if old is not None:
                renamed[new.id] = old
                matched_old.add(old.id)
    pairs = [
        (old_by_id[new.id] if new.id in old_by_id else renamed[new.id], new)
        for new in after
        if new.id in old_by_id or new.id in renamed
    ]
    removed = [s for s in before if s.id not in matched_old]
    added = [s for s in after if s.id not in old_by_id and s.id not in renamed]
    return pairs, removed, added


class _LabelIndex:
    """Old stages by folded name and alias, each list in the old order."""

    def __init__(self, stages: list[Stage]) -> None:
        self.position = {stage.id: index for index, stage in enumerate(stages)}
        self.by_label: dict[str, list[Stage]] = {}
        for stage in stages:
            for label in _labels(stage):
                self.by_label.setdefault(label, []).append(stage)
        self.taken: dict[str, int] = {}  # per label: how many leading stages are matched already

    def first_unmatched(self, new: Stage, matched: set[str]) -> Stage | None:
        """The earliest old stage not in `matched` that shares a label with `new`. Matched
        stages never become unmatched, so each list is walked past them once in all."""
        best: Stage | None = None
        for label in _labels(new):
            stages = self.by_label.get(label, [])
            start = self.taken.get(label, 0)
            while start < len(stages) and stages[start].id in matched:
                start += 1
            self.taken[label] = start
            if start < len(stages):
                found = stages[start]
                if best is None or self.position[found.id] < self.position[best.id]:
                    best = found
        return best


def _labels(stage: Stage) -> set[str]:
    return {fold(label) for label in (stage.name, *stage.aliases)}


def _remap_change(remap: Remap, new_ids: Mapping[str, str]) -> Change:
    """One breaking change per label that now means another stage or outcome, with the stage it
    now means (else the one it meant, by its new id when it is still there)."""
    was, now = remap.was.target, remap.now.target
    stage = now.key if now.kind == "stage" else None
    if stage is None and was.kind == "stage":
        stage = new_ids.get(was.key, was.key)
    message = f"label {_show(remap.was.text)} moved from {was} to {now}"
    old, new = remap.was.shown(), remap.now.shown()
    return Change.of("label-remapped", B, stage, remap.now.path, old, new, message)


def _label_items(
    kind: str,
    stage: str | None,
    path: str,
    labels: tuple[set[str], set[str]],
    aliases: tuple[list[str], list[str]],
    what: str,
    remapped: Collection[str],
) -> Iterator[Change]:
    """Aliases by the labels they map: `KIND-removed` (breaking) for an old alias whose label no
    longer maps to the stage or outcome, `KIND-added` for a new alias whose label is new to it;
    once per folded label, leaving out the `remapped` labels (reported on their own)."""
    (old_labels, new_labels), (old, new) = labels, aliases
    for alias in aliases_outside(old, new_labels, remapped):
        message = f"{what} removed: {_show(alias)}"
        yield Change.of(f"{kind}-removed", B, stage, path, alias, None, message)
    for alias in aliases_outside(new, old_labels, remapped):
        message = f"{what} added: {_show(alias)}"
        yield Change.of(f"{kind}-added", I, stage, path, None, alias, message)


def _value(
    kind: str, severity: Level, stage: str | None, path: str, old: Any, new: Any, what: str
) -> Iterator[Change]:
    if old != new:
        yield Change.of(
            kind, severity, stage, path, old, new, f"{what}: {_show(old)} → {_show(new)}"
        )


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return f"'{text}'" if len(text) <= 60 else f"'{text[:57]}…'"


def _number(
    kind: str, stage: str | None, path: str, old: float | None, new: float | None, what: str
) -> Iterator[Change]:
    if old == new:
        return
    delta = f" ({new - old:+g})" if old is not None and new is not None else ""
    yield Change.of(kind, W, stage, path, old, new, f"{what}: {_show(old)} → {_show(new)}{delta}")


def _share(
    kind: str, stage: str | None, path: str, old: float | None, new: float | None, what: str
) -> Iterator[Change]:
    """A share (conversion, probability, win rate) as percentages, the delta in points."""
    if old == new:
        return
    delta = f" ({_points(new - old)})" if old is not None and new is not None else ""
    message = f"{what}: {_percent(old)} → {_percent(new)}{delta}"
    yield Change.of(kind, W, stage, path, old, new, message)


def _percent(share: float | None) -> str:
    return "none" if share is None else f"{round(share * 100, 6):g}%"


def _points(delta: float) -> str:
    points = round(delta * 100, 6)
    return f"{points:+g} {'pt' if abs(points) == 1 else 'pts'}"


def _amount(currency: str, value: float | None) -> str:
    return "none" if value is None else money(currency, value)


def _items(
    kind: str,
    severity: Level,
    removed_severity: Level,
    stage: str | None,
    path: str,
    old: list[str],
    new: list[str],
    what: str,
) -> Iterator[Change]:
    """Item-level list changes: each added and each removed item (sets for membership, so long
    lists stay linear)."""
    old_items, new_items = set(old), set(new)
    for item in old:
        if item not in new_items:
            yield Change.of(
                f"{kind}-removed",
                removed_severity,
                stage,
                path,
                item,
                None,
                f"{what} removed: {_show(item)}",
            )
    for item in new:
        if item not in old_items:
            yield Change.of(
                f"{kind}-added", severity, stage, path, None, item, f"{what} added: {_show(item)}"
            )


def _top_level(before: Process, after: Process) -> Iterator[Change]:
    yield from _value(
        "format-version", B, None, "salesflow", before.salesflow, after.salesflow, "format version"
    )
    yield from _value("name", I, None, "name", before.name, after.name, "process name")
    yield from _value(
        "description",
        I,
        None,
        "description",
        before.description,
        after.description,
        "process description",
    )
    yield from _value("currency", B, None, "currency", before.currency, after.currency, "currency")
    yield from _value(
        "effective", I, None, "effective", before.effective, after.effective, "effective date"
    )


def _roles(before: Process, after: Process) -> Iterator[Change]:
    old = {role.id: role for role in before.roles}
    new = {role.id: role for role in after.roles}
    for rid in sorted(old.keys() - new.keys()):
        yield Change.of(
            "role-removed", W, None, f"roles.{rid}", old[rid].title, None, f"role '{rid}' removed"
        )
    for rid in sorted(new.keys() - old.keys()):
        yield Change.of(
            "role-added", I, None, f"roles.{rid}", None, new[rid].title, f"role '{rid}' added"
        )
    for rid in sorted(old.keys() & new.keys()):
        path = f"roles.{rid}"
        yield from _value(
            "role-title",
            I,
            None,
            f"{path}.title",
            old[rid].title,
            new[rid].title,
            f"role '{rid}' title",
        )
        yield from _items(
            "role-responsibility",
            I,
            I,
            None,
            f"{path}.responsibilities",
            old[rid].responsibilities,
            new[rid].responsibilities,
            f"role '{rid}' responsibility",
        )


def _team_and_goals(before: Process, after: Process) -> Iterator[Change]:
    """Quotas and goals move the targets people are measured against: warnings. Who is on the
    team: information."""
    currencies = before.currency, after.currency
    old_roles = {role.id: role for role in before.roles}
    for role in after.roles:
        if role.id in old_roles:
            yield from _quota_change(
                "quota",
                f"roles.{role.id}.quota",
                (old_roles[role.id].quota, role.quota),
                f"role '{role.id}' quota",
                currencies,
            )
    old = {member.name.casefold(): member for member in before.team}
    new = {member.name.casefold(): member for member in after.team}
    for key in sorted(old.keys() - new.keys()):
        name = old[key].name
        yield Change.of(
            "member-removed", I, None, f"team.{name}", name, None, f"'{name}' left the team"
        )
    for key in sorted(new.keys() - old.keys()):
        name = new[key].name
        yield Change.of(
            "member-added", I, None, f"team.{name}", None, name, f"'{name}' joined the team"
        )
    for key in sorted(old.keys() & new.keys()):
        was, now = old[key], new[key]
        path = f"team.{now.name}"
        yield from _value(
            "member-role", I, None, f"{path}.role", was.role, now.role, f"{now.name}'s role"
        )
        yield from _quota_change(
            "quota", f"{path}.quota", (was.quota, now.quota), f"{now.name}'s quota", currencies
        )
    old_goals, new_goals = before.goals, after.goals
    yield from _share(
        "goal", None, "goals.win_rate", old_goals.win_rate, new_goals.win_rate, "goal win_rate"
    )
    yield from _number(
        "goal",
        None,
        "goals.cycle_days",
        old_goals.cycle_days,
        new_goals.cycle_days,
        "goal cycle_days",
    )
    yield from _quota_change(
        "goal",
        "goals.revenue",
        (old_goals.revenue, new_goals.revenue),
        "goal revenue",
        currencies,
    )


def _quota_change(
    kind: str,
    path: str,
    quotas: tuple[Quota | None, Quota | None],
    what: str,
    currencies: tuple[str, str],
) -> Iterator[Change]:
    """Quotas compare by amount and period; each is shown in its own version's currency."""
    old, new = quotas
    if old == new:
        return
    was, now = _quota(old, currencies[0]), _quota(new, currencies[1])
    if was == now:  # amounts apart by less than a cent
        return
    yield Change.of(kind, W, None, path, was, now, f"{what}: {_show(was)} → {_show(now)}")


def _quota(quota: Quota | None, currency: str) -> str | None:
    return None if quota is None else f"{money(currency, quota.amount)} per {quota.per}"


def _moves(before: Process, after: Process, pairs: list[tuple[Stage, Stage]]) -> Iterator[Change]:
    """A stage whose place among the stages both versions share changed: historical positions
    are read by stage order, so this is breaking."""
    old_position = {stage.id: index for index, stage in enumerate(before.stages)}
    new_position = {stage.id: index for index, stage in enumerate(after.stages)}
    old_order = sorted((old.id for old, _ in pairs), key=old_position.__getitem__)
    old_rank = {sid: rank for rank, sid in enumerate(old_order)}
    for rank, (old, new) in enumerate(pairs):
        if old_rank[old.id] != rank:
            was, now = old_position[old.id] + 1, new_position[new.id] + 1
            yield Change.of(
                "stage-moved",
                B,
                new.id,
                f"stages.{new.id}",
                was,
                now,
                f"stage '{new.id}' moved from position {was} to {now}",
            )


def _stage(old: Stage, new: Stage, remapped: Collection[str]) -> Iterator[Change]:
    sid, path = new.id, f"stages.{new.id}"
    if old.id != new.id:
        yield Change.of(
            "stage-id-changed",
            B,
            sid,
            path,
            old.id,
            new.id,
            f"stage id '{old.id}' → '{new.id}'",
        )
    yield from _stage_name(old, new, remapped)
    yield from _value("owner", W, sid, f"{path}.owner", old.owner, new.owner, "owner")
    yield from _value(
        "stage-description",
        I,
        sid,
        f"{path}.description",
        old.description,
        new.description,
        "description",
    )
    yield from _items(
        "entry-criterion",
        W,
        W,
        sid,
        f"{path}.entry_criteria",
        old.entry_criteria,
        new.entry_criteria,
        "entry criterion",
    )
    yield from _items(
        "exit-criterion",
        W,
        W,
        sid,
        f"{path}.exit_criteria",
        old.exit_criteria,
        new.exit_criteria,
        "exit criterion",
    )
    yield from _items(
        "activity", I, I, sid, f"{path}.activities", old.activities, new.activities, "activity"
    )
    yield from _items(
        "resource",
        I,
        I,
        sid,
        f"{path}.resources",
        [f"{r.title} <{r.url}>" for r in old.resources],
        [f"{r.title} <{r.url}>" for r in new.resources],
        "resource",
    )
    yield from _share(
        "conversion",
        sid,
        f"{path}.expected.conversion",
        old.expected.conversion,
        new.expected.conversion,
        "planned conversion",
    )
    yield from _number(
        "days", sid, f"{path}.expected.days", old.expected.days, new.expected.days, "planned days"
    )
    yield from _share(
        "probability", sid, f"{path}.probability", old.probability, new.probability, "probability"
    )
    yield from _label_items(
        "alias",
        sid,
        f"{path}.aliases",
        (stage_labels(old), stage_labels(new)),
        (old.aliases, new.aliases),
        "alias",
        remapped,
    )
    yield from stage_playbook_changes(old, new)


def _outcomes(before: Process, after: Process, remapped: dict[str, Change]) -> Iterator[Change]:
    for key in RESERVED_LABELS:
        old: Outcome = getattr(before.outcomes, key)
        new: Outcome = getattr(after.outcomes, key)
        path = f"outcomes.{key}"
        yield from _outcome_name(key, old, new, remapped)
        renamed = {fold(old.name)} if old.name != new.name else set()  # the name says it
        yield from _label_items(
            "outcome-alias",
            None,
            f"{path}.aliases",
            (outcome_labels(key, old), outcome_labels(key, new)),
            (old.aliases, new.aliases),
            f"{key} outcome alias",
            remapped.keys() | renamed,
        )
    yield from (change for change in remapped.values() if change.stage is None)
    yield from _items(
        "lost-reason",
        I,
        W,
        None,
        "outcomes.lost.reasons",
        before.outcomes.lost.reasons,
        after.outcomes.lost.reasons,
        "lost reason",
    )


def _stage_name(old: Stage, new: Stage, remapped: Collection[str]) -> Iterator[Change]:
    kind, severity = _name_kind("stage", old.name, stage_labels(new), remapped)
    yield from _value(kind, severity, new.id, f"stages.{new.id}.name", old.name, new.name, "name")


def _outcome_name(
    key: str, old: Outcome, new: Outcome, remapped: Collection[str]
) -> Iterator[Change]:
    kind, severity = _name_kind("outcome", old.name, outcome_labels(key, new), remapped)
    path = f"outcomes.{key}.name"
    yield from _value(kind, severity, None, path, old.name, new.name, f"{key} outcome name")


def _name_kind(
    what: str, old_name: str, labels: Collection[str], remapped: Collection[str]
) -> tuple[str, Level]:
    """A changed name of a stage or an outcome: breaking (`{what}-name`) when the old name no
    longer maps to anything, since data labelled with it stops mapping; wording
    (`{what}-renamed`) when it still maps to the same (`labels`: kept as an alias, re-cased, or
    `won`/`lost` itself) or was remapped (reported on its own)."""
    label = fold(old_name)
    if label in labels or label in remapped:
        return f"{what}-renamed", I
    return f"{what}-name", B


def _assumptions(before: Process, after: Process) -> Iterator[Change]:
    """The deal size in each version's currency; no delta across a currency change."""
    old, new = before.assumptions.deal_size, after.assumptions.deal_size
    if old == new:
        return
    was, now = _amount(before.currency, old), _amount(after.currency, new)
    delta = ""
    if old is not None and new is not None and before.currency == after.currency:
        delta = f" ({money(after.currency, new - old, sign=True)})"
    yield Change.of(
        "deal-size",
        W,
        None,
        "assumptions.deal_size",
        old,
        new,
        f"planned deal size: {was} → {now}{delta}",
    )


def _data(before: Process, after: Process, new_ids: Mapping[str, str]) -> Iterator[Change]:
    """The mapping of deal data: scripts and exports rely on every name in it. A stage date is
    compared with the one of the same stage in the old version, whatever its id was then."""
    old, new = before.data, after.data
    for section in ("columns", "history_columns"):
        old_map = getattr(old, section).model_dump()
        new_map = getattr(new, section).model_dump()
        for key in old_map:
            yield from _value(
                "data-mapping",
                B,
                None,
                f"data.{section}.{key}",
                old_map[key],
                new_map[key],
                f"data.{section}.{key}",
            )
    old_dates = {new_ids.get(key, key): column for key, column in old.stage_dates.items()}
    for key in sorted(old_dates.keys() | new.stage_dates.keys()):
        yield from _value(
            "data-mapping",
            B,
            key,
            f"data.stage_dates.{key}",
            old_dates.get(key),
            new.stage_dates.get(key),
            f"data.stage_dates.{key}",
        )
