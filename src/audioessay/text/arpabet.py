"""ARPAbet (the CMU Pronouncing Dictionary's phones) -> Hangul, by 외래어 표기법's rules for English.

A pure function of a phone list. The rules are those of 외래어 표기법 (문교부 고시 제85-11호,
제3장 제1절 영어의 표기):
제1항 a voiceless stop (p t k) at the end after a short vowel, or between a short vowel and a
consonant other than l r m n, is a final (book 북, act 액트, setback 셋백); otherwise 으 (cake 케이크);
제2항 a voiced stop (b d g) at the end or before a consonant takes 으 (land 랜드);
제3항 fricatives: s z f v θ ð take 으 (mask 마스크, jazz 재즈), ʃ is 시 at the end and 슈 before a
consonant (flash 플래시, shrimp 슈림프) and 샤 셰 시 쇼 슈 before a vowel, ʒ is 지 (mirage 미라지);
제4항 affricates: ts dz 츠 즈, tʃ dʒ 치 지 (Keats 키츠, switch 스위치, bridge 브리지);
제5항 nasals at the end or before a consonant are finals (steam 스팀, ring 링), ŋ between vowels is
ㅇ twice (singer 싱어);
제6항 l in the middle before a vowel is ㄹㄹ (slide 슬라이드, film 필름), at the end a final (hotel 호텔);
제7항 long vowels are not marked (team 팀);
제8항 diphthongs: ai 아이, au 아우, ei 에이, ɔi 오이, ou 오 (time 타임, house 하우스, boat 보트);
제9항 semivowels: w before a vowel 워 와 왜 웨 위 우 (word 워드, want 완트), gw hw kw one syllable
(quarter 쿼터), other consonants + w two (swing 스윙); j joins the vowel (yard 야드, union 유니언).
CMU's American r is silent at the end and before a consonant (smart 스마트, car 카). From the
표기 용례 rather than the articles: a final -s is 스 after a consonant or -er (Beatles 비틀스,
Lakers 레이커스), and a syllabic l or n after a stop takes 으 (apple 애플, open 오픈).
"""

from __future__ import annotations

from collections.abc import Sequence

# Hangul jamo indices (initial, vowel, final) for composing syllables.
_I = {c: i for i, c in enumerate("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")}
_V = {c: i for i, c in enumerate("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ")}
_F = {c: i for i, c in enumerate(" ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")}

VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
# Each vowel: its plain, w- and j- forms (first jamo; a diphthong adds a second syllable).
_PLAIN = {"AA": "ㅏ", "AE": "ㅐ", "AH": "ㅓ", "AO": "ㅗ", "AW": "ㅏ", "AY": "ㅏ", "EH": "ㅔ", "ER": "ㅓ",
          "EY": "ㅔ", "IH": "ㅣ", "IY": "ㅣ", "OW": "ㅗ", "OY": "ㅗ", "UH": "ㅜ", "UW": "ㅜ"}
_W = {"AA": "ㅘ", "AE": "ㅙ", "AH": "ㅝ", "AO": "ㅝ", "AW": "ㅘ", "AY": "ㅘ", "EH": "ㅞ", "ER": "ㅝ",
      "EY": "ㅞ", "IH": "ㅟ", "IY": "ㅟ", "OW": "ㅝ", "OY": "ㅝ", "UH": "ㅜ", "UW": "ㅜ"}
_J = {"AA": "ㅑ", "AE": "ㅒ", "AH": "ㅕ", "AO": "ㅛ", "AW": "ㅑ", "AY": "ㅑ", "EH": "ㅖ", "ER": "ㅕ",
      "EY": "ㅖ", "IH": "ㅣ", "IY": "ㅣ", "OW": "ㅛ", "OY": "ㅛ", "UH": "ㅠ", "UW": "ㅠ"}
# The second half of a diphthong (제8항): 아이, 아우, 에이, 오이.
_SECOND = {"AY": "ㅣ", "AW": "ㅜ", "EY": "ㅣ", "OY": "ㅣ"}
# Short vowels, after which a voiceless stop can be a final (제1항). AA is the short o of hot, top.
_SHORT = {"AE", "AH", "EH", "IH", "UH", "AA"}
# Plain vowels after ㅈ ㅊ (no 쟈 져 쥬 in Korean spelling).
_UNGLIDE = {"ㅑ": "ㅏ", "ㅒ": "ㅐ", "ㅕ": "ㅓ", "ㅖ": "ㅔ", "ㅛ": "ㅗ", "ㅠ": "ㅜ"}

# The initial each consonant takes before a vowel.
_ONSET = {"P": "ㅍ", "B": "ㅂ", "T": "ㅌ", "D": "ㄷ", "K": "ㅋ", "G": "ㄱ", "F": "ㅍ", "V": "ㅂ",
          "TH": "ㅅ", "DH": "ㄷ", "S": "ㅅ", "Z": "ㅈ", "SH": "ㅅ", "ZH": "ㅈ", "CH": "ㅊ", "JH": "ㅈ",
          "M": "ㅁ", "N": "ㄴ", "L": "ㄹ", "R": "ㄹ", "HH": "ㅎ"}
# The final a voiceless stop takes after a short vowel (제1항), and the nasals and l (제5항, 제6항).
_CODA = {"P": "ㅂ", "T": "ㅅ", "K": "ㄱ", "M": "ㅁ", "N": "ㄴ", "NG": "ㅇ", "L": "ㄹ"}
# A consonant at the end or before a consonant: its syllable (with 으, or 시/지/치 for ʃ ʒ tʃ dʒ).
_ALONE = {"P": "프", "B": "브", "T": "트", "D": "드", "K": "크", "G": "그", "F": "프", "V": "브",
          "TH": "스", "DH": "드", "S": "스", "Z": "즈", "SH": "시", "ZH": "지", "CH": "치", "JH": "지",
          "HH": "흐", "M": "음", "N": "은", "W": "우", "Y": "이"}


