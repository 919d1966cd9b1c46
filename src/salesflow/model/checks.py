"""Semantic checks of a process document, beyond its schema.

They run on the raw parsed document (plain dicts and lists), not on the validated model, so that a
file with schema errors still gets every semantic finding in the same run. Each check tolerates
shapes the schema rejects and simply skips them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from salesflow.diagnostics import Severity
from salesflow.model.labels import RESERVED_LABELS, fold
from salesflow.model.playbook import criterion_key
from salesflow.model.process import DEFAULT_OUTCOMES

Path = tuple[str | int, ...]
SUGGESTION_BUDGET = 20_000  # word-to-choice comparisons per document; beyond it, no suggestions
MAX_SUGGESTED_WORD = 100  # characters; a longer word gets no suggestion
LISTED_ROLES = 10
QUOTED_CHARS = 80  # a longer text is cut in a message


class Finding(NamedTuple):
    """A problem at a document path; the loader turns it into a positioned Issue."""

    path: Path
    code: str
    severity: Severity
    message: str
    at_key: bool = False


def check_document(doc: dict[str, Any]) -> list[Finding]:
    stages = list(_entries(doc, "stages"))
    roles = list(_entries(doc, "roles"))
    team = list(_entries(doc, "team"))
    suggester = Suggester()
    return [
        *_duplicate_ids(stages, "stages", "stage"),
        *_duplicate_ids(roles, "roles", "role"),
        *_unknown_owners(stages, roles, suggester),
        *_unknown_roles(team, roles, suggester),
        *_duplicate_members(team),
        *_duplicate_labels(doc, stages),
        *_unknown_stage_dates(doc, stages, suggester),
        *_probability_order(stages),
        *_missing_exit_criteria(stages),
        *_qualification_references(doc, stages, suggester),
    ]


def suggest(word: str, choices: list[str]) -> str:
    """` (did you mean 'x'?)` when a close match exists, else an empty string."""
    return Suggester()(word, choices)


class Suggester:
    """ "Did you mean" suggestions with a bounded amount of work per document: a file with
    thousands of unknown keys or owners must not take time quadratic in their number."""

    def __init__(self, budget: int = SUGGESTION_BUDGET) -> None:
        self.left = budget

    def __call__(self, word: str, choices: list[str]) -> str:
        if not choices or len(word) > MAX_SUGGESTED_WORD or len(choices) > self.left:
            return ""
        self.left -= len(choices)
        import difflib  # only when there is something to suggest

        close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""


def _entries(doc: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    items = doc.get(key)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _duplicate_ids(
    entries: list[tuple[int, dict[str, Any]]], section: str, kind: str
) -> Iterator[Finding]:
    first_seen: dict[str, int] = {}
    for index, entry in entries:
        ident = _text(entry.get("id"))
        if ident is None:
            continue
        if ident in first_seen:
            yield Finding(
                (section, index, "id"),
                "duplicate-id",
                Severity.ERROR,
                f"{kind} id '{ident}' is already used by {section}[{first_seen[ident]}]",
            )
        else:
            first_seen[ident] = index


def _declared_roles(roles: list[tuple[int, dict[str, Any]]]) -> tuple[list[str], str]:
    """The declared role ids, and their list for a message (the first LISTED_ROLES)."""
    role_ids = list(dict.fromkeys(rid for _, role in roles if (rid := _text(role.get("id")))))
    declared = ", ".join(role_ids[:LISTED_ROLES]) if role_ids else "none declared"
    if len(role_ids) > LISTED_ROLES:
        declared += f" and {len(role_ids) - LISTED_ROLES} more"
    return role_ids, declared


def _unknown_owners(
    stages: list[tuple[int, dict[str, Any]]],
    roles: list[tuple[int, dict[str, Any]]],
    suggest: Suggester,
) -> Iterator[Finding]:
    role_ids, declared = _declared_roles(roles)
    known = set(role_ids)
    for index, stage in stages:
        owner = _text(stage.get("owner"))
        if owner is None or owner in known:
            continue
        yield Finding(
            ("stages", index, "owner"),
            "unknown-owner",
            Severity.ERROR,
            f"owner '{owner}' is not a declared role{suggest(owner, role_ids)}; roles: {declared}",
        )


def _unknown_roles(
    team: list[tuple[int, dict[str, Any]]],
    roles: list[tuple[int, dict[str, Any]]],
    suggest: Suggester,
) -> Iterator[Finding]:
    role_ids, declared = _declared_roles(roles)
    known = set(role_ids)
    for index, member in team:
        role = _text(member.get("role"))
        if role is None or role in known:
            continue
        yield Finding(
            ("team", index, "role"),
            "unknown-role",
            Severity.ERROR,
            f"role '{role}' of team member '{_text(member.get('name')) or index}' is not a "
            f"declared role{suggest(role, role_ids)}; roles: {declared}",
        )


def _duplicate_members(team: list[tuple[int, dict[str, Any]]]) -> Iterator[Finding]:
    """Names are compared as the deal data's owners are matched to them: folded like labels."""
    first_seen: dict[str, int] = {}
    for index, member in team:
        name = _text(member.get("name"))
        if name is None:
            continue
        folded = fold(name)
        if folded in first_seen:
            yield Finding(
                ("team", index, "name"),
                "duplicate-member",
                Severity.ERROR,
                f"team member '{name}' is already listed as team[{first_seen[folded]}]",
            )
        else:
            first_seen[folded] = index


