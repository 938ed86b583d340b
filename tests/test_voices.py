"""The voice catalogue: built-in lists, espeak-ng variants read from the shipped data, edge's live list."""

from __future__ import annotations

import os

import espeakng_loader
import pytest

from audioessay.speech.engines import voices as v
from audioessay.speech.engines.edge_client import ENDPOINT_ENV
from audioessay.speech.engines.voices import VoiceInfo, builtin_voices, edge_voice_list, espeak_voices
from fake_edge import FakeEdge, closed_port, isolate_edge_tts

VARIANTS = os.path.join(espeakng_loader.get_data_path(), "voices", "!v")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    isolate_edge_tts(monkeypatch, ENDPOINT_ENV)


def by_key(voices: list[VoiceInfo]) -> dict[tuple[str, str], VoiceInfo]:
    return {(x.engine, x.name): x for x in voices}


def test_builtin_has_the_korean_voices_with_genders():
    got = by_key(builtin_voices())
    assert got["edge", "ko-KR-SunHiNeural"].gender == "female"
    assert got["edge", "ko-KR-InJoonNeural"].gender == "male"
    assert got["edge", "ko-KR-HyunsuMultilingualNeural"].gender == "male"
    assert got["gtts", "ko"].gender == "female" and got["gtts", "ko"].locale == "ko-KR"
    assert got["espeak", "ko"].locale == "ko-KR"
    assert all(x.locale == "ko-KR" for (engine, _), x in got.items() if engine == "espeak")


def test_korean_voices_come_first():
    voices = builtin_voices()
    flags = [x.korean for x in voices]
    assert True in flags and False in flags
    assert flags == sorted(flags, reverse=True)  # every Korean voice before every other
    assert voices[0] == VoiceInfo("edge", "ko-KR-SunHiNeural", "female", "ko-KR",
                                  "SunHi: Microsoft neural voice, Korean (default)")


def test_no_duplicate_names_per_engine():
    voices = builtin_voices()
    assert len(by_key(voices)) == len(voices)


def test_espeak_variants_are_the_shipped_files():
    names = [x.name for x in espeak_voices()]
    shipped = {f for f in os.listdir(VARIANTS) if os.path.isfile(os.path.join(VARIANTS, f))}
    assert names[0] == "ko" and set(names[1:]) == shipped
    for wanted in ("m1", "m3", "m7", "f1", "f2", "f5"):
        assert wanted in names
    numbered = [n for n in names[1:] if n[0] in "mf" and n[1:].isdigit()]
    assert names[1:1 + len(numbered)] == numbered  # m1.., f1.. first
    assert numbered[:2] == ["m1", "m2"] and numbered.index("f1") > numbered.index("m7")


def test_espeak_variant_gender_and_title_come_from_the_file():
    got = by_key(espeak_voices())
    assert got["espeak", "m3"].gender == "male" and "male3" in got["espeak", "m3"].description
    assert got["espeak", "f2"].gender == "female" and "female2" in got["espeak", "f2"].description


def test_read_variant_parses_gender_forms(tmp_path):
    (tmp_path / "a").write_text("language variant\nname Alpha Voice\ngender Male 25\n\npitch 80 118\n")
    (tmp_path / "b").write_text("language variant\nname b\n")
    assert v._read_variant(str(tmp_path / "a")) == ("Alpha Voice", "male")
    assert v._read_variant(str(tmp_path / "b")) == ("b", "")


def test_espeak_without_data_still_lists_the_default(monkeypatch):
    monkeypatch.setattr(v, "_variant_folder", lambda: None)
    assert [x.name for x in espeak_voices()] == ["ko"]


def test_edge_voice_list_is_live_from_the_fake(monkeypatch):
    with FakeEdge() as fake:
        monkeypatch.setenv(ENDPOINT_ENV, fake.url)
        fake.voices.insert(0, {**fake.voices[-1], "ShortName": "fr-FR-TestNeural", "Locale": "fr-FR"})
        fake.voices.append({**fake.voices[1], "ShortName": "ko-KR-NewNeural", "Gender": "Female"})
        voices, live, why = edge_voice_list()
    assert live and why == "live list (6 voices)"
    names = [x.name for x in voices]
    assert names[:4] == ["ko-KR-SunHiNeural", "ko-KR-InJoonNeural", "ko-KR-HyunsuMultilingualNeural",
                         "ko-KR-NewNeural"]  # Korean first, then the service's order
    assert names[4:] == ["fr-FR-TestNeural", "en-US-EmmaMultilingualNeural"]
    assert by_key(voices)["edge", "ko-KR-NewNeural"].gender == "female"
    assert by_key(voices)["edge", "ko-KR-SunHiNeural"].description.startswith("Microsoft SunHi Online")


def test_edge_voice_list_falls_back_offline(monkeypatch):
    port = closed_port()
    monkeypatch.setenv(ENDPOINT_ENV, f"ws://127.0.0.1:{port}/edge/v1")
    voices, live, why = edge_voice_list(timeout=1)
    assert not live and why == f"built-in list (edge voice list unavailable from 127.0.0.1:{port}: connection refused)"
    assert voices == v.edge_builtin()


def test_voices_lists_what_each_registered_engine_catalogues():
    """`audioessay voices` has no list of its own: an engine registered with a catalogue shows up."""
    from audioessay.config.engines import EngineSpec, register, unregister
    from audioessay.config.settings import Group
    from audioessay.speech.engines.voices import usable_voices

    class NoKeys(Group):
        pass

    spec = EngineSpec(name="catalogued", doc="test engine", settings=NoKeys, create=lambda v, g: None,
                      catalogue=lambda online: ([VoiceInfo("catalogued", "ko-x", "female", "ko-KR", "x")],
                                                "set X_KEY" if online else "not checked"))
    register(spec)
    try:
        rows = usable_voices("catalogued", online=True)
        assert [(r["name"], r["usable"]) for r in rows] == [("ko-x", "set X_KEY")]
        assert usable_voices("catalogued", online=False)[0]["usable"] == "not checked"
        assert "catalogued" in {r["engine"] for r in usable_voices(online=False)}
    finally:
        unregister("catalogued")
    assert "catalogued" not in {r["engine"] for r in usable_voices(online=False)}
