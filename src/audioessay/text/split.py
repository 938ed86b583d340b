"""Split written Korean text into paragraphs, sentences and engine-sized pieces.

Pure functions on the original text; normalization happens later, per piece.
Every sentence and piece is a verbatim slice of the writer's text (stripped of
the whitespace around it), so transcripts show exactly what was written.

The scanners look at each character a bounded number of times: a paragraph of
100,000 "!" or spaces splits in linear time (no regex that can backtrack over a
run it has already read). No piece is longer than LONGEST_PIECE, so the normalizer
and the engine only ever see bounded text; a cut between characters never splits
a grapheme (a Hangul syllable in jamo, an emoji sequence, a letter and its accent).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# --- data -------------------------------------------------------------------

# Closing quotes/brackets that belong to the sentence they end.
CLOSERS = "\"'”’」』》〉)]›>"
# Marks that end a sentence when whitespace (or the end) follows them.
STOPS = ".?!…"
# Syllables that end a Korean sentence: a line ending in one is a sentence even
# without a period (…되나 보다 / 하는 중이다 / 그랬어요 / 할까).
FINAL_SYLLABLES = "다요까죠네지라자니군걸래"
# Syllables a line may end with when the sentence goes on on the next line
# (particles and connective endings): 사만다는 몸은 / 없지만 …
CONTINUING_SYLLABLES = "은는이가을를의에와과도로고며서면만께랑데"
# A line this short, standing alone, is a heading or a line of verse.
SHORT_LINE = 40
# After a quoted question or exclamation, a quotative word continues the sentence.
QUOTATIVES = ("하고", "하며", "하면서", "하는", "하자", "라고", "라며", "라는", "이라고", "이라는", "고")
# Words that end with a period but do not end a sentence (compared without the period).
ABBREVIATIONS = frozenset({
    "Dr", "Mr", "Mrs", "Ms", "Prof", "St", "Jr", "Sr", "vs", "etc", "No", "no", "Vol", "vol",
    "p", "pp", "cf", "Fig", "fig", "Inc", "Ltd", "Co", "Corp", "approx", "ca", "ed", "eds",
    "Gen", "Gov", "Sen", "Rep", "Mt", "Ave", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug",
    "Sep", "Sept", "Oct", "Nov", "Dec", "a.m", "p.m", "e.g", "i.e",
})
# Pictographs: a writer uses one as a full stop (좋았다😊 다음은…).
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")
# Laughter and emoticons after a final ending close the sentence like an emoji: 좋아요^^ / 웃기다ㅋㅋ
LAUGHS = "^ㅋㅎㅠㅜ"
ZWJ = "\u200d"  # joins emoji into one (👩‍💻): never cut beside it
EMOJI_TAIL = "\ufe0f\u200d\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"

MAX_PIECE = 90  # characters; gTTS cuts at 100 mid-word, so stay under it with room for normalization
# Characters one utterance holds at most, for an engine without a request limit too: the
# normalizer's work and a clip's memory stay bounded (about four minutes of speech).
LONGEST_PIECE = 1000
# A run this long without a space or punctuation is no text anyone reads (pasted data, a
# key held down): the script is refused (script/loader.py). Shorter runs are cut.
MAX_RUN = 10_000
# Unicode categories that end such a run: punctuation, and the math, currency and
# modifier symbols (~ + = $ ^). Emoji (So) are a run's characters like letters.
_BREAKS_A_RUN = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk"})

# Word endings after which a narrator may take a breath (clause endings), longest first.
CLAUSE_ENDINGS = ("면서", "지만", "는데", "은데", "인데", "한데", "던데", "어서", "아서", "해서", "여서", "워서",
                  "니까", "으며", "므로", "도록", "려고", "으나", "는지", "고", "며", "면")
# Particles that close a phrase (에, 에서, 으로, 와 ...): a weaker but acceptable place to cut.
PHRASE_PARTICLES = ("에서", "에게", "으로", "부터", "까지", "처럼", "보다", "에", "로", "와", "과", "도", "께")
# Word endings that tie a word to the next one: an object (을/를) to its verb, a genitive (의)
# or a modifier (-ㄴ/-던/-할) to its noun. Never cut right after them.
BOUND_ENDINGS = ("을", "를", "의", "던", "할", "한", "된", "될", "인", "운", "은", "는", "ㄴ")

# --- paragraphs ----------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; single line breaks inside one are kept for `sentences`."""
    parts = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [p.strip() for p in parts if p.strip()]


