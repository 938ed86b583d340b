"""The embedded espeak-ng voice: real synthesis, measured."""

import numpy as np

from audioessay.dsp.convert import to_float
from audioessay.speech.engines.espeak import EspeakEngine


def rms_db(seg) -> float:
    x = to_float(seg)
    return 20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-12)


def test_speaks_korean_non_silent():
    audio = EspeakEngine().synthesize("안녕하세요. 반갑습니다.")
    assert audio.frame_rate == 22050 and audio.channels == 1 and audio.sample_width == 2
    assert 800 < len(audio) < 5000  # ms
    assert rms_db(audio) > -35


def test_length_grows_with_text():
    e = EspeakEngine()
    short = e.synthesize("사랑")
    longer = e.synthesize("사랑은 누군가에게 의존하는 감정이 아니라 자신을 이해하는 데서 비롯된다.")
    assert len(longer) > 3 * len(short)


def test_speed_changes_duration_and_settings():
    text = "인공지능과 감정, 무엇이 진짜인가?"
    normal, fast = EspeakEngine(1.0), EspeakEngine(1.5)
    assert len(fast.synthesize(text)) < 0.85 * len(normal.synthesize(text))
    assert normal.settings() != fast.settings()
    assert normal.version.startswith("1.")


def texts(n: int) -> list[str]:
    """Texts of very different lengths, so a result handed to the wrong index shows."""
    return ["사랑" if i % 3 == 0 else f"이것은 {i}번째 문장이다, 그리고 조금 더 길게 말한다." * (i % 3)
            for i in range(n)]


def test_pool_gives_every_result_in_script_order():
    from audioessay.speech.engines import espeak

    many = texts(espeak._POOL_MIN_TEXTS + 5)
    seen: list[int] = []
    pooled: dict[int, int] = {}
    EspeakEngine(workers=2).synthesize_many(many, lambda i, a: (seen.append(i), pooled.__setitem__(i, len(a))))
    assert seen == list(range(len(many)))
    alone = {i: len(EspeakEngine(workers=1).synthesize(t)) for i, t in enumerate(many[:9])}
    for i, ms in alone.items():  # espeak varies by a few ms between calls, not more
        assert abs(pooled[i] - ms) < 0.05 * ms + 20, (i, pooled[i], ms)


POOL_SCRIPT = r"""
import sys
from audioessay.speech.engines.espeak import EspeakEngine
texts = [f"이것은 {i}번째 문장이다, 사랑은 자신을 이해하는 데서 비롯된다." for i in range(3000)]
def got(i, audio):
    if i == 8:
        print("started", flush=True)
try:
    EspeakEngine(workers=2).synthesize_many(texts, got)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


def children(pid: int) -> set[int]:
    from pathlib import Path

    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def test_ctrl_c_stops_the_pool_at_once():
    """Ctrl-C in a terminal reaches the whole process group: no worker may print a
    traceback, the main process exits 130, and the workers are gone within 2 s."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    proc = subprocess.Popen([sys.executable, "-c", POOL_SCRIPT], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout.readline().strip() == "started"
    workers = children(proc.pid)
    assert len(workers) >= 2  # the pool really runs
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130 and "interrupted" in out, (out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    deadline = time.monotonic() + 2
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]


def workers_of(pid: int) -> set[int]:
    """The espeak worker processes `pid` has started (by their command line)."""
    from pathlib import Path

    found = set()
    for child in children(pid):
        try:
            if b"espeak" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(child)
        except OSError:
            pass
    return found


def gone(pid: int) -> bool:
    """Not running: no such process, or a zombie (dead, not reaped yet)."""
    from pathlib import Path

    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def test_workers_give_the_same_audio_every_time():
    """Each batch goes to the same worker in every render: espeak's output depends a little
    on what it spoke before, so a free-for-all pool gave slightly different samples."""
    from audioessay.speech.engines import espeak

    many = texts(espeak._POOL_MIN_TEXTS * 2)
    runs = []
    for _ in range(2):
        got: dict[int, bytes] = {}
        EspeakEngine(workers=2).synthesize_many(many, lambda i, a: got.__setitem__(i, a.raw_data))
        runs.append(got)
    assert sorted(runs[0]) == list(range(len(many)))
    assert runs[0] == runs[1]


def test_no_worker_outlives_its_work():
    """After the last result the workers have exited and been reaped (no zombie)."""
    import os
    from pathlib import Path

    from audioessay.speech.engines import espeak

    seen: set[int] = set()

    def got(i, audio):
        if i == 8:
            seen.update(workers_of(os.getpid()))

    EspeakEngine(workers=2).synthesize_many(texts(espeak._POOL_MIN_TEXTS + 5), got)
    assert len(seen) == 2
    assert not [w for w in seen if Path(f"/proc/{w}").exists()]


def test_an_error_kills_the_workers_at_once():
    """An error in the caller's hands (here on_result's) stops everything: the error comes
    out, every worker is killed and reaped before it does, long before its queue is done."""
    import os
    import time
    from pathlib import Path

    import pytest

    seen: set[int] = set()
    raised: list[float] = []

    def got(i, audio):
        if i == 8:
            seen.update(workers_of(os.getpid()))
            raised.append(time.monotonic())
            raise ValueError("stop here")

    with pytest.raises(ValueError, match="stop here"):
        EspeakEngine(workers=2).synthesize_many(texts(400), got)
    assert time.monotonic() - raised[0] < 1  # the workers' queued batches take seconds
    assert len(seen) == 2
    assert not [w for w in seen if Path(f"/proc/{w}").exists()]


def test_a_worker_that_dies_is_an_engine_error():
    """A worker killed from outside (the OOM killer, say) is a clear error, not a hang."""
    import os
    import signal

    import pytest

    from audioessay.errors import EngineError

    def got(i, audio):
        if i == 8:
            os.kill(min(workers_of(os.getpid())), signal.SIGKILL)

    with pytest.raises(EngineError, match="worker process stopped unexpectedly"):
        EspeakEngine(workers=2).synthesize_many(texts(400), got)
    assert not workers_of(os.getpid())


ORPHAN_SCRIPT = r"""
from audioessay.speech.engines.espeak import EspeakEngine
long = "사랑은 누군가에게 의존하는 감정이 아니라 자신을 이해하는 데서 비롯된다. " * 48
texts = [f"{i}번째. " + long for i in range(64)]  # a batch of 4 takes seconds
def got(i, audio):
    if i == 0:
        print("started", flush=True)
EspeakEngine(workers=2).synthesize_many(texts, got)
"""


def test_workers_die_with_their_parent():
    """A main process killed outright (SIGKILL: no clean-up runs) takes its workers with it
    at once, in the middle of their batches, instead of leaving them to finish."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    workers: set[int] = set()
    try:
        assert proc.stdout.readline().strip() == "started"
        workers = workers_of(proc.pid)
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
        deadline = time.monotonic() + 0.3  # their batch would take them seconds more
        while not all(gone(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert all(gone(w) for w in workers), [w for w in workers if not gone(w)]
    finally:  # a failure must not leave processes behind for the next tests
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for w in workers:
            if not gone(w):
                os.kill(w, signal.SIGKILL)
