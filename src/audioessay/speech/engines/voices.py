"""The voices every engine offers: a built-in catalogue that works offline, Korean first.

edge's list is refreshed from the service when it answers (edge_voice_list);
espeak-ng's variants are read from the data folder that ships with espeakng-loader,
so the list always matches what is installed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from audioessay.errors import EngineError


@dataclass(frozen=True)
class VoiceInfo:
    """One selectable voice. `name` is what goes into the script's `voice.name`."""

    engine: str  # "edge" | "gtts" | "espeak"
    name: str
    gender: str  # "female" | "male" | "" (unknown)
    locale: str  # BCP 47, e.g. "ko-KR"
    description: str
    status: str = ""  # this voice's own usability when it differs from its engine's (onnx models)

    @property
    def korean(self) -> bool:
        return self.locale.split("-")[0] == "ko"


# edge-tts' read-aloud service offers exactly these three Korean voices; Azure's other
# ko-KR voices (JiMin, SeoHyeon, ...) are not served there and answer with no audio.
_EDGE = [
    ("ko-KR-SunHiNeural", "female", "ko-KR", "SunHi: Microsoft neural voice, Korean (default)"),
    ("ko-KR-InJoonNeural", "male", "ko-KR", "InJoon: Microsoft neural voice, Korean"),
    ("ko-KR-HyunsuMultilingualNeural", "male", "ko-KR", "Hyunsu: Microsoft neural voice, Korean, multilingual"),
    ("en-US-EmmaMultilingualNeural", "female", "en-US", "Emma: multilingual, can read Korean"),
    ("en-US-AvaMultilingualNeural", "female", "en-US", "Ava: multilingual, can read Korean"),
    ("en-US-AndrewMultilingualNeural", "male", "en-US", "Andrew: multilingual, can read Korean"),
    ("en-US-BrianMultilingualNeural", "male", "en-US", "Brian: multilingual, can read Korean"),
    ("ja-JP-NanamiNeural", "female", "ja-JP", "Nanami: Japanese"),
    ("ja-JP-KeitaNeural", "male", "ja-JP", "Keita: Japanese"),
    ("zh-CN-XiaoxiaoNeural", "female", "zh-CN", "Xiaoxiao: Chinese (Mandarin)"),
    ("zh-CN-YunxiNeural", "male", "zh-CN", "Yunxi: Chinese (Mandarin)"),
]

_GTTS = VoiceInfo("gtts", "ko", "female", "ko-KR", "Google Translate's Korean voice (online)")

ESPEAK_DEFAULT = "ko"  # espeak-ng's Korean voice without a variant


def korean_first(voices: list[VoiceInfo]) -> list[VoiceInfo]:
    """Korean voices first; otherwise the order given (sorted() is stable)."""
    return sorted(voices, key=lambda v: not v.korean)


def edge_builtin() -> list[VoiceInfo]:
    return [VoiceInfo("edge", name, gender, locale, desc) for name, gender, locale, desc in _EDGE]


def espeak_voices() -> list[VoiceInfo]:
    """espeak-ng's Korean voice and every variant that ships in espeak-ng-data/voices/!v/.

    A variant (e.g. 'm3', 'f2') changes pitch, formants and breathiness, not the
    language rules. Numbered ones come first (m1.., f1..), then the named ones.
    """
    out = [VoiceInfo("espeak", ESPEAK_DEFAULT, "male", "ko-KR", "espeak-ng Korean (offline, bundled)")]
    folder = _variant_folder()
    if folder is None:
        return out
    names = sorted(os.listdir(folder), key=_variant_order)
    for name in names:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        title, gender = _read_variant(path)
        out.append(VoiceInfo("espeak", name, gender, "ko-KR", f"espeak-ng Korean, variant {title}"))
    return out


def builtin_voices() -> list[VoiceInfo]:
    """Every voice known without the network, Korean first."""
    return korean_first([*edge_builtin(), _GTTS, *espeak_voices()])


