"""Symbols a narrator does not read as written: bullets, arrows, unit powers, Greek letters.

Also math variables.

- Bullets and arrows at the start of a line (▶ ■ ※ → • ◆ ★ ✓ ...) are dropped; between
  words the geometric shapes and arrows are a pause (서울 → 부산 -> 서울, 부산): a comma,
  not 에서, because the arrow means "then" or "becomes" as often as "to". None of them
  reaches the engine.
- A power written on a unit after a number is the unit's area or volume name: 30m² ->
  30제곱미터, 5cm³ -> 5세제곱센티미터, m²당 -> 제곱미터당 (read_powers does the other powers:
  x² -> x 제곱).
- Greek letters are named: πr² -> 파이 r 제곱 (and read_math then names r: 파이 알 제곱);
  Ω is the ohm (10Ω -> 10옴).
- In a sentence about math, a lone lowercase letter glued to a particle is a variable
  (x가 -> 엑스가), and a number before the copula 일 (때, 경우, 수록 ...) is read with it,
  not as a day: -3일 때 -> 마이너스 삼일 때. A negative number is never a day, so -3일 때
  is a copula even without other math words.

Pure ``str -> str`` steps for ``normalize.STEPS``.
"""

from __future__ import annotations

import re

from .common import HANGUL, NUMBER, space_before
from .lexicon import LETTER_NAMES
from .numbers import read_decimal, sino
from .scores import attach

BULLETS = "▶▷►▸▹◀◁◂◃■□▪▫◆◇◈●○◎◉•◦‣⁃※★☆✓✔✗✘❖➤➔➜➢→⇒⟶↳▣▤▥▦▧▨▩◐◑◘◙☞☛♣♠♥♦♡❤"
_LINE_BULLET = re.compile(rf"^([ \t]*)[{BULLETS}](?:[ \t]*[{BULLETS}])*[ \t]*", re.M)
# Between words: geometric shapes (U+25A0-U+25FF), arrows (U+2190-U+21FF, U+27F0-U+27FF), dingbat arrows.
_MID_SYMBOL = re.compile(rf"\s*[\u25a0-\u25ff\u2190-\u21ff\u27f0-\u27ff\u2794-\u27bf{BULLETS}]+\s*")

_UNIT_NAMES = {"km": "킬로미터", "cm": "센티미터", "mm": "밀리미터", "m": "미터", "dm": "데시미터"}
_UNIT_POWER = re.compile(r"(?<![A-Za-z])(km|cm|mm|dm|m)([²³])(?![A-Za-z0-9²³])([가-힣]*)")

GREEK = {"Ω": "옴", "π": "파이", "θ": "세타", "α": "알파", "β": "베타", "γ": "감마", "δ": "델타", "Δ": "델타",
         "λ": "람다", "σ": "시그마", "Σ": "시그마", "ω": "오메가", "ε": "엡실론", "φ": "파이", "ρ": "로",
         "τ": "타우", "η": "에타"}
_GREEK = re.compile("[" + "".join(GREEK) + "]")

# Math words that make a sentence one about math.
_MATH_WORDS = re.compile(r"값|함수|방정식|부등식|정수|자연수|실수|좌표|대입|그래프|기울기|[＝=<>≤≥]|[a-z]\s?[+×÷-]"
                         r"|(?<![가-힣])(?:엑스|와이|제트)[가는의를을]")  # x가, already named by an earlier step
_VARIABLE = re.compile(rf"(?<![A-Za-z0-9.@/_\-'’])([a-z])(?=[{HANGUL}])")
_COPULA = re.compile(rf"(?<![\d.,])(-?)({NUMBER})일(?=\s?(?:때|경우|수록|지라도|지도|지|까|텐데|테니|뿐|리가|거야|걸))(?!\s?때문)")
_MONTH_BEFORE = re.compile(r"월\s?$")


def read_bullets(text: str) -> str:
    """A bullet or arrow opening a line is dropped (▶ 오늘의 주제 -> 오늘의 주제); elsewhere a shape
    or arrow is a pause: 서울 → 부산 -> 서울, 부산. Runs while line breaks are still there."""
    text = _LINE_BULLET.sub(lambda m: m.group(1), text)
    return _MID_SYMBOL.sub(", ", text)


def read_unit_powers(text: str) -> str:
    """30m² -> 30제곱미터, 5cm³ -> 5세제곱센티미터, 100km² -> 100제곱킬로미터 (before read_powers);
    without a number before it a unit power is read so only before 당 (m²당 가격)."""
    def spoken(m: re.Match[str]) -> str:
        after_number = bool(re.search(r"[\d만천억조] ?$", m.string[max(0, m.start() - 2): m.start()]))
        if not after_number and not m.group(3).startswith("당"):
            return m.group(0)
        power = "제곱" if m.group(2) == "²" else "세제곱"
        return space_before(m.string, m.start()) + attach(power + _UNIT_NAMES[m.group(1)], m.group(3))
    return _UNIT_POWER.sub(spoken, text)


def read_greek(text: str) -> str:
    """Greek letters by their names: πr² -> 파이 r 제곱, θ -> 세타."""
    def spoken(m: re.Match[str]) -> str:
        gap = " " if re.match(r"[A-Za-z0-9]", m.string[m.end():m.end() + 1]) else ""
        return space_before(m.string, m.start()) + GREEK[m.group(0)] + gap
    return _GREEK.sub(spoken, text)


def _copula(m: re.Match[str]) -> str:
    if _MONTH_BEFORE.search(m.string[max(0, m.start() - 4): m.start()]):
        return m.group(0)  # 5월 3일 때: a date
    sign, number = m.groups()
    spoken = read_decimal(number) if "." in number else sino(int(number.replace(",", "")))
    return space_before(m.string, m.start()) + ("마이너스 " if sign else "") + spoken + "일"


def read_math_variables(text: str) -> str:
    """In a sentence about math: x가 -3일 때 -> 엑스가 마이너스 삼일 때, y의 값 -> 와이의 값.
    Outside math only a negative or decimal number before 일 때 is read so (-5일 때 -> 마이너스 오일 때),
    as no day is negative or a fraction before 때."""
    math = bool(_MATH_WORDS.search(text)) or bool(_VARIABLE.search(text))
    if math:
        text = _VARIABLE.sub(lambda m: space_before(m.string, m.start()) + LETTER_NAMES[m.group(1).upper()], text)
    return _COPULA.sub(lambda m: _copula(m) if math or m.group(1) or "." in m.group(2) else m.group(0), text)
