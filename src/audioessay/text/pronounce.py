"""Spoken Korean -> the way it sounds, for engines that read Hangul letter by letter.

espeak-ng reads 입니다, 신라, 학교 as written. This module applies the standard
pronunciation rules (표준 발음법) to the spoken form, so 입니다 -> 임니다. Only the
espeak engine needs it; gTTS and edge receive the spoken form unchanged.

Each rule is a pure ``str -> str`` step in ``STEPS`` and works on pairs of
adjacent syllables split into their letters (initial, vowel, final). The order
follows 표준 발음법: tensing after the attributive -ㄹ (할 수), palatalization,
the ㅎ rules, linking, the final-sound rule, lateralization, nasalization and
tensing. Rules that change sound across a word boundary in connected speech
(nasalization: 밥 먹어 -> 밤 머거; the final-sound rule) look over a single space;
the others stay inside a word. Not covered: ㄴ insertion in compounds (꽃잎
[꼰닙]), tensing in Sino-Korean ㄹ+ㄷㅅㅈ (갈등 [갈뜽]) and after verb stems in
ㄴ/ㅁ (신고 [신꼬]); those need a dictionary, not a letter rule.
"""

from __future__ import annotations

from collections.abc import Callable

# --- data -------------------------------------------------------------------

INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
          "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
VOWEL_I = 20  # ㅣ

# A double final before a vowel: the second letter moves to the next syllable (닭이 -> 달기).
LINK_DOUBLE = {"ㄳ": ("ㄱ", "ㅆ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄺ": ("ㄹ", "ㄱ"), "ㄻ": ("ㄹ", "ㅁ"),
               "ㄼ": ("ㄹ", "ㅂ"), "ㄽ": ("ㄹ", "ㅆ"), "ㄾ": ("ㄹ", "ㅌ"), "ㄿ": ("ㄹ", "ㅍ"),
               "ㅄ": ("ㅂ", "ㅆ")}
# Final letters that can stand as an initial when linked (ㅇ and ㅎ cannot).
LINKABLE = set(INITIALS) - {"ㅇ", "ㅎ"}

# The seven final sounds (음절의 끝소리 규칙) before a consonant.
NEUTRAL = {"ㄲ": "ㄱ", "ㅋ": "ㄱ", "ㄳ": "ㄱ", "ㄺ": "ㄱ", "ㅅ": "ㄷ", "ㅆ": "ㄷ", "ㅈ": "ㄷ", "ㅊ": "ㄷ",
           "ㅌ": "ㄷ", "ㅎ": "ㄷ", "ㅍ": "ㅂ", "ㄿ": "ㅂ", "ㅄ": "ㅂ", "ㄵ": "ㄴ", "ㄶ": "ㄴ", "ㄻ": "ㅁ",
           "ㄼ": "ㄹ", "ㄽ": "ㄹ", "ㄾ": "ㄹ", "ㅀ": "ㄹ"}

ASPIRATED = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅈ": "ㅊ", "ㅂ": "ㅍ", "ㅅ": "ㅆ"}
TENSE = {"ㄱ": "ㄲ", "ㄷ": "ㄸ", "ㅂ": "ㅃ", "ㅅ": "ㅆ", "ㅈ": "ㅉ"}
NASAL = {"ㄱ": "ㅇ", "ㄷ": "ㄴ", "ㅂ": "ㅁ"}
# A final with ㅎ, and what is left when the ㅎ goes.
WITH_H = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}
# A final that merges with a following ㅎ into an aspirate: (what stays, new initial).
BEFORE_H = {"ㄱ": ("", "ㅋ"), "ㄷ": ("", "ㅌ"), "ㅅ": ("", "ㅌ"), "ㅈ": ("", "ㅊ"), "ㅊ": ("", "ㅊ"),
            "ㅌ": ("", "ㅌ"), "ㅂ": ("", "ㅍ"), "ㄺ": ("ㄹ", "ㅋ"), "ㄼ": ("ㄹ", "ㅍ"), "ㄵ": ("ㄴ", "ㅊ")}

