"""check_document: semantic checks on plain dicts, and its robustness against any shape."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesflow.diagnostics import Severity
from salesflow.model.checks import Finding, check_document, suggest
from tests.helpers import SEMANTIC_CODES, VALID_DOCUMENT


def doc(**changes: Any) -> dict[str, Any]:
    """A copy of the valid document with top-level keys replaced (None deletes). New stages
    drop the data mapping, which names the old ones."""
    document = copy.deepcopy(VALID_DOCUMENT)
    if "stages" in changes:
        changes.setdefault("data", None)
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def stage(ident: Any, **fields: Any) -> dict[str, Any]:
    return {"id": ident, "name": str(ident).title(), "exit_criteria": ["Done"], **fields}


def found(document: dict[str, Any]) -> list[tuple[str, tuple[str | int, ...]]]:
    return [(f.code, f.path) for f in check_document(document)]


def test_valid_document_has_no_findings() -> None:
    assert check_document(copy.deepcopy(VALID_DOCUMENT)) == []


def test_empty_document_has_no_findings() -> None:
    assert check_document({}) == []


# --- duplicate-id -------------------------------------------------------------------------


def test_duplicate_stage_id() -> None:
    findings = check_document(doc(stages=[stage("a"), stage("b"), stage("a", name="Again")]))
    assert findings == [
        Finding(
            ("stages", 2, "id"),
            "duplicate-id",
            Severity.ERROR,
            "stage id 'a' is already used by stages[0]",
        )
    ]


def test_duplicate_role_id() -> None:
    roles = [{"id": "ae", "title": "A"}, {"id": "ae", "title": "B"}, {"id": "ae", "title": "C"}]
    findings = [f for f in check_document(doc(roles=roles)) if f.code == "duplicate-id"]
    assert [(f.path, f.message) for f in findings] == [
        (("roles", 1, "id"), "role id 'ae' is already used by roles[0]"),
        (("roles", 2, "id"), "role id 'ae' is already used by roles[0]"),
    ]


def test_ids_are_compared_after_stripping_whitespace() -> None:
    assert ("duplicate-id", ("stages", 1, "id")) in found(
        doc(stages=[stage("a"), stage(" a ", name="Other")])
    )


# --- unknown-owner ------------------------------------------------------------------------


def test_unknown_owner_with_suggestion() -> None:
    findings = check_document(doc(stages=[stage("a", owner="aee")]))
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("unknown-owner", ("stages", 0, "owner"), Severity.ERROR)
    ]
    assert "did you mean 'ae'?" in findings[0].message
    assert findings[0].message.endswith("roles: ae")


def test_unknown_owner_without_roles() -> None:
    findings = check_document(doc(roles=None, stages=[stage("a", owner="ae")]))
    assert [f.code for f in findings] == ["unknown-owner"]
    assert "none declared" in findings[0].message


def test_declared_owner_and_no_owner_are_fine() -> None:
    assert found(doc(stages=[stage("a", owner="ae"), stage("b")])) == []


# --- duplicate-alias ----------------------------------------------------------------------


def test_alias_claimed_by_two_stages() -> None:
    stages = [stage("a", aliases=["Shared"]), stage("b", aliases=["Shared"])]
    assert found(doc(stages=stages, outcomes=None)) == [
        ("duplicate-alias", ("stages", 1, "aliases", 0))
    ]


def test_alias_equal_to_another_stage_name_or_id() -> None:
    stages = [stage("a"), stage("b", aliases=["A", "a"])]
    assert found(doc(stages=stages, outcomes=None)) == [
        ("duplicate-alias", ("stages", 1, "aliases", 0)),
        ("duplicate-alias", ("stages", 1, "aliases", 1)),
    ]


def test_alias_is_case_insensitive() -> None:
    stages = [stage("a", aliases=["Closed Deal"]), stage("b", aliases=["CLOSED deal"])]
    findings = check_document(doc(stages=stages, outcomes=None))
    assert [f.code for f in findings] == ["duplicate-alias"]
    assert findings[0].message.startswith(
        "label 'CLOSED deal' of stage 'b' already means stage 'a'"
    )


def test_alias_shared_by_a_stage_and_an_outcome() -> None:
    stages = [stage("a", aliases=["Won"])]
    findings = check_document(doc(stages=stages))
    assert [(f.code, f.path) for f in findings] == [
        ("duplicate-alias", ("stages", 0, "aliases", 0))
    ]
    assert "label 'Won' of stage 'a' already means outcome 'won'" in findings[0].message


def test_outcome_name_shared_with_the_other_outcome() -> None:
    outcomes = {"won": {"name": "Closed"}, "lost": {"name": "closed"}}
    assert found(doc(outcomes=outcomes)) == [("duplicate-alias", ("outcomes", "lost", "name"))]


def test_a_stage_may_repeat_its_own_labels() -> None:
    stages = [stage("a", name="Alpha", aliases=["alpha", "A", "Alpha"])]
    assert found(doc(stages=stages, outcomes=None)) == []


@pytest.mark.parametrize("outcomes", [None, {"won": {"name": "Signed"}}])
def test_alias_shared_with_a_default_outcome(outcomes: dict[str, Any] | None) -> None:
    """Left out, the outcomes still claim their default labels (Won, Closed Won, Lost, ...)."""
    document = doc(stages=[stage("a", aliases=["Closed Lost"])], outcomes=outcomes)
    findings = check_document(document)
    assert [(f.code, f.path) for f in findings] == [
        ("duplicate-alias", ("stages", 0, "aliases", 0))
    ]
    assert "already means outcome 'lost'" in findings[0].message


# --- unknown-stage ------------------------------------------------------------------------


def test_stage_dates_naming_an_unknown_stage() -> None:
    findings = check_document(doc(data={"stage_dates": {"discovry": "d", "proposal": "p"}}))
    assert [(f.code, f.path, f.at_key) for f in findings] == [
        ("unknown-stage", ("data", "stage_dates", "discovry"), True)
    ]
    assert "did you mean 'discovery'?" in findings[0].message


def test_stage_dates_without_stages() -> None:
    findings = check_document({"data": {"stage_dates": {"a": "x"}}})
    assert [f.code for f in findings] == ["unknown-stage"]


# --- probability-order --------------------------------------------------------------------


def test_probability_falling_along_the_stages_is_a_warning() -> None:
    stages = [
        stage("a", probability=0.2),
        stage("b", probability=0.5),
        stage("c"),
        stage("d", probability=0.3),
    ]
    findings = check_document(doc(stages=stages))
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("probability-order", ("stages", 3, "probability"), Severity.WARNING)
    ]
    assert "probability 0.3 is lower than 0.5 at the earlier stage 'b'" in findings[0].message


def test_equal_and_rising_probabilities_are_fine() -> None:
    probabilities = [0, 0, 0.5, 0.5, 1]
    stages = [stage(f"s{i}", probability=p) for i, p in enumerate(probabilities)]
    assert found(doc(stages=stages)) == []


def test_probability_that_is_not_a_number_is_skipped() -> None:
    stages = [
        stage("a", probability=0.9),
        stage("b", probability=True),
        stage("c", probability="x"),
    ]
    assert found(doc(stages=stages)) == []


# --- missing-exit-criteria ----------------------------------------------------------------


@pytest.mark.parametrize("criteria", [None, [], ""])
def test_missing_exit_criteria_is_a_warning(criteria: Any) -> None:
    entry = stage("a")
    if criteria is None:
        del entry["exit_criteria"]
    else:
        entry["exit_criteria"] = criteria
    findings = check_document(doc(stages=[entry]))
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("missing-exit-criteria", ("stages", 0), Severity.WARNING)
    ]
    assert "stage 'a' has no exit_criteria" in findings[0].message


def test_missing_exit_criteria_names_the_index_without_an_id() -> None:
    findings = check_document({"stages": [{"name": "Nameless"}]})
    assert "stage '0'" in findings[0].message


# --- suggest ------------------------------------------------------------------------------


def test_suggest() -> None:
    assert suggest("stagse", ["stages", "roles"]) == " (did you mean 'stages'?)"
    assert suggest("zzz", ["stages", "roles"]) == ""
    assert suggest("x", []) == ""


# --- robustness ---------------------------------------------------------------------------

GARBAGE: list[dict[str, Any]] = [
    {"stages": "discovery"},
    {"stages": None},
    {"stages": 3},
    {"stages": [["discovery"]]},
    {"stages": [None, 1, "x", 2.5, True]},
    {"stages": [{"id": 1}, {"id": 1}]},
    {"stages": [{"id": None, "owner": 7, "aliases": "Discovery"}]},
    {"stages": [{"id": ["a"], "name": {"x": 1}, "aliases": [1, None, ["a"], {"b": 2}]}]},
    {"stages": [{"probability": "high"}, {"probability": None}, {"probability": [0.5]}]},
    {"stages": [{"probability": float("nan")}, {"probability": float("inf")}]},
    {"stages": [{"id": "a"}], "roles": "ae"},
    {"stages": [{"id": "a", "owner": "x"}], "roles": [None, {"id": 5}, {"id": ""}]},
    {"outcomes": "won"},
    {"outcomes": {"won": "Won", "lost": ["Lost"]}},
    {"outcomes": {"won": {"name": 1, "aliases": "Won"}}},
    {"data": "x"},
    {"data": {"stage_dates": ["discovery"]}},
    {"data": {"stage_dates": {1: "x", None: "y"}}},
    {"data": {"stage_dates": None}},
]


@pytest.mark.parametrize("document", GARBAGE)
def test_garbage_shapes_do_not_raise(document: dict[str, Any]) -> None:
    for finding in check_document(document):
        assert finding.code in SEMANTIC_CODES


def test_huge_integer_probability_does_not_raise() -> None:
    """Regression: float(10**400) raised OverflowError (exit 3 from a process file)."""
    stages = [{"id": "a", "probability": 10**400}, {"id": "b", "probability": 0}]
    assert [f.code for f in check_document({"stages": stages})] == ["missing-exit-criteria"] * 2


def test_probabilities_outside_0_1_are_left_to_the_schema() -> None:
    stages = [stage("a", probability=20), stage("b", probability=0.5), stage("c", probability=-1)]
    assert found(doc(stages=stages)) == []


# --- properties ---------------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**300), max_value=10**300)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["discovery", "proposal", "ae", "Won", "Closed Won", "id", "stages"])
)
KEYS = st.sampled_from(
    [
        "salesflow",
        "name",
        "roles",
        "stages",
        "id",
        "owner",
        "aliases",
        "probability",
        "exit_criteria",
        "outcomes",
        "won",
        "lost",
        "data",
        "stage_dates",
        "title",
    ]
) | st.text(max_size=8)
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=15,
)


def _assert_well_formed(findings: list[Finding]) -> None:
    for finding in findings:
        assert isinstance(finding, Finding)
        assert finding.code in SEMANTIC_CODES
        assert isinstance(finding.severity, Severity)
        assert finding.message
        assert all(isinstance(part, str | int) for part in finding.path)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(KEYS, JSON_LIKE, max_size=8))
def test_arbitrary_documents_never_raise(document: dict[str, Any]) -> None:
    _assert_well_formed(check_document(document))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, (*prefix, index))
    return paths


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_mutations_of_a_valid_document_never_raise(data: st.DataObject) -> None:
    document = copy.deepcopy(VALID_DOCUMENT)
    for _ in range(data.draw(st.integers(1, 5))):
        path = data.draw(st.sampled_from(_paths(document)[1:]))
        parent: Any = document
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(JSON_LIKE)
    _assert_well_formed(check_document(document))


# --- won and lost are reserved ---------------------------------------------------------------


@pytest.mark.parametrize("word", ["won", "lost"])
def test_stage_id_won_or_lost_is_reserved(word: str) -> None:
    """A stage `won` validated, then every deal at it counted as won."""
    findings = check_document(doc(stages=[stage(word, name="Deals"), stage("b")]))
    assert [(f.code, f.path) for f in findings] == [("invalid-id", ("stages", 0, "id"))]
    assert f"'{word}' is reserved" in findings[0].message


@pytest.mark.parametrize("alias", ["won", "LOST", " Won ", "ＷＯＮ"])
def test_stage_alias_won_or_lost_is_reserved(alias: str) -> None:
    outcomes = {"won": {"name": "Closed Won"}, "lost": {"name": "Closed Lost"}}
    findings = check_document(doc(stages=[stage("a", aliases=[alias])], outcomes=outcomes))
    assert [(f.code, f.path) for f in findings] == [
        ("duplicate-alias", ("stages", 0, "aliases", 0))
    ]
    assert "is reserved" in findings[0].message


def test_outcomes_may_use_their_own_word() -> None:
    outcomes = {"won": {"name": "Won"}, "lost": {"name": "Closed Lost", "aliases": ["lost"]}}
    assert found(doc(outcomes=outcomes)) == []


def test_an_outcome_may_not_use_the_other_outcomes_word() -> None:
    outcomes = {"won": {"name": "Closed Won", "aliases": ["Lost"]}}
    assert found(doc(outcomes=outcomes)) == [("duplicate-alias", ("outcomes", "won", "aliases", 0))]


# --- Unicode case folding ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("İstanbul", "ISTANBUL"),
        ("ΣΑΣ", "σας"),
        ("Straße", "STRASSE"),
        ("Ｑｕａｌｉｆｙ", "qualify"),
    ],
)
def test_labels_are_compared_with_unicode_case_folding(first: str, second: str) -> None:
    stages = [stage("a", aliases=[first]), stage("b", aliases=[second])]
    assert found(doc(stages=stages)) == [("duplicate-alias", ("stages", 1, "aliases", 0))]


# --- bounded work ------------------------------------------------------------------------------


def test_suggestions_stop_when_their_budget_is_spent() -> None:
    from salesflow.model.checks import Suggester

    suggester = Suggester(budget=4)
    assert suggester("stagse", ["stages", "roles"]) == " (did you mean 'stages'?)"
    assert suggester("stagse", ["stages", "roles"]) == " (did you mean 'stages'?)"
    assert suggester("stagse", ["stages", "roles"]) == ""  # budget spent: no more work
    assert Suggester()("x" * 1000, ["stages"]) == ""


def test_the_list_of_roles_in_a_message_is_capped() -> None:
    roles = [{"id": f"r{index}", "title": "T"} for index in range(50)]
    findings = check_document(doc(roles=roles, stages=[stage("a", owner="nobody")]))
    owner = [f for f in findings if f.code == "unknown-owner"]
    assert len(owner) == 1
    assert "r9 and 40 more" in owner[0].message
