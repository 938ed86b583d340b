"""The command line: a thin layer over the library. The only place that prints or exits."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

import click

from audioessay import __version__
from audioessay.errors import AudioessayError, InputError


class ClickReporter:
    """Progress bar on a terminal, plain notes on stderr otherwise."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = None

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audioessay")
def cli() -> None:
    """Turn an essay written as a YAML script into a podcast MP3 episode."""


def _cache(cache_dir: Path | None, no_cache: bool = False, refresh: bool = False):
    from audioessay.cache import Cache, default_cache_dir

    return Cache(cache_dir or default_cache_dir(), enabled=not no_cache, refresh=refresh)


@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output MP3 (default: the script's name with .mp3).")
@click.option("--engine", type=click.Choice(["auto", "espeak", "gtts"]), help="Override the script's voice engine.")
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="AUDIOESSAY_CACHE_DIR",
              help="Where synthesized sentences are kept (env AUDIOESSAY_CACHE_DIR).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the sentence cache.")
@click.option("--refresh", is_flag=True, help="Re-synthesize every sentence and replace cached audio.")
@click.option("--force", is_flag=True, help="Render even when the output is up to date.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Log each external command.")
def render(script, output, engine, cache_dir, no_cache, refresh, force, quiet, verbose):
    """Render SCRIPT (a .yaml file) to an MP3 episode."""
    from audioessay import render as render_mod
    from audioessay import script as script_mod

    _logging(verbose)
    spec = script_mod.load(script)
    if engine:
        spec = spec.with_engine(engine)
    reporter = ClickReporter(quiet)
    result = render_mod.render(spec, output=output, cache=_cache(cache_dir, no_cache, refresh),
                               force=force or refresh, reporter=reporter)
    if quiet:
        return
    if result.up_to_date:
        click.echo(f"{result.output} is up to date (nothing that affects the audio changed; --force renders anyway)")
        return
    loud = f", {result.after.integrated_lufs:.1f} LUFS, {result.after.true_peak_dbtp:.1f} dBTP" if result.after else ""
    click.echo(
        f"{_mmss(result.duration_ms)} of audio, {result.sections} sections, {result.sentences} sentences, "
        f"engine {result.engine} ({result.synthesized} synthesized, {result.reused} reused){loud} "
        f"-> {result.output} in {result.seconds:.1f} s"
    )


@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
@click.option("--changed", is_flag=True, help="Show only sentences whose spoken form differs.")
def text(script, changed):
    """Show each sentence as written and as it will be spoken (synthesizes nothing)."""
    from audioessay import script as script_mod
    from audioessay.plan import make_plan

    plan = make_plan(script_mod.load(script))
    for u in plan.utterances:
        differs = u.text != u.spoken
        if changed and not differs:
            continue
        mark = "*" if differs else " "
        click.echo(f"{mark} [{u.section + 1}] {u.text}")
        if differs:
            click.echo(f"      -> {u.spoken}")
    for key in plan.unused_pronounce:
        click.echo(f"warning: pronounce entry {key!r} never matches the text; check its spelling", err=True)


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
    from audioessay.cache import parse_age

    try:
        seconds = parse_age(older_than)
    except ValueError as exc:
        raise InputError(f"--older-than: {exc}") from None
    click.echo(f"removed {_cache(cache_dir).prune(seconds)} entries")


@cli.command()
@click.argument("mp3", type=click.Path(path_type=Path))
def check(mp3):
    """Check a finished MP3 against podcast specs; exit 1 if anything fails."""
    from audioessay import check as check_mod

    rows = check_mod.check(mp3)
    click.echo(check_mod.format_table(rows))
    if any(r.status == "fail" for r in rows):
        raise SystemExit(1)


@cli.command()
@click.argument("show", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Feed file (default: feed.xml beside SHOW).")
def feed(show, output):
    """Build or update a podcast RSS feed from a show file and its rendered episodes."""
    from audioessay import feed as feed_mod

    out = feed_mod.write_feed(show, output or show.parent / "feed.xml", warn=_warn)
    click.echo(f"wrote {out}")


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


@cli.command()
@click.argument("show", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder for the site.")
@click.option("--url", help="Where the site will be served (default: the show's link, else base_url).")
def site(show, output, url):
    """Build a static web site for the show: index, episode pages with player, chapters and transcript."""
    from audioessay.site import build_site

    result = build_site(show, output, site_url=url, warn=_warn)
    click.echo(f"wrote {len(result.pages)} episode pages, {result.index.name} and {result.feed.name} to {result.folder}")


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C: no partial files left behind


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli.main(standalone_mode=False)
    except AudioessayError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("interrupted; the previous output is untouched", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted; the previous output is untouched", err=True)
        sys.exit(130)
