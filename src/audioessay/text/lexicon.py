"""Built-in readings for Latin-script words: letter names and a loanword lexicon.

Pure data. Keys are matched case-sensitively on Latin word boundaries, so a
Korean particle may follow directly (AI가). Every key holds an uppercase letter
or a digit, so ordinary lowercase English words never match.
"""

from __future__ import annotations

# How Korean speakers name the Latin letters when spelling out an acronym.
LETTER_NAMES = {
    "A": "에이", "B": "비", "C": "씨", "D": "디", "E": "이", "F": "에프", "G": "지",
    "H": "에이치", "I": "아이", "J": "제이", "K": "케이", "L": "엘", "M": "엠",
    "N": "엔", "O": "오", "P": "피", "Q": "큐", "R": "알", "S": "에스", "T": "티",
    "U": "유", "V": "브이", "W": "더블유", "X": "엑스", "Y": "와이", "Z": "제트",
}

# Words read differently from their spelling, or spelled out the usual way
# where letter-by-letter reading would be wrong (TV is 티비, not 티브이).
LEXICON = {
    # acronyms read as words or with English digits
    "ChatGPT": "챗지피티",
    "OpenAI": "오픈에이아이",
    "HER": "허",  # the film
    "Her": "허",
    "OK": "오케이",
    "PD": "피디",
    "TV": "티비",
    "NASA": "나사",
    "UNESCO": "유네스코",
    "UNICEF": "유니세프",
    "FIFA": "피파",
    "NATO": "나토",
    "K-pop": "케이팝",
    "K-POP": "케이팝",
    "2D": "투디",
    "3D": "쓰리디",
    "4D": "포디",
    "4K": "포케이",
    "5G": "파이브지",
    "MP3": "엠피쓰리",
    "MP4": "엠피포",
    "A4": "에이포",
    "F1": "에프원",
    "Wi-Fi": "와이파이",
    "WiFi": "와이파이",
    # brands and services
    "iPhone": "아이폰",
    "iPad": "아이패드",
    "YouTube": "유튜브",
    "Google": "구글",
    "Apple": "애플",
    "Samsung": "삼성",
    "Microsoft": "마이크로소프트",
    "Netflix": "넷플릭스",
    "Facebook": "페이스북",
    "Instagram": "인스타그램",
    "Twitter": "트위터",
    "Amazon": "아마존",
    "Android": "안드로이드",
    "Windows": "윈도우",
    "Kakao": "카카오",
    "Naver": "네이버",
    "Disney": "디즈니",
    "Pixar": "픽사",
    "Marvel": "마블",
    "Spotify": "스포티파이",
    "Tesla": "테슬라",
    "Siri": "시리",
    "Excel": "엑셀",
    "Oscar": "오스카",
}
