"""The command line: help everywhere, the text inspector, cache upkeep, check and feed."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from audioessay.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def all_commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, prefix + (name,))


def test_every_command_has_help():
    for path, cmd in all_commands(cli):
        assert cmd.help and cmd.help.strip(), f"{' '.join(path)} has no help text"
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def test_text_shows_spoken_forms_of_the_sample():
    result = CliRunner().invoke(cli, ["text", str(ROOT / "scripts" / "her.yaml"), "--changed"])
    assert result.exit_code == 0, result.output
    out = result.output
    for written, spoken in [("2025년 5월", "이천이십오 년 오월"), ("3번째", "세 번째"), ("제86회", "제 팔십육 회"),
                            ("2013년", "이천십삼 년"), ("SF", "에스에프"), ("CGV에서", "씨지브이에서"),
                            ("AI 시대", "에이아이 시대"), ("〈HER〉은", "허은"), ("25년 현재", "이십오 년 현재")]:
        assert written in out and spoken in out, (written, spoken)
    # every changed sentence is marked, and no digit, Latin letter or bracket survives into speech
    spoken_lines = [line for line in out.splitlines() if line.strip().startswith("->")]
    assert spoken_lines and all(not re.search(r"[0-9A-Za-z〈〉‘’\"]", line) for line in spoken_lines)


def test_text_without_changed_lists_every_sentence():
    result = CliRunner().invoke(cli, ["text", str(ROOT / "scripts" / "her.yaml")])
    marked = [line for line in result.output.splitlines() if line.startswith(("* ", "  ["))]
    assert len(marked) == 49  # 3 headings + 46 sentences


def test_text_bad_script_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: t\n", encoding="utf-8")
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "audioessay", "text", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr == f"error: {bad}:1: missing required key 'sections'\n"


def test_cache_info_clear_prune(tmp_path):
    from audioessay.speech.cache import Cache
    from pydub import AudioSegment

    cache = Cache(tmp_path)
    cache.put("a" * 64, AudioSegment.silent(100, frame_rate=22050))
    cache.put("b" * 64, AudioSegment.silent(100, frame_rate=22050))
    runner = CliRunner()
    info = runner.invoke(cli, ["cache", "info", "--cache-dir", str(tmp_path)])
    assert info.exit_code == 0 and "2 entries" in info.output
    prune = runner.invoke(cli, ["cache", "prune", "--older-than", "30d", "--cache-dir", str(tmp_path)])
    assert prune.exit_code == 0 and "removed 0 entries" in prune.output
    bad = runner.invoke(cli, ["cache", "prune", "--older-than", "soon", "--cache-dir", str(tmp_path)])
    assert bad.exit_code == 2 and "--older-than" in bad.output
    clear = runner.invoke(cli, ["cache", "clear", "--cache-dir", str(tmp_path)])
    assert clear.exit_code == 0 and "removed 2 entries" in clear.output
    assert Cache(tmp_path).info().entries == 0


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A small rendered episode with cover and chapters, beside a show file."""
    import os
    import subprocess
    import sys

    work = tmp_path_factory.mktemp("pub")
    shutil.copy(ROOT / "audio" / "cover.jpg", work / "cover.jpg")
    (work / "ep1.yaml").write_text(
        "title: 첫 회\nauthor: 나\nshow: 쇼\ncover: cover.jpg\nvoice: {engine: espeak}\nsections:\n"
        "  - title: 하나\n    text: 첫 문장이다. 둘째 문장이다.\n  - title: 둘\n    text: 셋째 문장이다.\n",
        encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "audioessay", "render", str(work / "ep1.yaml")],
                          capture_output=True, text=True, env={**os.environ, "AUDIOESSAY_CACHE_DIR": str(work / "c")})
    assert proc.returncode == 0, proc.stderr
    shutil.copy(ROOT / "scripts" / "show.yaml", work / "show.yaml")
    return work


def test_check_passes_on_rendered_episode(rendered):
    result = CliRunner().invoke(cli, ["check", str(rendered / "ep1.mp3")])
    assert result.exit_code == 0, result.output
    assert "fail" not in result.output and "chapters" in result.output


def test_check_fails_on_quiet_untagged_mp3(tmp_path):
    from audioessay.util import ffmpeg

    quiet = tmp_path / "quiet.mp3"
    ffmpeg.run(["-f", "lavfi", "-i", "sine=f=440:d=5", "-af", "volume=-40dB", "-ac", "1", "-ar", "44100",
                "-b:a", "96k", "-y", str(quiet)])
    result = CliRunner().invoke(cli, ["check", str(quiet)])
    assert result.exit_code == 1
    assert re.search(r"loudness .*fail", result.output) and re.search(r"tags .*fail", result.output)


def test_feed_for_rendered_episode(rendered):
    result = CliRunner().invoke(cli, ["feed", str(rendered / "show.yaml")])
    assert result.exit_code == 0, result.output
    root = ET.parse(rendered / "feed.xml").getroot()
    item = root.find("channel/item")
    enclosure = item.find("enclosure")
    assert enclosure.get("type") == "audio/mpeg"
    assert int(enclosure.get("length")) == (rendered / "ep1.mp3").stat().st_size
    assert item.find("title").text == "첫 회"
    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
    assert item.find("podcast:transcript", ns) is not None and item.find("podcast:chapters", ns) is not None
