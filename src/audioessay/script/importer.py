"""An essay you already have (plain text or a Markdown post) -> a script (`audioessay init`).

`essay_to_script` turns the text into a script mapping (its structure read by
essay.py), `script_yaml` writes it as YAML, and `import_essay` is the two together:
what `audioessay init` saves.

Front matter: the keys that are script keys (title, author, date, description,
voice, music, ...; `summary`/`excerpt` become the description) are carried over;
the rest (tags, categories, ...) are dropped and named in the YAML's comment header.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from audioessay.script import essay, frontmatter
from audioessay.script.markdown import SUFFIXES
from audioessay.script.schema import script_keys


def essay_to_script(text: str, *, markdown: bool, filename: str = "essay.txt") -> dict:
    """Plain text or a Markdown post -> a script mapping (title, front-matter script keys,
    sections: [{title, text}]). `filename` names the file in messages and, when nothing
    else does, the episode."""
    mapping, _ = _essay_mapping(text, markdown=markdown, filename=filename)
    return mapping


def _essay_mapping(text: str, *, markdown: bool, filename: str) -> tuple[dict, list[str]]:
    meta, body, body_line = frontmatter.parse_front_matter(text, filename)
    meta = dict(meta or {})
    keys = script_keys()
    kept = {k: (frontmatter.date_value(v) if k == "date" else v) for k, v in meta.items()
            if k in keys and k != "sections" and v is not None}
    for alias in frontmatter.DESCRIPTION_ALIASES:
        if alias in meta and "description" not in kept:
            kept["description"] = meta.pop(alias)
    dropped = [str(k) for k in meta if k not in keys or k == "sections"]
    read = essay.structure(essay.read_lines(body, body_line, markdown), title=frontmatter.title(meta),
                           title_line=1, filename=filename)
    kept["title"] = read.title
    kept["sections"] = [{"title": s.title, "text": s.text} for s in read.sections]
    return kept, dropped


def _dump(key: str, value: Any) -> str:
    return yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=10_000).rstrip("\n")


def _block(text: str, indent: str) -> str:
    """Text as a YAML literal block scalar body, every line indented."""
    return "\n".join(indent + line if line else "" for line in text.split("\n"))


def script_yaml(mapping: dict, *, source: str | None = None, notes: tuple[str, ...] = ()) -> str:
    """A script mapping -> YAML text: keys in the README's order, section text as `|`
    blocks, and a comment header saying how it was made."""
    order = script_keys()
    made = f"# Made by `audioessay init` from {source}" if source else "# Made by `audioessay init`"
    head = [f"{made}: headings became sections, blank lines separate paragraphs.",
            "# Edit freely; `audioessay text` shows what will be spoken, `audioessay render` makes the MP3."]
    head += [f"# {note}" for note in notes]
    out = head
    keys = [k for k in order if k in mapping] + [k for k in mapping if k not in order]
    for key in keys:
        if key != "sections":
            out.append(_dump(key, mapping[key]))
            continue
        out.append("sections:")
        for sec in mapping["sections"]:
            out.append("  - " + _dump("title", sec["title"]))
            for k, v in sec.items():
                if k == "text":  # |2 when the first line is indented: YAML would take it as the margin
                    out.append("    text: |2" if v.strip("\n")[:1].isspace() else "    text: |")
                    out.append(_block(v.strip("\n"), "      "))
                elif k != "title":
                    out.append("\n".join("    " + ln for ln in _dump(k, v).split("\n")))
    return "\n".join(out) + "\n"


def import_essay(text: str, filename: str) -> str:
    """What `audioessay init ESSAY` writes: the script YAML for a .txt or .md essay."""
    markdown = Path(filename).suffix.lower() in SUFFIXES
    mapping, dropped = _essay_mapping(text, markdown=markdown, filename=filename)
    notes = (f"Not carried over from the front matter: {', '.join(dropped)}.",) if dropped else ()
    return script_yaml(mapping, source=Path(filename).name, notes=notes)
