"""Load YAML with safe_load semantics, keeping each node's line number.

Only plain data is accepted: mappings, sequences and the standard scalar types.
Any other tag (``!!python/object``, custom ``!tags``) is an input error.

Hostile documents are bounded: a size cap, a nesting-depth cap, aliases built
once and shared (with a cap on how much they may expand), merge keys refused,
integers of bounded length, and text free of control characters and lone
surrogates. Every problem comes back as a `Problem`; nothing else escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from audioessay.errors import Problem

NodePath = tuple  # a path into the document, e.g. ("sections", 2, "text")

MAX_BYTES = 2_000_000  # a script or show file larger than this is refused unread
MAX_DEPTH = 64  # nested mappings/lists; real scripts use about 4
MAX_NODES = 20_000  # values in the document; pure-Python YAML reads about 50,000 a second
MAX_ALIAS_NODES = 100_000  # extra values that aliases (*name) may add in total
MAX_INT_CHARS = 32  # an integer literal longer than this is refused (no 5,000-digit numbers)

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE = _STD + "merge"
# C0 controls except tab, newline and CR; DEL; C1 controls; surrogates; the two non-characters
# YAML itself refuses. Found before parsing so the message can name the line and column.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Located:
    """A plain Python value plus the line of every node in it."""

    value: object
    lines: dict[NodePath, int] = field(default_factory=dict)
    key_lines: dict[NodePath, int] = field(default_factory=dict)

    def line(self, path: NodePath) -> int | None:
        """Line of `path`, else of its nearest ancestor."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


class _TooBig(yaml.YAMLError):
    def __init__(self, mark, message: str):
        super().__init__(message)
        self.mark, self.message = mark, message


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer stops at MAX_DEPTH levels and MAX_NODES values
    instead of recursing without end or reading for minutes."""

    def __init__(self, text: str):
        super().__init__(text)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):
        self._depth += 1
        self._nodes += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooBig(self.peek_event().start_mark,
                              f"nested more than {MAX_DEPTH} levels deep; flatten the structure")
            if self._nodes > MAX_NODES:
                raise _TooBig(self.peek_event().start_mark,
                              f"has more than {MAX_NODES:,} values; split it, or put long texts "
                              "in section files")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def bad_character(text: str) -> tuple[int, int, str] | None:
    """(line, column, "U+0007") of the first character a script or text file must not
    contain (controls, lone surrogates, U+FFFE/U+FFFF), or None. Tab, newline and carriage
    return are allowed. `character_message` says it."""
    m = _BAD_CHAR.search(text)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return line, column, f"U+{ord(m.group()):04X}"


def character_message(line: int, column: int | None, code: str) -> str:
    """What to say about a `bad_character` (column None: it was written as an escape)."""
    kind = "lone surrogate" if 0xD800 <= int(code[2:], 16) <= 0xDFFF else "control character"
    at = f", column {column}" if column else " (written as an escape)"
    return f"{kind} {code} at line {line}{at}; remove it"


def _char_problem(filename: str, line: int, column: int | None, code: str, where: str = "") -> Problem:
    return Problem(filename, line, where, character_message(line, column, code))


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str:
    text = f"{exc.context or ''} {exc.problem or ''}"
    if "'\\t'" in text or "\\t" in text:
        return "indent with spaces, not tabs"
    if "quoted scalar" in text:
        return "a quote is not closed; close it or remove it"
    return "check the indentation and quotes on this line and the one before"


def load(text: str, filename: str) -> tuple[Located | None, list[Problem]]:
    """Parse `text`; return the located document and any problems found.

    Never raises for any input: every problem is a located `Problem`."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        return None, [Problem(filename, None, "", f"is {size / 1e6:.1f} MB; a script may be at most "
                              f"{MAX_BYTES / 1e6:g} MB (put long texts in section files)")]
    bad = bad_character(text)
    if bad:
        return None, [_char_problem(filename, *bad)]
    try:
        return _load(text, filename)
    except RecursionError:  # a path _Loader does not guard; never let it escape
        return None, [Problem(filename, None, "", f"nested too deeply; at most {MAX_DEPTH} levels are allowed")]


