"""The command group and what its commands share: errors shown as lines, progress, options."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from audioessay import __version__
from audioessay.errors import AudioessayError
from audioessay.speech.engines import names as engine_names
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


def setup_logging(verbose: bool) -> None:
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


def open_cache(cache_dir: Path | None, no_cache: bool = False, refresh: bool = False):
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


def load(script: Path, engine: str | None):
    from audioessay.script import loader as script_mod

    spec = script_mod.load(script)
    return spec.with_engine(engine) if engine else spec


def summary(result) -> str:
    if result.up_to_date:
        return f"{result.output} is up to date (nothing that affects the audio changed; --force renders anyway)"
    loud = f", {result.after.integrated_lufs:.1f} LUFS, {result.after.true_peak_dbtp:.1f} dBTP" if result.after else ""
    return (f"{_mmss(result.duration_ms)} of audio, {result.sections} sections, {result.sentences} sentences, "
            f"engine {result.engine} ({result.synthesized} synthesized, {result.reused} reused){loud} "
            f"-> {result.output} in {result.seconds:.1f} s")


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)
