"""Reading one YAML file safely: regular files only, bounded size, bounded aliases, one parse.

The file is read with ``O_NONBLOCK`` and checked with ``fstat`` before a byte is read, so a FIFO, a
device (``/dev/zero``), a directory or a symlink loop is refused at once. The text is parsed once, from
the YAML event stream (libyaml when present), into plain data and the file and line of every value:

* at most :data:`MAX_FILE_BYTES` bytes, :data:`MAX_VALUES` values (counting every copy an alias makes,
  so an alias bomb is refused after that many values, not after gigabytes), :data:`MAX_DEPTH` levels;
* mapping keys are plain text of at most :data:`MAX_KEY_CHARS` characters; a duplicate key is refused
  naming both lines; ``<<`` merge keys work as in YAML 1.1;
* only the standard tags (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``, ``!!map``,
  ``!!seq``, implicit timestamps); a number Python refuses (a 5,000-digit integer) is refused.

Every refusal is an :class:`~wargame.errors.InputError` with ``file:line``.
"""

from __future__ import annotations

import copy
import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from wargame.errors import InputError

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_KEY_CHARS",
    "MAX_VALUES",
    "Location",
    "ParsedYaml",
    "PathKey",
    "parse_yaml",
    "read_text_file",
    "read_yaml_file",
]

MAX_FILE_BYTES = 1 << 20
"""Largest file read: 1 MiB (the reference scenario is about 15 KB)."""
MAX_VALUES = 100_000
"""Most values (scalars, mappings, lists) a document may hold once its aliases are expanded."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists."""
MAX_KEY_CHARS = 256
"""Longest mapping key."""

