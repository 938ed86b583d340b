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
    "pH": "피에이치",  # acidity: pH 7 -> 피에이치 칠
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
    # more brands, services and products
    "macOS": "맥오에스", "MacOS": "맥오에스", "iOS": "아이오에스", "iPadOS": "아이패드오에스",
    "watchOS": "워치오에스", "Mac": "맥", "MacBook": "맥북", "iMac": "아이맥", "AirPods": "에어팟",
    "iCloud": "아이클라우드", "iTunes": "아이튠즈", "eSports": "이스포츠",
    "E-sports": "이스포츠", "eBay": "이베이", "LinkedIn": "링크드인", "TikTok": "틱톡",
    "WhatsApp": "왓츠앱", "PayPal": "페이팔", "YouTuber": "유튜버", "PlayStation": "플레이스테이션",
    "Xbox": "엑스박스", "Nintendo": "닌텐도", "Switch": "스위치", "Galaxy": "갤럭시", "Pixel": "픽셀",
    "Chrome": "크롬", "Safari": "사파리", "Firefox": "파이어폭스", "Gmail": "지메일",
    "Outlook": "아웃룩", "Zoom": "줌", "Slack": "슬랙", "Notion": "노션", "Discord": "디스코드",
    "Telegram": "텔레그램", "Threads": "스레드", "Pinterest": "핀터레스트", "Reddit": "레딧",
    "Wikipedia": "위키피디아", "GitHub": "깃허브", "Linux": "리눅스", "Ubuntu": "우분투",
    "Python": "파이썬", "Java": "자바", "JavaScript": "자바스크립트", "Uber": "우버",
    "Airbnb": "에어비앤비", "Starbucks": "스타벅스", "McDonald's": "맥도날드", "Nike": "나이키",
    "Adidas": "아디다스", "Coca-Cola": "코카콜라", "Pepsi": "펩시", "Hyundai": "현대", "Kia": "기아",
    "LG": "엘지", "SK": "에스케이", "KT": "케이티", "Coupang": "쿠팡", "Toss": "토스",
    "Baemin": "배민", "Melon": "멜론", "Genie": "지니", "Wavve": "웨이브", "Tving": "티빙",
    "Watcha": "왓챠", "Disney+": "디즈니플러스", "Apple TV": "애플 티비", "Prime Video": "프라임 비디오",
    "HBO": "에이치비오", "BBC": "비비씨", "CNN": "씨엔엔", "KBS": "케이비에스", "MBC": "엠비씨",
    "SBS": "에스비에스", "JTBC": "제이티비씨", "tvN": "티비엔", "Mnet": "엠넷", "NAVER": "네이버",
    "Kakao Talk": "카카오톡", "KakaoTalk": "카카오톡", "Zoom Meeting": "줌 미팅", "Uniqlo": "유니클로",
    "IKEA": "이케아", "BMW": "비엠더블유", "Mercedes": "메르세데스", "Benz": "벤츠", "Toyota": "도요타",
    "Honda": "혼다", "Sony": "소니", "Intel": "인텔", "NVIDIA": "엔비디아", "Nvidia": "엔비디아",
    "AMD": "에이엠디", "Qualcomm": "퀄컴", "Meta": "메타", "Alphabet": "알파벳", "Gemini": "제미나이",
    "Claude": "클로드", "Copilot": "코파일럿", "Bard": "바드", "Alexa": "알렉사", "Bixby": "빅스비",
    "Photoshop": "포토샵", "PowerPoint": "파워포인트", "Word": "워드", "Office": "오피스",
    "Zara": "자라", "Chanel": "샤넬", "Gucci": "구찌", "Louis Vuitton": "루이비통", "Prada": "프라다",
    "Hermes": "에르메스", "Rolex": "롤렉스", "Lego": "레고", "LEGO": "레고", "Pokemon": "포켓몬",
    "Pokémon": "포켓몬", "Minecraft": "마인크래프트", "Roblox": "로블록스", "Steam": "스팀",
    "Twitch": "트위치", "Vlog": "브이로그", "Podcast": "팟캐스트", "Wi-Fi": "와이파이",
    "Bluetooth": "블루투스", "USB": "유에스비", "USB-C": "유에스비 씨", "LTE": "엘티이",
    "DNA": "디엔에이", "COVID-19": "코비드 일구", "NGO": "엔지오", "CEO": "씨이오", "UN": "유엔",
    "EU": "이유", "WHO": "더블유에이치오", "OECD": "오이씨디", "IMF": "아이엠에프", "NBA": "엔비에이",  # WHO as written, not 세계보건기구
    "MLB": "엠엘비", "KBO": "케이비오", "UFC": "유에프씨", "K-드라마": "케이드라마",
    "K-Drama": "케이드라마", "K-뷰티": "케이뷰티", "Z세대": "제트세대", "MZ세대": "엠지세대",
    "MZ": "엠지", "SUV": "에스유브이", "PPT": "피피티", "PDF": "피디에프", "URL": "유알엘",
    "APP": "앱", "App Store": "앱스토어", "Play Store": "플레이스토어", "SNS": "에스엔에스",
    "VR": "브이알", "AR": "에이알", "IoT": "아이오티", "UX": "유엑스", "UI": "유아이",
    "PhD": "피에이치디", "CCTV": "씨씨티비", "KTX": "케이티엑스", "SRT": "에스알티",
    "GS25": "지에스 이십오", "CU": "씨유", "7-Eleven": "세븐일레븐", "NFT": "엔에프티",
    "GPT-4o": "지피티 포오", "GPT-4": "지피티 포", "ChatGPT-4o": "챗지피티 포오", "GPT-3.5": "지피티 쓰리 점 오",
    "Pro": "프로", "Max": "맥스", "Plus": "플러스", "Ultra": "울트라", "Mini": "미니", "Air": "에어",
    "3M": "쓰리엠",
    "VS": "대", "Top": "톱", "TOP": "톱",
}

# Lowercase words with a reading (kept apart: LEXICON keys all hold a capital or a digit).
LOWERCASE_WORDS = {"vs": "대", "vs.": "대"}

# Abbreviations before a number: No.1 -> 넘버원, p.23 -> 23쪽, Ep.3 -> 에피소드 3.
# (prefix words, suffix words): the number goes between them.
NUMBER_ABBREVIATIONS = {
    "No": ("넘버", ""), "no": ("넘버", ""), "p": ("", "쪽"), "pp": ("", "쪽"), "P": ("", "쪽"),
    "Ep": ("에피소드", ""), "EP": ("에피소드", ""), "ep": ("에피소드", ""), "Vol": ("볼륨", ""),
    "vol": ("볼륨", ""), "Ch": ("챕터", ""), "ch": ("챕터", ""), "Fig": ("그림", ""), "fig": ("그림", ""),
}
