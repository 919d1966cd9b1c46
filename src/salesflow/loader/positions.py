"""Find the line and column of a document path in the composed node tree."""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from salesflow.loader.tree import MERGE_TAG, Position

PathPart = str | int


def locate(root: Node, path: tuple[PathPart, ...], at_key: bool = False) -> Position:
    """Position of the node at `path`; of its key when `at_key`; of the deepest existing parent
    when the path does not exist (a missing key is reported where it should have been)."""
    node = root
    for depth, part in enumerate(path):
        found = _child(node, part)
        if found is None:
            return Position.of(node)
        key_node, value_node = found
        if at_key and depth == len(path) - 1 and key_node is not None:
            return Position.of(key_node)
        node = value_node
    return Position.of(node)


def _child(node: Node, part: PathPart) -> tuple[Node | None, Node] | None:
    if isinstance(node, SequenceNode) and isinstance(part, int):
        return (None, node.value[part]) if 0 <= part < len(node.value) else None
    if isinstance(node, MappingNode):
        return _mapping_child(node, str(part))
    return None


def _mapping_child(node: MappingNode, key: str) -> tuple[Node | None, Node] | None:
    merges: list[Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == MERGE_TAG:
            merges.extend(
                value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            )
        elif str(key_node.value) == key:
            return key_node, value_node
    for source in merges:
        if isinstance(source, MappingNode) and (found := _mapping_child(source, key)):
            return found
    return None
