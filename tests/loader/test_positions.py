"""locate(): the line and column of a document path in the composed node tree."""

from __future__ import annotations

import pytest

from salesflow.loader import parse_process
from salesflow.loader.positions import locate
from salesflow.loader.tree import Position, parse_yaml

TEXT = """\
salesflow: 1
name: Positions
stages:
  - id: discovery
    name: Discovery
    expected:
      conversion: 0.4
      days: 10
    aliases: [Discovery Call, Qualified]
data:
  stage_dates:
    discovery: discovery_date
"""


def where(path: tuple[str | int, ...], at_key: bool = False, text: str = TEXT) -> tuple[int, int]:
    position = locate(parse_yaml(text, "p.yaml").root, path, at_key)
    return position.line, position.column


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), (1, 1)),
        (("name",), (2, 7)),
        (("stages",), (4, 3)),
        (("stages", 0), (4, 5)),
        (("stages", 0, "id"), (4, 9)),
        (("stages", 0, "expected"), (7, 7)),
        (("stages", 0, "expected", "conversion"), (7, 19)),
        (("stages", 0, "expected", "days"), (8, 13)),
        (("stages", 0, "aliases", 1), (9, 31)),
        (("data", "stage_dates", "discovery"), (12, 16)),
    ],
)
def test_nested_paths(path: tuple[str | int, ...], expected: tuple[int, int]) -> None:
    assert where(path) == expected


@pytest.mark.parametrize(
    ("path", "parent"),
    [
        (("currency",), (1, 1)),
        (("stages", 0, "owner"), (4, 5)),
        (("stages", 0, "expected", "probability"), (7, 7)),
        (("stages", 3), (4, 3)),
        (("stages", 3, "name"), (4, 3)),
        (("stages", -1), (4, 3)),
        (("stages", 0, "aliases", 9), (9, 14)),
        (("name", "first"), (2, 7)),
        (("stages", "id"), (4, 3)),
    ],
)
def test_missing_path_falls_back_to_the_deepest_existing_parent(
    path: tuple[str | int, ...], parent: tuple[int, int]
) -> None:
    assert where(path) == parent


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("name",), (2, 1)),
        (("stages", 0, "expected"), (6, 5)),
        (("data", "stage_dates", "discovery"), (12, 5)),
        (("stages", 0), (4, 5)),  # a list item has no key: the item itself
        (("stages", 0, "owner"), (4, 5)),  # missing: the parent, as without at_key
    ],
)
def test_at_key(path: tuple[str | int, ...], expected: tuple[int, int]) -> None:
    assert where(path, at_key=True) == expected


MERGED = """\
salesflow: 1
name: Merges
stages:
  - &base
    id: discovery
    name: Discovery
    expected: {conversion: 0.4, days: 10}
  - <<: *base
    id: demo
    name: Demo
  - <<: [*base, {owner: ae, name: Other}]
    id: proposal
"""


@pytest.mark.parametrize(
    ("path", "at_key", "expected"),
    [
        (("stages", 1, "id"), False, (9, 9)),  # a local key
        (("stages", 1, "name"), False, (10, 11)),  # local keys win over merged ones
        (("stages", 1, "expected", "conversion"), False, (7, 28)),  # from the anchor
        (("stages", 1, "expected"), True, (7, 5)),  # the key inside the anchor
        (("stages", 2, "name"), False, (6, 11)),  # the first merge source wins
        (("stages", 2, "owner"), False, (11, 25)),  # from the second merge source
        (("stages", 2, "missing"), False, (11, 5)),
    ],
)
def test_merge_keys(path: tuple[str | int, ...], at_key: bool, expected: tuple[int, int]) -> None:
    assert where(path, at_key, MERGED) == expected


def test_merge_chain() -> None:
    text = "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b}\n"
    assert where(("c", "x"), text=text) == (1, 11)
    assert where(("c", "y"), text=text) == (2, 19)


def test_merged_values_follow_yaml_precedence() -> None:
    """Local keys win; among merge sources the first one wins."""
    stages = parse_yaml(MERGED, "m.yaml").data["stages"]
    assert [(s["id"], s["name"], s.get("owner")) for s in stages] == [
        ("discovery", "Discovery", None),
        ("demo", "Demo", None),
        ("proposal", "Discovery", "ae"),
    ]
    assert stages[1]["expected"] == {"conversion": 0.4, "days": 10}


def test_errors_inside_merged_content_are_positioned_in_the_anchor() -> None:
    text = MERGED.replace("conversion: 0.4", "conversion: 4")
    loaded = parse_process(text, "m.yaml")
    found = [(i.code, i.path, i.line, i.column) for i in loaded.issues if i.code == "out-of-range"]
    assert found == [
        ("out-of-range", "stages[0].expected.conversion", 7, 28),
        ("out-of-range", "stages[1].expected.conversion", 7, 28),
        ("out-of-range", "stages[2].expected.conversion", 7, 28),
    ]


def test_position_of_a_node_is_one_based() -> None:
    root = parse_yaml("a: 1\n", "p").root
    assert Position.of(root) == Position(1, 1)
