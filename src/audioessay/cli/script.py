"""The commands that read a script without rendering it: validate, init and text."""

from __future__ import annotations

from pathlib import Path

import click

from audioessay.errors import InputError
from audioessay.cli.app import load, cli, engine_names


@cli.command()
@click.argument("script", type=click.Path(path_type=Path))
def validate(script):
    """Check SCRIPT without rendering: every problem at once (exit 2), or `ok`."""
    spec = load(script, None)
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
@click.option("--changed", is_flag=True, help="Show only sentences whose spoken form differs.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per utterance (for tools and reviews).")
@click.option("--engine", type=click.Choice(["auto", *engine_names()]),
              help="Show what this engine receives (default: the script's engine).")
@click.option("--cost", is_flag=True, help="Print the characters this engine would be sent, what the cache "
              "already holds and the requests a render would make (contacts no service).")
def text(script, changed, as_json, engine, cost):
    """Show each sentence as written and as it will be spoken (synthesizes nothing)."""
    import json

    from audioessay.mix.assemble import speaker_names
    from audioessay.speech.plan import make_plan

    spec = load(script, engine)
    plan = make_plan(spec)
    if cost:
        print_cost(script, spec, plan)
        return
    prepare = _engine_forms(spec, plan)
    speakers = speaker_names(plan)  # named only when the episode has more than one voice
    rows = []
    for u in plan.utterances:
        differs = u.text != u.spoken
        if changed and not differs:
            continue
        if as_json:
            name, form = prepare(u)
            row = {"section": u.section + 1, "title": plan.section_titles[u.section], "kind": u.kind,
                   "text": u.text, "spoken": u.spoken, "engine": name, "engine_text": form}
            rows.append(row | ({"speaker": speakers[u.voice]} if speakers else {}))
            continue
        mark = "*" if differs else " "
        click.echo(f"{mark} [{u.section + 1}] {u.text}")
        if differs:
            click.echo(f"      -> {u.spoken}")
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    for line in plan.warnings():
        click.echo(line, err=True)


def print_cost(script, spec, plan, cache=None):
    """`text --cost`, `render --dry-run`: the counting of speech/cost.py, for the engine each
    voice names, against `cache` (default: the user's sentence cache)."""
    from audioessay.speech import engines
    from audioessay.speech.cache import Cache, default_cache_dir
    from audioessay.speech.cost import estimate

    if any(v.engine == "auto" for v in plan.voices):
        raise InputError(f"{script}: --cost needs an engine; add --engine NAME (auto chooses only when rendering)")
    made = [engines.create(v.engine, v, spec.engine_settings) for v in plan.voices]
    limits = [engines.spec(v.engine).max_chars for v in plan.voices]
    for c in estimate(plan, made, cache if cache is not None else Cache(default_cache_dir()), limits):
        for line in c.lines():
            click.echo(line)


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
