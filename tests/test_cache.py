"""Tests for the per-utterance audio cache."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from pydub import AudioSegment

from audioessay.speech import cache as cache_mod
from audioessay.speech.cache import CACHE_ENV, Cache, cache_key, default_cache_dir, parse_age

BASE = dict(engine="espeak", engine_version="1.51", settings={"voice": "ko", "speed": 1.0}, text="안녕하세요.")


def make_audio(seconds: float = 2.0, rate: int = 22050, seed: int = 0) -> AudioSegment:
    # Noise, not a tone: every sample differs, so any lost or shifted byte shows.
    rng = np.random.default_rng(seed)
    samples = rng.integers(-32768, 32767, int(seconds * rate), dtype=np.int16)
    return AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=rate, channels=1)


def key(**changes) -> str:
    args = {**BASE, **changes}
    return cache_key(args["engine"], args["engine_version"], args["settings"], args["text"])


def entry_path(root: Path, k: str) -> Path:
    return root / k[:2] / f"{k}.aec"


def all_files(root: Path) -> list[Path]:
    """Every file but the cache-directory tag."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p != root / "CACHEDIR.TAG")


# -- keys ------------------------------------------------------------------


def test_key_is_sha256_hex():
    k = key()
    assert len(k) == 64 and all(c in "0123456789abcdef" for c in k)


@pytest.mark.parametrize(
    "change",
    [
        {"engine": "gtts"},
        {"engine_version": "1.52"},
        {"text": "안녕하세요!"},
        {"text": "안녕하세요. "},
        {"settings": {"voice": "ko", "speed": 1.1}},
        {"settings": {"voice": "en", "speed": 1.0}},
        {"settings": {"voice": "ko", "speed": 1.0, "slow": True}},
        {"settings": {"voice": "ko", "speed": 1.0, "tld": "co.kr"}},
        {"settings": {"voice": "ko"}},
    ],
)
def test_key_changes_with_every_input(change):
    assert key(**change) != key()


def test_key_distinguishes_setting_values():
    base = {"tld": "com", "slow": False}
    assert key(settings={**base, "tld": "co.kr"}) != key(settings=base)
    assert key(settings={**base, "slow": True}) != key(settings=base)


def test_key_is_stable_across_dict_order():
    a = {"voice": "ko", "speed": 1.0, "tld": "co.kr", "slow": False}
    b = dict(reversed(list(a.items())))
    assert list(a) != list(b)
    assert key(settings=a) == key(settings=b)


def test_key_fields_do_not_run_together():
    assert cache_key("ab", "c", {}, "x") != cache_key("a", "bc", {}, "x")


# -- roundtrip ----------------------------------------------------------------


@pytest.mark.parametrize("rate", [22050, 24000])
def test_put_get_roundtrip_is_sample_exact(tmp_path, rate):
    c = Cache(tmp_path)
    audio = make_audio(rate=rate)
    k = key()
    c.put(k, audio)
    got = c.get(k)
    assert got is not None
    assert got.raw_data == audio.raw_data
    assert (got.frame_rate, got.channels, got.sample_width) == (rate, 1, 2)
    assert entry_path(tmp_path, k).is_file()


def test_roundtrip_of_empty_and_stereo_audio(tmp_path):
    c = Cache(tmp_path)
    empty = AudioSegment.silent(duration=0, frame_rate=22050)
    stereo = AudioSegment.from_mono_audiosegments(make_audio(0.5, seed=1), make_audio(0.5, seed=2))
    c.put(key(text="a"), empty)
    c.put(key(text="b"), stereo)
    assert c.get(key(text="a")).raw_data == b""
    got = c.get(key(text="b"))
    assert got.channels == 2 and got.raw_data == stereo.raw_data


def test_silence_is_stored_compressed(tmp_path):
    c = Cache(tmp_path)
    k = key()
    c.put(k, AudioSegment.silent(duration=5000, frame_rate=22050))
    assert entry_path(tmp_path, k).stat().st_size < 5 * 22050 * 2 / 50


def test_hits_and_misses_are_counted(tmp_path):
    c = Cache(tmp_path)
    assert c.get(key()) is None
    c.put(key(), make_audio(0.2))
    assert c.get(key()) is not None
    assert c.get(key()) is not None
    assert (c.hits, c.misses) == (2, 1)


def test_bad_key_is_refused(tmp_path):
    c = Cache(tmp_path)
    with pytest.raises(ValueError, match="64 lowercase hex"):
        c.get("../../etc/passwd")
    with pytest.raises(ValueError):
        c.put("ABC", make_audio(0.1))


