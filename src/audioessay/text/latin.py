"""Latin script and Hanja in Korean text: loanwords, acronyms, codes, addresses, Hanja.

Rules only; the readings live in ``lexicon.py`` and ``units.py``. Each rule is a
pure ``str -> str`` step used by ``normalize.STEPS``.
"""

from __future__ import annotations

import re

from .common import HANGUL, HANJA, space_before
from .english import capitals_word, mailbox_word
from .hanja_readings import read_run
from .lexicon import LETTER_NAMES, LEXICON, LOWERCASE_WORDS, NUMBER_ABBREVIATIONS
from .numbers import ENGLISH_DIGITS, SINO_DIGITS, read_digits, sino
from .units import DOMAIN_WORDS



_HANJA_RUN = re.compile(f"[{HANJA}]+")


def read_hanja(text: str) -> str:
    """Standalone Hanja in Hangul, with 두음법칙 at the start of a word: 人生 -> 인생, 勞動 -> 노동."""
    return _HANJA_RUN.sub(lambda m: space_before(m.string, m.start()) + read_run(m.group(0)), text)


def _bounded(word: str) -> str:
    """Regex for `word` not running into neighbouring Latin letters (or digits, at a digit edge)."""
    left = r"(?<![A-Za-z0-9])" if word[0].isdigit() else r"(?<![A-Za-z])"
    right = r"(?![A-Za-z0-9])" if word[-1].isdigit() else r"(?![A-Za-z])" if word[-1].isascii() else ""
    return left + re.escape(word) + right


# The lookahead on the first characters lets a Hangul position fail at once instead of trying
# every entry (30x faster on Korean prose).
_LEXICON = re.compile("(?=[" + re.escape("".join(sorted({w[0] for w in LEXICON}))) + "])(?:"
                      + "|".join(_bounded(w) for w in sorted(LEXICON, key=len, reverse=True)) + ")")
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z]{2,}(?![A-Za-z])")
# A lone capital next to Hangul is a letter name: A형, X세대, B급, 앤 B.
_LONE_LETTER = re.compile(
    rf"(?<![A-Za-z])[A-Z](?![A-Za-z])(?:(?= ?[{HANGUL}])|(?<=[{HANGUL}] .)|(?<=[{HANGUL}].))"
)


# The lookbehinds hold every character the first group takes, so a long run (300 KB of dashes)
# is tried once from its start, not once a character (which was quadratic: 15 s and more).
_EMAIL = re.compile(r"(?<![A-Za-z0-9_.%+\-가-힣])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_URL = re.compile(r"(?:https?://|(?<![A-Za-z0-9_가-힣])(?=www\.))([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?:[/?#][^\s<>\"'()가-힣]*)?"
                  r"|(?<![A-Za-z0-9_\-가-힣])(?<![A-Za-z0-9-]\.)([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|net|org|kr|io|co|me|tv))(?![A-Za-z_])(?!\.\w)(?:/[^\s<>\"'()가-힣]*)?")


def _spoken_label(label: str) -> str:
    """One part of a domain or mailbox: a known word, else spelled with letter and digit names."""
    key = label.lower()
    if key in DOMAIN_WORDS:
        return DOMAIN_WORDS[key]
    for word, spoken in LEXICON.items():
        if word.lower() == key:
            return spoken
    if len(label) > 4 and label.isalpha() and re.search("[aeiouAEIOU]", label):
        return label  # a pronounceable word (example) is read as a word by the engine
    return "".join(LETTER_NAMES.get(c.upper(), "") or (SINO_DIGITS[int(c)] if c.isdigit() else " ") for c in label).strip()


def _domain(host: str) -> str:
    """naver.com -> 네이버 닷컴, korea.go.kr -> 코리아 닷 고 닷 케이알 (닷컴 and 닷넷 are one word)."""
    parts = [p for p in host.split(".") if p]
    out = _spoken_label(parts[0])
    for part in parts[1:]:
        out += (" 닷" if part.lower() in ("com", "net") else " 닷 ") + _spoken_label(part)
    return out


def read_urls(text: str) -> str:
    """Addresses as a narrator reads them: abc@naver.com -> 에이비씨 골뱅이 네이버 닷 컴;
    https://www.example.com/path -> 더블유더블유더블유 닷 ... (the scheme and the path are not read)."""
    text = _EMAIL.sub(lambda m: space_before(m.string, m.start())
                      + " ".join(mailbox_word(p) or _spoken_label(p) for p in re.split(r"[._-]", m.group(1)) if p)
                      + " 골뱅이 " + _domain(m.group(2)), text)
    return _URL.sub(lambda m: space_before(m.string, m.start()) + _domain(m.group(1) or m.group(2)), text)


_LOWERCASE = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(w) for w in LOWERCASE_WORDS) + r")(?![A-Za-z.])")
_NUMBER_ABBREVIATION = re.compile(
    r"(?<![A-Za-z])(" + "|".join(NUMBER_ABBREVIATIONS) + r")\.\s?(\d+)(?:\s?[-–~]\s?(\d+))?(?![\d.])")
_TIMES = re.compile(r"(?<![\w.])(\d+)x(?![A-Za-z0-9])")