def _label_claims(
    doc: dict[str, Any], stages: list[tuple[int, dict[str, Any]]]
) -> Iterator[tuple[str, str, Path]]:
    """(label, claimant, path) for every label that maps CRM data onto a stage or outcome.
    Outcomes come first, so a clash is reported on the stage that repeats an outcome's label;
    the words `won` and `lost` always mean the outcomes, so they come before everything."""
    for reserved in RESERVED_LABELS:
        yield reserved, f"outcome '{reserved}'", ("outcomes", reserved)
    for outcome_key, outcome in _outcomes(doc):
        claimant = f"outcome '{outcome_key}'"
        if label := _text(outcome.get("name")):
            yield label, claimant, ("outcomes", outcome_key, "name")
        yield from _alias_claims(outcome, claimant, ("outcomes", outcome_key))
    for index, stage in stages:
        claimant = f"stage '{_text(stage.get('id')) or index}'"
        for key in ("id", "name"):
            if label := _text(stage.get(key)):
                yield label, claimant, ("stages", index, key)
        yield from _alias_claims(stage, claimant, ("stages", index))


def _outcomes(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The won and lost outcomes as written, or their defaults where left out."""
    written = doc.get("outcomes")
    written = written if isinstance(written, dict) else {}
    for key in ("won", "lost"):
        outcome = written.get(key, DEFAULT_OUTCOMES[key])
        if isinstance(outcome, dict):
            yield key, outcome


def _alias_claims(
    owner: dict[str, Any], claimant: str, prefix: Path
) -> Iterator[tuple[str, str, Path]]:
    aliases = owner.get("aliases")
    if isinstance(aliases, list):
        for position, alias in enumerate(aliases):
            if label := _text(alias):
                yield label, claimant, (*prefix, "aliases", position)


def _duplicate_labels(
    doc: dict[str, Any], stages: list[tuple[int, dict[str, Any]]]
) -> Iterator[Finding]:
    """A label (id, name or alias, compared with Unicode case folding) may mean one thing only;
    `won` and `lost` are reserved for the outcomes (CRM data labelled so counts as won or lost)."""
    claimed_by: dict[str, str] = {}
    for label, claimant, path in _label_claims(doc, stages):
        folded = fold(label)
        owner = claimed_by.setdefault(folded, claimant)
        if owner == claimant:
            continue
        if folded in RESERVED_LABELS:
            kind = "id" if path[-1] == "id" else "label"
            yield Finding(
                path,
                "invalid-id" if kind == "id" else "duplicate-alias",
                Severity.ERROR,
                f"{kind} '{label}' of {claimant} already means {owner}: '{folded}' is reserved, "
                f"CRM data using it counts as {folded}; choose another "
                f"{'id' if kind == 'id' else 'name or alias'}",
            )
        else:
            yield Finding(
                path,
                "duplicate-alias",
                Severity.ERROR,
                f"label '{label}' of {claimant} already means {owner}; "
                "CRM data using it could not be mapped",
            )


def _unknown_stage_dates(
    doc: dict[str, Any], stages: list[tuple[int, dict[str, Any]]], suggest: Suggester
) -> Iterator[Finding]:
    data = doc.get("data")
    stage_dates = data.get("stage_dates") if isinstance(data, dict) else None
    if not isinstance(stage_dates, dict):
        return
    stage_ids = [sid for _, stage in stages if (sid := _text(stage.get("id")))]
    known = set(stage_ids)
    for key in stage_dates:
        if isinstance(key, str) and key not in known:
            yield Finding(
                ("data", "stage_dates", key),
                "unknown-stage",
                Severity.ERROR,
                f"data.stage_dates names stage '{key}', which is not a stage"
                f"{suggest(key, stage_ids)}",
                at_key=True,
            )


def _probability_order(stages: list[tuple[int, dict[str, Any]]]) -> Iterator[Finding]:
    """Win probability should not fall as a deal moves forward."""
    previous: tuple[str, float] | None = None
    for index, stage in stages:
        probability = _share(stage.get("probability"))
        if probability is None:
            continue
        if previous is not None and probability < previous[1]:
            yield Finding(
                ("stages", index, "probability"),
                "probability-order",
                Severity.WARNING,
                f"probability {probability:g} is lower than {previous[1]:g} at the earlier "
                f"stage '{previous[0]}'; a deal that advances should not become less likely to win",
            )
        previous = (_text(stage.get("id")) or str(index), probability)


def _share(value: Any) -> float | None:
    """A plain number in [0, 1]; anything else is the schema's to report."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    return None


def _missing_exit_criteria(stages: list[tuple[int, dict[str, Any]]]) -> Iterator[Finding]:
    for index, stage in stages:
        if not stage.get("exit_criteria"):
            name = _text(stage.get("id")) or str(index)
            yield Finding(
                ("stages", index),
                "missing-exit-criteria",
                Severity.WARNING,
                f"stage '{name}' has no exit_criteria: reps cannot tell when a deal is done here",
            )


def _qualification_references(
    doc: dict[str, Any], stages: list[tuple[int, dict[str, Any]]], suggest: Suggester
) -> Iterator[Finding]:
    """Each qualification criterion names, under `checked_by`, stages and their exit criteria:
    both must exist, or the handbook would tie the criterion to nothing."""
    qualification = doc.get("qualification")
    if not isinstance(qualification, dict):
        return
    exits = _exit_criteria_by_stage(stages)
    stage_ids = list(exits)
    for index, criterion in _entries(qualification, "criteria"):
        checked_by = criterion.get("checked_by")
        if not isinstance(checked_by, dict):
            continue
        name = _text(criterion.get("name")) or str(index)
        for stage_id, items in checked_by.items():
            path: Path = ("qualification", "criteria", index, "checked_by", stage_id)
            if stage_id not in exits:
                yield Finding(
                    path,
                    "unknown-stage",
                    Severity.ERROR,
                    f"qualification criterion '{name}' is checked by stage '{stage_id}', which "
                    f"is not a stage{suggest(str(stage_id), stage_ids)}",
                    at_key=True,
                )
            elif isinstance(items, list):
                yield from _unknown_exit_criteria(path, stage_id, items, exits[stage_id], suggest)


def _exit_criteria_by_stage(stages: list[tuple[int, dict[str, Any]]]) -> dict[str, dict[str, str]]:
    """Stage id → {matching key → exit criterion as written}."""
    found: dict[str, dict[str, str]] = {}
    for _, stage in stages:
        stage_id = _text(stage.get("id"))
        if stage_id is None:
            continue
        criteria = stage.get("exit_criteria")
        items = criteria if isinstance(criteria, list) else []
        written = [text for item in items if (text := _text(_as_text(item)))]
        found[stage_id] = {criterion_key(text): text for text in written}
    return found


def _unknown_exit_criteria(
    path: Path, stage_id: str, items: list[Any], exits: dict[str, str], suggest: Suggester
) -> Iterator[Finding]:
    for position, item in enumerate(items):
        text = _text(_as_text(item))
        if text is None or criterion_key(text) in exits:
            continue
        yield Finding(
            (*path, position),
            "unknown-exit-criterion",
            Severity.ERROR,
            f"'{_quoted(text)}' is not an exit criterion of stage '{stage_id}'"
            f"{suggest(text, list(exits.values()))}",
        )


def _as_text(value: Any) -> Any:
    """A number written where text is expected is read as text, as the models read it."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return str(value) if is_number else value


def _quoted(text: str) -> str:
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"
