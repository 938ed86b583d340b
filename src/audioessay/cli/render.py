"""The commands that render: render, preview and watch."""

from __future__ import annotations

from pathlib import Path

import click

from audioessay.cli.app import ClickReporter, open_cache, load, setup_logging, summary, cli, render_options


@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output MP3 (default: the script's name with .mp3).")
@click.option("--force", is_flag=True,
              help="Render even when the output is up to date, and replace an output file audioessay did not make.")
@render_options
def render(script, output, force, engine, cache_dir, no_cache, refresh, quiet, verbose):
    """Render SCRIPT (a .yaml script or a Markdown post) to an MP3 episode."""
    from audioessay.episode import render as render_mod

    setup_logging(verbose)
    result = render_mod.render(load(script, engine), output=output, cache=open_cache(cache_dir, no_cache, refresh),
                               force=force or refresh, replace=force, reporter=ClickReporter(quiet))
    if not quiet:
        click.echo(summary(result))




@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
@click.option("--section", "which", required=True, help="Section number (1-based) or title.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the preview here (an .mp3; never over an episode) instead of playing it.")
@render_options
def preview(script, which, output, engine, cache_dir, no_cache, refresh, quiet, verbose):
    """Render one section (its heading, music and mastering as in the episode) and play it."""
    from audioessay.episode import render as render_mod

    setup_logging(verbose)
    spec = load(script, engine)
    result = render_mod.preview(spec, which, output=output, cache=open_cache(cache_dir, no_cache, refresh),
                                reporter=ClickReporter(quiet))
    if output:
        if not quiet:
            click.echo(summary(result))
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

    setup_logging(verbose)
    watchable(script)  # a missing script, a folder or a FIFO: exit 2 now, not a wait forever
    store = open_cache(cache_dir, no_cache, refresh)

    def run_once() -> str:
        result = render_mod.render(load(script, engine), output=output, cache=store,
                                   reporter=ClickReporter(True))
        return summary(result)

    click.echo(f"watching {script} (Ctrl-C stops)")
    watch_loop(lambda: script_files(script, script_mod.load), run_once, echo=click.echo)
