"""A local stand-in for Google Translate's TTS endpoint, with fault injection.

It answers `POST /_/TranslateWebserverUi/data/batchexecute` exactly as gTTS
expects (see `gTTS._package_rpc` and `gTTS.stream`), so tests and benchmarks
drive the *real* gTTS library over real HTTP without internet.

    with FakeGtts() as fake:
        fake.status(429, retry_after=2)   # next request: HTTP 429 + Retry-After
        fake.hang(times=2)                # the two after that: no answer at all
        ...use fake.url as the endpoint...
        fake.requests                     # texts received, in arrival order

No pytest dependency: a benchmark script imports this module too.
"""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from audioessay.util import ffmpeg
from fakes import FaultScript

PATH = "/_/TranslateWebserverUi/data/batchexecute"
RPC_ID = "jQ1olc"
RATE = 24000  # the real service answers 24 kHz mono MP3
LEAD_S = 0.20  # silence before the speech-like signal
TAIL_S = 0.25  # silence after it
MS_PER_CHAR = 70


@dataclass(frozen=True)
class Received:
    """One request the server decoded."""

    text: str
    lang: str
    slow: bool
    at: float  # time.monotonic() when the request arrived


@dataclass(frozen=True)
class Fault:
    """What to do with one request instead of answering normally."""

    kind: str  # "status" | "hang" | "malformed" | "reset"
    code: int = 200
    retry_after: float | None = None


# --- audio -----------------------------------------------------------------

_mp3_cache: dict[int, bytes] = {}
_mp3_lock = threading.Lock()


def speech_ms(text: str) -> int:
    """Duration of the non-silent part for `text` (grows with its length)."""
    return max(1, len(text.strip())) * MS_PER_CHAR


