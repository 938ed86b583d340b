"""`audioessay check` rows about balance: the loudness range, and whether a music-only
intro or outro is near the programme (a listener should not reach for the volume)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from audioessay.export.id3 import ChapterTag
from audioessay.mix.timeline import INTRO, OUTRO
from audioessay.publish.ebur128 import measure_file

if TYPE_CHECKING:
    from audioessay.publish.check import Row

MAX_RANGE_LU = 10.0  # spoken word wider than this is hard to follow in a car or on a train
MAX_MUSIC_GAP_LU = 10.0  # a music-only part further under the programme is flagged
MUSIC_ONLY = {INTRO: "intro", OUTRO: "outro"}  # by the chapter titles assembly gives them


def balance_rows(path: str | Path, chapters: Sequence[ChapterTag], programme_lufs: float) -> list[Row]:
    from audioessay.publish.check import Row

    path = Path(path)
    _, _, lra = measure_file(path)
    rows = [Row("loudness range", f"{lra:.1f} LU", "pass" if lra <= MAX_RANGE_LU else "warn",
                f"at most {MAX_RANGE_LU:g} LU for speech" + ("" if lra <= MAX_RANGE_LU else
                                                             "; the level swings: check the music levels"))]
    for chap in chapters:
        name = MUSIC_ONLY.get(chap.title)
        if name is None or chap.end_ms <= chap.start_ms:
            continue
        lufs, _, _ = measure_file(path, chap.start_ms, chap.end_ms - chap.start_ms)
        below = programme_lufs - lufs
        fine = math.isfinite(below) and below <= MAX_MUSIC_GAP_LU
        note = f"at most {MAX_MUSIC_GAP_LU:g} LU under the programme"
        if not fine:
            note += "; raise music.solo" if math.isfinite(below) else "; it is silent"
        rows.append(Row(f"{name} music", f"{lufs:.1f} LUFS", "pass" if fine else "warn", note))
    return rows
