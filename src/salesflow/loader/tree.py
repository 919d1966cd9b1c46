"""YAML text → plain Python data, keeping the composed node tree for positions.

We compose with ruamel's safe loader (the C parser when available) and build the data ourselves:
that is several times faster than a round-trip load, lets us refuse duplicate keys, unknown tags,
cycles and alias bombs with a position, and keeps every node's line and column for diagnostics.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import warnings
from typing import Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from salesflow.diagnostics import Issue, Severity
from salesflow.errors import ProcessFileError

MAX_VALUES = 200_000
# Text a document may expand to through aliases, every string counted by its length: a 1 MB
# string anchored once and aliased 10,000 times is 10 GB of text once built and validated.
MAX_EXPANDED_CHARS = 10_000_000
MAX_DEPTH = 64
MAX_FLOW_BRACKETS = 1_000  # beyond this many nested [ or {, libyaml's C parser can crash
MAX_FALLBACK_CHARS = 100_000  # the pure-Python parser is slow; retry only small files with it
EMPTY_FILE_MESSAGE = "file is empty; it should start with `salesflow: 1`"
SCALAR_ERRORS = (YAMLError, ValueError, OverflowError, KeyError, IndexError, TypeError)
MERGE_TAG = "tag:yaml.org,2002:merge"
INT_TAG = "tag:yaml.org,2002:int"
NULL_TAG = "tag:yaml.org,2002:null"
DECIMAL = re.compile(r"[-+]?[0-9][0-9_]*")
PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    INT_TAG,
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    NULL_TAG,
}


class HugeNumber(str):
    """A number written beyond what a float holds (`1e400`, an integer of 5,000 digits): kept as
    its text, so that a number field reports it out of range as written, not as `.inf` or text."""


class Document(NamedTuple):
    """The parsed document and the node tree it came from."""

    data: Any
    root: Node
    file: str


def parse_yaml(text: str, file: str) -> Document:
    _refuse_oversized(text, file)
    yaml, root = _compose(text, file)
    if root is None or _is_blank(root):
        raise _fatal(file, Position(1, 1), "empty-file", EMPTY_FILE_MESSAGE)
    _Measure(file).size(root, 0)
    return Document(_Builder(file, yaml).build(root), root, file)


def _is_blank(root: Node) -> bool:
    """A document with nothing in it (`---` alone), as opposed to one that says `null`."""
    return isinstance(root, ScalarNode) and root.tag == NULL_TAG and root.value == ""


def _compose(text: str, file: str) -> tuple[YAML, Node | None]:
    """Compose with the fast C parser; on a syntax error, ask the pure-Python parser, which
    follows YAML 1.2 more closely (`{url: https://x}` is valid there), before giving up."""
    fast = YAML(typ="safe")
    try:
        return fast, fast.compose(io.StringIO(text))
    except MarkedYAMLError as error:
        if len(text) > MAX_FALLBACK_CHARS:
            raise _syntax_error(file, text, error) from None
    except YAMLError:
        pass
    except RecursionError:
        raise _fatal(file, Position(1, 1), "too-deep", "document is nested too deeply") from None
    careful = YAML(typ="safe", pure=True)
    try:
        with warnings.catch_warnings():  # a reused anchor is valid YAML: the last one counts
            warnings.simplefilter("ignore")
            return careful, careful.compose(io.StringIO(text))
    except MarkedYAMLError as error:
        raise _syntax_error(file, text, error) from None
    except YAMLError as error:
        raise _fatal(file, Position(1, 1), "yaml-syntax", _one_line(str(error))) from None
    except RecursionError:
        raise _fatal(file, Position(1, 1), "too-deep", "document is nested too deeply") from None


def _refuse_oversized(text: str, file: str) -> None:
    """Cheap checks before parsing, so that hostile files are refused in milliseconds."""
    if text.count("\n") + text.count(",") > MAX_VALUES:
        raise _fatal(
            file,
            Position(1, 1),
            "too-many-values",
            f"file has over {MAX_VALUES:,} lines and items; a process file is far smaller",
        )
    brackets = re.sub(r"[^\[\]{}]+", "", text)
    if len(brackets) > MAX_FLOW_BRACKETS and _max_depth(brackets) > MAX_FLOW_BRACKETS:
        raise _fatal(file, Position(1, 1), "too-deep", f"nested deeper than {MAX_DEPTH} levels")


def _max_depth(brackets: str) -> int:
    steps = (1 if char in "[{" else -1 for char in brackets)
    return max(itertools.accumulate(steps), default=0)


class Position(NamedTuple):
    line: int
    column: int

    @classmethod
    def of(cls, node: Node) -> Position:
        return cls(node.start_mark.line + 1, node.start_mark.column + 1)


def _fatal(file: str, at: Position, code: str, message: str) -> ProcessFileError:
    return ProcessFileError(Issue(file, at.line, at.column, "", code, Severity.ERROR, message))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _syntax_error(file: str, text: str, error: MarkedYAMLError) -> ProcessFileError:
    mark = error.problem_mark or error.context_mark
    at = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
    context = error.context or ""
    if context and error.context_mark is not None and error.context_mark.line != at.line - 1:
        context += f" started on line {error.context_mark.line + 1}"
    message = _one_line(": ".join(p for p in (context, error.problem) if p)) or "invalid YAML"
    if "\t" in _line_of(text, at.line):
        message += " (a tab on this line: YAML indentation must use spaces)"
    return _fatal(file, at, "yaml-syntax", message)


def _line_of(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


class _Measure:
    """Counts the values and the characters a document expands to, memoised per node, refusing
    cycles and bombs (many aliases of a container, or of one long string)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.sizes: dict[int, tuple[int, int]] = {}
        self.open: set[int] = set()

    def size(self, node: Node, depth: int) -> tuple[int, int]:
        """(values, characters) that `node` expands to."""
        key = id(node)
        if key in self.sizes:
            return self.sizes[key]
        if key in self.open:
            raise _fatal(self.file, Position.of(node), "alias-cycle", "an alias refers to itself")
        if depth > MAX_DEPTH:
            raise _fatal(
                self.file, Position.of(node), "too-deep", f"nested deeper than {MAX_DEPTH} levels"
            )
        self.open.add(key)
        values, chars = 1, len(node.value) if isinstance(node, ScalarNode) else 0
        for child in _children(node):
            child_values, child_chars = self.size(child, depth + 1)
            values += child_values
            chars += child_chars
            self._check(node, values, chars)
        self.open.discard(key)
        self._check(node, values, chars)
        self.sizes[key] = (values, chars)
        return values, chars

    def _check(self, node: Node, values: int, chars: int) -> None:
        if values > MAX_VALUES:
            raise _fatal(
                self.file,
                Position.of(node),
                "too-many-values",
                f"document expands to over {MAX_VALUES:,} values (an alias bomb?); refusing it",
            )
        if chars > MAX_EXPANDED_CHARS:
            raise _fatal(
                self.file,
                Position.of(node),
                "too-many-values",
                f"document expands to over {MAX_EXPANDED_CHARS // 1_000_000} million characters "
                "of text (an alias bomb?); refusing it",
            )


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


