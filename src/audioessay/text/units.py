"""Unit signs written after numbers and how they are spoken. Pure data.

Keys are matched case-sensitively right after a number (or after 만/억/천/조:
3만km), longest first, and only when no Latin letter follows (5m, not 5mm-ish
words). ㎡ ㎞ and friends arrive here already folded by NFKC (㎡ -> m2).
"""

from __future__ import annotations

# Units that are said before the number: 100km/h -> 시속 100킬로미터.
RATE_UNITS = {
    "km/h": ("시속", "킬로미터"),
    "㎞/h": ("시속", "킬로미터"),
    "kph": ("시속", "킬로미터"),
    "mph": ("시속", "마일"),
    "m/s": ("초속", "미터"),
    "km/s": ("초속", "킬로미터"),
}

UNITS = {
    # length, area, volume
    "km": "킬로미터", "cm": "센티미터", "mm": "밀리미터", "m": "미터", "nm": "나노미터",
    "μm": "마이크로미터", "µm": "마이크로미터", "ft": "피트",
    "km2": "제곱킬로미터", "m2": "제곱미터", "cm2": "제곱센티미터", "mm2": "제곱밀리미터",
    "m3": "세제곱미터", "cm3": "세제곱센티미터", "km²": "제곱킬로미터", "m²": "제곱미터",
    "m³": "세제곱미터", "ha": "헥타르", "평": "평",
    # mass and volume
    "kg": "킬로그램", "mg": "밀리그램", "g": "그램", "t": "톤", "lb": "파운드", "oz": "온스",
    "ml": "밀리리터", "mL": "밀리리터", "L": "리터", "l": "리터", "cc": "씨씨", "kcal": "킬로칼로리",
    "cal": "칼로리",
    # data and rates
    "KB": "킬로바이트", "kB": "킬로바이트", "MB": "메가바이트", "GB": "기가바이트",
    "TB": "테라바이트", "PB": "페타바이트", "Kbps": "킬로비피에스", "Mbps": "메가비피에스",
    "Gbps": "기가비피에스", "bps": "비피에스",
    # power, energy, electricity, frequency, sound
    "W": "와트", "kW": "킬로와트", "MW": "메가와트", "GW": "기가와트", "kWh": "킬로와트시",
    "MWh": "메가와트시", "Wh": "와트시", "mAh": "밀리암페어시", "V": "볼트",
    "mA": "밀리암페어", "Hz": "헤르츠", "kHz": "킬로헤르츠", "MHz": "메가헤르츠", "GHz": "기가헤르츠",
    "dB": "데시벨", "hp": "마력", "rpm": "알피엠", "ppm": "피피엠",
    # time written in Latin
    "ms": "밀리초", "sec": "초", "min": "분",
}

CURRENCY = {"US$": "달러", "$": "달러", "₩": "원", "€": "유로", "¥": "엔", "£": "파운드"}

# Powers written as superscripts: y³ -> 와이 세제곱.
POWERS = {"²": "제곱", "³": "세제곱", "⁴": "네제곱", "⁵": "다섯제곱", "⁶": "여섯제곱",
          "⁷": "일곱제곱", "⁸": "여덟제곱", "⁹": "아홉제곱", "ⁿ": "엔제곱"}

# Vulgar fraction characters: (numerator, denominator).
FRACTIONS = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5),
             "⅖": (2, 5), "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅛": (1, 8),
             "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8), "⅐": (1, 7), "⅑": (1, 9), "⅒": (1, 10)}

# Operators in a formula and how they are read.
OPERATORS = {"+": "더하기", "-": "빼기", "−": "빼기", "×": "곱하기", "÷": "나누기", "±": "플러스마이너스",
             "≠": "같지 않다", "≤": "이하", "≥": "이상", "≈": "약"}

# Top-level domains and mail hosts read as words; anything else is spelled.
DOMAIN_WORDS = {"com": "컴", "net": "넷", "org": "오알지", "kr": "케이알", "co": "씨오", "io": "아이오",
                "www": "더블유더블유더블유", "gov": "거브", "edu": "에듀", "ac": "에이씨", "or": "오알",
                "go": "고", "naver": "네이버", "daum": "다음", "kakao": "카카오", "gmail": "지메일",
                "google": "구글", "youtube": "유튜브", "hanmail": "한메일", "nate": "네이트",
                "instagram": "인스타그램", "facebook": "페이스북", "twitter": "트위터", "x": "엑스",
                "apple": "애플", "microsoft": "마이크로소프트", "github": "깃허브", "tistory": "티스토리",
                "blog": "블로그", "news": "뉴스", "mail": "메일", "outlook": "아웃룩", "yahoo": "야후",
                "netflix": "넷플릭스", "amazon": "아마존", "coupang": "쿠팡", "me": "미", "tv": "티비"}
