"""Delivery presets: a render masters to its preset (or the writer's own numbers), writes the
target into the MP3, and `check` holds the file to that target; measured on the decoded file
by ffmpeg's meter and numpy, never by numbers the render computed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from soundcheck import ebur128
from test_id3 import make_mp3

from audioessay.config import presets
from audioessay.config.groups import Mastering
from audioessay.errors import InputError
from audioessay.export import id3
from audioessay.export import tags as txxx
from audioessay.publish.check import Row, check, format_table, ok
from audioessay.episode import render
from audioessay.script import loader as script
from audioessay.util import ffmpeg

SCRIPT = """\
title: 시험
author: 글쓴이
show: 쇼
voice: {{engine: fake}}
{extra}
sections:
  - title: 하나
    text: |
      첫 문장은 짧다. 둘째 문장은 조금 더 길게 이어진다.

      새 문단의 첫 문장이다. 그리고 또 한 문장이 있다.
  - title: 둘
    text: 셋째 부분의 문장이다. 마지막 문장은 여기서 끝난다.
"""


def rendered(write_script, cache, extra: str) -> Path:
    path = write_script(SCRIPT.format(extra=extra))
    return render.render(script.load(path), cache=cache).output


def by_name(rows: list[Row]) -> dict[str, Row]:
    return {r.name: r for r in rows}


def lufs_of(row: Row) -> float:
    return float(row.value.split()[0])


# --- presets as data, resolved on the Mastering group ---------------------------------------


def test_the_podcast_preset_is_what_mastering_was_before():
    m = Mastering()
    assert (m.preset, m.loudness, m.true_peak) == ("podcast", -16.0, -1.0)
    assert presets.PRESETS["podcast"].tolerance == 1.0


def test_the_writers_numbers_win_over_the_preset(fake_engine, write_script):
    def load(mastering: str) -> Mastering:
        return script.load(write_script(SCRIPT.format(extra=f"mastering: {mastering}"))).mastering

    assert load("{loudness: -19}") == Mastering(preset="podcast", loudness=-19.0, true_peak=-1.0)
    assert load("{preset: audiobook}") == Mastering(preset="audiobook", loudness=-19.0, true_peak=-3.0)
    assert load("{preset: audiobook, true_peak: -4}").true_peak == -4.0
    assert load("{loudness: -16, true_peak: -1}") == load("{}") == Mastering()


def test_an_unknown_preset_is_a_script_error(fake_engine, write_script):
    with pytest.raises(InputError, match=r"mastering\.preset.*'audiobok' is not one of podcast, audiobook"):
        script.load(write_script(SCRIPT.format(extra="mastering: {preset: audiobok}")))


def test_the_preset_doc_is_made_from_the_presets():
    doc = Mastering.schema_fields()["preset"].doc
    for p in presets.PRESETS.values():
        assert f"{p.name} {p.loudness:g} LUFS / {p.true_peak:g} dBTP" in doc


@pytest.mark.parametrize("text, parsed", [
    ("podcast -19 -1", ("podcast", -19.0, -1.0)),
    ("audiobook -19.5 -3", ("audiobook", -19.5, -3.0)),
    ("broadcast -23 -1", None),  # no such preset
    ("podcast -99 -1", None),  # no script could have said that
    ("podcast nan -1", None),
    ("podcast -16", None),
    (None, None),
])
def test_the_target_frame_reads_back(text, parsed):
    assert txxx.parse_target(text) == parsed


# --- check holds a render to its own target -----------------------------------------------


@pytest.fixture
def at_minus_19(fake_engine, write_script, cache) -> Path:
    return rendered(write_script, cache, "mastering: {loudness: -19}")


def test_check_reads_the_target_from_the_tag(at_minus_19):
    assert id3.read_tags(at_minus_19).extra[txxx.TARGET] == "podcast -19 -1"
    measured = ebur128(at_minus_19)["I"]
    assert abs(measured - -19) <= 0.3  # the file itself is at -19, by the tests' own meter run
    rows = check(at_minus_19)
    loud = by_name(rows)["loudness"]
    assert loud.status == "pass", format_table(rows)
    assert "target -19 LUFS ±1" in loud.note and f"{txxx.TARGET} tag" in loud.note
    assert abs(lufs_of(loud) - measured) <= 0.1
    assert ok(rows), format_table(rows)


def test_an_explicit_target_wins_over_the_tag(at_minus_19):
    loud = by_name(check(at_minus_19, target=-16))["loudness"]
    assert loud.status == "fail" and "target -16 LUFS ±1 (--target" in loud.note  # 3 LU off
    assert by_name(check(at_minus_19, target=-17.5))["loudness"].status == "warn"  # 1.5 LU off


def test_the_cli_takes_target_and_preset(at_minus_19):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "audioessay", "check", str(at_minus_19), *args],
                              capture_output=True, text=True, timeout=120)

    own = run()
    assert own.returncode == 0, own.stdout + own.stderr
    assert "target -19 LUFS" in own.stdout
    strict = run("--target", "-16")
    assert strict.returncode == 1 and "target -16 LUFS ±1 (--target" in strict.stdout
    podcast = run("--preset", "podcast", "--json")
    assert podcast.returncode == 1 and "--preset podcast" in podcast.stdout


def test_a_foreign_file_is_held_to_the_podcast_default(tmp_path):
    at_16 = make_mp3(tmp_path / "sixteen.mp3", 8, extra_af="loudnorm=I=-16:TP=-2")
    at_19 = make_mp3(tmp_path / "nineteen.mp3", 8, extra_af="loudnorm=I=-19:TP=-2")
    for mp3 in (at_16, at_19):
        assert txxx.TARGET not in id3.read_tags(mp3).extra
    loud = by_name(check(at_16))["loudness"]
    assert loud.status == "pass" and "target -16 LUFS ±1 (podcast default: no AUDIOESSAY_TARGET tag)" in loud.note
    assert by_name(check(at_19))["loudness"].status == "fail"
    assert by_name(check(at_19, target=-19))["loudness"].status == "pass"


def test_an_unreadable_target_tag_falls_back_to_the_default(tmp_path):
    mp3 = make_mp3(tmp_path / "odd.mp3", 4, extra_af="loudnorm=I=-16:TP=-2")
    id3.write_tags(mp3, id3.Tags(title="t", artist="a", album="b", extra={txxx.TARGET: "loud -3 0"}), [])
    loud = by_name(check(mp3))["loudness"]
    assert "podcast default: AUDIOESSAY_TARGET 'loud -3 0' not understood" in loud.note


def test_bad_options_say_what_to_give(at_minus_19):
    with pytest.raises(InputError, match="no delivery preset 'radio'; use one of podcast, audiobook"):
        check(at_minus_19, preset="radio")
    with pytest.raises(InputError, match=r"target loudness: -99\.0 is out of range \(from -36 to -8 LUFS\)"):
        check(at_minus_19, target=-99.0)


# --- the audiobook preset: ACX's criteria -------------------------------------------------


def quietest_half_second(x: np.ndarray, rate: int) -> float:
    """The RMS (dBFS) of the quietest 0.5 s, on a 100 ms grid."""
    step = rate // 10
    power = np.mean(np.square(x[: len(x) // step * step].astype(np.float64)).reshape(-1, step), axis=1)
    return float(10 * np.log10(np.convolve(power, np.ones(5) / 5, mode="valid").min()))


@pytest.fixture
def audiobook(fake_engine, write_script, cache) -> Path:
    return rendered(write_script, cache, "mastering: {preset: audiobook}\naudio: {bitrate: 192}\nroom_tone: -72")


def test_an_audiobook_render_meets_acx(audiobook):
    assert id3.read_tags(audiobook).extra[txxx.TARGET] == "audiobook -19 -3"
    rows = check(audiobook)
    by = by_name(rows)
    assert ok(rows), format_table(rows)
    for name in ("loudness", "true peak", "RMS", "sample peak", "noise floor", "bitrate", "sample rate"):
        assert by[name].status == "pass", format_table(rows)
    assert "(AUDIOESSAY_TARGET tag, audiobook)" in by["loudness"].note
    # numpy on the decoded file agrees with the rows
    x = ffmpeg.decode(str(audiobook), 44100)[:, 0].astype(np.float64)
    rms = 10 * np.log10(np.mean(np.square(x)))
    assert -23 <= rms <= -18 and abs(float(by["RMS"].value.split()[0]) - rms) <= 0.1
    peak = 20 * np.log10(np.abs(x).max())
    assert peak <= -3 and abs(float(by["sample peak"].value.split()[0]) - peak) <= 0.1
    floor = quietest_half_second(x, 44100)
    assert floor <= -60 and abs(float(by["noise floor"].value.split()[0]) - floor) <= 0.5


def test_digital_silence_meets_the_floor_and_says_so(fake_engine, write_script, cache):
    by = by_name(check(rendered(write_script, cache, "mastering: {preset: audiobook}")))
    assert by["noise floor"].value == "silence" and by["noise floor"].status == "pass"
    assert "room_tone" in by["noise floor"].note
    assert by["bitrate"].status == "warn"  # 96 kbps: ACX wants 192


def test_the_same_audiobook_held_to_the_podcast_preset(audiobook):
    rows = check(audiobook, preset="podcast")
    by = by_name(rows)
    assert "target -16 LUFS ±1 (--preset podcast)" in by["loudness"].note
    assert by["loudness"].status == "fail"  # it is at -19
    assert not {"RMS", "sample peak", "noise floor"} & set(by)
    assert by["true peak"].note == "max -1 dBTP"


def test_acx_rows_fail_a_loud_podcast(tmp_path):
    loud = make_mp3(tmp_path / "loud.mp3", 8, extra_af="loudnorm=I=-6:TP=-0.5")
    by = by_name(check(loud, preset="audiobook"))
    assert by["RMS"].status == "fail" and float(by["RMS"].value.split()[0]) > -18
    assert by["sample peak"].status == "fail"
    assert by["noise floor"].status == "fail"  # a steady tone has no quiet half second
    assert by["bitrate"].status == "warn" and by["bitrate"].note == "192-320 kbps"