class _Builder:
    """Builds plain dicts, lists and scalars from nodes."""

    def __init__(self, file: str, yaml: YAML) -> None:
        self.file = file
        self.constructor = yaml.constructor

    def build(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return self._mapping(node)
        if isinstance(node, SequenceNode):
            return [self.build(item) for item in node.value]
        return self._scalar(node)

    def _scalar(self, node: Node) -> Any:
        if node.tag not in PLAIN_TAGS:
            return str(node.value)
        try:
            value = self.constructor.construct_object(node)
        except SCALAR_ERRORS:  # an integer of over 4,300 digits too, which Python will not read
            long = node.tag == INT_TAG and DECIMAL.fullmatch(node.value)
            return HugeNumber(node.value) if long else str(node.value)
        if isinstance(value, float) and math.isinf(value) and "inf" not in node.value.lower():
            return HugeNumber(node.value)  # 1e400, not .inf
        return value

    def _mapping(self, node: MappingNode) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merge_line: dict[str, int] = {}  # a second `<<` is a duplicate too
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key_node.tag == MERGE_TAG:
                self._note(key_node, key, merge_line)
                merged = self._merge_sources(value_node)
            else:
                self._note(key_node, key, first_line)
                result[key] = self.build(value_node)
        return {**merged, **result}

    def _note(self, key_node: Node, key: str, first_line: dict[str, int]) -> None:
        """Note the line of `key`, refusing it when the mapping has it already."""
        if key in first_line:
            raise _fatal(
                self.file,
                Position.of(key_node),
                "duplicate-key",
                f"duplicate key '{key}' (first defined on line {first_line[key]})",
            )
        first_line[key] = key_node.start_mark.line + 1

    def _merge_sources(self, node: Node) -> dict[str, Any]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):
            if not isinstance(source, MappingNode):
                raise _fatal(
                    self.file, Position.of(source), "yaml-syntax", "`<<` must merge a mapping"
                )
            merged.update(self._mapping(source))
        return merged

    def _key(self, node: Node) -> str:
        if not isinstance(node, ScalarNode):
            raise _fatal(self.file, Position.of(node), "yaml-syntax", "a key must be plain text")
        return str(node.value)
