"""Find the line and column of a document path in the composed node tree."""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from salesflow.loader.tree import MERGE_TAG, Position

PathPart = str | int
Pair = tuple[Node | None, Node]


class Locator:
    """Positions of document paths. Each mapping's keys are indexed once, on first use, so that
    locating every one of n problems in a mapping of n keys takes linear time, not quadratic."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self.indexes: dict[int, dict[str, Pair]] = {}

    def locate(self, path: tuple[PathPart, ...], at_key: bool = False) -> Position:
        """Position of the node at `path`; of its key when `at_key`; of the deepest existing
        parent when the path does not exist (a missing key is reported where it should be)."""
        node = self.root
        for depth, part in enumerate(path):
            found = self._child(node, part)
            if found is None:
                return Position.of(node)
            key_node, value_node = found
            if at_key and depth == len(path) - 1 and key_node is not None:
                return Position.of(key_node)
            node = value_node
        return Position.of(node)

    def _child(self, node: Node, part: PathPart) -> Pair | None:
        if isinstance(node, SequenceNode) and isinstance(part, int):
            return (None, node.value[part]) if 0 <= part < len(node.value) else None
        if isinstance(node, MappingNode):
            return self._index(node).get(str(part))
        return None

    def _index(self, node: MappingNode) -> dict[str, Pair]:
        """Key text → (key node, value node): the mapping's own keys first (the first of equal
        keys wins), then those of the mappings it merges, in order."""
        index = self.indexes.get(id(node))
        if index is not None:
            return index
        index = {}
        self.indexes[id(node)] = index  # the loader has refused merge cycles already
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.extend(
                    value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                )
            else:
                index.setdefault(str(key_node.value), (key_node, value_node))
        for source in merges:
            if isinstance(source, MappingNode):
                for key, pair in self._index(source).items():
                    index.setdefault(key, pair)
        return index


def locate(root: Node, path: tuple[PathPart, ...], at_key: bool = False) -> Position:
    """Position of one path (see Locator.locate); use a Locator for many."""
    return Locator(root).locate(path, at_key)