# -- corruption --------------------------------------------------------------


@pytest.fixture
def stored(tmp_path):
    c = Cache(tmp_path)
    k = key()
    c.put(k, make_audio(1.0))
    return c, k, entry_path(tmp_path, k)


def assert_discarded(c: Cache, k: str, path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="audioessay.speech.cache"):
        assert c.get(k) is None
    assert not path.exists()
    assert any(r.levelno == logging.WARNING and "corrupt" in r.getMessage() for r in caplog.records)
    assert c.misses == 1 and c.hits == 0


@pytest.mark.parametrize("keep", [0, 10, 60, -1])
def test_truncated_entry_is_discarded(stored, caplog, keep):
    c, k, path = stored
    data = path.read_bytes()
    path.write_bytes(data[:keep] if keep >= 0 else data[:-1])
    assert_discarded(c, k, path, caplog)


def test_flipped_payload_byte_is_discarded(stored, caplog):
    c, k, path = stored
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert_discarded(c, k, path, caplog)


def test_swapped_valid_payload_fails_checksum(stored, caplog):
    # zlib's own Adler-32 catches most flips; a well-formed foreign stream of the
    # same size gets past zlib, so only the header's checksum can catch it.
    c, k, path = stored
    data = path.read_bytes()
    header_size = len(data) - len(zlib.compress(make_audio(1.0).raw_data, 6))
    other = zlib.compress(make_audio(1.0).raw_data[::-1], 6)
    assert len(other) == len(data) - header_size
    path.write_bytes(data[:header_size] + other)
    assert_discarded(c, k, path, caplog)


def test_wrong_magic_is_discarded(stored, caplog):
    c, k, path = stored
    data = path.read_bytes()
    path.write_bytes(b"RIFF" + data[4:])
    assert_discarded(c, k, path, caplog)


def test_wrong_frame_count_is_discarded(stored, caplog):
    c, k, path = stored
    data = bytearray(path.read_bytes())
    data[12] ^= 0x01  # low byte of the frame count (after magic, version, ch, width, rate)
    path.write_bytes(bytes(data))
    assert_discarded(c, k, path, caplog)


def test_extra_trailing_bytes_are_discarded(stored, caplog):
    c, k, path = stored
    path.write_bytes(path.read_bytes() + b"\0")
    assert_discarded(c, k, path, caplog)


def test_entry_can_be_rewritten_after_corruption(stored):
    c, k, path = stored
    path.write_bytes(b"junk")
    assert c.get(k) is None
    c.put(k, make_audio(1.0))
    assert c.get(k).raw_data == make_audio(1.0).raw_data


# -- modes ----------------------------------------------------------------


def test_disabled_cache_never_stores_or_reads(tmp_path):
    Cache(tmp_path).put(key(), make_audio(0.2))
    c = Cache(tmp_path / "off", enabled=False)
    c.put(key(), make_audio(0.2))
    assert not (tmp_path / "off").exists()
    assert c.get(key()) is None
    # A disabled cache ignores entries that do exist.
    assert Cache(tmp_path, enabled=False).get(key()) is None


def test_refresh_ignores_existing_entries_but_put_replaces_them(tmp_path):
    k = key()
    old, new = make_audio(0.5, seed=1), make_audio(0.5, seed=2)
    Cache(tmp_path).put(k, old)
    c = Cache(tmp_path, refresh=True)
    assert c.get(k) is None
    assert c.misses == 1
    c.put(k, new)
    assert c.get(k) is None  # still refreshing within this run
    assert Cache(tmp_path).get(k).raw_data == new.raw_data


# -- concurrency ------------------------------------------------------------


def _put_many(root: str, k: str, seed: int, rounds: int) -> None:
    c = Cache(Path(root))
    audio = make_audio(1.0, seed=seed)
    for _ in range(rounds):
        c.put(k, audio)


def _expected_audios(seeds) -> set[bytes]:
    return {make_audio(1.0, seed=s).raw_data for s in seeds}


def test_concurrent_thread_puts_of_same_key(tmp_path):
    k = key()
    errors: list[BaseException] = []

    def worker(seed):
        try:
            _put_many(str(tmp_path), k, seed, 20)
        except BaseException as e:  # noqa: BLE001 - report any failure to the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    got = Cache(tmp_path).get(k)
    assert got is not None and got.raw_data in _expected_audios(range(8))
    assert all_files(tmp_path) == [entry_path(tmp_path, k)]


