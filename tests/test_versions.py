"""Every output version reaches the episode digest: bump one and the episode renders again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audioessay import versions
from audioessay.episode import render
from audioessay.script import loader as script

SRC = Path(__file__).resolve().parent.parent / "src" / "audioessay"
SCRIPT = "title: t\nvoice: {engine: fake}\nsections:\n  - title: 하나\n    text: 첫 문장이다. 둘째 문장이다.\n"


@pytest.fixture
def rendered(fake_engine, write_script, cache):
    path = write_script(SCRIPT)
    first = render.render(script.load(path), cache=cache)
    assert not first.up_to_date
    assert render.render(script.load(path), cache=cache).up_to_date  # nothing changed yet
    return path


@pytest.mark.parametrize("name", versions._NAMES)
def test_bumping_a_version_renders_again(rendered, cache, monkeypatch, name):
    monkeypatch.setattr(versions, name, getattr(versions, name) + ".bumped")
    again = render.render(script.load(rendered), cache=cache)
    assert not again.up_to_date, f"bumping versions.{name} left the episode up to date"


def test_every_version_constant_is_an_output_version():
    """A *VERSION constant declared anywhere in the package must be one of versions.py's,
    or say in its comment that it changes no episode byte ("cache only")."""
    strays = []
    for path in SRC.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^([A-Z][A-Z_]*VERSION)\s*=", line)
            if m and path.name != "versions.py" and "cache only" not in line:
                strays.append(f"{path.relative_to(SRC)}: {m.group(1)}")
    assert not strays, f"declare these in audioessay/versions.py: {strays}"


def test_output_reads_the_current_values(monkeypatch):
    monkeypatch.setattr(versions, "MIX", "99")
    assert versions.output()["mix"] == "99"