def _signal(ms: int) -> np.ndarray:
    n = int(RATE * ms / 1000)
    t = np.arange(n, dtype=np.float64) / RATE
    tone = (
        0.5 * np.sin(2 * np.pi * 180 * t)
        + 0.3 * np.sin(2 * np.pi * 410 * t)
        + 0.2 * np.sin(2 * np.pi * 1230 * t)
    )
    syllables = 0.65 + 0.35 * np.sin(2 * np.pi * 4.0 * t)  # ~4 syllables/s
    ramp = min(n // 2, int(0.02 * RATE))  # 20 ms fades, no clicks
    env = np.ones(n)
    if ramp:
        env[:ramp] = np.linspace(0, 1, ramp)
        env[-ramp:] = np.linspace(1, 0, ramp)
    lead = np.zeros(int(RATE * LEAD_S))
    tail = np.zeros(int(RATE * TAIL_S))
    return np.concatenate([lead, 0.3 * tone * syllables * env, tail]).astype("<f4")


def mp3_for(text: str) -> bytes:
    """MP3 for `text`; encoded once per distinct duration, then cached."""
    ms = speech_ms(text)
    with _mp3_lock:  # one encode per duration even under concurrent requests
        if ms not in _mp3_cache:
            _mp3_cache[ms] = ffmpeg.run(
                ["-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
                 "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "pipe:1"],
                input=_signal(ms).tobytes(),
            )
        return _mp3_cache[ms]


# --- wire format -----------------------------------------------------------

def _frames(*frames: str) -> bytes:
    """Google's batchexecute framing: `)]}'`, a blank line, then <size>\\n<frame> pairs."""
    out = [")]}'\n"]
    for frame in frames:
        out.append(f"\n{len(frame.encode('utf-8')) + 1}\n{frame}")
    return ("".join(out) + "\n").encode("utf-8")


def audio_body(mp3: bytes) -> bytes:
    """A body shaped like a captured real answer: the audio is base64 in a JSON string in JSON."""
    inner = json.dumps([base64.b64encode(mp3).decode("ascii")]) + "\n"
    rpc = json.dumps(["wrb.fr", RPC_ID, inner, None, None, None, "generic"], separators=(",", ":"))
    return _frames(
        f"[{rpc}\n]",
        '[["di",37]\n,["af.httprm",36,"-668177807451224424",66]\n]',
        '[["e",4,null,null,5662]\n]',
    )


def malformed_body() -> bytes:
    """200 OK, same framing, but the rpc answers null: no audio (as when the API changes)."""
    return _frames(
        f'[["wrb.fr","{RPC_ID}",null,null,null,[3],"generic"]\n]',
        '[["e",4,null,null,120]\n]',
    )


def decode_rpc(body: str) -> tuple[str, str, bool]:
    """Undo `gTTS._package_rpc`: f.req=<urlencoded [[[rpc, json(params), null, "generic"]]]>."""
    freq = urllib.parse.parse_qs(body, strict_parsing=False)["f.req"][0]
    rpc = json.loads(freq)[0][0]
    if rpc[0] != RPC_ID:
        raise ValueError(f"unknown rpc {rpc[0]!r}")
    text, lang, speed, _ = json.loads(rpc[1])
    return text, lang, bool(speed)


# --- server ----------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_POST(self):
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        if self.path.split("?")[0] != PATH:
            return self._send(404, b"Not Found")
        try:
            text, lang, slow = decode_rpc(body)
        except (KeyError, IndexError, ValueError, TypeError):
            return self._send(400, b"Bad Request")
        fault = fake._arrive(Received(text, lang, slow, time.monotonic()))
        try:
            if fake.latency:
                time.sleep(fake.latency)
            self._answer(text, fault)
        finally:
            fake._leave()

    def _answer(self, text: str, fault: Fault | None) -> None:
        fake = self.server.fake
        if fault is None:
            return self._send(200, audio_body(mp3_for(text)))
        if fault.kind == "status":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            return self._send(fault.code, b"<html>error</html>", headers, ctype="text/html")
        if fault.kind == "malformed":
            return self._send(200, malformed_body())
        if fault.kind == "hang":
            fake._closing.wait(fake.hang_seconds)
            self.close_connection = True
            return None
        if fault.kind == "reset":
            body = audio_body(mp3_for(text))
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(0.05)  # let the client read headers + half a body first
            # SO_LINGER 0: close() sends RST, a true mid-body connection reset.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return None
        raise ValueError(f"unknown fault {fault.kind!r}")

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
    request_queue_size = 64

    def __init__(self, fake: "FakeGtts"):
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request, client_address):  # client hung up: not our problem
        pass


class FakeGtts(FaultScript):
    """Threaded fake batchexecute endpoint on 127.0.0.1 (ephemeral port).

    Faults are a FIFO script: each call below appends `times` entries, and
    each arriving request consumes the next entry (or answers normally when
    the script is empty). `latency` applies to every request.
    """

    def __init__(self, latency: float = 0.0, hang_seconds: float = 60.0):
        self.latency = latency
        self.hang_seconds = hang_seconds  # how long a "hang" holds the socket open
        FaultScript.__init__(self)
        self._in_flight = 0
        self._max_in_flight = 0
        self._closing = threading.Event()
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.port: int = port
        self.url = f"http://{host}:{port}{PATH}"
        self._stopped = False

    # -- fault script --
    def status(self, code: int, retry_after: float | None = None, times: int = 1) -> "FakeGtts":
        """Answer the next `times` requests with HTTP `code` (optionally a Retry-After header)."""
        return self._push(Fault("status", code, retry_after), times)

    def hang(self, times: int = 1) -> "FakeGtts":
        """Accept the next `times` requests but never answer (until `hang_seconds` or stop())."""
        return self._push(Fault("hang"), times)

    def malformed(self, times: int = 1) -> "FakeGtts":
        """Answer 200 with a well-framed body that carries no audio."""
        return self._push(Fault("malformed"), times)

    def reset(self, times: int = 1) -> "FakeGtts":
        """Send headers and half the body, then reset the connection."""
        return self._push(Fault("reset"), times)

    # -- observations (requests, received, pending_faults: FaultScript) --
    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return self._max_in_flight

    def _arrive(self, rec: Received) -> Fault | None:
        with self._lock:
            self._received.append(rec)
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            return self._faults.popleft() if self._faults else None

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    # -- lifecycle --
    def stop(self) -> None:
        """Go away: later connects are refused. Hanging requests are released."""
        if self._stopped:
            return
        self._stopped = True
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


if __name__ == "__main__":  # manual poking: python tests/fake_gtts.py
    with FakeGtts() as fake:
        print(fake.url)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
