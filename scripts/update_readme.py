"""Regenerate README.md's generated blocks: the script key table and the Layout section.

Run after adding, moving or renaming a module, or changing a setting:

    python scripts/update_readme.py

The key table comes from the declarations (audioessay.config.groups.readme_table). The layout
comes from the layers in .importlinter and each module's first docstring line, read with ast
(nothing is imported). tests/test_settings.py and tests/test_layout.py fail while README
and the code disagree, or while a module has no one-line summary or WHERE names a module
that is not there.
"""

from __future__ import annotations

import ast
import configparser
import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "audioessay"
SRC = ROOT / "src" / PACKAGE

KEYS = ("<!-- keys:start -->", "<!-- keys:end -->")
LAYOUT = ("<!-- layout:start -->", "<!-- layout:end -->")
MAX_SUMMARY = 100  # characters in a module's first docstring line

# Folders beside the package; every `name` in backticks must exist inside its folder.
FOLDERS = [
    ("scripts/", "the sample (`her.yaml`, `her.txt`, `show.yaml`), the benchmarks (`bench_*.py`), "
                 "the interrupt soak (`soak_interrupt.py`), the music and cover generators, `update_readme.py`"),
    ("audio/", "the bundled music beds (made by `../scripts/make_music.py`) and a cover"),
    ("tests/", "the pytest suite: `conftest.py` has the in-process fake engine, `fake_gtts.py` and "
               "`fake_edge.py` the local endpoints, `hostile/` the hostile inputs"),
    ("docs/", "`benchmarks.md`: every benchmark run and the machine"),
    (".ci/", "`run`: what CI runs (README's test command)"),
]

# The questions a newcomer asks, and where the answer is: (question, path from the repo root,
# a name defined at the top of that file, or ""). Every path and name is checked to exist.
WHERE = [
    ("What may I import from audioessay?", "src/audioessay/__init__.py", "__all__"),
    ("Where do the stages run, in order?", "src/audioessay/episode/render.py", "render"),
    ("Where is a script read and checked?", "src/audioessay/script/loader.py", "load"),
    ("Where is a script setting declared (default, range, doc)?", "src/audioessay/config/groups.py", ""),
    ("How does a declaration reach validation, the digest and the key table?",
     "src/audioessay/config/settings.py", "setting"),
    ("Where does an engine register?", "src/audioessay/config/engines.py", "register"),
    ("What must an engine implement?", "src/audioessay/speech/engines/base.py", "Engine"),
    ("Where are the Korean text rules?", "src/audioessay/text/normalize.py", "STEPS"),
    ("Where is text split into sentences and engine-sized pieces?", "src/audioessay/text/split.py", "pieces"),
    ("Where is espeak's respelling (표준 발음법)?", "src/audioessay/text/pronounce.py", "pronounce"),
    ("Where is the cache key made?", "src/audioessay/speech/cache.py", "cache_key"),
    ("Where is the up-to-date digest?", "src/audioessay/speech/plan.py", "episode_digest"),
    ("Which version do I bump when a stage makes different bytes?", "src/audioessay/versions.py", ""),
    ("Where is the Timeline (who speaks what, when)?", "src/audioessay/mix/timeline.py", "Timeline"),
    ("Where is the voice chain?", "src/audioessay/mix/voicechain.py", "process"),
    ("Where is ducking?", "src/audioessay/mix/ducking.py", "Levels"),
    ("Where is loudness measured (BS.1770)?", "src/audioessay/dsp/meter.py", "LoudnessMeter"),
    ("Where is the true-peak limiter?", "src/audioessay/dsp/limiter.py", ""),
    ("Where is the mastering gain chosen and corrected?", "src/audioessay/master/gain.py", "correction"),
    ("Where is pass 2 closed on the file (encode, measure, encode again)?", "src/audioessay/episode/pass2.py", "run"),
    ("What does an edit re-render, and what comes from the cache?", "src/audioessay/episode/parts.py", "Store"),
    ("Where are the delivery presets (podcast, audiobook)?", "src/audioessay/config/presets.py", "PRESETS"),
    ("Where are the TXXX tag names?", "src/audioessay/export/tags.py", ""),
    ("Where are retries, backoff and the deadline of online engines?", "src/audioessay/speech/engines/retry.py", "run"),
    ("Where is the MP3 encoded?", "src/audioessay/export/mp3.py", "encode_stream"),
    ("Where are the ID3 tags and chapters written?", "src/audioessay/export/id3.py", "write_tags"),
    ("Where are the transcripts and chapters files made?", "src/audioessay/export/sidecars.py",
     "write_sidecars"),
    ("Where are outputs written atomically?", "src/audioessay/util/fsutil.py", "atomic_group"),
    ("Where is ffmpeg found and run?", "src/audioessay/util/ffmpeg.py", "ffmpeg_path"),
    ("Where is the feed built?", "src/audioessay/publish/feed.py", "build_feed"),
    ("What does `audioessay check` measure?", "src/audioessay/publish/check.py", "check"),
    ("Which errors are there, with which exit codes?", "src/audioessay/errors.py", ""),
    ("Where is something printed?", "src/audioessay/cli/app.py", ""),
    ("Where are the import layers declared?", ".importlinter", ""),
    ("Where is the fake engine the tests use?", "tests/conftest.py", "FakeEngine"),
]


