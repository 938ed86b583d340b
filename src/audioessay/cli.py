"""The command line: a thin layer over the library. The only place that prints or exits."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from audioessay import __version__
from audioessay.speech.engines import names as engine_names
from audioessay.errors import AudioessayError, InputError
from audioessay.util.progress import Reporter


class ClickReporter(Reporter):
    """Progress bar on a terminal, plain notes on stderr otherwise."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar: Any = None

    def note(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def start(self, total: int) -> None:
        if not self.quiet and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="narrating", file=sys.stderr,
                                         show_pos=True, item_show_func=lambda _: None)
            self.bar.__enter__()

    def advance(self, n: int) -> None:
        if self.bar is not None and n:
            self.bar.update(n)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(name)s: %(message)s", stream=sys.stderr)


def _mmss(ms: int) -> str:
    s = round(ms / 1000)
    return f"{s // 60}:{s % 60:02d}"


class _Shown(click.ClickException):
    """A library error on its way out through click: its own lines, its own exit code."""

    def __init__(self, error: AudioessayError):
        super().__init__(error.format_message())
        self.error = error
        self.exit_code = error.exit_code

    def show(self, file: Any = None) -> None:
        for line in self.error.lines():
            click.echo(line, err=True, file=file)


class _Group(click.Group):
    """The top command group: a library error leaves every command as a click exception,
    so `main` and click's own runner (CliRunner in the tests) show it the same way."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AudioessayError as exc:
            raise _Shown(exc) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audioessay")
def cli() -> None:
    """Turn an essay written as a YAML script into a podcast MP3 episode."""


def _cache(cache_dir: Path | None, no_cache: bool = False, refresh: bool = False):
    from audioessay.speech.cache import Cache, default_cache_dir

    return Cache(cache_dir or default_cache_dir(), enabled=not no_cache, refresh=refresh)


def render_options(f):
    """The options every command that renders shares (render, watch, preview)."""
    for option in reversed([
        click.option("--engine", type=click.Choice(["auto", *engine_names()]), help="Override the script's voice engine."),
        click.option("--cache-dir", type=click.Path(path_type=Path), envvar="AUDIOESSAY_CACHE_DIR",
                     help="Where synthesized sentences are kept (env AUDIOESSAY_CACHE_DIR)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the sentence cache."),
        click.option("--refresh", is_flag=True, help="Re-synthesize every sentence and replace cached audio."),
        click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors."),
        click.option("-v", "--verbose", is_flag=True, help="Log each external command and stage time."),
    ]):
        f = option(f)
    return f


def _load(script: Path, engine: str | None):
    from audioessay.script import loader as script_mod

    spec = script_mod.load(script)
    return spec.with_engine(engine) if engine else spec


def _summary(result) -> str:
    if result.up_to_date:
        return f"{result.output} is up to date (nothing that affects the audio changed; --force renders anyway)"
    loud = f", {result.after.integrated_lufs:.1f} LUFS, {result.after.true_peak_dbtp:.1f} dBTP" if result.after else ""
    return (f"{_mmss(result.duration_ms)} of audio, {result.sections} sections, {result.sentences} sentences, "
            f"engine {result.engine} ({result.synthesized} synthesized, {result.reused} reused){loud} "
            f"-> {result.output} in {result.seconds:.1f} s")


@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output MP3 (default: the script's name with .mp3).")
@click.option("--force", is_flag=True,
              help="Render even when the output is up to date, and replace an output file audioessay did not make.")
@render_options
def render(script, output, force, engine, cache_dir, no_cache, refresh, quiet, verbose):
    """Render SCRIPT (a .yaml script or a Markdown post) to an MP3 episode."""
    from audioessay.episode import render as render_mod

    _logging(verbose)
    result = render_mod.render(_load(script, engine), output=output, cache=_cache(cache_dir, no_cache, refresh),
                               force=force or refresh, replace=force, reporter=ClickReporter(quiet))
    if not quiet:
        click.echo(_summary(result))


@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
def validate(script):
    """Check SCRIPT without rendering: every problem at once (exit 2), or `ok`."""
    spec = _load(script, None)
    from audioessay.speech.plan import make_plan

    for line in make_plan(spec).warnings():
        click.echo(line, err=True)
    click.echo("ok")


@cli.command()
@click.argument("essay", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Script to write (default: ESSAY with .yaml).")
@click.option("--force", is_flag=True, help="Overwrite an existing script.")
def init(essay, output, force):
    """Make a script from an essay you already have (.txt or a Markdown post)."""
    from audioessay.script import loader as script_mod
    from audioessay.util.fsutil import atomic_write
    from audioessay.script.importer import import_essay

    output = output or essay.with_suffix(".yaml")
    if output.resolve() == essay.resolve():
        raise InputError(f"{output}: is the essay itself; choose another name with -o")
    if output.exists() and not force:
        raise InputError(f"{output}: already exists; use --force to overwrite it, or -o to choose another name")
    try:
        text = script_mod.read_text_file(essay)
    except script_mod.Invalid as exc:
        raise InputError(f"{essay}: {exc}") from None
    yaml_text = import_essay(text, str(essay))
    spec = script_mod.parse(yaml_text, output)  # the result must validate as it is
    atomic_write(output, yaml_text)
    click.echo(f"wrote {output}: {len(spec.sections)} sections ({', '.join(s.title for s in spec.sections)})")
    click.echo(f"next: audioessay text {output}   then: audioessay render {output}")


@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
@click.option("--section", "which", required=True, help="Section number (1-based) or title.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the preview here (an .mp3; never over an episode) instead of playing it.")
@render_options
def preview(script, which, output, engine, cache_dir, no_cache, refresh, quiet, verbose):
    """Render one section (its heading, music and mastering as in the episode) and play it."""
    from audioessay.episode import render as render_mod

    _logging(verbose)
    spec = _load(script, engine)
    result = render_mod.preview(spec, which, output=output, cache=_cache(cache_dir, no_cache, refresh),
                                reporter=ClickReporter(quiet))
    if output:
        if not quiet:
            click.echo(_summary(result))
        return
    player = render_mod.play(result.output)
    if player is None:
        click.echo(f"no audio player found (ffplay, afplay, paplay, aplay); the preview is {result.output}")


@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output MP3 (default: the script's name with .mp3).")
@render_options
def watch(script, output, engine, cache_dir, no_cache, refresh, quiet, verbose):
    """Render SCRIPT, then again each time it (or a file it uses) is saved. Ctrl-C stops."""
    from audioessay.episode import render as render_mod
    from audioessay.script import loader as script_mod
    from audioessay.episode.watch import script_files, watch as watch_loop, watchable

    _logging(verbose)
    watchable(script)  # a missing script, a folder or a FIFO: exit 2 now, not a wait forever
    store = _cache(cache_dir, no_cache, refresh)

    def run_once() -> str:
        result = render_mod.render(_load(script, engine), output=output, cache=store,
                                   reporter=ClickReporter(True))
        return _summary(result)

    click.echo(f"watching {script} (Ctrl-C stops)")
    watch_loop(lambda: script_files(script, script_mod.load), run_once, echo=click.echo)


@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
@click.option("--changed", is_flag=True, help="Show only sentences whose spoken form differs.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per utterance (for tools and reviews).")
@click.option("--engine", type=click.Choice(["auto", *engine_names()]),
              help="Show what this engine receives (default: the script's engine).")
def text(script, changed, as_json, engine):
    """Show each sentence as written and as it will be spoken (synthesizes nothing)."""
    import json

    from audioessay.speech.plan import make_plan

    spec = _load(script, engine)
    plan = make_plan(spec)
    prepare = _engine_forms(spec, plan)
    rows = []
    for u in plan.utterances:
        differs = u.text != u.spoken
        if changed and not differs:
            continue
        if as_json:
            name, form = prepare(u)
            rows.append({"section": u.section + 1, "title": plan.section_titles[u.section], "kind": u.kind,
                         "text": u.text, "spoken": u.spoken, "engine": name, "engine_text": form})
            continue
        mark = "*" if differs else " "
        click.echo(f"{mark} [{u.section + 1}] {u.text}")
        if differs:
            click.echo(f"      -> {u.spoken}")
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    for line in plan.warnings():
        click.echo(line, err=True)


def _engine_forms(spec, plan):
    """u -> (engine name, the text that engine receives). Nothing is probed: `auto` shows
    the spoken form as is."""
    from audioessay.speech import engines

    made = {}

    def form(u):
        voice = plan.voices[u.voice]
        if voice.engine == "auto":
            return "auto", u.spoken
        if u.voice not in made:
            made[u.voice] = engines.create(voice.engine, voice, spec.engine_settings)
        return voice.engine, made[u.voice].prepare(u.spoken)

    return form


@cli.command()
@click.option("--engine", type=click.Choice(engine_names()), help="Only this engine's voices.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (name, gender, locale, engine, usable).")
@click.option("--offline", is_flag=True, help="Do not ask the online services; show the built-in lists.")
def voices(engine, as_json, offline):
    """List every engine's voices, Korean first, and whether each can be used right now."""
    import json

    from audioessay.speech.engines.voices import usable_voices

    rows = usable_voices(engine, online=not offline)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        click.echo(f"{r['engine']:7} {r['name']:34} {r['gender']:7} {r['locale']:6} {r['usable']}")


