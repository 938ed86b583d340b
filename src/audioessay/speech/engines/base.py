"""The one small interface every TTS engine implements, and the bounded concurrency they share.

(The registry is config/engines.py.)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from audioessay.config.engines import EngineSpec, register, registered, unregister  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from pydub import AudioSegment

T = TypeVar("T")


class Engine:
    """Turns spoken Korean text into audio (mono, 16-bit, at the engine's own rate).

    `name`, `version` and `settings()` go into cache keys and the episode digest:
    anything that changes the sound must appear in them.
    """

    name = "engine"
    version = "0"
    concurrency = 1  # texts voiced at once by synthesize_many

    def settings(self) -> Mapping[str, object]:
        return {}

    def identity(self) -> dict[str, object]:
        """What names this voice exactly: recorded in the MP3, part of the digest."""
        return {"name": self.name, "version": self.version, **self.settings()}

    def words(self, text: str) -> tuple[tuple[int, int, str], ...]:
        """Word timings (start_ms, end_ms, word) of the last audio made for `text`, on that
        audio's own clock, for engines that report them (edge); () otherwise."""
        return ()

    def prepare(self, spoken: str) -> str:
        """The text this engine is sent for `spoken` (an engine may respell it for itself)."""
        return spoken

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        raise NotImplementedError

    def synthesize_many(self, texts: Sequence[str],
                        on_result: Callable[[int, AudioSegment], None]) -> None:
        """Synthesize every text; call `on_result(index, audio)` (in this thread) as each
        finishes. Results may arrive out of order when `concurrency` > 1."""
        run_bounded(texts, self.synthesize, self.concurrency, on_result)


def run_bounded(texts: Sequence[str], work: Callable[[str, threading.Event], T], concurrency: int,
                on_result: Callable[[int, T], None]) -> None:
    """Call `work(text, cancelled)` for every text, at most `concurrency` at once, and hand
    each result to `on_result(index, result)` in the calling thread.

    On the first error (or Ctrl-C in the calling thread) `cancelled` is set, queued texts
    are dropped, and the error is raised at once. Workers are daemon threads: a request
    still in flight never keeps the process alive after it has given up.
    """
    if concurrency <= 1 or len(texts) <= 1:
        cancelled = threading.Event()
        for i, text in enumerate(texts):
            on_result(i, work(text, cancelled))
        return
    cancelled = threading.Event()
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(texts)):
        todo.put(i)
    done: queue.SimpleQueue[tuple[int, Any, BaseException | None]] = queue.SimpleQueue()

    def worker() -> None:
        while not cancelled.is_set():
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((i, work(texts[i], cancelled), None))
            except BaseException as exc:  # handed to the calling thread, raised there
                done.put((i, None, exc))
                return

    threads = [threading.Thread(target=worker, daemon=True, name=f"engine-{n}")
               for n in range(min(concurrency, len(texts)))]
    for t in threads:
        t.start()
    try:
        for _ in range(len(texts)):
            while True:
                try:
                    i, result, error = done.get(timeout=0.2)  # a timeout keeps Ctrl-C responsive
                    break
                except queue.Empty:
                    if not any(t.is_alive() for t in threads) and done.empty():
                        raise RuntimeError("engine workers stopped without a result") from None
            if error is not None:
                raise error
            on_result(i, result)
    finally:
        cancelled.set()