@dataclass(frozen=True)
class Module:
    name: str  # dotted: audioessay.mix.timeline
    path: Path  # the .py file (a package's __init__.py)
    package: bool

    @property
    def shown(self) -> str:
        """The name README shows: the path inside the top package, packages ending in /."""
        rel = "/".join(self.name.split(".")[1:])
        return f"{rel}/" if self.package else f"{rel}.py"


def _docstring(path: Path) -> str | None:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")), clean=False)


def summary(path: Path) -> str | None:
    """The first line of the module's docstring, stripped; None when it has no docstring."""
    doc = _docstring(path)
    if doc is None:
        return None
    return doc.strip("\n").split("\n", 1)[0].strip()


def summary_problems(src: Path = SRC) -> list[str]:
    """Every module whose first docstring line cannot stand alone in README's layout."""
    problems = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src.parent.parent).as_posix()
        doc = _docstring(path)
        if doc is None:
            problems.append(f"{rel}: no docstring; its first line should say the module's job")
            continue
        lines = doc.strip("\n").split("\n")
        first = lines[0].strip()
        if not first:
            problems.append(f"{rel}: the docstring's first line is empty")
        elif len(first) > MAX_SUMMARY:
            problems.append(f"{rel}: the first line has {len(first)} characters (at most {MAX_SUMMARY})")
        elif len(lines) > 1 and lines[1].strip():
            problems.append(f"{rel}: the first line goes on in the next one; make it one sentence "
                            "followed by a blank line")
    return problems


def where_problems(rows: list[tuple[str, str, str]] = WHERE, root: Path = ROOT) -> list[str]:
    """Every WHERE row whose file, or the name in it, does not exist."""
    problems = []
    for question, rel, name in rows:
        path = root / rel
        if not path.is_file():
            problems.append(f"WHERE {question!r}: {rel} does not exist")
        elif name and name not in _top_level_names(path):
            problems.append(f"WHERE {question!r}: {rel} defines no {name}")
    return problems


def folder_problems(folders: list[tuple[str, str]] = FOLDERS, root: Path = ROOT) -> list[str]:
    """Every FOLDERS row whose folder, or a file it names in backticks, does not exist."""
    problems = []
    for folder, text in folders:
        if not (root / folder).is_dir():
            problems.append(f"FOLDERS: {folder} does not exist")
        for name in re.findall(r"`([^`]+)`", text):
            if not list((root / folder).glob(name)):
                problems.append(f"FOLDERS: {folder}{name} does not exist")
    return problems


def layers(config: Path = ROOT / ".importlinter") -> list[list[str]]:
    """The layers of .importlinter's layers contract, lowest first; each a list of siblings."""
    parser = configparser.ConfigParser()
    parser.read(config, encoding="utf-8")
    for section in parser.sections():
        if parser[section].get("type") == "layers":
            rows = [line.strip() for line in parser[section]["layers"].splitlines() if line.strip()]
            return [[name.strip() for name in re.split(r"[|:]", row)] for row in reversed(rows)]
    raise ValueError(f"{config} has no layers contract")


def children(package: Path, name: str) -> list[Module]:
    """The modules and packages directly inside the package `name` at `package`."""
    found = []
    for path in sorted(package.iterdir()):
        if path.is_dir() and (path / "__init__.py").is_file():
            found.append(Module(f"{name}.{path.name}", path / "__init__.py", True))
        elif path.suffix == ".py" and path.name != "__init__.py":
            found.append(Module(f"{name}.{path.stem}", path, False))
    return found


@functools.cache
def imported_names(module: Module) -> frozenset[str]:
    """Every dotted name the module imports, anywhere in it (functions included)."""
    base = module.name if module.package else module.name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base.split(".")
                start = ".".join(parts[: len(parts) - node.level + 1])
                source = f"{start}.{node.module}" if node.module else start
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return frozenset(names)


