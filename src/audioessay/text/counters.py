"""Counters whose number system depends on the noun's sense: 분, 편, 장, 세트.

`choose(number, word, before, after)` returns "native", "sino" or None (no opinion:
the general table in numbers.py decides). Cheap context rules come first; the
morphological analyser (text/morph.py, loaded lazily) is asked only for 장 when
the words around it settle nothing.

- 분: people (세 분이 오셨다: native) when an honorific follows (께서, 들, -시-);
  minutes (sino) when a duration word follows (동안, 후, 뒤, 만에, 간, 전, 지나).
- 편: native when works are counted (두 편씩, 영화 세 편, 세 편의 논문); otherwise the
  sino label of an instalment (시리즈 3편 = 삼 편) stays.
- 장: sino for chapters (1장의 제목, 3장에서 다룬), native for sheets (종이 세 장, 두 장씩);
  when neither shows, the analyser's tag decides: NNG (장 "chapter") -> sino, NNB -> native.
- 세트: the label of a set in a match (1세트에서, 2세트를 따냈다) is sino; counted sets are native.
"""

from __future__ import annotations

import re

# 분 is minutes when one of these follows it.
MINUTE_AFTER = re.compile(r"^분\s?(?:동안|간|후|뒤|만에|만|전|쯤|정도|내|이내|가량|이상|이하|남짓|씩|걸|늦|일찍|지나|지났|거리|짜리|마다|경)")
# 분 is people when an honorific follows: 분께서, 분들, 분이 ...셨다, 분을 모셨다.
PEOPLE_AFTER = re.compile(r"^분(?:께서|께|들|\s모두|\s다)|^분[이은을과도만]?\s?[가-힣]{0,6}?(?:셨|시[는고며면어었다니]|십니|세요|모시|모셔|모신|계시|계셨|계신)")

# 편: counting works.
WORK_NOUNS = ("영화", "작품", "논문", "소설", "시", "드라마", "기사", "글", "에세이", "칼럼", "단편", "다큐", "애니", "편지")
PIECE_AFTER = re.compile(r"^편\s?(?:씩|정도|가량|남짓|이상|이하|쯤)|^편의\s?(?:" + "|".join(WORK_NOUNS) + ")")
WORK_BEFORE = re.compile(r"(?:" + "|".join(WORK_NOUNS) + r")\s?$")

# 세트: counted (세 세트 만에, 두 세트 구매: native, numbers.py) unless it names a set of a match
# (1세트에서, 3세트 초반, 2세트를 따냈다: the label, sino).
SET_LABEL_AFTER = re.compile(r"^세트\s?(?:에서|에|초반|중반|후반|막판|부터|까지|스코어|\d|를\s?(?:따|내주|내준|가져|잡|빼앗|먼저))")

# 장: sheets vs chapters.
SHEET_BEFORE = re.compile(r"(?:종이|사진|티켓|표|카드|엽서|우표|지폐|수건|이불|유리|벽돌|장판|서류|원고지|복사지|명함|편지지|타일|CD|앨범|접시)\s?$")
SHEET_AFTER = re.compile(r"^장\s?(?:씩|짜리|정도|가량|남짓|쯤)")
CHAPTER_AFTER = re.compile(r"^장\s?(?:\d|제목|에서\s?(?:다룬|다루|설명|소개|살펴|본)|의\s?(?:제목|내용|주제|결론|요지|끝|마지막|첫)|부터|까지|\s?끝)")
CHAPTER_BEFORE = re.compile(r"(?:제|\d\s?부|책의?|이\s?책|본문|교재|단원|논문)\s?$")


def _tail(word: str, after: str) -> str:
    return word + after


def choose(number: str, word: str, before: str, after: str) -> str | None:
    """Number system for `number` + `word` (the Hangul glued to it), given the text around it."""
    digits = number.replace(",", "")
    if not digits.isdigit() or not 0 < int(digits) < 100:
        return None
    tail = _tail(word, after)
    if word.startswith("분") and not word.startswith(("분기", "분의", "분야", "분석", "분량", "분류")):
        if MINUTE_AFTER.search(tail):
            return "sino"
        if PEOPLE_AFTER.search(tail):
            return "native"
        return None
    if word.startswith("편") and not word.startswith(("편집", "편지", "편의점", "편안")):
        if PIECE_AFTER.search(tail) or WORK_BEFORE.search(before):
            return "native"
        return None
    if word.startswith("세트"):
        return "sino" if SET_LABEL_AFTER.search(tail) else None
    if word.startswith("장") and not word.startswith(("장면", "장관", "장애", "장소", "장기", "장학")):
        if SHEET_AFTER.search(tail) or SHEET_BEFORE.search(before):
            return "native"
        if CHAPTER_AFTER.search(tail) or CHAPTER_BEFORE.search(before):
            return "sino"
        return _analysed_jang(before, number, tail)
    return None


def _analysed_jang(before: str, number: str, tail: str) -> str | None:
    """Ask the analyser whether 장 after the number is the noun 'chapter' or the counter."""
    if not before.strip() and tail.rstrip(".,!? ") in ("장", ""):
        return None  # a bare 2장: nothing to analyse, the general table decides
    from .morph import analyse

    sentence = (before[-30:] + number + tail[:30]).strip()
    offset = len(before[-30:].lstrip()) + len(number)
    for m in analyse(sentence):
        if m.start == offset and m.form == "장":
            return "sino" if m.tag == "NNG" else "native" if m.tag == "NNB" else None
    return None
