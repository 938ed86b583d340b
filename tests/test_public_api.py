"""The public API is small and deliberate: render, load_script, check and the error classes,
each the real object, loaded on first use so `import audioessay` stays cheap."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import audioessay
from audioessay import errors
from audioessay.publish import check as check_mod
from audioessay.episode import render as episode
from audioessay.script import loader

EXPECTED = {
    "render": episode.render,
    "load_script": loader.load,
    "check": check_mod.check,
}


def _error_classes() -> dict[str, type]:
    """Every error class audioessay.errors defines (a new one must be made public too)."""
    return {name: cls for name, cls in vars(errors).items()
            if inspect.isclass(cls) and issubclass(cls, errors.AudioessayError)
            and cls.__module__ == errors.__name__}


def test_all_lists_exactly_the_public_names():
    assert sorted(audioessay.__all__) == sorted([*EXPECTED, *_error_classes()])
    assert len(audioessay.__all__) == len(set(audioessay.__all__))


@pytest.mark.parametrize("name", sorted([*EXPECTED, *_error_classes()]))
def test_each_public_name_is_the_real_object(name):
    real = EXPECTED.get(name) or _error_classes()[name]
    assert getattr(audioessay, name) is real
    namespace: dict[str, object] = {}
    exec(f"from audioessay import {name}", namespace)
    assert namespace[name] is real


def test_render_is_the_function():
    assert "audioessay.episode.render" in sys.modules  # imported above: no package shadows the name
    assert callable(audioessay.render) and audioessay.render is episode.render
    assert inspect.signature(audioessay.render) == inspect.signature(episode.render)


def test_star_import_gives_the_public_names():
    namespace: dict[str, object] = {}
    exec("from audioessay import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(audioessay.__all__)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'audioessay' has no attribute 'renderer'"):
        getattr(audioessay, "renderer")
    assert "load_script" in dir(audioessay) and "__version__" in dir(audioessay)


def test_import_audioessay_loads_no_stage_and_no_numpy():
    code = ("import sys, audioessay\n"
            "print(sorted(m for m in sys.modules if m.startswith('audioessay')))\n"
            "print([m for m in ('numpy', 'pydub', 'mutagen', 'click', 'yaml') if m in sys.modules])\n"
            "print(audioessay.__version__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded, heavy, version = out.splitlines()
    assert loaded == "['audioessay', 'audioessay.versions']"
    assert heavy == "[]"
    assert version == audioessay.__version__


def test_first_use_loads_the_stage():
    code = ("import sys, audioessay\n"
            "f = audioessay.load_script\n"
            "print('audioessay.script.loader' in sys.modules, f.__module__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "audioessay.script.loader"]


def test_render_needs_only_a_script(fake_engine, write_script, tmp_path, monkeypatch):
    """The public render works with the script alone: the cache defaults to the user's."""
    monkeypatch.setenv("AUDIOESSAY_CACHE_DIR", str(tmp_path / "user-cache"))
    path = write_script("title: t\nvoice: {engine: fake}\nsections:\n  - title: 하나\n    text: 첫 문장이다.\n")
    result = audioessay.render(audioessay.load_script(path))
    assert result.output.is_file() and not result.up_to_date
    assert any((tmp_path / "user-cache").iterdir())  # the sentence went to the default cache