@cli.group()
def cache() -> None:
    """Inspect or clean the sentence cache."""


@cache.command("info")
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="AUDIOESSAY_CACHE_DIR", help="Cache folder.")
def cache_info(cache_dir):
    """Show where the cache is, its size and number of entries."""
    info = _cache(cache_dir).info()
    click.echo(f"{info.root}: {info.entries} entries, {info.total_bytes / 1e6:.1f} MB")


@cache.command("clear")
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="AUDIOESSAY_CACHE_DIR", help="Cache folder.")
def cache_clear(cache_dir):
    """Remove every cached sentence."""
    click.echo(f"removed {_cache(cache_dir).clear()} entries")


@cache.command("prune")
@click.option("--older-than", required=True, help="Age like 30d, 12h, 2w: remove entries unused that long.")
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="AUDIOESSAY_CACHE_DIR", help="Cache folder.")
def cache_prune(older_than, cache_dir):
    """Remove cached sentences not used for a while."""
    from audioessay.speech.cache import parse_age

    try:
        seconds = parse_age(older_than)
    except ValueError as exc:
        raise InputError(f"--older-than: {exc}") from None
    click.echo(f"removed {_cache(cache_dir).prune(seconds)} entries")


@cli.command()
@click.argument("mp3", type=click.Path(path_type=Path))
@click.option("--preset", metavar="NAME",
              help="Delivery preset to hold the file to, as mastering.preset names them (default: the "
                   "one the episode was mastered to, else podcast).")
