"""Episodes rendered as Dask tasks (batch/cluster.py) on a LocalCluster.

In-process clusters (processes=False) run tasks on threads of this process, so the fake
engine registered here is seen; the killed-worker test needs worker processes, and espeak."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from distributed import LocalCluster  # noqa: E402

from audioessay.batch import cluster, jobs  # noqa: E402
from audioessay.config.engines import EngineSpec  # noqa: E402
from audioessay.speech import engines  # noqa: E402
from conftest import FakeVoice  # noqa: E402

from test_batch import audible_seconds, script  # noqa: E402


MARK = "둘째"  # in the second sentence of every fake_script


def fake_script(folder: Path, name: str, engine: str = "fake", sentences: int = 2) -> Path:
    words = ["첫째", MARK, "셋째", "넷째", "다섯째", "여섯째"]
    text = " ".join(f"{name.split('.')[0]} 의 {words[i]} 문장입니다." for i in range(sentences))
    p = folder / name
    p.write_text(f"title: {name}\nvoice:\n  engine: {engine}\nsections:\n  - title: a\n    text: {text}\n",
                 encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def threads_cluster():
    with LocalCluster(n_workers=1, threads_per_worker=3, processes=False, dashboard_address=None) as c:
        yield c


def test_three_scripts_stream_back(tmp_path, fake_engine, threads_cluster):
    paths = [fake_script(tmp_path, f"ep{i}.yaml") for i in range(3)]
    order: list[str] = []

    class Seen(jobs.Progress):
        def finished(self, outcome):
            order.append(outcome.script.name)

    work = jobs.with_defaults([jobs.Job(p, cache_dir=tmp_path / "c") for p in paths])
    outcomes = cluster.run(work, threads_cluster.scheduler_address, Seen())
    assert [o.script.name for o in outcomes] == ["ep0.yaml", "ep1.yaml", "ep2.yaml"]
    assert all(o.status == jobs.RENDERED and o.engine == "fake" for o in outcomes)
    assert sorted(order) == ["ep0.yaml", "ep1.yaml", "ep2.yaml"]  # each reported once, as it finished
    for p in paths:
        assert audible_seconds(p.with_suffix(".mp3")) > 1.0


def test_engine_failure_is_retried_by_the_scheduler(tmp_path, fake_engine, threads_cluster):
    p = fake_script(tmp_path, "flaky.yaml")
    fake_engine.fail_on = MARK
    real = fake_engine.synthesize

    def fail_once(text, cancelled=None):
        try:
            return real(text, cancelled)
        finally:
            if fake_engine.fail_on and fake_engine.fail_on in text:
                fake_engine.fail_on = None

    fake_engine.synthesize = fail_once
    [outcome] = cluster.run(jobs.with_defaults([jobs.Job(p, cache_dir=tmp_path / "c")]),
                            threads_cluster.scheduler_address, retries=1)
    assert outcome.status == jobs.RENDERED, fake_engine.calls
    assert sum(MARK in c for c in fake_engine.calls) == 2  # failed, then retried

    fake_engine.fail_on = "첫째"  # fails every time: the last failure is the outcome, exit 3
    fake_engine.synthesize = real
    [outcome] = cluster.run(jobs.with_defaults([jobs.Job(p, cache_dir=tmp_path / "c", force=True, no_cache=True)]),
                            threads_cluster.scheduler_address, retries=1)
    assert outcome.status == jobs.FAILED and outcome.exit_code == 3
    assert "told to fail" in outcome.error


@pytest.mark.parametrize("cap", [1, None])
def test_engine_concurrency_caps_episodes_per_online_engine(tmp_path, fake_engine, threads_cluster, cap):
    lock, active, most = threading.Lock(), set(), [0]
    real = fake_engine.synthesize

    def slow(text, cancelled=None):
        episode = text.split()[0]
        with lock:
            active.add(episode)
            most[0] = max(most[0], len(active))
        time.sleep(0.05)
        with lock:
            active.discard(episode)
        return real(text, cancelled)

    fake_engine.synthesize = slow
    engines.register(EngineSpec(name="fakeonline", doc="test", settings=FakeVoice, online=True,
                                create=lambda voice, group: fake_engine, native_rate=16000))
    try:
        paths = [fake_script(tmp_path, f"on{i}.yaml", "fakeonline", sentences=6) for i in range(3)]
        outcomes = cluster.run(jobs.with_defaults([jobs.Job(p, cache_dir=tmp_path / "c") for p in paths]),
                               threads_cluster.scheduler_address, engine_concurrency=cap)
    finally:
        engines.unregister("fakeonline")
    assert all(o.status == jobs.RENDERED for o in outcomes), outcomes
    if cap:
        assert most[0] == 1
    else:
        assert most[0] >= 2  # the control: without a cap the episodes do overlap


def test_a_worker_killed_mid_task_is_retried(tmp_path, monkeypatch):
    """jobs.KILL_ONCE_ENV (test-only) makes the first attempt at 'kill-once.yaml' end its worker
    process with os._exit; the nanny starts a new worker and the scheduler runs the task again."""
    marker = tmp_path / "killed"
    monkeypatch.setenv(jobs.KILL_ONCE_ENV, str(marker))  # the worker processes inherit it
    paths = [script(tmp_path, "kill-once.yaml"), script(tmp_path, "other.yaml", "다른 이야기입니다.")]
    outcomes = cluster.run(jobs.with_defaults([jobs.Job(p, cache_dir=tmp_path / "c") for p in paths]), "local:2")
    assert marker.exists()  # the first attempt did kill its worker
    assert [o.status for o in outcomes] == [jobs.RENDERED, jobs.RENDERED]
    assert audible_seconds(tmp_path / "kill-once.mp3") > 1.0


def test_bad_local_count_is_exit_2(tmp_path):
    from audioessay.errors import InputError

    with pytest.raises(InputError, match="local:N"):
        cluster.run([jobs.Job(tmp_path / "x.yaml")], "local:zero")


def test_ctrl_c_with_a_local_cluster_leaves_no_partial_file(tmp_path):
    """A terminal's Ctrl-C reaches the command and its LocalCluster workers at once. The
    workers ended their event loops with a traceback while the render threads were writing,
    leaving .part files; and Dask's INFO lines were printed without -v."""
    import os
    import signal
    import subprocess
    import sys

    long_text = " ".join(f"이것은 {i} 번째 문장으로, 조금 길게 이어지는 이야기입니다." for i in range(80))
    paths = [script(tmp_path, f"long{i}.yaml", long_text + f" 끝 {i}.") for i in range(3)]
    proc = subprocess.Popen([sys.executable, "-m", "audioessay", "render", *map(str, paths), "--scheduler", "local:2",
                             "--cache-dir", str(tmp_path / "cache")], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not list(tmp_path.glob(".*.part")) and proc.poll() is None:
        time.sleep(0.05)  # until a render is writing its MP3
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "Scheduler at:" not in err and "Start Nanny at" not in err, err  # Dask's INFO lines: -v only
    time.sleep(0.3)
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]
    for mp3 in tmp_path.glob("*.mp3"):  # an episode that finished before the Ctrl-C is whole
        assert audible_seconds(mp3) > 5.0
