"""Settings groups: every script setting declared once, as a field of a frozen dataclass.

A field's declaration (`setting(Option(...))`) carries its default, range and doc
through the Option. Everything else derives from it:

- validation: `schema(Group)` builds the Schema that checks a script's mapping;
- defaults: the dataclass defaults come from the Option;
- the up-to-date digest: `digest_material(group)` walks every field that
  `affects` the output (a field that does not says why, in `why`);
- the README key table: `key_table()` (tests keep README in step with it).

Adding a key to a group is one line here (plus its use): nothing else lists keys.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from audioessay.config.options import REQUIRED, Option, Schema, number_text


def setting(option: Option, *, affects: bool = True, why: str = "") -> Any:
    """Declare one field. `affects=False` needs `why`: the reason it may stay out of the digest."""
    if not affects and not why:
        raise ValueError("a setting that does not affect the output must say why")
    default = None if option.default is REQUIRED else option.default
    if isinstance(default, (dict, list)):
        return dataclasses.field(default_factory=lambda: type(default)(default),
                                 metadata={"option": option, "affects": affects, "why": why})
    return dataclasses.field(default=default, metadata={"option": option, "affects": affects, "why": why})


@dataclasses.dataclass(frozen=True)
class Group:
    """Base of every settings group. `key` is where the group sits in a script
    ("" for keys at the top level of the script)."""

    key: ClassVar[str] = ""
    doc: ClassVar[str] = ""

    @classmethod
    def declared(cls) -> Iterator[tuple[str, Option, dataclasses.Field]]:
        for f in dataclasses.fields(cls):
            if "option" in f.metadata:
                yield f.name, f.metadata["option"], f

    @classmethod
    def schema_fields(cls) -> dict[str, Option]:
        return {name: option for name, option, _ in cls.declared()}

    @classmethod
    def schema(cls, **extra: Option) -> Schema:
        return Schema({**cls.schema_fields(), **extra}, doc=cls.doc)

    @classmethod
    def from_values(cls, values: dict[str, Any], **more: Any):
        """The group from a validated mapping (unknown keys ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in {**values, **more}.items() if k in names})


def affecting(group: Group) -> Iterator[tuple[str, Any]]:
    """(name, value) of every declared field that affects the output."""
    for name, _option, f in type(group).declared():
        if f.metadata["affects"]:
            yield name, getattr(group, name)


def digest_material(value: Any) -> Any:
    """A JSON-able picture of `value` for the digest: groups by their affecting fields,
    files by their content hash."""
    if isinstance(value, Group):
        return {f"{type(value).__name__}.{name}": digest_material(v) for name, v in affecting(value)}
    if isinstance(value, Path):
        return file_hash(value)
    if isinstance(value, (tuple, list)):
        return [digest_material(v) for v in value]
    if isinstance(value, dict):
        return {str(k): digest_material(v) for k, v in value.items()}
    if isinstance(value, float):
        return repr(value)
    return value


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return f"unreadable:{path}"
    return h.hexdigest()


def _default_text(option: Option) -> str:
    if option.default is REQUIRED:
        return "required"
    if option.default is None:
        return ""
    if isinstance(option.default, bool):
        return "true" if option.default else "false"
    if option.default == {}:
        return ""
    if isinstance(option.default, float) and option.default.is_integer():
        return number_text(option.default)
    return f"{option.default}"


def _range_text(option: Option) -> str:
    choices = getattr(option, "choices", None)
    if choices:
        return ", ".join(map(str, choices))
    lo, hi = getattr(option, "minimum", None), getattr(option, "maximum", None)
    unit = getattr(option, "unit", "")
    if lo is not None and hi is not None:
        return f"{number_text(lo)} to {number_text(hi)} {unit}".strip()
    if lo is not None:
        return f"at least {number_text(lo)} {unit}".strip()
    return ""


def key_table(groups: list[type[Group]], aliases: dict[str, str] | None = None) -> str:
    """The README's table of script keys, made from the declarations. `aliases` maps a
    key to an older spelling that still works."""
    aliases = aliases or {}
    rows = ["| key | default | range | what it does |", "|---|---|---|---|"]
    for group in groups:
        prefix = f"{group.key}." if group.key else ""
        for name, option, _f in group.declared():
            key = f"{prefix}{name}"
            default, rng = _default_text(option), _range_text(option)
            also = f" (also `{aliases[key]}`)" if key in aliases else ""
            rows.append(f"| `{key}`{also} | {f'`{default}`' if default else ''} | {rng} | {option.doc} |")
    return "\n".join(rows) + "\n"
