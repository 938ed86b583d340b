"""The commands that render: render, preview and watch."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from audioessay.batch.jobs import Progress  # light: no audio module
from audioessay.cli.app import ClickReporter, open_cache, load, setup_logging, summary, cli, render_options


@cli.command()
@click.argument("scripts", metavar="SCRIPT...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output MP3 (default: the script's name with .mp3).")
@click.option("--force", is_flag=True,
              help="Render even when the output is up to date, and replace an output file audioessay did not make.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Episodes rendered at once, each in its own process (default: the cores, but no more "
                   "than available memory / 300 MB, one render's peak; never more than the scripts).")
@click.option("--episodes", is_flag=True, help="SCRIPT is a show file: render the script of every episode it lists.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Render on a Dask cluster: tcp://HOST:PORT of a running scheduler, or local:N for a "
                   "local cluster of N workers (pip install 'audioessay[dask]'; see docs/batch.md).")
@click.option("--engine-concurrency", type=click.IntRange(min=1),
              help="With --scheduler: at most this many episodes voiced by each online engine at once, cluster-wide.")
@click.option("--retries", type=click.IntRange(min=0), default=2, show_default=True,
              help="With --scheduler: times an episode whose engine failed is tried again.")
@click.option("--dry-run", is_flag=True, help="Print the characters each engine would be sent, what the cache "
              "holds and the requests left (as text --cost); write nothing, contact no service.")
@render_options
def render(scripts, output, force, jobs, episodes, scheduler, engine_concurrency, retries, dry_run, engine,
           cache_dir, no_cache, refresh, quiet, verbose):
    """Render SCRIPT (a .yaml script or a Markdown post) to an MP3 episode; several SCRIPTs
    (or a show file with --episodes) render in parallel and end with a table."""
    setup_logging(verbose)
    if dry_run:
        from audioessay.cli.script import print_cost
        from audioessay.speech.plan import make_plan

        for one in scripts:
            spec = load(one, engine)
            print_cost(one, spec, make_plan(spec), open_cache(cache_dir, no_cache, refresh))
        return
    if len(scripts) == 1 and not (jobs or episodes or scheduler):
        from audioessay.episode import render as render_mod

        result = render_mod.render(load(scripts[0], engine), output=output,
                                   cache=open_cache(cache_dir, no_cache, refresh),
                                   force=force or refresh, replace=force, reporter=ClickReporter(quiet))
        if not quiet:
            click.echo(summary(result))
        return
    _render_many(scripts, output, force, jobs, episodes, scheduler, engine_concurrency, retries, engine,
                 cache_dir, no_cache, refresh, quiet)


def _render_many(scripts, output, force, jobs, episodes, scheduler, engine_concurrency, retries, engine,
                 cache_dir, no_cache, refresh, quiet):
    import time

    from audioessay.batch import jobs as batch_jobs, table
    from audioessay.errors import InputError

    if episodes:
        from audioessay.batch.show import episode_scripts

        scripts = [s for show in scripts for s in episode_scripts(show)]
    if output is not None and len(scripts) > 1:
        raise InputError("-o/--output names one MP3; with several scripts each renders to its own name")
    if engine_concurrency and not scheduler:
        raise InputError("--engine-concurrency needs --scheduler (one machine is capped by -j)")
    work = batch_jobs.with_defaults([batch_jobs.Job(s, output, engine, cache_dir, no_cache, refresh, force, force)
                                     for s in dict.fromkeys(scripts)])
    progress = _Progress(len(work), quiet)
    started = time.monotonic()
    if scheduler:
        from audioessay.batch import cluster

        outcomes = cluster.run(work, scheduler, progress, retries=retries, engine_concurrency=engine_concurrency)
    else:
        from audioessay.batch import local

        outcomes = local.run(work, jobs or local.default_workers(len(work)), progress)
    progress.clear()
    if not quiet:
        click.echo(table.table(outcomes))
        click.echo(table.totals(outcomes, time.monotonic() - started))
    elif any(o.error for o in outcomes):
        for o in outcomes:
            if o.error:  # an input error already starts with its file:line
                where = "" if o.error.startswith(str(o.script)) else f"{o.script}: "
                click.echo(f"error: {where}{o.error}", err=True)
    code = batch_jobs.exit_code(outcomes)
    if code:
        raise SystemExit(code)


class _Progress(Progress):
    """The live line on a terminal (stderr): episodes done, running and failed."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.done, self.running, self.failed = total, 0, 0, 0
        self.live = not quiet and sys.stderr.isatty()

    def started(self, job) -> None:
        self.running += 1
        self._show()

    def finished(self, outcome) -> None:
        self.running -= 1
        self.done += 1
        self.failed += outcome.status == "failed"
        self._show()

    def _show(self) -> None:
        from audioessay.batch.table import progress_line

        if self.live:
            click.echo("\r\x1b[K" + progress_line(self.total, self.done, self.running, self.failed),
                       err=True, nl=False)

    def clear(self) -> None:
        if self.live:
            click.echo("\r\x1b[K", err=True, nl=False)




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
