"""A local Google Cloud Text-to-Speech service on 127.0.0.1 speaking the documented REST v1
protocol: POST /v1/text:synthesize (JSON input/voice/audioConfig, X-Goog-Api-Key or an OAuth
bearer token), the 5,000-byte input limit, {"audioContent": base64} of real LINEAR16 WAV bytes,
GET /v1/voices?languageCode=, errors as {"error": {"code", "message", "status"}}, and an OAuth
token endpoint (POST /token, a service account's JWT grant) for Application Default Credentials. Faults come from a FaultScript."""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from fake_clova import wav_for
from fakes import FaultScript

API_KEY = "fake-google-KEY-AIzaSy5e3cr3t"
ACCESS_TOKEN = "ya29.fake-google-TOKEN-5e3cr3t"
TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"  # what a service account's JWT is addressed to
VOICES = {
    "ko-KR-Neural2-A": "FEMALE", "ko-KR-Neural2-B": "FEMALE", "ko-KR-Neural2-C": "MALE",
    "ko-KR-Wavenet-A": "FEMALE", "ko-KR-Wavenet-C": "MALE", "ko-KR-Standard-A": "FEMALE",
    "ko-KR-Chirp3-HD-Aoede": "FEMALE", "ko-KR-Chirp3-HD-Charon": "MALE",
}


@dataclass(frozen=True)
class Received:
    text: str
    body: dict
    headers: dict
    path: str


@dataclass(frozen=True)
class Fault:
    kind: str  # status | drop | slow | empty | nobody | quota | billing | disabled | voice
    code: int = 0
    retry_after: float | None = None


_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
           429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


