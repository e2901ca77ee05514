"""Read contributor-written YAML safely, keeping line numbers for error messages.

PyYAML's C parser composes the node tree; we build plain Python values from it ourselves
so that we can (1) refuse aliases, which can blow a small file up to gigabytes, (2) refuse
duplicate keys, which PyYAML would silently overwrite, (3) keep dates as the strings the
contributor typed (a date field may also hold a phrase such as "on Saturday"), and
(4) look up the line of any value later, only when a problem needs it.

Hostile input is refused with a problem, never a traceback or a crash: a file is read only
if lstat says it is a plain file (not a link, FIFO, device or socket) within its size
limit; nesting deeper than MAX_DEPTH is refused before PyYAML's recursive composer sees it
(50,000 nested lists crash it); integers longer than MAX_INT_DIGITS are refused before
Python's int conversion (its limit is 4,300 digits, and nothing counted needs 16).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml.reader

from pipelines.ingest.problems import ProblemList

MAX_FILE_BYTES = 1_000_000  # an annotation file is a few kB; anything this big is a mistake
MAX_DEPTH = 20  # lists and mappings inside one another; an annotation needs about 6
MAX_INT_DIGITS = 15  # a count of people or boats; exact as a float too
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to YAML 1.1, besides \n
NOT_REGULAR_HINT = ("sources/ holds only plain files and folders: replace it with a copy of the real file "
                    "(links, pipes and devices are never read)")

# PyYAML's public loader: the C one when PyYAML was built with libyaml.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The safe loader's implicit tags by a plain scalar's first character, in PyYAML's order.
_IMPLICIT = _Loader.yaml_implicit_resolvers


class _FastResolver(_Loader):
    """The safe loader, with PyYAML's own resolver rules applied by a shorter function.

    The composer calls resolve() for every node (1.2 million calls for 2,000 sources, a
    twentieth of `validate`), and descend/ascend_resolver around it. PyYAML's resolve()
    builds a new list of candidates each time and checks for path resolvers, which the
    safe loader has none of; this one tries the same (tag, regexp) pairs in the same order
    and returns the same tags. Only used while the safe loader's rules are as assumed:
    no wildcard implicit resolvers (None key) and no path resolvers."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0]:  # plain (unquoted): "12" is an int, "no" a bool, "~" null ...
                for tag, regexp in _IMPLICIT.get(value[:1], ()):  # value[:1]: "" for an empty value
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node, current_index):
        return None

    def ascend_resolver(self):
        return None


_constructor = yaml.constructor.SafeConstructor()
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_Composer = _FastResolver if None not in _IMPLICIT and not _Loader.yaml_path_resolvers else _Loader
_INTERN_MAX = 40  # ids, enum values, dates: repeated across thousands of records
# The composer (recursive) is safe far deeper than this on any thread's stack: libyaml's
# crashes between 20,000 and 50,000 levels on 8 MB, PyYAML's own raises RecursionError sooner.
# A file that may nest deeper (a cheap upper bound says so) has its depth measured on the
# event stream first.
_SAFE_COMPOSE_DEPTH = 1000 if _Loader is getattr(yaml, "CSafeLoader", None) else 100
_DEEP_INDENT_SPACES = _SAFE_COMPOSE_DEPTH // 5
_DEEP_INDENT = "\n" + " " * _DEEP_INDENT_SPACES


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


