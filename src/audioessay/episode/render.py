"""The orchestrator: script -> plan -> synthesize -> assemble -> master -> export."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from audioessay.speech import engines
from audioessay.speech.cache import Cache, default_cache_dir
from audioessay.errors import InputError, Problem
from audioessay.export import id3, tags as txxx
from audioessay.episode import outputs
from audioessay.episode.preview import one_section, play, section_index  # noqa: F401  (the CLI calls them here)
from audioessay.speech.plan import Plan, episode_digest, make_plan
from audioessay.util.progress import Reporter
from audioessay.script.loader import Script

if TYPE_CHECKING:
    from audioessay.master.loudness import Loudness
    from audioessay.mix.timeline import Timeline
    from audioessay.episode.pass2 import Pass2
    from audioessay.speech.engines.base import Engine

log = logging.getLogger("audioessay.episode.render")


@dataclass(frozen=True)
class Result:
    output: Path
    engine: str
    up_to_date: bool
    duration_ms: int = 0
    sections: int = 0
    sentences: int = 0
    synthesized: int = 0
    reused: int = 0
    before: Loudness | None = None
    after: Loudness | None = None
    sidecars: tuple[Path, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    timeline: Timeline | None = None  # where every cue and chapter landed (None when up to date)
    encodes: int = 0  # times pass 2 encoded the episode: 1, or 2 when the first file was off


def render(script: Script, *, output: Path | None = None, cache: Cache | None = None,
           force: bool = False, reporter: Reporter | None = None, with_sidecars: bool = True,
           replace: bool = False) -> Result:
    """Render `script` to its MP3 (`output`, else the script's) and sidecars, or say it is
    up to date. `cache`: the sentence cache (default: the user's, as the CLI uses it).
    `force`: render even when up to date; `replace`: replace a file at the output (or a
    sidecar's place) that no render made, which is otherwise refused (the CLI's --force)."""
    if cache is None:
        cache = Cache(default_cache_dir())
    report = reporter or Reporter()
    started = time.monotonic()
    output = Path(output) if output else script.output
    outputs.check_output(output, script, with_sidecars, replace)
    from audioessay.util.fsutil import clean_stale_parts

    clean_stale_parts(output.parent, output.stem)  # temporaries of a render that was killed
    stored = outputs.stored_tags(output)
    pinned = stored.get(txxx.ENGINE, "").split(" ")[0] or None
    plan, voiced_by = _plan(script, pinned, report)
    engine = voiced_by[0]
    digest = episode_digest(script, plan, [e.identity() for e in voiced_by])
    if not force and stored.get(txxx.DIGEST) == digest and outputs.sidecars_match(output, stored):
        return Result(output, engine.name, up_to_date=True, seconds=time.monotonic() - started)
    _check_reachable(voiced_by, script, output, pinned)

    # Imported here so an up-to-date check never pays for the audio modules' imports.
    from audioessay.export import sidecars
    from audioessay.master.gain import Gain
    from audioessay.mix.assemble import assemble
    from audioessay.episode import parts, pass2, scratch
    from audioessay.episode.encode import Output
    from audioessay.speech.synthesize import synthesize
    from audioessay.util.fsutil import atomic_group

    _check_bed(script)  # before synthesis: a bad music file must not cost a render

    cache.start_render()  # a cache that cannot be written warns once (Cache.failed), then is not written
    report.start(len(plan.utterances))
    try:
        with _stage("synthesize", report, f"narrating {len(plan.utterances)} utterances (1/4)"):
            clips = synthesize(plan, voiced_by, cache, script.audio.sample_rate, report.advance)
    finally:
        report.finish()
    with _stage("assemble", report, "laying out the episode (2/4)"):
        mix = assemble(plan, clips, script.audio, script.music, script.layout,
                       tuple(s.music for s in script.sections), mastering=script.mastering)
    # Each section is a part of the episode: one that did not change is taken from the
    # cache, measured (pass 1) and encoded (pass 2) as before (parts.py, encode.py).
    episode = parts.Parts.of(mix, keyed=cache.spans is not None)
    store = parts.Store(cache.spans, cache.failed)
    # Pass 1's stems are kept on disk for pass 2, and removed at the end.
    with scratch.stems_folder(cache) as folder:
        spill = parts.Spill(folder)
        with _stage("master", report, "measuring loudness, pass 1 of 2 (3/4)"):
            measured = parts.measure(episode, store, spill)
        contents = sidecars.sidecar_texts(mix.timeline) if with_sidecars else {}
        texts = {p: contents[k] for k, p in sidecars.sidecar_paths(output).items() if k in contents}
        # The MP3 and its sidecars appear together or not at all; the MP3 (which vouches for
        # the others through txxx.SIDECARS) is renamed last.
        with _stage("export", report, "mastering and encoding, pass 2 of 2 (4/4)"), \
                atomic_group([*texts, output]) as tmps:
            for path, text in texts.items():
                tmps[path].write_bytes(text.encode("utf-8"))
            done = pass2.run(episode, measured, script.mastering,
                             Output(tmps[output], script.audio.bitrate, store, cache.spans), spill,
                             Gain.parse(stored.get(txxx.GAIN)))
            if done.last.stats.cache_error is not None:
                cache.failed(done.last.stats.cache_error)
            id3.write_tags(tmps[output], _tags(script, digest, engine, done, texts.values(), stored),
                           mix.timeline.chapters)
    return Result(
        output, engine.name, up_to_date=False, duration_ms=mix.timeline.duration_ms,
        sections=len(script.sections), sentences=plan.sentence_count,
        synthesized=clips.synthesized, reused=clips.reused, before=done.before, after=done.after,
        sidecars=tuple(texts), seconds=time.monotonic() - started, timeline=mix.timeline,
        encodes=done.encodes,
    )


def _plan(script: Script, pinned: str | None, report: Reporter) -> tuple[Plan, list[Engine]]:
    """The plan, and the engine of each of its voices: an "auto" voice gets the engine
    resolved for the episode (the one that voiced it before, `pinned`, while it can)."""
    name, reason = engines.resolve(script.voice.engine, script.engine_settings, pinned)
    # Long sentences are cut to what the engine that will speak them takes in one request.
    plan = make_plan(script, lambda v: engines.spec(name if v.engine == "auto" else v.engine).max_chars)
    for line in plan.warnings():
        report.note(line)
    voices = [dataclasses.replace(v, engine=name) if v.engine == "auto" else v for v in plan.voices]
    voiced_by = [engines.create(v.engine, v, script.engine_settings) for v in voices]
    report.note(f"engine: {reason}")
    return plan, voiced_by


def preview(script: Script, which: str, *, output: Path | None, cache: Cache,
            reporter: Reporter | None = None) -> Result:
    """One section as it sounds in the episode (heading, bed, mastering), without intro/outro.
    It never replaces an episode, nor a file no render made (outputs.check_output)."""
    one, output = one_section(script, which, output)
    return render(one, output=output, cache=cache, force=True, reporter=reporter, with_sidecars=False)


def _tags(script: Script, digest: str, engine: Engine, done: Pass2, sidecar_texts: Iterable[str],
          stored: dict[str, str]) -> id3.Tags:
    """The episode's ID3 tags: the script's, and what a later render reads back."""
    t = script.tags
    return id3.Tags(
        title=t.title, artist=t.author, album=t.show, episode=t.episode,
        date=t.date, description=t.description or None, cover=t.cover,
        extra={txxx.DIGEST: digest, txxx.ENGINE: f"{engine.name} {engine.version}",
               txxx.LOUDNESS: f"{done.after.integrated_lufs:.1f}",
               txxx.TRUE_PEAK: f"{done.after.true_peak_dbtp:.1f}",
               txxx.SIDECARS: outputs.sidecars_digest(sidecar_texts), txxx.GAIN: done.gain.tag(),
               **txxx.episode_frames(script, stored)},
    )


def _check_bed(script: Script) -> None:
    """The music file decodes and is audible (its first minutes; the mix decodes the rest)."""
    if script.music is None:
        return
    from audioessay.mix.music import BedError, check_bed

    try:
        check_bed(script.music.file, script.audio.sample_rate, script.audio.channels)
    except BedError as exc:
        raise InputError([Problem(str(script.path), script.music_line, "music.file", str(exc))]) from None


@contextlib.contextmanager
def _stage(name: str, report: Reporter | None = None, label: str = ""):
    """Say which stage runs (so a long render never sits on one line) and log how long it
    took (shown with -v; the benchmarks read it)."""
    started = time.monotonic()
    if report is not None and label:
        report.note(label)
    yield
    log.info("stage %s took %.2f s", name, time.monotonic() - started)


def _check_reachable(voiced_by: list, script: Script, output: Path, pinned: str | None) -> None:
    """An online engine that keeps an existing episode's voice must answer before anything
    is redone: otherwise stop (exit 3) rather than re-voice the episode with another engine."""
    from audioessay.errors import EngineError

    for engine in voiced_by:
        spec = engines.spec(engine.name)
        if not spec.online or spec.probe is None or script.voice.engine != "auto" or engine.name != pinned:
            continue
        ok, why = spec.probe(script.engine_settings.get(engine.name) or spec.settings())
        if not ok:
            raise EngineError(
                f"{output} was voiced by {engine.name}, which cannot be reached now ({why}); the episode is "
                f"left as it is. Retry when online, or re-voice it on purpose with --engine espeak "
                f"(or voice.engine in the script)")