def error(code: int, message: str, status: str = "") -> bytes:
    return json.dumps({"error": {"code": code, "message": message,
                                 "status": status or _STATUS.get(code, "UNKNOWN")}}).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    @property
    def fake(self) -> "FakeGoogle":
        return self.server.fake  # type: ignore[attr-defined]

    def _authorized(self) -> bool:
        return (self.headers.get("X-Goog-Api-Key") == API_KEY
                or self.headers.get("Authorization") == f"Bearer {ACCESS_TOKEN}")

    def _auth_error(self):
        if self.headers.get("X-Goog-Api-Key") is not None:  # what the real service says to a wrong key
            return self._send(400, error(400, "API key not valid. Please pass a valid API key."))
        if self.headers.get("Authorization"):
            return self._send(401, error(401, "Request had invalid authentication credentials."))
        return self._send(403, error(403, "Method doesn't allow unregistered callers (callers without "
                                          "established identity). Please use API Key or other form of API "
                                          "consumer identity to call this API."))

    def do_GET(self):
        url = urlsplit(self.path)
        self.fake._arrive(Received("", {}, dict(self.headers), self.path))
        if url.path != "/v1/voices":
            return self._send(404, error(404, "Not Found", "NOT_FOUND"))
        if not self._authorized():
            return self._auth_error()
        fault = self.fake._next_fault()
        if fault is not None and fault.kind == "status":
            return self._fault(fault)
        lang = parse_qs(url.query).get("languageCode", [""])[0]
        voices = [{"languageCodes": ["ko-KR"], "name": n, "ssmlGender": g, "naturalSampleRateHertz": 24000}
                  for n, g in VOICES.items() if not lang or lang == "ko-KR"]
        voices.append({"languageCodes": ["en-US"], "name": "en-US-Neural2-A", "ssmlGender": "MALE",
                       "naturalSampleRateHertz": 24000})
        return self._send(200, json.dumps({"voices": voices}).encode())

    def do_POST(self):
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if url.path == "/token":
            return self._token(raw)
        if url.path != "/v1/text:synthesize":
            return self._send(404, error(404, "Not Found", "NOT_FOUND"))
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            return self._send(400, error(400, "Invalid JSON payload received."))
        text = str((body.get("input") or {}).get("text", ""))
        self.fake._arrive(Received(text, body, dict(self.headers), self.path))
        if not self._authorized():
            return self._auth_error()
        fault = self.fake._next_fault()
        if fault is not None:
            return self._fault(fault)
        voice, audio = body.get("voice") or {}, body.get("audioConfig") or {}
        if not text:
            return self._send(400, error(400, "Either `input.text` or `input.ssml` must be set."))
        if len(text.encode("utf-8")) > 5000:
            return self._send(400, error(400, "Either `input.text` or `input.ssml` is longer than the limit "
                                              "of 5000 bytes. This limit is different from quotas."))
        name = voice.get("name", "")
        if name not in VOICES:
            return self._send(400, error(400, f"Voice '{name}' does not exist. Is it misspelled?"))
        if voice.get("languageCode") != "ko-KR":
            return self._send(400, error(400, f"Requested language code '{voice.get('languageCode')}' "
                                              f"doesn't match the voice '{name}'."))
        if audio.get("audioEncoding") != "LINEAR16":
            return self._send(400, error(400, "This fake answers LINEAR16 only."))
        if not 0.25 <= float(audio.get("speakingRate", 1.0) or 1.0) <= 2.0:
            return self._send(400, error(400, "Invalid speaking_rate."))
        pitch = float(audio.get("pitch", 0.0))
        if not -20 <= pitch <= 20:
            return self._send(400, error(400, "Invalid pitch."))
        if pitch and "Chirp3-HD" in name:
            return self._send(400, error(400, "This voice does not support pitch parameters."))
        rate = int(audio.get("sampleRateHertz", 24000))
        wav = wav_for(text, rate)
        return self._send(200, json.dumps({"audioContent": base64.b64encode(wav).decode("ascii")}).encode())

    def _token(self, raw: bytes):
        """OAuth 2.0 for service accounts: a JWT bearer grant signed RS256 with the account's key."""
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        self.fake._arrive(Received("", form, dict(self.headers), self.path))
        if (form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer"
                or not self.fake._valid_assertion(form.get("assertion", ""))):
            return self._send(400, json.dumps({"error": "invalid_grant",
                                               "error_description": "Invalid JWT Signature."}).encode())
        return self._send(200, json.dumps({"access_token": ACCESS_TOKEN, "expires_in": 3599,
                                           "token_type": "Bearer"}).encode())

    def _fault(self, fault: Fault):
        if fault.kind == "status":
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
            return self._send(fault.code, error(fault.code, "fault"), headers)
        if fault.kind == "quota":
            return self._send(429, error(429, "Quota exceeded for quota metric 'Characters' and limit "
                                              "'Characters per day' of service 'texttospeech.googleapis.com'."))
        if fault.kind == "billing":
            return self._send(403, error(403, "This API method requires billing to be enabled. Please enable "
                                              "billing on project #123 by visiting the console."))
        if fault.kind == "disabled":
            return self._send(403, error(403, "Cloud Text-to-Speech API has not been used in project 123 "
                                              "before or it is disabled."))
        if fault.kind == "voice":
            return self._send(400, error(400, "Voice 'ko-KR-Neural2-A' does not exist. Is it misspelled?"))
        if fault.kind == "empty":
            return self._send(200, b"{}")
        if fault.kind == "nobody":
            return self._send(200, b"")
        if fault.kind == "slow":
            time.sleep(self.fake.slow_seconds)
            return self._send(200, b"{}")
        if fault.kind == "drop":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return None
        raise ValueError(fault.kind)

    def _send(self, code: int, body: bytes, headers: dict | None = None,
              ctype: str = "application/json; charset=UTF-8") -> None:
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

    def __init__(self, fake: "FakeGoogle"):
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request, client_address):
        pass


class FakeGoogle(FaultScript):
    def __init__(self, slow_seconds: float = 10.0):
        super().__init__()
        self.slow_seconds = slow_seconds
        self._accounts: dict[str, object] = {}
        self._server = _Server(self)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def status(self, code: int, retry_after: float | None = None, times: int = 1) -> "FakeGoogle":
        return self._push(Fault("status", code, retry_after), times)

    def fault(self, kind: str, times: int = 1) -> "FakeGoogle":
        return self._push(Fault(kind), times)

    def accept_service_account(self, email: str, public_key) -> None:
        """Grant tokens to JWTs from `email` signed with the private half of `public_key`."""
        self._accounts[email] = public_key

    def _valid_assertion(self, jwt: str) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        def unb64(part: str) -> bytes:
            return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

        try:
            head, claims, sig = jwt.split(".")
            payload = json.loads(unb64(claims))
            key = self._accounts[payload["iss"]]
            key.verify(unb64(sig), f"{head}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except (ValueError, KeyError, InvalidSignature):
            return False
        return payload.get("aud") == TOKEN_AUDIENCE and payload.get("exp", 0) > time.time()

    def _arrive(self, rec: Received) -> None:
        with self._lock:
            self._received.append(rec)

    @property
    def synth(self) -> list[Received]:
        return [r for r in self.received if r.path.startswith("/v1/text:synthesize")]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
