"""`audioessay voices`: every engine's voices and whether each can be used now."""

from __future__ import annotations

import click

from audioessay.cli.app import cli, engine_names


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
