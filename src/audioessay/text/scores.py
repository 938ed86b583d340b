"""Scores written with a colon (2:1로 이겼다, 0:3 완패) told apart from clock times (3:10 출발).

`N:M` is a score when the words around it are about a match: a result word glued to it
or right after it (완패, 승리, 무승부), 로/으로 followed by a win/lose verb (3:10으로 졌다),
or a match word shortly before it (세트 스코어 3:2에서). A time word before it (오후,
새벽), or 에 after it (3:10에 시작), keeps it a time for read_times. The particle after a
score is chosen for the spoken form: 3:10로 -> 삼 대 십으로, 2:1으로 -> 이 대 일로.

Pure ``str -> str``; runs before read_times.
"""

from __future__ import annotations

import re

from .common import HANGUL, space_before
from .numbers import sino

_COLON_PAIR = re.compile(rf"(?<![\d:.,])(\d{{1,3}}):(\d{{1,3}})(?!,\d)(?![\d:]|\.\d)(?P<word>[{HANGUL}]*)")
# A result word glued to the pair or right after it.
_RESULT = re.compile(r"^\s?(?:완승|완패|대승|대패|신승|석패|승리|패배|무승부|역전|스코어|동점|리드"
                     r"|[승패](?=[을를이가의로으]|\s|$|[,.!?]))")
# A win/lose verb (or result noun) a few words after 로/으로.
_VERB = re.compile(r"(?<![가-힣])(?:이기|이겼|이긴|이겨|졌|지고|져서|비기|비겼|비긴)|패배|패했|패하|승리|완승|완패|대승|대패|무승부"
                   r"|역전|앞서|앞섰|뒤졌|뒤진|꺾|제압|눌렀|승부")
# A word shortly before the pair that makes it a score by itself, and match words that do so
# unless a time word follows (경기는 7:30에 시작: a time).
_SCORE_BEFORE = re.compile(r"스코어|세트|점수|전적|득점")
_MATCH_BEFORE = re.compile(r"경기|전반|후반|결승|대결|맞대결|라운드|이닝|쿼터|리그|상대로|원정")
_TIME_WORDS = re.compile(r"시작|출발|도착|개막|킥오프|시각|예정|일정")
_TIME_AFTER = re.compile(r"^[가-힣]*\s?(?:[가-힣]+\s)?(?:시작|출발|도착|개막|킥오프|열린|열리|예정|부터|까지|마감|개시|시에)")
_TIME_BEFORE = re.compile(r"(?:오전|오후|새벽|아침|저녁|밤|낮|정오|매일|시각|시간)\s?$")
_DIRECTIONAL = ("으로", "로")
# Particles that come in a pair, consonant form first.
_PAIRS = {"으로": ("으로", "로"), "로": ("으로", "로"), "이": ("이", "가"), "가": ("이", "가"),
          "은": ("은", "는"), "는": ("은", "는"), "을": ("을", "를"), "를": ("을", "를"),
          "과": ("과", "와"), "와": ("과", "와")}


def _final(syllable: str) -> int:
    """Final consonant index of a Hangul syllable (0: none, 8: ㄹ)."""
    return (ord(syllable) - 0xAC00) % 28 if "가" <= syllable <= "힣" else 0


def attach(spoken: str, word: str) -> str:
    """Glue the Hangul after a number to its spoken form, fixing a paired particle:
    (십, 로) -> 십으로, (일, 으로) -> 일로, (이, 으로도) -> 이로도."""
    for particle in sorted(_PAIRS, key=len, reverse=True):
        if word.startswith(particle) and (particle not in ("이", "가") or word == particle):  # 이었다: no 이/가
            consonant, vowel = _PAIRS[particle]
            final = _final(spoken[-1:])
            if consonant == "으로":
                form = vowel if final in (0, 8) else consonant  # ㄹ takes 로: 일로
            else:
                form = consonant if final else vowel
            return spoken + form + word[len(particle):]
    return spoken + word if word else spoken


def _is_score(m: re.Match[str]) -> bool:
    text, word = m.string, m.group("word")
    before = text[max(0, m.start() - 12): m.start()]
    after = text[m.end(): m.end() + 24]
    if _TIME_BEFORE.search(before) or word.startswith("에") and not word.startswith("에서"):
        return False
    if _RESULT.match(word) or (not word and _RESULT.match(after)):
        return True
    if word.startswith(_DIRECTIONAL) and _VERB.search(word + after):
        return True
    if _SCORE_BEFORE.search(before):
        return True
    return (bool(_MATCH_BEFORE.search(before)) and not _TIME_AFTER.match(word + after)
            and not _TIME_WORDS.search(before))


def _score(m: re.Match[str]) -> str:
    if not _is_score(m):
        return m.group(0)
    spoken = f"{sino(int(m.group(1)))} 대 {sino(int(m.group(2)))}"
    word = m.group("word")
    if _RESULT.match(word):
        word = " " + word  # 3:0완승 -> 삼 대 영 완승
    return space_before(m.string, m.start()) + attach(spoken, word)


def read_colon_scores(text: str) -> str:
    """2:1로 이겼다 -> 이 대 일로 이겼다, 3:10으로 졌다 -> 삼 대 십으로 졌다, 0:3 완패 -> 영 대 삼 완패;
    오후 3:10에, 3:10 출발 stay times."""
    return _COLON_PAIR.sub(_score, text)