Syllable = list  # [initial, vowel index, final]
Rule = Callable[[str, str, int], tuple[str, str]]  # (final, next initial, next vowel) -> new pair


# --- letters ------------------------------------------------------------------


def _split(ch: str) -> Syllable | None:
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return None
    lead, rest = divmod(code, 588)
    vowel, tail = divmod(rest, 28)
    return [INITIALS[lead], vowel, FINALS[tail]]


def _join(s: Syllable) -> str:
    return chr(0xAC00 + INITIALS.index(s[0]) * 588 + s[1] * 28 + FINALS.index(s[2]))


def _apply(text: str, rule: Rule, across_space: bool = False) -> str:
    """Run `rule` on every pair of adjacent syllables (and over one space if allowed)."""
    chars: list[str | Syllable] = [_split(c) or c for c in text]
    for i in range(len(chars) - 1):
        a = chars[i]
        if not isinstance(a, list) or not a[2]:
            continue
        j = i + 1
        if across_space and chars[j] == " " and j + 1 < len(chars):
            j += 1
        b = chars[j]
        if isinstance(b, list):
            a[2], b[0] = rule(a[2], b[0], b[1])
    return "".join(_join(c) if isinstance(c, list) else c for c in chars)


# --- rules, in the order they apply ------------------------------------------------


def _h_rule(final: str, initial: str, vowel: int) -> tuple[str, str]:
    if final in WITH_H:
        rest = WITH_H[final]
        if initial in "ㄱㄷㅈㅅ":
            return rest, ASPIRATED[initial]  # 좋다 -> 조타, 많고 -> 만코, 닿소 -> 다쏘
        if initial == "ㄴ":
            return (rest or "ㄴ"), "ㄴ"  # 놓는 -> 논는, 않네 -> 안네
        if initial == "ㅇ":
            return rest, initial  # 좋아 -> 조아, 많이 -> 만이 (linked next)
    if initial == "ㅎ" and final in BEFORE_H:
        return BEFORE_H[final]  # 국화 -> 구콰, 입학 -> 이팍, 밝히다 -> 발키다
    return final, initial


def h_rules(text: str) -> str:
    """격음화 and ㅎ 탈락: 좋다 -> 조타, 국화 -> 구콰, 좋아 -> 조아, 놓는 -> 논는."""
    return _apply(text, _h_rule)


def _palatal(final: str, initial: str, vowel: int) -> tuple[str, str]:
    if vowel == VOWEL_I:
        if initial == "ㅇ" and final in ("ㄷ", "ㅌ", "ㄾ"):
            return {"ㄷ": ("", "ㅈ"), "ㅌ": ("", "ㅊ"), "ㄾ": ("ㄹ", "ㅊ")}[final]
        if initial == "ㅎ" and final == "ㄷ":
            return "", "ㅊ"  # 닫히다 -> 다치다
    return final, initial


def palatalize(text: str) -> str:
    """구개음화: 같이 -> 가치, 굳이 -> 구지, 닫히다 -> 다치다."""
    return _apply(text, _palatal)


def _link(final: str, initial: str, vowel: int) -> tuple[str, str]:
    if initial != "ㅇ":
        return final, initial
    if final in LINK_DOUBLE:
        return LINK_DOUBLE[final]
    if final in LINKABLE:
        return "", final
    return final, initial


def link(text: str) -> str:
    """연음: a final moves onto a following vowel: 먹었어 -> 머거써, 닭이 -> 달기, 값을 -> 갑쓸."""
    return _apply(text, _link)


def _neutral(final: str, initial: str, vowel: int) -> tuple[str, str]:
    if initial != "ㅇ" and final in NEUTRAL:
        # Verb stems ending in a double final tense the next consonant; ㄺ before ㄱ
        # keeps ㄹ (맑게 -> 말께), ㄼ keeps ㄹ (넓다 -> 널따), ㄻ/ㄵ their nasal (젊다 -> 점따).
        if final == "ㄺ" and initial == "ㄱ":
            return "ㄹ", "ㄲ"
        if final in ("ㄼ", "ㄾ", "ㄻ", "ㄵ") and initial in TENSE:
            return NEUTRAL[final], TENSE[initial]
        return NEUTRAL[final], initial
    return final, initial


