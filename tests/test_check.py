"""`check` measures real MP3s: a well-made one passes, a quiet untagged one fails."""

from __future__ import annotations

from pathlib import Path

import pyloudnorm as pyln
import pytest
from test_id3 import full_tags, make_image, make_mp3, make_png, sample_timeline

from audioessay.util import ffmpeg
from audioessay.publish.check import Row, check, format_table, ok
from audioessay.errors import InputError
from audioessay.export.id3 import Tags, write_tags


def rows_by_name(rows: list[Row]) -> dict[str, Row]:
    return {r.name: r for r in rows}


def test_well_made_episode_passes(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "good.mp3", 27, extra_af="loudnorm=I=-16:TP=-2")
    write_tags(mp3, full_tags(make_image(tmp_path / "cover.jpg", "1400x1400")), sample_timeline().chapters)
    rows = check(mp3)
    by = rows_by_name(rows)
    assert [r.name for r in rows][:9] == [
        "loudness", "true peak", "sample rate", "bitrate", "channels", "duration", "tags", "cover", "chapters",
    ]  # then the balance rows (test_sound.py)
    assert all(r.status == "pass" for r in rows), format_table(rows)
    assert ok(rows)
    lufs = float(by["loudness"].value.split()[0])
    assert -17 <= lufs <= -15
    # an independent BS.1770 meter agrees with ffmpeg's
    samples = ffmpeg.decode(str(mp3), 44100)
    assert abs(pyln.Meter(44100).integrated_loudness(samples) - lufs) < 0.3
    assert float(by["true peak"].value.split()[0]) <= -1
    assert by["sample rate"].value == "44100 Hz"
    assert by["bitrate"].value == "96 kbps"
    assert by["channels"].value == "mono"
    assert by["duration"].value == "0:27"
    assert by["cover"].value == "1400x1400 image/jpeg"
    assert by["chapters"].value == "4"
    # an untagged file is held to the podcast preset, and the row says so
    assert by["loudness"].note == "target -16 LUFS ±1 (podcast default: no AUDIOESSAY_TARGET tag)"
    assert by["true peak"].note == "max -1 dBTP"


def test_one_decode_for_the_whole_file_and_one_per_music_only_part(tmp_path, monkeypatch):
    import subprocess

    from soundcheck import ebur128

    from audioessay.mix.timeline import INTRO, OUTRO
    from audioessay.publish import ebur128 as meter

    mp3 = make_mp3(tmp_path / "ep.mp3", 27, extra_af="loudnorm=I=-16:TP=-2")
    chapters = sample_timeline().chapters
    write_tags(mp3, full_tags(make_image(tmp_path / "cover.jpg", "1400x1400")), chapters)
    runs: list[list[str]] = []
    real = subprocess.run

    def counted(argv, *args, **kwargs):
        runs.append(list(argv))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(meter.subprocess, "run", counted)
    by = rows_by_name(check(mp3))
    music_only = [c for c in chapters if c.title in (INTRO, OUTRO)]
    assert len(music_only) == 2 and len(runs) == 1 + len(music_only), runs
    assert "-ss" not in runs[0] and "-t" not in runs[0]  # the whole file, once
    whole = ebur128(mp3)  # the tests' own run of ffmpeg's meter
    assert float(by["loudness"].value.split()[0]) == pytest.approx(whole["I"], abs=0.05)
    assert float(by["true peak"].value.split()[0]) == pytest.approx(whole["peak"], abs=0.05)
    assert float(by["loudness range"].value.split()[0]) == pytest.approx(whole["LRA"], abs=0.05)


def test_quiet_untagged_episode_fails(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "quiet.mp3", 5, volume=0.05)  # about -40 LUFS
    rows = check(mp3)
    by = rows_by_name(rows)
    assert not ok(rows)
    assert by["loudness"].status == "fail" and float(by["loudness"].value.split()[0]) < -30
    assert by["tags"].status == "fail" and by["tags"].value == "missing title, artist, album"
    assert by["cover"].status == "warn"
    assert by["chapters"].status == "warn"
    assert by["duration"].status == "pass"


def test_loudness_just_off_target_warns(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "warm.mp3", 10, extra_af="loudnorm=I=-17.5:TP=-2")
    by = rows_by_name(check(mp3))
    assert by["loudness"].status == "warn", by["loudness"]


def test_clipping_fails_true_peak(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "hot.mp3", 3, volume=8)  # sine at full scale, overshooting after MP3 coding
    by = rows_by_name(check(mp3))
    assert by["true peak"].status in ("warn", "fail")
    assert float(by["true peak"].value.split()[0]) > -1


