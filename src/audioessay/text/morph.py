"""Word classes from the Kiwi morphological analyser (kiwipiepy, Apache-2.0), loaded lazily.

Only the counter and pronunciation rules that cheap context cannot settle call this;
`import audioessay.text.morph` itself does not import kiwipiepy. One analyser per
process, built on first use under a lock (loading takes a few seconds and ~100 MB).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any, NamedTuple

_LOCK = threading.Lock()
_KIWI: Any = None


class Morph(NamedTuple):
    form: str
    tag: str  # Sejong tag: NNG noun, NNB bound noun, NR numeral, SN digits, VV verb, VA adjective, ...
    start: int
    end: int


def analyser() -> Any:
    """The process's one Kiwi instance (built on first call; thread-safe)."""
    global _KIWI
    if _KIWI is None:
        with _LOCK:
            if _KIWI is None:
                from kiwipiepy import Kiwi  # type: ignore[import-untyped]

                _KIWI = Kiwi()
    return _KIWI


@lru_cache(maxsize=4096)
def analyse(sentence: str) -> tuple[Morph, ...]:
    """Morphemes of `sentence` with their tags and character offsets."""
    kiwi = analyser()
    with _LOCK:  # Kiwi.tokenize is not documented as re-entrant
        tokens = kiwi.tokenize(sentence)
    return tuple(Morph(t.form, t.tag, t.start, t.start + t.len) for t in tokens)


def loaded() -> bool:
    return _KIWI is not None
