"""Declared, self-validating script options (in the manner of mkdocs' config_options).

Each option validates one value and raises `Invalid` with a message that says
what is wrong and what to do. `Schema` validates a mapping of options, reports
unknown keys with a did-you-mean, and collects every problem instead of
stopping at the first.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from audioessay.errors import Problem
from audioessay.config.yamlsource import Located, where

REQUIRED = object()


class Invalid(ValueError):
    """The value of one option is wrong; the message says how to fix it."""


@dataclass
class Context:
    """Where problems are collected while a document is validated."""

    doc: Located
    filename: str
    problems: list[Problem]
    # a show file's defaults are checked for one episode: whether that episode's MP3 exists
    # (None: the document is the episode's own, look at its `output`)
    published: bool | None = None

    def problem(self, path: tuple, message: str, *, key_line: bool = False) -> None:
        line = self.doc.key_lines.get(path) if key_line else None
        self.problems.append(Problem(self.filename, line or self.doc.line(path), where(path), message))


def number_text(x: float) -> str:
    """A range bound as written in messages and the README: 0, 1.5, 100000."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {str: "text", bool: "true/false", int: "a number", float: "a number",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


class Option:
    """Base: `default` is used when the key is absent (REQUIRED: must be given)."""

    def __init__(self, default: Any = None, doc: str = ""):
        self.default = default
        self.doc = doc

    def validate(self, value: Any, path: tuple, ctx: Context) -> Any:
        return self.check(value)

    def check(self, value: Any) -> Any:
        return value


class Text(Option):
    def __init__(self, default: Any = None, doc: str = "", *, non_empty: bool = True):
        super().__init__(default, doc)
        self.non_empty = non_empty

    def check(self, value: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # `title: 2025` is a fine title
        if not isinstance(value, str):
            raise Invalid(f"must be text, not {_type_name(value)}")
        if self.non_empty and not value.strip():
            raise Invalid("must not be empty")
        return value.strip()  # control characters: the YAML loader reports them with line and column


class Choice(Option):
    def __init__(self, choices: tuple[Any, ...], default: Any = None, doc: str = ""):
        super().__init__(default, doc)
        self.choices = choices

    def check(self, value: Any) -> Any:
        for choice in self.choices:  # the declared value itself: 44100.0 is taken as 44100
            if not isinstance(value, bool) and isinstance(value, type(choice) | float) and value == choice:
                return choice
        hint = difflib.get_close_matches(str(value)[:100], [str(c) for c in self.choices], n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise Invalid(f"{_short(value)} is not one of {', '.join(map(str, self.choices))}{did}")


class Number(Option):
    """An int or float within [minimum, maximum]; the message names the range."""

    def __init__(self, default: Any = None, doc: str = "", *, minimum: float | None = None,
                 maximum: float | None = None, integer: bool = False, unit: str = ""):
        super().__init__(default, doc)
        self.minimum, self.maximum, self.integer, self.unit = minimum, maximum, integer, unit

    def check(self, value: Any) -> float | int:
        kind = "a whole number" if self.integer else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise Invalid(f"must be {kind}{self._range()}, not {_short(value)}")
        if isinstance(value, float) and math.isinf(value):
            raise Invalid(f"must be {kind}{self._range()}, not {value!r}")
        if isinstance(value, int) and abs(value) > 10**15:
            raise Invalid(f"{_short(value)} is out of range{self._range() or ' (too large)'}")
        if self.integer and value != int(value):
            raise Invalid(f"must be {kind}{self._range()}, not {value!r}")
        lo, hi = self.minimum, self.maximum
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise Invalid(f"{value!r} is out of range{self._range()}")
        return int(value) if self.integer else float(value)

    def _range(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.minimum is not None and self.maximum is not None:
            return f" (from {number_text(self.minimum)} to {number_text(self.maximum)}{unit})"
        if self.minimum is not None:
            return f" (at least {number_text(self.minimum)}{unit})"
        return ""


class Bool(Option):
    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise Invalid(f"must be true or false, not {value!r}")
        return value


class TextMap(Option):
    """A mapping of text to text (e.g. a pronunciation lexicon)."""

    def validate(self, value: Any, path: tuple, ctx: Context) -> dict[str, str]:
        if not isinstance(value, dict):
            raise Invalid(f"must be a mapping like {{written: spoken}}, not {_type_name(value)}")
        out = {}
        for k, v in value.items():
            if not isinstance(v, (str, int, float)) or isinstance(v, bool) or not str(k).strip():
                ctx.problem(path + (k,), "must map a written form to a spoken form (text)")
                continue
            out[str(k)] = str(v)
        return out


class Schema(Option):
    """A mapping with declared keys."""

    def __init__(self, fields: dict[str, Option], default: Any = None, doc: str = ""):
        super().__init__(default if default is not None else {}, doc)
        self.fields = fields

    def validate(self, value: Any, path: tuple, ctx: Context) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Invalid(f"must be a mapping of keys ({', '.join(self.fields)}), not {_type_name(value)}")
        out: dict[str, Any] = {}
        for key in value:
            if key not in self.fields:
                hint = difflib.get_close_matches(str(key), list(self.fields), n=1)
                fix = f"did you mean {hint[0]!r}?" if hint else f"known keys: {', '.join(self.fields)}"
                ctx.problem(path + (key,), f"unknown key; {fix}", key_line=True)
        for key, option in self.fields.items():
            if key not in value or value[key] is None:
                if option.default is REQUIRED:
                    ctx.problem(path, f"missing required key {key!r}")
                    out[key] = None
                    continue
                raw = option.default
                if isinstance(option, Schema):
                    raw = option.validate({}, path + (key,), ctx)
                out[key] = raw
                continue
            out[key] = run(option, value[key], path + (key,), ctx)
        return out


class ListOf(Option):
    def __init__(self, item: Option, default: Any = REQUIRED, doc: str = "", *, non_empty: bool = True):
        super().__init__(default, doc)
        self.item, self.non_empty = item, non_empty

    def validate(self, value: Any, path: tuple, ctx: Context) -> list[Any]:
        if not isinstance(value, list):
            raise Invalid(f"must be a list (each item starting with '- '), not {_type_name(value)}")
        if self.non_empty and not value:
            raise Invalid("must not be empty; add at least one item")
        return [run(self.item, v, path + (i,), ctx) for i, v in enumerate(value)]


def run(option: Option, value: Any, path: tuple, ctx: Context) -> Any:
    """Validate one value, turning `Invalid` into a located problem (returns None then)."""
    try:
        return option.validate(value, path, ctx)
    except Invalid as exc:
        ctx.problem(path, str(exc))
        return None
