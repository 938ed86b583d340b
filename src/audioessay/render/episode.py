"""The orchestrator: script -> plan -> synthesize -> assemble -> master -> export."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from audioessay.speech import engines
from audioessay.speech.cache import Cache
from audioessay.errors import AudioessayError, InputError, Problem
from audioessay.export import id3, tags as txxx
from audioessay.speech.plan import episode_digest, make_plan
from audioessay.util.progress import Reporter
from audioessay.script.loader import Script

if TYPE_CHECKING:
    from audioessay.master.loudness import Loudness
    from audioessay.mix.timeline import Timeline

log = logging.getLogger("audioessay.render.episode")


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


def render(script: Script, *, output: Path | None = None, cache: Cache,
           force: bool = False, reporter: Reporter | None = None, with_sidecars: bool = True) -> Result:
    report = reporter or Reporter()
    started = time.monotonic()
    output = Path(output) if output else script.output
    _check_output(output, script, with_sidecars)
    from audioessay.util.fsutil import clean_stale_parts

    clean_stale_parts(output.parent, output.stem)  # temporaries of a render that was killed
    stored = _stored_tags(output)
    pinned = stored.get(txxx.ENGINE, "").split(" ")[0] or None
    name, reason = engines.resolve(script.voice.engine, script.engine_settings, pinned)
    # Long sentences are cut to what the engine that will speak them takes in one request.
    plan = make_plan(script, lambda v: engines.spec(name if v.engine == "auto" else v.engine).max_chars)
    for line in plan.warnings():
        report.note(line)
    voices = [dataclasses.replace(v, engine=name) if v.engine == "auto" else v for v in plan.voices]
    voiced_by = [engines.create(v.engine, v, script.engine_settings) for v in voices]
    engine = voiced_by[0]
    report.note(f"engine: {reason}")
    digest = episode_digest(script, plan, [e.identity() for e in voiced_by])
    if not force and stored.get(txxx.DIGEST) == digest and _sidecars_match(output, stored):
        return Result(output, engine.name, up_to_date=True, seconds=time.monotonic() - started)
    _check_reachable(voiced_by, script, output, pinned)

    # Imported here so an up-to-date check never pays for the audio modules' imports.
    from audioessay.mix.assemble import assemble
    from audioessay.export import sidecars
    from audioessay.render import parts
    from audioessay.export.mp3 import MissingSpan
    from audioessay.util.fsutil import atomic_group
    from audioessay.master.loudness import Gain, master_to_file
    from audioessay.speech.synthesize import synthesize

    _check_bed(script)  # before synthesis: a bad music file must not cost a render

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
    # cache, measured (pass 1) and encoded (pass 2) as before (parts.py).
    store = parts.Store(cache.segments)
    keys = mix.mixdown.part_keys() if cache.segments else [None] * len(mix.mixdown.track.parts())
    # Pass 1's stems are kept on disk for pass 2, and removed at the end.
    with tempfile.TemporaryDirectory(prefix=f"{STEMS_PREFIX}{os.getpid()}-", dir=_scratch_root(cache)) as folder:
        spill = parts.Spill(Path(folder))
        with _stage("master", report, "measuring loudness, pass 1 of 2 (3/4)"):
            measured = parts.measure(mix, keys, store, spill)
        contents = sidecars.sidecar_texts(mix.timeline) if with_sidecars else {}
        texts = {p: contents[k] for k, p in sidecars.sidecar_paths(output).items() if k in contents}
        # The MP3 and its sidecars appear together or not at all; the MP3 (which vouches for
        # the others through txxx.SIDECARS) is renamed last.
        with _stage("export", report, "mastering and encoding, pass 2 of 2 (4/4)"), \
                atomic_group([*texts, output]) as tmps:
            tmp = tmps[output]
            for path, text in texts.items():
                tmps[path].write_bytes(text.encode("utf-8"))
            def encode(gain: Gain):  # pass 2: gain, limit, encode, then measure the file's frames
                try:
                    done = parts.encode(mix, keys, gain, script.mastering, script.audio.bitrate, tmp, store,
                                        cache.segments, spill=spill)
                except MissingSpan:  # the cache lost a span since it was listed: make every part again
                    done = parts.encode(mix, keys, gain, script.mastering, script.audio.bitrate, tmp, store,
                                        cache.segments, reuse=False, spill=spill)
                log.info("pass 2: %d parts made, %d reused; %d of %d spans encoded; limiter over 3 dB on "
                         "%.2f%% of frames", done.made, done.reused, done.stats.encoded, done.stats.segments,
                         100 * done.limited)
                return done.after

            before, after, gain = master_to_file(measured, script.mastering, encode,
                                                 Gain.parse(stored.get(txxx.GAIN)))
            t = script.tags
            tags = id3.Tags(
                title=t.title, artist=t.author, album=t.show, episode=t.episode,
                date=t.date, description=t.description or None, cover=t.cover,
                extra={txxx.DIGEST: digest, txxx.ENGINE: f"{engine.name} {engine.version}",
                       txxx.LOUDNESS: f"{after.integrated_lufs:.1f}",
                       txxx.TRUE_PEAK: f"{after.true_peak_dbtp:.1f}",
                       txxx.SIDECARS: _digest_of(texts.values()), txxx.GAIN: gain.tag(),
                       **txxx.episode_frames(script, stored)},
            )
            id3.write_tags(tmp, tags, mix.timeline.chapters)
    written = tuple(texts)
    return Result(
        output, engine.name, up_to_date=False, duration_ms=mix.timeline.duration_ms,
        sections=len(script.sections), sentences=plan.sentence_count,
        synthesized=clips.synthesized, reused=clips.reused, before=before, after=after,
        sidecars=written, seconds=time.monotonic() - started, timeline=mix.timeline,
    )


STEMS_PREFIX = ".audioessay-stems-"  # + the render's pid: pass 1's stems, removed when it ends


def _scratch_root(cache: Cache) -> Path | None:
    """Where pass 1 keeps its stems (about 10 MB a minute of mono audio with music: voice
    and bed, 2 bytes a sample each): the cache folder (on disk, not in memory as /tmp
    may be), else the system's temporary folder. Stems left by a render that was killed
    are removed here."""
    import shutil

    if cache.enabled:
        try:
            cache.root.mkdir(parents=True, exist_ok=True)
            root = cache.root
        except OSError:
            return None
    else:
        root = Path(tempfile.gettempdir())
    for old in root.glob(STEMS_PREFIX + "*"):
        pid = old.name[len(STEMS_PREFIX):].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)) and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    return root


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _check_bed(script: Script) -> None:
    """The music file decodes and is audible (its first minutes; the mix decodes the rest)."""
    if script.music is None:
        return
    from audioessay.mix.music import BedError, check_bed

    try:
        check_bed(script.music.file, script.audio.sample_rate, script.audio.channels)
    except BedError as exc:
        raise InputError([Problem(str(script.path), script.music_line, "music.file", str(exc))]) from None


def _check_output(output: Path, script: Script, with_sidecars: bool = True) -> None:
    """Catch an unusable output path before any work is done: a folder, a special file, a
    place that cannot be written, or one of the script's own inputs (for the sidecars too)."""
    from audioessay.export.sidecars import sidecar_paths
    from audioessay.util.fsutil import check_output
    from audioessay.script.loader import input_files

    if output.is_dir():
        raise InputError(f"{output}: is a folder; give a file name such as {output / 'episode.mp3'}")
    folder = output.parent
    while not folder.exists():  # atomic writes create missing folders: check the nearest existing one
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{output}: cannot write into {folder}; choose another place with -o")
    inputs = list(input_files(script))
    check_output(output, inputs)
    for path in (sidecar_paths(output).values() if with_sidecars else ()):
        if path.is_dir():
            raise InputError(f"{path}: is a folder where the episode's transcript goes; rename it or choose "
                             "another output name with -o")
        check_output(path, inputs, "sidecar")
    folder = output.parent
    while not folder.exists():  # atomic_path creates missing folders: check the nearest existing one
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{output}: cannot write into {folder}; choose another place with -o")