def _files(module: Module) -> list[Module]:
    """The module itself, or every module inside the package."""
    if not module.package:
        return [module]
    found = []
    for path in sorted(module.path.parent.rglob("*.py")):
        parts = (module.name, *path.relative_to(module.path.parent).with_suffix("").parts)
        package = path.name == "__init__.py"
        found.append(Module(".".join(parts[:-1] if package else parts), path, package))
    return found


def _depends(module: Module, other: Module) -> bool:
    """Whether `module` (anything in it, for a package) imports `other` or a module inside it."""
    return any(n == other.name or n.startswith(other.name + ".")
               for inner in _files(module) for n in imported_names(inner))


def lowest_first(modules: list[Module]) -> list[Module]:
    """Siblings in import order: a module after every sibling it imports (ties by name; a cycle,
    which lint-imports reports, is broken at the first name)."""
    needs = {m: {o for o in modules if o != m and _depends(m, o)} for m in modules}
    ordered: list[Module] = []
    while needs:
        ready = sorted((m for m, deps in needs.items() if not deps), key=lambda m: m.name)
        step = ready[0] if ready else min(needs, key=lambda m: m.name)
        ordered.append(step)
        del needs[step]
        for deps in needs.values():
            deps.discard(step)
    return ordered


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a | would end the table cell


def _rows(module: Module) -> list[str]:
    line = _cell(summary(module.path) or "(no docstring)")
    if not module.package:
        return [f"| `{module.shown}` | {line} |"]
    rows = [f"| **`{module.shown}`** | {line} |"]
    for child in lowest_first(children(module.path.parent, module.name)):
        rows += _rows(child)
    return rows


def layout_block(src: Path = SRC, config: Path = ROOT / ".importlinter") -> str:
    """README's Layout section between the layout markers, as this code makes it."""
    order = layers(config)
    known = {name for layer in order for name in layer} | {"__main__"}
    top = {m.name.rpartition(".")[2]: m for m in children(src, src.name)}
    unknown = sorted(set(top) - known)
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: in no layer of .importlinter; add it there")
    missing = sorted(known - set(top) - {"__main__"})
    if missing:
        raise ValueError(f"{', '.join(missing)}: in a layer of .importlinter but not in {src}")
    layer_text = " → ".join(", ".join(f"`{name}`" for name in layer) for layer in order)
    lines = [
        "<!-- Made by scripts/update_readme.py from .importlinter and each module's first line. -->",
        "",
        "A module imports only from its own layer or a lower one, packages that share a layer never",
        "import each other, and no package has an import cycle inside it (`.importlinter` declares",
        "it; `lint-imports`, in the test command, checks it). The layers, lowest first:",
        "",
        f"{layer_text}",
        "",
        f"| `src/{src.name}/` | its job |",
        "|---|---|",
        f"| `__init__.py` | {_cell(summary(src / '__init__.py') or '(no docstring)')} |",
    ]
    for layer in order:
        for name in layer:
            lines += _rows(top[name])
    if "__main__" in top:
        lines += _rows(top["__main__"])
    lines += ["", "| folder | what is in it |", "|---|---|"]
    lines += [f"| `{folder}` | {text} |" for folder, text in FOLDERS]
    lines += ["", "### Where things live", "", "| question | where |", "|---|---|"]
    for question, rel, name in WHERE:
        shown = rel.removeprefix("src/audioessay/")
        lines.append(f"| {question} | `{shown}`" + (f" (`{name}`)" if name else "") + " |")
    return "\n".join(lines) + "\n"


def _top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def replace_block(text: str, markers: tuple[str, str], body: str) -> str:
    """`text` with what lies between the two markers (on lines of their own) replaced by `body`."""
    start, end = markers
    if start not in text or end not in text:
        raise ValueError(f"README.md has no {start} ... {end} block")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}{end}{tail}"


def block(text: str, markers: tuple[str, str]) -> str:
    """What lies between the two markers in `text` (as replace_block writes it)."""
    start, end = markers
    return text.split(start + "\n", 1)[1].split(end, 1)[0]


def main(readme: Path = ROOT / "README.md") -> int:
    from audioessay.config.groups import readme_table

    text = readme.read_text(encoding="utf-8")
    try:
        new = replace_block(text, KEYS, readme_table())
        new = replace_block(new, LAYOUT, layout_block())
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    if new != text:
        readme.write_text(new, encoding="utf-8")
    problems = summary_problems() + where_problems() + folder_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
