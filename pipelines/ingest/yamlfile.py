"""Read contributor-written YAML safely, keeping line numbers for error messages.

PyYAML's C parser composes the node tree; we build plain Python values from it ourselves
so that we can (1) refuse aliases, which can blow a small file up to gigabytes, (2) refuse
duplicate keys, which PyYAML would silently overwrite, (3) keep dates as the strings the
contributor typed (a date field may also hold a phrase such as "on Saturday"), and
(4) look up the line of any value later, only when a problem needs it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.ingest.problems import ProblemList

MAX_FILE_BYTES = 1_000_000  # an annotation file is a few kB; anything this big is a mistake

# PyYAML's public loader, as is: the C one when PyYAML was built with libyaml.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_INTERN_MAX = 40  # ids, enum values, dates: repeated across thousands of records


class YamlError(Exception):
    def __init__(self, line: int, col: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.col, self.code, self.message, self.hint = line, col, code, message, hint


@dataclass
class YamlDoc:
    """Parsed YAML plus its node tree, to find the line of any path on demand."""

    path: str
    data: Any
    root: yaml.Node | None
    # The checker asks for the line of every record and quote (a few per record): walking
    # the tree from the root each time, scanning each mapping's keys, was a tenth of
    # `validate` on large corpora. Walks are memoised by path, mapping keys indexed.
    _walks: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _indexes: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def position(self, *keys: Any) -> tuple[int, int]:
        """(line, col) of the value at keys, or of its nearest existing parent."""
        node, _ = self._walk(keys)
        return (1, 1) if node is None else (node.start_mark.line + 1, node.start_mark.column + 1)

    def key_position(self, *keys: Any) -> tuple[int, int]:
        """(line, col) of the key itself (for unknown-key errors)."""
        *parents, last = keys
        node, complete = self._walk(tuple(parents))
        if not complete:
            return self.position(*parents)
        if isinstance(node, yaml.MappingNode):
            for knode, _ in node.value:
                if knode.value == last:
                    return knode.start_mark.line + 1, knode.start_mark.column + 1
        return self.position(*keys)

    def _walk(self, keys: tuple) -> tuple[yaml.Node | None, bool]:
        """The node at keys and True, or the deepest node on the way there and False."""
        try:
            found = self._walks.get(keys)
        except TypeError:  # an unhashable key (YAML gives none) matches nothing: stop at its parent
            return self._walk(keys[:-1])[0], False
        if found is None:
            if not keys:
                found = (self.root, True)
            else:
                parent, complete = self._walk(keys[:-1])
                child = self._child(parent, keys[-1]) if complete else None
                found = (child, True) if child is not None else (parent, False)
            self._walks[keys] = found
        return found

    def _child(self, node, key):
        if isinstance(node, yaml.MappingNode):
            index = self._indexes.get(id(node))
            if index is None:  # the first of equal keys wins, as in a scan (duplicates are refused anyway)
                index = {}
                for knode, vnode in node.value:
                    if isinstance(knode, yaml.ScalarNode):
                        index.setdefault(knode.value, vnode)
                self._indexes[id(node)] = index
            return index.get(key)
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            return node.value[key]
        return None


def read_text(path: Path, problems: ProblemList, rel: str, *, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """Read a contributor-written text file; whole-file problems are reported, not raised."""
    try:
        size = path.stat().st_size
    except OSError as err:
        problems.add(rel, 0, 0, "file-unreadable", f"cannot read the file: {err.strerror}")
        return None
    if size > max_bytes:
        problems.add(rel, 0, 0, "file-too-large", f"the file is {size:,} bytes; the limit is {max_bytes:,}",
                     "split it, or check that the right file was added")
        return None
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.add(rel, 1, 1, "bom", "the file starts with a byte-order mark (BOM)",
                     "save it as UTF-8 without BOM")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.add(rel, line, 0, "not-utf8", f"the file is not valid UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})",
                     "save the file as UTF-8")
        return None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.add(rel, line, 0, "crlf", "the file has Windows (CRLF) or old Mac (CR) line ends",
                     "save it with Unix (LF) line ends, e.g. `dos2unix FILE`")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def parse_yaml(text: str, rel: str) -> YamlDoc:
    """Parse one YAML document; raise YamlError with a position on any problem."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = " ".join(str(part) for part in (err.context, err.problem) if part)
        raise YamlError(line, col, "yaml-syntax", f"YAML syntax error: {message}",
                        "check indentation, and quote text that contains ': ' or starts with a special character") from None
    except yaml.YAMLError as err:
        raise YamlError(0, 0, "yaml-syntax", f"YAML error: {err}") from None
    seen: set[int] = set()
    return YamlDoc(rel, _build(root, seen) if root is not None else None, root)


