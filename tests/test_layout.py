"""README's Layout section is made from the code (scripts/update_readme.py): it fails when the
section is stale, when a module has no one-line summary, or when "where things live" names a
file or a name that is not there."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "audioessay"


def _load_generator():
    spec = importlib.util.spec_from_file_location("update_readme", ROOT / "scripts" / "update_readme.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["update_readme"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def test_readme_layout_is_generated_from_the_modules():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert gen.block(readme, gen.LAYOUT) == gen.layout_block(), "run: python scripts/update_readme.py"


def test_every_module_has_a_one_line_summary():
    problems = gen.summary_problems()
    assert problems == [], "\n".join(problems)


def test_where_things_live_names_real_files_and_names():
    problems = gen.where_problems() + gen.folder_problems()
    assert problems == [], "\n".join(problems)


def test_the_layout_lists_every_module_once():
    block = gen.layout_block().split("| folder |")[0]
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.endswith("/__init__.py"):
            rel = rel.removesuffix("__init__.py")
        assert block.count(f"`{rel}`") == 1, rel


def test_the_layout_follows_the_layers_lowest_first():
    block = gen.layout_block()
    order = [name for layer in gen.layers() for name in layer]
    rows = [f"| **`{name}/`**" if (SRC / name).is_dir() else f"| `{name}.py`" for name in order]
    at = [block.index(row) for row in rows]
    assert at == sorted(at)
    assert order.index("util") < order.index("script") < order.index("speech") < order.index("cli")


def test_modules_of_a_package_come_after_the_siblings_they_import(tmp_path):
    pkg = _package(tmp_path, {
        "__init__.py": '"""Top."""\n',
        "a.py": '"""Uses b and c."""\nfrom top import b\nfrom .c import x\n',
        "b.py": '"""Uses c, inside a function."""\ndef f():\n    from top.c import x\n',
        "c.py": '"""Uses nothing."""\n',
    })
    found = gen.lowest_first(gen.children(pkg, "top"))
    assert [m.name for m in found] == ["top.c", "top.b", "top.a"]


def test_summary_check_finds_each_fault(tmp_path):
    pkg = _package(tmp_path, {
        "__init__.py": '"""A package that says its job."""\n',
        "none.py": "x = 1\n",
        "empty.py": '"""\n   \nThe job, too late."""\n',
        "long.py": '"""' + "a" * (gen.MAX_SUMMARY + 1) + '"""\n',
        "goes_on.py": '"""The job, said over\ntwo lines."""\n',
        "good.py": '"""The job.\n\nMore about it."""\n',
    })
    problems = gen.summary_problems(pkg)
    assert len(problems) == 4, problems
    for name, why in [("none.py", "no docstring"), ("empty.py", "empty"),
                      ("long.py", "characters"), ("goes_on.py", "next one")]:
        assert any(p.startswith(f"src/top/{name}: ") and why in p for p in problems), (name, problems)


def test_where_check_finds_a_missing_file_and_a_missing_name(tmp_path):
    problems = gen.where_problems([
        ("Where is nothing?", "src/audioessay/nothing_here.py", ""),
        ("Where is a name that is not there?", "src/audioessay/errors.py", "NoSuchError"),
        ("Where are the errors?", "src/audioessay/errors.py", "InputError"),
    ])
    assert len(problems) == 2, problems
    assert "nothing_here.py does not exist" in problems[0]
    assert "defines no NoSuchError" in problems[1]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "here.md").write_text("", encoding="utf-8")
    assert gen.folder_problems([("docs/", "`here.md`, `gone.md`"), ("nowhere/", "")], tmp_path) == [
        "FOLDERS: docs/gone.md does not exist", "FOLDERS: nowhere/ does not exist"]


def test_a_module_in_no_layer_is_refused(tmp_path):
    pkg = _package(tmp_path, {"__init__.py": '"""Top."""\n', "stray.py": '"""Stray."""\n'})
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    with pytest.raises(ValueError, match="stray: in no layer of .importlinter"):
        gen.layout_block(pkg, tmp_path / ".importlinter")


def test_update_readme_is_idempotent_and_replaces_a_stale_section(tmp_path, capsys):
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    readme.write_text(gen.replace_block(text, gen.LAYOUT, "stale\n"), encoding="utf-8")
    gen.main(readme)
    once = readme.read_text(encoding="utf-8")
    gen.main(readme)
    assert readme.read_text(encoding="utf-8") == once
    assert gen.block(once, gen.LAYOUT) == gen.layout_block()
    assert "stale" not in gen.block(once, gen.LAYOUT)
    assert once.split(gen.LAYOUT[1])[1] == text.split(gen.LAYOUT[1])[1]  # the rest kept


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / "src" / "top"
    pkg.mkdir(parents=True)
    for name, body in files.items():
        (pkg / name).write_text(body, encoding="utf-8")
    return pkg