def test_concurrent_process_puts_of_same_key(tmp_path):
    k = key()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_put_many, args=(str(tmp_path), k, s, 30)) for s in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    got = Cache(tmp_path).get(k)
    assert got is not None and got.raw_data in _expected_audios(range(4))
    assert all_files(tmp_path) == [entry_path(tmp_path, k)]


def test_no_temp_files_left_after_puts(tmp_path):
    c = Cache(tmp_path)
    keys = [key(text=str(i)) for i in range(20)]
    for k in keys:
        c.put(k, make_audio(0.1))
    assert all_files(tmp_path) == sorted(entry_path(tmp_path, k) for k in keys)


def test_failed_put_leaves_nothing_warns_once_and_stops_writing(tmp_path, monkeypatch, caplog):
    import errno

    c = Cache(tmp_path)
    calls = []

    def full(self, data):
        calls.append(self)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with caplog.at_level(logging.WARNING, logger="audioessay"):
        assert c.put(key(), make_audio(0.1)) is False
        assert c.put(key(text="둘"), make_audio(0.1)) is False  # not tried: the first failure stopped writing
        c.put_words(key(), [(0, 10, "가")])
    monkeypatch.undo()
    assert all_files(tmp_path) == [] and len(calls) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [f"cannot write the cache {tmp_path} (No space left on device); this render goes on "
                        "without caching; free some space, or choose another folder with --cache-dir (or --no-cache)"]
    assert c.trouble == warnings[0] and not c.writable
    c.start_render()  # the next render tries again
    assert c.writable and c.put(key(), make_audio(0.1)) and c.get(key()) is not None


def test_cache_folder_that_is_a_file_reads_as_misses_and_warns_once(tmp_path, caplog):
    folder = tmp_path / "somefile"
    folder.write_bytes(b"the user's file")
    c = Cache(folder)
    with caplog.at_level(logging.INFO, logger="audioessay"):
        assert c.get(key()) is None and c.read(key()) is None and c.get_words(key()) == ()
        assert c.put(key(), make_audio(0.1)) is False
        assert c.put(key(text="둘"), make_audio(0.1)) is False
    assert [r.getMessage() for r in caplog.records] == [
        f"cannot write the cache {folder} (a file is where a folder should be); this render goes on without "
        "caching; move that file away, or choose another folder with --cache-dir (or --no-cache)"]
    assert folder.read_bytes() == b"the user's file"
    assert (c.hits, c.misses) == (0, 1)


def test_a_folder_in_the_cache_path_that_is_a_file_is_the_same_warning(tmp_path, caplog):
    (tmp_path / "somefile").write_text("x")
    c = Cache(tmp_path / "somefile" / "cache")
    with caplog.at_level(logging.WARNING, logger="audioessay"):
        assert c.get(key()) is None and c.put(key(), make_audio(0.1)) is False
    assert len(caplog.records) == 1 and "a file is where a folder should be" in caplog.text


