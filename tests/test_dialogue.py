"""voice.dialogue (issue 23, item 6): sentences that are wholly a quotation are voiced by a
second voice; the transcript names it; changing it re-voices only those sentences."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from click.testing import CliRunner
from pydub import AudioSegment

from audioessay.config.engines import EngineSpec
from audioessay.episode import render
from audioessay.errors import InputError
from audioessay.export.sidecars import sidecar_paths
from audioessay.script import loader
from audioessay.speech import engines
from audioessay.speech.cache import Cache
from audioessay.speech.engines.base import Engine
from audioessay.speech.plan import make_plan
from audioessay.text.quotes import quoted_parts, wholly_quoted
from audioessay.util import ffmpeg
from conftest import FAKE_RATE, FakeVoice, tone_pcm

NAMES = ["narr", "quote", "other"]


class VoiceEngine(Engine):
    """A fake engine per voice name: counts the texts each voice is asked to speak."""

    name = "duo"
    version = "1"

    def __init__(self, voice: str, calls: dict[str, list[str]]):
        self.voice = voice
        self.calls = calls
        self.lock = threading.Lock()

    def settings(self) -> dict[str, object]:
        return {"name": self.voice}

    def synthesize(self, text: str, cancelled: threading.Event | None = None) -> AudioSegment:
        with self.lock:
            self.calls.setdefault(self.voice, []).append(text)
        return AudioSegment(data=tone_pcm(text), sample_width=2, frame_rate=FAKE_RATE, channels=1)


@pytest.fixture
def duo():
    calls: dict[str, list[str]] = {}
    engines.register(EngineSpec(name="duo", doc="test engine with named voices", settings=FakeVoice,
                                create=lambda voice, group: VoiceEngine(voice.name or "narr", calls),
                                native_rate=FAKE_RATE, supports=frozenset({"name"}),
                                voice_names=lambda: NAMES))
    try:
        yield calls
    finally:
        engines.unregister("duo")


QUOTED = ["“왜 쓰는가?”", "\"감정은 무엇으로 증명되는가?\"", "「그래, 가자.」"]
NARRATION = ["그녀는 창밖을 보았다.", "이 영화는 \"감정이 진짜일 수 있는가?\"라는 질문을 던진다."]
# the second narration sentence quotes a question: the question is the dialogue voice's
EMBEDDED = "\"감정이 진짜일 수 있는가?\""
NARRATED = [NARRATION[0], "이 영화는", "라는 질문을 던진다."]
SPOKEN_QUOTES = QUOTED + [EMBEDDED]


def script_text(dialogue: str = "quote") -> str:
    body = f"{NARRATION[0]} {QUOTED[0]} {NARRATION[1]}\n\n      {QUOTED[1]} {QUOTED[2]}"
    return ("title: 대화\nvoice:\n  engine: duo\n  name: narr\n"
            f"  dialogue: {{name: {dialogue}}}\n"
            f"sections:\n  - title: 하나\n    text: |\n      {body}\n")


@pytest.mark.parametrize("text", ["“왜 쓰는가?”", "\"Why?\"", "‘감정은?’.", "「그래」", "『책』", "'hi'!",
                                  "“나는 ‘그래’라고 했다.”", "  “네.”  "])
def test_wholly_quoted(text):
    assert wholly_quoted(text)


@pytest.mark.parametrize("text", ["그는 \"왜?\"라고 물었다.", "“A,” he said, “B.”", "『책』이다", "“열린",
                                  "\"a\" \"b\"", "\"\"", "“…”", "평범한 문장."])
def test_not_wholly_quoted(text):
    assert not wholly_quoted(text)


@pytest.mark.parametrize("sentence, parts", [
    ("그는 “정말 끝이야?”라고 물었다.", [("그는", False), ("“정말 끝이야?”", True), ("라고 물었다.", False)]),
    ("“가자,” 그녀가 말했다.", [("“가자,”", True), ("그녀가 말했다.", False)]),
    ("엄마는 ‘괜찮아.’ 하고 웃었다.", [("엄마는", False), ("‘괜찮아.’", True), ("하고 웃었다.", False)]),
    ("‘사랑’이라는 말은 「연인」에 나온다.", [("‘사랑’이라는 말은 「연인」에 나온다.", False)]),
    ("I don't know 'why' yet.", [("I don't know 'why' yet.", False)]),
    ("“왜?” “몰라.”", [("“왜?”", True), ("“몰라.”", True)]),
    ("“닫히지 않은 인용?", [("“닫히지 않은 인용?", False)]),
])
def test_quoted_parts(sentence, parts):
    assert quoted_parts(sentence) == parts
    assert "".join(t for t, _ in parts).replace(" ", "") == sentence.replace(" ", "")


def test_quoted_speech_gets_the_dialogue_voice(duo, write_script):
    plan = make_plan(loader.load(write_script(script_text())))
    assert [v.name for v in plan.voices] == ["narr", "quote"]
    by = {u.text: plan.voices[u.voice].name for u in plan.utterances if u.kind == "sentence"}
    assert by == {**{q: "quote" for q in SPOKEN_QUOTES}, **{n: "narr" for n in NARRATED}}
    assert plan.voices[plan.utterances[0].voice].name == "narr"  # the heading is the narrator's
    pause = {u.text: u.pause_ms for u in plan.utterances}
    clause = loader.load(write_script(script_text())).pauses.clause
    assert pause["이 영화는"] == pause[EMBEDDED] == clause  # a breath at the change of voice
    assert pause["라는 질문을 던진다."] != clause


def test_without_dialogue_everything_is_the_narrators(duo, write_script):
    text = script_text().replace("  dialogue: {name: quote}\n", "")
    plan = make_plan(loader.load(write_script(text)))
    assert [v.name for v in plan.voices] == ["narr"] and {u.voice for u in plan.utterances} == {0}


def test_dialogue_voice_renders_and_rerenders_only_quoted(duo, write_script, tmp_path):
    cache = Cache(tmp_path / "cache")
    path = write_script(script_text("quote"))
    out = tmp_path / "ep.mp3"
    plan = make_plan(loader.load(path))
    spoken = {u.text: u.spoken for u in plan.utterances}  # what the engines receive
    quoted = sorted(spoken[q] for q in SPOKEN_QUOTES)
    result = render.render(loader.load(path), output=out, cache=cache)
    assert sorted(duo["quote"]) == quoted
    assert sorted(duo["narr"]) == sorted([spoken["하나"]] + [spoken[n] for n in NARRATED])

    # the MP3 decodes to the timeline's length
    samples = ffmpeg.decode(str(out), 44100, channels=1)[:, 0]
    assert np.abs(samples).max() > 0.05
    assert abs(len(samples) / 44.1 - result.timeline.duration_ms) < 60

    # the transcript names the speaker of each cue
    side = sidecar_paths(out)
    segments = json.loads(side["json"].read_text(encoding="utf-8"))["segments"]
    speakers = {s["body"]: s.get("speaker") for s in segments}
    assert {speakers[q] for q in SPOKEN_QUOTES} == {"quote"}
    assert {speakers[n] for n in NARRATED} == {"narr"}
    vtt = side["vtt"].read_text(encoding="utf-8")
    assert "<v quote>“왜 쓰는가?”</v>" in vtt
    assert "<v narr>그녀는 창밖을 보았다.</v>" in vtt

    # another dialogue voice: only the quoted sentences are voiced again
    duo.clear()
    path.write_text(script_text("other"), encoding="utf-8")
    again = render.render(loader.load(path), output=out, cache=cache)
    assert sorted(duo.pop("other")) == quoted
    assert duo == {}
    assert again.synthesized == len(SPOKEN_QUOTES)


def test_dialogue_follows_engine_override(duo, write_script):
    s = loader.load(write_script(script_text())).with_engine("espeak")
    assert s.sections[0].dialogue is not None and s.sections[0].dialogue.engine == "espeak"


@pytest.mark.parametrize("dialogue, key, words", [
    ("{engine: nosuch}", "voice.dialogue.engine", "nosuch"),
    ("{name: nobody}", "voice.dialogue.name", "nobody"),
    ("{colour: red}", "voice.dialogue.colour", "unknown voice key"),
])
def test_bad_dialogue_voice_is_one_line_with_its_line(duo, write_script, dialogue, key, words):
    path = write_script(script_text().replace("{name: quote}", dialogue))
    with pytest.raises(InputError) as got:
        loader.load(path)
    (line,) = got.value.lines()
    assert line.startswith(f"error: {path}:5: {key}") and words in line

    from audioessay.cli import cli

    run = CliRunner().invoke(cli, ["render", str(path)])
    assert run.exit_code == 2 and f"{path}:5:" in run.output and "Traceback" not in run.output


def test_text_json_names_the_speaker(duo, write_script):
    from audioessay.cli import cli

    run = CliRunner().invoke(cli, ["text", str(write_script(script_text())), "--json"])
    assert run.exit_code == 0, run.output
    rows = json.loads(run.output)
    by = {r["text"]: r["speaker"] for r in rows}
    assert by[EMBEDDED] == "quote" and by["이 영화는"] == "narr" and by["하나"] == "narr"