class _Syllable:
    __slots__ = ("initial", "vowel", "final")

    def __init__(self, initial: str, vowel: str, final: str = " ") -> None:
        self.initial, self.vowel, self.final = initial, vowel, final

    def __str__(self) -> str:
        return chr(0xAC00 + (_I[self.initial] * 21 + _V[self.vowel]) * 28 + _F[self.final])


def _strip(phone: str) -> str:
    return phone.rstrip("012")


def to_hangul(phones: Sequence[str]) -> str:
    """['N', 'EH1', 'T', 'F', 'L', 'IH0', 'K', 'S'] -> 넷플릭스; ['B', 'UH1', 'K'] -> 북."""
    ph = [_strip(p) for p in phones]
    stress = [p[-1] if p[-1].isdigit() else "" for p in phones]
    out: list[_Syllable] = []
    onset: str | None = None  # the initial waiting for the next vowel
    glide = ""  # "W" or "Y" between that initial and the vowel
    n = len(ph)

    def alone(text: str) -> None:
        for ch in text:
            code = ord(ch) - 0xAC00
            ini, rest = divmod(code, 588)
            vow, fin = divmod(rest, 28)
            out.append(_Syllable("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"[ini], "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"[vow],
                                 " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"[fin]))

    i = 0
    while i < n:
        p = ph[i]
        nxt = ph[i + 1] if i + 1 < n else None
        after = ph[i + 2] if i + 2 < n else None
        if p in VOWELS:
            initial = onset or "ㅇ"
            if glide == "W":
                vowel = _W[p]
            elif glide == "Y" or (onset == "ㅅ" and ph[i - 1] == "SH"):
                vowel = _J[p]
            else:
                vowel = _PLAIN[p]
            if initial in ("ㅈ", "ㅊ"):
                vowel = _UNGLIDE.get(vowel, vowel)
            # a syllabic l after a stop or f/v (apple 애플, little 리틀, Beatles 비틀스): 으, not 어
            if (p == "AH" and stress[i] == "0" and i > 0 and ph[i - 1] in "P B T D K G F V".split()
                    and nxt == "L" and (after is None or after not in VOWELS)):
                vowel = "ㅡ"
            # a syllabic n after p t d between a vowel and the end: open 오픈, button 버튼, garden 가든
            # (not after a consonant: Boston 보스턴, London 런던)
            if (p == "AH" and stress[i] == "0" and i > 1 and ph[i - 1] in ("P", "T", "D")
                    and (ph[i - 2] in VOWELS or ph[i - 2] == "R") and nxt == "N" and after is None):
                vowel = "ㅡ"
            out.append(_Syllable(initial, vowel))
            if p in _SECOND:
                out.append(_Syllable("ㅇ", _SECOND[p]))
            onset, glide = None, ""
            if p == "ER" and nxt in VOWELS:
                onset = "ㄹ"  # the r of er before a vowel (interesting)
            i += 1
            continue
        # a consonant: does a vowel follow (directly, or through a glide it joins)?
        if p in ("W", "Y"):
            if nxt in VOWELS:
                if onset is None:
                    onset = "ㅇ"
                glide = p
            elif not (p == "Y" and onset):
                alone(_ALONE[p])
            i += 1
            continue
        before_vowel = nxt in VOWELS or (nxt == "Y" and after in VOWELS) or (
            nxt == "W" and after in VOWELS and p in ("K", "G", "HH"))
        prev = out[-1] if out else None
        prev_phone = ph[i - 1] if i > 0 else None
        if p == "NG":
            if prev is not None and prev.final == " ":
                prev.final = "ㅇ"
            else:
                alone("응")
            i += 1
            continue
        if before_vowel:
            if p == "L" and prev is not None and prev.final == " ":
                prev.final = "ㄹ"  # 제6항: ㄹㄹ (slide 슬라이드, color 컬러)
            onset = _ONSET[p]
            if nxt == "W" and p in ("K", "G", "HH"):
                glide = "W"
                i += 1  # the w is taken
            i += 1
            continue
        if p == "R":
            i += 1
            continue
        if p == "T" and nxt == "S":
            alone("츠")
            i += 2
            continue
        if p == "D" and nxt == "Z":
            alone("즈")
            i += 2
            continue
        if p in ("P", "T", "K"):
            if (prev is not None and prev.final == " " and prev_phone in _SHORT
                    and nxt not in ("L", "R", "M", "N")):
                prev.final = _CODA[p]
            else:
                alone(_ALONE[p])
        elif p in ("M", "N"):
            if prev is not None and prev.final == " ":
                prev.final = _CODA[p]
            elif prev is not None and prev.final == "ㄹ":
                alone("름" if p == "M" else "른")  # film 필름
            else:
                alone(_ALONE[p])
        elif p == "L":
            if prev is not None and prev.final == " ":
                prev.final = "ㄹ"
            else:
                alone("르")
        elif p == "SH":
            alone("시" if nxt is None else "슈")
        elif p == "Z" and nxt is None and prev_phone is not None and (prev_phone not in VOWELS or prev_phone == "ER"):
            alone("스")  # a plural -s after a consonant or -er: Beatles 비틀스, Times 타임스, Lakers 레이커스
        else:
            alone(_ALONE[p])
        i += 1
    return "".join(str(s) for s in out)
