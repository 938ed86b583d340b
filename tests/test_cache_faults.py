"""A cache that cannot be written never fails a render (issue 27): the folder is a file,
read-only, or on a full disk. The render warns once, goes on without caching, and its
MP3 decodes to the samples a render with a working cache makes."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from audioessay.episode import parts, render, scratch
from audioessay.mix.stems import Stems
from audioessay.script import loader as script
from audioessay.speech.cache import Cache
from audioessay.util import ffmpeg
from soundcheck import ebur128

RATE = 44100
SENTENCES = [f"{n}번째 문장은 캐시가 망가져도 끝까지 읽힌다." for n in range(1, 31)]


def episode(write_script, sentences=SENTENCES) -> Path:
    half = len(sentences) // 2
    return write_script("title: 시험\nvoice: {engine: fake}\nsections:\n"
                        f"  - title: 하나\n    text: {' '.join(sentences[:half])}\n"
                        f"  - title: 둘\n    text: {' '.join(sentences[half:])}\n")


def decoded(mp3: Path) -> np.ndarray:
    return ffmpeg.decode(str(mp3), RATE, channels=1)[:, 0]


@pytest.fixture
def reference(fake_engine, write_script, tmp_path):
    """The episode rendered with a working cache: its decoded samples."""
    path = episode(write_script)
    made = render.render(script.load(path), output=tmp_path / "reference.mp3", cache=Cache(tmp_path / "good"))
    return decoded(made.output)


def render_with(cache: Cache, path: Path, out: Path, caplog) -> tuple[render.Result, list[str]]:
    """Render `path` to `out` with `cache`; the result and every warning logged."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="audioessay"):
        result = render.render(script.load(path), output=out, cache=cache)
    return result, [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def assert_sounds_right(result: render.Result, reference: np.ndarray) -> None:
    """The MP3 decodes to the reference's samples, lasts what the render says, and is
    mastered to the target loudness (measured by ffmpeg, not by the renderer)."""
    samples = decoded(result.output)
    assert samples.shape == reference.shape and np.array_equal(samples, reference)
    assert abs(len(samples) / RATE * 1000 - result.duration_ms) < 30
    assert abs(ebur128(result.output)["I"] - (-16.0)) < 1.0


def mount_tmpfs(folder: Path, size: str) -> Path:
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip(f"mounting a {size} tmpfs needs root and mount(8)")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    return folder


@pytest.fixture
def small_tmpfs(tmp_path):
    mount = mount_tmpfs(tmp_path / "small", "1m")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.fixture
def roomy_tmpfs(tmp_path):
    mount = mount_tmpfs(tmp_path / "roomy", "64m")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


# -- the folder is a file --------------------------------------------------------------


def test_cache_folder_that_is_a_file_renders_with_one_warning(reference, write_script, tmp_path, caplog):
    blocker = tmp_path / "somefile"
    blocker.write_bytes(b"the user's notes")
    result, warnings = render_with(Cache(blocker), episode(write_script), tmp_path / "ep.mp3", caplog)
    assert_sounds_right(result, reference)
    assert warnings == [f"cannot write the cache {blocker} (a file is where a folder should be); this render "
                        "goes on without caching; move that file away, or choose another folder with "
                        "--cache-dir (or --no-cache)"]
    assert blocker.read_bytes() == b"the user's notes"
    assert result.synthesized == len(SENTENCES) + 2  # every sentence and both titles


def test_a_later_render_caches_again_once_the_folder_is_fixed(reference, write_script, tmp_path, caplog):
    blocker = tmp_path / "somefile"
    blocker.write_bytes(b"x")
    cache = Cache(blocker)  # one Cache for both renders, as `watch` keeps it
    path = episode(write_script)
    render_with(cache, path, tmp_path / "ep.mp3", caplog)
    blocker.unlink()
    result, warnings = render_with(cache, path, tmp_path / "again.mp3", caplog)
    assert warnings == [] and cache.trouble is None
    assert len(list(blocker.rglob("*.aec"))) == len(SENTENCES) + 2 and any((blocker / "segments").iterdir())
    assert_sounds_right(result, reference)


# -- a read-only folder -------------------------------------------------------------------


@pytest.fixture
def read_only(tmp_path):
    """make(folder) -> the folder, now read-only (a read-only tmpfs as root, who ignores
    permission bits; chmod otherwise); the strerror its writes fail with."""
    made: list[Path] = []

    def make(folder: Path) -> str:
        if os.geteuid() == 0:
            if subprocess.run(["mount", "-o", "remount,ro", str(folder)]).returncode != 0:
                pytest.skip("cannot remount the tmpfs read-only")
            return "Read-only file system"
        for p in [folder, *folder.rglob("*")]:
            if p.is_dir():
                p.chmod(0o555)
                made.append(p)
        return "Permission denied"

    yield make
    for p in made:
        p.chmod(0o755)


@pytest.fixture
def cache_folder(tmp_path):
    """A folder for the cache that can be made read-only (a tmpfs as root)."""
    if os.geteuid() != 0:
        folder = tmp_path / "cache"
        folder.mkdir()
        yield folder
        return
    mount = mount_tmpfs(tmp_path / "cache", "64m")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_read_only_cache_renders_new_sentences_with_one_warning(reference, write_script, tmp_path, caplog,
                                                                cache_folder, read_only):
    # The first half was rendered before the cache became read-only.
    render.render(script.load(episode(write_script, SENTENCES[:12])), output=tmp_path / "old.mp3",
                  cache=Cache(cache_folder))
    entries = sorted(cache_folder.rglob("*"))
    why = read_only(cache_folder)
    result, warnings = render_with(Cache(cache_folder), episode(write_script), tmp_path / "ep.mp3", caplog)
    assert_sounds_right(result, reference)
    assert warnings == [f"cannot write the cache {cache_folder} ({why}); this render goes on without caching; "
                        "make it writable, or choose another folder with --cache-dir (or --no-cache)"]
    assert result.reused > 0  # what it holds is still read
    assert sorted(cache_folder.rglob("*")) == entries


def test_read_only_cache_that_holds_everything_says_nothing(reference, write_script, tmp_path, caplog,
                                                           cache_folder, read_only):
    path = episode(write_script)
    render.render(script.load(path), output=tmp_path / "first.mp3", cache=Cache(cache_folder))
    read_only(cache_folder)
    result, warnings = render_with(Cache(cache_folder), path, tmp_path / "ep.mp3", caplog)
    assert warnings == [] and result.synthesized == 0
    assert_sounds_right(result, reference)


# -- a full disk --------------------------------------------------------------------------


def test_cache_on_a_full_disk_renders_with_one_warning(reference, write_script, tmp_path, caplog, small_tmpfs):
    cache = Cache(small_tmpfs / "cache")
    result, warnings = render_with(cache, episode(write_script), tmp_path / "ep.mp3", caplog)
    assert_sounds_right(result, reference)
    assert warnings == [f"cannot write the cache {small_tmpfs / 'cache'} (No space left on device); this render "
                        "goes on without caching; free some space, or choose another folder with --cache-dir "
                        "(or --no-cache)"]
    assert not [p for p in small_tmpfs.rglob("*") if p.name.endswith(".part") or scratch.STEMS_PREFIX in p.name]


def test_spans_that_do_not_fit_in_pass_2_are_the_one_warning(reference, write_script, tmp_path, caplog,
                                                            monkeypatch):
    # The sentences and the parts' records fit; the disk fills up when the MP3's spans come.
    real = Path.write_bytes

    def full_for_spans(self, data):
        if ".mp3seg." in self.name and "cache" in self.parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_for_spans)
    cache = Cache(tmp_path / "cache")
    result, warnings = render_with(cache, episode(write_script), tmp_path / "ep.mp3", caplog)
    assert_sounds_right(result, reference)
    assert len(warnings) == 1 and "(No space left on device)" in warnings[0]
    assert len(list(cache.root.rglob("*.aec"))) == len(SENTENCES) + 2
    assert not list(cache.root.rglob("*.mp3seg*"))


