"""Many scripts in one command (batch/local.py through `audioessay render A B ... -j N`).

The process-pool tests run the real command in a subprocess with the espeak engine (worker
processes do not see an in-process fake), on scripts of a sentence or two."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from audioessay.batch import jobs, local, table
from audioessay.cli import cli
from audioessay.dsp.decode import decode_mp3
from audioessay.speech.cache import SUFFIX, decode_entry

CMD = [sys.executable, "-m", "audioessay"]


def script(folder: Path, name: str, text: str = "안녕하세요. 오늘은 짧은 이야기입니다.") -> Path:
    p = folder / name
    p.write_text(f"title: {p.stem}\nvoice:\n  engine: espeak\nsections:\n  - title: 하나\n    text: {text}\n",
                 encoding="utf-8")
    return p


def run(args: list, cwd: Path, cache: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, "render", *map(str, args), "--cache-dir", str(cache)], cwd=cwd,
                          capture_output=True, text=True, timeout=120, **kw)


def audible_seconds(mp3: Path) -> float:
    """Seconds of audio in the MP3, after checking it is not silence."""
    samples = decode_mp3(mp3.read_bytes(), 44100)
    assert float(np.sqrt(np.mean(samples ** 2))) > 0.01, f"{mp3} is silent"
    return len(samples) / 44100


def test_one_broken_script_others_render_and_exit_2(tmp_path):
    a, b = script(tmp_path, "a.yaml"), script(tmp_path, "b.yaml", "두 번째 이야기입니다.")
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nvoice:\n  engine: espeak\nsections:\n  - title: 하나\n    text: ''\n", encoding="utf-8")
    proc = run([a, bad, b, "-j", "2"], tmp_path, tmp_path / "cache")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:2] == ["episode", "result"]
    bad_row = next(line for line in lines if "bad.yaml " in line)
    assert " failed " in bad_row and "bad.yaml:6: sections[0].text:" in bad_row
    assert sum(" rendered " in line for line in lines) == 2
    for mp3 in (tmp_path / "a.mp3", tmp_path / "b.mp3"):
        assert audible_seconds(mp3) > 1.0
    assert not (tmp_path / "bad.mp3").exists()
    assert "3 episodes: 2 rendered, 1 failed" in proc.stdout


def test_quiet_names_each_failure_once(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nvoice:\n  engine: espeak\nsections:\n  - title: 하나\n    text: ''\n", encoding="utf-8")
    good = script(tmp_path, "good.yaml")
    proc = run([good, bad, "-q"], tmp_path, tmp_path / "cache")
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"error: {bad}:6: sections[0].text:") and line.count(str(bad)) == 1, line


def test_second_run_is_up_to_date(tmp_path):
    names = [script(tmp_path, f"{n}.yaml", f"{n} 이야기입니다.") for n in "xy"]
    assert run([*names, "-j", "2"], tmp_path, tmp_path / "cache").returncode == 0
    proc = run([*names, "-j", "2"], tmp_path, tmp_path / "cache")
    assert proc.returncode == 0
    assert proc.stdout.count(" up to date  ") == 2 and "2 episodes: 2 up to date" in proc.stdout


def test_two_commands_overlapping_scripts_one_cache(tmp_path):
    texts = {n: f"{n} 번 이야기입니다. 같은 캐시를 씁니다." for n in "abcd"}
    paths = {n: script(tmp_path, f"{n}.yaml", t) for n, t in texts.items()}
    cache = tmp_path / "cache"
    procs = [subprocess.Popen([*CMD, "render", *(str(paths[n]) for n in names), "-j", "2", "--cache-dir", str(cache)],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for names in ("abc", "bcd")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    lengths = {n: audible_seconds(tmp_path / f"{n}.mp3") for n in "abcd"}
    assert all(s > 1.0 for s in lengths.values())
    entries = [p for p in cache.rglob(f"*{SUFFIX}")]
    assert entries
    for entry in entries:
        decode_entry(entry.read_bytes(), entry.name.removesuffix(SUFFIX))  # raises when damaged
    # The same script rendered alone comes out the same length (to the frame).
    alone = tmp_path / "alone"
    alone.mkdir()
    script(alone, "b.yaml", texts["b"])
    assert run([alone / "b.yaml"], alone, tmp_path / "cache2").returncode == 0
    assert abs(audible_seconds(alone / "b.mp3") - lengths["b"]) < 0.03


@pytest.mark.parametrize("whole_group", [False, True], ids=["command-only", "terminal"])
def test_ctrl_c_during_a_batch_leaves_no_partial_mp3(tmp_path, whole_group):
    long_text = " ".join(f"이것은 {i} 번째 문장으로, 조금 길게 이어지는 이야기입니다." for i in range(80))
    paths = [script(tmp_path, f"long{i}.yaml", long_text + f" 끝 {i}.") for i in range(4)]
    proc = subprocess.Popen([*CMD, "render", *map(str, paths), "-j", "2", "--cache-dir", str(tmp_path / "cache")],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(".*.part")) and proc.poll() is None:
        time.sleep(0.05)  # until a render is writing its MP3
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    if whole_group:  # as a terminal's Ctrl-C does: the command and every worker at once
        os.killpg(proc.pid, signal.SIGINT)
    else:  # the command only: it must stop its workers itself
        proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert time.monotonic() - started < 10
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    for mp3 in tmp_path.glob("*.mp3"):  # a render that finished before the Ctrl-C is whole
        assert audible_seconds(mp3) > 5.0
    time.sleep(0.3)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # no worker wrote on after


def test_output_with_several_scripts_is_exit_2(tmp_path):
    a, b = script(tmp_path, "a.yaml"), script(tmp_path, "b.yaml")
    result = CliRunner().invoke(cli, ["render", str(a), str(b), "-o", str(tmp_path / "x.mp3")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "-o/--output" in result.output


def test_episodes_of_a_show(tmp_path, monkeypatch):
    from audioessay.batch.show import episode_scripts

    (tmp_path / "eps").mkdir()
    for n in ("1", "2"):
        script(tmp_path / "eps", f"ep{n}.yaml")
    show = tmp_path / "show.yaml"
    show.write_text("title: s\nepisodes: eps/*.mp3\n", encoding="utf-8")
    assert [p.name for p in episode_scripts(show)] == ["ep1.yaml", "ep2.yaml"]
    show.write_text("title: s\nepisodes:\n  - eps/none.mp3\n", encoding="utf-8")
    try:
        episode_scripts(show)
    except Exception as exc:
        assert "show.yaml:3" in str(exc) and "none.mp3" in str(exc)
    else:
        raise AssertionError("a listed episode without a script must be an error")


def test_serial_in_process_with_the_fake_engine(tmp_path, fake_engine):
    good = tmp_path / "g.yaml"
    good.write_text("title: g\nvoice:\n  engine: fake\nsections:\n  - title: a\n    text: 안녕하세요.\n", encoding="utf-8")
    bad = tmp_path / "b.yaml"
    bad.write_text("title: [\n", encoding="utf-8")
    seen: list[str] = []

    class Seen(jobs.Progress):
        def finished(self, outcome):
            seen.append(outcome.status)

    outcomes = local.run(jobs.with_defaults([jobs.Job(good, cache_dir=tmp_path / "c"), jobs.Job(bad)]), 1, Seen())
    assert [o.status for o in outcomes] == ["rendered", "failed"] == seen
    assert outcomes[0].duration_ms > 500 and outcomes[0].engine == "fake"
    assert outcomes[1].error.startswith(f"{bad}:2: YAML syntax error") and outcomes[1].exit_code == 2
    assert jobs.exit_code(outcomes) == 2


def test_table_and_exit_code():
    ok = jobs.Outcome(Path("a.yaml"), jobs.RENDERED, Path("a.mp3"), 65_000, "espeak", -16.04, 1.25)
    up = jobs.Outcome(Path("long-name.yaml"), jobs.UP_TO_DATE, Path("l.mp3"), engine="espeak", seconds=0.1)
    bad = jobs.Outcome(Path("b.yaml"), jobs.FAILED, error="b.yaml:3: x: wrong", exit_code=2)
    eng = jobs.Outcome(Path("c.yaml"), jobs.FAILED, error="engine down", exit_code=3)
    lines = table.table([ok, up, bad]).splitlines()
    assert lines[1].split() == ["a.yaml", "rendered", "1:05", "espeak", "-16.0", "LUFS", "1.2", "s"]
    assert lines[3].endswith("b.yaml:3: x: wrong")
    assert lines[0].index("result") == lines[2].index("up to date")
    assert jobs.exit_code([ok, up]) == 0 and jobs.exit_code([ok, bad, eng]) == 3
    assert table.progress_line(20, 3, 2, 1) == "3/20 done, 2 running, 1 failed"
    assert table.totals([ok, bad], 2.0) == "2 episodes: 1 rendered, 1 failed in 2.0 s"


def test_default_workers_bounded_by_jobs_cores_and_memory(monkeypatch):
    monkeypatch.setattr(local, "cores", lambda: 8)
    monkeypatch.setattr(local, "available_memory", lambda: 3 * local.PEAK_BYTES + 1)
    assert local.default_workers(100) == 3
    assert local.default_workers(2) == 2
    monkeypatch.setattr(local, "available_memory", lambda: 0)
    assert local.default_workers(5) == 1
    monkeypatch.setattr(local, "available_memory", lambda: None)
    assert local.default_workers(100) == 8


def test_error_names_the_script_as_the_episode_column_does(tmp_path, monkeypatch):
    # Jobs carry absolute paths (for the workers); the error's file:line was shown absolute
    # next to a relative episode name.
    monkeypatch.chdir(tmp_path)
    bad = jobs.Outcome(tmp_path / "b.yaml", jobs.FAILED, error=f"{tmp_path / 'b.yaml'}:3: x: wrong", exit_code=2)
    other = jobs.Outcome(tmp_path / "c.yaml", jobs.FAILED, error=f"{tmp_path / 'music.ogg'}: cannot be read",
                         exit_code=2)
    lines = table.table([bad, other]).splitlines()
    assert lines[1].split()[0] == "b.yaml" and lines[1].endswith("  b.yaml:3: x: wrong")
    assert lines[2].endswith(f"  {tmp_path / 'music.ogg'}: cannot be read")  # another file: as it was


def test_ctrl_c_stops_the_batch_when_the_command_ignores_sigint(tmp_path):
    # Started with SIGINT ignored (`audioessay render ... &` in a script), the command did not
    # see a Ctrl-C sent to its group, its workers did: they stopped their episodes and the
    # pool went on to render the rest before exiting 130.
    long_text = " ".join(f"이것은 {i} 번째 문장으로, 조금 길게 이어지는 이야기입니다." for i in range(80))
    paths = [script(tmp_path, f"long{i}.yaml", long_text + f" 끝 {i}.") for i in range(4)]
    proc = subprocess.Popen([*CMD, "render", *map(str, paths), "-j", "2", "--cache-dir", str(tmp_path / "cache")],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(".*.part")) and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    writing = {p.name.split(".")[1] for p in tmp_path.glob(".*.part")}
    os.killpg(proc.pid, signal.SIGINT)
    started = time.monotonic()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert time.monotonic() - started < 10
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert not (tmp_path / "long2.mp3").exists() and not (tmp_path / "long3.mp3").exists(), (writing, out)
