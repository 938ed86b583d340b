"""`audioessay cache`: inspect or clean the sentence cache."""

from __future__ import annotations

from pathlib import Path

import click

from audioessay.errors import InputError
from audioessay.cli.app import open_cache, cli


@cli.group()
def cache() -> None:
    """Inspect or clean the sentence cache."""


@cache.command("info")
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="AUDIOESSAY_CACHE_DIR", help="Cache folder.")
def cache_info(cache_dir):
    """Show where the cache is, its size and number of entries."""
    info = open_cache(cache_dir).info()
    click.echo(f"{info.root}: {info.entries} entries, {info.total_bytes / 1e6:.1f} MB")


@cache.command("clear")
@click.option("--cache-dir", type=click.Path(path_type=Path), envvar="AUDIOESSAY_CACHE_DIR", help="Cache folder.")
def cache_clear(cache_dir):
    """Remove every cached sentence."""
    click.echo(f"removed {open_cache(cache_dir).clear()} entries")


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
    click.echo(f"removed {open_cache(cache_dir).prune(seconds)} entries")