def file_kind(mode: int) -> str:
    """What a file that is not a plain file is, for a message."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a plain file" if stat.S_ISREG(mode) else "a special file"


def exists(path: Path) -> bool:
    """True if something is at path, even a broken link (which `Path.exists` calls missing)."""
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return False
    return True


def check_folder(path: Path, rel: str, problems: ProblemList) -> bool:
    """True if path is a real folder (not a link to one); anything else is reported."""
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError) as err:
        problems.add(rel, 0, 0, "file-unreadable", f"cannot read the folder: {getattr(err, 'strerror', None) or err}",
                     "check its permissions")
        return False
    if stat.S_ISDIR(mode):
        return True
    problems.add(rel, 0, 0, "not-a-regular-file", f"this is {file_kind(mode)}, not a folder; it was not read",
                 NOT_REGULAR_HINT.replace("a copy of the real file", "the folder itself"))
    return False


def read_bytes(path: Path, problems: ProblemList, rel: str, *, max_bytes: int, what: str = "the file",
               too_large_hint: str = "split it, or check that the right file was added") -> bytes | None:
    """The bytes of a plain file of at most max_bytes, or None after reporting why not.

    Checked with lstat before it is opened: a link (to /etc/passwd, say) or a special file
    (/dev/zero, a FIFO that never ends) is reported and never opened. It is then opened
    without following links and without blocking, and checked again on the open file, so a
    file swapped in between is not read either; and no more than max_bytes are read."""
    try:
        info = os.lstat(path)
    except (OSError, ValueError) as err:
        problems.add(rel, 0, 0, "file-unreadable", f"cannot read {what}: {getattr(err, 'strerror', None) or err}",
                     "check its permissions")
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.add(rel, 0, 0, "not-a-regular-file", f"{what} is {file_kind(info.st_mode)}, not a plain file; it was not read",
                     NOT_REGULAR_HINT)
        return None
    if info.st_size > max_bytes:
        problems.add(rel, 0, 0, "file-too-large",
                     f"{what} is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes ({max_bytes / 1e6:g} MB)",
                     too_large_hint)
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if err.errno == errno.ELOOP:  # it became a link after lstat
            problems.add(rel, 0, 0, "not-a-regular-file", f"{what} is a symbolic link, not a plain file; it was not read",
                         NOT_REGULAR_HINT)
        else:
            problems.add(rel, 0, 0, "file-unreadable", f"cannot read {what}: {err.strerror}", "check its permissions")
        return None
    with open(fd, "rb", closefd=True) as handle:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            problems.add(rel, 0, 0, "not-a-regular-file", f"{what} is {file_kind(opened.st_mode)}, not a plain file; "
                         "it was not read", NOT_REGULAR_HINT)
            return None
        # What fstat says is there and one byte more, to see whether it grew since; then, if
        # it did, on up to the limit. (Asking for max_bytes + 1 at once made Python allocate
        # that much for every file: 1 MB for a YAML file of 5 kB, 5 MB for each article.)
        data = handle.read(min(opened.st_size, max_bytes) + 1)
        if opened.st_size < len(data) <= max_bytes:
            data += handle.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:  # it grew after lstat
        problems.add(rel, 0, 0, "file-too-large", f"{what} is over {max_bytes:,} bytes ({max_bytes / 1e6:g} MB)",
                     too_large_hint)
        return None
    return data


def read_text(path: Path, problems: ProblemList, rel: str, *, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """Read a contributor-written text file; whole-file problems are reported, not raised."""
    raw = read_bytes(path, problems, rel, max_bytes=max_bytes)
    if raw is None:
        return None
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
        if _may_nest_deeply(text):
            _check_depth(text)
        root = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = " ".join(str(part) for part in (err.context, err.problem) if part)
        raise YamlError(line, col, "yaml-syntax", f"YAML syntax error: {message}",
                        "check indentation, and quote text that contains ': ' or starts with a special character") from None
    except yaml.reader.ReaderError:
        raise _bad_character(text) from None
    except yaml.YAMLError as err:
        raise YamlError(0, 0, "yaml-syntax", f"YAML error: {err}") from None
    seen: set[int] = set()
    try:
        data = _build(root, seen, 1) if root is not None else None
    except RecursionError:  # not expected (depth is bounded above): a problem all the same
        raise YamlError(1, 1, "yaml-too-deep", "lists and mappings are nested too deep to read",
                        "an annotation needs about 6 levels: check the brackets and the indentation") from None
    return YamlDoc(rel, data, root)


# What YAML 1.1 allows in a file (PyYAML and libyaml refuse anything else, NUL included).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _bad_character(text: str) -> YamlError:
    """The reader's error, at the line and column of the character (the C reader gives only a
    byte offset)."""
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return YamlError(1, 1, "yaml-syntax", "YAML error: the file has a character YAML does not allow")
    start = found.start()
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    char = found.group()
    name = " (NUL)" if char == "\0" else ""
    return YamlError(line, col, "yaml-syntax",
                     f"the file has the control character U+{ord(char):04X}{name}, which YAML does not allow",
                     "delete it (it often comes with text copied from a PDF or a binary file)")


def _may_nest_deeply(text: str) -> bool:
    """False when text certainly nests fewer than _SAFE_COMPOSE_DEPTH levels: a cheap upper
    bound, a few counts of single characters (O(size), in C).

    Flow collections nest at most once per '[' or '{'. Block collections on one path start at
    columns that never decrease, and at the same column only for a list that is a mapping's
    value; so without a line indented _DEEP_INDENT_SPACES they nest at most 2 x that + 3
    levels, plus one per extra '-' or '?' on a line ("- - - x": a list in a list on one line)."""
    count = text.count
    bound = count("[") + count("{") + count("-") + count("?")
    if bound > _SAFE_COMPOSE_DEPTH - 2 * _DEEP_INDENT_SPACES - 10:
        return True
    return (_DEEP_INDENT in text or text.startswith(_DEEP_INDENT[1:])
            or any(b in text for b in _OTHER_BREAKS))


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH from the event stream (the C parser keeps its own
    stack, it does not recurse), stopping at the first node too deep."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(event.start_mark)
        elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            depth -= 1


def _too_deep(mark) -> YamlError:
    return YamlError(mark.line + 1, mark.column + 1, "yaml-too-deep",
                     f"lists and mappings are nested more than {MAX_DEPTH} levels deep here",
                     "an annotation needs about 6 levels: check the brackets and the indentation")


def _text(node: yaml.ScalarNode) -> str:
    """A text scalar: what PyYAML's str constructor returns, without its three calls (most
    scalars are text, and they are built inline by _build, not by a recursive call). Short
    ones (ids, enum values, dates) are interned: shared, not copied in every record."""
    value = node.value
    return sys.intern(value) if len(value) <= _INTERN_MAX else value


def _build(node: yaml.Node, seen: set[int], depth: int) -> Any:
    """Plain values of node, a collection depth levels deep (the root is 1)."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            return _text(node)
        if node.tag == _TIMESTAMP:
            return node.value
        if node.tag == _INT and len(node.value.lstrip("+-").replace("_", "")) > MAX_INT_DIGITS:
            raise YamlError(node.start_mark.line + 1, node.start_mark.column + 1, "bad-value",
                            f"the number {_shown(node.value)} has more than {MAX_INT_DIGITS} digits",
                            "write the number as digits of a real count")
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
    if depth > MAX_DEPTH:
        raise _too_deep(node.start_mark)
    if node.tag not in (_SEQ, _MAP):
        raise YamlError(node.start_mark.line + 1, node.start_mark.column + 1, "yaml-tag",
                        f"the YAML tag {node.tag!r} is not allowed", "remove the tag")
    if isinstance(node, yaml.SequenceNode):
        return [_text(item) if item.tag == _STR and isinstance(item, yaml.ScalarNode) else _build(item, seen, depth + 1)
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
                key = _build(knode, seen, depth + 1)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise YamlError(knode.start_mark.line + 1, knode.start_mark.column + 1, "yaml-key",
                                    "a mapping key must be a plain word")
            if key in out:
                raise YamlError(knode.start_mark.line + 1, knode.start_mark.column + 1, "duplicate-key",
                                f"the key {key!r} appears twice in the same mapping", "keep one of them")
            out[key] = _text(vnode) if vnode.tag == _STR and isinstance(vnode, yaml.ScalarNode) else _build(vnode, seen, depth + 1)
        return out
    raise YamlError(node.start_mark.line + 1, 0, "yaml-syntax", f"unsupported YAML node {node.tag}")


def _shown(value: str, width: int = 20) -> str:
    return value if len(value) <= width else f"{value[:width]}… ({len(value):,} characters)"


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