def _text(node: yaml.ScalarNode) -> str:
    """A text scalar: what PyYAML's str constructor returns, without its three calls (most
    scalars are text, and they are built inline by _build, not by a recursive call). Short
    ones (ids, enum values, dates) are interned: shared, not copied in every record."""
    value = node.value
    return sys.intern(value) if len(value) <= _INTERN_MAX else value


def _build(node: yaml.Node, seen: set[int]) -> Any:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            return _text(node)
        if node.tag == _TIMESTAMP:
            return node.value
        construct = _constructor.yaml_constructors.get(node.tag)
        if construct is None:
            raise YamlError(node.start_mark.line + 1, node.start_mark.column + 1, "yaml-tag",
                            f"the YAML tag {node.tag!r} is not allowed", "remove the tag")
        # Called directly: construct_object() would cache every node for the process's life.
        return construct(_constructor, node)
    if id(node) in seen:
        raise YamlError(node.start_mark.line + 1, node.start_mark.column + 1, "yaml-alias",
                        "YAML aliases (&anchor / *alias) are not allowed", "write the value out in full")
    seen.add(id(node))
    if node.tag not in ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"):
        raise YamlError(node.start_mark.line + 1, node.start_mark.column + 1, "yaml-tag",
                        f"the YAML tag {node.tag!r} is not allowed", "remove the tag")
    if isinstance(node, yaml.SequenceNode):
        return [_text(item) if item.tag == _STR and isinstance(item, yaml.ScalarNode) else _build(item, seen)
                for item in node.value]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if knode.tag == _STR and isinstance(knode, yaml.ScalarNode):  # a text key: what _build gives, inline
                key = sys.intern(knode.value)
            else:
                if knode.tag == "tag:yaml.org,2002:merge":
                    raise YamlError(knode.start_mark.line + 1, knode.start_mark.column + 1, "yaml-alias",
                                    "YAML merge keys (<<) are not allowed", "write the keys out in full")
                key = _build(knode, seen)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise YamlError(knode.start_mark.line + 1, knode.start_mark.column + 1, "yaml-key",
                                    "a mapping key must be a plain word")
            if key in out:
                raise YamlError(knode.start_mark.line + 1, knode.start_mark.column + 1, "duplicate-key",
                                f"the key {key!r} appears twice in the same mapping", "keep one of them")
            out[key] = _text(vnode) if vnode.tag == _STR and isinstance(vnode, yaml.ScalarNode) else _build(vnode, seen)
        return out
    raise YamlError(node.start_mark.line + 1, 0, "yaml-syntax", f"unsupported YAML node {node.tag}")


def load_contributor_yaml(path: Path, rel: str, problems: ProblemList) -> YamlDoc | None:
    """Read and parse a contributor-written YAML file; problems are appended, None is returned
    if unusable. (Trusted files, such as schemas/, are read by pipelines.schemas.)"""
    text = read_text(path, problems, rel)
    if text is None:
        return None
    try:
        return parse_yaml(text, rel)
    except YamlError as err:
        problems.add(rel, err.line, err.col, err.code, err.message, err.hint)
        return None