def test_bad_embedded_cover_fails(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "ep.mp3", 2)
    write_tags(mp3, Tags(title="t", artist="a", album="b"), [])
    # write_tags refuses bad covers, so embed one behind its back
    from mutagen.id3 import APIC, ID3

    id3 = ID3(str(mp3))
    id3.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=make_png(tmp_path / "s.png", 600, 600).read_bytes()))
    id3.save(str(mp3), v2_version=4)
    by = rows_by_name(check(mp3))
    assert by["cover"].status == "fail" and "600x600" in by["cover"].note


@pytest.mark.parametrize("content", [b"", b"hello, this is not audio\n" * 100])
def test_not_an_mp3(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.mp3"
    path.write_bytes(content)
    with pytest.raises(InputError, match="not a readable MP3"):
        check(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^MP3 .*nope.mp3: not found; check the path$") as info:
        check(tmp_path / "nope.mp3")
    assert info.value.exit_code == 1


@pytest.mark.parametrize("special, kind", [("fifo", "a named pipe"), ("/dev/zero", "a character device"),
                                           ("dir", "a folder")])
def test_special_files_are_refused_up_front(tmp_path: Path, special: str, kind: str) -> None:
    import os

    path = Path(special)
    if special == "fifo":
        path = tmp_path / "ep.mp3"
        os.mkfifo(path)  # mutagen or ffmpeg opening it would wait for a writer forever
    elif special == "dir":
        path = tmp_path
    with pytest.raises(InputError, match=f"^MP3 {path}: is {kind}") as info:
        check(path)
    assert info.value.exit_code == 1


def test_hostile_tags_fail_the_tags_row_not_the_process(tmp_path: Path) -> None:
    from test_id3 import nested_chap_tag

    mp3 = make_mp3(tmp_path / "deep.mp3", 2)
    mp3.write_bytes(nested_chap_tag(3000) + mp3.read_bytes())
    rows = check(mp3)
    by = rows_by_name(rows)
    assert by["tags"].status == "fail" and "nests frames too deeply" in by["tags"].note
    assert by["duration"].value == "0:02" and not ok(rows)


def test_huge_track_number_is_no_episode(tmp_path: Path) -> None:
    from mutagen.id3 import TRCK

    mp3 = make_mp3(tmp_path / "trck.mp3", 2)
    write_tags(mp3, Tags(title="t", artist="a", album="b"), [])
    from mutagen.id3 import ID3

    id3 = ID3(str(mp3))
    id3.add(TRCK(encoding=3, text=["9" * 5000]))
    id3.save(str(mp3), v2_version=4)
    by = rows_by_name(check(mp3))
    assert by["tags"].status == "pass" and by["duration"].status == "pass"


def test_good_audio_with_a_garbage_cover_is_not_a_tool_error(tmp_path: Path) -> None:
    # without -vn ffmpeg decodes the embedded picture and fails (exit 4) on perfectly good audio
    from mutagen.id3 import APIC, ID3

    mp3 = make_mp3(tmp_path / "ep.mp3", 3, extra_af="loudnorm=I=-16:TP=-2")
    write_tags(mp3, Tags(title="t", artist="a", album="b"), [])
    id3 = ID3(str(mp3))
    png_header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (1400).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    id3.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=png_header + b"\xde\xad" * 5000))
    id3.save(str(mp3), v2_version=4)
    by = rows_by_name(check(mp3))
    assert by["loudness"].status in ("pass", "warn") and -18 < float(by["loudness"].value.split()[0]) < -14


def test_undecodable_audio_is_exit_1(tmp_path: Path) -> None:
    mp3 = make_mp3(tmp_path / "ep.mp3", 3)
    data = bytearray(mp3.read_bytes())
    for i in range(2000, len(data), 7):
        data[i] = 0xFF  # frame sync everywhere: mutagen still finds a header, the decoder does not cope
    mp3.write_bytes(bytes(data))
    try:
        rows = check(mp3)
    except InputError as exc:
        assert exc.exit_code == 1 and "Traceback" not in str(exc)
    else:
        assert rows  # some decoders shrug damage off; then the table is still produced


def test_format_table() -> None:
    rows = [Row("loudness", "-16.0 LUFS", "pass", "target"), Row("tags", "missing title", "fail", "fix")]
    lines = format_table(rows).splitlines()
    assert lines[0].split() == ["check", "value", "status", "note"]
    assert len(lines) == 3
    assert lines[1].index("pass") == lines[2].index("fail") == lines[0].index("status")
    wide = format_table([Row("tags", "골목길", "pass"), Row("bitrate", "96 kbps", "pass")]).splitlines()
    # Hangul is two columns wide, so the status column needs one fewer space after it
    assert wide[1].index("pass") + 3 == wide[2].index("pass")
    assert not ok(rows) and ok(rows[:1])