def test_failures_from_many_threads_warn_once(tmp_path, caplog):
    import errno

    c = Cache(tmp_path)
    with caplog.at_level(logging.WARNING, logger="audioessay"):
        threads = [threading.Thread(target=c.failed, args=(OSError(errno.EROFS, "Read-only file system"),))
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(caplog.records) == 1 and "(Read-only file system)" in caplog.text
    assert "make it writable" in caplog.text


# -- maintenance --------------------------------------------------------------


def test_info_counts_entries_and_bytes(tmp_path):
    c = Cache(tmp_path / "cache")
    empty = c.info()
    assert (empty.entries, empty.total_bytes, empty.oldest, empty.newest) == (0, 0, None, None)
    assert empty.root == tmp_path / "cache"

    keys = [key(text=str(i)) for i in range(5)]
    for i, k in enumerate(keys):
        c.put(k, make_audio(0.2 * (i + 1), seed=i))
    old = time.time() - 3 * 86400
    os.utime(entry_path(c.root, keys[0]), (old, old))
    (c.root / keys[1][:2] / "stray.txt").write_text("not an entry")

    info = c.info()
    assert info.entries == 5
    assert info.total_bytes == sum(entry_path(c.root, k).stat().st_size for k in keys)
    assert info.oldest.timestamp() == pytest.approx(old, abs=1)
    assert info.newest.timestamp() == pytest.approx(time.time(), abs=60)
    assert info.oldest < info.newest


def test_clear_removes_all_entries(tmp_path):
    c = Cache(tmp_path)
    for i in range(4):
        c.put(key(text=str(i)), make_audio(0.1))
    assert c.clear() == 4
    assert c.info().entries == 0
    assert all_files(tmp_path) == []
    assert c.clear() == 0
    assert Cache(tmp_path / "missing").clear() == 0


def test_prune_removes_old_and_keeps_fresh(tmp_path):
    c = Cache(tmp_path)
    old_k, fresh_k = key(text="old"), key(text="fresh")
    c.put(old_k, make_audio(0.1))
    c.put(fresh_k, make_audio(0.1))
    old = time.time() - 40 * 86400
    os.utime(entry_path(tmp_path, old_k), (old, old))

    assert c.prune(parse_age("30d")) == 1
    assert not entry_path(tmp_path, old_k).exists()
    assert entry_path(tmp_path, fresh_k).exists()
    assert c.prune(parse_age("30d")) == 0


def test_get_touches_mtime_so_prune_keeps_used_entries(tmp_path):
    c = Cache(tmp_path)
    k = key()
    c.put(k, make_audio(0.1))
    path = entry_path(tmp_path, k)
    old = time.time() - 40 * 86400
    os.utime(path, (old, old))
    assert c.get(k) is not None
    assert path.stat().st_mtime > time.time() - 60
    assert c.prune(parse_age("30d")) == 0


def test_prune_removes_stale_temp_files_only(tmp_path):
    c = Cache(tmp_path)
    c.put(key(), make_audio(0.1))
    folder = entry_path(tmp_path, key()).parent
    stale, live = folder / f".{key()}.aec.abc.part", folder / f".{key()}.aec.def.part"  # atomic_path's names
    stale.write_bytes(b"half")
    live.write_bytes(b"half")
    old = time.time() - 2 * 86400
    os.utime(stale, (old, old))
    assert c.prune(parse_age("30d")) == 0  # temp files are never counted
    assert not stale.exists() and live.exists()
    assert c.info().entries == 1


def test_prune_refuses_negative_age(tmp_path):
    with pytest.raises(ValueError, match="negative"):
        Cache(tmp_path).prune(-1)


# -- parse_age -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("30d", 30 * 86400),
        ("12h", 12 * 3600),
        ("90m", 90 * 60),
        ("45s", 45),
        ("2w", 14 * 86400),
        ("0s", 0),
        ("1.5h", 5400),
        (" 7D ", 7 * 86400),
    ],
)
def test_parse_age_good(text, seconds):
    assert parse_age(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "d", "30x", "-5d", "3 days", "1e3s", "30d12h", "∞d"])
def test_parse_age_bad(text):
    with pytest.raises(ValueError, match=r"invalid age .*s, m, h, d or w"):
        parse_age(text)


# -- default_cache_dir --------------------------------------------------------


def test_default_cache_dir_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"