@click.option("--target", type=float, metavar="LUFS",
              help="Integrated loudness target (default: the preset's, or what the episode was mastered to).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
def check(mp3, preset, target, as_json):
    """Check a finished MP3 against the target it was mastered to; exit 1 if anything fails."""
    import dataclasses
    import json

    from audioessay.publish import check as check_mod

    rows = check_mod.check(mp3, preset=preset, target=target)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        click.echo(check_mod.format_table(rows))
    if not check_mod.ok(rows):
        raise SystemExit(1)


@cli.command()
@click.argument("show", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Feed file (default: feed.xml beside SHOW).")
def feed(show, output):
    """Build or update a podcast RSS feed from a show file and its rendered episodes."""
    from audioessay.publish import feed as feed_mod

    out = feed_mod.write_feed(show, output or show.parent / "feed.xml", warn=_warn)
    click.echo(f"wrote {out}")


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


@cli.command()
@click.argument("show", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder for the site.")
@click.option("--url", help="Where the site will be served (default: the show's link, else base_url).")
def site(show, output, url):
    """Build a static web site for the show: index, episode pages with player, chapters and transcript.

    The folder must be empty or one an earlier `site` made: no file of yours is overwritten."""
    from audioessay.publish.site import build_site

    result = build_site(show, output, site_url=url, warn=_warn)
    removed = f"; removed {len(result.removed)} files of episodes no longer in the show" if result.removed else ""
    click.echo(f"wrote {len(result.pages)} episode pages, {result.index.name} and {result.feed.name} "
               f"to {result.folder}{removed}")


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C: no partial files left behind


def _interrupted() -> None:
    # A second Ctrl-C while we clean up must not print a traceback: ignore it from here on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    click.echo("interrupted; the previous output is untouched", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)  # do not wait for engine threads still in flight (they are daemons anyway)


def main() -> None:
    from audioessay.util.malloc import one_arena

    one_arena()  # before any thread starts (see malloc.py)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _interrupted()
    except click.ClickException as exc:  # a library error (_Shown) or a usage error
        exc.show()
        sys.exit(exc.exit_code)
    except RecursionError:
        click.echo("error: the input nests too deeply to process; simplify it", err=True)
        sys.exit(2)
    except MemoryError:
        click.echo("error: out of memory; is an input far larger than it should be?", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug: one line, and the traceback only on request
        if os.environ.get("AUDIOESSAY_DEBUG"):
            raise
        click.echo(f"error: internal error ({type(exc).__name__}: {str(exc)[:200]}); please report it "
                   "(run with AUDIOESSAY_DEBUG=1 for the traceback)", err=True)
        sys.exit(70)
