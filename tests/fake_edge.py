"""A local stand-in for Microsoft Edge's read-aloud speech service, with fault injection.

It speaks the protocol the edge-tts library speaks (see `edge_tts.communicate`):
a WebSocket at `.../readaloud/edge/v1?TrustedClientToken=...&ConnectionId=...
&Sec-MS-GEC=...&Sec-MS-GEC-Version=...`; the client sends a `Path:speech.config`
text message and a `Path:ssml` text message; the service answers `turn.start`,
`response`, `audio.metadata` (word boundaries, JSON, offsets in 100 ns ticks)
interleaved with binary `Path:audio` frames (2-byte header length, headers,
MP3 bytes), an empty end-of-audio frame, then `turn.end`. The voice list is
served over plain HTTP at `.../readaloud/voices/list` on the same port.

The Sec-MS-GEC token is checked against the fake's clock (`clock_offset`
seconds ahead of the real one): a token from the current or the previous
5-minute window passes, anything else gets HTTP 403 with a Date header, as
the real service does, so edge-tts' clock-skew correction is exercised.

    with FakeEdge() as fake:
        fake.reject(403)         # next handshake: HTTP 403
        fake.cut(times=2)        # the two after that: stream stops before turn.end
        ...point AUDIOESSAY_EDGE_URL at fake.url...
        fake.requests            # texts received, in arrival order

The MP3s are a real 24 kHz 48 kbit/s mono MP3 of the gTTS fake's speech-like
tone (ffmpeg), long in proportion to the text and shortened by the `rate`.
No pytest dependency.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import re
import socket
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from edge_tts import communicate as edge_communicate
from edge_tts import voices as edge_voices
from edge_tts.constants import TRUSTED_CLIENT_TOKEN
from edge_tts.drm import DRM, generate_sec_ms_gec_v2
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from audioessay.util import ffmpeg
from fakes import FaultScript
from fake_gtts import LEAD_S, RATE, _signal, speech_ms

PREFIX = "/consumer/speech/synthesize/readaloud"
WS_PATH = f"{PREFIX}/edge/v1"
VOICES_PATH = f"{PREFIX}/voices/list"
OUTPUT_FORMAT = "audio-24khz-48kbitrate-mono-mp3"
CHUNK = 1440  # bytes of MP3 per binary frame (~240 ms at 48 kbit/s)
TICKS_PER_MS = 10_000  # the service counts in 100 ns ticks
# An MP3 piped out of ffmpeg has no LAME gapless header, so decoders keep the encoder's
# delay (576 + 529 samples): the decoded sound starts this much after the word offsets.
MP3_DELAY_S = 1105 / RATE
_SSML_NS = "{http://www.w3.org/2001/10/synthesis}"

# The shape of the live list (a few entries; the real one has ~320).
VOICES = [
    {"Name": "Microsoft Server Speech Text to Speech Voice (ko-KR, SunHiNeural)",
     "ShortName": "ko-KR-SunHiNeural", "Gender": "Female", "Locale": "ko-KR",
     "SuggestedCodec": OUTPUT_FORMAT, "FriendlyName": "Microsoft SunHi Online (Natural) - Korean (Korea)",
     "Status": "GA", "VoiceTag": {"ContentCategories": ["General"], "VoicePersonalities": ["Friendly", "Positive"]}},
    {"Name": "Microsoft Server Speech Text to Speech Voice (ko-KR, InJoonNeural)",
     "ShortName": "ko-KR-InJoonNeural", "Gender": "Male", "Locale": "ko-KR",
     "SuggestedCodec": OUTPUT_FORMAT, "FriendlyName": "Microsoft InJoon Online (Natural) - Korean (Korea)",
     "Status": "GA", "VoiceTag": {"ContentCategories": ["General"], "VoicePersonalities": ["Friendly", "Positive"]}},
    {"Name": "Microsoft Server Speech Text to Speech Voice (ko-KR, HyunsuMultilingualNeural)",
     "ShortName": "ko-KR-HyunsuMultilingualNeural", "Gender": "Male", "Locale": "ko-KR",
     "SuggestedCodec": OUTPUT_FORMAT,
     "FriendlyName": "Microsoft Hyunsu Multilingual Online (Natural) - Korean (Korea)",
     "Status": "GA", "VoiceTag": {"ContentCategories": ["General"], "VoicePersonalities": ["Friendly", "Positive"]}},
    {"Name": "Microsoft Server Speech Text to Speech Voice (en-US, EmmaMultilingualNeural)",
     "ShortName": "en-US-EmmaMultilingualNeural", "Gender": "Female", "Locale": "en-US",
     "SuggestedCodec": OUTPUT_FORMAT,
     "FriendlyName": "Microsoft Emma Online (Natural) - English (United States)",
     "Status": "GA", "VoiceTag": {"ContentCategories": ["Conversation", "Copilot"],
                                  "VoicePersonalities": ["Cheerful", "Clear", "Conversational"]}},
]


@dataclass(frozen=True)
class Received:
    """One SSML request the server decoded."""

    text: str  # the spoken text, XML-unescaped
    voice: str  # short form, e.g. "ko-KR-SunHiNeural"
    rate: str
    pitch: str
    volume: str
    word_boundaries: bool  # what speech.config asked for
    output_format: str
    ssml: str
    at: float  # time.monotonic() when it arrived


@dataclass(frozen=True)
class Handshake:
    """One HTTP request (WebSocket upgrade or voice list) and what the fake did with it."""

    path: str
    query: dict[str, str]
    outcome: str  # "accepted" | "rejected <code>" | "bad token" | "dropped" | "voices"
    at: float


@dataclass(frozen=True)
class Fault:
    """What to do with one connection instead of serving it normally."""

    kind: str  # "reject" | "drop" | "hang" | "cut" | "abort" | "no_audio" | "slow" | "garble"
    code: int = 403
    delay: float = 0.0
    retry_after: float | None = None


# --- audio -----------------------------------------------------------------

_mp3_cache: dict[int, bytes] = {}
_mp3_lock = threading.Lock()


def rate_factor(rate: str) -> float:
    """'+25%' -> 1.25: how much faster than normal the service speaks."""
    return 1.0 + int(rate.rstrip("%")) / 100


def spoken_ms(text: str, rate: str = "+0%") -> int:
    """Duration of the speech-like part for `text` at `rate`."""
    return max(1, round(speech_ms(text) / rate_factor(rate)))


def mp3_for(ms: int) -> bytes:
    """A CBR MP3 like the service's (24 kHz, 48 kbit/s, mono); one encode per duration."""
    with _mp3_lock:
        if ms not in _mp3_cache:
            _mp3_cache[ms] = ffmpeg.run(
                ["-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
                 "-c:a", "libmp3lame", "-b:a", "48k", "-f", "mp3", "pipe:1"],
                input=_signal(ms).tobytes(),
            )
        return _mp3_cache[ms]


