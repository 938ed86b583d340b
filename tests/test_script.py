"""Loading scripts: the sample loads; each class of bad input names file:line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from audioessay.script import loader as script
from audioessay.errors import InputError

SAMPLE = Path(__file__).resolve().parent.parent / "scripts" / "her.yaml"

GOOD = """\
title: 제목
sections:
  - title: 첫째
    text: 안녕하세요.
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        script.load(path)
    assert info.value.exit_code == 2
    return [str(p) for p in info.value.problems]


def test_sample_loads_three_sections():
    s = script.load(SAMPLE)
    assert [sec.title for sec in s.sections] == [
        "디지털 시대의 외로움, 새로운 사랑의 형태",
        "인공지능과 감정, 무엇이 진짜인가?",
        "관계의 회복과 인간다움에 대한 사색",
    ]
    assert s.output == SAMPLE.with_suffix(".mp3")
    assert s.voice.engine == "auto" and s.audio.sample_rate == 44100 and s.audio.channels == 1 and s.audio.bitrate == 96


def test_defaults(tmp_path):
    s = script.load(write(tmp_path, GOOD))
    assert s.pauses.sentence == 400 and s.pauses.section == 1800
    assert s.tags.show == "제목" and s.tags.language == "ko" and s.reading.normalize is True
    assert s.output == tmp_path / "s.mp3"


def test_file_section_relative_to_script(tmp_path):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "3.txt").write_text("셋째 부분입니다.\n", encoding="utf-8")
    s = script.load(write(tmp_path, "title: t\nsections:\n  - title: a\n    file: parts/3.txt\n"))
    assert s.sections[0].text == "셋째 부분입니다."


def test_tab_indentation(tmp_path):
    [msg] = problems(tmp_path, "title: t\nsections:\n\t- title: a\n")
    assert msg.startswith(f"{tmp_path / 's.yaml'}:3:") and "tabs" in msg


def test_unclosed_quote(tmp_path):
    [msg] = problems(tmp_path, 'title: "t\nsections:\n  - title: a\n    text: b\n')
    assert msg.startswith(f"{tmp_path / 's.yaml'}:") and "YAML syntax error" in msg
    assert "a quote is not closed; close it or remove it" in msg


@pytest.mark.parametrize("text, what", [("- a\n- b\n", "list"), ("just words\n", "str"), ("", "empty")])
def test_top_level_not_mapping(tmp_path, text, what):
    [msg] = problems(tmp_path, text)
    assert what in msg and "mapping" in msg


def test_missing_sections(tmp_path):
    [msg] = problems(tmp_path, "title: t\n")
    assert ":1:" in msg and "missing required key 'sections'" in msg


def test_empty_sections(tmp_path):
    [msg] = problems(tmp_path, "title: t\nsections: []\n")
    assert ":2: sections: must not be empty" in msg


def test_neither_and_both_text_file(tmp_path):
    msgs = problems(tmp_path, "title: t\nsections:\n  - title: a\n  - title: b\n    text: x\n    file: y.txt\n")
    assert any(":3: sections[0]: has no text; add text: or file:" in m for m in msgs)
    assert any(":4: sections[1]: give exactly one of text: or file:" in m for m in msgs)


def test_missing_file_and_directory(tmp_path):
    (tmp_path / "dir").mkdir()
    msgs = problems(tmp_path, "title: t\nsections:\n  - title: a\n    file: nope.txt\n"
                              "  - title: b\n    file: dir\n")
    assert any(":4: sections[0].file: file not found" in m and "relative to the script" in m for m in msgs)
    assert any(":6: sections[1].file:" in m and "is a directory" in m for m in msgs)


def test_unreadable_file(tmp_path):
    """A socket node is not a text file (refused up front: a FIFO or device could hang or never end)."""
    import socket

    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "part.txt"))
    try:
        msgs = problems(tmp_path, "title: t\nsections:\n  - title: a\n    file: part.txt\n")
    finally:
        sock.close()
    assert len(msgs) == 1 and ":4: sections[0].file:" in msgs[0] and "is a socket, not a regular file" in msgs[0]


def test_not_utf8_file(tmp_path):
    (tmp_path / "euckr.txt").write_bytes("안녕하세요".encode("euc-kr"))
    [msg] = problems(tmp_path, "title: t\nsections:\n  - title: a\n    file: euckr.txt\n")
    assert ":4: sections[0].file:" in msg and "not UTF-8" in msg and "save it as UTF-8" in msg


def test_control_character_in_a_section_file(tmp_path):
    (tmp_path / "part.txt").write_text("첫 줄.\n둘\x07째 줄.\n", encoding="utf-8")
    [msg] = problems(tmp_path, "title: t\nsections:\n  - title: a\n    file: part.txt\n")
    assert msg == (f"{tmp_path / 's.yaml'}:4: sections[0].file: {tmp_path / 'part.txt'}: "
                   "control character U+0007 at line 2, column 2; remove it")


