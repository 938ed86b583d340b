"""The command line: a thin layer over the library, and the only place that prints or exits."""

from __future__ import annotations

import os
import signal
import sys

import click

from audioessay.cli import cache, publish, render, script, voices  # noqa: F401  (each adds its commands)
from audioessay.cli.app import cli

__all__ = ["cli", "main"]


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
