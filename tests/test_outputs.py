"""An output path may only replace what a render made (issue 27): an MP3 carrying the
project's tags, or the sidecars of such an MP3 written with them. Everything else is one line,
exit 2, before any work, and nothing of the user's changes (unless render --force)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3, TXXX

from audioessay.cli import cli
from audioessay.episode import outputs, render
from audioessay.errors import InputError
from audioessay.export import id3, tags as txxx
from audioessay.export.sidecars import sidecar_paths
from audioessay.script import loader as script
from audioessay.util import ffmpeg

EPISODE = "title: t\nvoice: {engine: fake}\n{extra}sections:\n  - title: 하나\n    text: 첫 문장이다. 둘째 문장이다.\n"


def episode(write_script, name: str = "ep.yaml", extra: str = "") -> Path:
    return write_script(EPISODE.replace("{extra}", extra), name)


def stand_in_episode(path: Path, body: bytes = b"previous episode") -> bytes:
    """A file that passes for a previous render (it carries txxx.DIGEST) without decoding as
    one: for tests that only need "the previous episode" to survive. Returns its bytes."""
    path.write_bytes(body)
    tag = ID3()
    tag.add(TXXX(encoding=3, desc=txxx.DIGEST, text=["previous"]))
    tag.save(str(path), v2_version=4)
    return path.read_bytes()


def snapshot(folder: Path) -> dict[str, str]:
    """Name -> content hash (or link target) of everything in `folder`, the cache aside."""
    out = {}
    for p in sorted(folder.iterdir()):
        if p.name == "cache":
            continue
        out[p.name] = f"-> {os.readlink(p)}" if p.is_symlink() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def refused(write_script, tmp_path, fake_engine, cache, output, *, match, extra: str = "",
            **kwargs) -> InputError:
    """Render the episode to `output`: it must be refused in one line that matches `match`,
    before the engine is asked anything, and leave the folder exactly as it was."""
    path = episode(write_script, extra=extra)
    before = snapshot(tmp_path)
    with pytest.raises(InputError) as info:
        render.render(script.load(path), output=output, cache=cache, **kwargs)
    assert len(info.value.lines()) == 1, info.value.lines()
    assert info.value.exit_code == 2
    assert re_match(match, info.value.lines()[0])
    assert fake_engine.calls == []
    assert snapshot(tmp_path) == before
    return info.value


def re_match(pattern: str, line: str) -> bool:
    import re

    assert re.fullmatch(pattern, line), f"{line!r} !~ {pattern!r}"
    return True


# -- names that are not an MP3's ----------------------------------------------------------------


def test_output_in_the_script_that_is_a_text_file_is_refused(write_script, tmp_path, fake_engine, cache):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes", encoding="utf-8")
    refused(write_script, tmp_path, fake_engine, cache, None, extra="output: notes.txt\n",
            match=r"error: .*notes.txt: the episode is an MP3, so its name must end in .mp3; "
                  r"choose a name such as notes.mp3")
    assert notes.read_text(encoding="utf-8") == "my notes"


def test_an_output_without_mp3_suffix_is_refused_even_when_nothing_is_there(write_script, tmp_path, fake_engine,
                                                                            cache):
    refused(write_script, tmp_path, fake_engine, cache, tmp_path / "episode",
            match=r"error: .*/episode: the episode is an MP3, so its name must end in \.mp3; "
                  r"choose a name such as episode\.mp3")
    refused(write_script, tmp_path, fake_engine, cache, tmp_path / "newdir/", match=r"error: .*/newdir: .*\.mp3.*")


def test_output_onto_another_script_is_refused(write_script, tmp_path, fake_engine, cache):
    other = episode(write_script, "other.yaml")
    refused(write_script, tmp_path, fake_engine, cache, other, match=r"error: .*other.yaml: the episode is an MP3.*")
    refused(write_script, tmp_path, fake_engine, cache, other, replace=True, match=r"error: .*other.yaml: .*\.mp3.*")


@pytest.mark.parametrize("name, ending", [("ep.vtt", ".vtt"), ("ep.srt", ".srt"), ("ep.chapters.json", ".chapters.json"),
                                          ("ep.transcript.json", ".transcript.json"), ("EP.VTT", ".vtt")])
def test_output_named_like_a_sidecar_collides_with_it(write_script, tmp_path, fake_engine, cache, name, ending):
    stem = name[: -len(ending)]
    refused(write_script, tmp_path, fake_engine, cache, tmp_path / name,
            match=rf"error: .*{name}: collides with a sidecar \(the {ending} file beside {stem}\.mp3\); "
                  rf"give the episode's MP3 name instead, e\.g\. -o .*{stem}\.mp3")


def test_output_onto_another_episodes_sidecar_collides(write_script, tmp_path, fake_engine, cache):
    other = episode(write_script, "other.yaml")
    render.render(script.load(other), cache=cache)
    fake_engine.calls.clear()
    refused(write_script, tmp_path, fake_engine, cache, tmp_path / "other.srt",
            match=r"error: .*other.srt: collides with a sidecar .*")


@pytest.mark.parametrize("name", ["EP.MP3", "ep.Mp3"])
def test_an_mp3_suffix_in_any_case_is_an_mp3(write_script, tmp_path, fake_engine, cache, name):
    path = episode(write_script)
    result = render.render(script.load(path), output=tmp_path / name, cache=cache)
    assert not result.up_to_date
    assert len(ffmpeg.decode(str(tmp_path / name), 44100)) > 44100 * 0.5
    assert sorted(p.name for p in result.sidecars) == sorted(p.name for p in sidecar_paths(tmp_path / name).values())
    assert render.render(script.load(path), output=tmp_path / name, cache=cache).up_to_date


# -- files no render made --------------------------------------------------------------------------


def test_a_foreign_file_at_the_output_is_refused_and_replace_replaces_it(write_script, tmp_path, fake_engine, cache):
    notes = tmp_path / "notes.mp3"
    notes.write_text("not audio at all", encoding="utf-8")
    refused(write_script, tmp_path, fake_engine, cache, notes,
            match=r"error: .*notes.mp3: exists and was not made by audioessay \(no AUDIOESSAY_PLAN tag\); "
                  r"choose another output name, or --force to replace it")
    refused(write_script, tmp_path, fake_engine, cache, notes, force=True, match=r"error: .*notes.mp3: exists .*")
    result = render.render(script.load(tmp_path / "ep.yaml"), output=notes, cache=cache, replace=True)
    assert result.output == notes and len(ffmpeg.decode(str(notes), 44100)) > 44100 * 0.5
    assert txxx.DIGEST in id3.read_tags(notes).extra


def test_an_untagged_real_mp3_is_foreign_too(write_script, tmp_path, fake_engine, cache):
    mp3 = tmp_path / "song.mp3"
    ffmpeg.run(["-f", "lavfi", "-i", "sine=f=440:d=1", "-b:a", "64k", "-y", str(mp3)])
    refused(write_script, tmp_path, fake_engine, cache, mp3,
            match=r"error: .*song.mp3: exists and was not made by audioessay \(no AUDIOESSAY_PLAN tag\); .*")


def test_a_file_whose_tag_cannot_be_read_is_foreign(write_script, tmp_path, fake_engine, cache):
    bad = tmp_path / "ep.mp3"
    bad.write_bytes(b"ID3\x09\x00\x00\x00\x00\x00\x10abc")
    refused(write_script, tmp_path, fake_engine, cache, bad,
            match=r"error: .*ep.mp3: exists and was not made by audioessay \(its ID3 tag cannot be read\); .*")


def test_a_link_to_a_foreign_file_is_refused_and_a_broken_link_too(write_script, tmp_path, fake_engine, cache):
    (tmp_path / "notes.txt").write_text("my notes", encoding="utf-8")
    (tmp_path / "link.mp3").symlink_to("notes.txt")
    refused(write_script, tmp_path, fake_engine, cache, tmp_path / "link.mp3",
            match=r"error: .*link.mp3: exists and was not made by audioessay \(no AUDIOESSAY_PLAN tag\); .*")
    (tmp_path / "broken.mp3").symlink_to("nowhere.mp3")
    refused(write_script, tmp_path, fake_engine, cache, tmp_path / "broken.mp3",
            match=r"error: .*broken.mp3: exists and was not made by audioessay "
                  r"\(a link to nowhere.mp3, which does not exist\); .*")


def test_a_link_to_a_render_may_be_replaced_and_the_render_it_points_at_stays(write_script, tmp_path, fake_engine,
                                                                               cache):
    other = episode(write_script, "other.yaml")
    render.render(script.load(other), cache=cache)
    kept = (tmp_path / "other.mp3").read_bytes()
    (tmp_path / "link.mp3").symlink_to("other.mp3")
    render.render(script.load(episode(write_script)), output=tmp_path / "link.mp3", cache=cache)
    assert not (tmp_path / "link.mp3").is_symlink()  # the link became the episode
    assert (tmp_path / "other.mp3").read_bytes() == kept


def test_another_scripts_render_may_be_replaced(write_script, tmp_path, fake_engine, cache):
    """A file a render made may be replaced, whichever script made it (documented)."""
    other = write_script(EPISODE.replace("{extra}", "").replace("둘째 문장이다.", "다른 글이다."), "other.yaml")
    render.render(script.load(other), cache=cache)
    theirs = id3.read_tags(tmp_path / "other.mp3").extra[txxx.DIGEST]
    render.render(script.load(episode(write_script)), output=tmp_path / "other.mp3", cache=cache)
    assert id3.read_tags(tmp_path / "other.mp3").extra[txxx.DIGEST] != theirs


# -- sidecars --------------------------------------------------------------------------------------


def test_a_foreign_file_where_a_sidecar_goes_is_refused(write_script, tmp_path, fake_engine, cache):
    (tmp_path / "ep.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nmy own subtitles\n", encoding="utf-8")
    refused(write_script, tmp_path, fake_engine, cache, None,
            match=r"error: .*ep.srt: exists and was not written with an episode \(there is no ep.mp3 beside it\); "
                  r"move it away, choose another output name, or --force to replace it")


def test_foreign_mp3_and_foreign_sidecars_are_one_line_each(write_script, tmp_path, fake_engine, cache):
    path = episode(write_script)
    (tmp_path / "ep.mp3").write_text("mine", encoding="utf-8")
    (tmp_path / "ep.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (tmp_path / "ep.chapters.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError) as info:
        render.render(script.load(path), cache=cache)
    lines = info.value.lines()
    assert [line.split(":")[1].rsplit("/", 1)[-1] for line in lines] == ["ep.mp3", "ep.chapters.json", "ep.vtt"]
    assert all("ep.mp3 was not made by audioessay" in line for line in lines[1:])
    assert fake_engine.calls == []


def test_sidecars_beside_a_preview_are_not_vouched_for(write_script, tmp_path, fake_engine, cache):
    path = episode(write_script)
    render.preview(script.load(path), "1", output=tmp_path / "ep.mp3", cache=cache)
    (tmp_path / "ep.vtt").write_text("WEBVTT\n\nmy captions\n", encoding="utf-8")
    fake_engine.calls.clear()
    refused(write_script, tmp_path, fake_engine, cache, None,
            match=r"error: .*ep.vtt: exists and was not written with an episode "
                  r"\(ep.mp3 was rendered without sidecars\); .*")


def test_an_episodes_own_sidecars_are_replaced_by_its_next_render(write_script, tmp_path, fake_engine, cache):
    path = episode(write_script)
    render.render(script.load(path), cache=cache)
    path.write_text(EPISODE.replace("{extra}", "").replace("둘째", "셋째"), encoding="utf-8")
    result = render.render(script.load(path), cache=cache)
    assert not result.up_to_date
    assert "셋째" in (tmp_path / "ep.vtt").read_text(encoding="utf-8")
    assert outputs.sidecars_match(tmp_path / "ep.mp3", dict(id3.read_tags(tmp_path / "ep.mp3").extra))


# -- preview ---------------------------------------------------------------------------------------


def test_a_preview_never_replaces_an_episode(write_script, tmp_path, fake_engine, cache):
    path = episode(write_script)
    render.render(script.load(path), cache=cache)
    before = snapshot(tmp_path)
    fake_engine.calls.clear()
    with pytest.raises(InputError) as info:
        render.preview(script.load(path), "1", output=tmp_path / "ep.mp3", cache=cache)
    assert info.value.lines() == [f"error: {tmp_path / 'ep.mp3'}: is a rendered episode (an MP3 written with its "
                                  "sidecars); a preview never replaces one: choose another name with -o"]
    assert fake_engine.calls == [] and snapshot(tmp_path) == before


def test_a_preview_replaces_a_preview_but_not_a_foreign_file(write_script, tmp_path, fake_engine, cache):
    spec = script.load(episode(write_script))
    first = render.preview(spec, "1", output=tmp_path / "p.mp3", cache=cache)
    again = render.preview(spec, "1", output=tmp_path / "p.mp3", cache=cache)
    assert first.output == again.output and not again.up_to_date
    assert not any(p.exists() for p in sidecar_paths(tmp_path / "p.mp3").values())
    (tmp_path / "notes.mp3").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError) as info:
        render.preview(spec, "1", output=tmp_path / "notes.mp3", cache=cache)
    assert info.value.lines() == [f"error: {tmp_path / 'notes.mp3'}: exists and was not made by audioessay "
                                  "(no AUDIOESSAY_PLAN tag); choose another output name with -o"]
    assert (tmp_path / "notes.mp3").read_text(encoding="utf-8") == "mine"


# -- the command line: --force replaces, --refresh does not -----------------------------------------


def test_cli_force_replaces_a_foreign_file_and_refresh_does_not(write_script, tmp_path, fake_engine):
    path = episode(write_script)
    notes = tmp_path / "notes.mp3"
    notes.write_text("mine", encoding="utf-8")
    runner = CliRunner(mix_stderr=False)
    base = ["render", str(path), "-q", "--cache-dir", str(tmp_path / "cache"), "-o", str(notes)]
    for more in ([], ["--refresh"]):
        result = runner.invoke(cli, [*base, *more])
        assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.stderr
        assert "or --force to replace it" in result.stderr
        assert notes.read_text(encoding="utf-8") == "mine"
    result = runner.invoke(cli, [*base, "--force"])
    assert result.exit_code == 0, result.stderr
    assert txxx.DIGEST in id3.read_tags(notes).extra
    help_text = " ".join(runner.invoke(cli, ["render", "--help"]).stdout.split())
    assert "replace an output file audioessay did not make" in help_text


def test_cli_preview_onto_the_episode_is_exit_2(write_script, tmp_path, fake_engine):
    path = episode(write_script)
    runner = CliRunner(mix_stderr=False)
    cache_dir = ["--cache-dir", str(tmp_path / "cache")]
    assert runner.invoke(cli, ["render", str(path), "-q", *cache_dir]).exit_code == 0
    before = snapshot(tmp_path)
    result = runner.invoke(cli, ["preview", str(path), "--section", "1", "-q", "-o", str(tmp_path / "ep.mp3"),
                                 *cache_dir])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "a preview never replaces" in result.stderr
    assert snapshot(tmp_path) == before