def word_boundaries(text: str, ms: int) -> list[tuple[int, int, str]]:
    """(offset ticks, duration ticks, word) spread over the speech in proportion to position."""
    n = max(1, len(text))
    out = []
    for m in re.finditer(r"\w+", text):
        start = LEAD_S * 1000 + ms * m.start() / n
        length = ms * (m.end() - m.start()) / n
        out.append((round(start * TICKS_PER_MS), round(length * TICKS_PER_MS), m.group()))
    return out


# --- wire format -----------------------------------------------------------

def text_message(path: str, body: str, request_id: str) -> str:
    return (f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\n"
            f"Path:{path}\r\n\r\n{body}")


def audio_frame(data: bytes, request_id: str, stream_id: str) -> bytes:
    """2-byte big-endian header length, the headers, then the MP3 bytes.
    The last frame of a turn has no Content-Type and no data."""
    ctype = "Content-Type:audio/mpeg\r\n" if data else ""
    head = f"X-RequestId:{request_id}\r\n{ctype}X-StreamId:{stream_id}\r\nPath:audio\r\n".encode()
    return len(head).to_bytes(2, "big") + head + data


def metadata(offset: int, duration: int, word: str) -> str:
    return json.dumps({"Metadata": [{"Type": "WordBoundary", "Data": {
        "Offset": offset, "Duration": duration,
        "text": {"Text": word, "Length": len(word), "BoxType": "Word"}}}]}, ensure_ascii=False)


