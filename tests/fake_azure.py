"""A local Azure AI Speech text-to-speech service on 127.0.0.1 speaking the documented REST
protocol: POST /cognitiveservices/v1 with an SSML body (parsed with xml.etree), the key in
Ocp-Apim-Subscription-Key, X-Microsoft-OutputFormat riff-24khz-16bit-mono-pcm answered with
real RIFF WAV bytes whose length grows with the text (and shrinks with the prosody rate);
GET /cognitiveservices/voices/list as JSON. Faults come from a FaultScript."""

from __future__ import annotations

import io
import json
import re
import socket
import struct
import threading
import time
import wave
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from fake_gtts import speech_ms, _signal, RATE as SIGNAL_RATE
from fakes import FaultScript

KEY = "fake-azure-KEY-5e3cr3t-0123456789abcdef"
REGION = "koreacentral"
MAX_SSML_BYTES = 64 * 1024  # the documented SSML size per request
NS = "{http://www.w3.org/2001/10/synthesis}"
FORMATS = {"riff-24khz-16bit-mono-pcm": 24000, "riff-16khz-16bit-mono-pcm": 16000,
           "riff-48khz-16bit-mono-pcm": 48000}
VOICES = [  # what the service lists (a few of its voices, Korean and not)
    {"Name": "Microsoft Server Speech Text to Speech Voice (ko-KR, SunHiNeural)", "DisplayName": "SunHi",
     "LocalName": "선히", "ShortName": "ko-KR-SunHiNeural", "Gender": "Female", "Locale": "ko-KR",
     "LocaleName": "Korean (Korea)", "SampleRateHertz": "48000", "VoiceType": "Neural", "Status": "GA",
     "WordsPerMinute": "236"},
    {"Name": "Microsoft Server Speech Text to Speech Voice (ko-KR, InJoonNeural)", "DisplayName": "InJoon",
     "LocalName": "인준", "ShortName": "ko-KR-InJoonNeural", "Gender": "Male", "Locale": "ko-KR",
     "LocaleName": "Korean (Korea)", "SampleRateHertz": "48000", "VoiceType": "Neural", "Status": "GA"},
    {"Name": "Microsoft Server Speech Text to Speech Voice (ko-KR, JiMinNeural)", "DisplayName": "JiMin",
     "LocalName": "지민", "ShortName": "ko-KR-JiMinNeural", "Gender": "Female", "Locale": "ko-KR",
     "LocaleName": "Korean (Korea)", "SampleRateHertz": "48000", "VoiceType": "Neural", "Status": "GA"},
    {"Name": "Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)", "DisplayName": "Jenny",
     "LocalName": "Jenny", "ShortName": "en-US-JennyNeural", "Gender": "Female", "Locale": "en-US",
     "LocaleName": "English (United States)", "SampleRateHertz": "48000", "VoiceType": "Neural", "Status": "GA"},
]
KNOWN = {v["ShortName"] for v in VOICES} | {"ko-KR-BongJinNeural", "ko-KR-GookMinNeural",
                                            "ko-KR-SeoHyeonNeural", "ko-KR-SoonBokNeural", "ko-KR-YuJinNeural",
                                            "ko-KR-HyunsuMultilingualNeural"}


@dataclass(frozen=True)
class Received:
    text: str
    voice: str
    rate: str
    pitch: str
    ssml_bytes: int
    output_format: str
    user_agent: str


@dataclass(frozen=True)
class Fault:
    kind: str  # status | quota | drop | slow | empty
    code: int = 0
    retry_after: float | None = None


def rate_factor(rate: str) -> float:
    """'+25%' -> 1.25, '-50%' -> 0.5, '' -> 1."""
    m = re.fullmatch(r"([+-]\d+(?:\.\d+)?)%", rate or "+0%")
    if not m:
        raise ValueError(rate)
    return 1 + float(m.group(1)) / 100


