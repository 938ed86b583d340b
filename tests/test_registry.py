"""Engines are found through the `audioessay.engines` entry points, built-in ones included."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

from audioessay.config import engines

BUILT_IN = {"edge", "espeak", "gtts"}


def test_the_built_in_engines_are_entry_points():
    found = {ep.name: ep.value for ep in entry_points(group=engines.GROUP)}
    assert BUILT_IN <= set(found)
    for name in BUILT_IN:
        assert found[name] == f"audioessay.speech.engines.{name}:SPEC"
        assert engines.spec(name).name == name


def _run(code: str, path: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin"}, timeout=60)


def _package(tmp_path, module: str, entry: str) -> str:
    """A separately installed engine package: its module and its dist-info with the entry point."""
    (tmp_path / "demo_engine.py").write_text(module, encoding="utf-8")
    info = tmp_path / "demo_engine-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-engine\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[audioessay.engines]\n{entry}\n", encoding="utf-8")
    return str(tmp_path)


DEMO = '''
import dataclasses
from audioessay.config.engines import EngineSpec
from audioessay.config.settings import Group

@dataclasses.dataclass(frozen=True)
class DemoVoice(Group):
    key = "voice.demo"

SPEC = EngineSpec(name="demo", doc="a demo engine from another package", settings=DemoVoice,
                  create=lambda voice, group: None, max_chars=50)
'''


def test_an_engine_from_another_package_registers_itself(tmp_path):
    path = _package(tmp_path, DEMO, "demo = demo_engine:SPEC")
    proc = _run("""
        from audioessay.config import engines
        from audioessay.config.groups import readme_table
        print(engines.names(), engines.spec("demo").max_chars)
        print("voice.demo" in readme_table() or "no group keys")
    """, path)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert "'demo'" in first and "'espeak'" in first and first.endswith(" 50")


def test_an_entry_point_that_is_not_an_engine_is_named(tmp_path):
    path = _package(tmp_path, "SPEC = 42\n", "demo = demo_engine:SPEC")
    proc = _run("from audioessay.config import engines\nengines.names()", path)
    assert proc.returncode != 0
    assert "demo = demo_engine:SPEC" in proc.stderr and "not the EngineSpec" in proc.stderr
