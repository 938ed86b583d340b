"""A local NAVER CLOVA Voice Premium service on 127.0.0.1 speaking the documented protocol:
POST /tts-premium/v1/tts, form body, X-NCP-APIGW-API-KEY-ID / X-NCP-APIGW-API-KEY headers,
VS0x errors as JSON, real WAV or MP3 bytes per `format`. Faults come from a FaultScript."""

from __future__ import annotations

import io
import json
import socket
import struct
import threading
import time
import wave
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import numpy as np

from audioessay.util import ffmpeg
from fake_gtts import speech_ms, _signal, RATE as SIGNAL_RATE
from fakes import FaultScript

CLIENT_ID, CLIENT_SECRET = "fake-clova-id", "fake-clova-SECRET-5e3cr3t"
SPEAKERS = {"nara", "njinho", "nminseo", "nyejin", "njiyun", "nsinu", "vara", "mijin"}


@dataclass(frozen=True)
class Received:
    text: str
    form: dict


@dataclass(frozen=True)
class Fault:
    kind: str  # status | drop | slow | empty | vs
    code: int = 0
    retry_after: float | None = None
    vs: str = ""


def wav_for(text: str, rate: int) -> bytes:
    samples = _signal(speech_ms(text))
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


def mp3_for(text: str) -> bytes:
    return ffmpeg.run(["-f", "f32le", "-ar", str(SIGNAL_RATE), "-ac", "1", "-i", "pipe:0",
                       "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "pipe:1"],
                      input=_signal(speech_ms(text)).tobytes())


def _error(code: str, message: str) -> bytes:
    return json.dumps({"error": {"errorCode": code, "message": message}}).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        fake: FakeClova = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/tts-premium/v1/tts":
            return self._send(404, _error("300", "Not Found Exception"))
        if (self.headers.get("X-NCP-APIGW-API-KEY-ID") != CLIENT_ID
                or self.headers.get("X-NCP-APIGW-API-KEY") != CLIENT_SECRET):
            return self._send(401, _error("200", "Authentication Failed"))
        if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return self._send(400, _error("100", "Bad Request Exception"))
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        text = form.get("text", "")
        fake._arrive(Received(text, form))
        fault = fake._next_fault()
        if fault is not None:
            return self._fault(fault)
        if not form.get("speaker"):
            return self._send(400, _error("VS01", "speaker parameter is needed."))
        if form["speaker"] not in SPEAKERS:
            return self._send(400, _error("VS02", "Unsupported speaker."))
        if not text:
            return self._send(400, _error("VS05", "text parameter is needed."))
        if len(text) > 2000:
            return self._send(400, _error("VS06", "text parameter exceeds max length."))
        for key, low, high, vs in (("speed", -5, 10, "VS04"), ("volume", -5, 5, "VS07"), ("pitch", -5, 5, "VS08")):
            if not low <= int(form.get(key, "0")) <= high:
                return self._send(400, _error(vs, f"Unsupported {key}."))
        fmt = form.get("format", "mp3")
        if fmt == "wav":
            return self._send(200, wav_for(text, int(form.get("sampling-rate", "24000"))), ctype="audio/wav")
        return self._send(200, mp3_for(text), ctype="audio/mpeg")

    def _fault(self, fault: Fault):
        if fault.kind == "status":
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
            code = {401: "200", 403: "210", 429: "420"}.get(fault.code, "900")
            return self._send(fault.code, _error(code, "fault"), headers)
        if fault.kind == "quota":
            return self._send(429, _error("400", "Quota Exceeded"))
        if fault.kind == "vs":
            return self._send(400, _error(fault.vs, "Unsupported speaker."))
        if fault.kind == "empty":
            return self._send(200, b"", ctype="audio/mpeg")
        if fault.kind == "slow":
            time.sleep(self.server.fake.slow_seconds)  # type: ignore[attr-defined]
            return self._send(200, b"", ctype="audio/mpeg")
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

    def __init__(self, fake: "FakeClova"):
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request, client_address):
        pass


class FakeClova(FaultScript):
    def __init__(self, slow_seconds: float = 10.0):
        super().__init__()
        self.slow_seconds = slow_seconds
        self._server = _Server(self)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def status(self, code: int, retry_after: float | None = None, times: int = 1) -> "FakeClova":
        return self._push(Fault("status", code, retry_after), times)

    def fault(self, kind: str, times: int = 1, vs: str = "") -> "FakeClova":
        return self._push(Fault(kind, vs=vs), times)

    def _arrive(self, rec: Received) -> None:
        with self._lock:
            self._received.append(rec)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
