"""The orchestrator: script -> plan -> synthesize -> assemble -> master -> export."""

from __future__ import annotations

import contextlib
import os
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from audioessay import engines
from audioessay.cache import Cache
from audioessay.errors import AudioessayError, InputError, Problem
from audioessay.export import id3
from audioessay.plan import episode_digest, make_plan
from audioessay.report import Reporter
from audioessay.script import Script

if TYPE_CHECKING:
    from audioessay.master import Loudness

DIGEST_TAG = "AUDIOESSAY_PLAN"
log = logging.getLogger("audioessay.render")


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


def render(script: Script, *, output: Path | None = None, cache: Cache,
           force: bool = False, reporter: Reporter | None = None) -> Result:
    report = reporter or Reporter()
    started = time.monotonic()
    output = Path(output) if output else script.output
    _check_output(output)
    plan = make_plan(script)
    for key in plan.unused_pronounce:
        report.note(f"warning: pronounce entry {key!r} never matches the text; check its spelling")

    engine, reason = engines.choose(script.voice, script.engine_settings)
    report.note(f"engine: {reason}")
    digest = episode_digest(script, plan, engine.identity())
    if not force and _stored_digest(output) == digest and _sidecars_present(output):
        return Result(output, engine.name, up_to_date=True, seconds=time.monotonic() - started)

    # Imported here so an up-to-date check never pays for the audio modules' imports.
    from audioessay.assemble import assemble
    from audioessay.export import sidecars
    from audioessay.export.mp3 import encode_stream, measure_file
    from audioessay.fsutil import atomic_path
    from audioessay.master import master_to_file, measure_stems
    from audioessay.synthesize import synthesize

    _load_bed(script)  # before synthesis: a bad music file must not cost a render

    report.start(len(plan.utterances))
    try:
        with _stage("synthesize"):
            clips = synthesize(plan, engine, cache, script.audio.sample_rate, report.advance)
    finally:
        report.finish()
    report.note("mixing, mastering and encoding the episode")
    with _stage("assemble"):
        mix = assemble(plan, clips, script.audio, script.music, script.layout,
                       tuple(s.music for s in script.sections), mastering=script.mastering)
    with _stage("master"):  # pass 1: measure
        measured = measure_stems(mix.stems(), mix.rate, mix.channels)
    with _stage("export"), atomic_path(output) as tmp:  # pass 2: gain, limit, encode, verify
        before, after = master_to_file(
            mix.stems, measured, script.mastering,
            encode=lambda blocks: encode_stream(blocks, mix.rate, mix.channels, script.audio.bitrate, tmp),
            verify=lambda: measure_file(tmp))
        t = script.tags
        tags = id3.Tags(
            title=t.title, artist=t.author, album=t.show, episode=t.episode,
            date=t.date, description=t.description or None, cover=t.cover,
            extra={DIGEST_TAG: digest, "AUDIOESSAY_ENGINE": f"{engine.name} {engine.version}",
                   "LOUDNESS_LUFS": f"{after.integrated_lufs:.1f}",
                   "TRUE_PEAK_DBTP": f"{after.true_peak_dbtp:.1f}"},
        )
        id3.write_tags(tmp, tags, mix.timeline.chapters)
    written = tuple(sidecars.write_sidecars(output, mix.timeline))
    return Result(
        output, engine.name, up_to_date=False, duration_ms=mix.timeline.duration_ms,
        sections=len(script.sections), sentences=plan.sentence_count,
        synthesized=clips.synthesized, reused=clips.reused, before=before, after=after,
        sidecars=written, seconds=time.monotonic() - started,
    )


def _load_bed(script: Script):
    if script.music is None:
        return None
    from audioessay.music import BedError, check_bed

    try:
        return check_bed(script.music.file, script.audio.sample_rate, script.audio.channels)
    except BedError as exc:
        raise InputError([Problem(str(script.path), script.music_line, "music.file", str(exc))]) from None


def _check_output(output: Path) -> None:
    """Catch an unusable output path before any work is done."""
    if output.is_dir():
        raise InputError(f"{output}: is a folder; give a file name such as {output / 'episode.mp3'}")
    folder = output.parent
    while not folder.exists():  # atomic_path creates missing folders: check the nearest existing one
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{output}: cannot write into {folder}; choose another place with -o")


@contextlib.contextmanager
def _stage(name: str):
    """Log how long a pipeline stage took (shown with -v; the benchmarks read it)."""
    started = time.monotonic()
    yield
    log.info("stage %s took %.2f s", name, time.monotonic() - started)


def _sidecars_present(output: Path) -> bool:
    from audioessay.export.sidecars import sidecar_paths

    return all(p.is_file() for p in sidecar_paths(output).values())


def _stored_digest(output: Path) -> str | None:
    """The plan digest recorded in a previous render's MP3, if there is a readable one."""
    if not output.is_file():
        return None
    try:
        return id3.read_tags(output).get("extra", {}).get(DIGEST_TAG)
    except AudioessayError:
        return None  # unreadable: just render again