def parse_text_message(message: str) -> tuple[dict[str, str], str]:
    head, _, body = message.partition("\r\n\r\n")
    headers = dict(line.split(":", 1) for line in head.split("\r\n") if ":" in line)
    return headers, body


def short_voice(name: str) -> str:
    """'Microsoft Server Speech Text to Speech Voice (ko-KR, SunHiNeural)' -> 'ko-KR-SunHiNeural'."""
    m = re.fullmatch(r"Microsoft Server Speech Text to Speech Voice \((.+), (.+)\)", name)
    return f"{m.group(1)}-{m.group(2)}" if m else name


def parse_ssml(ssml: str) -> tuple[str, str, str, str, str]:
    """(voice, rate, pitch, volume, text) from the SSML edge-tts builds."""
    speak = ET.fromstring(ssml)
    voice = speak.find(f"{_SSML_NS}voice")
    prosody = voice.find(f"{_SSML_NS}prosody")
    return (short_voice(voice.get("name", "")), prosody.get("rate", ""), prosody.get("pitch", ""),
            prosody.get("volume", ""), prosody.text or "")


def token_ok(token: str, now: float) -> bool:
    """The current or the previous 5-minute window's Sec-MS-GEC, by the server's clock."""
    return token in (generate_sec_ms_gec_v2(now), generate_sec_ms_gec_v2(now - 300))


# --- server ----------------------------------------------------------------

