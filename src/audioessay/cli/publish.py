"""The commands that check and publish finished episodes: check, feed, site and publish."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from audioessay.cli.app import ClickReporter, warn, cli


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


class _ByteReporter(ClickReporter):
    """A progress bar over bytes on a terminal, with the files sent so far (advance is called
    once a file, with its size)."""

    files = 0

    def start(self, total: int) -> None:
        if not self.quiet and sys.stderr.isatty() and total:
            self.bar = click.progressbar(length=total, label="uploading", file=sys.stderr, show_pos=True,
                                         item_show_func=lambda _: f"{self.files} files")
            self.bar.__enter__()

    def advance(self, n: int) -> None:
        self.files += 1
        super().advance(n)


@cli.command()
@click.argument("show", type=click.Path(path_type=Path))
@click.option("--to", "to", metavar="URL",
              help="s3://bucket/prefix, sftp://user@host/path or a folder (default: the show's publish.to).")
@click.option("--endpoint-url", metavar="URL", help="An S3-compatible store's endpoint (default: AWS_ENDPOINT_URL).")
@click.option("--dry-run", is_flag=True, help="Print what would be uploaded and deleted; change nothing.")
@click.option("--delete", is_flag=True, help="Remove files of episodes no longer in the show.")
@click.option("--verify", is_flag=True, help="Fetch the published feed and check every enclosure; exit 1 on a problem.")
def publish(show, to, endpoint_url, dry_run, delete, verify):
    """Publish the show's site (episodes, sidecars, pages, feed) incrementally, the feed last."""
    from audioessay.publish import feed as feed_mod
    from audioessay.publish.push import remote, upload
    from audioessay.publish.push import verify as verify_mod

    from audioessay.errors import InputError

    loaded = feed_mod.load_show(show)
    to = to or loaded.publish_to
    if not to:
        raise InputError(f"{show}: no target; give --to URL or set publish: {{to: URL}} in the show file")
    target = remote.open_remote(to, endpoint_url or loaded.publish_endpoint_url)
    result = upload.publish(show, target, dry_run=dry_run, delete=delete, reporter=_ByteReporter(False), warn=warn)
    plan = result.plan
    if dry_run:
        for name in plan.upload:
            click.echo(f"{'replace' if name in plan.remote else 'upload '} {name} ({plan.local[name].size} bytes)")
        for name in plan.delete:
            click.echo(f"delete  {name}")
        click.echo(f"would upload {len(plan.upload)} files, {plan.bytes / 1e6:.1f} MB; "
                   f"leave {len(plan.keep)}; delete {len(plan.delete)}")
        return
    deleted = f", deleted {len(result.deleted)}" if result.deleted else ""
    click.echo(f"uploaded {len(result.uploaded)} files, {result.bytes / 1e6:.1f} MB, skipped {len(plan.keep)}"
               f"{deleted}, in {result.seconds:.1f} s to {target.label}")
    if verify:
        url = loaded.base_url + "feed.xml"
        problems = verify_mod.verify(url)
        for line in problems:
            click.echo(line, err=True)
        if problems:
            raise SystemExit(1)
        click.echo(f"verified {url}")