def final_sounds(text: str) -> str:
    """음절의 끝소리 규칙 before a consonant: 꽃다발 -> 꼳다발, 닭도 -> 닥도, 몇 명 -> 멷 명."""
    return _apply(text, _neutral, across_space=True)


def _nasal(final: str, initial: str, vowel: int) -> tuple[str, str]:
    if initial == "ㄹ" and final in ("ㅁ", "ㅇ"):
        return final, "ㄴ"  # 종로 -> 종노, 침략 -> 침냑
    if initial == "ㄹ" and final in NASAL:
        return NASAL[final], "ㄴ"  # 국립 -> 궁닙, 협력 -> 혐녁
    if initial in ("ㄴ", "ㅁ") and final in NASAL:
        return NASAL[final], initial  # 입니다 -> 임니다, 국물 -> 궁물, 받는 -> 반는
    return final, initial


def nasalize(text: str) -> str:
    """비음화: 입니다 -> 임니다, 국물 -> 궁물, 종로 -> 종노, 밥 먹어 -> 밤 먹어 (over a space too)."""
    return _apply(text, _nasal, across_space=True)


def _lateral(final: str, initial: str, vowel: int) -> tuple[str, str]:
    if (final, initial) in (("ㄴ", "ㄹ"), ("ㄹ", "ㄴ")):
        return "ㄹ", "ㄹ"
    return final, initial


def lateralize(text: str) -> str:
    """유음화: 신라 -> 실라, 연락 -> 열락, 설날 -> 설랄."""
    return _apply(text, _lateral)


def _tense(final: str, initial: str, vowel: int) -> tuple[str, str]:
    if final in ("ㄱ", "ㄷ", "ㅂ") and initial in TENSE:
        return final, TENSE[initial]
    return final, initial


def tense(text: str) -> str:
    """경음화 after ㄱ ㄷ ㅂ finals: 학교 -> 학꾜, 먹다 -> 먹따, 읻다 -> 읻따."""
    return _apply(text, _tense)


# Bound nouns after a future attributive -ㄹ: their first consonant is tense (할 수 -> 할 쑤).
BOUND_NOUNS = ("수", "것", "거", "게", "데", "적", "줄", "걸", "곳", "듯")


def tense_after_attributive(text: str) -> str:
    """경음화 after the attributive -ㄹ (표준 발음법 제27항): 할 수 -> 할 쑤, 갈 곳 -> 갈 꼿.

    Runs first, while the bound noun is still spelled as written."""
    chars = list(text)
    for i in range(len(chars) - 2):
        before, after = _split(chars[i]), _split(chars[i + 2])
        if (chars[i + 1] == " " and before and before[2] == "ㄹ" and after
                and text.startswith(BOUND_NOUNS, i + 2) and after[0] in TENSE):
            after[0] = TENSE[after[0]]
            chars[i + 2] = _join(after)
    return "".join(chars)


STEPS: list[Callable[[str], str]] = [
    tense_after_attributive,  # first: it looks for the bound noun as written (곳, not 고시)
    palatalize,  # before h_rules: 닫히다 is [다치다], not [다티다]
    h_rules,
    link,
    final_sounds,
    lateralize,  # before nasalize: ㄴ+ㄹ is [ㄹㄹ] (신라), not [ㄴㄴ]
    nasalize,
    tense,
]


def pronounce(spoken: str, steps: list[Callable[[str], str]] | None = None) -> str:
    """Spoken form -> standard pronunciation spelled in Hangul, for espeak-ng.

    Non-Hangul characters pass through unchanged; a second run may change more
    (rules are not idempotent by nature: 먹다 -> 먹따 is stable, but apply once).
    """
    if steps is None:
        from .pronounce_words import word_rules  # word-level rules first (ㄴ 첨가, 한자어 ㄹ 경음화, 겹받침)

        spoken = word_rules(spoken)
    for step in STEPS if steps is None else steps:
        spoken = step(spoken)
    return spoken