def _load(text: str, filename: str) -> tuple[Located | None, list[Problem]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except _TooBig as exc:
        return None, [Problem(filename, exc.mark.line + 1, "", exc.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = (exc.problem or exc.context or "invalid YAML").replace("\t", "\\t")
        if "recursive" in what or "undefined alias" in what:
            return None, [Problem(filename, line, "", f"YAML alias error: {what}; define the anchor (&name) "
                                  "before its alias (*name), outside of itself")]
        return None, [Problem(filename, line, "", f"YAML syntax error: {what}; {_syntax_hint(exc)}")]
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None, [Problem(filename, None, "", f"YAML error: {first}")]
    finally:
        loader.dispose()
    if node is None:
        return Located(None), []
    problems: list[Problem] = []
    cycle = _find_cycle(node)
    if cycle is not None:
        return None, [Problem(filename, cycle.start_mark.line + 1, "",
                              "an alias (*name) refers to a value that contains it; remove the alias")]
    extra = _alias_expansion(node)
    if extra > MAX_ALIAS_NODES:
        return None, [Problem(filename, None, "", f"aliases (*name) expand to more than {MAX_ALIAS_NODES:,} "
                              "values; write the values out or use fewer aliases")]
    doc = Located(None)
    builder = _Builder(doc, problems, filename, loader)
    doc.value = builder.build(node, ())
    return doc, problems


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _find_cycle(root):
    """A node that contains itself through an alias (`&a [*a]`), or None."""
    done: set[int] = set()
    active: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            active.discard(id(node))
            done.add(id(node))
            continue
        if id(node) in active:
            return node
        if id(node) in done:
            continue
        active.add(id(node))
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                return child
            if id(child) not in done:
                stack.append((child, False))
    return None


def _alias_expansion(root) -> int:
    """How many values aliases add when the document is read as a plain tree
    (expanded size minus the number of distinct nodes). Linear in distinct nodes."""
    size: dict[int, int] = {}
    order: list = []
    seen: set[int] = set()
    stack = [root]
    while stack:  # post-order without recursion (the document has no cycles by now)
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(_children(node))
    for node in reversed(order):
        size[id(node)] = 1 + sum(size[id(c)] for c in _children(node))
    return size[id(root)] - len(order)


def _where(path: NodePath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Builder:
    """Nodes -> plain values. A node reached again through an alias is built once and shared."""

    def __init__(self, doc: Located, problems: list[Problem], filename: str, loader: _Loader):
        self.doc, self.problems, self.filename, self.loader = doc, problems, filename, loader
        self.built: dict[int, object] = {}

    def problem(self, node, path: NodePath, message: str) -> None:
        self.problems.append(Problem(self.filename, node.start_mark.line + 1, _where(path), message))

    def build(self, node, path: NodePath):
        if id(node) in self.built:  # an alias: its first occurrence's value (lines stay with it)
            return self.built[id(node)]
        self.doc.lines[path] = node.start_mark.line + 1
        value = self._build(node, path)
        self.built[id(node)] = value
        return value

    def _build(self, node, path: NodePath):
        if not node.tag.startswith(_STD) or "python/" in node.tag:
            tag = node.tag.replace(_STD, "!!")
            self.problem(node, path, f"tag {tag} is not allowed (scripts are plain data); remove it")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(n, path + (i,)) for i, n in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node, path: NodePath) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.problem(key_node, path, "merge keys (<<:) are not supported; write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, path, "keys must be plain words")
                continue
            key = key_node.value  # keys stay text as written (`1:` is the key "1")
            bad = bad_character(key)
            if bad:
                self.problems.append(_char_problem(self.filename, key_node.start_mark.line + 1, None, bad[2],
                                                   _where(path)))
                continue
            if key in out:
                self.problem(key_node, path + (key,), "key appears twice; keep one")
            self.doc.key_lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self.build(value_node, path + (key,))
            self.doc.lines.setdefault(path + (key,), key_node.start_mark.line + 1)  # an alias: its key's line
        return out

    def _scalar(self, node, path: NodePath):
        if node.tag not in _SCALAR_TAGS:
            self.problem(node, path, f"unsupported YAML type {node.tag.replace(_STD, '!!')}; remove the tag")
            return None
        raw = node.value
        if node.tag == _STD + "int" and len(raw) > MAX_INT_CHARS:
            self.problem(node, path, f"a number of {len(raw):,} characters is too long (at most "
                         f"{MAX_INT_CHARS}); quote it if it is text")
            return None
        try:
            value = self.loader.construct_object(node, deep=True)
        except Exception:  # PyYAML's constructors raise ValueError, KeyError, TypeError...
            self.problem(node, path, _scalar_message(node, explicit=not self._implicit(node)))
            return None
        if isinstance(value, str):
            bad = bad_character(value)
            if bad:  # from a "\x07" or "\udc80" escape in a double-quoted string
                line = node.start_mark.line + 1
                self.problems.append(_char_problem(self.filename, line, None, bad[2], _where(path)))
        return value  # kept even when refused, so a required key is not also reported missing

    def _implicit(self, node) -> bool:
        """True when the tag came from the value's look (2025-13-45), not from an explicit !!tag."""
        return self.loader.resolve(yaml.ScalarNode, node.value, (True, False)) == node.tag


def _scalar_message(node, *, explicit: bool) -> str:
    short = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    kind = node.tag.replace(_STD, "")
    if kind == "timestamp":
        what = f"{short!r} is not a real date or time; write a date like 2025-05-01"
    elif kind == "bool":
        what = f"{short!r} is not true or false"
    elif kind in ("int", "float"):
        what = f"{short!r} is not a valid {'whole number' if kind == 'int' else 'number'}"
    else:
        what = f"{short!r} cannot be read as !!{kind}"
    return what + ("; remove the !!" + kind + " tag or fix the value" if explicit else "")


where = _where