class FakeEdge(FaultScript):
    """Fake read-aloud service on 127.0.0.1 (ephemeral port), in a background thread.

    Faults are a FIFO script: each call below appends `times` entries, and
    each arriving WebSocket handshake consumes the next entry (or is served
    normally when the script is empty). The voice list does not consume faults.
    """

    def __init__(self, clock_offset: float = 0.0):
        self.clock_offset = clock_offset  # the fake's clock minus the real one, seconds
        self.voices = [dict(v) for v in VOICES]  # served list; other voices get no audio
        self.voices_status: int | None = None  # set: the voice list answers with this HTTP status
        FaultScript.__init__(self)
        self._handshakes: list[Handshake] = []
        self._connection_faults: dict[int, Fault | None] = {}
        self._loop = asyncio.new_event_loop()
        self._stopped = False
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)
        self.port: int = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}{WS_PATH}?TrustedClientToken={TRUSTED_CLIENT_TOKEN}"
        self.voices_url = f"http://127.0.0.1:{self.port}{VOICES_PATH}?trustedclienttoken={TRUSTED_CLIENT_TOKEN}"

    # -- fault script --
    def reject(self, code: int = 403, times: int = 1, retry_after: float | None = None) -> "FakeEdge":
        """Refuse the next `times` handshakes with HTTP `code` (with a Date header)."""
        return self._push(Fault("reject", code=code, retry_after=retry_after), times)

    def hang(self, times: int = 1) -> "FakeEdge":
        """Accept TCP and the HTTP request, never answer the handshake (until stop())."""
        return self._push(Fault("hang"), times)

    def drop(self, times: int = 1) -> "FakeEdge":
        """Accept TCP, then close it without answering the handshake."""
        return self._push(Fault("drop"), times)

    def cut(self, times: int = 1) -> "FakeEdge":
        """Send half the audio, then close the WebSocket cleanly, before turn.end."""
        return self._push(Fault("cut"), times)

    def abort(self, times: int = 1) -> "FakeEdge":
        """Send half the audio, then drop the TCP connection (no close frame)."""
        return self._push(Fault("abort"), times)

    def no_audio(self, times: int = 1) -> "FakeEdge":
        """turn.start and turn.end with nothing between (what an unknown voice gets)."""
        return self._push(Fault("no_audio"), times)

    def garble(self, times: int = 1) -> "FakeEdge":
        """Answer with a message path edge-tts does not know (as if the protocol changed)."""
        return self._push(Fault("garble"), times)

    def slow(self, delay: float, times: int = 1) -> "FakeEdge":
        """Wait `delay` seconds before every message of the turn."""
        return self._push(Fault("slow", delay=delay), times)

    # -- observations (requests, received, pending_faults: FaultScript) --
    @property
    def handshakes(self) -> list[Handshake]:
        """Every HTTP request, WebSocket or voice list, in arrival order (a copy)."""
        with self._lock:
            return list(self._handshakes)

    # -- lifecycle --
    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        quiet = logging.getLogger("fake_edge")
        quiet.propagate = False
        quiet.addHandler(logging.NullHandler())

        async def start():
            self._closing = asyncio.Event()  # set by stop(): slow streams stop waiting
            self._server = await serve(self._serve, "127.0.0.1", 0, process_request=self._process_request,
                                       logger=quiet, ping_interval=None)
            ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def stop(self) -> None:
        """Go away: later connects are refused, open streams are closed."""
        if self._stopped:
            return
        self._stopped = True

        async def close():
            self._closing.set()
            self._server.close()
            await self._server.wait_closed()

        try:
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=5)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    # -- HTTP side: handshake checks, faults, the voice list --
    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urllib.parse.urlsplit(request.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        now = time.time() + self.clock_offset

        def record(outcome: str) -> None:
            with self._lock:
                self._handshakes.append(Handshake(url.path, query, outcome, time.monotonic()))

        token = query.get("TrustedClientToken") or query.get("trustedclienttoken")
        if url.path not in (WS_PATH, VOICES_PATH) or token != TRUSTED_CLIENT_TOKEN:
            record("not found")
            return connection.respond(404, "Not Found\n")
        if not token_ok(query.get("Sec-MS-GEC", ""), now) or not query.get("Sec-MS-GEC-Version"):
            record("bad token")
            return self._reject(connection, 403, now)
        if url.path == VOICES_PATH and self.voices_status is not None:
            record(f"rejected {self.voices_status}")
            return self._reject(connection, self.voices_status, now)
        if url.path == VOICES_PATH:
            record("voices")
            response = connection.respond(200, json.dumps(self.voices))
            response.headers["Content-Type"] = "application/json; charset=utf-8"
            return response
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            self._connection_faults[id(connection)] = fault
        if fault is not None and fault.kind == "reject":
            record(f"rejected {fault.code}")
            response = self._reject(connection, fault.code, now)
            if fault.retry_after is not None:
                response.headers["Retry-After"] = f"{fault.retry_after:g}"
            return response
        if fault is not None and fault.kind == "hang":
            record("hung")
            await self._closing.wait()
            connection.transport.abort()
            return connection.respond(500, "")
        if fault is not None and fault.kind == "drop":
            record("dropped")
            connection.transport.abort()
            return connection.respond(500, "")  # never reaches the aborted socket
        record("accepted")
        return None

    @staticmethod
    def _reject(connection: ServerConnection, code: int, now: float) -> Response:
        response = connection.respond(code, "rejected by the fake\n")
        del response.headers["Date"]
        response.headers["Date"] = email.utils.formatdate(now, usegmt=True)
        return response

    # -- WebSocket side --
    async def _serve(self, ws: ServerConnection) -> None:
        with self._lock:
            fault = self._connection_faults.pop(id(ws), None)
        config_seen = False
        word_boundaries_on = False
        output_format = ""
        try:
            async for message in ws:
                if isinstance(message, bytes):
                    await ws.close(1003, "binary messages are not expected from the client")
                    return
                headers, body = parse_text_message(message)
                path = headers.get("Path")
                if path == "speech.config":
                    audio = json.loads(body)["context"]["synthesis"]["audio"]
                    word_boundaries_on = audio["metadataoptions"]["wordBoundaryEnabled"] == "true"
                    output_format = audio["outputFormat"]
                    config_seen = True
                elif path == "ssml":
                    if not config_seen:
                        await ws.close(1002, "ssml before speech.config")
                        return
                    voice, rate, pitch, volume, text = parse_ssml(body)
                    rec = Received(text, voice, rate, pitch, volume, word_boundaries_on, output_format,
                                   body, time.monotonic())
                    with self._lock:
                        self._received.append(rec)
                    await self._speak(ws, rec, headers.get("X-RequestId", uuid.uuid4().hex), fault)
                    if fault is not None and fault.kind in ("cut", "abort"):
                        return
        except ConnectionClosed:
            pass

    async def _speak(self, ws: ServerConnection, rec: Received, request_id: str, fault: Fault | None) -> None:
        delay = fault.delay if fault is not None and fault.kind == "slow" else 0.0

        async def send(message) -> None:
            if delay:
                try:
                    await asyncio.wait_for(self._closing.wait(), delay)
                except asyncio.TimeoutError:
                    pass
            await ws.send(message)  # raises ConnectionClosed once stop() closed it

        stream_id = uuid.uuid4().hex.upper()
        tag = json.dumps({"context": {"serviceTag": request_id}})
        await send(text_message("turn.start", tag, request_id))
        if fault is not None and fault.kind == "garble":
            await send(text_message("audio.v2", tag, request_id))
        await send(text_message("response", json.dumps(
            {"context": {"serviceTag": request_id}, "audio": {"type": "inline", "streamId": stream_id}}),
            request_id))
        known = any(v["ShortName"] == rec.voice for v in self.voices)
        if known and (fault is None or fault.kind != "no_audio"):
            ms = spoken_ms(rec.text, rec.rate)
            mp3 = mp3_for(ms)
            chunks = [mp3[i:i + CHUNK] for i in range(0, len(mp3), CHUNK)]
            words = word_boundaries(rec.text, ms) if rec.word_boundaries else []
            bytes_per_ms = 48_000 / 8 / 1000
            sent = 0
            for i, chunk in enumerate(chunks):
                if fault is not None and fault.kind in ("cut", "abort") and i >= max(1, len(chunks) // 2):
                    if fault.kind == "abort":
                        ws.transport.abort()
                    else:
                        await ws.close()
                    return
                # a word's boundary goes out just before the audio that contains its start
                while words and words[0][0] / TICKS_PER_MS * bytes_per_ms < sent + len(chunk):
                    await send(text_message("audio.metadata", metadata(*words.pop(0)), request_id))
                await send(audio_frame(chunk, request_id, stream_id))
                sent += len(chunk)
            for word in words:
                await send(text_message("audio.metadata", metadata(*word), request_id))
            await send(audio_frame(b"", request_id, stream_id))
        await send(text_message("turn.end", tag, request_id))


# --- test helpers ------------------------------------------------------------

def isolate_edge_tts(monkeypatch, endpoint_env: str) -> None:
    """Undo, after a test, what a test changes in edge-tts' process-wide state."""
    # aiohttp trusts proxy variables, which would route 127.0.0.1 through a proxy.
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv(endpoint_env, raising=False)
    monkeypatch.setattr(DRM, "clock_skew_seconds", 0.0)  # moved by every 403 with a Date header
    monkeypatch.setattr(edge_communicate, "WSS_URL", edge_communicate.WSS_URL)
    monkeypatch.setattr(edge_voices, "VOICE_LIST", edge_voices.VOICE_LIST)


def closed_port() -> int:
    """A local port nobody listens on (connects are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":  # manual poking: python tests/fake_edge.py
    with FakeEdge() as fake:
        print(fake.url)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