@contextlib.contextmanager
def _stage(name: str, report: Reporter | None = None, label: str = ""):
    """Say which stage runs (so a long render never sits on one line) and log how long it
    took (shown with -v; the benchmarks read it)."""
    started = time.monotonic()
    if report is not None and label:
        report.note(label)
    yield
    log.info("stage %s took %.2f s", name, time.monotonic() - started)


def _digest_of(texts) -> str:
    import hashlib

    h = hashlib.sha256()
    for text in texts:
        h.update(hashlib.sha256(text.encode("utf-8")).digest())
    return h.hexdigest()


def _sidecars_match(output: Path, stored: dict[str, str]) -> bool:
    """The sidecars beside the MP3 are the ones written with it (same digest)."""
    from audioessay.export.sidecars import sidecar_paths

    try:
        texts = [p.read_text(encoding="utf-8") for p in sidecar_paths(output).values()]
    except (OSError, UnicodeDecodeError):
        return False
    return stored.get(txxx.SIDECARS) == _digest_of(texts)


def _stored_tags(output: Path) -> dict[str, str]:
    """The TXXX frames of a previous render's MP3 (empty if there is no readable one)."""
    if not output.is_file():
        return {}
    try:
        return dict(id3.read_tags(output).extra)
    except AudioessayError:
        return {}  # unreadable: just render again


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


def section_index(script: Script, which: str) -> int:
    """A section named by its 1-based number or its title (or a unique part of it)."""
    n = len(script.sections)
    if which.strip().isdigit():
        i = int(which) - 1
        if 0 <= i < n:
            return i
        raise InputError(f"--section {which}: the script has sections 1 to {n}")
    titles = [s.title for s in script.sections]
    if which in titles:
        return titles.index(which)
    hits = [i for i, t in enumerate(titles) if which in t]
    if len(hits) == 1:
        return hits[0]
    raise InputError(f"--section {which!r}: {'matches several sections' if hits else 'no such section'}; "
                     f"give a number 1-{n} or one of: {', '.join(titles)}")


def preview(script: Script, which: str, *, output: Path | None, cache: Cache,
            reporter: Reporter | None = None) -> Result:
    """One section as it sounds in the episode (heading, bed, mastering), without intro/outro."""
    import tempfile

    from audioessay.config.groups import Layout

    i = section_index(script, which)
    if output is None:
        output = Path(tempfile.mkdtemp(prefix="audioessay-preview-")) / f"section-{i + 1}.mp3"
    one = dataclasses.replace(script, sections=(script.sections[i],), layout=Layout(intro=0, outro=0))
    return render(one, output=output, cache=cache, force=True, reporter=reporter, with_sidecars=False)


PLAYERS: tuple[tuple[str, list[str]], ...] = (("ffplay", ["-nodisp", "-autoexit", "-loglevel", "error"]), ("afplay", []), ("paplay", []), ("aplay", []))


def play(path: Path) -> str | None:
    """Play `path` with the first player found; None when there is none."""
    import shutil
    import subprocess

    for name, args in PLAYERS:
        exe = shutil.which(name)
        if exe:
            subprocess.run([exe, *args, str(path)], check=False)
            return name
    return None