def test_default_cache_dir_without_env(monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    d = default_cache_dir()
    assert d.is_absolute() and "audioessay" in d.parts[-2:] + (d.name,)
    monkeypatch.setenv(CACHE_ENV, "")
    assert default_cache_dir() == d


def test_format_constants_are_sane():
    assert cache_mod.ZLIB_LEVEL == 6
    assert len(cache_mod.MAGIC) == 4


# -- hostile folders and entries (issue 16) ---------------------------------------


def test_first_put_marks_the_folder_with_a_cachedir_tag(tmp_path):
    c = Cache(tmp_path / "c")
    assert not c.is_marked()
    c.put(key(), make_audio(0.1))
    tag = (tmp_path / "c" / "CACHEDIR.TAG").read_text()
    assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55") and "audioessay" in tag
    assert c.is_marked()


def test_clear_refuses_a_folder_that_is_not_our_cache(tmp_path):
    k = key()
    lookalike = entry_path(tmp_path, k)
    lookalike.parent.mkdir()
    lookalike.write_bytes(b"someone else's file")
    (tmp_path / "notes.txt").write_text("keep")
    with pytest.raises(cache_mod.InputError, match=r"not an audioessay cache \(no CACHEDIR.TAG from audioessay\), "
                                                   r"so nothing was removed; check --cache-dir"):
        Cache(tmp_path).clear()
    with pytest.raises(cache_mod.InputError, match="not an audioessay cache"):
        Cache(tmp_path).prune(0)
    assert lookalike.read_bytes() == b"someone else's file" and (tmp_path / "notes.txt").exists()
    # another tool's CACHEDIR.TAG is not ours either
    (tmp_path / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n# made by ccache\n")
    with pytest.raises(cache_mod.InputError, match="not an audioessay cache"):
        Cache(tmp_path).clear()


def test_clear_removes_only_files_named_like_entries(tmp_path):
    c = Cache(tmp_path)
    k = key()
    c.put(k, make_audio(0.1))
    folder = entry_path(tmp_path, k).parent
    strays = [folder / "readme.aec", folder / ("0" * 64 + ".aec"), tmp_path / "zz" / (k + ".aec"),
              folder / ".x.aec.abc.part", tmp_path / "photo.jpg"]
    for p in strays:
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(b"x")
    assert c.clear() == 1
    assert not entry_path(tmp_path, k).exists()
    assert all(p.exists() for p in strays)  # 0000….aec sits in the wrong fan-out folder


def test_entry_copied_over_another_is_a_miss(tmp_path, caplog):
    c = Cache(tmp_path)
    k1, k2 = key(text="하나"), key(text="둘")
    c.put(k1, make_audio(0.5, seed=1))
    c.put(k2, make_audio(0.5, seed=2))
    entry_path(tmp_path, k2).write_bytes(entry_path(tmp_path, k1).read_bytes())
    with caplog.at_level(logging.WARNING, logger="audioessay.speech.cache"):
        assert c.get(k2) is None
    assert "belongs to key" in caplog.text and not entry_path(tmp_path, k2).exists()
    assert c.get(k1).raw_data == make_audio(0.5, seed=1).raw_data


def test_old_format_entry_is_a_miss(tmp_path):
    c = Cache(tmp_path)
    k = key()
    c.put(k, make_audio(0.1))
    data = bytearray(entry_path(tmp_path, k).read_bytes())
    data[4:6] = (1).to_bytes(2, "little")
    entry_path(tmp_path, k).write_bytes(bytes(data))
    assert c.get(k) is None and not entry_path(tmp_path, k).exists()


def test_fifo_as_entry_is_a_miss_not_a_hang(tmp_path):
    c = Cache(tmp_path)
    k = key()
    path = entry_path(tmp_path, k)
    path.parent.mkdir()
    os.mkfifo(path)
    assert c.get(k) is None  # opening it for reading without O_NONBLOCK would wait for a writer
    assert not path.exists()
    c.put(k, make_audio(0.1))
    assert c.get(k) is not None


def test_tilde_in_cache_dir_is_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(CACHE_ENV, "~/x")
    assert default_cache_dir() == tmp_path / "x"
    assert Cache(Path("~/y")).root == tmp_path / "y"


def test_cli_cache_dir_from_env_with_tilde(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from audioessay.cli import cli

    monkeypatch.setenv("HOME", str(tmp_path))
    Cache(tmp_path / "x").put(key(), make_audio(0.1))
    result = CliRunner().invoke(cli, ["cache", "info"], env={CACHE_ENV: "~/x"})
    assert result.exit_code == 0 and f"{tmp_path / 'x'}: 1 entries" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_cache_clear_is_one_line_error(tmp_path):
    _read_only_clear(tmp_path)


def _read_only_clear(tmp_path):
    c = Cache(tmp_path)
    c.put(key(), make_audio(0.1))
    folder = entry_path(tmp_path, key()).parent
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(cache_mod.InputError, match=r"cannot clean the cache .*\(Permission denied\); "
                                                       r"it must be a folder you may write to"):
            c.clear()
    finally:
        os.chmod(folder, 0o755)


def test_read_only_cache_clear_as_root_via_failing_unlink(tmp_path, monkeypatch):
    # root may delete anything, so simulate the read-only folder at the system call
    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    c = Cache(tmp_path)
    c.put(key(), make_audio(0.1))
    monkeypatch.setattr(cache_mod.os, "unlink", refuse)
    with pytest.raises(cache_mod.InputError,
                       match=r"^cannot clean the cache .*\(Permission denied\); it must be a folder you may write to "
                             r"\(a read-only cache cannot be cleaned\): fix it or choose another with --cache-dir$"):
        c.prune(0)


def test_cache_on_a_read_only_filesystem_clear_is_one_line_error(tmp_path):
    import shutil
    import subprocess

    mount = tmp_path / "ro"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        c = Cache(mount)
        c.put(key(), make_audio(0.1))
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        with pytest.raises(cache_mod.InputError, match=r"^cannot clean the cache .*\(Read-only file system\); "
                                                       r"it must be a folder you may write to"):
            Cache(mount).clear()
        assert Cache(mount).get(key()) is not None  # reading still works
    finally:
        subprocess.run(["umount", str(mount)], check=False)