def edge_voice_list(timeout: float = 3.0) -> tuple[list[VoiceInfo], bool, str]:
    """edge's voices: (voices, live, why). The live list when the service (or
    $AUDIOESSAY_EDGE_URL's host) answers within `timeout`, else the built-in one."""
    from audioessay.speech.engines.edge_client import fetch_voice_list

    try:
        raw = fetch_voice_list(timeout)
    except EngineError as exc:
        return edge_builtin(), False, f"built-in list ({exc.message})"  # e.g. offline
    voices = [VoiceInfo("edge", v["ShortName"], v.get("Gender", "").lower(), v.get("Locale", ""),
                        v.get("FriendlyName", "")) for v in raw if v.get("ShortName")]
    if not voices:
        return edge_builtin(), False, "built-in list (the service listed no voices)"
    return korean_first(voices), True, f"live list ({len(voices)} voices)"


# --- espeak-ng variant files -------------------------------------------------

def _variant_folder() -> str | None:
    try:
        import espeakng_loader

        folder = os.path.join(espeakng_loader.get_data_path(), "voices", "!v")
    except (ImportError, OSError, RuntimeError):
        return None
    return folder if os.path.isdir(folder) else None


def _variant_order(name: str) -> tuple[int, str, int]:
    """m1..m8, then f1..f5, then the rest by name (case-insensitive)."""
    if len(name) >= 2 and name[0] in "mf" and name[1:].isdigit():
        return (0 if name[0] == "m" else 1, "", int(name[1:]))
    return (2, name.lower(), 0)


def _read_variant(path: str) -> tuple[str, str]:
    """(name, gender) from a variant file's 'name ...' and 'gender ...' lines."""
    title, gender = os.path.basename(path), ""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            key, _, value = line.strip().partition(" ")
            if key == "name" and value.strip():
                title = value.strip()
            elif key == "gender" and value.strip():
                gender = {"male": "male", "female": "female"}.get(value.split()[0].lower(), "")
    return title, gender


def probed(spec, online: bool) -> str:
    """Whether an engine can be used now, for `audioessay voices`: bundled, reachable, or why not."""
    if not spec.online:
        return "bundled"
    if not online:
        return "not checked (--offline)"
    if spec.probe is None:
        return ""
    ok, why = spec.probe(spec.settings())
    return "reachable" if ok else f"unreachable now ({why})"


def edge_catalogue(online: bool) -> tuple[list[VoiceInfo], str]:
    if not online:
        return edge_builtin(), "not checked (--offline)"
    voices, live, why = edge_voice_list(timeout=3.0)
    return [v for v in voices if v.engine == "edge"], "reachable" if live else f"unreachable now ({why})"


def gtts_catalogue(online: bool) -> tuple[list[VoiceInfo], str]:
    from audioessay.speech import engines

    return [_GTTS], probed(engines.spec("gtts"), online)


def espeak_catalogue(online: bool) -> tuple[list[VoiceInfo], str]:
    return espeak_voices(), "bundled"


def usable_voices(engine: str | None = None, *, online: bool = True) -> list[dict[str, str]]:
    """Every voice (or one engine's) with whether it can be used now: bundled, reachable,
    or unreachable (why). Korean voices first. Each engine lists its own (EngineSpec.catalogue);
    online services are asked once each."""
    from audioessay.speech import engines

    listed: list[tuple[VoiceInfo, str]] = []
    for name, spec in engines.registered().items():
        if engine not in (None, name) or spec.catalogue is None:
            continue
        voices, status = spec.catalogue(online)
        listed.extend((v, status) for v in voices)
    listed.sort(key=lambda pair: not pair[0].korean)  # stable: each engine's own order otherwise
    return [{"engine": v.engine, "name": v.name, "gender": v.gender, "locale": v.locale,
             "description": v.description, "usable": v.status or status} for v, status in listed]