# --- sentences -----------------------------------------------------------------


def sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences: verbatim slices, punctuation and quotes attached."""
    return [paragraph[a:b] for a, b in sentence_spans(paragraph)]


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `paragraph`, whitespace around it excluded."""
    cuts = sorted(set(_line_ends(paragraph)) | set(_stop_ends(paragraph)))
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*cuts, len(paragraph)]:
        a, b = _strip(paragraph, start, cut)
        start = cut
        if a >= b:
            continue
        if _only_marks(paragraph[a:b]):
            if spans:  # a stray "?!" or emoji joins the sentence before it
                spans[-1] = (spans[-1][0], b)
                continue
        elif spans and _only_marks(paragraph[spans[-1][0]:spans[-1][1]]):
            spans[-1] = (spans[-1][0], b)  # a leading stray mark joins the sentence after it
            continue
        spans.append((a, b))
    return spans


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _only_marks(s: str) -> bool:
    return not any(ch.isalnum() for ch in s)


def _lines(paragraph: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for i, ch in enumerate(paragraph):
        if ch == "\n":
            out.append((start, i))
            start = i + 1
    out.append((start, len(paragraph)))
    return out


_INNER_STOP = re.compile(r"(?<!\d)[.?!…] +\S")  # not a list marker: 1. 여권
# A line that starts a list item (1. / 2) / - / •): the line before it ends there.
_LIST_ITEM = re.compile(r"(?:\d{1,2}[.)]|[-•*·▪◦]|[①-⑳])\s")


def _line_ends(paragraph: str) -> list[int]:
    """Positions of line breaks that end a sentence without punctuation: a line ending in a
    final syllable, a heading, or a line of verse (a block of three or more short lines)."""
    lines = [_strip(paragraph, a, b) for a, b in _lines(paragraph)]
    lines = [(a, b) for a, b in lines if a < b]
    if len(lines) < 2:
        return []
    # Verse: three or more short lines, none with a sentence ending inside it (wrapped
    # prose has one somewhere: "…있다. 놀랍다").
    verse = len(lines) >= 3 and all(b - a <= SHORT_LINE and not _INNER_STOP.search(paragraph, a, b)
                                    for a, b in lines)
    out = []
    previous_ended = True
    for i, (a, b) in enumerate(lines[:-1]):
        last = paragraph[b - 1]
        ended = (
            last in FINAL_SYLLABLES
            or last in STOPS + CLOSERS + "~"
            or verse
            or (previous_ended and b - a <= SHORT_LINE and last not in CONTINUING_SYLLABLES
                and _opens_text(paragraph, *lines[i + 1]))
            or bool(_LIST_ITEM.match(paragraph, lines[i + 1][0]))
        )
        if ended:
            out.append(b)
        previous_ended = ended
    return out


def _opens_text(paragraph: str, a: int, b: int) -> bool:
    """Whether the line after a possible heading starts the text under it: a long (wrapped)
    line, or a short one that ends a sentence. A short open line means the heading was
    just the first line of a wrapped sentence."""
    return b - a > SHORT_LINE or paragraph[b - 1] in STOPS + CLOSERS + FINAL_SYLLABLES


def _stop_ends(paragraph: str) -> list[int]:
    """Positions right after a mark that ends a sentence, scanning runs of marks once."""
    out = []
    n = len(paragraph)
    i = 0
    while i < n:
        ch = paragraph[i]
        if (ch in STOPS or (ch == "~" and i and _is_hangul(paragraph[i - 1])) or EMOJI.match(ch)
                or (ch in LAUGHS and i and paragraph[i - 1] in FINAL_SYLLABLES)):
            j = i
            while j < n and (paragraph[j] in STOPS or paragraph[j] in "~" + LAUGHS or EMOJI.match(paragraph[j])
                             or paragraph[j] in EMOJI_TAIL):
                j += 1
            run_end = j
            while j < n and paragraph[j] in CLOSERS:
                j += 1
            if (j == n or paragraph[j].isspace()) and _is_end(paragraph, i, run_end, j):
                out.append(j)
            i = max(j, i + 1)
        else:
            i += 1
    return out


def _is_hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def _word_before(text: str, i: int) -> str:
    """The run of non-space characters that ends at position i (exclusive)."""
    j = i
    while j > 0 and not text[j - 1].isspace() and i - j < 40:
        j -= 1
    return text[j:i]


def _is_end(text: str, start: int, run_end: int, after: int) -> bool:
    """Whether the marks text[start:run_end] (closers up to `after`) end a sentence."""
    run = text[start:run_end]
    rest = text[after:after + 40].lstrip()  # a bounded look: no copy of the whole tail
    nxt = rest.split(None, 1)[0] if rest.strip() else ""
    quoted = after > run_end or set(run) & set("?!")  # a quote or a question/exclamation
    if (quoted and nxt in QUOTATIVES) or nxt.startswith(("라고", "라는", "라며", "이라고", "이라는")):
        return False  # "정말인가?" 하고 물었다; but 좋았다. 하는 일마다 … is a new sentence
    word = _word_before(text, start)
    if run == ".":
        if _is_abbreviation(word):
            return False
        if word.isdigit() and len(word) <= 2 and _standalone(text, start - len(word)):
            return False  # 1. 여권 2. 항공권 / 2024. 3. 1.
        if word.isdigit() and len(word) == 4 and rest[:1].isdigit():
            return False  # 2024. 3. 1.
    if after == run_end and set(run) <= set(".…") and run != "." and not run.endswith("….") and rest:
        # An ellipsis after a word that is not a sentence ending is a pause: 그래서… 그리고
        return bool(word) and word[-1] in FINAL_SYLLABLES + "?!"
    return True


def _standalone(text: str, i: int) -> bool:
    return i == 0 or text[i - 1].isspace() or text[i - 1] in "(["


def _is_abbreviation(word: str) -> bool:
    if word in ABBREVIATIONS:
        return True
    # Initials and dotted acronyms: J. / U.S / a.m (the last period is the one being tested)
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word))


