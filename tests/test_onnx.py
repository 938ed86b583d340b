"""The onnx engine through the real runtimes (onnxruntime for Piper voices, sherpa-onnx for
VITS folders) with tiny models built here (onnx_models.py): lengths, rates, errors, cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import onnx_models as tiny
from audioessay.episode import render
from audioessay.errors import EngineError, InputError
from audioessay.script import loader as script
from audioessay.speech import engines
from audioessay.speech.cache import Cache
from audioessay.speech.engines import espeak, onnx_models
from audioessay.speech.engines.voices import usable_voices
from audioessay.speech.plan import make_plan
from audioessay.text.pronounce import pronounce
from audioessay.util import ffmpeg

SENTENCES = ["첫 문장이다.", "둘째 문장은 조금 더 길다."]
TITLE = "시험"
SCRIPT = """\
title: 시험
voice: {{engine: onnx, speed: {speed}, onnx: {{model: {model}}}}}
sections:
  - title: 하나
    text: {text}
"""


def symbols() -> str:
    return "".join(espeak.phonemes(pronounce(t)) for t in [TITLE, "하나", *SENTENCES])


def write(tmp_path: Path, model: str, speed: float = 1.0, name: str = "ep.yaml") -> Path:
    p = tmp_path / name
    p.write_text(SCRIPT.format(model=model, speed=speed, text=" ".join(SENTENCES)), encoding="utf-8")
    return p


def piper_ids(spoken: str) -> int:
    """How many ids a Piper voice gets for `spoken`: ^ _ (p _)* $."""
    return 2 * len(espeak.phonemes(pronounce(spoken))) + 3


def check_length(result, s, clip_ms) -> None:
    """The decoded MP3 is as long as the model's clips plus the script's pauses."""
    plan = make_plan(s)
    expected = sum(clip_ms(u.spoken) + u.pause_ms for u in plan.utterances)
    audio = ffmpeg.decode(str(result.output), 44100)
    assert abs(len(audio) / 44.1 - expected) < 80, (len(audio) / 44.1, expected)
    assert abs(result.duration_ms - expected) < 80
    assert abs(audio).max() > 0.05


def test_a_piper_voice_renders_through_onnxruntime_at_its_own_rate(tmp_path):
    tiny.piper_voice(tmp_path / "voice", symbols(), rate=22050)
    s = script.load(write(tmp_path, "voice"))
    engine = engines.create("onnx", s.voice, s.engine_settings)
    clip = engine.synthesize(SENTENCES[0])
    assert clip.frame_rate == 22050  # read from the .onnx.json, not assumed
    assert len(clip.get_array_of_samples()) == piper_ids(SENTENCES[0]) * tiny.HOP
    assert engine.version.startswith("onnxruntime-")
    result = render.render(s, cache=Cache(tmp_path / "c"))
    assert result.engine == "onnx" and result.synthesized == 3
    check_length(result, s, lambda spoken: piper_ids(spoken) * tiny.HOP / 22.05)


def test_a_render_loads_the_model_once_and_uses_every_worker(tmp_path):
    from audioessay.speech.engines import onnx as engine_module

    tiny.piper_voice(tmp_path / "voice", symbols(), seed=11)
    tiny.vits_voice(tmp_path / "kss", seed=12)
    for folder in ("voice", "kss"):
        s = script.load(write(tmp_path, folder, name=f"{folder}.yaml"))
        engine = engines.create("onnx", s.voice, s.engine_settings)
        assert engine.concurrency >= 1
        result = render.render(s, cache=Cache(tmp_path / "c"))
        assert result.synthesized == 3
        pool = engine_module._pools[engine.digest]
        assert 1 <= len(pool.made) <= (1 if folder == "voice" else engine.concurrency)


def test_speed_is_the_length_scale(tmp_path):
    tiny.piper_voice(tmp_path / "voice", symbols())
    s = script.load(write(tmp_path, "voice", speed=2.0))
    engine = engines.create("onnx", s.voice, s.engine_settings)
    assert len(engine.synthesize(SENTENCES[1]).get_array_of_samples()) == piper_ids(SENTENCES[1]) * tiny.HOP // 2


def test_a_sherpa_vits_folder_renders_with_hangul_tokens(tmp_path):
    tiny.vits_voice(tmp_path / "kss", rate=16000)
    s = script.load(write(tmp_path, "kss"))
    engine = engines.create("onnx", s.voice, s.engine_settings)
    assert engine.version.startswith("sherpa-onnx-") and not engine.model.phonemes
    clip = engine.synthesize(SENTENCES[0])
    n = len(clip.get_array_of_samples())
    assert clip.frame_rate == 16000 and n % tiny.HOP == 0 and n >= len(SENTENCES[0]) * tiny.HOP
    lengths = {u.spoken: len(engine.synthesize(u.spoken).get_array_of_samples()) / 16.0
               for u in make_plan(s).utterances}
    result = render.render(s, cache=Cache(tmp_path / "c"))
    check_length(result, s, lengths.__getitem__)


def test_a_converted_piper_voice_gets_espeak_phonemes_through_sherpa(tmp_path):
    tiny.sherpa_piper_voice(tmp_path / "vits-piper-ko", symbols())
    s = script.load(write(tmp_path, "vits-piper-ko"))
    engine = engines.create("onnx", s.voice, s.engine_settings)
    assert engine.model.family == "vits" and engine.model.phonemes
    assert len(engine.synthesize(SENTENCES[1]).get_array_of_samples()) == piper_ids(SENTENCES[1]) * tiny.HOP
    result = render.render(s, cache=Cache(tmp_path / "c"))
    check_length(result, s, lambda spoken: piper_ids(spoken) * tiny.HOP / 22.05)


def test_the_model_content_not_its_path_is_in_every_key(tmp_path):
    tiny.piper_voice(tmp_path / "a", symbols())
    cache = Cache(tmp_path / "c")
    first = render.render(script.load(write(tmp_path, "a")), cache=cache)
    assert first.synthesized == 3
    (tmp_path / "a").rename(tmp_path / "moved")
    moved = render.render(script.load(write(tmp_path, "moved")), cache=cache)
    assert moved.synthesized == 0  # renamed folder: the episode is still up to date
    moved = render.render(script.load(write(tmp_path, "moved")), cache=cache, output=tmp_path / "again.mp3")
    assert (moved.synthesized, moved.reused) == (0, 3)  # and every sentence comes from the cache
    tiny.piper_voice(tmp_path / "moved", symbols(), seed=7)  # new weights, same file names
    changed = render.render(script.load(write(tmp_path, "moved")), cache=cache)
    assert (changed.synthesized, changed.reused) == (3, 0)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        script.load(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("make, says", [
    (lambda d: None, "model not found"),
    (lambda d: (d.mkdir(), (d / "x.onnx").write_bytes(b"\x08\x07garbage")), "tokens.txt"),
    (lambda d: (tiny.piper_voice(d, "a"), (d / "ko_KO-tiny-low.onnx").write_bytes(
        (d / "ko_KO-tiny-low.onnx").read_bytes()[:40])), "not a complete ONNX model"),
    (lambda d: (tiny.piper_voice(d, "a"), (d / "ko_KO-tiny-low.onnx.json").write_text("{}")), "phoneme_id_map"),
    (lambda d: (tiny.vits_voice(d), (d / "model.onnx").write_bytes(b"\x08\x07\x3a\x00")), "lacks the metadata"),
    (lambda d: (d.mkdir(), *[(d / n).write_bytes(b"") for n in tiny_supertonic()]), "Supertonic"),
])
def test_a_missing_or_broken_model_is_one_located_line(tmp_path, make, says):
    make(tmp_path / "m")
    found = problems_of(write(tmp_path, "m"))
    assert len(found) == 1 and says in found[0] and found[0].startswith(f"{tmp_path / 'ep.yaml'}:2"), found


def tiny_supertonic() -> list[str]:
    return ["text_encoder.onnx", "duration_predictor.onnx", "vector_estimator.onnx", "vocoder.onnx", "tts.json"]


def test_the_cli_says_it_in_one_line_and_exits_2(tmp_path):
    path = write(tmp_path, "nowhere")
    proc = subprocess.run([sys.executable, "-m", "audioessay", "render", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr
    assert any(f"{path}:2" in line and "model not found" in line for line in lines), lines
    assert not path.with_suffix(".mp3").exists()


def test_a_published_episode_whose_model_is_gone_exits_3(tmp_path):
    tiny.piper_voice(tmp_path / "voice", symbols())
    path = write(tmp_path, "voice")
    result = render.render(script.load(path), cache=Cache(tmp_path / "c"))
    before = result.output.read_bytes()
    shutil.rmtree(tmp_path / "voice")
    s = script.load(path)  # no input problem: the episode exists, pinned to its model
    with pytest.raises(EngineError) as info:
        render.render(s, cache=Cache(tmp_path / "c"))
    assert info.value.exit_code == 3 and "model not found" in info.value.message
    assert result.output.read_bytes() == before


def test_a_speaker_the_model_lacks_is_an_input_error(tmp_path):
    tiny.piper_voice(tmp_path / "voice", symbols(), speakers=2)
    path = write(tmp_path, "voice")
    path.write_text(path.read_text(encoding="utf-8").replace("model: voice", "model: voice, speaker: 1"), "utf-8")
    s = script.load(path)
    engine = engines.create("onnx", s.voice, s.engine_settings)
    assert engine.settings()["speaker"] == 1
    path.write_text(path.read_text(encoding="utf-8").replace("speaker: 1", "speaker: 2"), "utf-8")
    found = problems_of(path)  # located when the script is read (exit 2 with file:line), not at render
    assert len(found) == 1 and found[0].startswith(f"{path}:2") and "voice.onnx.speaker" in found[0], found
    assert "2 speaker(s), ids 0 to 1" in found[0]


def test_voices_lists_the_models_found_and_how_to_add_one(tmp_path, monkeypatch):
    monkeypatch.setenv(onnx_models.VOICES_ENV, str(tmp_path / "voices"))
    rows = usable_voices("onnx", online=False)
    assert len(rows) == 1 and str(tmp_path / "voices") in rows[0]["usable"] and "add one" in rows[0]["usable"]
    tiny.piper_voice(tmp_path / "voices" / "ko_KO-kss_low", "a")
    tiny.vits_voice(tmp_path / "voices" / "vits-ko")
    (tmp_path / "voices" / "notes").mkdir()  # no model in it: not a voice
    (tmp_path / "voices" / "bad").mkdir()
    (tmp_path / "voices" / "bad" / "x.onnx").write_bytes(b"")
    rows = usable_voices("onnx", online=False)
    names = {r["name"]: r for r in rows}
    assert set(names) == {"ko_KO-kss_low", "vits-ko", "bad"}
    assert names["ko_KO-kss_low"]["usable"].startswith("piper, 22050 Hz; onnx.model: ")
    assert names["ko_KO-kss_low"]["locale"] == "ko-KR"
    assert names["bad"]["usable"].startswith("unusable: ")
    proc = subprocess.run([sys.executable, "-m", "audioessay", "voices", "--engine", "onnx", "--offline"],
                          capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0 and "vits-ko" in proc.stdout, proc.stderr


def test_a_model_named_in_show_defaults_is_found_from_the_show_file(tmp_path):
    tiny.piper_voice(tmp_path / "voices" / "mine", symbols())
    (tmp_path / "show.yaml").write_text(
        "title: 방송\nauthor: a\ndescription: d\nbase_url: https://example.com/\n"
        "cover_url: https://example.com/c.jpg\nepisodes: ['*.mp3']\n"
        "defaults:\n  voice: {engine: onnx, onnx: {model: voices/mine}}\n", encoding="utf-8")
    (tmp_path / "ep").mkdir()
    path = tmp_path / "ep" / "one.yaml"
    path.write_text("title: 회차\nshow: ../show.yaml\nsections:\n  - title: 하나\n    text: 첫 문장이다.\n",
                    encoding="utf-8")
    s = script.load(path)
    assert s.voice.engine == "onnx"  # without the rebase the model is looked for beside the episode (exit 2)
    assert Path(s.engine_settings["onnx"].model).resolve() == (tmp_path / "voices" / "mine").resolve()


def show_episode(folder: Path, model: str) -> Path:
    """An episode in folder/ep whose show file (folder/show.yaml) names the onnx `model` in its defaults."""
    (folder / "show.yaml").write_text(f"title: 방송\ndefaults:\n  voice: {{engine: onnx, onnx: {{model: {model}}}}}\n",
                                      encoding="utf-8")
    (folder / "ep").mkdir()
    path = folder / "ep" / "one.yaml"
    path.write_text("title: 회차\nshow: ../show.yaml\nsections:\n  - title: 하나\n    text: 첫 문장이다.\n",
                    encoding="utf-8")
    return path


def test_a_missing_model_in_show_defaults_is_said_relative_to_the_show_file(tmp_path):
    path = show_episode(tmp_path, "voices/gone")
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith(f"{tmp_path / 'show.yaml'}:3"), found
    assert "relative to the show file" in found[0] and "relative to the script" not in found[0]


def test_a_published_episode_whose_show_default_model_is_gone_exits_3(tmp_path):
    tiny.piper_voice(tmp_path / "voices" / "mine", symbols())
    path = show_episode(tmp_path, "voices/mine")
    result = render.render(script.load(path), cache=Cache(tmp_path / "c"))
    before = result.output.read_bytes()
    shutil.rmtree(tmp_path / "voices")
    s = script.load(path)  # the show file's defaults serve a published episode: pinned, not an input problem
    with pytest.raises(EngineError) as info:
        render.render(s, cache=Cache(tmp_path / "c"))
    assert info.value.exit_code == 3 and "model not found" in info.value.message
    assert result.output.read_bytes() == before