def test_not_utf8_script(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_bytes("title: 제목\n".encode("euc-kr"))
    with pytest.raises(InputError) as info:
        script.load(p)
    assert "s.yaml:1:" in str(info.value) and "UTF-8" in str(info.value)


def test_wrong_types_and_ranges_all_reported(tmp_path):
    msgs = problems(tmp_path, GOOD + "voice:\n  speed: fast\n  engine: gooogle\npauses:\n  sentence: -5\n")
    joined = "\n".join(msgs)
    assert ":6: voice.speed: must be a number (from 0.5 to 2), not 'fast'" in joined
    from audioessay.config.engines import registered
    assert f":7: voice.engine: 'gooogle' is not one of {', '.join(['auto', *sorted(registered())])}" in joined
    assert ":9: pauses.sentence: -5 is out of range (from 0 to 20000 ms)" in joined
    assert len(msgs) == 3


def test_unknown_key_did_you_mean(tmp_path):
    msgs = problems(tmp_path, "titel: t\nsections:\n  - title: a\n    txt: b\n")
    joined = "\n".join(msgs)
    assert ":1: titel: unknown key; did you mean 'title'?" in joined
    assert ":4: sections[0].txt: unknown key; did you mean 'text'?" in joined


def test_python_tag_rejected(tmp_path):
    msgs = problems(tmp_path, GOOD + "author: !!python/object:os.system {}\n")
    assert any(":5: author: tag !!python/object:os.system is not allowed" in m for m in msgs)


def test_blank_text(tmp_path):
    [msg] = problems(tmp_path, "title: t\nsections:\n  - title: a\n    text: '   '\n")
    assert ":4: sections[0].text: must not be empty" in msg


def test_empty_file_text(tmp_path):
    (tmp_path / "e.txt").write_text("\n  \n", encoding="utf-8")
    [msg] = problems(tmp_path, "title: t\nsections:\n  - title: a\n    file: e.txt\n")
    assert ":4: sections[0].file: must not be empty" in msg


def test_missing_music_and_intro_without_music(tmp_path):
    [msg] = problems(tmp_path, GOOD + "music: nope.ogg\nintro: 3000\n")
    assert ":5: music.file: music file not found" in msg
    [msg] = problems(tmp_path, GOOD + "intro: 3000\n")
    assert ":5: intro: an intro/outro needs music:" in msg


def test_duplicate_key(tmp_path):
    msgs = problems(tmp_path, GOOD + "title: again\n")
    assert any(":5: title: key appears twice" in m for m in msgs)


def test_missing_script(tmp_path):
    with pytest.raises(InputError) as info:
        script.load(tmp_path / "nope.yaml")
    assert "nope.yaml: script not found" in str(info.value)


SHOW = """\
title: 우리 방송
author: 방송인
description: d
base_url: https://example.com/
cover_url: https://example.com/c.jpg
episodes: ["*.mp3"]
defaults:
  voice: {engine: espeak, speed: 1.2}
  pauses: {sentence: 700}
  music: {file: beds/bed.ogg, duck: 9}
  intro: 2000
"""


def show_setup(tmp_path: Path, show: str = SHOW) -> Path:
    (tmp_path / "beds").mkdir()
    (tmp_path / "beds" / "bed.ogg").write_bytes((SAMPLE.parent.parent / "audio" / "ambient_pad.ogg").read_bytes())
    (tmp_path / "show.yaml").write_text(show, encoding="utf-8")
    (tmp_path / "ep").mkdir()
    return tmp_path / "ep"


def test_show_defaults_are_inherited_and_overridden(tmp_path):
    ep = show_setup(tmp_path)
    p = write(ep, "title: 회차\nshow: ../show.yaml\npauses: {paragraph: 1000}\nmusic: {volume: -30}\n"
                  "sections:\n  - title: a\n    text: 가.\n")
    s = script.load(p)
    assert s.voice.engine == "espeak" and s.voice.speed == 1.2  # inherited
    assert s.pauses.sentence == 700 and s.pauses.paragraph == 1000  # merged key by key
    assert s.music is not None and s.music.duck == 9 and s.music.volume == -30
    assert s.music.file.resolve() == (tmp_path / "beds" / "bed.ogg").resolve()  # relative to show.yaml
    assert s.layout.intro == 2000 and s.tags.author == "방송인" and s.tags.show == "우리 방송"


def test_show_file_beside_the_script_is_found(tmp_path):
    ep = show_setup(tmp_path)
    (ep / "show.yaml").write_text((tmp_path / "show.yaml").read_text(encoding="utf-8").replace("beds/", "../beds/"),
                                  encoding="utf-8")
    s = script.load(write(ep, "title: 회차\nvoice: {speed: 0.9}\nsections:\n  - title: a\n    text: 가.\n"))
    assert s.voice.engine == "espeak" and s.voice.speed == 0.9


def test_bad_show_defaults_are_reported_in_the_show_file(tmp_path):
    ep = show_setup(tmp_path, SHOW.replace("speed: 1.2", "speed: fast") + "  episode: 3\n")
    with pytest.raises(InputError) as info:
        script.load(write(ep, "title: 회차\nshow: ../show.yaml\nsections:\n  - title: a\n    text: 가.\n"))
    text = str(info.value)
    assert f"{tmp_path / 'show.yaml'}:8: defaults.voice.speed: must be a number" in text
    assert f"{tmp_path / 'show.yaml'}:12: defaults.episode: cannot be a show default" in text


def test_script_modules_import_one_way():
    """No two modules of script/ import each other (imports inside functions count), and
    only the loader is free to import the loader's neighbours: none imports the loader."""
    import ast

    import audioessay.script

    folder = Path(audioessay.script.__file__).parent
    names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    graph: dict[str, set[str]] = {}
    for name in names:
        found: set[str] = set()
        for node in ast.walk(ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            found |= {m.split(".")[2] for m in mods if m.startswith("audioessay.script.")} & names
        graph[name] = found - {name}
    assert not any("loader" in deps for deps in graph.values()), graph
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join(path + (name,))}"
        if name not in done:
            for dep in graph[name]:
                visit(dep, path + (name,))
            done.add(name)

    for name in sorted(names):
        visit(name, ())