Location = tuple[str, int]  # (file, 1-based line)
PathKey = tuple[str | int, ...]

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STANDARD_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_EXPLICIT_TAGS = {f"{_STANDARD_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}
_MERGE_TAG = f"{_STANDARD_TAG}merge"
_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


@dataclass
class ParsedYaml:
    """The plain data of a YAML document and the ``(file, line)`` of every value, keyed by path."""

    data: Any
    locations: dict[PathKey, Location]


def read_text_file(path: str | Path, *, limit: int = MAX_FILE_BYTES) -> str:
    """Return the UTF-8 text of a regular file of at most ``limit`` bytes.

    Raises:
        InputError: Naming the file, for a missing or unreadable file, anything but a regular file, a file
            over the limit or text that is not UTF-8 (with the line of the first bad byte).
    """
    source = str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except PermissionError:
        raise InputError("permission denied", source=source) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise InputError("a loop of symbolic links, not a file", source=source) from None
        if error.errno == errno.ENOTDIR:
            raise InputError("file not found (a part of the path is not a folder)", source=source) from None
        raise InputError(f"cannot open: {error.strerror}", source=source) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            kind = _KINDS.get(stat.S_IFMT(status.st_mode), "not a regular file")
            raise InputError(f"{kind}, not a regular file", source=source)
        if status.st_size > limit:
            raise InputError(f"{status.st_size:,} bytes, over the limit of {limit:,}", source=source)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # the file may grow while it is read, or be a /proc file of size 0
            chunk = os.read(descriptor, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise InputError(f"more than the limit of {limit:,} bytes", source=source)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", source=source) from None
    finally:
        os.close(descriptor)
    raw = b"".join(chunks)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise InputError("not a UTF-8 text file", source=f"{source}:{line}") from None


def read_yaml_file(path: str | Path) -> ParsedYaml:
    """Read and parse one YAML file (see the module docstring for what is refused)."""
    return parse_yaml(read_text_file(path), str(path))


def parse_yaml(text: str, source: str) -> ParsedYaml:
    """Parse ``text`` (named ``source`` in errors) into data and locations, in one pass over its events."""
    builder = _Builder(source)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.reader.ReaderError as error:  # a character YAML does not allow; it knows only the offset
        line = text.count("\n", 0, max(error.position, 0)) + 1
        raise InputError(
            f"malformed YAML: {error.reason} #x{error.character:04x}"
            if isinstance(error.character, int)
            else f"malformed YAML: {error.reason}",
            source=f"{source}:{line}",
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at_line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        if problem == "found character that cannot start any token" and mark is not None:
            problem = f"found character {text[mark.index : mark.index + 1]!r} that cannot start any token"
        raise InputError(f"malformed YAML: {problem}", source=f"{source}{at_line}") from None
    if builder.result is None:
        return ParsedYaml(None, {})
    return ParsedYaml(builder.result, builder.locations)


@dataclass
class _Frame:
    """A mapping or list being built."""

    value: dict[str, Any] | list[Any]
    path: PathKey
    line: int
    anchor: str | None
    first_location: int  # index into the builder's location list where this node's entries start
    key: str | None = None  # mapping: the key whose value comes next
    merge_start: int | None = None  # mapping: the next value is a ``<<`` source; its entries start here
    merged: list[tuple[dict[str, Any], list[tuple[PathKey, int]]]] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class _Anchored:
    value: Any
    locations: list[tuple[PathKey, int]]  # paths relative to the anchored node, without the node itself
    values: int


class _Builder:
    """Builds plain data from YAML events, counting values and recording each one's line.

    A mapping entry is located at its key's line (where a user looks for the field), a list item and the
    document at their own line.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[_Anchored, int]] = {}
        self.located: list[tuple[PathKey, int]] = []
        self.values = 0
        self.documents = 0
        self.result: Any = None
        self._resolver = yaml.resolver.Resolver()
        self._constructor = SafeConstructor()

    @property
    def locations(self) -> dict[PathKey, Location]:
        return {path: (self.source, line) for path, line in self.located}

    def _error(self, message: str, line: int) -> InputError:
        return InputError(message, source=f"{self.source}:{line}")

    def _count(self, values: int, line: int) -> None:
        self.values += values
        if self.values > MAX_VALUES:
            raise self._error(
                f"the document holds more than {MAX_VALUES:,} values once its aliases are expanded", line
            )

    def feed(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self._error("a file holds one YAML document; found a second '---'", line)
        elif isinstance(event, yaml.ScalarEvent):
            if self._expecting_key():
                self._take_key(event, line)
            else:
                self._scalar(event, line)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event, line)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self._start(event, line)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self._end()

    # ------------------------------------------------------------------ where the next value goes
    def _expecting_key(self) -> bool:
        frame = self.stack[-1] if self.stack else None
        return (
            frame is not None
            and isinstance(frame.value, dict)
            and frame.key is None
            and frame.merge_start is None
        )

    def _next_path(self) -> PathKey:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            return (*frame.path, len(frame.value))
        if frame.merge_start is not None:
            return (*frame.path, "<<")
        assert frame.key is not None
        return (*frame.path, frame.key)

    def _locate_item(self, path: PathKey, line: int) -> None:
        """Record the line of a list item or of the document (mapping entries have their key's)."""
        if not self.stack or isinstance(self.stack[-1].value, list):
            self.located.append((path, line))

    def _take_key(self, event: yaml.ScalarEvent, line: int) -> None:
        frame = self.stack[-1]
        text = event.value
        if event.tag not in (None, "!", f"{_STANDARD_TAG}str"):
            raise self._error(f"a key must be plain text, not tagged {_tag(event.tag or '')}", line)
        if event.anchor is not None:
            raise self._error("anchors on keys are not supported", line)
        if len(text) > MAX_KEY_CHARS:
            raise self._error(f"a key of {len(text):,} characters (the limit is {MAX_KEY_CHARS})", line)
        if text in frame.key_lines:
            raise self._error(f"duplicate key {_shown(text)} (first at line {frame.key_lines[text]})", line)
        frame.key_lines[text] = line
        if text == "<<" and event.implicit[0]:
            frame.merge_start = len(self.located)
            return
        frame.key = text
        self.located.append(((*frame.path, text), line))

    def _place(self, value: Any, line: int) -> None:
        """Put a finished value where it belongs: the result, a list, a mapping or a merge."""
        if not self.stack:
            self.result = value
            return
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            frame.value.append(value)
        elif frame.merge_start is not None:
            self._take_merge(frame, value, line)
        else:
            assert frame.key is not None
            frame.value[frame.key] = value
            frame.key = None

    def _take_merge(self, frame: _Frame, value: Any, line: int) -> None:
        """Keep a ``<<`` source (a mapping, or a list of mappings) to merge when the mapping ends."""
        assert frame.merge_start is not None
        prefix = (*frame.path, "<<")
        inner = [(p[len(prefix) :], where) for p, where in self.located[frame.merge_start :]]
        del self.located[frame.merge_start :]
        frame.merge_start = None
        sources = value if isinstance(value, list) else [value]
        if not sources or not all(isinstance(source, dict) for source in sources):
            raise self._error("'<<' merges a mapping or a list of mappings", line)
        for index, source in enumerate(sources):
            head: PathKey = (index,) if isinstance(value, list) else ()
            own = [(p[len(head) :], where) for p, where in inner if p[: len(head)] == head and p != head]
            frame.merged.append((source, own))

    # ------------------------------------------------------------------ events
    def _scalar(self, event: yaml.ScalarEvent, line: int) -> None:
        path = self._next_path()
        self._count(1, line)
        value = self._construct(event, line)
        self._locate_item(path, line)
        if event.anchor is not None:
            self._remember(event.anchor, _Anchored(value, [], 1), line)
        self._place(value, line)

    def _construct(self, event: yaml.ScalarEvent, line: int) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        elif tag not in _EXPLICIT_TAGS:
            raise self._error(f"unsupported YAML tag {_tag(tag)}", line)
        if tag not in _SCALAR_TAGS:
            raise self._error(f"unsupported YAML tag {_tag(tag)}", line)
        node = yaml.ScalarNode(tag, event.value, style=event.style)
        try:
            return self._constructor.yaml_constructors[tag](self._constructor, node)
        except (ValueError, OverflowError, ConstructorError) as error:
            kind = tag.removeprefix(_STANDARD_TAG)
            if kind == "int" and "digits" in str(error):
                raise self._error(f"a number of {len(event.value):,} digits is too long", line) from None
            raise self._error(f"not a valid {kind}: {_shown(event.value)}", line) from None

    def _start(self, event: yaml.MappingStartEvent | yaml.SequenceStartEvent, line: int) -> None:
        if self._expecting_key():
            raise self._error("a key must be plain text, not a mapping or a list", line)
        if len(self.stack) >= MAX_DEPTH:
            raise self._error(f"nested more than {MAX_DEPTH} levels deep", line)
        mapping = isinstance(event, yaml.MappingStartEvent)
        expected = f"{_STANDARD_TAG}{'map' if mapping else 'seq'}"
        if event.tag not in (None, "!", expected):
            raise self._error(f"unsupported YAML tag {_tag(event.tag or '')}", line)
        path = self._next_path()
        self._count(1, line)
        self._locate_item(path, line)
        value: dict[str, Any] | list[Any] = {} if mapping else []
        self.stack.append(_Frame(value, path, line, event.anchor, len(self.located)))

    def _end(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.value, dict):
            for source, own in frame.merged:
                for key, item in source.items():
                    if key in frame.value:  # explicit keys win, then earlier sources
                        continue
                    self._count(_size(item), frame.line)
                    frame.value[key] = copy.deepcopy(item)
                    self.located.extend(((*frame.path, *p), where) for p, where in own if p[:1] == (key,))
        if frame.anchor is not None:
            n = len(frame.path)
            own = [(p[n:], where) for p, where in self.located[frame.first_location :]]
            self._remember(frame.anchor, _Anchored(frame.value, own, _size(frame.value)), frame.line)
        self._place(frame.value, frame.line)

    def _remember(self, anchor: str, anchored: _Anchored, line: int) -> None:
        if anchor in self.anchors:
            first = self.anchors[anchor][1]
            raise self._error(f"anchor &{_anchor(anchor)} defined twice (first at line {first})", line)
        self.anchors[anchor] = (anchored, line)

    def _alias(self, event: yaml.AliasEvent, line: int) -> None:
        assert event.anchor is not None  # an alias always names its anchor
        if self._expecting_key():
            raise self._error("a key must be plain text, not an alias", line)
        if event.anchor not in self.anchors:
            if any(frame.anchor == event.anchor for frame in self.stack):
                raise self._error(f"alias *{_anchor(event.anchor)} refers to a value that contains it", line)
            raise self._error(f"alias *{_anchor(event.anchor)} has no anchor before it", line)
        anchored, _ = self.anchors[event.anchor]
        path = self._next_path()
        self._count(anchored.values, line)
        self._locate_item(path, line)
        self.located.extend(((*path, *p), where) for p, where in anchored.locations)
        self._place(copy.deepcopy(anchored.value), line)


def _size(value: Any) -> int:
    """Count the values in a built subtree (itself included)."""
    if isinstance(value, dict):
        return 1 + sum(_size(item) for item in value.values())
    if isinstance(value, list):
        return 1 + sum(_size(item) for item in value)
    return 1


def _shown(text: str, limit: int = 60) -> str:
    """Quote user text for a message, cut to ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _tag(tag: str) -> str:
    return _shown(tag.replace(_STANDARD_TAG, "!!"))


def _anchor(name: str) -> str:
    return name if len(name) <= 40 else name[:40] + "..."