def wav_for(text: str, rate: int, factor: float = 1.0) -> bytes:
    samples = _signal(max(1, round(speech_ms(text) / factor)))
    if rate != SIGNAL_RATE:
        idx = np.linspace(0, len(samples) - 1, round(len(samples) * rate / SIGNAL_RATE))
        samples = np.interp(idx, np.arange(len(samples)), samples)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def _parse(body: bytes) -> tuple[str, str, str, str]:
    """(voice name, rate, pitch, text) from the SSML; ValueError when it is not what the docs describe."""
    try:
        root = ET.fromstring(body.decode("utf-8"))
    except (ET.ParseError, UnicodeDecodeError) as exc:
        raise ValueError(f"SSML is not well-formed XML: {exc}") from exc
    if root.tag not in ("speak", NS + "speak") or root.get("version") != "1.0":
        raise ValueError("the root is not <speak version='1.0'>")
    if root.get("{http://www.w3.org/XML/1998/namespace}lang") is None:
        raise ValueError("<speak> has no xml:lang")
    voices = [el for el in root if el.tag in ("voice", NS + "voice")]
    if len(voices) != 1 or not voices[0].get("name"):
        raise ValueError("expected one <voice name=...>")
    voice = voices[0]
    prosody = next((el for el in voice if el.tag in ("prosody", NS + "prosody")), None)
    rate = pitch = ""
    if prosody is not None:
        rate, pitch = prosody.get("rate", ""), prosody.get("pitch", "")
        if pitch and not re.fullmatch(r"[+-]\d+Hz", pitch):
            raise ValueError(f"pitch {pitch!r}")
        if not 0.5 <= rate_factor(rate) <= 2.0:
            raise ValueError(f"rate {rate!r} out of range")
    return voice.get("name", ""), rate, pitch, "".join(voice.itertext())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _authorized(self) -> bool:
        if self.headers.get("Ocp-Apim-Subscription-Key") != KEY:
            self._send(401, json.dumps({"error": {"code": "401", "message": "Access denied due to invalid "
                       "subscription key or wrong API endpoint."}}).encode())
            return False
        return True

    def do_GET(self):
        if self.path != "/cognitiveservices/voices/list":
            return self._send(404, b"")
        if self._authorized():
            self._send(200, json.dumps(VOICES).encode(), ctype="application/json; charset=utf-8")

    def do_POST(self):
        fake: FakeAzure = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/cognitiveservices/v1":
            return self._send(404, b"")
        if not self._authorized():
            return None
        if not self.headers.get("Content-Type", "").startswith("application/ssml+xml"):
            return self._send(415, b"")
        fmt = self.headers.get("X-Microsoft-OutputFormat", "")
        if fmt not in FORMATS or not self.headers.get("User-Agent"):
            return self._send(400, b"")
        if len(body) > MAX_SSML_BYTES:
            return self._send(400, b"SSML too long")
        try:
            voice, rate, pitch, text = _parse(body)
        except ValueError:
            return self._send(400, b"")
        fake._arrive(Received(text, voice, rate, pitch, len(body), fmt, self.headers.get("User-Agent", "")))
        fault = fake._next_fault()
        if fault is not None:
            return self._fault(fault)
        if voice not in KNOWN:
            return self._send(400, b"Unsupported voice " + voice.encode())
        return self._send(200, wav_for(text, FORMATS[fmt], rate_factor(rate)), ctype="audio/x-wav")

    def _fault(self, fault: Fault):
        if fault.kind == "status":
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
            return self._send(fault.code, json.dumps({"error": {"code": str(fault.code), "message": "fault"}})
                              .encode(), headers)
        if fault.kind == "quota":  # what F0 answers once its monthly characters are spent
            return self._send(403, json.dumps({"error": {"code": "403", "message": "Out of call volume quota "
                              "for TextToSpeech F0 pricing tier. Please retry after 26 days. To increase your "
                              "call volume switch to a paid tier."}}).encode())
        if fault.kind == "empty":
            return self._send(200, b"", ctype="audio/x-wav")
        if fault.kind == "slow":
            time.sleep(self.server.fake.slow_seconds)  # type: ignore[attr-defined]
            return self._send(200, b"", ctype="audio/x-wav")
        if fault.kind == "drop":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return None
        raise ValueError(fault.kind)

    def _send(self, code: int, body: bytes, headers: dict | None = None,
              ctype: str = "application/json; charset=utf-8") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: "FakeAzure"):
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request, client_address):
        pass


class FakeAzure(FaultScript):
    def __init__(self, slow_seconds: float = 10.0):
        super().__init__()
        self.slow_seconds = slow_seconds
        self._server = _Server(self)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def status(self, code: int, retry_after: float | None = None, times: int = 1) -> "FakeAzure":
        return self._push(Fault("status", code, retry_after), times)

    def fault(self, kind: str, times: int = 1) -> "FakeAzure":
        return self._push(Fault(kind), times)

    def _arrive(self, rec: Received) -> None:
        with self._lock:
            self._received.append(rec)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
