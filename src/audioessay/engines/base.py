"""The one small interface every TTS engine implements."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pydub import AudioSegment


class Engine:
    """Turns spoken Korean text into audio (mono, 16-bit, at the engine's own rate).

    `name`, `version` and `settings()` go into cache keys: anything that changes
    the sound must appear in them.
    """

    name = "engine"
    version = "0"

    def settings(self) -> Mapping[str, object]:
        return {}

    def synthesize(self, text: str) -> AudioSegment:
        raise NotImplementedError

    def synthesize_many(self, texts: Sequence[str],
                        on_result: Callable[[int, AudioSegment], None]) -> None:
        """Synthesize every text; call `on_result(index, audio)` as each finishes.

        Engines that can work in parallel override this; results may arrive out of order.
        """
        for i, text in enumerate(texts):
            on_result(i, self.synthesize(text))
