"""The commands that check and publish finished episodes: check, feed and site."""

from __future__ import annotations

from pathlib import Path

import click

from audioessay.cli.app import warn, cli


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

    out = feed_mod.write_feed(show, output or show.parent / "feed.xml", warn=warn)
    click.echo(f"wrote {out}")


@cli.command()
@click.argument("show", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder for the site.")
@click.option("--url", help="Where the site will be served (default: the show's link, else base_url).")
def site(show, output, url):
    """Build a static web site for the show: index, episode pages with player, chapters and transcript.

    The folder must be empty or one an earlier `site` made: no file of yours is overwritten."""
    from audioessay.publish.site import build_site

    result = build_site(show, output, site_url=url, warn=warn)
    removed = f"; removed {len(result.removed)} files of episodes no longer in the show" if result.removed else ""
    click.echo(f"wrote {len(result.pages)} episode pages, {result.index.name} and {result.feed.name} "
               f"to {result.folder}{removed}")