def _number_abbreviation(m: re.Match[str]) -> str:
    before, after = NUMBER_ABBREVIATIONS[m.group(1)]
    first, last = m.group(2), m.group(3)
    if before == "넘버" and len(first) == 1 and not last:
        return space_before(m.string, m.start()) + "넘버" + ENGLISH_DIGITS[int(first)]  # No.1 -> 넘버원
    number = f"{first}{after}~{last}{after}" if last else first + after
    return space_before(m.string, m.start()) + (before + " " if before else "") + number


def read_abbreviations(text: str) -> str:
    """Abbreviations: No.1 -> 넘버원, p.23 -> 23쪽, pp. 10-20 -> 10쪽~20쪽, Ep.3 -> 에피소드 3,
    3x -> 3배, vs -> 대."""
    text = _NUMBER_ABBREVIATION.sub(_number_abbreviation, text)
    text = _TIMES.sub(lambda m: m.group(1) + "배", text)
    return _LOWERCASE.sub(lambda m: space_before(m.string, m.start()) + LOWERCASE_WORDS[m.group(1)], text)


def read_lexicon(text: str) -> str:
    """Built-in readings for loanwords and brands: ChatGPT -> 챗지피티, HER은 -> 허은."""
    return _LEXICON.sub(lambda m: LEXICON[m.group(0)], text)


def _spell(m: re.Match[str]) -> str:
    return "".join(LETTER_NAMES[c] for c in m.group(0))


# Latin letters mixed with digits: MP3, K2, H5N1, NO2, KF94. At least one capital and one digit.
_CODE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*\d)[A-Za-z][A-Za-z0-9]*(?![A-Za-z0-9]|\.\w)")  # not a host name
# A hexadecimal number: 0x80070005 -> 영엑스 팔영영칠영영영오, each digit said.
_HEX = re.compile(r"(?<![A-Za-z0-9])0x([0-9A-Fa-f]+)(?![A-Za-z0-9])")


def _hex(m: re.Match[str]) -> str:
    digits = "".join(SINO_DIGITS[int(c)] if c.isdigit() else LETTER_NAMES[c.upper()] for c in m.group(1))
    return space_before(m.string, m.start()) + "영엑스 " + digits


def _code(m: re.Match[str]) -> str:
    out = []
    for part in re.findall(r"[A-Za-z]+|\d+", m.group(0)):
        if part.isdigit():
            # A single digit in a code is said in English (K2 케이투); two digits are a number (KF94);
            # three or more, or a leading 0, digit by digit (A380 삼팔공, KE017 공일칠) unless round (A100 백).
            if len(part) == 1:
                out.append(ENGLISH_DIGITS[int(part)])
            elif part.startswith("0") or (len(part) > 2 and not part.endswith("00")):
                out.append(" " + read_digits(part) + " ")
            else:
                out.append(" " + sino(int(part)) + " ")
        elif part.isupper() and (word := capitals_word(part)):
            out.append(" " + word + " ")  # SALE2024 -> 세일 이공이사
        elif part.isupper() or len(part) <= 2:
            out.append("".join(LETTER_NAMES[c.upper()] for c in part))
        else:
            out.append(" " + part + " ")
    return space_before(m.string, m.start()) + " ".join("".join(out).split())


_BASEMENT = re.compile(r"(?<![A-Za-z0-9])B(\d{1,2})(?=\s?층)")


def read_codes(text: str) -> str:
    """Letter-and-digit codes: K2 -> 케이투, H5N1 -> 에이치파이브엔원, NO2 -> 엔오투, KF94 -> 케이에프 구십사;
    a basement floor is 지하: B1층 -> 지하 1층; a hexadecimal number is said digit by digit (0x1F ->
    영엑스 일에프); a word the data file reads inside a code is a word (SALE2024 -> 세일 이공이사)."""
    text = _BASEMENT.sub(lambda m: space_before(m.string, m.start()) + "지하 " + m.group(1), text)
    text = _HEX.sub(_hex, text)
    return _CODE.sub(_code, text)


_HASHTAG = re.compile(rf"(?<![\w#])#(?=[{HANGUL}A-Za-z])")


def read_hashtags(text: str) -> str:
    """#여행 -> 해시태그 여행, as a narrator reads a tag; a # elsewhere stays silent."""
    return _HASHTAG.sub(lambda m: space_before(m.string, m.start()) + "해시태그 ", text)


def spell_acronyms(text: str) -> str:
    """All-capital words are spelled with Korean letter names: CGV에서 -> 씨지브이에서."""
    return _ACRONYM.sub(_spell, text)


# A single capital in a comma list is a letter name too: S, M, L -> 에스, 엠, 엘.
_LISTED_LETTER = re.compile(r"(?<![A-Za-z])(?:(?<=, )|(?<=,))[A-Z](?![A-Za-z])|(?<![A-Za-z])[A-Z](?=,)")


def spell_letters(text: str) -> str:
    """A single capital beside Hangul, or in a comma list, is a letter name: A형 -> 에이형,
    앤 B -> 앤 비, S, M, L -> 에스, 엠, 엘.

    Repeated until stable: each spelled letter is new Hangul beside the next (A B C형).
    """
    previous = None
    while text != previous:
        previous, text = text, _LISTED_LETTER.sub(_spell, _LONE_LETTER.sub(_spell, text))
    return text
