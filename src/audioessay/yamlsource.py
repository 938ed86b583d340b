"""Load YAML with safe_load semantics, keeping each node's line number.

Only plain data is accepted: mappings, sequences and the standard scalar types.
Any other tag (``!!python/object``, custom ``!tags``) is an input error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from audioessay.errors import Problem

NodePath = tuple  # a path into the document, e.g. ("sections", 2, "text")

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}


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


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str:
    text = f"{exc.context or ''} {exc.problem or ''}"
    if "'\\t'" in text or "\\t" in text:
        return "indent with spaces, not tabs"
    if "quoted scalar" in text:
        return "a quote is not closed; close it or remove it"
    return "check the indentation and quotes on this line and the one before"


def load(text: str, filename: str) -> tuple[Located | None, list[Problem]]:
    """Parse `text`; return the located document and any problems found."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = (exc.problem or exc.context or "invalid YAML").replace("\t", "\\t")
        return None, [Problem(filename, line, "", f"YAML syntax error: {what}; {_syntax_hint(exc)}")]
    except yaml.YAMLError as exc:
        return None, [Problem(filename, None, "", f"YAML error: {exc}")]
    finally:
        loader.dispose()
    if node is None:
        return Located(None), []
    doc = Located(None)
    problems: list[Problem] = []
    doc.value = _build(node, (), doc, problems, filename, loader)
    return doc, problems


def _where(path: NodePath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _build(node, path, doc, problems, filename, loader):
    doc.lines[path] = node.start_mark.line + 1
    bad_tag = not node.tag.startswith(_STD) or "python/" in node.tag
    if bad_tag:
        tag = node.tag.replace(_STD, "!!")
        problems.append(
            Problem(filename, node.start_mark.line + 1, _where(path),
                    f"tag {tag} is not allowed (scripts are plain data); remove it")
        )
        return None
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(filename, key_node.start_mark.line + 1, _where(path),
                                        "keys must be plain words"))
                continue
            key = loader.construct_scalar(key_node)
            if key in out:
                problems.append(Problem(filename, key_node.start_mark.line + 1, _where(path + (key,)),
                                        "key appears twice; keep one"))
            doc.key_lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), doc, problems, filename, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(n, path + (i,), doc, problems, filename, loader) for i, n in enumerate(node.value)]
    if node.tag not in _SCALAR_TAGS:
        problems.append(Problem(filename, node.start_mark.line + 1, _where(path),
                                f"unsupported YAML type {node.tag}"))
        return None
    return loader.construct_object(node, deep=True)


where = _where
