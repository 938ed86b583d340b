"""Hanja read in Hangul from the packaged table data/hanja.txt, with 두음법칙 at a word's start.

The table (27,497 characters) is derived from Unicode's Unihan readings; its source and
how it was made are in scripts/gen_hanja_table.py. It is read on the first Hanja seen,
so text without Hanja never loads it. The rules match what the `hanja` package did
(audioessay used it before): 두음법칙 on the first syllable of a Hanja run (勞動 -> 노동,
理由 -> 이유), and 렬/률 -> 열/율 after a vowel or ㄴ inside a run (規律 -> 규율).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

# Initial-letter index shifts of 두음법칙: ㄴ -> ㅇ (녀 뇨 뉴 니), ㄹ -> ㅇ (랴 려 례 료 류 리),
# ㄹ -> ㄴ (라 래 로 뢰 루 르), given as the syllable without its final.
_TO_IEUNG_FROM_N = "녀뇨뉴니"
_TO_IEUNG_FROM_R = "랴려례료류리"
_TO_N_FROM_R = "라래로뢰루르"


@cache
def table() -> dict[str, str]:
    """Every Hanja character -> its Hangul syllable (read once, on first use)."""
    text = files("audioessay.text").joinpath("data/hanja.txt").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            reading, chars = line.split("\t")
            out.update(dict.fromkeys(chars, reading))
    return out


def _shift(syllable: str, offset: int) -> str:
    return chr(ord(syllable) + offset * 588)  # 588 = 21 vowels x 28 finals per initial


def _head(syllable: str) -> str:
    """The syllable without its final: 력 -> 려."""
    code = ord(syllable) - 0xAC00
    return chr(0xAC00 + code - code % 28)


def _initial_rule(syllable: str) -> str:
    head = _head(syllable)
    if head in _TO_IEUNG_FROM_N:
        return _shift(syllable, 9)
    if head in _TO_IEUNG_FROM_R:
        return _shift(syllable, 6)
    if head in _TO_N_FROM_R:
        return _shift(syllable, -3)
    return syllable


def read_run(run: str) -> str:
    """A run of Hanja in Hangul: 人生 -> 인생, 來日 -> 내일, 旋律 -> 선율; unknown characters stay."""
    readings = table()
    out: list[str] = []
    for char in run:
        reading = readings.get(char)
        if reading is None:
            out.append(char)
            continue
        previous = out[-1] if out else ""
        if not previous or not previous.isalnum():
            reading = _initial_rule(reading)
        elif reading in ("렬", "률") and "가" <= previous <= "힣" and (ord(previous) - 0xAC00) % 28 in (0, 4):
            reading = _shift(reading, 6)  # 렬 -> 열, 률 -> 율 after a vowel or ㄴ
        out.append(reading)
    return "".join(out)
