"""Written -> spoken text: the whole pipeline, each step alone, the user lexicon, properties."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audioessay.text import normalize as n
from audioessay.text.lexicon import LETTER_NAMES, LEXICON
from audioessay.text.normalize import STEPS, apply_pronounce, normalize

CASES = [
    # particles stay on the number; 번 before a numbered noun is a label, not a count
    ("iPhone 15를 샀다", "아이폰 십오를 샀다"),
    ("10여 명이 왔다", "십여 명이 왔다"),
    ("100%가 올랐다", "백 퍼센트가 올랐다"),
    ("1번 출구로 나가세요.", "일 번 출구로 나가세요."),
    ("3번 했다", "세 번 했다"),
    ("7번 버스", "칠 번 버스"),
    # --- the sample essay ---
    ("2025년 5월", "이천이십오 년 오월"),
    ("2025년 5월, 나는 3번째로 그 영화를 보았다.", "이천이십오 년 오월, 나는 세 번째로 그 영화를 보았다."),
    ("3번째", "세 번째"),
    ("제86회", "제 팔십육 회"),
    ("제86회 아카데미 시상식", "제 팔십육 회 아카데미 시상식"),
    ("2013년", "이천십삼 년"),
    ("2013년 개봉한 SF 영화", "이천십삼 년 개봉한 에스에프 영화"),
    ("25년", "이십오 년"),
    ("25년 만에 CGV에서 다시 봤다.", "이십오 년 만에 씨지브이에서 다시 봤다."),
    ("SF", "에스에프"),
    ("CGV에서", "씨지브이에서"),
    ("AI 시대", "에이아이 시대"),
    ("〈HER〉은", "허은"),
    ("AI 시대에 〈HER〉은 묻는다.", "에이아이 시대에 허은 묻는다."),
    ("‘감정은 무엇으로 증명되는가?’라는", "감정은 무엇으로 증명되는가라는"),  # issue 17: ? before 라는 is not voiced
    ('"감정이 육체를 통해서만 진짜일 수 있는가?"라는', "감정이 육체를 통해서만 진짜일 수 있는가라는"),
    ("2025년도에", "이천이십오 년도에"),
    ("2025년도에 다시 본다.", "이천이십오 년도에 다시 본다."),
    # --- sino numbers ---
    ("1,000원", "천 원"),
    ("1,000,000원", "백만 원"),
    ("10000", "만"),
    ("3.5", "삼 점 오"),
    ("3.14", "삼 점 일사"),
    ("3.5배", "삼 점 오 배"),
    ("0.5배", "영 점 오 배"),
    ("50%", "오십 퍼센트"),
    ("100%", "백 퍼센트"),
    ("10만", "십만"),
    ("3억", "삼억"),
    ("1만 원", "만 원"),
    ("1억 원", "일억 원"),
    ("3조 5천억 원", "삼조 오천억 원"),
    ("3억 5천만 원", "삼억 오천만 원"),
    ("123456789", "일억 이천삼백사십오만 육천칠백팔십구"),
    ("-5", "마이너스 오"),
    ("-3도", "영하 삼 도"),  # issue 17: below zero
    ("영하 -10도", "영하 십 도"),
    ("0", "영"),
    ("007", "공공칠"),
    ("31일", "삼십일 일"),
    ("3개월", "삼 개월"),
    ("3달러", "삼 달러"),
    ("3분", "삼 분"),
    ("1990년대", "천구백구십 년대"),
    ("약3명", "약 세 명"),
    ("iPhone15", "아이폰 십오"),
    ("abc123", "abc백이십삼"),
    ("1,2,3", "일, 이, 삼"),
    # --- months ---
    ("5월", "오월"),
    ("6월", "유월"),
    ("10월", "시월"),
    ("7월", "칠월"),
    ("11월", "십일월"),
    ("12월", "십이월"),
    ("6월에", "유월에"),
    ("1월 1일", "일월 일 일"),
    # --- native numbers before counters ---
    ("1번째", "첫 번째"),
    ("2번째", "두 번째"),
    ("11번째", "열한 번째"),
    ("20번째", "스무 번째"),
    ("21번째", "스물한 번째"),
    ("100번째", "백 번째"),
    ("2개", "두 개"),
    ("99개", "아흔아홉 개"),
    ("100개", "백 개"),
    ("4명", "네 명"),
    ("21명", "스물한 명"),
    ("3 명", "세 명"),
    ("20살", "스무 살"),
    ("1시", "한 시"),
    ("12시", "열두 시"),
    ("24시", "스물네 시"),
    ("3시 30분", "세 시 삼십 분"),
    ("3시간 30분", "세 시간 삼십 분"),
    ("2달", "두 달"),
    ("3마리", "세 마리"),
    ("5권", "다섯 권"),
    ("2잔", "두 잔"),
    ("3번", "세 번"),
    ("4가지", "네 가지"),
    ("2사람", "두 사람"),
    ("3켤레", "세 켤레"),
    ("5그루", "다섯 그루"),
    ("2장", "두 장"),
    ("몇 번", "몇 번"),
    # --- 제 makes an ordinal, read sino ---
    ("제3장", "제 삼 장"),
    ("제1장", "제 일 장"),
    ("제 3 장", "제 삼 장"),
    # --- ranges ---
    ("3~5명", "세 명에서 다섯 명"),
    ("2~3시간", "두 시간에서 세 시간"),
    ("1990~2000년", "천구백구십 년에서 이천 년"),
    ("1990-2000년", "천구백구십 년에서 이천 년"),
    ("3-5명", "세 명에서 다섯 명"),
    ("3~5개", "세 개에서 다섯 개"),
    ("5~6월", "오월에서 유월"),
    ("1.5~2배", "일 점 오 배에서 두 배"),  # issue 17: 배 (times) is native
    ("3 ~ 5명이", "세 명에서 다섯 명이"),
    ("10~20만 원", "십만에서 이십만 원"),
    ("10~20%", "십 퍼센트에서 이십 퍼센트"),
    ("3~5", "삼에서 오"),
    ("-3~5도", "영하 삼 도에서 오 도"),
    ("2-1", "이-일"),
    # --- dates and times ---
    ("2025.5.1", "이천이십오 년 오월 일 일"),
    ("2025-05-01", "이천이십오 년 오월 일 일"),
    ("2025. 5. 1.", "이천이십오 년 오월 일 일"),
    ("2025. 5. 1. 개봉", "이천이십오 년 오월 일 일 개봉"),
    ("2025/05/01", "이천이십오 년 오월 일 일"),
    ("개봉일은2025.6.10", "개봉일은 이천이십오 년 유월 십 일"),
    ("12:30", "열두 시 삼십 분"),
    ("0:30", "영 시 삼십 분"),
    ("24:00", "스물네 시"),
    ("12:30:15", "열두 시 삼십 분 십오 초"),
    ("3:72로 이겼다", "삼 대 칠십이로 이겼다"),
    ("6·25 전쟁", "육이오 전쟁"),
    ("3·1절", "삼일절"),
    ("4·19 혁명", "사일구 혁명"),
    ("010-1234-5678", "공일공 일이삼사 오육칠팔"),
    # --- units and currency ---
    ("30℃", "삼십 도"),
    ("30°C", "삼십 도"),
    ("5kg", "오 킬로그램"),
    ("170cm", "백칠십 센티미터"),
    ("2.5L", "이 점 오 리터"),
    ("5km", "오 킬로미터"),
    ("$5", "오 달러"),
    ("€10", "십 유로"),
    ("₩5000", "오천 원"),
    # --- acronyms and the lexicon ---
    ("OS", "오에스"),
    ("PC방", "피씨방"),
    ("SNS에", "에스엔에스에"),
    ("IT 기업", "아이티 기업"),
    ("BTS의", "비티에스의"),
    ("AI가", "에이아이가"),
    ("3D", "쓰리디"),
    ("3D 영화", "쓰리디 영화"),
    ("TV를", "티비를"),
    ("OK!", "오케이!"),
    ("PD가", "피디가"),
    ("GPT", "지피티"),
    ("ChatGPT", "챗지피티"),
    ("ChatGPT가 iPhone으로 YouTube를 본다", "챗지피티가 아이폰으로 유튜브를 본다"),
    ("OpenAI의", "오픈에이아이의"),
    ("Google에서", "구글에서"),
    ("Netflix", "넷플릭스"),
    ("NASA", "나사"),
    ("K-pop", "케이팝"),
    ("MP3 파일", "엠피쓰리 파일"),
    ("A4 용지", "에이포 용지"),
    ("5G 통신", "파이브지 통신"),
    ("HER", "허"),
    ("Her", "허"),
    ("her", "her"),
    ("NCT127", "엔씨티 일이칠"),  # issue 26: three digits in a code are read digit by digit (the group says 일이칠)
    ("B급 영화", "비급 영화"),
    ("X세대", "엑스세대"),
    ("A형", "에이형"),
    ("Plan B를", "플랜 비를"),  # issue 26: an English word in a Korean sentence is read (was left as Plan)
    ("I am", "I am"),
    ("hello world", "hello world"),
    ("don’t", "dont"),
    # --- brackets, quotes, glosses ---
    ("《토지》를 읽었다", "토지를 읽었다"),
    ("「나」의 이야기", "나의 이야기"),
    ("『데미안』은", "데미안은"),
    ("영화 [기생충]", "영화 기생충"),
    ("영화〈HER〉", "영화 허"),
    ("“그렇다”고", "그렇다고"),
    ("그는'아니'라고", "그는 아니라고"),
    ("오늘(월요일)은", "오늘 월요일은"),
    ("(3)", "삼"),
    ("인생(人生)", "인생"),
    ("인생(人生)은 짧다", "인생은 짧다"),
    ("인공지능(AI)", "인공지능"),
    ("운영체제(OS)", "운영체제"),
    ("인공지능 (Artificial Intelligence)이", "인공지능이"),
    ("김연아(Kim Yuna) 선수", "김연아 선수"),
    ("사과(AI, 인공지능)", "사과 에이아이, 인공지능"),
    # --- symbols ---
    ("작품상·음악상", "작품상, 음악상"),
    ("네/아니오", "네, 아니오"),
    ("톰&제리", "톰 앤 제리"),
    ("R&D", "알 앤 디"),
    ("1+1", "일 플러스 일"),
    ("A+", "에이 플러스"),
    ("서울~부산", "서울 부산"),
    ("안녕~", "안녕"),
    ("그래서… 그리고", "그래서, 그리고"),
    ("그래서... 그리고", "그래서, 그리고"),
    ("그리고 — 끝", "그리고, 끝"),
    ("그리고--끝", "그리고, 끝"),
    ("그래서…", "그래서"),
    ("그래서…?", "그래서?"),
    ("**강조**", "강조"),
    ("#여행", "해시태그 여행"),  # issue 17: a tag is read as a tag
    # --- invisible characters and whitespace ---
    ("안녕😀하세요", "안녕하세요"),
    ("제로\u200b폭", "제로폭"),
    ("\ufeff시작", "시작"),
    ("단어\u2060결합", "단어결합"),
    ("줄\n바꿈\t탭", "줄 바꿈 탭"),
    ("a  b", "a b"),
    ("  앞뒤 공백  ", "앞뒤 공백"),
    (",쉼표로 시작", "쉼표로 시작"),
    ("무엇인가 ?", "무엇인가?"),
    ("정말 !", "정말!"),
    ("하나 , 둘", "하나, 둘"),
    ("뭐라고?!", "뭐라고?!"),
    ("３명", "세 명"),
    ("", ""),
]


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_normalize(written, spoken):
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_cases_are_fixed_points(written, spoken):
    assert normalize(spoken) == spoken


# --- each step on its own -------------------------------------------------


@pytest.mark.parametrize(
    ("step", "written", "spoken"),
    [
        (n.unify_forms, "３명", "3명"),
        (n.unify_forms, "㎞", "km"),
        (n.unify_forms, "−5", "-5"),
        (n.remove_invisible, "가\u200b나\u200d다", "가나다"),
        (n.remove_invisible, "좋아요👍", "좋아요"),
        (n.remove_invisible, "가\x07나\n다", "가나 다"),
        (n.drop_glosses, "인생(人生)은", "인생은"),
        (n.drop_glosses, "인공지능(AI)", "인공지능"),
        (n.drop_glosses, "오늘(월요일)", "오늘(월요일)"),
        (n.drop_glosses, "(AI)", "(AI)"),
        (n.unwrap_brackets, "〈HER〉은", " HER은"),
        (n.unwrap_brackets, "영화《토지》", "영화 토지"),
        (n.unwrap_brackets, '"가"와 "나"', " 가와  나"),
        (n.unwrap_brackets, "don't", "dont"),
        (n.read_lexicon, "HER은", "허은"),
        (n.read_lexicon, "ChatGPT와 GPT", "챗지피티와 GPT"),
        (n.read_lexicon, "Googler", "Googler"),
        (n.read_lexicon, "13D", "13D"),
        (n.spell_acronyms, "CGV에서", "씨지브이에서"),
        (n.spell_acronyms, "AI, OS", "에이아이, 오에스"),
        (n.spell_acronyms, "PhD", "PhD"),
        (n.spell_acronyms, "A형", "A형"),
        (n.read_units, "50%", "50퍼센트"),
        (n.read_units, "30℃", "30도"),
        (n.read_units, "$1,000", "1,000달러"),
        (n.read_units, "5km", "5킬로미터"),
        (n.read_units, "km", "km"),
        (n.read_phone_numbers, "02-123-4567", "공이 일이삼 사오육칠"),
        (n.read_dates, "2025.5.1", "이천이십오 년 오월 일 일"),
        (n.read_dates, "2025.13.1", "2025.13.1"),
        (n.read_times, "12:30", "열두 시 삼십 분"),
        (n.read_times, "3:2", "삼 대 이"),
        (n.read_dotted_dates, "3·1절", "삼일절"),
        (n.read_dotted_dates, "작품상·음악상", "작품상·음악상"),
        (n.read_ranges, "3~5명", "세 명에서 다섯 명"),
        (n.read_ranges, "2-1", "2-1"),
        (n.read_numbers, "2025년", "이천이십오 년"),
        (n.read_numbers, "제86회", "제 팔십육 회"),
        (n.read_numbers, "문제3번", "문제 세 번"),
        (n.read_numbers, "-5", "마이너스 오"),
        (n.read_symbols, "가·나", "가, 나"),
        (n.read_symbols, "가&나", "가 앤 나"),
        (n.read_symbols, "가~", "가 "),
        (n.tidy, "  가 ,  나 .", "가, 나."),
        (n.tidy, "가,,나", "가, 나"),
        (n.tidy, "가. .", "가."),
        (n.tidy, "가, ?", "가?"),
        (n.spell_letters, "A형", "에이형"),
        (n.spell_letters, "A B C형", "에이 비 씨형"),
        (n.spell_letters, "I am", "I am"),
    ],
)
def test_step(step, written, spoken):
    assert step(written) == spoken


def test_every_step_is_tested_and_pure_str_function():
    tested = {
        n.unify_forms, n.remove_invisible, n.drop_glosses, n.unwrap_brackets, n.read_lexicon,
        n.spell_acronyms, n.read_units, n.read_phone_numbers, n.read_dates, n.read_times,
        n.read_dotted_dates, n.read_ranges, n.read_numbers, n.read_symbols, n.tidy, n.spell_letters,
        # issue 17 steps, tested one by one in tests/test_text_families.py
        n.read_vulgar_fractions, n.read_powers, n.read_weekdays, n.read_hanja, n.read_title_brackets,
        n.silence_quoted_stops, n.read_urls, n.read_codes, n.read_hashtags, n.read_service_numbers,
        n.read_named_days, n.read_versions, n.read_race_times, n.read_scores, n.read_fractions,
        n.read_math, n.read_company_marks, n.read_meridiem, n.read_abbreviations, n.mark_equations,
        # issue 26 (English words), tested one by one in tests/test_text_english.py
        n.read_mixed_forms, n.read_capital_words, n.read_english,
        # issue 26 families 2, 3, 5, 6, tested one by one in tests/test_text_codes.py
        n.read_roman_numerals, n.read_unit_powers, n.read_bullets, n.read_chemical_formulas,
        n.read_hyphen_codes, n.read_generations, n.read_name_digits, n.read_greek,
        n.read_colon_scores, n.read_math_variables,
    }
    assert set(STEPS) == tested
    assert all(isinstance(step("가1 A."), str) for step in STEPS)


def test_steps_can_be_swapped():
    assert normalize("3번째 AI", steps=[]) == "3번째 AI"
    assert normalize("3번째 AI", steps=[n.read_numbers]) == "세 번째 AI"
    assert normalize("3번째 AI", steps=[s for s in STEPS if s is not n.spell_acronyms]) == "세 번째 AI"


def test_lexicon_keys_never_match_plain_lowercase_words():
    assert all(re.search(r"[A-Z0-9]", key) for key in LEXICON)
    assert set(LETTER_NAMES) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


# --- user lexicon ------------------------------------------------------------------


def test_apply_pronounce_longest_key_first():
    text, used = apply_pronounce("인공지능과 인공", {"인공": "X", "인공지능": "에이아이"})
    assert text == "에이아이과 X"
    assert used == {"인공", "인공지능"}


def test_apply_pronounce_reports_only_matched_keys():
    text, used = apply_pronounce("김철수는", {"김철수": "김 철수", "박영희": "박 영희"})
    assert text == "김 철수는"
    assert used == {"김철수"}


def test_apply_pronounce_single_pass():
    # a replacement is not replaced again
    text, used = apply_pronounce("ab", {"ab": "b", "b": "c"})
    assert text == "b"
    assert used == {"ab"}


def test_apply_pronounce_empty():
    assert apply_pronounce("가나", {}) == ("가나", set())
    assert apply_pronounce("가나", {"": "x"}) == ("가나", set())


def test_normalize_applies_pronounce_before_rules():
    # the user reading wins over the built-in lexicon and number rules
    assert normalize("HER을 3번", pronounce={"HER": "허어", "3번": "삼번"}) == "허어을 삼번"
    assert normalize("〈HER〉", pronounce={"HER": "헐"}) == "헐"
    assert normalize("2명", pronounce=None) == "두 명"


# --- properties ------------------------------------------------------------------------

HANGUL_SYLLABLE = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
SAFE_LATIN = st.sampled_from("abcdefghijklmnopqrstuvwxyz")  # no lexicon key is all lowercase
PUNCT = st.sampled_from(list(" .,?!~()[]〈〉《》「」『』“”‘’\"'·/…—%-:+&℃$"))
DIGIT = st.sampled_from("0123456789")
WRITTEN = st.lists(st.one_of(HANGUL_SYLLABLE, DIGIT, SAFE_LATIN, PUNCT, st.just(" ")), max_size=40).map("".join)
ANY_TEXT = st.lists(
    st.one_of(
        HANGUL_SYLLABLE,
        DIGIT,
        st.sampled_from("ABCDHIOSTXZabcxyz人生😀\u200b\n년월일번째개명시분제달러"),
        PUNCT,
        st.sampled_from(list(LEXICON)),
    ),
    max_size=30,
).map("".join)


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(c in it for c in needle)


@settings(max_examples=500, deadline=None)
@given(WRITTEN)
def test_hangul_survives_in_order(text):
    written = [c for c in text if "가" <= c <= "힣"]
    spoken = normalize(text)
    assert _is_subsequence(written, spoken)


@settings(max_examples=500, deadline=None)
@given(ANY_TEXT)
def test_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_no_digits_or_brackets_left(text):
    spoken = normalize(text)
    assert not re.search(r"\d", spoken)
    assert not set(spoken) & set("〈〉《》「」『』“”‘’\"()[]~·…%")
