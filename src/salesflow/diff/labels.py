"""What each CRM label means in a version of the process, for the diff: pure, no I/O.

A label is compared as deal data is matched (model.labels.fold: case, width and surrounding
spaces aside), so the diff judges a label on the folded labels that map to a stage or outcome —
its id, name and aliases, and the reserved words `won` and `lost` — never on list entries.
When a file claims a label twice (an invalid file), the first claim wins, in the order the
checks use: the reserved words, the outcomes, then the stages in order (id, name, aliases).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from salesflow.model import Outcome, Process, Stage
from salesflow.model.labels import RESERVED_LABELS, fold


@dataclass(frozen=True)
class Target:
    """What a label means: a stage (by id) or an outcome (`won` or `lost`)."""

    kind: Literal["stage", "outcome"]
    key: str

    def __str__(self) -> str:
        return f"{self.kind} '{self.key}'"


@dataclass(frozen=True)
class Claim:
    """A label as first written (`text`), where (`path`), and what it means."""

    target: Target
    text: str
    path: str

    def shown(self) -> dict[str, str]:
        """`{label, stage}` or `{label, outcome}`, for a change's before and after."""
        return {"label": self.text, self.target.kind: self.target.key}


@dataclass(frozen=True)
class Remap:
    """A label that meant one thing in the old version and another in the new one."""

    label: str
    was: Claim
    now: Claim


def stage_labels(stage: Stage) -> set[str]:
    return {fold(text) for text in (stage.id, stage.name, *stage.aliases)}


def outcome_labels(key: str, outcome: Outcome) -> set[str]:
    return {key, *(fold(text) for text in (outcome.name, *outcome.aliases))}


def claims(process: Process) -> dict[str, Claim]:
    """Folded label → its first claim."""
    found: dict[str, Claim] = {}
    for label, claim in _all_claims(process):
        found.setdefault(label, claim)
    return found


def remapped_labels(before: Process, after: Process, new_ids: Mapping[str, str]) -> list[Remap]:
    """Each label that means something in both versions, but not the same stage or outcome:
    `new_ids` maps the id of every stage of `before` still in `after` to its id there."""
    now_claims = claims(after)
    remaps = []
    for label, was in claims(before).items():
        now = now_claims.get(label)
        if now is not None and _in_new_version(was.target, new_ids) != now.target:
            remaps.append(Remap(label, was, now))
    return remaps


def aliases_outside(aliases: list[str], known: set[str], skip: Collection[str]) -> list[str]:
    """The aliases whose folded label is neither in `known` nor in `skip`: the first spelling
    of each such label, in list order."""
    seen: set[str] = set()
    found = []
    for alias in aliases:
        label = fold(alias)
        if label not in known and label not in skip and label not in seen:
            seen.add(label)
            found.append(alias)
    return found


def _in_new_version(target: Target, new_ids: Mapping[str, str]) -> Target | None:
    """The same stage or outcome in the new version; None for a stage that was removed."""
    if target.kind == "outcome":
        return target
    new_id = new_ids.get(target.key)
    return None if new_id is None else Target("stage", new_id)


def _all_claims(process: Process) -> Iterator[tuple[str, Claim]]:
    for key in RESERVED_LABELS:
        yield key, Claim(Target("outcome", key), key, f"outcomes.{key}")
    for key in RESERVED_LABELS:
        outcome: Outcome = getattr(process.outcomes, key)
        path = f"outcomes.{key}"
        written = [(outcome.name, f"{path}.name")]
        written += [(alias, f"{path}.aliases") for alias in outcome.aliases]
        yield from _claimed(Target("outcome", key), written)
    for stage in process.stages:
        path = f"stages.{stage.id}"
        written = [(stage.id, path), (stage.name, f"{path}.name")]
        written += [(alias, f"{path}.aliases") for alias in stage.aliases]
        yield from _claimed(Target("stage", stage.id), written)


def _claimed(target: Target, written: list[tuple[str, str]]) -> Iterator[tuple[str, Claim]]:
    for text, path in written:
        yield fold(text), Claim(target, text, path)