# -- the parts' store and pass 1's stems ----------------------------------------------------


def test_part_store_that_cannot_write_reports_once_and_stops(tmp_path):
    (tmp_path / "file").write_text("x")
    seen: list[OSError] = []
    store = parts.Store(tmp_path / "file" / "segments", seen.append)
    tail = np.zeros(4, np.float32)
    store.put_edges("a" * 40, tail, tail)
    store.put_edges("b" * 40, tail, tail)
    assert len(seen) == 1 and seen[0].errno in (errno.ENOTDIR, errno.EEXIST)
    assert store.edges("a" * 40) is None


def test_stems_that_do_not_fit_are_mixed_again(small_tmpfs):
    spill = parts.Spill(small_tmpfs)
    blocks = [Stems(np.full((44100, 1), 0.25, np.float32), None) for _ in range(20)]  # 1.7 MB as float16
    passed = list(spill.keep(0, iter(blocks)))
    assert len(passed) == 20 and all(a is b for a, b in zip(passed, blocks))  # every block went on
    assert spill.stems(0, 1) is None  # pass 2 mixes this part again
    assert list(small_tmpfs.iterdir()) == []  # the partial files are gone, and their space with them
    small = [Stems(np.full((100, 1), 0.5, np.float32), None)]
    list(spill.keep(1, iter(small)))
    kept = list(spill.stems(1, 1))
    assert np.array_equal(kept[0].voice, parts.Spill.rounded(small[0]).voice)


def test_stems_go_to_the_system_temp_folder_when_the_cache_is_a_file(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    with scratch.stems_folder(Cache(tmp_path / "file")) as folder:
        assert folder is not None and folder.parent == tmp_path / "tmp" and folder.is_dir()
    assert not folder.exists()


def test_no_place_for_the_stems_means_none_not_a_failure(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "file"))  # the system's temp folder is a file too
    with scratch.stems_folder(Cache(tmp_path / "file")) as folder:
        assert folder is None
    spill = parts.Spill(folder)
    blocks = [Stems(np.ones((10, 1), np.float32), None)]
    assert list(spill.keep(0, iter(blocks))) == blocks and spill.stems(0, 1) is None
    assert (tmp_path / "file").read_text() == "x"