# --- pieces --------------------------------------------------------------------


def pieces(sentence: str, max_chars: int = MAX_PIECE, measure: Callable[[str], int] = len) -> list[str]:
    """Cut a sentence whose `measure` exceeds `max_chars` into verbatim slices that fit.

    `measure` gives the length that counts (pass ``lambda s: len(normalize(s))`` to
    apply the limit to the spoken form). Cuts go, in order of preference, after a
    clause ending with a comma, after a comma that does not sit inside a list of
    single nouns, after a clause ending (-고, -며, -지만, -는데, -면서, -어서 ...),
    then at any space not right after an object or modifier (-을/-를/-의/-는), then at
    any space; a single word that is still too long is cut between characters (never
    inside a grapheme). Never raises; a piece is never empty.
    """
    sentence = sentence.strip()
    window = max(4 * max_chars, 400)  # look only this far ahead: linear in the sentence length
    out: list[str] = []
    pos, n = 0, len(sentence)
    while pos < n:
        if n - pos <= window and measure(sentence[pos:]) <= max_chars:
            out.append(sentence[pos:])
            break
        cut = grapheme_cut(sentence, pos + _best_cut(sentence[pos:pos + window], max_chars, measure), pos)
        out.append(sentence[pos:cut].rstrip())
        pos = cut
        while pos < n and sentence[pos].isspace():
            pos += 1
    return out


def overlong_run(text: str, limit: int = MAX_RUN) -> int:
    """The length of the longest run of characters in `text` without a space or
    punctuation among them (marks like ~ + = count as punctuation; letters, digits,
    accents and emoji do not), if it is longer than `limit`; else 0. Linear: only a
    word longer than `limit` is looked at character by character."""
    longest = 0
    for word in text.split():
        if len(word) <= limit:
            continue
        run = 0
        for ch in word:
            run = 0 if unicodedata.category(ch) in _BREAKS_A_RUN else run + 1
            longest = max(longest, run)
    return longest if longest > limit else 0


