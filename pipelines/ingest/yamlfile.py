"""Read contributor-written YAML safely, keeping line numbers for error messages.

PyYAML's C parser composes the node tree; we build plain Python values from it ourselves
so that we can (1) refuse aliases, which can blow a small file up to gigabytes, (2) refuse
duplicate keys, which PyYAML would silently overwrite, (3) keep dates as the strings the
contributor typed (a date field may also hold a phrase such as "on Saturday"), and
(4) look up the line of any value later, only when a problem needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipelines.ingest.problems import ProblemList

MAX_FILE_BYTES = 1_000_000  # an annotation file is a few kB; anything this big is a mistake

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


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

    def position(self, *keys: Any) -> tuple[int, int]:
        """(line, col) of the value at keys, or of its nearest existing parent."""
        node, best = self.root, (1, 1)
        if node is not None:
            best = (node.start_mark.line + 1, node.start_mark.column + 1)
        for key in keys:
            child = None
            if isinstance(node, yaml.MappingNode):
                for knode, vnode in node.value:
                    if knode.value == key:
                        child = vnode
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                child = node.value[key]
            if child is None:
                break
            node = child
            best = (node.start_mark.line + 1, node.start_mark.column + 1)
        return best

    def key_position(self, *keys: Any) -> tuple[int, int]:
        """(line, col) of the key itself (for unknown-key errors)."""
        *parents, last = keys
        node = self.root
        for key in parents:
            node = _child(node, key)
            if node is None:
                return self.position(*parents)
        if isinstance(node, yaml.MappingNode):
            for knode, _ in node.value:
                if knode.value == last:
                    return knode.start_mark.line + 1, knode.start_mark.column + 1
        return self.position(*keys)


def _child(node, key):
    if isinstance(node, yaml.MappingNode):
        for knode, vnode in node.value:
            if knode.value == key:
                return vnode
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


def _build(node: yaml.Node, seen: set[int]) -> Any:
    if isinstance(node, yaml.ScalarNode):
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
        return [_build(item, seen) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
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
            out[key] = _build(vnode, seen)
        return out
    raise YamlError(node.start_mark.line + 1, 0, "yaml-syntax", f"unsupported YAML node {node.tag}")


def load_yaml_file(path: Path, rel: str, problems: ProblemList) -> YamlDoc | None:
    """Read and parse a YAML file; problems are appended, None is returned if unusable."""
    text = read_text(path, problems, rel)
    if text is None:
        return None
    try:
        return parse_yaml(text, rel)
    except YamlError as err:
        problems.add(rel, err.line, err.col, err.code, err.message, err.hint)
        return None