def _boundaries(text: str) -> list[tuple[int, int]]:
    """(position after a word, rank) for every space in `text`; lower rank is better:
    0 clause ending with a comma, 1 other comma (not inside a list of nouns), 2 clause
    ending, 3 phrase particle, 4 any other word, 5 an object, genitive or modifier."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    out = []
    for k, (a, b) in enumerate(words[:-1]):
        word = text[a:b]
        bare = word.rstrip(",，、;:")
        comma = bare != word
        clause = bare.endswith(CLAUSE_ENDINGS) or bare.endswith(("다", "요"))
        if comma and clause:
            rank = 0
        elif comma and not _in_list(text, words, k):
            rank = 1
        elif clause:
            rank = 2
        elif bare.endswith(PHRASE_PARTICLES):
            rank = 3
        elif not bare.endswith(BOUND_ENDINGS):
            rank = 4
        else:
            rank = 5
        out.append((b, rank))
    return out


def _in_list(text: str, words: list[tuple[int, int]], k: int) -> bool:
    """Whether the comma after word k separates items of a list of nouns (슬픔, 질투, 호기심)."""
    def is_comma_word(i: int) -> bool:
        return 0 <= i < len(words) and text[words[i][0]:words[i][1]].endswith((",", "，", "、"))

    # the item before the comma is one word (the word before it also ended with a comma),
    # or the item after it is one word followed by another comma
    return is_comma_word(k - 1) or is_comma_word(k + 1)


def _count_while(n: int, ok: Callable[[int], bool]) -> int:
    """How many of 0..n-1 satisfy `ok`, for an `ok` that holds up to some point and then
    never again (a prefix's spoken length only grows): a binary search, so a long run
    costs log(n) measurements, not n."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid + 1
        else:
            hi = mid
    return lo


def _best_cut(text: str, limit: int, measure: Callable[[str], int]) -> int:
    bounds = _boundaries(text)
    fit = _count_while(len(bounds), lambda i: measure(text[:bounds[i][0]].rstrip()) <= limit)
    fitting = bounds[:fit]
    if fitting:
        # Prefer the best rank among cuts that leave a reasonable first piece.
        floor = limit // 3
        short = _count_while(len(fitting), lambda i: measure(text[:fitting[i][0]]) < floor)
        usable = fitting[short:] or fitting
        best = min(r for _, r in usable)
        return max(p for p, r in usable if r == best)
    # No space fits: cut the first word between characters.
    word = len(text) - len(text.lstrip())
    end = next((i for i in range(word, len(text)) if text[i].isspace()), len(text))
    return max(1, _count_while(end, lambda i: i == 0 or measure(text[:i + 1]) <= limit))


def grapheme_cut(text: str, i: int, lo: int = 0) -> int:
    """`i`, or the nearest position before it (but after `lo`), else after it, where a
    cut splits no grapheme."""
    j = i
    while lo + 1 < j and _joined(text, j):
        j -= 1
    if not _joined(text, j):
        return j
    while i < len(text) and _joined(text, i):
        i += 1
    return i


def _joined(text: str, i: int) -> bool:
    """Whether text[i - 1] and text[i] belong to one grapheme (a cut there would split it)."""
    if i <= 0 or i >= len(text):
        return False
    a, b = text[i - 1], text[i]
    if a == ZWJ or b == ZWJ or unicodedata.category(b) in ("Mn", "Me", "Mc") or _is_modifier(b):
        return True
    if _is_jamo_tail(b):  # a vowel or final consonant completes the syllable before it
        return True
    if _is_jamo_lead(a):  # an initial consonant starts the syllable after it
        return _is_jamo_lead(b) or _is_hangul(b)
    if _is_regional(a) and _is_regional(b):  # a flag is a pair of regional indicators
        k = i - 1
        while k > 0 and _is_regional(text[k - 1]):
            k -= 1
        return (i - k) % 2 == 1
    return False


def _is_modifier(ch: str) -> bool:
    """Variation selectors, skin tones and emoji tags: they change the character before them."""
    return ("\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff" or "\U000e0020" <= ch <= "\U000e007f"
            or "\U000e0100" <= ch <= "\U000e01ef")


def _is_jamo_tail(ch: str) -> bool:
    """A conjoining vowel or final consonant (Hangul written as jamo: 한 = ᄒ ᅡ ᆫ)."""
    return "\u1160" <= ch <= "\u11ff" or "\ud7b0" <= ch <= "\ud7ff"


def _is_jamo_lead(ch: str) -> bool:
    return "\u1100" <= ch <= "\u115f" or "\ua960" <= ch <= "\ua97f"


def _is_regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"
